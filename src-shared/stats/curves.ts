// Learning curves aggregated across seeds: for each epoch, the mean of the runs that reached
// it and a 95% t-interval of that mean. Runs stop at different epochs (early stopping), so
// each epoch uses only the runs that have it (its n is reported) and nothing is carried
// forward or interpolated; the band exists only where at least two runs remain.

import { studentTQuantile } from './student-t.ts';

export interface CurvePoint {
  readonly epoch: number;
  /** Runs that reached this epoch with a finite value. */
  readonly n: number;
  readonly mean: number;
  /** 95% interval of the mean; null with fewer than two runs. */
  readonly low: number | null;
  readonly high: number | null;
}

/** `runs`: each run's [epoch, value] points. */
export function aggregateCurve(runs: readonly (readonly (readonly [number, number])[])[]): CurvePoint[] {
  const byEpoch = new Map<number, number[]>();
  for (const run of runs) {
    for (const [epoch, value] of run) {
      if (!Number.isFinite(value)) continue;
      const values = byEpoch.get(epoch) ?? [];
      values.push(value);
      byEpoch.set(epoch, values);
    }
  }
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, values]) => {
      const n = values.length;
      const mean = values.reduce((a, b) => a + b, 0) / n;
      if (n < 2) return { epoch, n, mean, low: null, high: null };
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
      const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
      return { epoch, n, mean, low: mean - half, high: mean + half };
    });
}
