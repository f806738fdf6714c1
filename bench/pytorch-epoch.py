#!/usr/bin/env python3
# PyTorch reference for bench/gradient.ts: one epoch of a 196-100-10 MLP (sigmoid hidden
# layer, softmax cross-entropy) over 50,000 samples of 14x14 MNIST shape, SGD and Adam at
# batch 64 and 256, on ONE thread. Prints one JSON line: seconds per epoch, median of 3
# epochs after a warm-up epoch.
#   python3 bench/pytorch-epoch.py [--data FILE.f32] [--activation sigmoid|relu|tanh]
# Without --data the inputs are random in [0, 1) (the cost of a dense float32 MLP does not
# depend on the values); with it, FILE is 50,000 x 196 float32 values (little-endian).
import argparse
import json
import statistics
import time

import torch

ROWS, FEATURES, HIDDEN, CLASSES = 50_000, 196, 100, 10

parser = argparse.ArgumentParser()
parser.add_argument("--data", default=None)
parser.add_argument("--activation", default="sigmoid", choices=["sigmoid", "relu", "tanh"])
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)
if args.data:
    import numpy as np

    x = torch.from_numpy(np.fromfile(args.data, dtype=np.float32).reshape(ROWS, FEATURES))
else:
    x = torch.rand(ROWS, FEATURES)
y = torch.randint(0, CLASSES, (ROWS,))
activation = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[args.activation]


def epoch_seconds(batch: int, kind: str) -> float:
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), activation(), torch.nn.Linear(HIDDEN, CLASSES))
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for repeat in range(args.epochs + 1):
        started = time.perf_counter()
        for start in range(0, ROWS, batch):
            optimizer.zero_grad()
            loss = loss_fn(model(x[start : start + batch]), y[start : start + batch])
            loss.backward()
            optimizer.step()
        if repeat > 0:  # the first epoch warms up
            times.append(time.perf_counter() - started)
    return statistics.median(times)


result = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for batch in (64, 256):
    for kind in ("sgd", "adam"):
        result[f"b{batch}_{kind}"] = epoch_seconds(batch, kind)
print(json.dumps(result))
