// The compute backend against an independent double-precision reference: forward loss,
// analytic gradients against central finite differences (every activation), and population
// losses against evaluating each candidate on its own (whole model and single layers),
// with the plain JS kernels and with the WASM kernels for large products.
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../../src-shared/config/experiment.ts';
import { initParameters, mlpLayout } from '../model/mlp.ts';
import { Rng } from '../rng.ts';
import { type ComputeBackend, varyingSize } from './backend.ts';
import { randomBatch, referenceLoss, worstFiniteDifferenceError } from '../../../test/support/gradient-check.ts';
import { JsBackend } from './js-backend.ts';
import { TfjsKernels } from './tfjs-kernels.ts';

const activations: Activation[] = ['sigmoid', 'tanh', 'relu'];

describe.each(activations)('js backend, %s activation', (activation) => {
  const layout = mlpLayout(5, [7, 4], 3, activation);
  const params = initParameters(layout, new Rng(11));
  // Larger weights so that every unit is in a non-trivial regime.
  for (let i = 0; i < params.length; i++) params[i] *= 2;
  const batch = randomBatch({ rows: 9, features: 5, classes: 3, seed: 3 });
  const backend = new JsBackend();

  it('computes the same loss as a double-precision reference', () => {
    expect(backend.evaluate(layout, params, batch).loss).toBeCloseTo(referenceLoss(layout, params, batch), 5);
  });

  it('has analytic gradients matching central finite differences (relative error < 1e-3)', () => {
    const grad = new Float32Array(layout.parameterCount);
    backend.lossAndGradient(layout, params, batch, grad);
    const worst = worstFiniteDifferenceError(layout, params, batch, grad);
    expect(worst).toBeLessThan(1e-3);
  });
});

async function backends(): Promise<[string, ComputeBackend][]> {
  const { kernels, reason } = await TfjsKernels.create('wasm');
  if (kernels === null) throw new Error(reason);
  return [
    ['js', new JsBackend(null)],
    ['wasm', new JsBackend(kernels)],
  ];
}

describe('population losses', async () => {
  const list = await backends();
  // Big enough that the wasm path really takes the large products (>= 2^20 multiply-adds).
  const layout = mlpLayout(196, [10], 10, 'sigmoid');
  const base = initParameters(layout, new Rng(2));
  const batch = randomBatch({ rows: 1200, features: 196, classes: 10, seed: 8 });
  const lambda = 9;

  for (const [name, backend] of list) {
    for (const varying of [
      { first: 0, last: 1 },
      { first: 0, last: 0 },
      { first: 1, last: 1 },
    ]) {
      it(`${name}: candidates on layers ${varying.first}..${varying.last} score as evaluated one by one`, () => {
        const dv = varyingSize(layout, varying);
        const offset = layout.layers[varying.first].offset;
        const rng = new Rng(4);
        const candidates = Float32Array.from({ length: lambda * dv }, (_, i) => base[offset + (i % dv)] + 0.3 * rng.normal());
        const out = new Float64Array(lambda);
        backend.populationLosses({ layout, base, varying, candidates, count: lambda, batch, out });
        for (let c = 0; c < lambda; c++) {
          const whole = base.slice();
          whole.set(candidates.subarray(c * dv, (c + 1) * dv), offset);
          expect(out[c]).toBeCloseTo(new JsBackend().evaluate(layout, whole, batch).loss, 5);
        }
      });
    }
  }

  it('gives the same evaluation with and without the wasm kernels (float32 rounding)', () => {
    const [js, wasm] = list.map(([, b]) => b);
    expect(wasm.evaluate(layout, base, batch).loss).toBeCloseTo(js.evaluate(layout, base, batch).loss, 5);
  });
});
