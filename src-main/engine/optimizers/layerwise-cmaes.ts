// Layerwise CMA-ES: one strategy per layer. For each mini-batch, every layer's strategy runs
// one generation with the other layers held at the current model, and only then are all
// layers replaced by their new values (so the layers do not see each other's same-batch moves).

import type { StrategyOptimizerConfig } from '../../../src-shared/config/experiment.ts';
import type { Batch, ComputeBackend } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import type { StrategyState } from '../strategies/registry.ts';
import { checkStateType, type Optimizer, type OptimizerState, type StepResult } from './optimizer.ts';
import { StrategyGroup } from './strategy-group.ts';

export class LayerwiseCmaEs implements Optimizer {
  readonly description: string;
  private readonly groups: StrategyGroup[];
  private readonly next: Float32Array;
  private readonly layout: MlpLayout;
  private readonly backend: ComputeBackend;

  constructor(layout: MlpLayout, backend: ComputeBackend, config: StrategyOptimizerConfig, initial: Float32Array, seed: number) {
    this.layout = layout;
    this.backend = backend;
    this.groups = layout.layers.map(
      (layer) => new StrategyGroup(layout, backend, config, { first: layer.index, last: layer.index }, initial, seed, 200 + layer.index),
    );
    this.next = new Float32Array(layout.parameterCount);
    this.description = `layerwise_cmaes (${this.groups.map((g) => g.describe()).join('; ')}, sigma0 ${config.sigma0}, model = ${config.model})`;
  }

  step(params: Float32Array, batch: Batch): StepResult {
    let forwardSamples = 0;
    for (const group of this.groups) {
      this.next.set(group.generation(params, batch), group.offset);
      forwardSamples += group.forwardSamples(batch.rows);
    }
    params.set(this.next);
    const after = this.backend.evaluate(this.layout, params, batch);
    return { ...after, forwardSamples, gradientSamples: 0 };
  }

  state(): OptimizerState {
    return { type: 'layerwise_cmaes', strategies: this.groups.map((g) => g.strategy.state()) };
  }

  restore(state: OptimizerState): void {
    checkStateType(state, 'layerwise_cmaes');
    const strategies = state.strategies as StrategyState[];
    if (strategies.length !== this.groups.length) throw new Error(`checkpoint has ${strategies.length} layer strategies, the model ${this.groups.length}`);
    this.groups.forEach((group, l) => group.restore(strategies[l]));
  }
}
