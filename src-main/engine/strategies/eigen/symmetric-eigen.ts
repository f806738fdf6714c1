// The symmetric eigendecomposition A = B diag(values) B^T behind full CMA-ES, by LAPACK's dsyevd
// path: Householder reduction to tridiagonal T = Q^T A Q, T's eigenvectors by divide and conquer
// (tridiagonal-eigen.ts), then B = Q times them. The reduction, the back-transformation and
// the merges' products run in the WebAssembly SIMD kernels (../wasm/eigen-kernels.ts) on two
// threads; that makes d = 2080 take 1.8 s here (LAPACK's dsyevd: 1.0-1.1 s) where ml-matrix's
// tred2/tql2 took 36-45 s (bench/engine.ts --strategies prints all three). Below KERNEL_MIN_ORDER, or when the module is not
// built, ml-matrix's decomposition is used, as before: small problems keep their exact results.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { EigenKernels } from '../wasm/eigen-kernels.ts';
import { tridiagonalEigen } from './tridiagonal-eigen.ts';

/**
 * Smallest order decomposed through the kernels. Full CMA-ES is chosen automatically only up to
 * d = 64 (../choose.ts), so every automatic choice keeps the results it had before the kernels.
 */
export const KERNEL_MIN_ORDER = 65;

export interface SymmetricEigenInput {
  /** n x n row-major; symmetric (the kernels read its upper triangle, ml-matrix all of it). */
  readonly matrix: Float64Array;
  readonly n: number;
  /** Receives the eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Receives n x n row-major: column j is the unit eigenvector of values[j]. */
  readonly vectors: Float64Array;
  /** Force a method (tests and the bench); default: kernels from KERNEL_MIN_ORDER when built. */
  readonly method?: SymmetricEigenMethod;
}

export type SymmetricEigenMethod = 'kernels' | 'ml-matrix';

/** Decomposes `matrix`; returns the method used. */
export function symmetricEigen(input: SymmetricEigenInput): SymmetricEigenMethod {
  const { matrix, n, values, vectors } = input;
  // A diverged run's matrix: say where, rather than return eigenvectors computed from NaN.
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(matrix[i]))
      throw new RangeError(`symmetric eigendecomposition: entry (${Math.floor(i / n)}, ${i % n}) is ${matrix[i]}; the matrix must be finite`);
  }
  const wanted = input.method ?? (n >= KERNEL_MIN_ORDER ? 'kernels' : 'ml-matrix');
  const kernels = wanted === 'kernels' && EigenKernels.fits(n) ? EigenKernels.load().kernels : null;
  if (kernels === null) {
    decomposeWithMlMatrix(input);
    return 'ml-matrix';
  }
  const { diagonal, offDiagonal } = kernels.reduce(matrix, n);
  tridiagonalEigen({ diagonal, offDiagonal, values, vectors, multiply: kernels.multiply });
  kernels.backTransform(vectors, n);
  return 'kernels';
}

/** JAMA's tred2/tql2 through ml-matrix (eigenvalues ascending, like the kernels' path). */
function decomposeWithMlMatrix({ matrix, n, values, vectors }: SymmetricEigenInput): void {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(matrix.subarray(i * n, (i + 1) * n)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const found = evd.realEigenvalues;
  const eigenvectors = evd.eigenvectorMatrix;
  for (let j = 0; j < n; j++) {
    values[j] = found[j];
    for (let i = 0; i < n; i++) vectors[i * n + j] = eigenvectors.get(i, j);
  }
}
