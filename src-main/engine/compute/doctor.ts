// What `evolab doctor` reports: every compute backend Evolab knows, whether it loads on this
// machine (and why not), the device it found, and a short self-test's throughput. The
// self-test trains a 196-100-10 MLP (the size of the MNIST configs) on random batches of 256
// through the backend's loss-and-gradient path for about `seconds`, and counts
// 6 x batch x weights floating-point operations per step (forward 2, backward 4 per weight and
// row), so the figure compares backends on the work a gradient epoch does.

import { Rng } from '../rng.ts';
import { mlpLayout, initParameters } from '../model/mlp.ts';
import type { ComputeBackend } from './backend.ts';
import { locateChromium } from '../../files/chromium.ts';
import { gpuPackageInstalled, nvidiaGpuPresent } from './gpu.ts';
import { JsBackend } from './js-backend.ts';
import { TfjsKernels } from './tfjs-kernels.ts';
import { adapterLabel } from './webgpu/adapter.ts';
import { WebGpuBackend, type WebGpuHost } from './webgpu/webgpu-backend.ts';

export interface BackendReport {
  /** The backend as configs name it (compute.backend). */
  readonly backend: 'js' | 'wasm' | 'gpu' | 'webgpu';
  /** Where a WebGPU device lives: 'Dawn for Node' or 'headless Chromium' (null for the others). */
  readonly host: string | null;
  readonly loads: boolean;
  /** `auto` would train on it (a software WebGPU adapter never qualifies). */
  readonly autoEligible: boolean;
  /** The backend's own name when it loads, else why it does not. */
  readonly detail: string;
  /** The device found (a GPU, an adapter), when the backend has one. */
  readonly device: string | null;
  /** Self-test throughput, GFLOP/s; null when it does not load. */
  readonly gflops: number | null;
}

const BATCH = 256;

export interface SelfTestResult {
  /** Timed training steps (after one warm-up step) and the seconds they took. */
  readonly steps: number;
  readonly seconds: number;
  readonly flopsPerStep: number;
  readonly gflops: number;
}

/** Throughput of lossAndGradient on a 196-100-10 MLP, over about `seconds`. */
export function selfTest(backend: ComputeBackend, seconds: number): SelfTestResult {
  const layout = mlpLayout(196, [100], 10, 'relu');
  const rng = new Rng(1);
  const params = initParameters(layout, rng);
  const grad = new Float32Array(params.length);
  const x = Float32Array.from({ length: BATCH * 196 }, () => rng.uniform());
  const y = Int32Array.from({ length: BATCH }, (_, i) => i % 10);
  const batch = { x, y, rows: BATCH };
  const weights = 196 * 100 + 100 * 10;
  backend.lossAndGradient(layout, params, batch, grad); // warm-up (kernel start-up, JIT)
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || steps === 0) {
    backend.lossAndGradient(layout, params, batch, grad);
    steps++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const flopsPerStep = 6 * BATCH * weights;
  return { steps, seconds: elapsed, flopsPerStep, gflops: (flopsPerStep * steps) / elapsed / 1e9 };
}

/** Every backend, tried in turn; `seconds` of self-test each one that loads. */
export async function diagnoseBackends(seconds: number): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  const js = new JsBackend(null);
  const cpu = { host: null, autoEligible: true };
  reports.push({ backend: 'js', ...cpu, loads: true, detail: js.name, device: null, gflops: selfTest(js, seconds).gflops });

  const wasm = await TfjsKernels.create('wasm');
  if (wasm.kernels === null) reports.push({ backend: 'wasm', ...cpu, loads: false, detail: wasm.reason, device: null, gflops: null });
  else {
    const backend = new JsBackend(wasm.kernels);
    reports.push({ backend: 'wasm', ...cpu, loads: true, detail: backend.name, device: null, gflops: selfTest(backend, seconds).gflops });
  }

  const nvidia = nvidiaGpuPresent();
  if (!gpuPackageInstalled()) {
    reports.push({
      backend: 'gpu',
      ...cpu,
      loads: false,
      detail: `the optional package @tensorflow/tfjs-node-gpu is not installed${nvidia ? ' (an NVIDIA GPU is present: npm install @tensorflow/tfjs-node-gpu)' : ''}`,
      device: nvidia ? 'NVIDIA GPU (driver loaded)' : null,
      gflops: null,
    });
  } else {
    const gpu = await TfjsKernels.create('gpu');
    if (gpu.kernels === null)
      reports.push({ backend: 'gpu', ...cpu, loads: false, detail: gpu.reason, device: nvidia ? 'NVIDIA GPU (driver loaded)' : null, gflops: null });
    else {
      const backend = new JsBackend(gpu.kernels);
      reports.push({ backend: 'gpu', ...cpu, loads: true, detail: backend.name, device: 'NVIDIA GPU (CUDA)', gflops: selfTest(backend, seconds).gflops });
    }
  }

  reports.push(await diagnoseWebGpu({ kind: 'dawn' }, 'Dawn for Node', seconds));
  const chromium = locateChromium();
  if (chromium.path === null) {
    const detail = `no Chromium found (looked at ${chromium.lookedAt.join(', ')})`;
    reports.push({ backend: 'webgpu', host: 'headless Chromium', loads: false, autoEligible: false, detail, device: null, gflops: null });
  } else reports.push(await diagnoseWebGpu({ kind: 'chromium', executablePath: chromium.path }, 'headless Chromium', seconds));
  return reports;
}

/** The backend `auto` trains on, from a report: a hardware WebGPU adapter (Dawn), the GPU package, WASM, JS. */
export function autoChoice(reports: readonly BackendReport[]): BackendReport | undefined {
  const order = (r: BackendReport): number => ['webgpu', 'gpu', 'wasm', 'js'].indexOf(r.backend);
  return reports
    .filter((r) => r.loads && r.autoEligible)
    .slice()
    .sort((a, b) => order(a) - order(b))[0];
}

async function diagnoseWebGpu(host: WebGpuHost, where: string, seconds: number): Promise<BackendReport> {
  const started = await WebGpuBackend.create({ host, hardwareOnly: false });
  if (started.backend === null)
    return { backend: 'webgpu', host: where, loads: false, autoEligible: false, detail: started.reason, device: null, gflops: null };
  const backend = started.backend;
  try {
    const { software } = backend.adapter;
    return {
      backend: 'webgpu',
      host: where,
      loads: true,
      // auto opens Dawn only (a browser per run is for those who ask), and never a software adapter.
      autoEligible: host.kind === 'dawn' && !software,
      detail: software ? `${backend.name}; a software adapter: auto never picks it` : backend.name,
      device: adapterLabel(backend.adapter),
      gflops: selfTest(backend, seconds).gflops,
    };
  } finally {
    await backend.close();
  }
}
