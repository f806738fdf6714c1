// MA-ES, the Matrix Adaptation Evolution Strategy: H.-G. Beyer and B. Sendhoff, "Simplify Your
// Covariance Matrix Adaptation Evolution Strategy", IEEE TEVC 21(5), 2017 (Fig. 3). It adapts
// a transformation M with C = M M^T directly, so no eigendecomposition is ever needed:
//   d_k = M z_k,  x_k = m + sigma d_k,  m <- m + sigma <d>_w,
//   s <- (1 - c_s) s + sqrt(mu_eff c_s (2 - c_s)) <z>_w,
//   M <- M [I + c1/2 (s s^T - I) + c_mu/2 (<z z^T>_w - I)].
// The M update is expanded as (1 - c1/2 - c_mu/2) M + c1/2 (M s) s^T + c_mu/2 sum w_k d_k z_k^T,
// which reuses d_k = M z_k and costs O(mu n^2); sampling costs O(lambda n^2).

import { StrategyBase } from './strategy-base.ts';
import type { StrategyOptions, StrategyStateBase } from './strategy.ts';

export interface MaEsState extends StrategyStateBase {
  readonly kind: 'maes';
  readonly pathSigma: number[];
  /** Row-major n x n transformation matrix M. */
  readonly transform: number[];
}

export class MaEs extends StrategyBase<MaEsState> {
  readonly kind = 'maes';
  private readonly m: Float64Array;
  /** d_k = M z_k of the last ask(). */
  private readonly dirs: Float64Array;

  constructor(options: StrategyOptions) {
    super(options);
    const n = this.dimension;
    this.m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) this.m[i * n + i] = 1;
    this.dirs = new Float64Array(this.p.lambda * n);
  }

  static restore(state: MaEsState): MaEs {
    const es = new MaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.restoreBase(state);
    es.m.set(state.transform);
    return es;
  }

  protected sample(): void {
    const n = this.dimension;
    const { z, dirs, x, m, mean, sigma } = this;
    for (let k = 0; k < this.p.lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        const mRow = i * n;
        for (let j = 0; j < n; j++) sum += m[mRow + j] * z[row + j];
        dirs[row + i] = sum;
        x[row + i] = mean[i] + sigma * sum;
      }
    }
  }

  protected update(order: Int32Array): void {
    const n = this.dimension;
    const { weights, mu, c1, cMu } = this.p;
    const { z, dirs, m } = this;
    const zw = this.recombine(order, z);
    const dw = this.recombine(order, dirs);
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * dw[i];
    const psNorm = this.updatePathSigma(zw);
    const s = this.pathSigma;
    const ms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += m[i * n + j] * s[j];
      ms[i] = sum;
    }
    const keep = 1 - c1 / 2 - cMu / 2;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const a = (c1 / 2) * ms[i];
      for (let j = 0; j < n; j++) m[row + j] = keep * m[row + j] + a * s[j];
    }
    for (let r = 0; r < mu; r++) {
      const row = order[r] * n;
      const scale = (cMu / 2) * weights[r];
      for (let i = 0; i < n; i++) {
        const a = scale * dirs[row + i];
        const mRow = i * n;
        for (let j = 0; j < n; j++) m[mRow + j] += a * z[row + j];
      }
    }
    this.adaptSigma(psNorm);
  }

  state(): MaEsState {
    return { ...this.baseState(), kind: 'maes', transform: Array.from(this.m) };
  }
}
