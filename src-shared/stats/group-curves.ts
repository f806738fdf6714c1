// Learning curves of result groups: for each group (an optimizer or experiment), one metric's
// per-epoch values of every run aggregated across runs (mean and 95% band, see curves.ts).
// Used by the HTML report and by the comparison the UI draws.

import type { ResultGroup } from './comparison.ts';
import { aggregateCurve, type CurvePoint } from './curves.ts';

export function groupCurves(groups: readonly ResultGroup[], metric: string): { name: string; points: CurvePoint[] }[] {
  return groups
    .filter((g) => g.epochs !== null && g.epochs.some((e) => e.metrics[metric] !== undefined))
    .map((g) => {
      const byRun = new Map<number, [number, number][]>();
      for (const e of g.epochs ?? []) {
        const value = e.metrics[metric];
        if (value === undefined) continue;
        const points = byRun.get(e.run) ?? [];
        points.push([e.epoch, value]);
        byRun.set(e.run, points);
      }
      return { name: g.optimizer, points: aggregateCurve([...byRun.values()]) };
    });
}
