// Gaussian-process Bayesian optimisation as a hyperparameter sampler (GP-EI, as in Jones et al.
// 1998, "Efficient Global Optimization of Expensive Black-Box Functions", and Optuna's
// GPSampler), on the unit cube [0,1]^d of the space (space.toUnit / fromUnit; int and
// categorical parameters occupy cells, as for the CMA-ES sampler):
//   - the first `startup` proposals are uniform on the cube (seeded);
//   - then the observed objectives are standardised (failed trials count as the worst finite
//     value) and a zero-mean GP with a Matérn-5/2 ARD kernel (Rasmussen & Williams 2006,
//     "Gaussian Processes for Machine Learning", eq. 4.17, one lengthscale per dimension),
//     a signal variance and a noise variance is fitted by maximising the log marginal
//     likelihood (R&W eq. 5.8; its gradient eq. 5.9) plus weak log-priors, by projected L-BFGS
//     in log-parameter space, warm-started from the last fit;
//   - the posterior comes from a Cholesky factor (R&W Algorithm 2.1) in a flat Float64Array;
//   - the acquisition is log expected improvement (Jones et al. 1998, eq. 15; computed in log
//     space as in Ament et al. 2023, "Unexpected Improvements to Expected Improvement for
//     Bayesian Optimization" (LogEI), so that it keeps a useful gradient where EI underflows),
//     maximised over seeded random candidates (uniform, plus perturbations of the best points)
//     and then by projected L-BFGS from the best few, cells of discrete parameters held fixed;
//   - proposals asked but not told yet (pending) enter as a "kriging believer" (Ginsbourger,
//     Le Riche & Carraro 2010, "Kriging is well-suited to parallelize optimization"): they are
//     added to the GP with its posterior mean as their value, which leaves the mean unchanged,
//     shrinks the variance around them, and counts towards the incumbent, so that consecutive
//     asks without results spread out instead of repeating the same point.
// Everything is deterministic given the seed; the state (observations, pending proposals,
// RNG, last hyperparameters) is JSON, so a restored sampler proposes exactly what the
// original would have.

import { toWire } from '../../../src-shared/metric-codec.ts';
import { normalCdf, normalPdf } from '../../../src-shared/stats/normal.ts';
import { Rng, type RngState } from '../../engine/rng.ts';
import { fromInternal, internalRange, type Params, type SearchSpace, toInternal } from '../space.ts';
import type { Proposal, Sampler } from './sampler.ts';

export interface GpOptions {
  /** Proposals drawn uniformly before the GP takes over. */
  readonly startup: number;
}

interface GpObservation {
  readonly params: Params;
  /** The objective; null for a failed trial (NaN or +-Infinity, which JSON cannot hold anyway). */
  readonly value: number | null;
}

export interface GpSamplerState {
  readonly kind: 'gp';
  readonly options: GpOptions;
  readonly rng: RngState;
  readonly nextId: number;
  readonly observations: GpObservation[];
  readonly pending: Proposal[];
  /** Last fitted log-hyperparameters [log l_1 .. log l_d, log signal variance, log noise variance]; null before the first fit. */
  readonly hyper: number[] | null;
}

// ---- constants ------------------------------------------------------------------------------

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

/** Acquisition search. */
const UNIFORM_CANDIDATES = 1024;
const LOCAL_CANDIDATES = 256;
const LOCAL_CENTRES = 3;
const LOCAL_SCALES = [0.01, 0.05, 0.2];
const REFINE_STARTS = 5;
const REFINE_ITERATIONS = 15;

/** Posterior variance floor (standardised units), so that log-EI stays finite. */
const MIN_VARIANCE = 1e-12;

// ---- linear algebra on flat row-major Float64Arrays ------------------------------------------

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

// ---- the Matérn-5/2 ARD kernel and the marginal likelihood -----------------------------------

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
function matern52Slope(r: number, signal: number): number {
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
 * Cholesky of K + jitter I, raising the jitter tenfold from 0 (1e-10 s2, ..., 1e-4 s2) until
 * it succeeds; the jitter added, or null if K stays indefinite. Reads the lower triangle of
 * `k`, writes `l`.
 */
function choleskyWithJitter(k: Float64Array, l: Float64Array, n: number, signal: number): number | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const jitter = attempt === 0 ? 0 : signal * 10 ** (attempt - 11);
    l.set(k);
    for (let i = 0; i < n; i++) l[i * n + i] += jitter;
    if (cholesky(l, n)) return jitter;
  }
  return null;
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

// ---- box-constrained maximisation -------------------------------------------------------------

export interface BoxAscentOptions {
  readonly iterations: number;
  /** Largest coordinate change of a steepest-ascent step (the first, and after a reset). */
  readonly firstStep: number;
}

/**
 * Maximises f over the box [lo, hi] by projected L-BFGS (Nocedal & Wright 2006, Algorithm 7.4,
 * memory 6) with Armijo backtracking along the projected path: coordinates at a bound whose
 * gradient points outwards, and fixed coordinates (lo = hi), are frozen for the step. A simple
 * stand-in for L-BFGS-B (Byrd et al. 1995) that suffices for a few smooth dimensions.
 * `fg(x, grad)` returns f(x) and writes its gradient. Deterministic.
 */
export function maximiseInBox(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  options: BoxAscentOptions,
): { x: Float64Array; value: number } {
  const dim = x0.length;
  const memory = 6;
  const clip = (v: number, i: number) => Math.min(hi[i], Math.max(lo[i], v));
  let x = Float64Array.from(x0, clip);
  let g = new Float64Array(dim);
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { x, value: f };
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const coefficients = new Float64Array(memory);
  const projected = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const xNew = new Float64Array(dim);
  let gNew = new Float64Array(dim);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let largest = 0;
    for (let i = 0; i < dim; i++) {
      const frozen = !(lo[i] < hi[i]) || (x[i] <= lo[i] && g[i] < 0) || (x[i] >= hi[i] && g[i] > 0);
      projected[i] = frozen || !Number.isFinite(g[i]) ? 0 : g[i];
      largest = Math.max(largest, Math.abs(projected[i]));
    }
    if (largest < 1e-9) break;
    // Two-loop recursion: direction = H * projected gradient (H approximates the inverse Hessian of -f).
    direction.set(projected);
    for (let m = ss.length - 1; m >= 0; m--) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += ss[m][i] * direction[i];
      coefficients[m] = rhos[m] * dot;
      for (let i = 0; i < dim; i++) direction[i] -= coefficients[m] * ys[m][i];
    }
    let gamma = options.firstStep / largest;
    if (ss.length > 0) {
      const last = ss.length - 1;
      let yy = 0;
      for (let i = 0; i < dim; i++) yy += ys[last][i] * ys[last][i];
      gamma = 1 / (rhos[last] * yy);
    }
    for (let i = 0; i < dim; i++) direction[i] *= gamma;
    for (let m = 0; m < ss.length; m++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += ys[m][i] * direction[i];
      const beta = rhos[m] * dot;
      for (let i = 0; i < dim; i++) direction[i] += ss[m][i] * (coefficients[m] - beta);
    }
    let slope = 0;
    for (let i = 0; i < dim; i++) {
      if (projected[i] === 0) direction[i] = 0;
      slope += g[i] * direction[i];
    }
    if (!(slope > 0)) {
      // Not an ascent direction (curvature pairs gone stale at the bounds): restart from steepest ascent.
      ss.length = 0;
      ys.length = 0;
      rhos.length = 0;
      for (let i = 0; i < dim; i++) direction[i] = (projected[i] * options.firstStep) / largest;
    }
    let step = 1;
    let accepted = false;
    let fNew = f;
    for (let attempt = 0; attempt < 20; attempt++) {
      let predicted = 0;
      let moved = false;
      for (let i = 0; i < dim; i++) {
        xNew[i] = clip(x[i] + step * direction[i], i);
        predicted += g[i] * (xNew[i] - x[i]);
        if (xNew[i] !== x[i]) moved = true;
      }
      if (!moved) break;
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew >= f + 1e-4 * predicted) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(dim);
    const yv = new Float64Array(dim);
    let sy = 0;
    for (let i = 0; i < dim; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = g[i] - gNew[i]; // gradient difference of -f
      sy += s[i] * yv[i];
    }
    if (sy > 1e-12) {
      if (ss.length === memory) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(yv);
      rhos.push(1 / sy);
    }
    const gain = fNew - f;
    x = Float64Array.from(xNew);
    [g, gNew] = [gNew, g];
    f = fNew;
    if (gain <= 1e-9 * (1 + Math.abs(f))) break;
  }
  return { x, value: f };
}

// ---- log expected improvement -------------------------------------------------------------------

/**
 * log h(z), h(z) = phi(z) + z Phi(z), so that EI = sigma h((best - mu) / sigma) (Jones et al.
 * 1998, eq. 15), with a = Phi(z) / h(z) and b = phi(z) / h(z), its derivatives:
 * d log EI / d mu = -a / sigma, d log EI / d sigma = b / sigma. For z < -1, h = phi (1 + z R)
 * with the Mills ratio R = Phi(z) / phi(z), computed without underflow (Ament et al. 2023's
 * LogEI computes the same log h through erfcx); below -25 the cancelling 1 + z R takes its
 * asymptotic series 1/z^2 - 3/z^4 + 15/z^6 - ... (Abramowitz & Stegun 26.2.12).
 */
export function logH(z: number): { logH: number; a: number; b: number } {
  if (z > -1) {
    const cdf = normalCdf(z);
    const pdf = normalPdf(z);
    const h = pdf + z * cdf;
    return { logH: Math.log(h), a: cdf / h, b: pdf / h };
  }
  const logPdf = -0.5 * z * z - 0.5 * LOG_2PI;
  let q: number;
  let logQ: number;
  let mills: number;
  if (z >= -25) {
    mills = normalCdf(z) / normalPdf(z);
    q = 1 + z * mills;
    logQ = Math.log(q);
  } else {
    const u = 1 / (z * z);
    const series = 1 + u * (-3 + u * (15 + u * (-105 + u * 945)));
    q = u * series;
    logQ = Math.log(u) + Math.log(series);
    mills = (1 - q) / -z;
  }
  return { logH: logPdf + logQ, a: mills / q, b: 1 / q };
}

// ---- the posterior -------------------------------------------------------------------------------

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

// ---- the sampler ----------------------------------------------------------------------------------

/** Maps a unit coordinate to the middle of its cell for int and categorical parameters (what toUnit(fromUnit(u)) gives). */
function cellSnapper(parameter: SearchSpace['dimensions'][number]['parameter']): ((u: number) => number) | null {
  if (parameter.type === 'categorical') {
    const count = parameter.choices.length;
    return (u) => (Math.min(count - 1, Math.floor(Math.min(1, Math.max(0, u)) * count)) + 0.5) / count;
  }
  if (parameter.type === 'int') {
    const [lo, hi] = internalRange(parameter);
    return (u) => (toInternal(parameter, fromInternal(parameter, lo + Math.min(1, Math.max(0, u)) * (hi - lo))) - lo) / (hi - lo);
  }
  return null;
}

export class GpSampler implements Sampler {
  readonly kind = 'gp' as const;
  private readonly space: SearchSpace;
  private readonly options: GpOptions;
  private readonly rng: Rng;
  private readonly snappers: (((u: number) => number) | null)[];
  private nextId = 0;
  private observations: GpObservation[] = [];
  private pending: Proposal[] = [];
  private hyper: number[] | null = null;

  constructor(space: SearchSpace, seed: number, options: GpOptions) {
    this.space = space;
    this.options = options;
    this.rng = new Rng(seed, 17);
    this.snappers = space.dimensions.map(({ parameter }) => cellSnapper(parameter));
  }

  static restore(space: SearchSpace, state: GpSamplerState): GpSampler {
    const sampler = new GpSampler(space, 0, state.options);
    sampler.rng.restore(state.rng);
    sampler.nextId = state.nextId;
    sampler.observations = state.observations.slice();
    sampler.pending = state.pending.slice();
    sampler.hyper = state.hyper === null ? null : state.hyper.slice();
    return sampler;
  }

  /** Never null: pending proposals are accounted for by the kriging believer. */
  ask(): Proposal {
    const d = this.space.size;
    // The first `startup` proposals (counting those still pending) are random; a GP also needs two results.
    const modelled = d > 0 && this.observations.length >= 2 && this.observations.length + this.pending.length >= this.options.startup;
    const unit = modelled ? this.proposeFromModel() : Array.from({ length: d }, () => this.rng.uniform());
    const proposal = { id: this.nextId++, params: this.space.fromUnit(unit) };
    this.pending.push(proposal);
    return proposal;
  }

  tell(id: number, value: number): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index < 0) return;
    const [proposal] = this.pending.splice(index, 1);
    this.observe(proposal.params, value);
  }

  /** A result this sampler did not propose; the weight is ignored (the GP weighs every observation alike). */
  observe(params: Params, value: number, _weight?: number): void {
    this.observations.push({ params, value: toWire(value) });
  }

  state(): GpSamplerState {
    return {
      kind: 'gp',
      options: this.options,
      rng: this.rng.state(),
      nextId: this.nextId,
      observations: this.observations.slice(),
      pending: this.pending.slice(),
      hyper: this.hyper === null ? null : this.hyper.slice(),
    };
  }

  /** Unit-cube coordinates of parameters (a missing or non-numeric value goes to the middle). */
  private unitOf(params: Params, out: Float64Array, offset: number): void {
    this.space.toUnit(params).forEach((u, i) => {
      out[offset + i] = Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : 0.5;
    });
  }

  private snap(x: Float64Array): void {
    for (let i = 0; i < x.length; i++) {
      const snapper = this.snappers[i];
      x[i] = snapper === null ? Math.min(1, Math.max(0, x[i])) : snapper(x[i]);
    }
  }

  private proposeFromModel(): number[] {
    const d = this.space.size;
    const n = this.observations.length;
    const x = new Float64Array(n * d);
    this.observations.forEach((o, a) => this.unitOf(o.params, x, a * d));
    // Failed trials count as the worst finite result: bad, but not so extreme that the
    // standardisation squashes every other difference. With no finite result y is flat.
    const finite = this.observations.flatMap((o) => (o.value === null ? [] : [o.value]));
    const worst = finite.length > 0 ? Math.max(...finite) : 0;
    const raw = this.observations.map((o) => o.value ?? worst);
    const mean = raw.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
    const y = Float64Array.from(raw, (v) => (v - mean) / scale);

    const theta = fitHyperparameters(x, y, n, d, this.hyper);
    this.hyper = Array.from(theta);
    let posterior = new GpPosterior(x, y, n, d, theta);
    let best = Math.min(...y);

    if (this.pending.length > 0) {
      // Kriging believer: pending points join the data with the posterior mean as their value.
      const m = this.pending.length;
      const xAll = new Float64Array((n + m) * d);
      xAll.set(x);
      const yAll = new Float64Array(n + m);
      yAll.set(y);
      const point = new Float64Array(d);
      this.pending.forEach((p, j) => {
        this.unitOf(p.params, point, 0);
        xAll.set(point, (n + j) * d);
        yAll[n + j] = posterior.predict(point).mean;
        best = Math.min(best, yAll[n + j]);
      });
      posterior = new GpPosterior(xAll, yAll, n + m, d, theta);
    }

    // Candidates: uniform on the cube, and perturbations of the best observed points.
    const order = y.length > 0 ? Array.from(y.keys()).sort((a, b) => y[a] - y[b]) : [];
    const centres = order.slice(0, Math.min(LOCAL_CENTRES, n));
    const total = UNIFORM_CANDIDATES + LOCAL_CANDIDATES;
    const candidates = new Float64Array(total * d);
    const scores = new Float64Array(total);
    const point = new Float64Array(d);
    for (let c = 0; c < total; c++) {
      if (c < UNIFORM_CANDIDATES) for (let i = 0; i < d; i++) point[i] = this.rng.uniform();
      else {
        const local = c - UNIFORM_CANDIDATES;
        const centre = centres[local % centres.length];
        const spread = LOCAL_SCALES[Math.floor(local / centres.length) % LOCAL_SCALES.length];
        for (let i = 0; i < d; i++) point[i] = x[centre * d + i] + spread * this.rng.normal();
      }
      this.snap(point);
      candidates.set(point, c * d);
      scores[c] = posterior.logEi(point, best, null);
    }

    // Local refinement from the best few candidates; discrete coordinates stay in their cell.
    const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    let bestPoint: Float64Array = candidates.slice(ranked[0] * d, ranked[0] * d + d);
    let bestScore = scores[ranked[0]];
    const lo = new Float64Array(d);
    const hi = new Float64Array(d);
    for (const c of ranked.slice(0, REFINE_STARTS)) {
      const start = candidates.subarray(c * d, c * d + d);
      for (let i = 0; i < d; i++) {
        const fixed = this.snappers[i] !== null;
        lo[i] = fixed ? start[i] : 0;
        hi[i] = fixed ? start[i] : 1;
      }
      const refined = maximiseInBox((p, grad) => posterior.logEi(p, best, grad), start, lo, hi, { iterations: REFINE_ITERATIONS, firstStep: 0.05 });
      if (refined.value > bestScore) {
        bestScore = refined.value;
        bestPoint = refined.x;
      }
    }
    return Array.from(bestPoint);
  }
}
