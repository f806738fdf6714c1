// Study configs: bad input answered with errors naming the field (empty or inverted ranges,
// unknown field paths, values the experiment schema refuses, n < c, t_max < 1), and the
// defaults (objective direction, reference search spaces).
import { describe, expect, it } from 'vitest';
import { UserInputError, ValidationError } from './errors.ts';
import { parseExperimentConfig } from './experiment.ts';
import { defaultSpace, parseStudyConfig } from './study.ts';

const base = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 5 } };
const noFiles = (path: string): unknown => {
  throw new UserInputError(path, 'no such file');
};

function problems(study: object): string[] {
  try {
    parseStudyConfig(study, noFiles);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

describe('study config', () => {
  it('accepts a valid study and fills in defaults', () => {
    const study = parseStudyConfig({ base, space: { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } }, tune: {} }, noFiles);
    // The tie-break defaults to the other metric of the same split.
    expect(study.objective).toEqual({ metric: 'val_loss', direction: 'minimize', secondary: 'val_acc' });
    expect(study.tune).toMatchObject({ trials: 50, parallel: 4, sampler: { type: 'tpe', startup_trials: 10 }, pruning: null });
    const acc = parseStudyConfig({ base, space: { 'optimizer.lr': { type: 'uniform', low: 0.001, high: 0.1 } }, objective: { metric: 'val_acc' } }, noFiles);
    expect(acc.objective).toEqual({ metric: 'val_acc', direction: 'maximize', secondary: 'val_loss' });
    // A parsed study parses again to itself (the UI sends shipped templates back as they came).
    expect(parseStudyConfig(JSON.parse(JSON.stringify(acc)), noFiles)).toEqual(acc);
  });

  it.each([
    ['an empty range', { 'optimizer.lr': { type: 'uniform', low: 0.1, high: 0.1 } }, 'space.optimizer.lr.high: empty range: low and high are both 0.1'],
    [
      'an inverted range',
      { 'optimizer.lr': { type: 'loguniform', low: 1, high: 0.001 } },
      'space.optimizer.lr.high: inverted range: high (0.001) is below low (1)',
    ],
    ['an unknown field', { 'optimizer.learning_rate': { type: 'uniform', low: 0.1, high: 1 } }, 'space.optimizer.learning_rate: unknown field path'],
    [
      'an unknown section',
      { 'optimiser.lr': { type: 'uniform', low: 0.1, high: 1 } },
      'space.optimiser.lr: unknown field path (optimiser is not a section of the base config)',
    ],
    [
      'a range the schema refuses',
      { 'optimizer.lr': { type: 'uniform', low: -1, high: 1 } },
      'space.optimizer.lr: the base config does not accept -1 here (expected a positive number, got -1)',
    ],
    [
      'an unknown parameter type',
      { 'optimizer.lr': { type: 'gaussian', low: 0, high: 1 } },
      'space.optimizer.lr.type: expected a parameter of type uniform, loguniform, int or categorical',
    ],
    ['an empty choice list', { 'model.activation': { type: 'categorical', choices: [] } }, 'space.model.activation.choices: needs at least one choice'],
    ['no parameters', {}, 'space: the search space is empty'],
  ])('names the field for %s', (_case, space, message) => {
    expect(problems({ base, space })).toContain(message);
  });

  it('checks GPBT settings: n >= c, t_max >= 1, no model or data fields', () => {
    const space = { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } };
    expect(problems({ base, space, gpbt: { n: 2, t_max: 3, c: 4, T_g: 1 } })).toContain(
      'gpbt.c: n (2) must be at least c (4) so that there is at least one parent',
    );
    expect(problems({ base, space, gpbt: { n: 8, t_max: 0, c: 2, T_g: 1 } })).toContain('gpbt.t_max: expected a positive integer, got 0');
    expect(problems({ base, space: { 'model.hidden': { type: 'categorical', choices: [[10]] } }, pbt: { n: 4, t_max: 2, T_g: 1 } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^space.model.hidden/)]),
    );
    expect(problems({ base, space: { 'model.activation': { type: 'categorical', choices: ['tanh'] } }, pbt: { n: 4, t_max: 2, T_g: 1 } })).toContain(
      'space.model.activation: GPBT/PBT members share weights, so the model and data set cannot vary',
    );
  });

  it('refuses population searches over what the inherited optimizer state fixes', () => {
    const cmaes = { ...base, optimizer: { type: 'cmaes', sigma0: 0.5 } };
    for (const path of ['optimizer.sigma0', 'optimizer.population']) {
      expect(problems({ base: cmaes, space: { [path]: { type: 'uniform', low: 2, high: 9 } }, gpbt: { n: 8, t_max: 2, c: 2, T_g: 1 } })).toContain(
        `${path}: GPBT/PBT members inherit optimizer state, which fixes this field`.replace(/^/, 'space.'),
      );
    }
    // A tuning study may search them.
    expect(problems({ base: cmaes, space: { 'optimizer.sigma0': { type: 'uniform', low: 0.1, high: 2 } }, tune: {} })).toEqual([]);
  });

  it('names base config errors as base.<field>', () => {
    expect(problems({ base: { ...base, optimizer: { type: 'adam', lr: 0 } }, space: { 'optimizer.lr': { type: 'uniform', low: 0.1, high: 1 } } })).toEqual([
      'base.optimizer.lr: expected a positive number, got 0',
    ]);
  });

  it('has the reference study spaces for each optimizer', () => {
    const cmaes = parseExperimentConfig({ ...base, optimizer: { type: 'cmaes' } });
    expect(Object.keys(defaultSpace(cmaes))).toEqual(['optimizer.population', 'optimizer.sigma0']);
    expect(Object.keys(defaultSpace(parseExperimentConfig(base)))).toEqual(['optimizer.lr']);
  });
});
