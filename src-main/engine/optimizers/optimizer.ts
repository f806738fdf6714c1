// The interface every training method implements: one step on one mini-batch, updating the
// flat parameter vector in place. A gradient method takes one gradient step; an evolution
// strategy runs one generation (every candidate scored on this batch) and then sets the
// model to the distribution mean (or the generation's best candidate).

import type { Batch } from '../compute/backend.ts';

export interface StepResult {
  /** Mean loss and accuracy of the model on this batch (gradient methods: before the step;
   *  evolution strategies: the new model, since the candidates are not the model). */
  readonly loss: number;
  readonly accuracy: number;
  /** Samples forwarded through the network (every candidate x batch row counts). */
  readonly forwardSamples: number;
  /** Per-sample gradient evaluations (backward passes). */
  readonly gradientSamples: number;
}

export interface Optimizer {
  /** Human-readable description, e.g. "cmaes (sep, lambda 49)". */
  readonly description: string;
  step(params: Float32Array, batch: Batch): StepResult;
  /** JSON-serialisable state (momenta, strategy state), for checkpoints. */
  state(): OptimizerState;
  /** Continues from a state() of an optimizer built from the same config and model. */
  restore(state: OptimizerState): void;
}

/** An optimizer's checkpoint: plain JSON, tagged with the optimizer type it belongs to. */
export interface OptimizerState {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Throws unless `state` was written by an optimizer of type `type`. */
export function checkStateType(state: OptimizerState, type: string): void {
  if (state.type !== type) throw new Error(`checkpoint is for optimizer ${String(state.type)}, not ${type}`);
}
