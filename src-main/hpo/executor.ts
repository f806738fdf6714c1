// How a study gets its trials trained: one TrialExecutor interface with two implementations,
// the queue (job processes, parallel slots, crash recovery: queue-executor.ts) for the CLI
// and the app, and in-process training (in-process-executor.ts) for benchmarks and tests.
// Tuning, GPBT and PBT are written against this interface only.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { ObjectiveMetric } from '../../src-shared/config/study.ts';
import { Rng } from '../engine/rng.ts';
import { type FinalMetrics, RNG_STREAM, type RunCheckpoint } from '../engine/train.ts';

export interface EpochValues {
  readonly epoch: number;
  readonly train_loss: number;
  readonly train_acc: number;
  readonly val_loss: number;
  readonly val_acc: number;
}

/** Final train/val/test loss and accuracy (the engine's FinalMetrics). */
export type FinalValues = FinalMetrics;

export interface TrialSpec {
  /** Shown in the queue, e.g. "study 3 trial 12". */
  readonly label: string;
  readonly tags: readonly string[];
  /** The config with the trial's hyperparameters; max_epochs is the epoch to stop at. */
  readonly config: ExperimentConfig;
  readonly seed: number;
  /** RunCheckpoint JSON to start from (a parent's weights), or null to start afresh. */
  readonly checkpoint: string | null;
  /** Keep the final state (other trials will start from these weights). */
  readonly keepCheckpoint: boolean;
  /** After every epoch; returning false stops the trial (pruning, GPBT's early stop). */
  readonly onEpoch?: (values: EpochValues) => boolean;
  /** Once the trial has a run in the queue (to record it, and to re-attach after a crash). */
  readonly onQueued?: (ids: { readonly experimentId: number; readonly runId: number }) => void;
}

export interface TrialOutcome {
  readonly status: 'done' | 'stopped' | 'failed';
  readonly final: FinalValues | null;
  /** The last epoch's values (what a stopped trial has). */
  readonly lastEpoch: EpochValues | null;
  /** The final state, when kept. */
  readonly checkpoint: { readonly id: number | null; readonly state: string } | null;
  readonly error: string | null;
}

export interface TrialExecutor {
  run(spec: TrialSpec): Promise<TrialOutcome>;
  /** Waits for a trial queued before a crash (queue executor only; others start it again). */
  attach?(runId: number, spec: TrialSpec): Promise<TrialOutcome>;
}

/** The objective of an outcome: the final value, or the last epoch's for a stopped trial. */
export function objectiveValue(outcome: TrialOutcome, metric: ObjectiveMetric): number | null {
  if (outcome.final !== null) return outcome.final[metric];
  if (outcome.lastEpoch !== null && (metric === 'val_loss' || metric === 'val_acc' || metric === 'train_loss' || metric === 'train_acc')) {
    return outcome.lastEpoch[metric];
  }
  return null;
}

/**
 * A parent's checkpoint made the start of a child trained with `seed`: same weights and
 * optimizer state, the batch order re-seeded (so siblings see different batches; a child
 * with the parent's seed continues exactly as the parent would have).
 */
export function childCheckpoint(parentState: string, seed: number): string {
  const parent = JSON.parse(parentState) as RunCheckpoint;
  if (parent.seed === seed) return parentState;
  return JSON.stringify({ ...parent, seed, batchOrder: new Rng(seed, RNG_STREAM.batchOrder).state() });
}

/** Completed epochs of a checkpoint. */
export function checkpointEpoch(state: string): number {
  return (JSON.parse(state) as RunCheckpoint).epoch;
}
