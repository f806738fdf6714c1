// CMA-ES as a hyperparameter sampler (as Optuna's CmaEsSampler, Nomura et al.): the engine's
// full CMA-ES (strategies/full-cmaes.ts) searches the unit cube [0,1]^d of the space; one
// generation's lambda candidates are handed out one per trial, and the generation is told
// when all of them have results, so at most lambda trials run at once (ask() returns null
// when it must wait). Candidates outside the cube are evaluated at their projection and told
// f + penalty * distance^2 (repair + penalisation, Hansen's tutorial arXiv:1604.00772, Annex
// B.3 / "boundary handling"); a failed trial counts as the generation's worst value.

import type { StrategyState } from '../../engine/strategies/registry.ts';
import { createStrategy, restoreStrategy } from '../../engine/strategies/registry.ts';
import type { EvolutionStrategy } from '../../engine/strategies/strategy.ts';
import type { Params, SearchSpace } from '../space.ts';
import type { Proposal, Sampler } from './sampler.ts';

export interface CmaEsSamplerOptions {
  readonly sigma0: number;
  readonly population?: number | undefined;
}

interface Generation {
  /** lambda candidates, each a point of R^d (may lie outside the cube). */
  readonly candidates: number[][];
  /** Proposal id of each handed-out candidate. */
  readonly ids: number[];
  /** Objective of each candidate once told (null until then). */
  readonly values: (number | null)[];
}

export interface CmaEsSamplerState {
  readonly kind: 'cmaes';
  /** The strategy as it was before the current generation's ask() (ask is deterministic given it). */
  readonly strategy: StrategyState;
  readonly generation: Generation | null;
  readonly nextId: number;
}

export class CmaEsSampler implements Sampler {
  readonly kind = 'cmaes' as const;
  private readonly space: SearchSpace;
  private strategy: EvolutionStrategy<StrategyState>;
  private generation: Generation | null = null;
  private strategyBeforeAsk: StrategyState | null = null;
  private nextId = 0;

  constructor(space: SearchSpace, seed: number, options: CmaEsSamplerOptions) {
    this.space = space;
    this.strategy = createStrategy('full', {
      mean: new Array<number>(space.size).fill(0.5),
      sigma0: options.sigma0,
      populationSize: options.population,
      seed,
      stream: 12,
    });
  }

  static restore(space: SearchSpace, state: CmaEsSamplerState): CmaEsSampler {
    const sampler = new CmaEsSampler(space, 0, { sigma0: 1 });
    sampler.strategy = restoreStrategy(state.strategy);
    sampler.generation = state.generation === null ? null : structuredClone(state.generation);
    sampler.nextId = state.nextId;
    if (sampler.generation !== null) {
      // Asking again from the saved state draws the same candidates and arms tell().
      sampler.strategyBeforeAsk = state.strategy;
      sampler.strategy.ask();
    }
    return sampler;
  }

  ask(): Proposal | null {
    if (this.generation === null) {
      const lambda = this.strategy.populationSize;
      const d = this.space.size;
      this.strategyBeforeAsk = this.strategy.state();
      const flat = this.strategy.ask();
      this.generation = {
        candidates: Array.from({ length: lambda }, (_, k) => Array.from(flat.subarray(k * d, (k + 1) * d))),
        ids: [],
        values: new Array<number | null>(lambda).fill(null),
      };
    }
    const generation = this.generation;
    if (generation.ids.length === generation.candidates.length) return null;
    const index = generation.ids.length;
    const id = this.nextId++;
    generation.ids.push(id);
    return { id, params: this.space.fromUnit(generation.candidates[index]) };
  }

  tell(id: number, value: number): void {
    const generation = this.generation;
    if (generation === null) return;
    const index = generation.ids.indexOf(id);
    if (index < 0) return;
    generation.values[index] = Number.isFinite(value) ? value : Number.NaN;
    if (generation.values.some((v) => v === null)) return;
    const values = generation.values as number[];
    const finite = values.filter((v) => Number.isFinite(v));
    const worst = finite.length > 0 ? Math.max(...finite) : 0;
    const spread = finite.length > 1 ? worst - Math.min(...finite) : 1;
    const fitness = generation.candidates.map((x, k) => {
      const distance2 = x.reduce((sum, xi) => sum + (xi - Math.min(1, Math.max(0, xi))) ** 2, 0);
      const f = Number.isFinite(values[k]) ? values[k] : worst + spread;
      return f + 10 * (spread || 1) * distance2;
    });
    this.strategy.tell(fitness);
    this.generation = null;
  }

  observe(_params: Params, _value: number): void {}

  state(): CmaEsSamplerState {
    const strategy = this.generation === null || this.strategyBeforeAsk === null ? this.strategy.state() : this.strategyBeforeAsk;
    return { kind: 'cmaes', strategy, generation: this.generation === null ? null : structuredClone(this.generation), nextId: this.nextId };
  }
}
