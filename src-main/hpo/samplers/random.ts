// Random search (Bergstra & Bengio 2012): every proposal uniform over the space (log-uniform
// for log-scaled parameters), independent of results.

import { Rng, type RngState } from '../../engine/rng.ts';
import type { Params, SearchSpace } from '../space.ts';
import type { Proposal, Sampler } from './sampler.ts';

export interface RandomSamplerState {
  readonly kind: 'random';
  readonly rng: RngState;
  readonly nextId: number;
}

export class RandomSampler implements Sampler {
  readonly kind = 'random' as const;
  private readonly space: SearchSpace;
  private readonly rng: Rng;
  private nextId = 0;

  constructor(space: SearchSpace, seed: number) {
    this.space = space;
    this.rng = new Rng(seed, 11);
  }

  static restore(space: SearchSpace, state: RandomSamplerState): RandomSampler {
    const sampler = new RandomSampler(space, 0);
    sampler.rng.restore(state.rng);
    sampler.nextId = state.nextId;
    return sampler;
  }

  ask(): Proposal {
    return { id: this.nextId++, params: this.space.sample(this.rng) };
  }

  tell(): void {}

  observe(_params: Params, _value: number): void {}

  state(): RandomSamplerState {
    return { kind: 'random', rng: this.rng.state(), nextId: this.nextId };
  }
}
