// The GP posterior for fixed hyperparameters (Rasmussen & Williams 2006, "Gaussian Processes
// for Machine Learning", Algorithm 2.1): the Cholesky factor of K and alpha = K^-1 y, once per
// data set, then the predictive mean and variance at query points and log expected
// improvement (log-ei.ts) with its analytic gradient in x, which the acquisition search
// evaluates thousands of times per proposal.

import { backwardSolveInPlace, choleskyWithJitter, forwardSolve } from './linear-algebra.ts';
import { logH } from './log-ei.ts';
import { matern52, matern52Slope } from './matern-kernel.ts';

/** Posterior variance floor (standardised units), so that log-EI stays finite. */
const MIN_VARIANCE = 1e-12;

/** A GP posterior for fixed hyperparameters: R&W Algorithm 2.1 (L, alpha) and predictions. */
export class GpPosterior {
  readonly n: number;
  private readonly d: number;
  private readonly scaled: Float64Array;
  private readonly inverseLengthscale: Float64Array;
  private readonly signal: number;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kx: Float64Array;
  private readonly slopes: Float64Array;
  private readonly v: Float64Array;
  private readonly xs: Float64Array;

  constructor(x: Float64Array, y: Float64Array, n: number, d: number, theta: ArrayLike<number>) {
    this.n = n;
    this.d = d;
    this.signal = Math.exp(theta[d]);
    const noise = Math.exp(theta[d + 1]);
    this.inverseLengthscale = Float64Array.from({ length: d }, (_, i) => Math.exp(-theta[i]));
    this.scaled = new Float64Array(n * d);
    for (let a = 0; a < n; a++) for (let i = 0; i < d; i++) this.scaled[a * d + i] = x[a * d + i] * this.inverseLengthscale[i];
    const k = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < a; b++) k[a * n + b] = matern52(Math.sqrt(this.distance2(a, this.scaled, b * d)), this.signal);
      k[a * n + a] = this.signal + noise;
    }
    this.l = new Float64Array(n * n);
    if (choleskyWithJitter(k, this.l, n, this.signal) === null) {
      // Cannot happen with the noise floor and jitter; fall back to a diagonal K all the same.
      this.l.fill(0);
      for (let a = 0; a < n; a++) this.l[a * n + a] = Math.sqrt(this.signal + noise + 1);
    }
    this.alpha = new Float64Array(n);
    forwardSolve(this.l, n, y, this.alpha);
    backwardSolveInPlace(this.l, n, this.alpha);
    this.kx = new Float64Array(n);
    this.slopes = new Float64Array(n);
    this.v = new Float64Array(n);
    this.xs = new Float64Array(d);
  }

  private distance2(a: number, other: Float64Array, offset: number): number {
    let r2 = 0;
    for (let i = 0; i < this.d; i++) {
      const diff = this.scaled[a * this.d + i] - other[offset + i];
      r2 += diff * diff;
    }
    return r2;
  }

  /** Fills kx (and slopes) for the query point x. */
  private crossCovariance(x: ArrayLike<number>): void {
    for (let i = 0; i < this.d; i++) this.xs[i] = x[i] * this.inverseLengthscale[i];
    for (let a = 0; a < this.n; a++) {
      const r = Math.sqrt(this.distance2(a, this.xs, 0));
      this.kx[a] = matern52(r, this.signal);
      this.slopes[a] = matern52Slope(r, this.signal);
    }
  }

  /** Posterior mean and variance of the latent f at x (R&W Algorithm 2.1, lines 4-6). */
  predict(x: ArrayLike<number>): { mean: number; variance: number } {
    this.crossCovariance(x);
    let mean = 0;
    for (let a = 0; a < this.n; a++) mean += this.kx[a] * this.alpha[a];
    forwardSolve(this.l, this.n, this.kx, this.v);
    let explained = 0;
    for (let a = 0; a < this.n; a++) explained += this.v[a] * this.v[a];
    return { mean, variance: Math.max(MIN_VARIANCE, this.signal - explained) };
  }

  /**
   * log EI at x for the incumbent `best` (standardised, minimisation); with `grad`, its
   * gradient in x: dmu/dx = alpha^T dk/dx, dsigma^2/dx = -2 (K^-1 k)^T dk/dx, with
   * dk_a/dx_i = -g(r_a) (x_i - x_ai) / l_i^2.
   */
  logEi(x: ArrayLike<number>, best: number, grad: Float64Array | null): number {
    const { mean, variance } = this.predict(x);
    const sigma = Math.sqrt(variance);
    const z = (best - mean) / sigma;
    const h = logH(z);
    if (grad !== null) {
      backwardSolveInPlace(this.l, this.n, this.v); // v = K^-1 k
      const dMean = -h.a / sigma;
      // The variance floor has no gradient.
      const dVariance = variance > MIN_VARIANCE ? h.b / sigma / (2 * sigma) : 0;
      for (let i = 0; i < this.d; i++) {
        let meanSlope = 0;
        let varianceSlope = 0;
        for (let a = 0; a < this.n; a++) {
          const dk = -this.slopes[a] * (this.xs[i] - this.scaled[a * this.d + i]) * this.inverseLengthscale[i];
          meanSlope += this.alpha[a] * dk;
          varianceSlope -= 2 * this.v[a] * dk;
        }
        grad[i] = dMean * meanSlope + dVariance * varianceSlope;
      }
    }
    return Math.log(sigma) + h.logH;
  }
}
