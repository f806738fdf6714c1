// Chooses the compute backend a run uses and says why. 'auto' takes the GPU (optional
// @tensorflow/tfjs-node-gpu) when it is installed and working, else the WASM kernels, else
// plain JS; the choice and the reasons for passing over the others are printed and recorded.

import { availableParallelism } from 'node:os';
import type { ComputeBackend } from './backend.ts';
import { JsBackend } from './js-backend.ts';
import { ParallelBackend } from './parallel-backend.ts';
import { TfjsKernels } from './tfjs-kernels.ts';

export type BackendPreference = 'auto' | 'js' | 'wasm' | 'gpu';

export interface BackendChoice {
  readonly backend: ComputeBackend;
  /** Why each faster option was not taken (empty when the first choice worked). */
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
  const notes: string[] = [];
  if (preference === 'js') return { backend: new JsBackend(null), notes };
  const order: ('gpu' | 'wasm')[] = preference === 'auto' ? ['gpu', 'wasm'] : [preference];
  for (const device of order) {
    const { kernels, reason } = await TfjsKernels.create(device);
    if (kernels !== null) return { backend: new JsBackend(kernels), notes };
    notes.push(reason);
  }
  notes.push('falling back to the plain JS CPU path');
  return { backend: new JsBackend(null), notes };
}
