// sep-CMA-ES: CMA-ES restricted to a diagonal covariance matrix, R. Ros and N. Hansen, "A
// Simple Modification in CMA-ES Achieving Linear Time and Space Complexity", PPSN X (2008).
// Same recombination, paths and step-size control as the full algorithm; the covariance
// learning rates are multiplied by (n + 2) / 3 because only n entries are learned (Ros & Hansen,
// Sect. 2). Cost per generation O(lambda n): the default for large models.

import { Rng } from '../rng.ts';
import { adaptedSigma, rankByFitness, strategyParameters, type StrategyParameters } from './parameters.ts';
import { checkTell, type EvolutionStrategy, type StrategyOptions, type StrategyStateBase } from './strategy.ts';

export interface SepCmaEsState extends StrategyStateBase {
  readonly kind: 'sep';
  readonly pathSigma: number[];
  readonly pathC: number[];
  /** The diagonal of C. */
  readonly variances: number[];
}

export class SepCmaEs implements EvolutionStrategy<SepCmaEsState> {
  readonly kind = 'sep';
  readonly dimension: number;
  readonly populationSize: number;
  readonly mean: Float64Array;
  sigma: number;
  generation = 0;
  private evaluations = 0;
  private readonly p: StrategyParameters;
  private readonly c1: number;
  private readonly cMu: number;
  private readonly rng: Rng;
  private readonly pathSigma: Float64Array;
  private readonly pathC: Float64Array;
  private readonly variances: Float64Array;
  private readonly z: Float64Array;
  private readonly x: Float64Array;
  private asked = false;

  constructor(options: StrategyOptions) {
    const n = options.mean.length;
    this.dimension = n;
    this.p = strategyParameters(n, options.populationSize);
    this.populationSize = this.p.lambda;
    this.c1 = Math.min(1, (this.p.c1 * (n + 2)) / 3);
    this.cMu = Math.min(1 - this.c1, (this.p.cMu * (n + 2)) / 3);
    this.mean = Float64Array.from(options.mean);
    this.sigma = options.sigma0;
    this.rng = new Rng(options.seed, options.stream ?? 0);
    this.pathSigma = new Float64Array(n);
    this.pathC = new Float64Array(n);
    this.variances = new Float64Array(n).fill(1);
    this.z = new Float64Array(this.p.lambda * n);
    this.x = new Float64Array(this.p.lambda * n);
  }

  static restore(state: SepCmaEsState): SepCmaEs {
    const es = new SepCmaEs({ mean: state.mean, sigma0: state.sigma, populationSize: state.populationSize, seed: 0 });
    es.generation = state.generation;
    es.evaluations = state.evaluations;
    es.rng.restore(state.rng);
    es.pathSigma.set(state.pathSigma);
    es.pathC.set(state.pathC);
    es.variances.set(state.variances);
    return es;
  }

  ask(): Float64Array {
    const n = this.dimension;
    const { x, z, mean } = this;
    this.rng.fillNormal(z);
    const scale = new Float64Array(n);
    for (let i = 0; i < n; i++) scale[i] = this.sigma * Math.sqrt(this.variances[i]);
    for (let k = 0; k < this.p.lambda; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) x[row + i] = mean[i] + scale[i] * z[row + i];
    }
    this.asked = true;
    return this.x;
  }

  tell(fitness: ArrayLike<number>): void {
    checkTell(this.asked, fitness, this.p.lambda);
    this.asked = false;
    const n = this.dimension;
    const { weights, mu, muEff, cSigma, cc } = this.p;
    const { c1, cMu, variances, z } = this;
    const order = rankByFitness(fitness);
    const zw = new Float64Array(n);
    for (let r = 0; r < mu; r++) {
      const row = order[r] * n;
      for (let i = 0; i < n; i++) zw[i] += weights[r] * z[row + i];
    }
    const csn = Math.sqrt(cSigma * (2 - cSigma) * muEff);
    let psNorm2 = 0;
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(variances[i]);
      this.mean[i] += this.sigma * sd * zw[i];
      // With a diagonal C, C^(-1/2) <y>_w is simply <z>_w.
      this.pathSigma[i] = (1 - cSigma) * this.pathSigma[i] + csn * zw[i];
      psNorm2 += this.pathSigma[i] ** 2;
    }
    this.generation++;
    this.evaluations += this.p.lambda;
    const psNorm = Math.sqrt(psNorm2);
    const hSigma = psNorm / Math.sqrt(1 - (1 - cSigma) ** (2 * this.generation)) / this.p.chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
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
    this.sigma = adaptedSigma(this.sigma, psNorm, this.p);
  }

  state(): SepCmaEsState {
    return {
      kind: 'sep',
      dimension: this.dimension,
      populationSize: this.populationSize,
      generation: this.generation,
      evaluations: this.evaluations,
      mean: Array.from(this.mean),
      sigma: this.sigma,
      rng: this.rng.state(),
      pathSigma: Array.from(this.pathSigma),
      pathC: Array.from(this.pathC),
      variances: Array.from(this.variances),
    };
  }
}
