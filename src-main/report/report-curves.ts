// The report's learning curves of result groups, against the epoch or against the model
// evaluations spent, aggregated exactly as the UI's curve charts aggregate them
// (src-shared/stats/curves.ts): per epoch, the runs that reached it; per evaluation count,
// each run interpolated linearly onto one common grid of counts inside its own range
// (alignedCurve), so runs are compared at equal budgets and n counts the runs still training
// there. Mean and 95% t-interval per point; no band below MIN_BAND_RUNS runs.

import type { ResultGroup } from '../../src-shared/stats/comparison.ts';
import { aggregateCurve, alignedCurve } from '../../src-shared/stats/curves.ts';
import type { CurveAxis, CurveChartPoint } from './charts.ts';

/** Each run's [epoch, cumulative model_evals, value] of `metric`, by epoch. */
function runSeries(group: ResultGroup, metric: string): (readonly [number, number, number])[][] {
  const byRun = new Map<number, (readonly [number, number, number])[]>();
  for (const e of group.epochs ?? []) {
    const value = e.metrics[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const points = byRun.get(e.run) ?? [];
    points.push([e.epoch, e.metrics.model_evals ?? Number.NaN, value]);
    byRun.set(e.run, points);
  }
  return [...byRun.values()].map((points) => points.sort((a, b) => a[0] - b[0]));
}

/** One group's curve of `metric`; empty when it has no such per-epoch values (or, for the evaluations axis, no model_evals per epoch). */
export function groupCurve(group: ResultGroup, metric: string, axis: CurveAxis): CurveChartPoint[] {
  const runs = runSeries(group, metric);
  const curve =
    axis === 'epoch'
      ? aggregateCurve(runs.map((run) => run.map(([epoch, , value]) => [epoch, value] as const)))
      : alignedCurve(runs.map((run) => run.filter(([, evals]) => Number.isFinite(evals) && evals > 0).map(([, evals, value]) => [evals, value] as const)));
  return curve.map((p) => ({ x: p.epoch, n: p.n, mean: p.mean, low: p.low, high: p.high }));
}
