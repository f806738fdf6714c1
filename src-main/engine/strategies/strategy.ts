// The ask/tell contract every evolution strategy implements (in the style of the cmaes and
// evosax libraries): ask() samples a population, tell() takes its fitness (lower is better)
// and updates the search distribution. A strategy owns a seeded RNG, and its whole state is a
// JSON value, so a run can checkpoint after any generation and resume bit-identically.

import type { RngState } from '../rng.ts';

export type StrategyKind = 'full' | 'maes' | 'sep';

export interface StrategyOptions {
  /** Initial mean (its length is the dimension). */
  readonly mean: ArrayLike<number>;
  readonly sigma0: number;
  /** Population size lambda; default 4 + floor(3 ln d). */
  readonly populationSize?: number | undefined;
  readonly seed: number;
  /** Independent RNG stream for the same seed (e.g. one per layer). */
  readonly stream?: number;
}

/** What every strategy's state has in common; each kind adds its own matrices. */
export interface StrategyStateBase {
  readonly kind: StrategyKind;
  readonly dimension: number;
  readonly populationSize: number;
  readonly generation: number;
  readonly evaluations: number;
  readonly mean: number[];
  readonly sigma: number;
  readonly rng: RngState;
}

export interface EvolutionStrategy<State extends StrategyStateBase = StrategyStateBase> {
  readonly kind: StrategyKind;
  readonly dimension: number;
  readonly populationSize: number;
  /** Generations told so far. */
  readonly generation: number;
  /** Current distribution mean (a view: do not modify). */
  readonly mean: Float64Array;
  readonly sigma: number;

  /** Samples lambda candidates: a lambda x dimension row-major matrix (a reused buffer). */
  ask(): Float64Array;
  /** Fitness of the candidates of the last ask(), in the same order; lower is better. */
  tell(fitness: ArrayLike<number>): void;
  state(): State;
}

/** Throws unless tell() follows an ask() with one fitness per candidate. */
export function checkTell(asked: boolean, fitness: ArrayLike<number>, lambda: number): void {
  if (!asked) throw new Error('tell() called without a preceding ask()');
  if (fitness.length !== lambda) throw new Error(`tell() expects ${lambda} fitness values, got ${fitness.length}`);
}
