// The contract of a study method (tuning, GPBT, PBT) as a pure, serialisable state machine:
//   ask()   -> the trials to start now (none while it waits for results);
//   judge() -> after an epoch of a running trial: go on, or stop it (pruning, GPBT's early stop);
//   tell()  -> a trial's result.
// A method imports no store, queue or service: the study service (src-main/services) owns
// the lifecycle, stores each trial with the method's state in one transaction, and feeds the
// results it reads back from the database. Everything a method decides is a function of its
// state and of results of trials it has been told, never of timing: trial numbers, seeds and
// the order in which results are used are fixed by the method itself, so a study gives the
// same trials with 1 slot or 10, and after any number of restarts.

import { metricDirection, type Objective, type ObjectiveMetric, type StudyConfig } from '../../src-shared/config/study.ts';
import type { Params } from './space.ts';

export type StudyKind = 'tune' | 'gpbt' | 'pbt';

/** How a trial relates to the one it starts from (the genealogy's edge kinds). */
export type LineageKind = 'weights' | 'hparams';

/** A trial to start. */
export interface TrialPlan {
  /** Its number in the study (0, 1, ...), fixed by the method whatever the order of results. */
  readonly number: number;
  readonly generation: number;
  /** Slot in the population (GPBT/PBT); 0 for tuning. */
  readonly member: number;
  readonly params: Params;
  /** Seed of its run (initialisation, batch order, strategies' sampling). */
  readonly seed: number;
  /** Epochs it trains, counted from where it starts (scratch, or its source's last epoch). */
  readonly epochs: number;
  /** The earlier trial whose final weights and optimizer state it starts from, and the edges to record. */
  readonly source: { readonly trial: number; readonly kinds: readonly LineageKind[] } | null;
  /** Keep its final checkpoint: later trials start from its weights. */
  readonly keepCheckpoint: boolean;
  /** Tuning: the sampler's proposal id (stored with the trial). */
  readonly proposal: number | null;
}

/** A finished trial, as read back from the database (so a replay after a crash reads the same). */
export interface TrialResult {
  readonly number: number;
  /** done: trained to its end; pruned / stopped: stopped by the method's verdict; failed: its run failed or was cancelled. */
  readonly status: 'done' | 'pruned' | 'stopped' | 'failed';
  /** The objective and the tie-break metric, as configured (not negated); null when unknown. */
  readonly value: number | null;
  readonly secondary: number | null;
  /** The objective's per-epoch values over this trial's own epochs: [epoch, value] (null: not a number). */
  readonly curve: readonly (readonly [number, number | null])[];
}

/** continue: train on; prune: a pruner stops it; stop: the method stops it by design (GPBT early stop). */
export type Verdict = 'continue' | 'prune' | 'stop';

export interface StudyMethod<State> {
  readonly kind: StudyKind;
  /** Trials the study will make in all (the budget), for progress displays. */
  readonly budget: number;
  /** True once every trial is told and nothing is left to ask. */
  readonly finished: boolean;
  /** Why the study cannot go on (e.g. every member of a generation failed), or null. */
  readonly failure: string | null;
  ask(): TrialPlan[];
  /** After the epoch at the end of `curve` (its own epochs so far) of running trial `number`. */
  judge(number: number, curve: readonly (readonly [number, number | null])[]): Verdict;
  tell(result: TrialResult): void;
  /** The winning trial's number once finished (best objective, ties by the secondary metric, then the earlier trial). */
  best(): number | null;
  state(): State;
}

/** Which method a study config asks for (tune when it names none). */
export function studyKind(study: Pick<StudyConfig, 'gpbt' | 'pbt'>): StudyKind {
  return study.gpbt !== undefined ? 'gpbt' : study.pbt !== undefined ? 'pbt' : 'tune';
}

/** The per-epoch counterpart of an objective metric: test metrics exist only at the end, so their validation twin. */
export function perEpochMetric(metric: ObjectiveMetric): 'val_loss' | 'val_acc' | 'train_loss' | 'train_acc' {
  if (metric === 'test_loss') return 'val_loss';
  if (metric === 'test_acc') return 'val_acc';
  return metric;
}

/** The value samplers and selection minimise: negated when maximised; a missing or NaN value is the worst. */
export function minimisedValue(direction: Objective['direction'], value: number | null): number {
  if (value === null || Number.isNaN(value)) return Number.POSITIVE_INFINITY;
  return direction === 'maximize' ? -value : value;
}

/** A ranked trial: minimised objective, minimised tie-break, number. */
export interface Ranked {
  readonly number: number;
  readonly score: number;
  readonly tie: number;
}

export function ranked(study: Pick<StudyConfig, 'objective'>, number: number, value: number | null, secondary: number | null): Ranked {
  return {
    number,
    score: minimisedValue(study.objective.direction, value),
    tie: minimisedValue(metricDirection(study.objective.secondary), secondary),
  };
}

function order(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0; // Infinity ties with Infinity (no NaN from Infinity - Infinity)
}

/** Best first: lower objective, then lower tie-break, then the earlier trial. */
export function compareRanked(a: Ranked, b: Ranked): number {
  return order(a.score, b.score) || order(a.tie, b.tie) || a.number - b.number;
}

/** The `count` best, best first. */
export function selectBest<T extends Ranked>(items: readonly T[], count: number): T[] {
  return [...items].sort(compareRanked).slice(0, count);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
