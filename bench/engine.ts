// Engine benchmarks (not tests: they print figures and assert nothing).
//   node bench/engine.ts [--configs] [--kernels] [--strategies] [--runs N] [--only TEXT]
// With no section flag, all three run:
//   --configs     seconds per run of every shipped config, against the reference project
//                 (PyTorch 1.13 + pycma, measured on this machine, ../shared/MEASUREMENTS.md)
//   --kernels     epoch time of a 196-100-10 MLP over 50,000 MNIST samples, batch 64 and 256,
//                 SGD and Adam; population forward of CMA-ES on MNIST 196-10-10
//   --strategies  time per CMA-ES generation (ask + tell) for d = 2080 and 6634, per variant, and
//                 the full CMA-ES eigendecomposition at d = 2080 (once) beside LAPACK's (numpy
//                 eigh, bench/lapack-eigh.py; skipped with a note when python3 or numpy is missing)

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import type { ComputeBackend } from '../src-main/engine/compute/backend.ts';
import { createBackend, defaultThreads } from '../src-main/engine/compute/select.ts';
import type { Dataset } from '../src-main/engine/data/dataset.ts';
import { loadSplits } from '../src-main/engine/data/load.ts';
import { loadMnist } from '../src-main/engine/data/mnist.ts';
import { initParameters, mlpLayout } from '../src-main/engine/model/mlp.ts';
import { Adam } from '../src-main/engine/optimizers/adam.ts';
import { Sgd } from '../src-main/engine/optimizers/sgd.ts';
import { Rng } from '../src-main/engine/rng.ts';
import { createStrategy, strategyKinds } from '../src-main/engine/strategies/registry.ts';
import { decomposeCovariance } from '../src-main/engine/strategies/full-cmaes.ts';
import { trainRun } from '../src-main/engine/train.ts';

/** Reference project's mean training seconds per run on this machine (MEASUREMENTS.md). */
const REFERENCE_SECONDS: Record<string, number> = {
  iris_sgd: 0.019,
  iris_adam: 0.031,
  iris_cmaes: 0.2,
  iris_layerwise: 0.47,
  mnist_sgd: 25.7,
  mnist_adam: 29.9,
  mnist_cmaes: 110,
  mnist_layerwise: 97,
};

const { values } = parseArgs({
  options: {
    configs: { type: 'boolean', default: false },
    kernels: { type: 'boolean', default: false },
    strategies: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
  },
});
const all = !values.configs && !values.kernels && !values.strategies;
const runs = Number(values.runs);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function benchConfigs(backend: ComputeBackend): Promise<void> {
  const dir = resolve(import.meta.dirname, '../resources/configs');
  console.log(`\n## Seconds per run of the shipped configs (${runs} runs each, seeds 0..${runs - 1}; backend ${backend.name})\n`);
  console.log('| config | mean s/run | reference s/run | speed-up | mean test_acc | mean epochs |');
  console.log('|---|---|---|---|---|---|');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const name = file.replace(/\.json$/, '');
    if (values.only && !name.includes(values.only)) continue;
    const config = parseExperimentConfig(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const splits = loadSplits(config.dataset);
    trainRun(config, splits, 1000, backend); // warm-up (JIT), not counted
    const results = Array.from({ length: runs }, (_, seed) => trainRun(config, splits, seed, backend));
    const seconds = mean(results.map((r) => r.time));
    const reference = REFERENCE_SECONDS[name];
    console.log(
      `| ${name} | ${seconds.toFixed(3)} | ${reference ?? '-'} | ${reference ? `${(reference / seconds).toFixed(1)}x` : '-'} | ${mean(results.map((r) => r.final.test_acc)).toFixed(4)} | ${mean(results.map((r) => r.epochsRun)).toFixed(1)} |`,
    );
  }
}

function epochMs(backend: ComputeBackend, data: Dataset, batch: number, kind: 'sgd' | 'adam'): number {
  const layout = mlpLayout(196, [100], 10, 'sigmoid');
  const params = initParameters(layout, new Rng(1));
  const optimizer =
    kind === 'sgd' ? new Sgd(layout, backend, { lr: 0.1, momentum: 0 }) : new Adam(layout, backend, { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const times: number[] = [];
  for (let repeat = 0; repeat < 4; repeat++) {
    const started = performance.now();
    for (let start = 0; start < data.size; start += batch) {
      const rows = Math.min(batch, data.size - start);
      optimizer.step(params, { x: data.x.subarray(start * 196, (start + rows) * 196), y: data.y.subarray(start, start + rows), rows });
    }
    if (repeat > 0) times.push(performance.now() - started); // first epoch warms up
  }
  return median(times);
}

function populationMs(backend: ComputeBackend, data: Dataset, hidden: number, lambda: number, rows: number): number {
  const layout = mlpLayout(196, [hidden], 10, 'sigmoid');
  const base = initParameters(layout, new Rng(1));
  const rng = new Rng(2);
  const candidates = Float32Array.from({ length: lambda * layout.parameterCount }, () => 0.1 * rng.normal());
  const out = new Float64Array(lambda);
  const batch = { x: data.x.subarray(0, rows * 196), y: data.y.subarray(0, rows), rows };
  const varying = { first: 0, last: layout.layers.length - 1 };
  const times: number[] = [];
  for (let repeat = 0; repeat < 6; repeat++) {
    const started = performance.now();
    backend.populationLosses({ layout, base, varying, candidates, count: lambda, batch, out });
    if (repeat > 0) times.push(performance.now() - started);
  }
  return median(times);
}

function benchKernels(backends: [string, ComputeBackend][]): void {
  const mnist = loadMnist('mnist', 'train', 14);
  const data: Dataset = { ...mnist, size: 50_000, x: mnist.x.subarray(0, 50_000 * 196), y: mnist.y.subarray(0, 50_000) };
  console.log('\n## One epoch of a 196-100-10 sigmoid MLP over 50,000 MNIST samples (ms, median of 3 after a warm-up)\n');
  console.log('| backend | B=64 sgd | B=64 adam | B=256 sgd | B=256 adam |');
  console.log('|---|---|---|---|---|');
  for (const [name, backend] of backends) {
    const cells = [64, 256].flatMap((b) => (['sgd', 'adam'] as const).map((k) => epochMs(backend, data, b, k).toFixed(0)));
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  console.log('\n## CMA-ES population forward + loss on MNIST 14x14 (ms per generation, median of 5)\n');
  console.log('| backend | 196-10-10 (d=2080) lambda 49, B 4000 | 196-32-10 (d=6634) lambda 30, B 256 | 196-32-10 lambda 100, B 256 |');
  console.log('|---|---|---|---|');
  for (const [name, backend] of backends) {
    const cells = [populationMs(backend, data, 10, 49, 4000), populationMs(backend, data, 32, 30, 256), populationMs(backend, data, 32, 100, 256)];
    console.log(`| ${name} | ${cells.map((c) => c.toFixed(1)).join(' | ')} |`);
  }
}

function benchStrategies(): void {
  console.log('\n## Strategy cost per generation, ask + tell (ms, median of 5; full CMA-ES includes its lazy eigendecomposition, amortised)\n');
  console.log('| variant | d = 2080, lambda 49 | d = 6634, lambda 30 |');
  console.log('|---|---|---|');
  for (const kind of strategyKinds) {
    const cells = [
      [2080, 49],
      [6634, 30],
    ].map(([d, lambda]) => {
      if (kind === 'full' && d > 2500) return 'skipped (O(d^3) decomposition, minutes)';
      const es = createStrategy(kind, { mean: new Float64Array(d), sigma0: 0.1, populationSize: lambda, seed: 1 });
      const fitness = Float64Array.from({ length: lambda }, (_, i) => i);
      const generations = kind === 'full' ? 12 : 6; // full: covers one decomposition cycle
      const times: number[] = [];
      for (let g = 0; g < generations; g++) {
        const started = performance.now();
        es.ask();
        es.tell(fitness);
        times.push(performance.now() - started);
      }
      return `${(kind === 'full' ? mean(times) : median(times)).toFixed(1)}`;
    });
    console.log(`| ${kind} | ${cells.join(' | ')} |`);
  }
}

/** Symmetric positive definite test matrix: Wigner (N(0, 1/d), spectrum [-2, 2]) plus 3 I, as in bench/lapack-eigh.py. */
function wignerPlusShift(d: number): Float64Array {
  const rng = new Rng(1);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal() / Math.sqrt(d) + (i === j ? 3 : 0);
      a[i * d + j] = v;
      a[j * d + i] = v;
    }
  }
  return a;
}

/** Seconds of numpy.linalg.eigh on the same kind of matrix (median of 3), or why not. */
function lapackSeconds(d: number): number | string {
  const script = resolve(import.meta.dirname, 'lapack-eigh.py');
  const run = spawnSync('python3', [script, String(d)], { encoding: 'utf8' });
  if (run.error) return `skipped: python3 not found (${run.error.message})`;
  if (run.status !== 0) return `skipped: ${run.stderr.trim().split('\n').at(-1) ?? 'python3 failed'}`;
  return Number(run.stdout.trim());
}

function benchEigen(): void {
  const d = 2080;
  const a = wignerPlusShift(d);
  // One decomposition (about 40 s here): what full CMA-ES runs every ~9 generations at this size.
  const started = performance.now();
  decomposeCovariance({ covariance: a, size: d, eigenvectors: new Float64Array(d * d), sqrtEigenvalues: new Float64Array(d) });
  const ours = (performance.now() - started) / 1000;
  const lapack = lapackSeconds(d);
  console.log(`\n## Symmetric eigendecomposition at d = ${d} (s; random SPD matrix, eigenvalues in [1, 5])\n`);
  console.log('| Evolab full CMA-ES (ml-matrix tred2/tql2) | LAPACK (numpy.linalg.eigh, median of 3) | ratio |');
  console.log('|---|---|---|');
  const ratio = typeof lapack === 'number' ? `${(ours / lapack).toFixed(1)}x` : '-';
  console.log(`| ${ours.toFixed(2)} | ${typeof lapack === 'number' ? lapack.toFixed(2) : lapack} | ${ratio} |`);
}

// The CLI's default: 'auto' backend, population shared by all cores (at most 8).
const threads = defaultThreads();
const auto = await createBackend('auto', threads);
const autoSingle = await createBackend('auto', 1);
const js = await createBackend('js');
if (all || values.strategies) {
  benchStrategies();
  benchEigen();
}
if (all || values.kernels)
  benchKernels([
    ['js, 1 thread', js.backend],
    [`${autoSingle.backend.name.split(' ')[0]}, 1 thread`, autoSingle.backend],
    [`${auto.backend.name.split(' ')[0]}, ${threads} threads`, auto.backend],
  ]);
if (all || values.configs) await benchConfigs(auto.backend);
process.exit(0); // population worker threads are unref'ed, but the WASM runtime may hold the loop
