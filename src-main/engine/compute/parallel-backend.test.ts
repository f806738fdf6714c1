// Parallel population evaluation gives exactly what one thread gives, for every way the
// candidates can vary, and delegates single-model work unchanged.
import { afterAll, describe, expect, it } from 'vitest';
import { initParameters, mlpLayout } from '../model/mlp.ts';
import { Rng } from '../rng.ts';
import { varyingSize } from './backend.ts';
import { ParallelBackend } from './parallel-backend.ts';
import { createBackend } from './select.ts';

describe('ParallelBackend', async () => {
  const single = (await createBackend('wasm', 1)).backend;
  const parallel = (await createBackend('wasm', 3)).backend;
  afterAll(async () => {
    if (parallel instanceof ParallelBackend) await parallel.close();
  });

  const layout = mlpLayout(20, [16, 8], 4, 'tanh');
  const base = initParameters(layout, new Rng(5));
  const rng = new Rng(6);
  const rows = 700;
  const batch = {
    x: Float32Array.from({ length: rows * 20 }, () => rng.normal()),
    y: Int32Array.from({ length: rows }, () => rng.integer(4)),
    rows,
  };

  it('runs on three threads', () => {
    expect(parallel).toBeInstanceOf(ParallelBackend);
    expect(parallel.name).toMatch(/population on 3 threads/);
  });

  for (const varying of [
    { first: 0, last: 2 },
    { first: 0, last: 0 },
    { first: 1, last: 1 },
    { first: 2, last: 2 },
  ]) {
    it(`scores candidates on layers ${varying.first}..${varying.last} exactly as one thread does`, () => {
      const dv = varyingSize(layout, varying);
      const count = 31; // not divisible by 3: uneven shares
      const candidates = Float32Array.from({ length: count * dv }, () => 0.5 * rng.normal());
      const a = new Float64Array(count);
      const b = new Float64Array(count);
      single.populationLosses({ layout, base, varying, candidates, count, batch, out: a });
      parallel.populationLosses({ layout, base, varying, candidates, count, batch, out: b });
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(new Set(a).size).toBe(count); // really 31 different candidates
    });
  }

  it('leaves evaluation and gradients to the calling thread, unchanged', () => {
    const g1 = new Float32Array(layout.parameterCount);
    const g2 = new Float32Array(layout.parameterCount);
    expect(parallel.lossAndGradient(layout, base, batch, g2)).toEqual(single.lossAndGradient(layout, base, batch, g1));
    expect(Array.from(g2)).toEqual(Array.from(g1));
    expect(parallel.evaluate(layout, base, batch)).toEqual(single.evaluate(layout, base, batch));
  });
});
