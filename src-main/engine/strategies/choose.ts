// Which strategy variant a group of parameters gets when the config says "auto". Apart from
// the registry so that checking a config (engine/preflight.ts) does not load the strategies.

import type { StrategyVariant } from '../../../src-shared/config/experiment.ts';
import type { StrategyKind } from './strategy.ts';

/**
 * The automatic choice by dimension d. Full CMA-ES pays an O(d^3) eigendecomposition every
 * O(d / mu_eff) generations (2.4 s at d = 1024 in JS, ../shared/MEASUREMENTS.md), MA-ES
 * O(lambda d^2) per generation, sep-CMA-ES O(lambda d). Thresholds keep the strategy's own
 * cost well below the population's forward pass in the networks Evolab trains.
 */
export function chooseStrategyKind(variant: StrategyVariant, dimension: number): StrategyKind {
  if (variant !== 'auto') return variant;
  if (dimension <= 64) return 'full';
  if (dimension <= 1000) return 'maes';
  return 'sep';
}
