// Where a WebGPU device starts to beat the CPU kernels, call by call (prints figures, asserts
// nothing): for gradient steps, evaluations and population generations over a range of networks
// and batch sizes, the milliseconds per call on the WebGPU device and on the WASM backend (with
// its population threads), and which of the two routed-backend.ts's thresholds pick.
//   node bench/webgpu-crossover.ts [--host dawn|chromium] [--population 49] [--max-madds 17e9]
// --host chromium runs the device in headless Chromium (here: SwiftShader, a CPU emulation,
// so only the table's shape means anything). Calls whose multiply-adds exceed --max-madds are
// skipped (the CPU side would take many seconds).

import { parseArgs } from 'node:util';
import type { Batch, ComputeBackend } from '../src-main/engine/compute/backend.ts';
import { DEFAULT_ROUTING, RoutedBackend } from '../src-main/engine/compute/routed-backend.ts';
import { createBackend, defaultThreads } from '../src-main/engine/compute/select.ts';
import { WebGpuBackend } from '../src-main/engine/compute/webgpu/webgpu-backend.ts';
import { locateChromium } from '../src-main/files/chromium.ts';
import { mlpLayout, type MlpLayout } from '../src-main/engine/model/mlp.ts';
import { Rng } from '../src-main/engine/rng.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: 'dawn' },
    population: { type: 'string', default: '49' },
    'max-madds': { type: 'string', default: '17e9' },
  },
});
const LAMBDA = Number(values.population);
const MAX_MADDS = Number(values['max-madds']);

const host = values.host === 'chromium' ? { kind: 'chromium' as const, executablePath: locateChromium().path ?? '' } : { kind: 'dawn' as const };
const started = await WebGpuBackend.create({ host, hardwareOnly: false });
if (started.backend === null) {
  console.log(`no WebGPU device: ${started.reason}`);
  process.exit(0);
}
const gpu = started.backend;
const { backend: cpu } = await createBackend('wasm', defaultThreads());
const routed = new RoutedBackend({ gpu, cpu });
console.log(`GPU: ${gpu.name}\nCPU: ${cpu.name}\nthresholds (multiply-adds): ${JSON.stringify(DEFAULT_ROUTING)}\n`);

/** Milliseconds per call: one warm-up, then calls until 0.3 s or 30 calls. */
function timeCalls(call: () => void): number {
  call();
  const start = performance.now();
  let calls = 0;
  while (calls < 30 && (calls < 2 || performance.now() - start < 300)) {
    call();
    calls++;
  }
  return (performance.now() - start) / calls;
}

function randomBatch(layout: MlpLayout, rows: number, rng: Rng): Batch {
  const inputs = layout.sizes[0];
  const classes = layout.sizes[layout.sizes.length - 1];
  const x = new Float32Array(rows * inputs).map(() => rng.uniform());
  const y = new Int32Array(rows).map(() => Math.floor(rng.uniform() * classes));
  return { x, y, rows };
}

const rng = new Rng(1);
const tiny = mlpLayout(4, [8], 3, 'sigmoid');
const tinyParams = new Float32Array(tiny.parameterCount).fill(0.1);
const one = randomBatch(tiny, 1, rng);
console.log(`round trip (evaluate, 1 row of a 4-8-3 network): GPU ${timeCalls(() => gpu.evaluate(tiny, tinyParams, one)).toFixed(3)} ms\n`);

console.log('| network | params | batch | call | multiply-adds | GPU ms | CPU ms | CPU/GPU | routed to |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const hidden of [[10], [100], [256], [1000, 1000]]) {
  const layout = mlpLayout(hidden.length > 1 ? 784 : 196, hidden, 10, 'relu');
  const params = new Float32Array(layout.parameterCount).map(() => (rng.uniform() - 0.5) * 0.1);
  const grad = new Float32Array(layout.parameterCount);
  const candidates = new Float32Array(LAMBDA * layout.parameterCount).map((_, i) => params[i % params.length] * (1 + 0.01 * Math.sin(i)));
  const losses = new Float64Array(LAMBDA);
  const everyLayer = { first: 0, last: layout.layers.length - 1 };
  for (const rows of [64, 256, 1024, 4000]) {
    const batch = randomBatch(layout, rows, rng);
    const calls: { call: string; madds: number; threshold: number; run: (backend: ComputeBackend) => void }[] = [
      {
        call: 'gradient',
        madds: 3 * rows * layout.parameterCount,
        threshold: DEFAULT_ROUTING.gradient,
        run: (b) => b.lossAndGradient(layout, params, batch, grad),
      },
      { call: 'evaluate', madds: rows * layout.parameterCount, threshold: DEFAULT_ROUTING.evaluate, run: (b) => b.evaluate(layout, params, batch) },
      {
        call: `population ${LAMBDA}`,
        madds: LAMBDA * rows * layout.parameterCount,
        threshold: DEFAULT_ROUTING.population,
        run: (b) => b.populationLosses({ layout, base: params, varying: everyLayer, candidates, count: LAMBDA, batch, out: losses }),
      },
    ];
    for (const { call, madds, threshold, run } of calls) {
      if (madds > MAX_MADDS) continue;
      const gpuMs = timeCalls(() => run(gpu));
      const cpuMs = timeCalls(() => run(cpu));
      const network = layout.sizes.join('-');
      console.log(
        `| ${network} | ${layout.parameterCount} | ${rows} | ${call} | ${(madds / 1e6).toFixed(1)}M | ${gpuMs.toFixed(2)} | ${cpuMs.toFixed(2)} | ${(cpuMs / gpuMs).toFixed(2)} | ${madds >= threshold ? 'GPU' : 'CPU'} |`,
      );
    }
  }
}
await routed.close();
