// Dense linear algebra for the GP sampler on flat row-major Float64Arrays (entry (i, j) of an
// n x n matrix at i * n + j): the Cholesky factorisation, with escalating jitter for nearly
// singular kernel matrices, and the two triangular solves that turn L into K^-1 b (R&W 2006,
// "Gaussian Processes for Machine Learning", Algorithm 2.1; Golub & Van Loan 2013, "Matrix
// Computations", §3.1 and §4.2). Flat arrays and row-wise loops keep the inner products on
// contiguous memory, since the sampler factors and solves many times per proposal.

/**
 * In-place Cholesky factorisation (Cholesky-Banachiewicz, row by row: the inner products run
 * over contiguous memory) of the symmetric matrix whose lower triangle is in `a`; false when
 * it is not numerically positive definite. The upper triangle is not read.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) {
        if (!(s > 0)) return false;
        a[ri + i] = Math.sqrt(s);
      } else a[ri + j] = s / a[rj + j];
    }
  }
  return true;
}

/** Solves L x = b (L lower triangular, row-major); b and x may be the same array. */
export function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * x[k];
    x[i] = s / l[ri + i];
  }
}

/** Solves L^T x = b in place (column sweep, so that L is still read row by row). */
export function backwardSolveInPlace(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / l[ri + i];
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] -= l[ri + k] * xi;
  }
}

/**
 * Cholesky of K + jitter I, raising the jitter tenfold from 0 (1e-10 s2, ..., 1e-4 s2) until
 * it succeeds; the jitter added, or null if K stays indefinite. Reads the lower triangle of
 * `k`, writes `l`.
 */
export function choleskyWithJitter(k: Float64Array, l: Float64Array, n: number, signal: number): number | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const jitter = attempt === 0 ? 0 : signal * 10 ** (attempt - 11);
    l.set(k);
    for (let i = 0; i < n; i++) l[i * n + i] += jitter;
    if (cholesky(l, n)) return jitter;
  }
  return null;
}
