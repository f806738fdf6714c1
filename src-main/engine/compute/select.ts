// Chooses the compute backend a run uses and says why. 'auto' takes the GPU (optional
// @tensorflow/tfjs-node-gpu) when it is installed and working, else the WASM kernels, else
// plain JS; the choice and the reasons for passing over the others are printed and recorded.

import { JsBackend } from './js-backend.ts';
import type { ComputeBackend } from './backend.ts';
import { TfjsMatmul } from './tfjs-matmul.ts';

export type BackendPreference = 'auto' | 'js' | 'wasm' | 'gpu';

export interface BackendChoice {
  readonly backend: ComputeBackend;
  /** Why each faster option was not taken (empty when the first choice worked). */
  readonly notes: readonly string[];
}

export async function createBackend(preference: BackendPreference): Promise<BackendChoice> {
  const notes: string[] = [];
  if (preference === 'js') return { backend: new JsBackend(null), notes };
  const order: ('gpu' | 'wasm')[] = preference === 'auto' ? ['gpu', 'wasm'] : [preference];
  for (const device of order) {
    const { matmul, reason } = await TfjsMatmul.create(device);
    if (matmul !== null) return { backend: new JsBackend(matmul), notes };
    notes.push(reason);
  }
  notes.push('falling back to the plain JS CPU path');
  return { backend: new JsBackend(null), notes };
}
