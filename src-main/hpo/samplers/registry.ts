// Every hyperparameter sampler by name: create one from a sampler config, restore one from
// its JSON state. The sampler tests iterate over this registry.

import type { SamplerConfig } from '../../../src-shared/config/study.ts';
import type { SearchSpace } from '../space.ts';
import { CmaEsSampler } from './cmaes.ts';
import { GpSampler } from './gp.ts';
import { RandomSampler } from './random.ts';
import type { Sampler, SamplerKind, SamplerState } from './sampler.ts';
import { TpeSampler } from './tpe.ts';

export const samplerRegistry: Readonly<Record<SamplerKind, { readonly title: string; readonly defaults: SamplerConfig }>> = {
  random: { title: 'random search (Bergstra & Bengio 2012)', defaults: { type: 'random' } },
  tpe: { title: 'TPE (Bergstra et al. 2011)', defaults: { type: 'tpe', startup_trials: 10, gamma: 0.1, candidates: 24 } },
  cmaes: { title: 'CMA-ES on the unit cube', defaults: { type: 'cmaes', sigma0: 0.3 } },
  gp: { title: 'Gaussian-process BO (Matérn-5/2 ARD, log-EI)', defaults: { type: 'gp', startup_trials: 10 } },
};

export const samplerKinds = Object.keys(samplerRegistry) as SamplerKind[];

export function createSampler(config: SamplerConfig, space: SearchSpace, seed: number): Sampler {
  switch (config.type) {
    case 'random':
      return new RandomSampler(space, seed);
    case 'tpe':
      return new TpeSampler(space, seed, { startup: config.startup_trials, gamma: config.gamma, candidates: config.candidates });
    case 'cmaes':
      return new CmaEsSampler(space, seed, { sigma0: config.sigma0, population: config.population });
    case 'gp':
      return new GpSampler(space, seed, { startup: config.startup_trials });
  }
}

export function restoreSampler(state: SamplerState, space: SearchSpace): Sampler {
  switch (state.kind) {
    case 'random':
      return RandomSampler.restore(space, state);
    case 'tpe':
      return TpeSampler.restore(space, state);
    case 'cmaes':
      return CmaEsSampler.restore(space, state);
    case 'gp':
      return GpSampler.restore(space, state);
  }
}
