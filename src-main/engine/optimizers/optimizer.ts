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
  state(): unknown;
}
