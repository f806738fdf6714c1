// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1),
// with bias-corrected first and second moments, eps added outside the square root as in
// PyTorch's torch.optim.Adam.

import type { Batch, ComputeBackend } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import { checkStateType, type Optimizer, type OptimizerState, type StepResult } from './optimizer.ts';

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export class Adam implements Optimizer {
  readonly description: string;
  private readonly grad: Float32Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  private readonly layout: MlpLayout;
  private readonly backend: ComputeBackend;
  private readonly options: AdamOptions;

  constructor(layout: MlpLayout, backend: ComputeBackend, options: AdamOptions) {
    this.layout = layout;
    this.backend = backend;
    this.options = options;
    this.grad = new Float32Array(layout.parameterCount);
    this.m = new Float64Array(layout.parameterCount);
    this.v = new Float64Array(layout.parameterCount);
    this.description = `adam (lr ${options.lr}, betas ${options.beta1}/${options.beta2})`;
  }

  step(params: Float32Array, batch: Batch): StepResult {
    const before = this.backend.lossAndGradient(this.layout, params, batch, this.grad);
    const { lr, beta1, beta2, eps } = this.options;
    this.t++;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    const { grad, m, v } = this;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (lr * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + eps);
    }
    return { loss: before.loss, accuracy: before.accuracy, forwardSamples: batch.rows, gradientSamples: batch.rows };
  }

  state(): OptimizerState {
    return { type: 'adam', t: this.t, m: Array.from(this.m), v: Array.from(this.v) };
  }

  restore(state: OptimizerState): void {
    checkStateType(state, 'adam');
    this.t = state.t as number;
    this.m.set(state.m as number[]);
    this.v.set(state.v as number[]);
  }
}
