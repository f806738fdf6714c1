// Independent references for gradient-path tests of the compute backends: a plain
// double-precision forward pass with mean cross-entropy (written apart from every backend),
// seeded random batches, and the worst relative error of an analytic gradient against central
// finite differences of that reference.

import type { Batch } from '../../src-main/engine/compute/backend.ts';
import type { MlpLayout } from '../../src-main/engine/model/mlp.ts';
import { Rng } from '../../src-main/engine/rng.ts';

/** Mean cross-entropy of `params` on `batch`, in doubles, one row at a time. */
export function referenceLoss(layout: MlpLayout, params: ArrayLike<number>, batch: Batch): number {
  const act = (v: number): number => (layout.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : layout.activation === 'tanh' ? Math.tanh(v) : Math.max(0, v));
  let total = 0;
  for (let r = 0; r < batch.rows; r++) {
    let h = Array.from(batch.x.subarray(r * layout.sizes[0], (r + 1) * layout.sizes[0]));
    layout.layers.forEach((layer, l) => {
      const z = Array.from({ length: layer.outputs }, (_, j) => {
        let s = params[layer.biasOffset + j];
        for (let k = 0; k < layer.inputs; k++) s += h[k] * params[layer.offset + k * layer.outputs + j];
        return s;
      });
      h = l < layout.layers.length - 1 ? z.map(act) : z;
    });
    const max = Math.max(...h);
    total += Math.log(h.reduce((a, v) => a + Math.exp(v - max), 0)) + max - h[batch.y[r]];
  }
  return total / batch.rows;
}

/** Rows of normal inputs and uniform labels; with `sparse`, about 70% of inputs zero (as MNIST pixels are). */
export function randomBatch(args: { rows: number; features: number; classes: number; seed: number; sparse?: boolean }): Batch {
  const rng = new Rng(args.seed);
  const x = Float32Array.from({ length: args.rows * args.features }, () => (args.sparse === true && rng.uniform() < 0.7 ? 0 : rng.normal()));
  const y = Int32Array.from({ length: args.rows }, () => rng.integer(args.classes));
  return { x, y, rows: args.rows };
}

/**
 * Largest relative difference between `grad` and central differences (step 1e-5) of
 * referenceLoss, over every parameter. With ReLU, parameters whose both figures are below
 * 1e-7 are skipped (a kink makes the difference quotient meaningless there).
 */
export function worstFiniteDifferenceError(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): number {
  const theta = Float64Array.from(params);
  const eps = 1e-5;
  let worst = 0;
  for (let i = 0; i < theta.length; i++) {
    const keep = theta[i];
    theta[i] = keep + eps;
    const up = referenceLoss(layout, theta, batch);
    theta[i] = keep - eps;
    const down = referenceLoss(layout, theta, batch);
    theta[i] = keep;
    const numeric = (up - down) / (2 * eps);
    if (layout.activation === 'relu' && Math.abs(numeric) < 1e-7 && Math.abs(grad[i]) < 1e-7) continue;
    worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(Math.abs(numeric), Math.abs(grad[i]), 1e-4));
  }
  return worst;
}
