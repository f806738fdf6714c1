// A trial's result from what its run left: the final metrics of a run that finished, or, for a
// run the method stopped (pruned, or stopped by design), its per-epoch values at the epoch of
// the verdict; epochs it trained after the verdict (before the stop reached it) do not count.
// The study service builds it from the database and the in-process driver from the engine, so
// both tell a method the same thing.

import type { ObjectiveMetric, StudyConfig } from '../../src-shared/config/study.ts';
import { type WireValue } from '../../src-shared/metric-codec.ts';
import { perEpochMetric, type TrialResult } from './method.ts';

/** Final metrics of a finished run (null: not a number). */
export type FinalValues = Readonly<Record<'train_loss' | 'train_acc' | 'val_loss' | 'val_acc' | 'test_loss' | 'test_acc', WireValue>>;

/** Per-epoch values of a run: epoch -> metric -> value. */
export type EpochSeries = ReadonlyMap<number, Readonly<Partial<Record<ObjectiveMetric, WireValue>>>>;

export interface RunOutcome {
  /** done: the run finished; stopped: the method's verdict stopped it at `verdictEpoch`; failed: it failed or was cancelled. */
  readonly ended: 'done' | 'stopped' | 'failed';
  readonly verdict: 'prune' | 'stop' | null;
  readonly verdictEpoch: number | null;
  readonly final: FinalValues | null;
  /** The trial's own epochs (a member started from a checkpoint has no earlier ones). */
  readonly epochs: EpochSeries;
}

/** The test split's counterpart of a metric (what the trials table shows beside the objective). */
export function testCounterpart(metric: ObjectiveMetric): 'test_loss' | 'test_acc' {
  return metric.endsWith('acc') ? 'test_acc' : 'test_loss';
}

export function trialResult(study: StudyConfig, number: number, outcome: RunOutcome): TrialResult & { readonly testValue: number | null } {
  const metric = study.objective.metric;
  const secondary = study.objective.secondary;
  const perEpoch = perEpochMetric(metric);
  const last = outcome.verdict !== null && outcome.verdictEpoch !== null ? outcome.verdictEpoch : Number.POSITIVE_INFINITY;
  const epochs = [...outcome.epochs.keys()].filter((e) => e <= last).sort((a, b) => a - b);
  const curve = epochs.map((e) => [e, outcome.epochs.get(e)?.[perEpoch] ?? null] as const);
  const at = (e: number | undefined, m: ObjectiveMetric): number | null => (e === undefined ? null : (outcome.epochs.get(e)?.[perEpochMetric(m)] ?? null));
  if (outcome.verdict !== null) {
    // Stopped by the method, whether or not its run got to finish meanwhile (T_g = 1).
    const e = epochs[epochs.length - 1];
    return { number, status: outcome.verdict === 'prune' ? 'pruned' : 'stopped', value: at(e, metric), secondary: at(e, secondary), curve, testValue: null };
  }
  if (outcome.ended === 'done' && outcome.final !== null) {
    return {
      number,
      status: 'done',
      value: outcome.final[metric],
      secondary: outcome.final[secondary],
      curve,
      testValue: outcome.final[testCounterpart(metric)],
    };
  }
  return { number, status: 'failed', value: null, secondary: null, curve, testValue: null };
}
