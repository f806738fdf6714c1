// Engine benchmarks (not tests: they print figures and assert nothing).
//   node bench/engine.ts [--configs] [--kernels] [--strategies] [--runs N] [--only TEXT]
// With no section flag, all three run:
//   --configs     seconds per run of every shipped config, against the reference project
//                 (PyTorch 1.13 + pycma, measured on this machine, ../shared/MEASUREMENTS.md)
//   --kernels     epoch time of a 196-100-10 MLP over 50,000 MNIST samples, batch 64 and 256,
//                 SGD and Adam; population forward of CMA-ES on MNIST 196-10-10
//   --strategies  time per CMA-ES generation (ask + tell) for d = 2080 and 6634, per variant, and
//                 the full CMA-ES eigendecomposition at d = 2080 on 2 threads and 1 (median of 3)
//                 beside LAPACK's (numpy eigh, bench/lapack-eigh.py, with OpenBLAS on 2 threads
//                 and 1; skipped with a note when python3 or numpy is missing), its accuracy, and
//                 the ml-matrix decomposition it replaced (once, about 38 s)

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
import { symmetricEigen } from '../src-main/engine/strategies/eigen/symmetric-eigen.ts';
import { wignerMatrix } from '../src-main/engine/strategies/eigen/wigner-matrix.ts';
import { EigenKernels } from '../src-main/engine/strategies/wasm/eigen-kernels.ts';
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
      const es = createStrategy(kind, { mean: new Float64Array(d), sigma0: 0.1, populationSize: lambda, seed: 1 });
      const fitness = Float64Array.from({ length: lambda }, (_, i) => i);
      const times: number[] = [];
      const generation = (): number => {
        const started = performance.now();
        es.ask();
        es.tell(fitness);
        times.push(performance.now() - started);
        return times[times.length - 1];
      };
      if (kind !== 'full') {
        for (let g = 0; g < 6; g++) generation();
        return median(times).toFixed(1);
      }
      if (d < 2500) {
        // 12 generations cover two decomposition cycles at d = 2080.
        for (let g = 0; g < 12; g++) generation();
        return mean(times).toFixed(1);
      }
      // d = 6634: about 35 generations between decompositions (one takes about a minute): up to
      // and including the first one (the generation 10x slower than the median before it).
      for (let g = 0; g < 80; g++) if (generation() > 10 * median(times.length > 1 ? times.slice(0, -1) : times) && g > 2) break;
      return `${mean(times).toFixed(1)} (${times.length} generations, the last with the decomposition: ${(times[times.length - 1] / 1000).toFixed(1)} s)`;
    });
    console.log(`| ${kind} | ${cells.join(' | ')} |`);
  }
}

/** Seconds of numpy.linalg.eigh on the same kind of matrix (median of 3), or why not. */
function lapackSeconds(d: number, env: Record<string, string> = {}): number | string {
  const script = resolve(import.meta.dirname, 'lapack-eigh.py');
  const run = spawnSync('python3', [script, String(d)], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (run.error) return `skipped: python3 not found (${run.error.message})`;
  if (run.status !== 0) return `skipped: ${run.stderr.trim().split('\n').at(-1) ?? 'python3 failed'}`;
  return Number(run.stdout.trim());
}

/** max |A V - V diag(values)| / max |A| and max |V^T V - I|, the products through the kernels. */
function eigenErrors(
  a: Float64Array,
  d: number,
  values: Float64Array,
  vectors: Float64Array,
  kernels: EigenKernels,
): { residual: number; orthogonality: number } {
  const av = new Float64Array(d * d);
  kernels.multiply({ a, b: vectors, c: av, m: d, k: d, n: d });
  const transposed = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) transposed[j * d + i] = vectors[i * d + j];
  const gram = new Float64Array(d * d);
  kernels.multiply({ a: transposed, b: vectors, c: gram, m: d, k: d, n: d });
  let residual = 0;
  let orthogonality = 0;
  let norm = 0;
  for (let i = 0; i < d * d; i++) norm = Math.max(norm, Math.abs(a[i]));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      residual = Math.max(residual, Math.abs(av[i * d + j] - vectors[i * d + j] * values[j]));
      orthogonality = Math.max(orthogonality, Math.abs(gram[i * d + j] - (i === j ? 1 : 0)));
    }
  }
  return { residual: residual / norm, orthogonality };
}

async function benchEigen(): Promise<void> {
  const d = 2080;
  // Symmetric positive definite: a Wigner matrix plus 3 I, as in bench/lapack-eigh.py.
  const a = wignerMatrix({ n: d, rng: new Rng(1), spread: Math.sqrt(d), shift: 3 });
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  const { kernels, note } = EigenKernels.load();
  console.log(`\n## Symmetric eigendecomposition at d = ${d} (s; random SPD matrix, eigenvalues in [1, 5])\n`);
  if (kernels === null) {
    console.log(`skipped: ${note}`);
    return;
  }
  // The helper thread starts with the module; give it the moment it needs to serve.
  for (let waited = 0; kernels.threads() < 2 && waited < 100; waited++) await new Promise((done) => setTimeout(done, 20));
  const time = (helperOff: boolean): number => {
    kernels.setHelperOff(helperOff);
    const seconds: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      const started = performance.now();
      symmetricEigen({ matrix: a, n: d, values, vectors, method: 'kernels' });
      seconds.push((performance.now() - started) / 1000);
    }
    kernels.setHelperOff(false);
    return median(seconds);
  };
  const two = kernels.threads() === 2 ? time(false) : Number.NaN;
  const one = time(true);
  const errors = eigenErrors(a, d, values, vectors, kernels);
  // ml-matrix's tred2/tql2 in JS, what full CMA-ES used before the kernels (about 38 s here).
  const started = performance.now();
  symmetricEigen({ matrix: a, n: d, values: new Float64Array(d), vectors: new Float64Array(d * d), method: 'ml-matrix' });
  const mlMatrix = (performance.now() - started) / 1000;
  const lapackTwo = lapackSeconds(d);
  const lapackOne = lapackSeconds(d, { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
  const cell = (x: number | string): string => (typeof x === 'number' ? (Number.isNaN(x) ? '-' : x.toFixed(2)) : x);
  const ratio = (ours: number, lapack: number | string): string => (typeof lapack === 'number' && !Number.isNaN(ours) ? `${(ours / lapack).toFixed(2)}x` : '-');
  console.log('| | Evolab kernels (tridiagonalisation + divide and conquer, WASM SIMD) | LAPACK (numpy.linalg.eigh, dsyevd on OpenBLAS) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| 2 threads | ${cell(two)} | ${cell(lapackTwo)} | ${ratio(two, lapackTwo)} |`);
  console.log(`| 1 thread | ${cell(one)} | ${cell(lapackOne)} | ${ratio(one, lapackOne)} |`);
  console.log(`\nBefore the kernels (ml-matrix tred2/tql2, JS, 1 thread): ${mlMatrix.toFixed(2)} s.`);
  console.log(
    `Accuracy of the kernels' result: max |A V - V diag(values)| / max |A| = ${errors.residual.toExponential(2)}, max |V^T V - I| = ${errors.orthogonality.toExponential(2)}.`,
  );
}

// The CLI's default: 'auto' backend, population shared by all cores (at most 8).
const threads = defaultThreads();
const auto = await createBackend('auto', threads);
const autoSingle = await createBackend('auto', 1);
const js = await createBackend('js');
if (all || values.strategies) {
  benchStrategies();
  await benchEigen();
}
if (all || values.kernels)
  benchKernels([
    ['js, 1 thread', js.backend],
    [`${autoSingle.backend.name.split(' ')[0]}, 1 thread`, autoSingle.backend],
    [`${auto.backend.name.split(' ')[0]}, ${threads} threads`, auto.backend],
  ]);
if (all || values.configs) await benchConfigs(auto.backend);
process.exit(0); // population worker threads are unref'ed, but the WASM runtime may hold the loop
