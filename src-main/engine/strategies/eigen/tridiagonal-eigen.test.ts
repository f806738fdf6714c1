// The divide-and-conquer tridiagonal eigensolver against known spectra (1-2-1 Toeplitz, constant
// diagonal with constant off-diagonal), ml-matrix's dense decomposition, and Sturm-sequence
// bisection; every case also checks the residual |T Q - Q Lambda| and orthogonality |Q^T Q - I|.
// Bounds (relative to |T|, the largest absolute row sum): eigenvalues and residuals 1e-14,
// orthogonality 1e-13; the worst measured over these cases are about 1.1e-15, 1.1e-15 and 9e-15
// (orthogonality grows slowly with n), so the bounds leave a factor of about ten.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { type MatrixMultiply, type MergeReport, multiplyJs, tridiagonalEigen } from './tridiagonal-eigen.ts';

const VALUE_BOUND = 1e-14;
const RESIDUAL_BOUND = 1e-14;
const ORTHOGONALITY_BOUND = 1e-13;

interface Tridiagonal {
  readonly diagonal: Float64Array;
  readonly offDiagonal: Float64Array;
}

interface Solution {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
  readonly merges: MergeReport[];
}

function solve({ diagonal, offDiagonal }: Tridiagonal, multiply?: MatrixMultiply): Solution {
  const n = diagonal.length;
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  const merges: MergeReport[] = [];
  tridiagonalEigen({ diagonal, offDiagonal, values, vectors, multiply, onMerge: (report) => merges.push(report) });
  return { values, vectors, merges };
}

function norm({ diagonal, offDiagonal }: Tridiagonal): number {
  let largest = 0;
  for (let i = 0; i < diagonal.length; i++) {
    const left = i > 0 ? Math.abs(offDiagonal[i - 1]) : 0;
    const right = i < diagonal.length - 1 ? Math.abs(offDiagonal[i]) : 0;
    largest = Math.max(largest, Math.abs(diagonal[i]) + left + right);
  }
  return largest;
}

/** max |T Q - Q Lambda| / |T|. */
function residual(matrix: Tridiagonal, { values, vectors }: Solution): number {
  const { diagonal, offDiagonal } = matrix;
  const n = diagonal.length;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let entry = (diagonal[i] - values[j]) * vectors[i * n + j];
      if (i > 0) entry += offDiagonal[i - 1] * vectors[(i - 1) * n + j];
      if (i < n - 1) entry += offDiagonal[i] * vectors[(i + 1) * n + j];
      largest = Math.max(largest, Math.abs(entry));
    }
  }
  return largest / norm(matrix);
}

/** max |Q^T Q - I|. */
function orthogonalityError({ vectors }: Solution, n: number): number {
  const transposed = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) transposed[j * n + i] = vectors[i * n + j];
  const gram = new Float64Array(n * n);
  multiplyJs({ a: transposed, b: vectors, c: gram, m: n, k: n, n });
  let largest = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) largest = Math.max(largest, Math.abs(gram[i * n + j] - (i === j ? 1 : 0)));
  return largest;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

function expectAscending(values: Float64Array): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
}

/** Ascending, eigenvectors orthonormal, T Q = Q Lambda; returns the solution for further checks. */
function expectEigendecomposition(matrix: Tridiagonal): Solution {
  const solution = solve(matrix);
  expectAscending(solution.values);
  expect(residual(matrix, solution)).toBeLessThan(RESIDUAL_BOUND);
  expect(orthogonalityError(solution, matrix.diagonal.length)).toBeLessThan(ORTHOGONALITY_BOUND);
  return solution;
}

function denseEigenvalues({ diagonal, offDiagonal }: Tridiagonal): number[] {
  const n = diagonal.length;
  const dense = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) dense.set(i, i, diagonal[i]);
  for (let i = 0; i < n - 1; i++) {
    dense.set(i, i + 1, offDiagonal[i]);
    dense.set(i + 1, i, offDiagonal[i]);
  }
  return new EigenvalueDecomposition(dense, { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
}

/** Eigenvalues by Sturm-sequence bisection, to full accuracy (an independent O(n^2 log) reference). */
function bisectionEigenvalues(matrix: Tridiagonal): Float64Array {
  const { diagonal, offDiagonal } = matrix;
  const n = diagonal.length;
  const bound = norm(matrix);
  /** How many eigenvalues are below x. */
  const countBelow = (x: number): number => {
    let count = 0;
    let pivot = 1;
    for (let i = 0; i < n; i++) {
      const coupling = i > 0 ? (offDiagonal[i - 1] * offDiagonal[i - 1]) / pivot : 0;
      pivot = diagonal[i] - x - coupling;
      if (pivot === 0) pivot = -Number.MIN_VALUE;
      if (pivot < 0) count++;
    }
    return count;
  };
  return Float64Array.from({ length: n }, (_, index) => {
    let lower = -bound;
    let upper = bound;
    for (;;) {
      const middle = (lower + upper) / 2;
      if (middle <= lower || middle >= upper) return middle;
      if (countBelow(middle) > index) upper = middle;
      else lower = middle;
    }
  });
}

function toeplitz(n: number): Tridiagonal {
  return { diagonal: new Float64Array(n).fill(2), offDiagonal: new Float64Array(Math.max(0, n - 1)).fill(-1) };
}

/** W_{2m+1}^+: diagonal |m - i|, off-diagonal 1; its largest eigenvalues come in pairs agreeing to ~15 digits. */
function wilkinson(m: number): Tridiagonal {
  const n = 2 * m + 1;
  return { diagonal: Float64Array.from({ length: n }, (_, i) => Math.abs(m - i)), offDiagonal: new Float64Array(n - 1).fill(1) };
}

/** A seeded generator of standard normal deviates (Park–Miller, Box–Muller). */
function normalGenerator(seed: number): () => number {
  let state = seed;
  const uniform = (): number => {
    state = (state * 16807) % 2147483647;
    return (state + 0.5) / 2147483648;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function randomTridiagonal(n: number, seed: number): Tridiagonal {
  const normal = normalGenerator(seed);
  return {
    diagonal: Float64Array.from({ length: n }, () => 3 + normal()),
    offDiagonal: Float64Array.from({ length: n - 1 }, () => normal() / 2),
  };
}

/** The tridiagonal of a GOE matrix (Dumitriu–Edelman): little deflation, the merges' full cost. */
function wignerTridiagonal(n: number, seed: number): Tridiagonal {
  const normal = normalGenerator(seed);
  const scale = 1 / Math.sqrt(2 * n);
  const chi = (degrees: number): number => {
    let sum = 0;
    for (let i = 0; i < degrees; i++) sum += normal() ** 2;
    return Math.sqrt(sum);
  };
  return {
    diagonal: Float64Array.from({ length: n }, () => normal() * Math.SQRT2 * scale),
    offDiagonal: Float64Array.from({ length: n - 1 }, (_, i) => chi(n - 1 - i) * Math.SQRT1_2 * scale),
  };
}

describe('tridiagonalEigen', () => {
  it.each([1, 2, 5, 100, 700])('solves the 1-2-1 Toeplitz matrix of order %i (eigenvalues 2 - 2 cos(k pi / (n + 1)))', (n) => {
    const matrix = toeplitz(n);
    const { values } = expectEigendecomposition(matrix);
    const exact = Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort();
    expect(maxDifference(values, exact)).toBeLessThan(VALUE_BOUND * norm(matrix));
  });

  it('handles the empty matrix', () => {
    expect(() => solve(toeplitz(0))).not.toThrow();
  });

  it('solves W21+ (a leaf) and W201+ (merges), whose close pairs deflate by rotation', () => {
    for (const m of [10, 100]) {
      const matrix = wilkinson(m);
      const { values, merges } = expectEigendecomposition(matrix);
      // Against bisection: ml-matrix's tql2 is off by up to 2e-12 (2e-14 |T|) on W201+, this by 3e-14.
      expect(maxDifference(values, bisectionEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
      // The two largest agree to about 15 digits and must still come out as two orthogonal vectors.
      expect(values[2 * m] - values[2 * m - 1]).toBeLessThan(1e-12);
      if (m === 100) expect(merges.reduce((sum, merge) => sum + merge.rotations, 0)).toBeGreaterThan(0);
    }
  });

  it('solves 20 glued copies of W21+ (clusters of 20 eigenvalues within 1e-8)', () => {
    const copy = wilkinson(10);
    const copies = 20;
    const n = 21 * copies;
    const diagonal = new Float64Array(n);
    const offDiagonal = new Float64Array(n - 1);
    for (let c = 0; c < copies; c++) {
      diagonal.set(copy.diagonal, 21 * c);
      offDiagonal.set(copy.offDiagonal, 21 * c);
      if (c < copies - 1) offDiagonal[21 * c + 20] = 1e-8;
    }
    const matrix = { diagonal, offDiagonal };
    const { values } = expectEigendecomposition(matrix);
    expect(maxDifference(values, denseEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
  });

  it('splits at exactly zero off-diagonals (blocks of 1, 2 and more than a leaf) and sorts across blocks', () => {
    const normal = normalGenerator(11);
    const n = 300;
    const diagonal = Float64Array.from({ length: n }, () => normal());
    const offDiagonal = Float64Array.from({ length: n - 1 }, () => normal());
    for (const cut of [0, 1, 3, 4, 5, 90, 91, 250, 298]) offDiagonal[cut] = 0;
    const matrix = { diagonal, offDiagonal };
    const { values } = expectEigendecomposition(matrix);
    expect(maxDifference(values, denseEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
  });

  it('solves a constant diagonal with tiny off-diagonals (one cluster of 500 within 4e-10)', () => {
    const n = 500;
    const matrix = { diagonal: new Float64Array(n).fill(1), offDiagonal: new Float64Array(n - 1).fill(1e-10) };
    const { values } = expectEigendecomposition(matrix);
    const exact = Float64Array.from({ length: n }, (_, k) => 1 + 2e-10 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort();
    expect(maxDifference(values, exact)).toBeLessThan(VALUE_BOUND * norm(matrix));
  });

  it('solves a random tridiagonal matrix of order 1000 (eigenvalues against Sturm bisection)', () => {
    const matrix = randomTridiagonal(1000, 3);
    const { values } = expectEigendecomposition(matrix);
    expect(maxDifference(values, bisectionEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
  });

  it('solves a Wigner-like tridiagonal, multiplying only by the nonzero blocks of diag(Q1, Q2)', () => {
    const n = 400;
    const matrix = wignerTridiagonal(n, 5);
    const { values, merges } = expectEigendecomposition(matrix);
    expect(maxDifference(values, bisectionEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
    const top = merges[merges.length - 1];
    expect(top.size).toBe(n);
    // A full product would be n^3; the block structure halves it (less what deflated).
    expect(top.multiplyAdds).toBeLessThanOrEqual(((n - top.deflated) * n * n) / 2 + n * n);
  });

  it('keeps its accuracy at extreme scales (no overflow or underflow)', () => {
    for (const scale of [1e-150, 1e150]) {
      const base = randomTridiagonal(200, 9);
      const matrix = {
        diagonal: base.diagonal.map((x) => x * scale),
        offDiagonal: base.offDiagonal.map((x) => x * scale),
      };
      const { values } = expectEigendecomposition(matrix);
      expect(maxDifference(values, bisectionEigenvalues(matrix))).toBeLessThan(VALUE_BOUND * norm(matrix));
    }
  });

  it('does all products through the given multiply, with contiguous unaliased arrays', () => {
    const matrix = wignerTridiagonal(300, 8);
    let calls = 0;
    const counting: MatrixMultiply = (input) => {
      const { a, b, c, m, k, n } = input;
      expect([a.length, b.length, c.length]).toEqual([m * k, k * n, m * n]);
      expect(a.buffer === c.buffer || b.buffer === c.buffer).toBe(false);
      calls++;
      multiplyJs(input);
    };
    const reference = solve(matrix);
    const counted = solve(matrix, counting);
    expect(calls).toBeGreaterThan(0);
    expect(counted.values).toEqual(reference.values);
    expect(counted.vectors).toEqual(reference.vectors);

    // A product in another summation order gives the same decomposition to rounding.
    const dotProducts: MatrixMultiply = ({ a, b, c, m, k, n }) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = k - 1; p >= 0; p--) sum += a[i * k + p] * b[p * n + j];
          c[i * n + j] = sum;
        }
      }
    };
    const other = solve(matrix, dotProducts);
    expect(maxDifference(other.values, reference.values)).toBeLessThan(VALUE_BOUND * norm(matrix));
    expect(residual(matrix, other)).toBeLessThan(RESIDUAL_BOUND);
    expect(orthogonalityError(other, 300)).toBeLessThan(ORTHOGONALITY_BOUND);
  });

  it('matches multiplyJs against a naive product', () => {
    const normal = normalGenerator(21);
    const [m, k, n] = [7, 13, 300];
    const a = Float64Array.from({ length: m * k }, () => normal());
    const b = Float64Array.from({ length: k * n }, () => normal());
    const c = new Float64Array(m * n).fill(Number.NaN);
    multiplyJs({ a, b, c, m, k, n });
    let largest = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
        largest = Math.max(largest, Math.abs(sum - c[i * n + j]));
      }
    }
    expect(largest).toBeLessThan(1e-13);
  });
});
