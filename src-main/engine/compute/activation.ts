// Hidden-layer activations applied in place, and their derivatives expressed through the
// activation's output h (sigmoid' = h(1-h), tanh' = 1-h^2, relu' = [h > 0]) so the
// backward pass needs no stored pre-activations.

import type { Activation } from '../../../src-shared/config/experiment.ts';

/** h = act(z) for `count` values from `offset`, in place. */
export function activateInPlace(kind: Activation, z: Float32Array, offset = 0, count = z.length - offset): void {
  const end = offset + count;
  switch (kind) {
    case 'sigmoid':
      for (let i = offset; i < end; i++) z[i] = 1 / (1 + Math.exp(-z[i]));
      return;
    case 'tanh':
      for (let i = offset; i < end; i++) z[i] = Math.tanh(z[i]);
      return;
    case 'relu':
      for (let i = offset; i < end; i++) if (z[i] < 0) z[i] = 0;
      return;
  }
}

/** grad <- grad * act'(z), where h = act(z) is given (element-wise, in place on grad). */
export function multiplyByDerivative(kind: Activation, h: Float32Array, grad: Float32Array, count: number): void {
  switch (kind) {
    case 'sigmoid':
      for (let i = 0; i < count; i++) grad[i] *= h[i] * (1 - h[i]);
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) grad[i] *= 1 - h[i] * h[i];
      return;
    case 'relu':
      for (let i = 0; i < count; i++) if (h[i] <= 0) grad[i] = 0;
      return;
  }
}
