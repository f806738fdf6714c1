// The compute backend against an independent double-precision reference: forward loss,
// analytic gradients against central finite differences (every activation), and population
// losses against evaluating each candidate on its own (whole model and single layers),
// with the plain JS kernels and with the WASM kernels for large products.
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../../src-shared/config/experiment.ts';
import { initParameters, mlpLayout, type MlpLayout } from '../model/mlp.ts';
import { Rng } from '../rng.ts';
import { type Batch, type ComputeBackend, varyingSize } from './backend.ts';
import { JsBackend } from './js-backend.ts';
import { TfjsKernels } from './tfjs-kernels.ts';

/** Plain double-precision forward pass and mean cross-entropy, written independently. */
function referenceLoss(layout: MlpLayout, params: ArrayLike<number>, batch: Batch): number {
  let total = 0;
  for (let r = 0; r < batch.rows; r++) {
    let h = Array.from(batch.x.subarray(r * layout.sizes[0], (r + 1) * layout.sizes[0]));
    layout.layers.forEach((layer, l) => {
      const z = new Array<number>(layer.outputs).fill(0);
      for (let j = 0; j < layer.outputs; j++) {
        let s = params[layer.biasOffset + j];
        for (let k = 0; k < layer.inputs; k++) s += h[k] * params[layer.offset + k * layer.outputs + j];
        z[j] = s;
      }
      const hidden = l < layout.layers.length - 1;
      h = !hidden ? z : z.map((v) => (layout.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : layout.activation === 'tanh' ? Math.tanh(v) : Math.max(0, v)));
    });
    const max = Math.max(...h);
    const lse = Math.log(h.reduce((a, v) => a + Math.exp(v - max), 0)) + max;
    total += lse - h[batch.y[r]];
  }
  return total / batch.rows;
}

function randomBatch(rows: number, features: number, classes: number, seed: number): Batch {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * features }, () => rng.normal());
  const y = Int32Array.from({ length: rows }, () => rng.integer(classes));
  return { x, y, rows };
}

const activations: Activation[] = ['sigmoid', 'tanh', 'relu'];

describe.each(activations)('js backend, %s activation', (activation) => {
  const layout = mlpLayout(5, [7, 4], 3, activation);
  const params = initParameters(layout, new Rng(11));
  // Larger weights so that every unit is in a non-trivial regime.
  for (let i = 0; i < params.length; i++) params[i] *= 2;
  const batch = randomBatch(9, 5, 3, 3);
  const backend = new JsBackend();

  it('computes the same loss as a double-precision reference', () => {
    expect(backend.evaluate(layout, params, batch).loss).toBeCloseTo(referenceLoss(layout, params, batch), 5);
  });

  it('has analytic gradients matching central finite differences (relative error < 1e-3)', () => {
    const grad = new Float32Array(layout.parameterCount);
    backend.lossAndGradient(layout, params, batch, grad);
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
      if (activation === 'relu' && Math.abs(numeric) < 1e-7 && Math.abs(grad[i]) < 1e-7) continue;
      const relative = Math.abs(numeric - grad[i]) / Math.max(Math.abs(numeric), Math.abs(grad[i]), 1e-4);
      worst = Math.max(worst, relative);
    }
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
  const batch = randomBatch(1200, 196, 10, 8);
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
        backend.populationLosses(layout, base, varying, candidates, lambda, batch, out);
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
