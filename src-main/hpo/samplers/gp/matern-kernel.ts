// The GP's covariance model and its fit: the Matérn-5/2 ARD kernel (Rasmussen & Williams 2006,
// "Gaussian Processes for Machine Learning", eq. 4.17, one lengthscale per dimension) with a
// signal and a noise variance, the log marginal likelihood (R&W eq. 5.8) with its gradient
// (R&W eq. 5.9) plus weak log-priors as in Optuna's GPSampler, and the maximum a posteriori
// fit of the log-hyperparameters [log l_1 .. log l_d, log signal variance, log noise variance]
// by projected L-BFGS (box-ascent.ts), warm-started from the previous fit.

import { maximiseInBox } from './box-ascent.ts';
import { backwardSolveInPlace, choleskyWithJitter, forwardSolve } from './linear-algebra.ts';

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/** Bounds of the log-hyperparameters (y is standardised, x lies in the unit cube). */
const LOG_LENGTHSCALE_BOUNDS: [number, number] = [Math.log(1e-2), Math.log(1e2)];
const LOG_SIGNAL_BOUNDS: [number, number] = [Math.log(1e-2), Math.log(1e2)];
/** The noise floor keeps K well conditioned when points (nearly) repeat, e.g. in discrete spaces. */
const LOG_NOISE_BOUNDS: [number, number] = [Math.log(1e-6), Math.log(1)];
const DEFAULT_LENGTHSCALE = 0.5;
const DEFAULT_SIGNAL = 1;
const DEFAULT_NOISE = 1e-2;

/** Hyperparameter fit: at most this many L-BFGS iterations, fewer when n^3 exceeds the flop budget. */
const FIT_MAX_ITERATIONS = 40;
const FIT_MIN_ITERATIONS = 5;
const FIT_FLOP_BUDGET = 1e9;

/**
 * k(x, x') = s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r), r^2 = sum_i (x_i - x'_i)^2 / l_i^2
 * (R&W eq. 4.17 with nu = 5/2; ARD as in R&W eq. 5.2). Twice differentiable, so the posterior
 * mean is smooth enough for gradient steps, yet rough enough for real objectives (R&W §4.2.1).
 */
export function matern52(r: number, signal: number): number {
  return signal * (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/**
 * -dk/dr / r = s2 (5/3)(1 + sqrt5 r) exp(-sqrt5 r): finite at r = 0, so that
 * dk/d(log l_i) = g (dx_i / l_i)^2 and dk/dx_i = -g dx_i / l_i^2 need no division by r.
 */
export function matern52Slope(r: number, signal: number): number {
  return signal * (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Number of log-hyperparameters for d dimensions. */
export function hyperCount(d: number): number {
  return d + 2;
}

function defaultHyper(d: number): Float64Array {
  const theta = new Float64Array(hyperCount(d));
  theta.fill(Math.log(DEFAULT_LENGTHSCALE), 0, d);
  theta[d] = Math.log(DEFAULT_SIGNAL);
  theta[d + 1] = Math.log(DEFAULT_NOISE);
  return theta;
}

function hyperBounds(d: number): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(hyperCount(d));
  const hi = new Float64Array(hyperCount(d));
  lo.fill(LOG_LENGTHSCALE_BOUNDS[0], 0, d);
  hi.fill(LOG_LENGTHSCALE_BOUNDS[1], 0, d);
  [lo[d], hi[d]] = LOG_SIGNAL_BOUNDS;
  [lo[d + 1], hi[d + 1]] = LOG_NOISE_BOUNDS;
  return { lo, hi };
}

/**
 * Log-prior of the hyperparameters and its gradient (added to `grad`), as Optuna's GPSampler:
 * -0.1 (l^2 + 1/l^2) per lengthscale (mode l = 1: neither a needle nor a flat dimension
 * without evidence), Gamma(2, 1) on the signal variance (mode 1: y is standardised), and
 * Gamma(1.1, 30) on the noise variance (mode ~0.003: objectives are nearly deterministic).
 * They keep the maximum a posteriori fit well posed with few points.
 */
function logPrior(theta: ArrayLike<number>, d: number, grad: Float64Array | null): number {
  let value = 0;
  for (let i = 0; i < d; i++) {
    const l2 = Math.exp(2 * theta[i]);
    value -= 0.1 * (l2 + 1 / l2);
    if (grad !== null) grad[i] -= 0.2 * (l2 - 1 / l2);
  }
  const signal = Math.exp(theta[d]);
  value += theta[d] - signal;
  const noise = Math.exp(theta[d + 1]);
  value += 0.1 * theta[d + 1] - 30 * noise;
  if (grad !== null) {
    grad[d] += 1 - signal;
    grad[d + 1] += 0.1 - 30 * noise;
  }
  return value;
}

/** Scratch buffers of a hyperparameter fit, sized for n points (allocated once per fit). */
class FitWorkspace {
  readonly n: number;
  readonly d: number;
  readonly k: Float64Array;
  readonly slope: Float64Array;
  readonly l: Float64Array;
  readonly inverse: Float64Array;
  readonly scaled: Float64Array;
  readonly alpha: Float64Array;

  constructor(n: number, d: number) {
    this.n = n;
    this.d = d;
    this.k = new Float64Array(n * n);
    this.slope = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.inverse = new Float64Array(n * n);
    this.scaled = new Float64Array(n * d);
    this.alpha = new Float64Array(n);
  }
}

/**
 * Log marginal likelihood log p(y | X, theta) (R&W eq. 5.8, computed as in Algorithm 2.1:
 * -y^T alpha / 2 - sum log L_ii - n/2 log 2 pi) plus the log-prior; with `grad`, also its
 * gradient with respect to the log-hyperparameters by R&W eq. 5.9:
 * d/d theta_j = tr((alpha alpha^T - K^-1) dK/d theta_j) / 2. -Infinity when K is indefinite.
 */
function logPosterior(x: Float64Array, y: Float64Array, theta: ArrayLike<number>, grad: Float64Array | null, w: FitWorkspace): number {
  const { n, d, k, slope, l, inverse, scaled, alpha } = w;
  const signal = Math.exp(theta[d]);
  const noise = Math.exp(theta[d + 1]);
  for (let i = 0; i < d; i++) {
    const inv = Math.exp(-theta[i]);
    for (let a = 0; a < n; a++) scaled[a * d + i] = x[a * d + i] * inv;
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < a; b++) {
      let r2 = 0;
      for (let i = 0; i < d; i++) {
        const diff = scaled[a * d + i] - scaled[b * d + i];
        r2 += diff * diff;
      }
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      k[a * n + b] = signal * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      slope[a * n + b] = signal * (5 / 3) * (1 + SQRT5 * r) * e;
    }
    k[a * n + a] = signal + noise;
  }
  if (choleskyWithJitter(k, l, n, signal) === null) return Number.NEGATIVE_INFINITY;
  forwardSolve(l, n, y, alpha);
  backwardSolveInPlace(l, n, alpha);
  let value = -0.5 * n * LOG_2PI;
  for (let a = 0; a < n; a++) value -= 0.5 * y[a] * alpha[a] + Math.log(l[a * n + a]);
  if (grad !== null) {
    grad.fill(0);
    // K^-1 = L^-T L^-1. Row j of `inverse` holds column j of L^-1 (entries j..n-1, solving
    // L m = e_j), so that (K^-1)_ab = sum_{i >= max(a, b)} (L^-1)_ia (L^-1)_ib runs over rows.
    const m = inverse;
    for (let j = 0; j < n; j++) {
      const rj = j * n;
      m[rj + j] = 1 / l[rj + j];
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        let s = 0;
        for (let q = j; q < i; q++) s -= l[ri + q] * m[rj + q];
        m[rj + i] = s / l[ri + i];
      }
    }
    // W = alpha alpha^T - K^-1 on the lower triangle; sums of W against each dK/d theta_j.
    let traceW = 0;
    let weightedK = 0;
    for (let a = 0; a < n; a++) {
      const ra = a * n;
      for (let b = 0; b <= a; b++) {
        const rb = b * n;
        let kinv = 0;
        for (let i = a; i < n; i++) kinv += m[ra + i] * m[rb + i];
        const wab = alpha[a] * alpha[b] - kinv;
        if (a === b) {
          traceW += wab;
          weightedK += wab * signal;
          continue;
        }
        // Off-diagonal pairs appear twice in the trace; the 1/2 of eq. 5.9 cancels that.
        weightedK += 2 * wab * k[ra + b];
        const ws = wab * slope[ra + b];
        for (let i = 0; i < d; i++) {
          const diff = scaled[a * d + i] - scaled[b * d + i];
          grad[i] += ws * diff * diff;
        }
      }
    }
    grad[d] += 0.5 * weightedK;
    grad[d + 1] += 0.5 * noise * traceW;
  }
  return value + logPrior(theta, d, grad);
}

/** The objective of a hyperparameter fit (exported for the gradient check in gp.test.ts). */
export function gpLogPosterior(x: Float64Array, y: Float64Array, n: number, d: number, theta: ArrayLike<number>, grad: Float64Array | null): number {
  return logPosterior(x, y, theta, grad, new FitWorkspace(n, d));
}

/**
 * Maximum a posteriori hyperparameters by projected L-BFGS, started from the last fit or the
 * default, whichever scores higher (so that a fit stuck in a poor optimum can recover).
 * The number of iterations shrinks as n^3 grows, so that one fit costs at most about
 * FIT_FLOP_BUDGET floating-point operations beyond the first few iterations.
 */
export function fitHyperparameters(x: Float64Array, y: Float64Array, n: number, d: number, warm: ArrayLike<number> | null): Float64Array {
  const w = new FitWorkspace(n, d);
  const { lo, hi } = hyperBounds(d);
  let start = defaultHyper(d);
  if (warm !== null && warm.length === hyperCount(d)) {
    const candidate = Float64Array.from(warm, (v, i) => Math.min(hi[i], Math.max(lo[i], v)));
    if (logPosterior(x, y, candidate, null, w) >= logPosterior(x, y, start, null, w)) start = candidate;
  }
  const iterations = Math.max(FIT_MIN_ITERATIONS, Math.min(FIT_MAX_ITERATIONS, Math.floor(FIT_FLOP_BUDGET / n ** 3)));
  return maximiseInBox((theta, grad) => logPosterior(x, y, theta, grad, w), start, lo, hi, { iterations, firstStep: 0.5 }).x;
}
