// The New study view's method defaults equal the service's registry (METHOD_DEFAULTS), and a
// sampler or pruner chosen in the form gets the schema's own option defaults.
import { describe, expect, it } from 'vitest';
import { METHOD_DEFAULTS } from '../../../src-main/hpo/methods.ts';
import { methodDefaults, prunerDefaults, samplerDefaults } from './method-defaults.ts';

describe('study method defaults', () => {
  it('equal the service registry', () => {
    expect(methodDefaults()).toEqual(JSON.parse(JSON.stringify(METHOD_DEFAULTS)));
  });

  it('fill in a sampler or pruner from the schema', () => {
    expect(samplerDefaults('tpe')).toEqual({ type: 'tpe', startup_trials: 10, gamma: 0.1, candidates: 24 });
    expect(samplerDefaults('cmaes')).toEqual({ type: 'cmaes', sigma0: 0.3 });
    expect(samplerDefaults('random')).toEqual({ type: 'random' });
    expect(prunerDefaults('none')).toBeNull();
    expect(prunerDefaults('median')).toEqual({ type: 'median', startup_trials: 5, warmup_epochs: 2 });
    expect(prunerDefaults('asha')).toEqual({ type: 'asha', min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 0 });
  });

  it('returns fresh copies', () => {
    const a = methodDefaults();
    a.gpbt.n = 99;
    expect(methodDefaults().gpbt.n).toBe(8);
  });
});
