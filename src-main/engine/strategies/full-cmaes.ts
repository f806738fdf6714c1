// Classic CMA-ES with a full covariance matrix, following N. Hansen, "The CMA Evolution
// Strategy: A Tutorial" (arXiv:1604.00772, 2016): weighted recombination (eq. 39), cumulative
// step-size adaptation (eqs. 31, 37), rank-one + rank-mu covariance update (eqs. 24, 30, 47)
// with the h_sigma stall (eq. 45 and footnote), by default active: the lambda - mu worst
// candidates enter the rank-mu update with negative weights (Table 1), each rescaled by
// n / ||C^(-1/2) y_i||^2 (eq. 46) so that C stays positive definite (Jastrebski & Arnold 2006;
// Hansen & Ros 2010). On ill-conditioned functions this saves about a fifth of the
// evaluations (bench/strategy-evaluations.ts). And the lazy eigendecomposition of C every
// lambda / (c1 + c_mu) / n / 10 evaluations (as in Hansen's purecma). Cost per generation:
// O(lambda n^2) plus an amortised O(n^3) decomposition, so it is the default for small n only.
// From n = KERNEL_MIN_ORDER the decomposition (eigen/symmetric-eigen.ts), the sampling product and
// the covariance update run in the WASM SIMD kernels (wasm/eigen-kernels.ts).

import { multiplyRows } from './dense-kernels.ts';
import { StrategyBase } from './strategy-base.ts';
import { KERNEL_MIN_ORDER, symmetricEigen } from './eigen/symmetric-eigen.ts';
import { EigenKernels } from './wasm/eigen-kernels.ts';
import type { StrategyOptions, StrategyStateBase } from './strategy.ts';

export interface FullCmaEsState extends StrategyStateBase {
  readonly kind: 'full';
  readonly pathSigma: number[];
  readonly pathC: number[];
  /** Row-major n x n covariance matrix. */
  readonly covariance: number[];
  /** The decomposition used for sampling (it lags C by design, so it is stored, not recomputed). */
  readonly eigenvectors: number[];
  readonly sqrtEigenvalues: number[];
  readonly eigenStale: boolean;
  readonly eigenEvaluations: number;
  /** The active covariance update; absent in states saved before it existed (they resume without it). */
  readonly active?: boolean;
}

export class FullCmaEs extends StrategyBase<FullCmaEsState> {
  readonly kind = 'full';
  private readonly pathC: Float64Array;
  private readonly c: Float64Array;
  /** Eigenvectors (columns of B, stored row-major) and square roots of the eigenvalues. */
  private readonly b: Float64Array;
  private readonly d: Float64Array;
  private eigenEvaluations = 0;
  private eigenStale = false;
  /** Negative weights for the worst candidates in the covariance update (see the header). */
  private active = true;
  /** y_k = B D z_k of the last ask(). */
  private readonly y: Float64Array;
  /**
   * The WASM SIMD products for the sampling and the covariance update from d = KERNEL_MIN_ORDER
   * (null below, or when the module is not built: the JS loops, whose results small problems
   * keep).
   */
  private readonly kernels: EigenKernels | null;

  constructor(options: StrategyOptions) {
    super(options);
    const n = this.dimension;
    this.pathC = new Float64Array(n);
    this.c = new Float64Array(n * n);
    this.b = new Float64Array(n * n);
    this.d = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      this.c[i * n + i] = 1;
      this.b[i * n + i] = 1;
    }
    this.y = new Float64Array(this.p.lambda * n);
    this.kernels = n >= KERNEL_MIN_ORDER && EigenKernels.fits(n) ? EigenKernels.load().kernels : null;
  }

  static restore(state: FullCmaEsState): FullCmaEs {
    const es = new FullCmaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.restoreBase(state);
    es.pathC.set(state.pathC);
    es.c.set(state.covariance);
    es.b.set(state.eigenvectors);
    es.d.set(state.sqrtEigenvalues);
    es.eigenStale = state.eigenStale;
    es.eigenEvaluations = state.eigenEvaluations;
    es.active = state.active ?? false;
    return es;
  }

  protected sample(): void {
    const n = this.dimension;
    const lazyGap = this.p.lambda / (this.p.c1 + this.p.cMu) / n / 10;
    if (this.eigenStale && this.evaluations - this.eigenEvaluations > lazyGap) {
      this.decompose();
      this.eigenEvaluations = this.evaluations;
    }
    const { z, y, x, b, d, mean, sigma } = this;
    const lambda = this.p.lambda;
    const dz = new Float64Array(lambda * n);
    for (let k = 0; k < lambda; k++) for (let j = 0; j < n; j++) dz[k * n + j] = d[j] * z[k * n + j];
    // y_k = B (D z_k); x_k = m + sigma y_k  (tutorial eqs. 38-40), all k in one pass over B.
    if (this.kernels === null) multiplyRows({ matrix: b, rows: n, vectors: dz, count: lambda, n, out: y });
    else this.kernels.multiply({ a: dz, b, c: y, m: lambda, k: n, n, transposeB: true });
    for (let k = 0; k < lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) x[row + i] = mean[i] + sigma * y[row + i];
    }
  }

  protected update(order: Int32Array): void {
    const n = this.dimension;
    const { weights, mu, muEff, cc, c1, cMu } = this.p;
    const yw = this.recombine(order, this.y);
    const zw = this.recombine(order, this.z);
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * yw[i];

    // C^(-1/2) <y>_w = B D^-1 B^T B D <z>_w = B <z>_w
    const bz = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += this.b[i * n + j] * zw[j];
      bz[i] = sum;
    }
    const psNorm = this.updatePathSigma(bz);
    const hSigma = this.hSigma(psNorm);
    const ccn = hSigma * Math.sqrt(cc * (2 - cc) * muEff);
    for (let i = 0; i < n; i++) this.pathC[i] = (1 - cc) * this.pathC[i] + ccn * yw[i];

    // C <- (1 - c1 - c_mu sum_j w_j + (1 - h_sigma) c1 cc (2 - cc)) C + c1 pc pc^T + c_mu sum w°_i y_i y_i^T
    // (eq. 47), w°_i = w_i for the mu best and w_i n / ||C^(-1/2) y_i||^2 for the negative
    // weights (eq. 46). C^(-1/2) y_i = B D^-1 B^T B D z_i = B z_i, so ||C^(-1/2) y_i|| = ||z_i||.
    const { negativeWeights } = this.p;
    const ranked = this.active ? this.p.lambda : mu;
    const rankWeights = new Float64Array(ranked);
    rankWeights.set(weights.subarray(0, mu));
    let weightSum = 1;
    for (let r = mu; r < ranked; r++) {
      const row = order[r] * n;
      let zz = 0;
      for (let i = 0; i < n; i++) zz += this.z[row + i] * this.z[row + i];
      rankWeights[r] = (negativeWeights[r - mu] * n) / Math.max(zz, 1e-300);
      weightSum += negativeWeights[r - mu];
    }
    const decay = 1 - c1 - cMu * weightSum + (1 - hSigma) * c1 * cc * (2 - cc);
    const { c, pathC, y } = this;
    if (this.kernels !== null) {
      // The same sum as one product: rows p_c and the ranked y_i, weights c1 and c_mu w°_i.
      const rows = new Float64Array((ranked + 1) * n);
      const outerWeights = new Float64Array(ranked + 1);
      rows.set(pathC);
      outerWeights[0] = c1;
      for (let r = 0; r < ranked; r++) {
        rows.set(y.subarray(order[r] * n, (order[r] + 1) * n), (r + 1) * n);
        outerWeights[r + 1] = cMu * rankWeights[r];
      }
      this.kernels.addWeightedOuterProducts({ matrix: c, n, scale: decay, rows, weights: outerWeights, count: ranked + 1 });
    } else {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let rankMu = 0;
          for (let r = 0; r < ranked; r++) {
            const row = order[r] * n;
            rankMu += rankWeights[r] * y[row + i] * y[row + j];
          }
          const value = decay * c[i * n + j] + c1 * pathC[i] * pathC[j] + cMu * rankMu;
          c[i * n + j] = value;
          c[j * n + i] = value;
        }
      }
    }
    this.eigenStale = true;
    this.adaptSigma(psNorm);
  }

  private decompose(): void {
    decomposeCovariance({ covariance: this.c, size: this.dimension, eigenvectors: this.b, sqrtEigenvalues: this.d });
    this.eigenStale = false;
  }

  state(): FullCmaEsState {
    return {
      ...this.baseState(),
      kind: 'full',
      pathC: Array.from(this.pathC),
      covariance: Array.from(this.c),
      eigenvectors: Array.from(this.b),
      sqrtEigenvalues: Array.from(this.d),
      eigenStale: this.eigenStale,
      eigenEvaluations: this.eigenEvaluations,
      active: this.active,
    };
  }
}

/**
 * C = B diag(D^2) B^T (eigen/symmetric-eigen.ts: the WASM SIMD kernels from d = KERNEL_MIN_ORDER,
 * ml-matrix's tred2/tql2 below): B's columns are written row-major into `eigenvectors`, D into
 * `sqrtEigenvalues`. Eigenvalues are floored at a tiny positive value against round-off.
 */
export function decomposeCovariance(options: { covariance: Float64Array; size: number; eigenvectors: Float64Array; sqrtEigenvalues: Float64Array }): void {
  const { covariance, size: n, eigenvectors, sqrtEigenvalues } = options;
  const values = new Float64Array(n);
  symmetricEigen({ matrix: covariance, n, values, vectors: eigenvectors });
  for (let j = 0; j < n; j++) sqrtEigenvalues[j] = Math.sqrt(Math.max(values[j], 1e-300));
}
