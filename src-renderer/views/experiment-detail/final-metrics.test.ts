// The final-metrics summary: values against hand-computed means, medians and CIs, and the
// runs that must be left out (not done, NaN).
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../src-shared/api.ts';
import { finalMetricRows } from './final-metrics.ts';

function run(id: number, status: RunSummary['status'], testAcc: number | null): RunSummary {
  return {
    id,
    experimentId: 1,
    experimentName: 'e',
    index: id - 1,
    seed: id - 1,
    status,
    priority: 0,
    epoch: 10,
    maxEpochs: 10,
    attempts: 1,
    backend: 'js',
    optimizer: 'adam',
    parameterCount: 83,
    error: null,
    queuedAt: '',
    startedAt: null,
    finishedAt: null,
    final:
      status === 'done' ? { time: 1, train_loss: 0.1, train_acc: 0.9, val_loss: 0.2, val_acc: 0.8, test_loss: 0.3, test_acc: testAcc, model_evals: 100 } : null,
    gradEvals: null,
    epochsRun: null,
    bestEpoch: null,
    stoppedEarly: null,
    keepCheckpoint: false,
    held: false,
    stoppedBy: null,
    workerId: null,
    workerHost: null,
  };
}

describe('finalMetricRows', () => {
  it('summarises the done runs only, leaving out missing and NaN values', () => {
    const rows = finalMetricRows([run(1, 'done', 0.9), run(2, 'done', 0.8), run(3, 'done', 0.7), run(4, 'failed', null), run(5, 'done', Number.NaN)]);
    const acc = rows.find((r) => r.metric === 'test_acc')?.summary;
    expect(acc?.n).toBe(3);
    expect(acc?.mean).toBeCloseTo(0.8, 12);
    expect(acc?.median).toBeCloseTo(0.8, 12);
    expect(acc?.std).toBeCloseTo(0.1, 12);
    // t(0.975, 2) = 4.302653; half width = 4.302653 * 0.1 / sqrt(3) = 0.248414
    expect(acc?.ci95[0]).toBeCloseTo(0.8 - 0.248414, 5);
    expect(rows.find((r) => r.metric === 'model_evals')?.summary?.n).toBe(4);
  });

  it('has no summary when no run is done', () => {
    expect(finalMetricRows([run(1, 'running', null)]).every((r) => r.summary === null)).toBe(true);
  });
});
