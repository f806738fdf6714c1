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
import { RoutedBackend } from './routed-backend.ts';
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
export interface BackendHosts {
  /** The desktop app's job: have the app open a hidden window on a WebGPU device page. */
  readonly openWindow?: (url: string) => void;
}

export async function createBackend(preference: BackendPreference, threads = 1, hosts: BackendHosts = {}): Promise<BackendChoice> {
  const { backend, notes } = await createSingleThreadBackend(preference, hosts);
  if (backend instanceof WebGpuBackend && preference === 'auto') {
    // A GPU call pays a round trip the CPU does not: auto keeps the small calls on the CPU
    // (routed-backend.ts). Asked for by name, WebGPU computes everything.
    const cpu = await createBackend('wasm', threads);
    return { backend: new RoutedBackend({ gpu: backend, cpu: cpu.backend }), notes: [...notes, ...cpu.notes] };
  }
  // A GPU takes the whole population in one submission: no threads to share it with.
  if (threads <= 1 || backend instanceof WebGpuBackend) return { backend, notes };
  try {
    return { backend: await ParallelBackend.create(backend, preference, threads), notes };
  } catch (error) {
    return { backend, notes: [...notes, `population threads unavailable (${(error as Error).message}); using one thread`] };
  }
}

async function createSingleThreadBackend(preference: BackendPreference, hosts: BackendHosts): Promise<BackendChoice> {
  if (preference === 'js') return { backend: new JsBackend(null), notes: [] };
  const notes: string[] = [];
  if (preference === 'webgpu') {
    const webgpu = await openWebGpu(hosts);
    if (webgpu.backend !== null) return { backend: webgpu.backend, notes: webgpu.notes };
    notes.push(`WebGPU did not start (${webgpu.notes.join('; ')}); training on the CPU`);
  } else if (preference === 'auto' && gpuDevicePresent()) {
    // Dawn in this process; in the desktop app, else the GPU of a hidden window's Chromium.
    const reasons: string[] = [];
    if (webGpuPackageInstalled()) {
      const dawn = await WebGpuBackend.create({ host: { kind: 'dawn' }, hardwareOnly: true });
      if (dawn.backend !== null) return { backend: dawn.backend, notes };
      reasons.push(dawn.reason);
    }
    if (hosts.openWindow !== undefined) {
      const window = await WebGpuBackend.create({ host: { kind: 'window' }, hardwareOnly: true, openWindow: hosts.openWindow });
      if (window.backend !== null) return { backend: window.backend, notes };
      reasons.push(`Electron window: ${window.reason}`);
    }
    if (reasons.length > 0) notes.push(`WebGPU was not used: ${reasons.join('; ')}`);
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

/**
 * WebGPU asked for by name: Dawn's adapter, else (in the desktop app) a hidden window's, else a
 * headless Chromium's; notes say what was tried.
 */
async function openWebGpu(hosts: BackendHosts): Promise<{ backend: WebGpuBackend | null; notes: string[] }> {
  const notes: string[] = [];
  const software = (backend: WebGpuBackend): string[] =>
    backend.adapter.software ? ['the WebGPU adapter is a software one: slower than the CPU backends'] : [];
  const dawn = await WebGpuBackend.create({ host: { kind: 'dawn' }, hardwareOnly: false });
  if (dawn.backend !== null) return { backend: dawn.backend, notes: software(dawn.backend) };
  notes.push(dawn.reason);
  if (hosts.openWindow !== undefined) {
    const window = await WebGpuBackend.create({ host: { kind: 'window' }, hardwareOnly: false, openWindow: hosts.openWindow });
    if (window.backend !== null) return { backend: window.backend, notes: [...notes, ...software(window.backend), 'WebGPU runs in a hidden window'] };
    notes.push(`Electron window: ${window.reason}`);
    return { backend: null, notes };
  }
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
  return { backend: chromium.backend, notes: [...notes, ...software(chromium.backend), 'WebGPU runs in a headless Chromium'] };
}
