// MA-ES, the Matrix Adaptation Evolution Strategy: H.-G. Beyer and B. Sendhoff, "Simplify Your
// Covariance Matrix Adaptation Evolution Strategy", IEEE TEVC 21(5), 2017 (Fig. 3). It adapts
// a transformation M with C = M M^T directly, so no eigendecomposition is ever needed:
//   d_k = M z_k,  x_k = m + sigma d_k,  m <- m + sigma <d>_w,
//   s <- (1 - c_s) s + sqrt(mu_eff c_s (2 - c_s)) <z>_w,
//   M <- M [I + c1/2 (s s^T - I) + c_mu/2 (<z z^T>_w - I)].
// The M update is expanded as (1 - c1/2 - c_mu/2) M + c1/2 (M s) s^T + c_mu/2 sum w_k d_k z_k^T,
// which reuses d_k = M z_k and costs O(mu n^2); sampling costs O(lambda n^2).

import { Rng } from '../rng.ts';
import { adaptedSigma, rankByFitness, strategyParameters, type StrategyParameters } from './parameters.ts';
import { checkTell, type EvolutionStrategy, type StrategyOptions, type StrategyStateBase } from './strategy.ts';

export interface MaEsState extends StrategyStateBase {
  readonly kind: 'maes';
  readonly pathSigma: number[];
  /** Row-major n x n transformation matrix M. */
  readonly transform: number[];
}

export class MaEs implements EvolutionStrategy<MaEsState> {
  readonly kind = 'maes';
  readonly dimension: number;
  readonly populationSize: number;
  readonly mean: Float64Array;
  sigma: number;
  generation = 0;
  private evaluations = 0;
  private readonly p: StrategyParameters;
  private readonly rng: Rng;
  private readonly pathSigma: Float64Array;
  private readonly m: Float64Array;
  private readonly z: Float64Array;
  private readonly dirs: Float64Array;
  private readonly x: Float64Array;
  private asked = false;

  constructor(options: StrategyOptions) {
    const n = options.mean.length;
    this.dimension = n;
    this.p = strategyParameters(n, options.populationSize);
    this.populationSize = this.p.lambda;
    this.mean = Float64Array.from(options.mean);
    this.sigma = options.sigma0;
    this.rng = new Rng(options.seed, options.stream ?? 0);
    this.pathSigma = new Float64Array(n);
    this.m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) this.m[i * n + i] = 1;
    this.z = new Float64Array(this.p.lambda * n);
    this.dirs = new Float64Array(this.p.lambda * n);
    this.x = new Float64Array(this.p.lambda * n);
  }

  static restore(state: MaEsState): MaEs {
    const es = new MaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.generation = state.generation;
    es.evaluations = state.evaluations;
    es.rng.restore(state.rng);
    es.pathSigma.set(state.pathSigma);
    es.m.set(state.transform);
    return es;
  }

  ask(): Float64Array {
    const n = this.dimension;
    const { z, dirs, x, m } = this;
    this.rng.fillNormal(z);
    for (let k = 0; k < this.p.lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        const mRow = i * n;
        for (let j = 0; j < n; j++) sum += m[mRow + j] * z[row + j];
        dirs[row + i] = sum;
        x[row + i] = this.mean[i] + this.sigma * sum;
      }
    }
    this.asked = true;
    return x;
  }

  tell(fitness: ArrayLike<number>): void {
    checkTell(this.asked, fitness, this.p.lambda);
    this.asked = false;
    const n = this.dimension;
    const { weights, mu, muEff, cSigma, c1, cMu } = this.p;
    const { z, dirs, m } = this;
    const order = rankByFitness(fitness);
    const zw = new Float64Array(n);
    const dw = new Float64Array(n);
    for (let r = 0; r < mu; r++) {
      const row = order[r] * n;
      for (let i = 0; i < n; i++) {
        zw[i] += weights[r] * z[row + i];
        dw[i] += weights[r] * dirs[row + i];
      }
    }
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * dw[i];
    const csn = Math.sqrt(cSigma * (2 - cSigma) * muEff);
    let psNorm2 = 0;
    for (let i = 0; i < n; i++) {
      this.pathSigma[i] = (1 - cSigma) * this.pathSigma[i] + csn * zw[i];
      psNorm2 += this.pathSigma[i] ** 2;
    }
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
    this.generation++;
    this.evaluations += this.p.lambda;
    this.sigma = adaptedSigma(this.sigma, Math.sqrt(psNorm2), this.p);
  }

  state(): MaEsState {
    return {
      kind: 'maes',
      dimension: this.dimension,
      populationSize: this.populationSize,
      generation: this.generation,
      evaluations: this.evaluations,
      mean: Array.from(this.mean),
      sigma: this.sigma,
      rng: this.rng.state(),
      pathSigma: Array.from(this.pathSigma),
      transform: Array.from(this.m),
    };
  }
}
