// The WASM SIMD kernels of the symmetric eigendecomposition: the packed product equals the
// naive one exactly on integer data across every blocking edge (4 x 4 tiles, MC = 128, KC =
// 256, NC = 2048); the blocked Householder reduction and its back-transformation give an
// orthogonal Q with Q^T A Q tridiagonal, read only A's upper triangle, and survive columns that
// need no reflection; and a helper thread changes the speed, not the bits.
import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { Rng } from '../../rng.ts';
import { wignerMatrix } from '../eigen/wigner-matrix.ts';
import { EigenKernels } from './eigen-kernels.ts';

function kernels(): EigenKernels {
  const { kernels, note } = EigenKernels.load();
  if (kernels === null) throw new Error(note);
  return kernels;
}

function naiveProduct(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

/** Q from reduce + backTransform of the identity, and the largest |Q^T A Q - T| and |Q^T Q - I|. */
function reductionErrors(a: Float64Array, n: number): { tridiagonal: number; orthogonality: number } {
  const k = kernels();
  const { diagonal, offDiagonal } = k.reduce(a, n);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  k.backTransform(q, n);
  const aq = naiveProduct(a, q, n, n, n);
  let tridiagonal = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let qaq = 0;
      let qq = 0;
      for (let r = 0; r < n; r++) {
        qaq += q[r * n + i] * aq[r * n + j];
        qq += q[r * n + i] * q[r * n + j];
      }
      const t = i === j ? diagonal[i] : Math.abs(i - j) === 1 ? offDiagonal[Math.min(i, j)] : 0;
      tridiagonal = Math.max(tridiagonal, Math.abs(qaq - t));
      orthogonality = Math.max(orthogonality, Math.abs(qq - (i === j ? 1 : 0)));
    }
  }
  return { tridiagonal, orthogonality };
}

describe('EigenKernels', () => {
  it('is built (npm run build:wasm) and loads', () => {
    expect(EigenKernels.load().note).toBe('WASM SIMD');
  });

  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 7, 3],
    [130, 300, 261],
    [3, 513, 2050],
  ]) {
    it(`multiplies exactly like the naive loop (${m} x ${k} times ${k} x ${n}, B as given and transposed)`, () => {
      const rng = new Rng(m + k + n);
      // Small integers: every product and partial sum is exact, so any order gives the same bits.
      const a = Float64Array.from({ length: m * k }, () => Math.round(rng.normal() * 4));
      const b = Float64Array.from({ length: k * n }, () => Math.round(rng.normal() * 4));
      const c = new Float64Array(m * n).fill(Number.NaN);
      kernels().multiply({ a, b, c, m, k, n });
      expect(c).toEqual(naiveProduct(a, b, m, k, n));
      // The same with B given transposed (n x k).
      const bt = new Float64Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
      const ct = new Float64Array(m * n).fill(Number.NaN);
      kernels().multiply({ a, b: bt, c: ct, m, k, n, transposeB: true });
      expect(ct).toEqual(c);
    });
  }

  for (const n of [1, 2, 3, 64, 65, 130, 200]) {
    it(`reduces a symmetric matrix to tridiagonal form with an orthogonal Q (n = ${n})`, () => {
      const { tridiagonal, orthogonality } = reductionErrors(wignerMatrix({ n, rng: new Rng(n), spread: 1, shift: 3 }), n);
      // ||A|| is about 2 sqrt(n) + 3 here; backward-stable Householder gives O(n eps ||A||).
      expect(tridiagonal).toBeLessThan(1e-12);
      expect(orthogonality).toBeLessThan(1e-13);
    });
  }

  it('reads only the upper triangle', () => {
    const n = 90;
    const a = wignerMatrix({ n, rng: new Rng(7), spread: 1, shift: 3 });
    const upperOnly = a.slice();
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) upperOnly[i * n + j] = Number.NaN;
    const k = kernels();
    const full = k.reduce(a, n);
    const upper = k.reduce(upperOnly, n);
    expect(upper.diagonal).toEqual(full.diagonal);
    expect(upper.offDiagonal).toEqual(full.offDiagonal);
  });

  it('gives the same bits with and without the helper thread', async () => {
    const k = kernels();
    // The helper starts with the module; where there is a second core, wait until it serves.
    if (availableParallelism() >= 2) await vi.waitFor(() => expect(k.threads()).toBe(2), { timeout: 10_000, interval: 5 });
    const n = 300; // above the symmetric product's threshold for handing half to the helper
    const a = wignerMatrix({ n, rng: new Rng(11), spread: 1, shift: 3 });
    const run = (): { diagonal: Float64Array; offDiagonal: Float64Array; q: Float64Array; product: Float64Array } => {
      const reduced = k.reduce(a, n);
      const q = new Float64Array(n * n);
      for (let i = 0; i < n; i++) q[i * n + i] = 1;
      k.backTransform(q, n);
      const product = new Float64Array(n * n);
      k.multiply({ a, b: q, c: product, m: n, k: n, n });
      return { ...reduced, q, product };
    };
    const both = run();
    k.setHelperOff(true);
    try {
      expect(k.threads()).toBe(1);
      expect(run()).toEqual(both);
    } finally {
      k.setHelperOff(false);
    }
  });

  it('handles columns that need no reflection (a diagonal and an already tridiagonal matrix)', () => {
    const n = 70;
    const diagonal = new Float64Array(n * n);
    for (let i = 0; i < n; i++) diagonal[i * n + i] = i + 1;
    expect(
      kernels()
        .reduce(diagonal, n)
        .offDiagonal.every((e) => e === 0),
    ).toBe(true);
    const tridiagonal = diagonal.slice();
    for (let i = 0; i + 1 < n; i++) {
      tridiagonal[i * n + i + 1] = 0.5;
      tridiagonal[(i + 1) * n + i] = 0.5;
    }
    const errors = reductionErrors(tridiagonal, n);
    expect(errors.tridiagonal).toBeLessThan(1e-13);
    expect(errors.orthogonality).toBeLessThan(1e-14);
  });
});
