// The list's hyperparameter columns, range filters, renderer-side sorting, config flattening
// and the two-config diff, on hand-made experiments with known values.
import { describe, expect, it } from 'vitest';
import type { ExperimentListItem } from '../../../src-shared/api.ts';
import { applyRanges, cellText, configDiff, flattenConfig, numericValue, presentColumns, sortByColumn } from './list-columns.ts';

function item(
  id: number,
  optimizer: Record<string, unknown>,
  options: { batch?: number; testAcc?: number | null; hidden?: number[] } = {},
): ExperimentListItem {
  return {
    id,
    name: `e${id}`,
    dataset: 'iris',
    optimizer: String(optimizer.type),
    tags: [],
    notes: '',
    createdAt: '2026-01-01T00:00:00Z',
    configHash: '',
    studyId: null,
    status: 'done',
    runsTotal: 1,
    runsDone: 1,
    runsFailed: 0,
    runsRunning: 0,
    bestTestAcc: options.testAcc ?? null,
    meanTestAcc: options.testAcc ?? null,
    config: {
      dataset: { name: 'iris' },
      model: { hidden: options.hidden ?? [10], activation: 'sigmoid' },
      optimizer,
      training: { batch_size: options.batch ?? 16, max_epochs: 50, early_stopping: null },
    },
    means: {
      time: 1.5,
      train_loss: null,
      train_acc: null,
      val_loss: null,
      val_acc: 0.9,
      test_loss: null,
      test_acc: options.testAcc ?? null,
      model_evals: 1000,
    },
  };
}

const adam = item(1, { type: 'adam', lr: 0.01 }, { batch: 32, testAcc: 0.95, hidden: [16, 8] });
const sgd = item(2, { type: 'sgd', lr: 0.1, momentum: 0.9 }, { batch: 16, testAcc: 0.8 });
const es = item(3, { type: 'cmaes', sigma0: 0.5, population: 20, variant: 'sep' }, { batch: 150, testAcc: null });

describe('config flattening and diff', () => {
  it('flattens nested configs to dotted paths, lists whole', () => {
    expect(flattenConfig({ optimizer: { type: 'adam', lr: 0.01 }, model: { hidden: [16, 8] }, training: { early_stopping: null }, x: {} })).toEqual({
      'optimizer.type': 'adam',
      'optimizer.lr': 0.01,
      'model.hidden': '[16,8]',
      'training.early_stopping': null,
      x: '{}',
    });
  });

  it('lists every key of either config and marks the differing ones', () => {
    const rows = configDiff(adam.config, sgd.config);
    expect(rows.map((r) => r.key)).toEqual([
      'dataset.name',
      'model.activation',
      'model.hidden',
      'optimizer.lr',
      'optimizer.momentum',
      'optimizer.type',
      'training.batch_size',
      'training.early_stopping',
      'training.max_epochs',
    ]);
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual([
      'model.hidden',
      'optimizer.lr',
      'optimizer.momentum',
      'optimizer.type',
      'training.batch_size',
    ]);
    expect(rows.find((r) => r.key === 'optimizer.momentum')).toEqual({ key: 'optimizer.momentum', left: undefined, right: 0.9, differs: true });
    expect(configDiff(adam.config, adam.config).some((r) => r.differs)).toBe(false);
  });
});

describe('hyperparameter columns', () => {
  it('offers the columns some experiment has, and reads their values', () => {
    const keys = presentColumns([adam, sgd]).map((c) => c.key);
    expect(keys).toContain('optimizer.lr');
    expect(keys).toContain('optimizer.momentum');
    expect(keys).not.toContain('optimizer.sigma0');
    expect(presentColumns([es]).map((c) => c.key)).toEqual(expect.arrayContaining(['optimizer.sigma0', 'optimizer.population', 'optimizer.variant']));
    expect(numericValue(sgd, 'optimizer.lr')).toBe(0.1);
    expect(numericValue(es, 'optimizer.lr')).toBeNull();
    expect(numericValue(adam, 'test_acc')).toBe(0.95);
    expect(numericValue(adam, 'metric.model_evals')).toBe(1000);
    expect(numericValue(adam, 'model.hidden')).toBeNull(); // a word column has no range
  });

  it('filters by ranges, bounds inclusive, no value outside any range', () => {
    const all = [adam, sgd, es];
    expect(applyRanges(all, []).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(applyRanges(all, [{ key: 'test_acc', min: 0.9, max: null }]).map((e) => e.id)).toEqual([1]);
    expect(applyRanges(all, [{ key: 'training.batch_size', min: 16, max: 32 }]).map((e) => e.id)).toEqual([1, 2]);
    expect(applyRanges(all, [{ key: 'optimizer.lr', min: null, max: 0.01 }]).map((e) => e.id)).toEqual([1]);
    expect(
      applyRanges(all, [
        { key: 'training.batch_size', min: 16, max: null },
        { key: 'optimizer.lr', min: 0.05, max: null },
      ]).map((e) => e.id),
    ).toEqual([2]);
  });

  it('sorts by a hyperparameter either way, experiments without it last', () => {
    expect(sortByColumn([sgd, es, adam], 'optimizer.lr', 'asc').map((e) => e.id)).toEqual([1, 2, 3]);
    expect(sortByColumn([sgd, es, adam], 'optimizer.lr', 'desc').map((e) => e.id)).toEqual([2, 1, 3]);
    expect(sortByColumn([adam, sgd, es], 'training.batch_size', 'desc').map((e) => e.id)).toEqual([3, 1, 2]);
    expect(sortByColumn([adam, sgd], 'model.hidden', 'asc').map((e) => e.id)).toEqual([2, 1]); // "10" before "16-8"
  });

  it('writes cells to 4 significant digits, integers whole', () => {
    expect([cellText(0.001), cellText(0.123456), cellText(150), cellText(null), cellText('16-8')]).toEqual(['0.001', '0.1235', '150', '–', '16-8']);
  });
});
