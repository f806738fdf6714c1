// The symmetric eigendecomposition behind full CMA-ES: through the WASM SIMD kernels it matches
// ml-matrix's eigenvalues and gives orthonormal eigenvectors with small residuals on random,
// clustered (a CMA-ES covariance early in a run: I plus a few rank-one terms) and diagonal
// matrices; below KERNEL_MIN_ORDER it is ml-matrix's, bit for bit; and a full CMA-ES run at a
// dimension that takes the kernels converges and resumes bit-identically from its JSON state,
// with and without the kernels' helper thread.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng.ts';
import { ellipsoid, minimise, sphere } from '../benchmark-functions.ts';
import { FullCmaEs } from '../full-cmaes.ts';
import { restoreStrategy, type StrategyState } from '../registry.ts';
import { KERNEL_MIN_ORDER, symmetricEigen } from './symmetric-eigen.ts';
import { wignerMatrix } from './wigner-matrix.ts';
import { EigenKernels } from '../wasm/eigen-kernels.ts';

/** I + sum of `rank` random outer products: n - rank eigenvalues exactly 1 (one big cluster). */
function identityPlusLowRank(n: number, rank: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  for (let r = 0; r < rank; r++) {
    const v = Float64Array.from({ length: n }, () => rng.normal() * 0.3);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += v[i] * v[j];
  }
  return a;
}

function check(a: Float64Array, n: number): { residual: number; orthogonality: number; valueError: number } {
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  expect(symmetricEigen({ matrix: a, n, values, vectors })).toBe(n >= KERNEL_MIN_ORDER ? 'kernels' : 'ml-matrix');
  const reference = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)))), {
    assumeSymmetric: true,
  }).realEigenvalues;
  let norm = 0;
  for (const x of a) norm = Math.max(norm, Math.abs(x));
  let residual = 0;
  let orthogonality = 0;
  let valueError = 0;
  for (let j = 0; j < n; j++) {
    if (j > 0) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    valueError = Math.max(valueError, Math.abs(values[j] - reference[j]) / norm);
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
      residual = Math.max(residual, Math.abs(av - values[j] * vectors[i * n + j]) / norm);
    }
    for (let k = 0; k <= j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors[i * n + j] * vectors[i * n + k];
      orthogonality = Math.max(orthogonality, Math.abs(dot - (j === k ? 1 : 0)));
    }
  }
  return { residual, orthogonality, valueError };
}

describe('symmetricEigen', () => {
  it('is built (npm run build:wasm) and takes the kernels from KERNEL_MIN_ORDER', () => {
    expect(EigenKernels.load().note).toBe('WASM SIMD');
  });

  for (const n of [KERNEL_MIN_ORDER, 200, 500]) {
    it(`decomposes a random symmetric matrix (n = ${n}) like ml-matrix, with orthonormal vectors`, () => {
      const { residual, orthogonality, valueError } = check(wignerMatrix({ n, rng: new Rng(n), spread: Math.sqrt(n), shift: 3 }), n);
      expect(valueError).toBeLessThan(1e-13);
      expect(residual).toBeLessThan(1e-13);
      expect(orthogonality).toBeLessThan(1e-13);
    });
  }

  it('handles one large cluster of equal eigenvalues (I plus rank 5, n = 300)', () => {
    const { residual, orthogonality, valueError } = check(identityPlusLowRank(300, 5, new Rng(2)), 300);
    expect(valueError).toBeLessThan(1e-13);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it('handles a diagonal matrix (nothing to reduce, every coupling zero)', () => {
    const n = 150;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = ((i * 37) % n) + 1;
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    symmetricEigen({ matrix: a, n, values, vectors });
    expect(Array.from(values)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // Each eigenvector is a coordinate vector (up to sign).
    for (let j = 0; j < n; j++) {
      const row = Array.from({ length: n }, (_, r) => r).find((r) => a[r * n + r] === values[j]) ?? -1;
      expect(Math.abs(vectors[row * n + j])).toBe(1);
    }
  });

  it(`is ml-matrix's decomposition, bit for bit, below KERNEL_MIN_ORDER (${KERNEL_MIN_ORDER})`, () => {
    const n = KERNEL_MIN_ORDER - 1;
    const a = wignerMatrix({ n, rng: new Rng(9), spread: Math.sqrt(n), shift: 3 });
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    expect(symmetricEigen({ matrix: a, n, values, vectors })).toBe('ml-matrix');
    const forced = { values: new Float64Array(n), vectors: new Float64Array(n * n) };
    expect(symmetricEigen({ matrix: a, n, ...forced, method: 'ml-matrix' })).toBe('ml-matrix');
    expect(values).toEqual(forced.values);
    expect(vectors).toEqual(forced.vectors);
  });

  it('refuses a matrix with a non-finite entry, naming it', () => {
    const a = wignerMatrix({ n: 70, rng: new Rng(1), spread: Math.sqrt(70), shift: 3 });
    a[3 * 70 + 5] = Number.NaN;
    expect(() => symmetricEigen({ matrix: a, n: 70, values: new Float64Array(70), vectors: new Float64Array(70 * 70) })).toThrow(/entry \(3, 5\) is NaN/);
  });
});

describe('full CMA-ES through the kernels (n = 80)', () => {
  const n = 80;

  it('reaches f < 1e-8 on the sphere', () => {
    const es = new FullCmaEs({ mean: new Array<number>(n).fill(1), sigma0: 1, seed: 3 });
    const { best } = minimise(es, sphere, 40_000);
    expect(best).toBeLessThan(1e-8);
  });

  it('resumes bit-identically from its JSON state, with and without the helper thread', () => {
    const kernels = EigenKernels.load().kernels;
    if (kernels === null) throw new Error('the kernels did not load');
    const run = (helperOff: boolean): number[][] => {
      kernels.setHelperOff(helperOff);
      try {
        const a = new FullCmaEs({ mean: new Array<number>(n).fill(1), sigma0: 0.7, seed: 5 });
        const step = (es: { ask(): Float64Array; tell(f: number[]): void; populationSize: number }): number[] => {
          const x = es.ask();
          es.tell(Array.from({ length: es.populationSize }, (_, k) => ellipsoid(x.subarray(k * n, (k + 1) * n))));
          return Array.from(x);
        };
        for (let g = 0; g < 40; g++) step(a);
        const b = restoreStrategy(JSON.parse(JSON.stringify(a.state())) as StrategyState);
        const trajectory: number[][] = [];
        for (let g = 0; g < 15; g++) {
          const next = step(a);
          expect(step(b)).toEqual(next);
          trajectory.push(next);
        }
        return trajectory;
      } finally {
        kernels.setHelperOff(false);
      }
    };
    expect(run(true)).toEqual(run(false));
  });
});
