// Chooses the compute backend a run uses and says why. 'auto' takes the GPU (optional
// @tensorflow/tfjs-node-gpu) when it is installed and working, else the WASM kernels, else
// plain JS. Notes say why a faster option was passed over, but only where the user could act
// on them: a GPU asked for and not started, a GPU present without its package, the GPU
// package failing. No GPU and no GPU package is the ordinary case and says nothing.

import { availableParallelism } from 'node:os';
import type { ComputeBackend } from './backend.ts';
import { JsBackend } from './js-backend.ts';
import { ParallelBackend } from './parallel-backend.ts';
import { gpuPackageInstalled, nvidiaGpuPresent } from './gpu.ts';
import { TfjsKernels } from './tfjs-kernels.ts';

export type BackendPreference = 'auto' | 'js' | 'wasm' | 'gpu';

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
  if (threads <= 1) return { backend, notes };
  try {
    return { backend: await ParallelBackend.create(backend, preference, threads), notes };
  } catch (error) {
    return { backend, notes: [...notes, `population threads unavailable (${(error as Error).message}); using one thread`] };
  }
}

async function createSingleThreadBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (preference === 'js') return { backend: new JsBackend(null), notes: [] };
  const notes: string[] = [];
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
