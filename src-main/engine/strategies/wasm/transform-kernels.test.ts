// The WASM SIMD kernels of MA-ES give bitwise the products and updates of the JS kernels, for
// even and odd n (an odd n has a pad row), sample counts that are and are not multiples of the
// 4-sample block, and through a state round trip; and a whole MA-ES run takes them at large n.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { createTransform, JsTransform, MaEs, WASM_MIN_DIMENSION } from '../maes.ts';
import { WasmTransform } from './transform-kernels.ts';

function randomArray(length: number, rng: Rng): Float64Array {
  return Float64Array.from({ length }, () => rng.normal());
}

describe('WasmTransform', () => {
  it('is built (npm run build:wasm) and loads', () => {
    const { transform, note } = WasmTransform.create(8, 4);
    expect(note).toBe('WASM SIMD');
    expect(transform).not.toBeNull();
  });

  for (const [n, lambda, mu] of [
    [7, 9, 4],
    [10, 7, 2],
    [45, 9, 5],
    [40, 12, 6],
    [131, 10, 5],
    [600, 6, 3],
  ]) {
    it(`matches the JS kernels bit for bit (n = ${n}, lambda = ${lambda}, mu = ${mu}) over three generations`, () => {
      const rng = new Rng(n);
      const wasm = WasmTransform.create(n, lambda).transform;
      if (wasm === null) throw new Error('the WASM kernels did not load');
      const js = new JsTransform(n);
      const start = randomArray(n * n, rng);
      wasm.setRowMajor(start);
      js.setRowMajor(start);
      expect(wasm.toRowMajor()).toEqual(js.toRowMajor());
      for (let generation = 0; generation < 3; generation++) {
        const z = randomArray(lambda * n, rng);
        const dirsWasm = new Float64Array(lambda * n);
        const dirsJs = new Float64Array(lambda * n);
        wasm.multiply(z, lambda, dirsWasm);
        js.multiply(z, lambda, dirsJs);
        expect(Array.from(dirsWasm)).toEqual(Array.from(dirsJs));
        const order = Int32Array.from(Array.from({ length: lambda }, (_, i) => i).sort(() => rng.uniform() - 0.5));
        const update = {
          keep: 0.93,
          c1half: 0.013,
          s: randomArray(n, rng),
          z,
          dirs: dirsJs,
          order,
          mu,
          scaledWeights: Float64Array.from({ length: mu }, (_, r) => 0.05 / (r + 1)),
        };
        wasm.update(update);
        js.update(update);
        const a = wasm.toRowMajor();
        const b = js.toRowMajor();
        let differing = 0;
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
        expect(differing).toBe(0);
      }
    });
  }

  it('is what MA-ES takes from WASM_MIN_DIMENSION on, and a run equals the JS run bit for bit', () => {
    expect(createTransform(WASM_MIN_DIMENSION, 10)).toBeInstanceOf(WasmTransform);
    expect(createTransform(WASM_MIN_DIMENSION - 1, 10)).toBeInstanceOf(JsTransform);
    expect(createTransform(64, 10, { wasm: false })).toBeInstanceOf(JsTransform);
    // The same MA-ES run twice, once restored onto JS kernels halfway: the same candidates.
    const n = 64;
    const sphere = (x: Float64Array): number => x.reduce((sum, v) => sum + v * v, 0);
    const run = (switchToJs: boolean): number[] => {
      let es = new MaEs({ mean: new Array<number>(n).fill(1), sigma0: 0.5, seed: 3 });
      const seen: number[] = [];
      for (let generation = 0; generation < 20; generation++) {
        if (switchToJs && generation === 10) {
          const state = es.state();
          es = MaEs.restore(state);
          // Replace the restored WASM transform by JS kernels holding the same M.
          const js = new JsTransform(n);
          js.setRowMajor(state.transform);
          Object.assign(es, { transform: js });
        }
        const x = es.ask();
        const values: number[] = [];
        for (let k = 0; k < es.populationSize; k++) values.push(sphere(x.subarray(k * n, (k + 1) * n)));
        es.tell(values);
        seen.push(values[0]);
      }
      return seen;
    };
    expect(run(true)).toEqual(run(false));
  });
});
