// The New experiment form's rules without a browser: which fields a config shows, switching
// the optimizer or data set, field text to JSON and back, problems (the schema's and the
// server's) placed at their fields, and JSON syntax errors located by line and column.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../../src-shared/config/experiment.ts';
import {
  applyField,
  buildRequest,
  configSections,
  EXPERIMENT_FIELDS,
  emptyExperimentFields,
  type FormField,
  formatJson,
  getPath,
  type Json,
  parseJsonText,
  placeProblems,
  problemsOfApiError,
  setPath,
  switchDataset,
  switchOptimizer,
  textFromValue,
  validateConfig,
  validateRequest,
  valueFromText,
} from './config-form.ts';

const irisAdam: Json = {
  name: 'iris adam',
  dataset: { name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } },
  model: { hidden: [10], activation: 'sigmoid' },
  optimizer: { type: 'adam', lr: 0.1061 },
  training: { batch_size: 16, max_epochs: 100, early_stopping: { patience: 3, min_delta: 0.001 } },
};

function keys(draft: Json): string[] {
  return configSections(draft).flatMap((s) => s.fields.map((f) => f.key));
}

function field(draft: Json, key: string): FormField {
  const found = [...EXPERIMENT_FIELDS, ...configSections(draft).flatMap((s) => s.fields)].find((f) => f.key === key);
  if (found === undefined) throw new Error(`no field ${key}`);
  return found;
}

function allFields(draft: Json): FormField[] {
  return [...EXPERIMENT_FIELDS, ...configSections(draft).flatMap((s) => s.fields)];
}

describe('configSections', () => {
  it('shows the fields of the chosen optimizer and data set only', () => {
    expect(keys(irisAdam)).toEqual(
      expect.arrayContaining(['config.optimizer.lr', 'config.optimizer.beta1', 'config.optimizer.eps', 'config.training.early_stopping.patience']),
    );
    expect(keys(irisAdam)).not.toContain('config.optimizer.sigma0');
    expect(keys(irisAdam)).not.toContain('config.dataset.image_size');
    const cmaes = switchOptimizer(irisAdam, 'cmaes');
    expect(keys(cmaes)).toEqual(
      expect.arrayContaining(['config.optimizer.population', 'config.optimizer.sigma0', 'config.optimizer.variant', 'config.optimizer.model']),
    );
    expect(keys(cmaes)).not.toContain('config.optimizer.lr');
    expect(keys(switchDataset(irisAdam, 'mnist'))).toContain('config.dataset.image_size');
    expect(keys(switchDataset(irisAdam, 'csv'))).toEqual(expect.arrayContaining(['config.dataset.path', 'config.dataset.label']));
    const noEarlyStop = setPath(irisAdam, 'training.early_stopping', null);
    expect(keys(noEarlyStop)).not.toContain('config.training.early_stopping.patience');
  });
});

describe('switching the optimizer and the data set', () => {
  it('keeps what carries over and defaults the rest, giving a valid config', () => {
    const sgd = switchOptimizer(irisAdam, 'sgd');
    expect(getPath(sgd, 'optimizer')).toEqual({ type: 'sgd', lr: 0.1061, momentum: 0 });
    expect(getPath(switchOptimizer(sgd, 'adam'), 'optimizer')).toEqual({ type: 'adam', lr: 0.1061, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const cmaes = switchOptimizer(
      setPath(irisAdam, 'optimizer', { type: 'cmaes', population: 34, sigma0: 16.7, variant: 'sep', model: 'best' }),
      'layerwise_cmaes',
    );
    expect(getPath(cmaes, 'optimizer')).toEqual({ type: 'layerwise_cmaes', population: 34, sigma0: 16.7, variant: 'sep', model: 'best' });
    expect(getPath(switchOptimizer(irisAdam, 'cmaes'), 'optimizer')).toEqual({ type: 'cmaes', sigma0: 0.5, variant: 'auto', model: 'mean' });
    for (const type of ['sgd', 'adam', 'cmaes', 'layerwise_cmaes']) expect(() => parseExperimentConfig(switchOptimizer(irisAdam, type))).not.toThrow();
    for (const name of ['mnist', 'fashion_mnist', 'iris']) expect(() => parseExperimentConfig(switchDataset(irisAdam, name))).not.toThrow();
    expect(getPath(switchDataset(irisAdam, 'mnist'), 'dataset.split')).toEqual({ train: 0.6, val: 0.2, test: 0.2, seed: 42 });
  });

  it('turns early stopping on with defaults and off as null', () => {
    const off = applyField(irisAdam, field(irisAdam, 'config.training.early_stopping'), false);
    expect(getPath(off, 'training.early_stopping')).toBeNull();
    const on = applyField(off, field(off, 'config.training.early_stopping'), true);
    expect(getPath(on, 'training.early_stopping')).toEqual({ patience: 3, min_delta: 0.001 });
  });

  it('edits one field without touching the original', () => {
    const edited = applyField(irisAdam, field(irisAdam, 'config.optimizer.lr'), -1);
    expect(getPath(edited, 'optimizer.lr')).toBe(-1);
    expect(getPath(irisAdam, 'optimizer.lr')).toBe(0.1061);
    expect(getPath(applyField(irisAdam, field(irisAdam, 'config.optimizer.lr'), undefined), 'optimizer')).toEqual({ type: 'adam' });
  });
});

describe('field text and JSON values', () => {
  it('reads numbers as numbers and keeps other text for the schema to name', () => {
    expect(valueFromText('number', '1e-3')).toBe(0.001);
    expect(valueFromText('number', '-1')).toBe(-1);
    expect(valueFromText('number', '')).toBeUndefined();
    expect(valueFromText('number', 'fast')).toBe('fast');
    expect(valueFromText('threads', 'auto')).toBe('auto');
    expect(valueFromText('threads', '4')).toBe(4);
    expect(valueFromText('layers', '10, 20,')).toEqual([10, 20]);
    expect(valueFromText('layers', '10, x')).toEqual([10, 'x']);
    expect(valueFromText('layers', '')).toEqual([]);
    expect(textFromValue('layers', [10, 20])).toBe('10, 20');
    expect(textFromValue('number', 1e-8)).toBe('1e-8');
    expect(textFromValue('number', undefined)).toBe('');
  });
});

describe('problems at their fields', () => {
  it('puts the schema messages for a negative learning rate and a zero batch at those fields', () => {
    const draft = setPath(setPath(irisAdam, 'optimizer.lr', -1), 'training.batch_size', 0);
    const { config, problems } = validateConfig(draft);
    expect(config).toBeNull();
    const placed = placeProblems(problems, allFields(draft));
    expect(placed.byField.get('config.optimizer.lr')).toEqual(['expected a positive number, got -1']);
    expect(placed.byField.get('config.training.batch_size')).toEqual(['expected a positive integer, got 0']);
    expect(placed.unplaced).toEqual([]);
    expect(placed.all.map((p) => p.key)).toEqual(['config.optimizer.lr', 'config.training.batch_size']);
  });

  it('files list elements at the list, the discriminator by its alias, and unknown fields nowhere', () => {
    const draft = setPath(setPath(setPath(irisAdam, 'model.hidden', [10, 'x']), 'optimizer.type', 'rmsprop'), 'colour', 'red');
    const { problems } = validateConfig(draft);
    const placed = placeProblems(problems, allFields(draft));
    expect(placed.byField.get('config.model.hidden')?.[0]).toMatch(/expected a positive integer, got "x"/);
    expect(placed.byField.get('config.optimizer.type')?.[0]).toMatch(/^unknown optimizer .*expected one of sgd, adam, cmaes, layerwise_cmaes$/);
    expect(placed.unplaced).toEqual([{ where: 'config.colour', problem: 'unknown field' }]);
  });

  it('files split refinements and a missing training section', () => {
    const draft = setPath(setPath(irisAdam, 'dataset.split.test', 0.5), 'training', undefined);
    const placed = placeProblems(validateConfig(draft).problems, allFields(draft));
    expect(placed.byField.get('config.dataset.split.test')).toEqual(['train + val + test must be at most 1']);
    expect(placed.unplaced.map((p) => p.where)).toEqual(['config.training']);
  });

  it('maps a server ApiError back to the field, and anything else to a message', () => {
    const invalid = new ApiError('invalid_input', 'config.optimizer.lr: expected a positive number, got 0', 'config.optimizer.lr', [
      { field: 'config.optimizer.lr', problem: 'expected a positive number, got 0' },
      { field: 'runs', problem: 'expected an integer <= 1000' },
    ]);
    const { problems, message } = problemsOfApiError(invalid);
    expect(message).toBeNull();
    const placed = placeProblems(problems, allFields(irisAdam));
    expect(placed.byField.get('config.optimizer.lr')).toEqual(['expected a positive number, got 0']);
    expect(placed.byField.get('runs')).toEqual(['expected an integer <= 1000']);
    expect(problemsOfApiError(new ApiError('invalid_input', 'config.dataset.path: no such file', 'config.dataset.path')).problems).toEqual([
      { where: 'config.dataset.path', problem: 'config.dataset.path: no such file' },
    ]);
    const gone = problemsOfApiError(new ApiError('internal', 'the Evolab server cannot be reached'));
    expect(gone).toEqual({ problems: [], message: 'the Evolab server cannot be reached' });
  });
});

describe('the experiment fields', () => {
  it('validates runs, seeds, priority, name and tags with the API schema', () => {
    expect(validateRequest(emptyExperimentFields())).toEqual([]);
    const problems = validateRequest({ name: 'x'.repeat(201), runs: '0', firstSeed: '-1', priority: '5000', tags: 'a, ' + 'x'.repeat(65), notes: '' });
    const where = Object.fromEntries(problems.map((p) => [p.where, p.problem]));
    // The schema's max(200) has no message of its own (it reads "expected a string"); the
    // input's maxlength keeps people from getting there.
    expect(where.name).toBeDefined();
    // A blank name is no name: the service names the experiment after its config.
    expect(validateRequest({ ...emptyExperimentFields(), name: '   ' })).toEqual([]);
    expect(where.runs).toBe('expected a positive integer, got 0');
    expect(where.firstSeed).toBe('expected an integer >= 0, got -1');
    expect(where.priority).toBe('expected an integer <= 1000, got 5000');
    expect(where['tags[1]']).toBe('a tag has at most 64 characters');
    expect(validateRequest({ ...emptyExperimentFields(), runs: '1001' })).toEqual([{ where: 'runs', problem: 'expected an integer <= 1000, got 1001' }]);
    expect(validateRequest({ ...emptyExperimentFields(), runs: '2.5' })).toEqual([{ where: 'runs', problem: 'expected a positive integer, got 2.5' }]);
    const placed = placeProblems(problems, EXPERIMENT_FIELDS);
    expect(placed.byField.get('tags')).toEqual(['a tag has at most 64 characters']);
  });

  it('builds the request, leaving empty fields to the defaults', () => {
    expect(buildRequest(irisAdam, { name: ' mine ', runs: '2', firstSeed: '', priority: '3', tags: 'a, b ,,c', notes: 'n' })).toEqual({
      config: irisAdam,
      name: ' mine ',
      runs: 2,
      priority: 3,
      tags: ['a', 'b', 'c'],
      notes: 'n',
    });
    expect(buildRequest(irisAdam, emptyExperimentFields())).toEqual({ config: irisAdam, runs: 1, firstSeed: 0, priority: 0, tags: [], notes: '' });
  });
});

describe('the JSON side', () => {
  it('formats with lists of values on one line and parses back to the same value', () => {
    const text = formatJson(irisAdam);
    expect(text).toContain('"hidden": [10]');
    expect(text.split('\n')[1]).toBe('  "name": "iris adam",');
    expect(parseJsonText(text)).toEqual({ value: irisAdam });
    expect(formatJson({ a: [], b: {}, c: [{ x: 1 }] })).toBe('{\n  "a": [],\n  "b": {},\n  "c": [\n    {\n      "x": 1\n    }\n  ]\n}');
  });

  it('locates syntax errors by line and column, including those the engine gives no position for', () => {
    const located = (text: string) => {
      const result = parseJsonText(text);
      if (!('error' in result)) throw new Error('parsed');
      return result.error;
    };
    expect(located('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3, message: `expected ',' or '}' after a property value, found "\\""` });
    expect(located('{\n  "a": x\n}')).toMatchObject({ line: 2, column: 8, message: 'expected a value, found "x"' });
    expect(located('{\n  "a": 1,\n}')).toMatchObject({ line: 3, column: 1 });
    expect(located('[1,,2]')).toMatchObject({ line: 1, column: 4 });
    expect(located('{"a": tru}')).toMatchObject({ line: 1, column: 10, message: 'expected true, found "}"' });
    expect(located('{\n  "a": tru\n}')).toMatchObject({ line: 2, column: 11, message: 'expected true, found a line break' });
    expect(located('{"a": 01}')).toMatchObject({ line: 1, column: 7 });
    expect(located('{"a": "b')).toMatchObject({ line: 1, column: 9, message: expect.stringContaining('unterminated string') });
    expect(located('{"a": 1')).toMatchObject({ line: 1, column: 8 });
    expect(located('')).toMatchObject({ line: 1, column: 1 });
    expect(located("{'a': 1}")).toMatchObject({ line: 1, column: 2 });
    expect(located('{"a": 1} 2')).toMatchObject({ line: 1, column: 10 });
  });
});
