// Whole-model CMA-ES: one strategy over the full flat parameter vector; one generation per
// mini-batch. The strategy variant (full, maes, sep) is chosen by the config or by dimension.

import type { StrategyOptimizerConfig } from '../../../src-shared/config/experiment.ts';
import type { Batch, ComputeBackend } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import type { StrategyState } from '../strategies/registry.ts';
import { checkStateType, type Optimizer, type OptimizerState, type StepResult } from './optimizer.ts';
import { StrategyGroup } from './strategy-group.ts';

export class WholeModelCmaEs implements Optimizer {
  readonly description: string;
  private readonly group: StrategyGroup;
  private readonly layout: MlpLayout;
  private readonly backend: ComputeBackend;

  constructor(layout: MlpLayout, backend: ComputeBackend, config: StrategyOptimizerConfig, initial: Float32Array, seed: number) {
    this.layout = layout;
    this.backend = backend;
    this.group = new StrategyGroup(layout, backend, config, { first: 0, last: layout.layers.length - 1 }, initial, seed, 100);
    this.description = `cmaes (${this.group.describe()}, sigma0 ${config.sigma0}, model = ${config.model})`;
  }

  step(params: Float32Array, batch: Batch): StepResult {
    params.set(this.group.generation(params, batch));
    const after = this.backend.evaluate(this.layout, params, batch);
    return { ...after, forwardSamples: this.group.forwardSamples(batch.rows), gradientSamples: 0 };
  }

  state(): OptimizerState {
    return { type: 'cmaes', strategy: this.group.strategy.state() };
  }

  restore(state: OptimizerState): void {
    checkStateType(state, 'cmaes');
    this.group.restore(state.strategy as StrategyState);
  }
}
