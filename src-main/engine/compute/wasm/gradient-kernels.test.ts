// The WebAssembly SIMD gradient kernels against the plain JS backend (the reference) and
// against central finite differences of an independent double-precision loss: every
// activation, several shapes, batch sizes that are and are not multiples of 4, sparse and
// dense inputs; and bitwise determinism. Needs out/wasm/gradient.wasm (`npm run build:wasm`,
// which `npm test` runs first through `npm run build`).
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../../../src-shared/config/experiment.ts';
import { initParameters, mlpLayout } from '../../model/mlp.ts';
import { Rng } from '../../rng.ts';
import { JsBackend } from '../js-backend.ts';
import { randomBatch, worstFiniteDifferenceError } from '../../../../test/support/gradient-check.ts';
import { GradientKernels } from './gradient-kernels.ts';

const loaded = GradientKernels.load();
if (loaded.kernels === null) throw new Error(`${loaded.note}: run npm run build:wasm before these tests`);
const kernels = loaded.kernels;
const reference = new JsBackend(null, { gradientKernels: null });
const wasm = new JsBackend(null, { gradientKernels: kernels, gradientKernelMinWork: 0 });

/** Largest |a - b| relative to the largest |a|. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return worst / scale;
}

const activations: Activation[] = ['sigmoid', 'tanh', 'relu'];
const shapes = [
  { features: 196, hidden: [100], classes: 10 },
  { features: 5, hidden: [7, 4], classes: 3 },
  { features: 13, hidden: [10], classes: 3 },
  { features: 4, hidden: [10], classes: 3 },
  { features: 30, hidden: [32, 30, 9], classes: 10 },
];

describe.each(activations)('WASM gradient kernels, %s activation', (activation) => {
  it.each(shapes)('match the JS reference to float32 rounding ($features-$hidden-$classes)', ({ features, hidden, classes }) => {
    const layout = mlpLayout(features, hidden, classes, activation);
    const params = initParameters(layout, new Rng(features));
    for (const rows of [1, 3, 4, 9, 64, 67]) {
      for (const sparse of [false, true]) {
        const batch = randomBatch({ rows, features, classes, seed: rows, sparse });
        const expected = new Float32Array(layout.parameterCount);
        const actual = new Float32Array(layout.parameterCount).fill(Number.NaN); // must be overwritten
        const want = reference.lossAndGradient(layout, params, batch, expected);
        const got = wasm.lossAndGradient(layout, params, batch, actual);
        expect(got.loss).toBeCloseTo(want.loss, 6);
        expect(got.accuracy).toBe(want.accuracy);
        expect(relativeDifference(expected, actual)).toBeLessThan(2e-6);
        const evaluation = wasm.evaluate(layout, params, batch);
        expect(evaluation.loss).toBeCloseTo(want.loss, 6);
        expect(evaluation.accuracy).toBe(want.accuracy);
      }
    }
  });

  it('has gradients matching central finite differences (relative error < 1e-3)', () => {
    const layout = mlpLayout(6, [7, 5], 3, activation);
    const params = initParameters(layout, new Rng(11));
    for (let i = 0; i < params.length; i++) params[i] *= 2; // every unit in a non-trivial regime
    for (const rows of [5, 8]) {
      const batch = randomBatch({ rows, features: 6, classes: 3, seed: 3 + rows, sparse: false });
      const grad = new Float32Array(layout.parameterCount);
      wasm.lossAndGradient(layout, params, batch, grad);
      const worst = worstFiniteDifferenceError(layout, params, batch, grad);
      expect(worst).toBeLessThan(1e-3);
    }
  });
});

describe('WASM gradient kernels', () => {
  it('give bitwise the same outputs for the same inputs, also after another layout in between', () => {
    const layout = mlpLayout(196, [100], 10, 'sigmoid');
    const params = initParameters(layout, new Rng(2));
    const batch = randomBatch({ rows: 61, features: 196, classes: 10, seed: 9, sparse: true });
    const first = new Float32Array(layout.parameterCount);
    const second = new Float32Array(layout.parameterCount);
    const a = wasm.lossAndGradient(layout, params, batch, first);
    const other = mlpLayout(5, [7, 4], 3, 'tanh');
    wasm.lossAndGradient(
      other,
      initParameters(other, new Rng(1)),
      randomBatch({ rows: 300, features: 5, classes: 3, seed: 1, sparse: false }),
      new Float32Array(other.parameterCount),
    );
    const b = wasm.lossAndGradient(layout, params, batch, second);
    expect(b.loss).toBe(a.loss);
    expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });

  it('leave tiny steps (Iris-sized) to the JS loops by default, bitwise as the reference', () => {
    const layout = mlpLayout(4, [10], 3, 'sigmoid');
    const params = initParameters(layout, new Rng(4));
    const batch = randomBatch({ rows: 16, features: 4, classes: 3, seed: 4, sparse: false });
    const byDefault = new Float32Array(layout.parameterCount);
    const expected = new Float32Array(layout.parameterCount);
    new JsBackend(null, { gradientKernels: kernels }).lossAndGradient(layout, params, batch, byDefault);
    reference.lossAndGradient(layout, params, batch, expected);
    expect(Array.from(byDefault)).toEqual(Array.from(expected));
  });

  it('say in the backend name that they run the training steps', () => {
    expect(wasm.name).toMatch(/WASM SIMD kernels for training steps/);
    expect(reference.name).toBe('js (float32)');
  });
});
