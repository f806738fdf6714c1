// One parametrised test over every sampler of the registry: proposals stay in the space and
// have the parameter's type, equal seeds propose equally, a sampler restored from its JSON
// state mid-study proposes what the original would have; and, on a 2-D and a 6-D synthetic
// objective, TPE, CMA-ES and GP-BO reach a better best value than random search after 50 trials
// (20 seeds, one-sided Mann-Whitney U, p < 0.05).
import { describe, expect, it } from 'vitest';
import type { Parameter, SamplerConfig } from '../../../src-shared/config/study.ts';
import { mannWhitneyU } from '../../../src-shared/stats/mann-whitney.ts';
import { type Params, SearchSpace } from '../space.ts';
import { createSampler, restoreSampler, samplerKinds, samplerRegistry } from './registry.ts';
import type { Sampler } from './sampler.ts';

const mixedSpace = new SearchSpace({
  'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 },
  'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 },
  'training.batch_size': { type: 'int', low: 8, high: 512, log: true },
  'optimizer.population': { type: 'int', low: 4, high: 20, log: false },
  'model.activation': { type: 'categorical', choices: ['sigmoid', 'tanh', 'relu'] },
});

function inSpace(space: SearchSpace, params: Params): boolean {
  return space.dimensions.every(({ path, parameter }) => {
    const v = params[path];
    if (parameter.type === 'categorical') return parameter.choices.includes(v);
    if (typeof v !== 'number') return false;
    if (parameter.type === 'int' && !Number.isInteger(v)) return false;
    return v >= parameter.low && v <= parameter.high;
  });
}

/** Runs `trials` sequential trials (ask, evaluate, tell); returns the best value and the proposals. */
function optimise(sampler: Sampler, objective: (p: Params) => number, trials: number): { best: number; proposals: Params[] } {
  let best = Number.POSITIVE_INFINITY;
  const proposals: Params[] = [];
  for (let t = 0; t < trials; t++) {
    const proposal = sampler.ask();
    if (proposal === null) throw new Error('a sequential study never has to wait');
    const value = objective(proposal.params);
    sampler.tell(proposal.id, value);
    proposals.push(proposal.params);
    best = Math.min(best, value);
  }
  return { best, proposals };
}

const toyObjective = (p: Params) =>
  (Math.log10(Number(p['optimizer.lr'])) + 2) ** 2 + (Number(p['optimizer.beta1']) - 0.9) ** 2 + (p['model.activation'] === 'tanh' ? 0 : 1);

describe.each(samplerKinds)('%s sampler', (kind) => {
  const config: SamplerConfig = samplerRegistry[kind].defaults;

  it('proposes values inside the space, of the right type', () => {
    const { proposals } = optimise(createSampler(config, mixedSpace, 1), toyObjective, 40);
    expect(proposals.every((p) => inSpace(mixedSpace, p))).toBe(true);
  });

  it('proposes the same values for the same seed, and different ones for another seed', () => {
    const a = optimise(createSampler(config, mixedSpace, 7), toyObjective, 25).proposals;
    const b = optimise(createSampler(config, mixedSpace, 7), toyObjective, 25).proposals;
    const c = optimise(createSampler(config, mixedSpace, 8), toyObjective, 25).proposals;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('continues identically after a JSON round trip of its state, also with proposals pending', () => {
    const original = createSampler(config, mixedSpace, 3);
    optimise(original, toyObjective, 15);
    const pending = original.ask();
    expect(pending).not.toBeNull();
    const copy = restoreSampler(JSON.parse(JSON.stringify(original.state())), mixedSpace);
    for (const sampler of [original, copy]) sampler.tell(pending?.id ?? -1, toyObjective(pending?.params ?? {}));
    expect(optimise(copy, toyObjective, 15).proposals).toEqual(optimise(original, toyObjective, 15).proposals);
  });
});

// ---- better than random search on synthetic objectives -------------------------------------

/** Branin (Dixon & Szegő 1978), x1 in [-5, 10], x2 in (0, 15] sampled on a log scale; min 0.397887. */
const braninSpace = new SearchSpace({
  x1: { type: 'uniform', low: -5, high: 10 },
  x2: { type: 'loguniform', low: 0.1, high: 15 },
});
function branin(p: Params): number {
  const x1 = Number(p.x1);
  const x2 = Number(p.x2);
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

/** A shifted sphere over four uniform axes, an int axis and a log-scaled axis; min 0. */
const sphereSpace = new SearchSpace({
  a: { type: 'uniform', low: -5, high: 5 },
  b: { type: 'uniform', low: -5, high: 5 },
  c: { type: 'uniform', low: -5, high: 5 },
  d: { type: 'uniform', low: -5, high: 5 },
  n: { type: 'int', low: -10, high: 10, log: false },
  lr: { type: 'loguniform', low: 1e-5, high: 1 },
});
const shift: Record<string, number> = { a: 1.5, b: -2, c: 0.5, d: 3 };
function shiftedSphere(p: Params): number {
  let sum = 0;
  for (const key of ['a', 'b', 'c', 'd']) sum += (Number(p[key]) - shift[key]) ** 2;
  sum += ((Number(p.n) - 3) / 2) ** 2;
  sum += Math.log10(Number(p.lr) / 1e-2) ** 2; // optimum at lr = 0.01, in log space
  return sum;
}

const SEEDS = 20;
const TRIALS = 50;
const objectives: [string, SearchSpace, (p: Params) => number][] = [
  ['2-D Branin (log-scaled x2)', braninSpace, branin],
  ['6-D shifted sphere (int and log axes)', sphereSpace, shiftedSphere],
];

describe.each(objectives)('on the %s', (_name, space, objective) => {
  const bests = (config: SamplerConfig): number[] =>
    Array.from({ length: SEEDS }, (_, seed) => optimise(createSampler(config, space, 100 + seed), objective, TRIALS).best);
  const random = bests({ type: 'random' });
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1];

  it.each([
    ['tpe', { type: 'tpe', startup_trials: 10, gamma: 0.1, candidates: 24 }],
    ['cmaes', { type: 'cmaes', sigma0: 0.3 }],
    ['gp', { type: 'gp', startup_trials: 10 }],
  ] as [string, SamplerConfig][])('%s beats random search after 50 trials over 20 seeds', (kind, config) => {
    const theirs = bests(config);
    const { p } = mannWhitneyU(theirs, random, 'less');
    console.log(
      `${_name}: ${kind} median best ${median(theirs).toPrecision(4)} vs random ${median(random).toPrecision(4)}, one-sided Mann-Whitney p = ${p.toExponential(2)}`,
    );
    expect(median(theirs)).toBeLessThan(median(random));
    expect(p).toBeLessThan(0.05);
  });
});

describe('unit-cube round trip of the search space', () => {
  it('maps values to the cube and back', () => {
    const params: Params = { 'optimizer.lr': 0.01, 'optimizer.beta1': 0.9, 'training.batch_size': 64, 'optimizer.population': 12, 'model.activation': 'relu' };
    const back = mixedSpace.fromUnit(mixedSpace.toUnit(params));
    expect(back['optimizer.lr']).toBeCloseTo(0.01, 12);
    expect(back).toMatchObject({ 'training.batch_size': 64, 'optimizer.population': 12, 'model.activation': 'relu' });
  });

  it('keeps parameters typed as the schema says', () => {
    const kinds = mixedSpace.dimensions.map((d) => d.parameter.type as Parameter['type']);
    expect(kinds).toEqual(['categorical', 'uniform', 'loguniform', 'int', 'int']);
  });
});
