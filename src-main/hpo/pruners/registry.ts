// Every pruner by name: create one from a pruner config (as `tune.pruning` gives it). The
// pruner tests iterate over this registry. Pruners are stateless functions of the question,
// so unlike samplers they have no state to save and restore.

import type { PrunerConfig } from '../../../src-shared/config/study.ts';
import { AshaPruner } from './asha.ts';
import { HyperbandPruner } from './hyperband.ts';
import { MedianPruner } from './median.ts';
import type { Pruner, PrunerKind } from './pruner.ts';

/** Defaults equal the study schema's (pruners.test.ts checks it). */
export const prunerRegistry: Readonly<Record<PrunerKind, { readonly title: string; readonly defaults: PrunerConfig }>> = {
  median: { title: 'median stopping (Optuna MedianPruner)', defaults: { type: 'median', startup_trials: 5, warmup_epochs: 2 } },
  asha: {
    title: 'ASHA, asynchronous successive halving (Li et al. 2020)',
    defaults: { type: 'asha', min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 0 },
  },
  hyperband: { title: 'Hyperband (Li et al. 2018)', defaults: { type: 'hyperband', min_resource: 1, reduction_factor: 3 } },
};

export const prunerKinds = Object.keys(prunerRegistry) as PrunerKind[];

export interface PrunerOptions {
  /** Epochs of a fully trained trial (the base config's max_epochs): Hyperband's default max_resource. */
  readonly maxEpochs: number;
}

export function createPruner(config: PrunerConfig, options: PrunerOptions): Pruner {
  switch (config.type) {
    case 'median':
      return new MedianPruner({ startupTrials: config.startup_trials, warmupEpochs: config.warmup_epochs });
    case 'asha':
      return new AshaPruner({
        minResource: config.min_resource,
        reductionFactor: config.reduction_factor,
        minEarlyStoppingRate: config.min_early_stopping_rate,
      });
    case 'hyperband':
      return new HyperbandPruner({
        minResource: config.min_resource,
        maxResource: config.max_resource ?? options.maxEpochs,
        reductionFactor: config.reduction_factor,
      });
  }
}
