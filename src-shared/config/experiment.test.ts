// The experiment config schema: defaults filled in, and every kind of mistake reported with
// the field's path and what was expected.
import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from './experiment.ts';

const minimal = { dataset: { name: 'iris' }, optimizer: { type: 'adam' }, training: { batch_size: 16, max_epochs: 10 } };

function message(value: unknown): string {
  try {
    parseExperimentConfig(value);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('experiment config', () => {
  it('fills defaults', () => {
    const c = parseExperimentConfig(minimal);
    expect(c.model).toEqual({ hidden: [10], activation: 'sigmoid' });
    expect(c.optimizer).toEqual({ type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(c.dataset).toEqual({ name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } });
    expect(c.training.early_stopping).toBeNull();
    expect(c.compute).toEqual({ backend: 'auto', threads: 'auto' });
  });

  it('names the field and the expectation for a wrong type', () => {
    expect(message({ ...minimal, optimizer: { type: 'sgd', lr: 'fast' } })).toBe('optimizer.lr: expected a positive number, got "fast"');
  });

  it('rejects an unknown optimizer, naming the choices', () => {
    expect(message({ ...minimal, optimizer: { type: 'rmsprop' } })).toMatch(
      /^optimizer.type: unknown optimizer type "rmsprop": expected one of sgd, adam, cmaes, layerwise_cmaes/,
    );
  });

  it('rejects unknown fields', () => {
    expect(message({ ...minimal, training: { batch_size: 16, max_epochs: 10, epochs: 3 } })).toBe('training.epochs: unknown field');
  });

  it('reports every problem, each with its path', () => {
    const text = message({
      dataset: { name: 'iris', split: { train: 0.9, val: 0.3 } },
      model: { hidden: [0] },
      optimizer: { type: 'cmaes', variant: 'x' },
      training: 3,
    });
    expect(text).toContain('dataset.split.test: train + val + test must be at most 1');
    expect(text).toContain('model.hidden[0]: expected a positive integer, got 0');
    expect(text).toContain('optimizer.variant: expected one of auto, full, maes, sep, got "x"');
    expect(text).toContain('training: expected an object, got 3');
  });

  it('takes webgpu as a backend, and names the field and the choices for an unknown one', () => {
    expect(parseExperimentConfig({ ...minimal, compute: { backend: 'webgpu' } }).compute.backend).toBe('webgpu');
    expect(message({ ...minimal, compute: { backend: 'cuda' } })).toContain('compute.backend: expected one of auto, js, wasm, gpu, webgpu, got "cuda"');
  });

  it('takes threads as "auto" or a positive integer', () => {
    expect(parseExperimentConfig({ ...minimal, compute: { threads: 2 } }).compute.threads).toBe(2);
    expect(message({ ...minimal, compute: { threads: 0 } })).toBe('compute.threads: expected "auto" or an integer in [1, 256], got 0');
    expect(message({ ...minimal, compute: { threads: 'many' } })).toBe('compute.threads: expected "auto" or an integer in [1, 256], got "many"');
  });

  it('rejects a non-object', () => {
    expect(message('config')).toBe('expected an object, got "config"');
  });
});

describe('bounds on every size', () => {
  it('refuses sizes that would exhaust a job, naming the field and the limit', () => {
    expect(message({ ...minimal, model: { hidden: [1e7] } })).toBe('model.hidden[0]: expected an integer <= 16384, got 10000000');
    expect(message({ ...minimal, model: { hidden: Array.from({ length: 17 }, () => 4) } })).toBe('model.hidden: at most 16 hidden layers');
    expect(message({ ...minimal, optimizer: { type: 'cmaes', population: 1e9 } })).toBe('optimizer.population: expected an integer <= 10000, got 1000000000');
    expect(message({ ...minimal, training: { batch_size: 1e12, max_epochs: 10 } })).toBe(
      'training.batch_size: expected an integer <= 1000000, got 1000000000000',
    );
    expect(message({ ...minimal, training: { batch_size: 16, max_epochs: 1e7 } })).toBe('training.max_epochs: expected an integer <= 1000000, got 10000000');
    expect(message({ ...minimal, compute: { threads: 1_000_000 } })).toBe('compute.threads: expected "auto" or an integer in [1, 256], got 1000000');
  });

  it('keeps integers exact: nothing above 2^53 - 1', () => {
    expect(message({ ...minimal, dataset: { name: 'iris', split: { seed: 2 ** 53 } } })).toBe(
      'dataset.split.seed: expected an integer <= 9007199254740991 (2^53 - 1), got 9007199254740992',
    );
    expect(message({ ...minimal, dataset: { name: 'iris', split: { seed: 1e300 } } })).toBe(
      'dataset.split.seed: expected an integer <= 9007199254740991 (2^53 - 1), got 1e+300',
    );
  });

  it('bounds the name and description like every other name', () => {
    expect(message({ ...minimal, name: 'x'.repeat(201) })).toBe('name: at most 200 characters');
    expect(parseExperimentConfig({ ...minimal, name: 'x'.repeat(200) }).name).toHaveLength(200);
  });
});
