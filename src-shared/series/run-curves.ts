// A result group's per-epoch metrics split by run, in the shape the curve charts take
// (src-renderer/charts/curve-chart.ts: each metric as [epoch, value] pairs, elapsed_s and
// model_evals included so the charts can draw against wall time and evaluations). Long runs
// keep at most MAX_RUN_EPOCHS evenly spaced epochs (the first and last always), every metric
// at the same epochs so that a value's x (its wall time, its evaluations) is exact.

import type { ResultGroup } from '../stats/comparison.ts';

export const MAX_RUN_EPOCHS = 1000;

export interface RunEpochSeries {
  /** The run's index in its experiment. */
  readonly run: number;
  readonly series: Readonly<Record<string, readonly (readonly [number, number | null])[]>>;
}

/** Indices of at most `max` evenly spaced items of `length`, the first and last included. */
function spread(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i * (length - 1)) / (max - 1))))];
}

export function groupRunSeries(group: ResultGroup, metrics: readonly string[], maxEpochs = MAX_RUN_EPOCHS): RunEpochSeries[] {
  const byRun = new Map<number, { epoch: number; metrics: Readonly<Record<string, number>> }[]>();
  for (const e of group.epochs ?? []) {
    const list = byRun.get(e.run) ?? [];
    list.push(e);
    byRun.set(e.run, list);
  }
  return [...byRun.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([run, epochs]) => {
      const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
      const kept = spread(sorted.length, maxEpochs).map((i) => sorted[i]);
      const series = Object.fromEntries(metrics.map((m) => [m, kept.map((e) => [e.epoch, Number.isFinite(e.metrics[m]) ? e.metrics[m] : null] as const)]));
      return { run, series };
    });
}
