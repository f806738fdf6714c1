// What a trial trains, from its plan: the base config with the plan's hyperparameters (checked
// by the experiment schema again), and for population members exactly T_g more epochs from
// their source's weights, without early stopping; and the checkpoint a member starts from.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { Rng } from '../engine/rng.ts';
import { RNG_STREAM, type RunCheckpoint } from '../engine/train.ts';
import type { TrialPlan } from './method.ts';
import { SearchSpace } from './space.ts';

/** The config of a trial that starts after `startEpoch` epochs (its source's, or 0). */
export function trialConfig(study: StudyConfig, plan: TrialPlan, startEpoch: number): ExperimentConfig {
  const space = new SearchSpace(study.space);
  if (study.tune !== undefined) return space.apply(study.base, plan.params);
  const base = { ...study.base, training: { ...study.base.training, early_stopping: null, max_epochs: startEpoch + plan.epochs } };
  return space.apply(base, plan.params);
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
