// Every evolution strategy Evolab offers, by name: create one, restore one from its JSON
// state, and choose one automatically from the dimension. Tests iterate over this registry,
// so a strategy added here is tested like the others.

import { FullCmaEs, type FullCmaEsState } from './full-cmaes.ts';
import { MaEs, type MaEsState } from './maes.ts';
import { SepCmaEs, type SepCmaEsState } from './sep-cmaes.ts';
import type { EvolutionStrategy, StrategyKind, StrategyOptions } from './strategy.ts';
import { chooseStrategyKind } from './choose.ts';

export { chooseStrategyKind };

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
