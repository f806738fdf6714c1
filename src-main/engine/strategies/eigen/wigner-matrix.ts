// The random symmetric test matrix of the eigendecomposition's tests and bench: a Wigner matrix
// (independent N(0, 1/spread^2) entries on and below the diagonal, mirrored above) plus shift I.
// With spread = sqrt(n) its spectrum fills [shift - 2, shift + 2] (the semicircle law), the kind
// of matrix with little deflation, so the divide and conquer does its full work; bench/lapack-eigh.py
// builds the same kind for LAPACK.

import type { Rng } from '../../rng.ts';

export interface WignerMatrixInput {
  readonly n: number;
  readonly rng: Rng;
  /** Entries are rng.normal() / spread. */
  readonly spread: number;
  /** Added to the diagonal. */
  readonly shift: number;
}

/** n x n row-major, exactly symmetric; entries drawn row by row over the lower triangle. */
export function wignerMatrix({ n, rng, spread, shift }: WignerMatrixInput): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal() / spread + (i === j ? shift : 0);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}
