// One evolution strategy evolving one contiguous group of layers (the whole model for CMA-ES,
// a single layer for layerwise CMA-ES). A generation: ask lambda candidates for the group's
// slice, score each on the batch with the other layers held at `base`, tell the losses, and
// return the group's new value: the distribution mean, or the generation's best candidate.

import type { StrategyOptimizerConfig } from '../../../src-shared/config/experiment.ts';
import { type Batch, type ComputeBackend, type VaryingLayers, varyingSize } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import { chooseStrategyKind, createStrategy, restoreStrategy, type StrategyState } from '../strategies/registry.ts';
import type { EvolutionStrategy } from '../strategies/strategy.ts';

export class StrategyGroup {
  strategy: EvolutionStrategy<StrategyState>;
  readonly layers: VaryingLayers;
  /** Where the group's slice starts in the flat parameter vector, and its length. */
  readonly offset: number;
  readonly size: number;
  private readonly candidates: Float32Array;
  private readonly losses: Float64Array;
  private readonly value: Float32Array;

  private readonly layout: MlpLayout;
  private readonly backend: ComputeBackend;
  private readonly config: StrategyOptimizerConfig;

  constructor(
    layout: MlpLayout,
    backend: ComputeBackend,
    config: StrategyOptimizerConfig,
    layers: VaryingLayers,
    initial: Float32Array,
    seed: number,
    stream: number,
  ) {
    this.layout = layout;
    this.backend = backend;
    this.config = config;
    this.layers = layers;
    this.offset = layout.layers[layers.first].offset;
    this.size = varyingSize(layout, layers);
    const kind = chooseStrategyKind(config.variant, this.size);
    this.strategy = createStrategy(kind, {
      mean: initial.subarray(this.offset, this.offset + this.size),
      sigma0: config.sigma0,
      populationSize: config.population,
      seed,
      stream,
    });
    this.candidates = new Float32Array(this.strategy.populationSize * this.size);
    this.losses = new Float64Array(this.strategy.populationSize);
    this.value = new Float32Array(this.size);
  }

  /** Runs one generation on `batch` (other layers from `base`); returns the group's new slice. */
  generation(base: Float32Array, batch: Batch): Float32Array {
    const x = this.strategy.ask();
    this.candidates.set(x); // float64 -> float32, the precision the network computes in
    const count = this.strategy.populationSize;
    this.backend.populationLosses({ layout: this.layout, base, varying: this.layers, candidates: this.candidates, count, batch, out: this.losses });
    let best = 0;
    for (let k = 1; k < count; k++) if (this.losses[k] < this.losses[best]) best = k;
    if (this.config.model === 'best') this.value.set(this.candidates.subarray(best * this.size, (best + 1) * this.size));
    this.strategy.tell(this.losses);
    if (this.config.model === 'mean') this.value.set(this.strategy.mean);
    return this.value;
  }

  /** Samples forwarded per generation. */
  forwardSamples(rows: number): number {
    return this.strategy.populationSize * rows;
  }

  /** Continues from a strategy state saved by this group (same kind, dimension and lambda). */
  restore(state: StrategyState): void {
    const s = this.strategy;
    if (state.kind !== s.kind || state.dimension !== s.dimension || state.populationSize !== s.populationSize) {
      throw new Error(`checkpoint holds a ${state.kind} strategy (d ${state.dimension}, lambda ${state.populationSize}), not ${this.describe()}`);
    }
    this.strategy = restoreStrategy(state);
  }

  describe(): string {
    return `${this.strategy.kind} d=${this.size} lambda=${this.strategy.populationSize}`;
  }
}
