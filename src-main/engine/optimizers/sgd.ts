// Stochastic gradient descent with optional (heavy-ball) momentum, in PyTorch's form:
// v <- momentum * v + g;  theta <- theta - lr * v.

import type { Batch, ComputeBackend } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import { checkStateType, type Optimizer, type OptimizerState, type StepResult } from './optimizer.ts';

export interface SgdOptions {
  readonly lr: number;
  readonly momentum: number;
}

export class Sgd implements Optimizer {
  readonly description: string;
  private readonly grad: Float32Array;
  private readonly velocity: Float32Array;

  private readonly layout: MlpLayout;
  private readonly backend: ComputeBackend;
  private readonly options: SgdOptions;

  constructor(layout: MlpLayout, backend: ComputeBackend, options: SgdOptions) {
    this.layout = layout;
    this.backend = backend;
    this.options = options;
    this.grad = new Float32Array(layout.parameterCount);
    this.velocity = new Float32Array(layout.parameterCount);
    this.description = `sgd (lr ${options.lr}${options.momentum > 0 ? `, momentum ${options.momentum}` : ''})`;
  }

  step(params: Float32Array, batch: Batch): StepResult {
    const before = this.backend.lossAndGradient(this.layout, params, batch, this.grad);
    const { lr, momentum } = this.options;
    const { grad, velocity } = this;
    if (momentum > 0) {
      for (let i = 0; i < params.length; i++) {
        velocity[i] = momentum * velocity[i] + grad[i];
        params[i] -= lr * velocity[i];
      }
    } else {
      for (let i = 0; i < params.length; i++) params[i] -= lr * grad[i];
    }
    return { loss: before.loss, accuracy: before.accuracy, forwardSamples: batch.rows, gradientSamples: batch.rows };
  }

  state(): OptimizerState {
    return { type: 'sgd', velocity: Array.from(this.velocity) };
  }

  restore(state: OptimizerState): void {
    checkStateType(state, 'sgd');
    this.velocity.set(state.velocity as number[]);
  }
}
