// Chooses the compute backend a run uses and says why. 'auto' takes a hardware WebGPU adapter
// through Dawn for Node (never a software one), else the GPU of the optional
// @tensorflow/tfjs-node-gpu when it is installed and working, else the WASM kernels, else plain
// JS. 'webgpu' asks for WebGPU explicitly: Dawn's adapter (software ones too), else a headless
// Chromium's (webgpu/chromium-host.ts), else it falls back to the CPU with a note. Notes say why a faster option was passed over, but only where the user could act
// on them: a GPU asked for and not started, a GPU present without its package, the GPU
// package failing. No GPU and no GPU package is the ordinary case and says nothing.

import { availableParallelism } from 'node:os';
import type { ComputeBackend } from './backend.ts';
import { JsBackend } from './js-backend.ts';
import { ParallelBackend } from './parallel-backend.ts';
import { locateChromium } from '../../files/chromium.ts';
import { gpuDevicePresent, gpuPackageInstalled, nvidiaGpuPresent, webGpuPackageInstalled } from './gpu.ts';
import { TfjsKernels } from './tfjs-kernels.ts';
import { WebGpuBackend } from './webgpu/webgpu-backend.ts';

export type BackendPreference = 'auto' | 'js' | 'wasm' | 'gpu' | 'webgpu';

export interface BackendChoice {
  readonly backend: ComputeBackend;
  /** Why a faster option the user could have was not taken (empty in the ordinary case). */
  readonly notes: readonly string[];
}

/** Threads for population evaluation when the config says 'auto': the cores, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * @param threads threads that share a generation's population (1: the calling thread only).
 *   Gradient steps and evaluations always run on the calling thread.
 */
export async function createBackend(preference: BackendPreference, threads = 1): Promise<BackendChoice> {
  const { backend, notes } = await createSingleThreadBackend(preference);
  // A GPU takes the whole population in one submission: no threads to share it with.
  if (threads <= 1 || backend instanceof WebGpuBackend) return { backend, notes };
  try {
    return { backend: await ParallelBackend.create(backend, preference, threads), notes };
  } catch (error) {
    return { backend, notes: [...notes, `population threads unavailable (${(error as Error).message}); using one thread`] };
  }
}

async function createSingleThreadBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (preference === 'js') return { backend: new JsBackend(null), notes: [] };
  const notes: string[] = [];
  if (preference === 'webgpu') {
    const webgpu = await openWebGpu();
    if (webgpu.backend !== null) return { backend: webgpu.backend, notes: webgpu.notes };
    notes.push(`WebGPU did not start (${webgpu.notes.join('; ')}); training on the CPU`);
  } else if (preference === 'auto' && webGpuPackageInstalled() && gpuDevicePresent()) {
    const dawn = await WebGpuBackend.create({ host: { kind: 'dawn' }, hardwareOnly: true });
    if (dawn.backend !== null) return { backend: dawn.backend, notes };
    notes.push(`WebGPU was not used: ${dawn.reason}`);
  }
  const tryGpu = preference === 'gpu' || (preference === 'auto' && gpuPackageInstalled());
  if (preference === 'auto' && !tryGpu && nvidiaGpuPresent()) {
    notes.push(
      'this machine has an NVIDIA GPU; to train on it, install the optional package: npm install @tensorflow/tfjs-node-gpu (training on the CPU meanwhile)',
    );
  }
  if (tryGpu) {
    const { kernels, reason } = await TfjsKernels.create('gpu');
    if (kernels !== null) return { backend: new JsBackend(kernels), notes };
    notes.push(`the GPU backend did not start: ${reason}; training on the CPU`);
  }
  const { kernels, reason } = await TfjsKernels.create('wasm');
  if (kernels !== null) return { backend: new JsBackend(kernels), notes };
  notes.push(`the WebAssembly kernels did not start: ${reason}; using the plain JS CPU path`);
  return { backend: new JsBackend(null), notes };
}

/** WebGPU asked for by name: Dawn's adapter, else headless Chromium's; notes say what was tried. */
async function openWebGpu(): Promise<{ backend: WebGpuBackend | null; notes: string[] }> {
  const notes: string[] = [];
  const dawn = await WebGpuBackend.create({ host: { kind: 'dawn' }, hardwareOnly: false });
  if (dawn.backend !== null) {
    if (dawn.backend.adapter.software) notes.push('the WebGPU adapter is a software one: slower than the CPU backends');
    return { backend: dawn.backend, notes };
  }
  notes.push(dawn.reason);
  const { path, lookedAt } = locateChromium();
  if (path === null) {
    notes.push(`no Chromium to host WebGPU (looked at ${lookedAt.join(', ')})`);
    return { backend: null, notes };
  }
  const chromium = await WebGpuBackend.create({ host: { kind: 'chromium', executablePath: path }, hardwareOnly: false });
  if (chromium.backend === null) {
    notes.push(`headless Chromium: ${chromium.reason}`);
    return { backend: null, notes };
  }
  if (chromium.backend.adapter.software) notes.push('the WebGPU adapter is a software one: slower than the CPU backends');
  return { backend: chromium.backend, notes: [...notes, 'WebGPU runs in a headless Chromium'] };
}
