// MA-ES, the Matrix Adaptation Evolution Strategy: H.-G. Beyer and B. Sendhoff, "Simplify Your
// Covariance Matrix Adaptation Evolution Strategy", IEEE TEVC 21(5), 2017 (Fig. 3). It adapts
// a transformation M with C = M M^T directly, so no eigendecomposition is ever needed:
//   d_k = M z_k,  x_k = m + sigma d_k,  m <- m + sigma <d>_w,
//   s <- (1 - c_s) s + sqrt(mu_eff c_s (2 - c_s)) <z>_w,
//   M <- M [I + c1/2 (s s^T - I) + c_mu/2 (<z z^T>_w - I)].
// The M update is expanded as (1 - c1/2 - c_mu/2) M + c1/2 (M s) s^T + c_mu/2 sum w_k d_k z_k^T,
// which reuses d_k = M z_k and costs O(mu n^2); sampling costs O(lambda n^2). These products
// run in the WASM SIMD kernels of wasm/transform-kernels.ts when the module is built and n is
// at least WASM_MIN_DIMENSION, else in the JS kernels below; both give the same bits.

import { multiplyRows } from './dense-kernels.ts';
import { StrategyBase } from './strategy-base.ts';
import type { StrategyOptions, StrategyStateBase } from './strategy.ts';
import { WasmTransform } from './wasm/transform-kernels.ts';

/** Below this dimension the JS kernels are as fast as the WASM ones (and need no memory of their own). */
export const WASM_MIN_DIMENSION = 32;

/** One M update: M <- keep M + c1half (M s) s^T + sum_r scaledWeights[r] d_order[r] z_order[r]^T. */
export interface TransformUpdate {
  readonly keep: number;
  /** c1 / 2 */
  readonly c1half: number;
  readonly s: Float64Array;
  /** The samples of the last multiply(), lambda x n. */
  readonly z: Float64Array;
  /** d_k = M z_k of the last multiply(), lambda x n. */
  readonly dirs: Float64Array;
  /** Selected samples, best first. */
  readonly order: Int32Array;
  readonly mu: number;
  /** (c_mu / 2) w_r for r < mu. */
  readonly scaledWeights: Float64Array;
}

/** The transformation M and its two products: where they run (JS or WASM) is the implementation's. */
export interface MatrixTransform {
  /** dirs[k n + i] = (M z_k)_i for k < count. */
  multiply(z: Float64Array, count: number, dirs: Float64Array): void;
  update(update: TransformUpdate): void;
  toRowMajor(): Float64Array;
  setRowMajor(values: ArrayLike<number>): void;
}

/** M = I of dimension n in the WASM kernels when they load and n is large enough, else in JS. */
export function createTransform(n: number, lambda: number, options: { wasm: boolean } = { wasm: n >= WASM_MIN_DIMENSION }): MatrixTransform {
  if (options.wasm) {
    const { transform } = WasmTransform.create(n, lambda);
    if (transform !== null) return transform;
  }
  return new JsTransform(n);
}

export interface MaEsState extends StrategyStateBase {
  readonly kind: 'maes';
  readonly pathSigma: number[];
  /** Row-major n x n transformation matrix M. */
  readonly transform: number[];
}

export class MaEs extends StrategyBase<MaEsState> {
  readonly kind = 'maes';
  private readonly transform: MatrixTransform;
  /** d_k = M z_k of the last ask(). */
  private readonly dirs: Float64Array;

  constructor(options: StrategyOptions) {
    super(options);
    const n = this.dimension;
    this.transform = createTransform(n, this.p.lambda);
    this.dirs = new Float64Array(this.p.lambda * n);
  }

  static restore(state: MaEsState): MaEs {
    const es = new MaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.restoreBase(state);
    es.transform.setRowMajor(state.transform);
    return es;
  }

  protected sample(): void {
    const n = this.dimension;
    const { z, dirs, x, mean, sigma } = this;
    this.transform.multiply(z, this.p.lambda, dirs);
    for (let k = 0; k < this.p.lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) x[row + i] = mean[i] + sigma * dirs[row + i];
    }
  }

  protected update(order: Int32Array): void {
    const n = this.dimension;
    const { weights, mu, c1, cMu } = this.p;
    const { z, dirs } = this;
    const zw = this.recombine(order, z);
    const dw = this.recombine(order, dirs);
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * dw[i];
    const psNorm = this.updatePathSigma(zw);
    const scaledWeights = new Float64Array(mu);
    for (let r = 0; r < mu; r++) scaledWeights[r] = (cMu / 2) * weights[r];
    this.transform.update({ keep: 1 - c1 / 2 - cMu / 2, c1half: c1 / 2, s: this.pathSigma, z, dirs, order, mu, scaledWeights });
    this.adaptSigma(psNorm);
  }

  state(): MaEsState {
    return { ...this.baseState(), kind: 'maes', transform: Array.from(this.transform.toRowMajor()) };
  }
}

/** M in a row-major Float64Array, the products in plain JS (dense-kernels.ts and below). */
export class JsTransform implements MatrixTransform {
  private readonly n: number;
  private readonly m: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) this.m[i * n + i] = 1;
  }

  multiply(z: Float64Array, count: number, dirs: Float64Array): void {
    // d_k = M z_k for all k at once: the rows of M are read count/4 times instead of count times.
    multiplyRows({ matrix: this.m, rows: this.n, vectors: z, count, n: this.n, out: dirs });
  }

  update({ keep, c1half, s, z, dirs, order, mu, scaledWeights }: TransformUpdate): void {
    const { n, m } = this;
    // M <- keep M + (c1/2) (M s) s^T + sum_r (c_mu/2) w_r d_r z_r^T, a rank-(mu+1) update done
    // four rows of M at a time (see updateRows). Each entry gets the same operations in the same
    // order as the plain loops (keep m + a s_j, then the mu terms by rank), so it is bit-identical.
    const coefficients = new Float64Array(mu * 4);
    const ms = new Float64Array(4);
    for (let i = 0; i < n; i += 4) {
      const rows = Math.min(4, n - i);
      // (M s)_i with the rows' old values, before they are overwritten below.
      for (let di = 0; di < rows; di++) {
        const row = (i + di) * n;
        let sum = 0;
        for (let j = 0; j < n; j++) sum += m[row + j] * s[j];
        ms[di] = sum;
      }
      for (let r = 0; r < mu; r++) {
        const dRow = order[r] * n + i;
        for (let di = 0; di < 4; di++) coefficients[r * 4 + di] = di < rows ? scaledWeights[r] * dirs[dRow + di] : 0;
      }
      updateRows({ m, n, first: i, rows, keep, rankOne: ms.map((v) => c1half * v), s, z, order, mu, coefficients });
    }
  }

  toRowMajor(): Float64Array {
    return this.m.slice();
  }

  setRowMajor(values: ArrayLike<number>): void {
    this.m.set(values);
  }
}

/** Column strip of M updated at a time: four rows of it stay in L1 across the mu rank terms. */
const STRIP = 512;

/**
 * Rows first..first+rows-1 of M (rows <= 4): m_ij <- keep m_ij + rankOne_i s_j, then
 * m_ij += coefficients[r][i] z_(order[r]), j for r = 0..mu-1 in order. The rank terms are taken
 * two at a time so that every loaded z_j feeds eight multiply-adds.
 */
function updateRows({
  m,
  n,
  first,
  rows,
  keep,
  rankOne,
  s,
  z,
  order,
  mu,
  coefficients,
}: {
  m: Float64Array;
  n: number;
  first: number;
  rows: number;
  keep: number;
  rankOne: Float64Array;
  s: Float64Array;
  z: Float64Array;
  order: Int32Array;
  mu: number;
  coefficients: Float64Array;
}): void {
  if (rows < 4) {
    for (let di = 0; di < rows; di++) updateOneRow({ m, row: (first + di) * n, n, keep, rankOne: rankOne[di], s, z, order, mu, coefficients, di });
    return;
  }
  const row0 = first * n;
  const row1 = row0 + n;
  const row2 = row1 + n;
  const row3 = row2 + n;
  const [a0, a1, a2, a3] = rankOne;
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = Math.min(n, j0 + STRIP);
    for (let j = j0; j < j1; j++) {
      const sj = s[j];
      m[row0 + j] = keep * m[row0 + j] + a0 * sj;
      m[row1 + j] = keep * m[row1 + j] + a1 * sj;
      m[row2 + j] = keep * m[row2 + j] + a2 * sj;
      m[row3 + j] = keep * m[row3 + j] + a3 * sj;
    }
    let r = 0;
    for (; r + 1 < mu; r += 2) {
      const za = order[r] * n;
      const zb = order[r + 1] * n;
      const ca0 = coefficients[r * 4];
      const ca1 = coefficients[r * 4 + 1];
      const ca2 = coefficients[r * 4 + 2];
      const ca3 = coefficients[r * 4 + 3];
      const cb0 = coefficients[r * 4 + 4];
      const cb1 = coefficients[r * 4 + 5];
      const cb2 = coefficients[r * 4 + 6];
      const cb3 = coefficients[r * 4 + 7];
      for (let j = j0; j < j1; j++) {
        const zaj = z[za + j];
        const zbj = z[zb + j];
        m[row0 + j] = m[row0 + j] + ca0 * zaj + cb0 * zbj;
        m[row1 + j] = m[row1 + j] + ca1 * zaj + cb1 * zbj;
        m[row2 + j] = m[row2 + j] + ca2 * zaj + cb2 * zbj;
        m[row3 + j] = m[row3 + j] + ca3 * zaj + cb3 * zbj;
      }
    }
    for (; r < mu; r++) {
      const za = order[r] * n;
      const c0 = coefficients[r * 4];
      const c1 = coefficients[r * 4 + 1];
      const c2 = coefficients[r * 4 + 2];
      const c3 = coefficients[r * 4 + 3];
      for (let j = j0; j < j1; j++) {
        const zj = z[za + j];
        m[row0 + j] += c0 * zj;
        m[row1 + j] += c1 * zj;
        m[row2 + j] += c2 * zj;
        m[row3 + j] += c3 * zj;
      }
    }
  }
}

/** The same update for a single row (the last rows when n is not a multiple of four). */
function updateOneRow({
  m,
  row,
  n,
  keep,
  rankOne,
  s,
  z,
  order,
  mu,
  coefficients,
  di,
}: {
  m: Float64Array;
  row: number;
  n: number;
  keep: number;
  rankOne: number;
  s: Float64Array;
  z: Float64Array;
  order: Int32Array;
  mu: number;
  coefficients: Float64Array;
  di: number;
}): void {
  for (let j = 0; j < n; j++) m[row + j] = keep * m[row + j] + rankOne * s[j];
  for (let r = 0; r < mu; r++) {
    const zr = order[r] * n;
    const c = coefficients[r * 4 + di];
    for (let j = 0; j < n; j++) m[row + j] += c * z[zr + j];
  }
}
