// sep-CMA-ES: CMA-ES restricted to a diagonal covariance matrix, R. Ros and N. Hansen, "A
// Simple Modification in CMA-ES Achieving Linear Time and Space Complexity", PPSN X (2008).
// Same recombination, paths and step-size control as the full algorithm; the covariance
// learning rates are multiplied by (n + 2) / 3 because only n entries are learned (Ros & Hansen,
// Sect. 2). Cost per generation O(lambda n): the default for large models.

import { StrategyBase } from './strategy-base.ts';
import type { StrategyOptions, StrategyStateBase } from './strategy.ts';

export interface SepCmaEsState extends StrategyStateBase {
  readonly kind: 'sep';
  readonly pathSigma: number[];
  readonly pathC: number[];
  /** The diagonal of C. */
  readonly variances: number[];
}

export class SepCmaEs extends StrategyBase<SepCmaEsState> {
  readonly kind = 'sep';
  private readonly c1: number;
  private readonly cMu: number;
  private readonly pathC: Float64Array;
  private readonly variances: Float64Array;

  constructor(options: StrategyOptions) {
    super(options);
    const n = this.dimension;
    this.c1 = Math.min(1, (this.p.c1 * (n + 2)) / 3);
    this.cMu = Math.min(1 - this.c1, (this.p.cMu * (n + 2)) / 3);
    this.pathC = new Float64Array(n);
    this.variances = new Float64Array(n).fill(1);
  }

  static restore(state: SepCmaEsState): SepCmaEs {
    const es = new SepCmaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.restoreBase(state);
    es.pathC.set(state.pathC);
    es.variances.set(state.variances);
    return es;
  }

  protected sample(): void {
    const n = this.dimension;
    const { x, z, mean } = this;
    const scale = new Float64Array(n);
    for (let i = 0; i < n; i++) scale[i] = this.sigma * Math.sqrt(this.variances[i]);
    for (let k = 0; k < this.p.lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) x[row + i] = mean[i] + scale[i] * z[row + i];
    }
  }

  protected update(order: Int32Array): void {
    const n = this.dimension;
    const { weights, mu, muEff, cc } = this.p;
    const { c1, cMu, variances, z } = this;
    const zw = this.recombine(order, z);
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * Math.sqrt(variances[i]) * zw[i];
    // With a diagonal C, C^(-1/2) <y>_w is simply <z>_w.
    const psNorm = this.updatePathSigma(zw);
    const hSigma = this.hSigma(psNorm);
    const ccn = hSigma * Math.sqrt(cc * (2 - cc) * muEff);
    const decay = 1 - c1 - cMu + (1 - hSigma) * c1 * cc * (2 - cc);
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(variances[i]);
      this.pathC[i] = (1 - cc) * this.pathC[i] + ccn * sd * zw[i];
      let rankMu = 0;
      for (let r = 0; r < mu; r++) {
        const yi = sd * z[order[r] * n + i];
        rankMu += weights[r] * yi * yi;
      }
      variances[i] = decay * variances[i] + c1 * this.pathC[i] ** 2 + cMu * rankMu;
    }
    this.adaptSigma(psNorm);
  }

  state(): SepCmaEsState {
    return { ...this.baseState(), kind: 'sep', pathC: Array.from(this.pathC), variances: Array.from(this.variances) };
  }
}
