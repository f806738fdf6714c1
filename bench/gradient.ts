// Gradient-path benchmark: seconds per epoch of a 196-100-10 MLP (the configs' default
// activation, sigmoid) over 50,000 MNIST 14x14 samples, SGD and Adam at batch 64 and 256, on
// one thread: Evolab's CPU backends next to PyTorch (bench/pytorch-epoch.py, one thread, same
// data), with the ratio. PyTorch is skipped with a note when python3 cannot import torch.
// Debian's python3-torch is built against the generic BLAS interface and, by default, gets the
// slow reference BLAS (about 10x slower here); when Debian's OpenBLAS is installed
// (libopenblas0-pthread) PyTorch is run on it, one thread, as the reference project ran.
//   node bench/gradient.ts [--epochs N] [--backend wasm|js|auto] [--no-pytorch]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ComputeBackend } from '../src-main/engine/compute/backend.ts';
import { type BackendPreference, createBackend } from '../src-main/engine/compute/select.ts';
import type { Dataset } from '../src-main/engine/data/dataset.ts';
import { loadMnist } from '../src-main/engine/data/mnist.ts';
import { initParameters, mlpLayout } from '../src-main/engine/model/mlp.ts';
import { Adam } from '../src-main/engine/optimizers/adam.ts';
import { Sgd } from '../src-main/engine/optimizers/sgd.ts';
import { Rng } from '../src-main/engine/rng.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'wasm' },
    'no-pytorch': { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
const ROWS = 50_000;
const FEATURES = 196;
const cases = [64, 256].flatMap((batch) => (['sgd', 'adam'] as const).map((kind) => ({ batch, kind, key: `b${batch}_${kind}` })));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Seconds per epoch, median of `epochs` epochs after a warm-up one. */
function epochSeconds(backend: ComputeBackend, data: Dataset, batch: number, kind: 'sgd' | 'adam'): number {
  const layout = mlpLayout(FEATURES, [100], 10, 'sigmoid');
  const params = initParameters(layout, new Rng(1));
  const optimizer =
    kind === 'sgd' ? new Sgd(layout, backend, { lr: 0.1, momentum: 0 }) : new Adam(layout, backend, { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const times: number[] = [];
  for (let repeat = 0; repeat <= epochs; repeat++) {
    const started = performance.now();
    for (let start = 0; start < data.size; start += batch) {
      const rows = Math.min(batch, data.size - start);
      optimizer.step(params, { x: data.x.subarray(start * FEATURES, (start + rows) * FEATURES), y: data.y.subarray(start, start + rows), rows });
    }
    if (repeat > 0) times.push((performance.now() - started) / 1000);
  }
  return median(times);
}

/** PyTorch's figures on the same inputs, or the reason there are none. */
function pytorchSeconds(data: Dataset): { seconds: Record<string, number> | null; note: string } {
  const python = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (python === undefined) return { seconds: null, note: 'PyTorch skipped: no python3 that can import torch (Debian: apt-get install python3-torch)' };
  const dir = mkdtempSync(join(tmpdir(), 'evolab-bench-'));
  try {
    const file = join(dir, 'x.f32');
    writeFileSync(file, data.x.subarray(0, ROWS * FEATURES));
    const script = resolve(import.meta.dirname, 'pytorch-epoch.py');
    const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
    const blas = existsSync(`${openblas}/libblas.so.3`) ? 'OpenBLAS' : 'the system BLAS';
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', ...(blas === 'OpenBLAS' ? { LD_LIBRARY_PATH: openblas } : {}) };
    const run = spawnSync(python, [script, '--data', file, '--epochs', String(epochs)], { encoding: 'utf8', env });
    if (run.status !== 0) return { seconds: null, note: `PyTorch failed: ${run.stderr.trim().split('\n').pop() ?? ''}` };
    const result = JSON.parse(run.stdout) as Record<string, number | string>;
    const seconds = Object.fromEntries(cases.map(({ key }) => [key, Number(result[key])]));
    return { seconds, note: `PyTorch ${String(result.torch)} (${python}) on ${blas}, ${String(result.threads)} thread` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mnist = loadMnist('mnist', 'train', 14);
const data: Dataset = { ...mnist, size: ROWS, x: mnist.x.subarray(0, ROWS * FEATURES), y: mnist.y.subarray(0, ROWS) };
const { backend, notes } = await createBackend(values.backend as BackendPreference, 1);
const evolab = Object.fromEntries(cases.map(({ batch, kind, key }) => [key, epochSeconds(backend, data, batch, kind)]));
const torch = values['no-pytorch'] ? { seconds: null, note: 'PyTorch skipped (--no-pytorch)' } : pytorchSeconds(data);

console.log(`\n## One epoch of a 196-100-10 sigmoid MLP over 50,000 MNIST 14x14 samples, one thread (s, median of ${epochs} after a warm-up)\n`);
console.log(`Evolab: ${backend.name}${notes.length ? ` (${notes.join('; ')})` : ''}. ${torch.note}.\n`);
console.log('| case | Evolab s/epoch | PyTorch s/epoch | Evolab / PyTorch |');
console.log('|---|---|---|---|');
for (const { batch, kind, key } of cases) {
  const reference = torch.seconds?.[key];
  const ratio = reference === undefined ? '-' : `${(evolab[key] / reference).toFixed(2)}x`;
  console.log(`| B=${batch} ${kind} | ${evolab[key].toFixed(3)} | ${reference === undefined ? '-' : reference.toFixed(3)} | ${ratio} |`);
}
process.exit(0); // the tfjs WASM runtime may hold the event loop
