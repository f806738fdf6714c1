// Pre-flight checks of an experiment config against a machine, before anything is stored or
// started: the thread count against the cores, the parameter count against a hard limit, and
// an estimate of the memory one run needs against the memory available. The schema bounds
// each field on its own (src-shared/config/experiment.ts); only here do the fields meet (a
// population of 1,000 is fine for Iris and not for a 20-million-parameter network). The
// service runs these checks when a run is queued, a job again once its data are loaded (it
// then knows a CSV data set's shape, and runs on the machine that will pay for it).
//
// The estimate follows the allocations of the engine: the data splits, the parameters (three
// copies: model, best weights, next), the optimizer state (Adam's two float64 moments; each
// strategy's float64 covariance or matrix, O(n^2) for full CMA-ES and MA-ES, O(n) for
// sep-CMA-ES, plus its lambda x n samples), the population's activations for one batch, and
// the per-epoch checkpoint, which travels as JSON text (about 20 bytes per number) through
// the job, the IPC channel and the service.

import { availableParallelism } from 'node:os';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { DatasetConfig, ExperimentConfig } from '../../src-shared/config/experiment.ts';
import { checkSplitSizes } from './data/split.ts';
import { mlpLayout } from './model/mlp.ts';
import { defaultPopulationSize } from './strategies/parameters.ts';
import { chooseStrategyKind } from './strategies/choose.ts';
import { KERNEL_MIN_ORDER } from './strategies/eigen/symmetric-eigen.ts';

/** More parameters than this is not a "small neural network": refused outright (80 MB of float32). */
export const MAX_PARAMETERS = 20_000_000;

/** Bytes of one number in a JSON checkpoint, and how many copies of it exist at once. */
const JSON_BYTES_PER_NUMBER = 20;
const CHECKPOINT_COPIES = 3;
/** A Node process with the engine loaded, before any data. */
const BASELINE_BYTES = 80 * 1024 * 1024;

export interface DatasetShape {
  /** Every row loaded (split or not). */
  readonly rows: number;
  /** Rows the train/val/test split divides (MNIST: the 60k file; its test file is separate). */
  readonly splitRows: number;
  readonly features: number;
  readonly classes: number;
}

export interface MachineFacts {
  readonly cores: number;
  /** Memory a new process may use (process.availableMemory(): free memory, cgroup limits included). */
  readonly availableBytes: number;
}

export interface MemoryPart {
  readonly what: string;
  /** The config field that drives this part (named in a refusal). */
  readonly field: string;
  readonly bytes: number;
}

/** The shape of a built-in data set, or null for a CSV file (known only once it is read). */
export function knownDatasetShape(dataset: DatasetConfig): DatasetShape | null {
  switch (dataset.name) {
    case 'iris':
      return { rows: 150, splitRows: 150, features: 4, classes: 3 };
    case 'mnist':
    case 'fashion_mnist':
      return { rows: 70_000, splitRows: 60_000, features: dataset.image_size * dataset.image_size, classes: 10 };
    case 'csv':
      return null;
  }
}

function strategyBytes(n: number, lambda: number, kind: 'full' | 'maes' | 'sep'): { bytes: number; stateNumbers: number } {
  // Mean, paths, z and x samples (float64), candidates (float32).
  const common = 8 * (4 * n + 2 * lambda * n) + 4 * lambda * n;
  switch (kind) {
    case 'full':
      // C and its eigenvectors B (float64 n x n), the y samples, and the eigensolver's working
      // memory: from n = 65 the WASM kernels' A, Z and product operands (5 n^2) and the divide and
      // conquer's four n x n work matrices; below, ml-matrix's copy.
      return { bytes: common + 8 * ((n >= KERNEL_MIN_ORDER ? 11 : 3) * n * n + lambda * n), stateNumbers: 2 * n * n + 4 * n };
    case 'maes':
      // M (float64 n x n), the d = M z directions, and the update's temporary matrix.
      return { bytes: common + 8 * (2 * n * n + lambda * n), stateNumbers: n * n + 3 * n };
    case 'sep':
      return { bytes: common + 8 * 3 * n, stateNumbers: 4 * n };
  }
}

/** What one run of `config` on data of `shape` needs, part by part. */
export function estimateRunMemory(config: ExperimentConfig, shape: DatasetShape): MemoryPart[] {
  const layout = mlpLayout(shape.features, config.model.hidden, shape.classes, config.model.activation);
  const d = layout.parameterCount;
  const batch = Math.min(config.training.batch_size, shape.rows);
  const widths = layout.sizes.slice(1).reduce((a, b) => a + b, 0);
  const parts: MemoryPart[] = [
    // The loaded source plus the split copies.
    { what: 'data', field: 'dataset', bytes: 2 * 4 * shape.rows * shape.features + 8 * shape.rows },
    { what: 'parameters', field: 'model.hidden', bytes: 3 * 4 * d },
  ];
  let stateNumbers = 3 * d + shape.rows;
  let checkpointField = 'model.hidden';
  const o = config.optimizer;
  if (o.type === 'sgd' || o.type === 'adam') {
    parts.push({ what: `${o.type} state`, field: 'model.hidden', bytes: o.type === 'sgd' ? 8 * d : 4 * d + 16 * d });
    stateNumbers += o.type === 'sgd' ? d : 2 * d;
    parts.push({ what: 'activations and gradients', field: 'training.batch_size', bytes: 2 * 4 * batch * widths * 2 });
  } else {
    const groups = o.type === 'cmaes' ? [d] : layout.layers.map((l) => l.size);
    let strategies = 0;
    let population = 0;
    for (const n of groups) {
      const lambda = o.population ?? defaultPopulationSize(n);
      const kind = chooseStrategyKind(o.variant, n);
      const s = strategyBytes(n, lambda, kind);
      if (kind !== 'sep') checkpointField = 'optimizer.variant';
      strategies += s.bytes;
      stateNumbers += s.stateNumbers;
      // One batch through every candidate: activations of each layer, and the first layer's
      // weights of all candidates side by side (Wcat).
      population = Math.max(population, 4 * lambda * batch * widths + 4 * lambda * n);
    }
    parts.push({ what: 'strategy state', field: o.population !== undefined ? 'optimizer.population' : 'optimizer.variant', bytes: strategies });
    parts.push({ what: 'population evaluation', field: 'optimizer.population', bytes: population });
  }
  parts.push({ what: 'checkpoint', field: checkpointField, bytes: CHECKPOINT_COPIES * JSON_BYTES_PER_NUMBER * stateNumbers });
  return parts;
}

export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 10 ? `${gib.toFixed(0)} GiB` : gib >= 0.1 ? `${gib.toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** The thread count against the machine's cores. */
export function checkThreads(config: ExperimentConfig, machine: MachineFacts): UserInputError[] {
  const threads = config.compute.threads;
  if (threads === 'auto' || threads <= machine.cores) return [];
  return [new UserInputError('compute.threads', `expected at most ${machine.cores} (the cores of this machine), got ${threads}`)];
}

/** The parameter count against MAX_PARAMETERS, and the memory estimate against the machine's. */
export function checkMemory(config: ExperimentConfig, shape: DatasetShape, machine: MachineFacts): UserInputError[] {
  const d = mlpLayout(shape.features, config.model.hidden, shape.classes, config.model.activation).parameterCount;
  if (d > MAX_PARAMETERS) {
    return [
      new UserInputError('model.hidden', `the network has ${d.toLocaleString('en')} parameters; at most ${MAX_PARAMETERS.toLocaleString('en')} are allowed`),
    ];
  }
  const parts = estimateRunMemory(config, shape);
  const total = BASELINE_BYTES + parts.reduce((a, p) => a + p.bytes, 0);
  if (total <= machine.availableBytes) return [];
  const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return [
    new UserInputError(
      largest.field,
      `a run needs about ${formatGiB(total)} of memory (${largest.what}: ${formatGiB(largest.bytes)}), more than the ${formatGiB(machine.availableBytes)} available on this machine`,
    ),
  ];
}

/**
 * The problems of running `config` here, each naming its field (relative to the config, e.g.
 * "compute.threads") and the limit; empty when it can run. For a CSV data set, whose shape is
 * known only once it is read, only the thread count is checked (the job checks the rest).
 */
export function preflight(config: ExperimentConfig, machine: MachineFacts): UserInputError[] {
  const shape = knownDatasetShape(config.dataset);
  if (shape === null) return checkThreads(config, machine);
  const split =
    config.dataset.name !== 'csv' && 'official_test' in config.dataset && config.dataset.official_test
      ? { ...config.dataset.split, test: 0 }
      : config.dataset.split;
  return [...checkThreads(config, machine), ...checkSplitSizes(shape.splitRows, split), ...checkMemory(config, shape, machine)];
}

/** This machine's cores and available memory. */
export function thisMachine(): MachineFacts {
  return { cores: availableParallelism(), availableBytes: process.availableMemory() };
}
