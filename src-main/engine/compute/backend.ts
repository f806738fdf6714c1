// The compute contract the optimizers and the training loop use. A backend evaluates one
// model (metrics, or loss and gradient) or a whole population of candidate parameter vectors
// on one batch. The hand-written JS backend (js-backend.ts) is the reference; others must
// agree with it to float32 rounding.

import type { MlpLayout } from '../model/mlp.ts';

/** Rows of a data set: x is rows x features (row-major), y the class indices. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
}

export interface Evaluation {
  /** Mean cross-entropy. */
  readonly loss: number;
  readonly accuracy: number;
}

/** Layers first..last (inclusive) vary across the population; the others are shared. */
export interface VaryingLayers {
  readonly first: number;
  readonly last: number;
}

export interface ComputeBackend {
  /** Recorded on every run: e.g. "js (float32, 1 thread)". */
  readonly name: string;

  /** Mean loss and accuracy of `params` over all rows (in chunks). */
  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation;

  /** Loss of `params` on `batch`; writes d(mean loss)/d(params) into `grad` (overwritten). */
  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation;

  /** Writes the mean loss of each candidate of `scoring` on its batch into `scoring.out`. */
  populationLosses(scoring: CandidateBatch): void;
}

/**
 * One generation to score: `count` candidates on `batch`. Candidate c is `base` with the
 * parameters of the varying layers replaced by candidates[c*dv .. (c+1)*dv), where dv is the
 * size of those layers (their slice of the flat vector).
 */
export interface CandidateBatch {
  readonly layout: MlpLayout;
  readonly base: Float32Array;
  readonly varying: VaryingLayers;
  readonly candidates: Float32Array;
  readonly count: number;
  readonly batch: Batch;
  /** Receives count mean losses. */
  readonly out: Float64Array;
}

/** Size of the slice of the flat vector that layers first..last occupy. */
export function varyingSize(layout: MlpLayout, varying: VaryingLayers): number {
  const first = layout.layers[varying.first];
  const last = layout.layers[varying.last];
  return last.offset + last.size - first.offset;
}
