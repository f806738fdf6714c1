// Every evolution strategy Evolab offers, by name: create one, restore one from its JSON
// state, and choose one automatically from the dimension. Tests iterate over this registry,
// so a strategy added here is tested like the others.

import type { StrategyVariant } from '../../../src-shared/config/experiment.ts';
import { FullCmaEs, type FullCmaEsState } from './full-cmaes.ts';
import { MaEs, type MaEsState } from './maes.ts';
import { SepCmaEs, type SepCmaEsState } from './sep-cmaes.ts';
import type { EvolutionStrategy, StrategyKind, StrategyOptions } from './strategy.ts';

export type StrategyState = FullCmaEsState | MaEsState | SepCmaEsState;

interface StrategyEntry {
  readonly title: string;
  readonly create: (options: StrategyOptions) => EvolutionStrategy<StrategyState>;
}

export const strategyRegistry: Readonly<Record<StrategyKind, StrategyEntry>> = {
  full: { title: 'CMA-ES (full covariance, Hansen 2016)', create: (o) => new FullCmaEs(o) },
  maes: { title: 'MA-ES (matrix adaptation, Beyer & Sendhoff 2017)', create: (o) => new MaEs(o) },
  sep: { title: 'sep-CMA-ES (diagonal, Ros & Hansen 2008)', create: (o) => new SepCmaEs(o) },
};

export const strategyKinds = Object.keys(strategyRegistry) as StrategyKind[];

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

export function createStrategy(kind: StrategyKind, options: StrategyOptions): EvolutionStrategy<StrategyState> {
  return strategyRegistry[kind].create(options);
}

export function restoreStrategy(state: StrategyState): EvolutionStrategy<StrategyState> {
  switch (state.kind) {
    case 'full':
      return FullCmaEs.restore(state);
    case 'maes':
      return MaEs.restore(state);
    case 'sep':
      return SepCmaEs.restore(state);
  }
}
