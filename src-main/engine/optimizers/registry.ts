// Every training method by its config name. Tests and the CLI iterate over this registry.

import type { OptimizerConfig, OptimizerType } from '../../../src-shared/config/experiment.ts';
import type { ComputeBackend } from '../compute/backend.ts';
import type { MlpLayout } from '../model/mlp.ts';
import { Adam } from './adam.ts';
import { WholeModelCmaEs } from './cmaes.ts';
import { LayerwiseCmaEs } from './layerwise-cmaes.ts';
import type { Optimizer } from './optimizer.ts';
import { Sgd } from './sgd.ts';

export const optimizerTypes: readonly OptimizerType[] = ['sgd', 'adam', 'cmaes', 'layerwise_cmaes'];

/** @param initial the model's initial parameters (the strategies' initial mean). */
export function createOptimizer(config: OptimizerConfig, layout: MlpLayout, backend: ComputeBackend, initial: Float32Array, seed: number): Optimizer {
  switch (config.type) {
    case 'sgd':
      return new Sgd(layout, backend, config);
    case 'adam':
      return new Adam(layout, backend, config);
    case 'cmaes':
      return new WholeModelCmaEs(layout, backend, config, initial, seed);
    case 'layerwise_cmaes':
      return new LayerwiseCmaEs(layout, backend, config, initial, seed);
  }
}
