// What the CMA-ES family shares: parameters, seeded sampling of standard normals, the ask/tell
// bookkeeping, weighted recombination, the step-size path and cumulative step-size adaptation
// (Hansen 2016, eqs. 31, 37, 45), and the common part of the serialised state. Each variant
// adds only how it turns z into candidates (sample) and how it adapts its shape (update).

import { Rng } from '../rng.ts';
import { adaptedSigma, rankByFitness, strategyParameters, type StrategyParameters } from './parameters.ts';
import { checkTell, type EvolutionStrategy, type StrategyKind, type StrategyOptions, type StrategyStateBase } from './strategy.ts';

export abstract class StrategyBase<State extends StrategyStateBase> implements EvolutionStrategy<State> {
  abstract readonly kind: StrategyKind;
  readonly dimension: number;
  readonly populationSize: number;
  readonly mean: Float64Array;
  sigma: number;
  generation = 0;
  protected evaluations = 0;
  protected readonly p: StrategyParameters;
  protected readonly rng: Rng;
  protected readonly pathSigma: Float64Array;
  /** Standard normal draws of the last ask(), lambda x n. */
  protected readonly z: Float64Array;
  /** Candidates of the last ask(), lambda x n. */
  protected readonly x: Float64Array;
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
    this.z = new Float64Array(this.p.lambda * n);
    this.x = new Float64Array(this.p.lambda * n);
  }

  /** Fills this.x from this.z (and the variant's own matrices). */
  protected abstract sample(): void;
  /** Adapts mean, shape and step size from the ranking (indices by ascending fitness). */
  protected abstract update(order: Int32Array): void;
  abstract state(): State;

  ask(): Float64Array {
    this.rng.fillNormal(this.z);
    this.sample();
    this.asked = true;
    return this.x;
  }

  tell(fitness: ArrayLike<number>): void {
    checkTell(this.asked, fitness, this.p.lambda);
    this.asked = false;
    this.generation++;
    this.evaluations += this.p.lambda;
    this.update(rankByFitness(fitness));
  }

  /** sum_{r < mu} w_r rows[order[r]]: weighted recombination of the mu best rows (eq. 39). */
  protected recombine(order: Int32Array, rows: Float64Array): Float64Array {
    const n = this.dimension;
    const sum = new Float64Array(n);
    for (let r = 0; r < this.p.mu; r++) {
      const row = order[r] * n;
      const w = this.p.weights[r];
      for (let i = 0; i < n; i++) sum[i] += w * rows[row + i];
    }
    return sum;
  }

  /** p_sigma <- (1 - c_sigma) p_sigma + sqrt(c_sigma (2 - c_sigma) mu_eff) step (eq. 31); returns ||p_sigma||. */
  protected updatePathSigma(step: Float64Array): number {
    const { cSigma, muEff } = this.p;
    const scale = Math.sqrt(cSigma * (2 - cSigma) * muEff);
    let norm2 = 0;
    for (let i = 0; i < this.dimension; i++) {
      this.pathSigma[i] = (1 - cSigma) * this.pathSigma[i] + scale * step[i];
      norm2 += this.pathSigma[i] ** 2;
    }
    return Math.sqrt(norm2);
  }

  /** h_sigma (eq. 45 footnote): stalls the rank-one path while p_sigma is long. */
  protected hSigma(pathNorm: number): 0 | 1 {
    const { cSigma, chiN } = this.p;
    const bias = Math.sqrt(1 - (1 - cSigma) ** (2 * this.generation));
    return pathNorm / bias / chiN < 1.4 + 2 / (this.dimension + 1) ? 1 : 0;
  }

  /** Cumulative step-size adaptation (eq. 37). */
  protected adaptSigma(pathNorm: number): void {
    this.sigma = adaptedSigma(this.sigma, pathNorm, this.p);
  }

  protected baseState(): StrategyStateBase & { readonly pathSigma: number[] } {
    return {
      kind: this.kind,
      dimension: this.dimension,
      populationSize: this.populationSize,
      generation: this.generation,
      evaluations: this.evaluations,
      mean: Array.from(this.mean),
      sigma: this.sigma,
      rng: this.rng.state(),
      pathSigma: Array.from(this.pathSigma),
    };
  }

  protected restoreBase(state: StrategyStateBase & { readonly pathSigma: number[] }): void {
    this.generation = state.generation;
    this.evaluations = state.evaluations;
    this.rng.restore(state.rng);
    this.pathSigma.set(state.pathSigma);
  }
}
