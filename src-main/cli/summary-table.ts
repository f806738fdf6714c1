// The summary printed after `evolab run`: mean, standard deviation (n - 1) and median of each
// final metric over the runs, as an aligned plain-text table.

import type { RunResult } from '../engine/train.ts';
import { textTable } from './text-table.ts';

const METRICS = ['time', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'model_evals'] as const;

function valueOf(run: RunResult, metric: (typeof METRICS)[number]): number {
  if (metric === 'time') return run.time;
  if (metric === 'model_evals') return run.model_evals;
  return run.final[metric];
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function format(value: number): string {
  if (Math.abs(value) >= 1e5) return value.toExponential(3);
  return value.toPrecision(4);
}

export function summaryTable(runs: readonly RunResult[]): string {
  const header = ['metric', 'mean', 'std', 'median', 'min', 'max'];
  const rows = METRICS.map((metric) => {
    const values = runs.map((r) => valueOf(r, metric));
    return [metric, format(mean(values)), format(sampleStd(values)), format(median(values)), format(Math.min(...values)), format(Math.max(...values))];
  });
  return textTable(header, rows);
}
