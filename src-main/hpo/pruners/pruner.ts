// The contract every pruner implements: from a trial's intermediate objective values (one per
// epoch, already negated when the objective is maximised, so lower is better) and those of the
// trials it may compare with, decide whether the trial stops after this epoch. A pruner is a
// pure function of what it is given: the tuning study decides which earlier trials are visible
// to trial k (those that had finished before k was proposed), so a decision never depends on
// timing, slots or restarts, and is the same when it is replayed after a crash.

import type { PrunerConfig } from '../../../src-shared/config/study.ts';

export type PrunerKind = PrunerConfig['type'];

/** Intermediate values of one trial: epoch -> value (minimised; NaN for a diverged epoch). */
export type Curve = ReadonlyMap<number, number>;

export interface PruneQuestion {
  /** The trial's number in its study (1-based); Hyperband uses it to pick the trial's bracket. */
  readonly trial: number;
  /** The epoch just completed (1-based). */
  readonly epoch: number;
  /** The trial's values up to and including `epoch`. */
  readonly curve: Curve;
  /** Curves of the trials this decision may look at, by trial number (never the trial itself). */
  readonly others: ReadonlyMap<number, Curve>;
}

export interface Pruner {
  readonly kind: PrunerKind;
  /** True: stop the trial now (it is recorded as pruned with its value at this epoch). */
  shouldPrune(question: PruneQuestion): boolean;
}
