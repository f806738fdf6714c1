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
    expect(message({ ...minimal, optimizer: { type: 'rmsprop' } })).toMatch(/^optimizer.type: unknown optimizer type "rmsprop": expected one of sgd, adam, cmaes, layerwise_cmaes/);
  });

  it('rejects unknown fields', () => {
    expect(message({ ...minimal, training: { batch_size: 16, max_epochs: 10, epochs: 3 } })).toBe('training.epochs: unknown field');
  });

  it('reports every problem, each with its path', () => {
    const text = message({ dataset: { name: 'iris', split: { train: 0.9, val: 0.3 } }, model: { hidden: [0] }, optimizer: { type: 'cmaes', variant: 'x' }, training: 3 });
    expect(text).toContain('dataset.split.test: train + val + test must be at most 1');
    expect(text).toContain('model.hidden[0]: expected a positive integer, got 0');
    expect(text).toContain('optimizer.variant: expected one of auto, full, maes, sep, got "x"');
    expect(text).toContain('training: expected an object, got 3');
  });

  it('takes threads as "auto" or a positive integer', () => {
    expect(parseExperimentConfig({ ...minimal, compute: { threads: 2 } }).compute.threads).toBe(2);
    expect(message({ ...minimal, compute: { threads: 0 } })).toBe('compute.threads: expected "auto" or a positive integer, got 0');
    expect(message({ ...minimal, compute: { threads: 'many' } })).toBe('compute.threads: expected "auto" or a positive integer, got "many"');
  });

  it('rejects a non-object', () => {
    expect(message('config')).toBe('expected an object, got "config"');
  });
});
