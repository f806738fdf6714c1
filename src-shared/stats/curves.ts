// Learning curves aggregated across seeds: for each x (an epoch, a wall time, a count of
// model evaluations), the mean of the runs that reached it and a 95% t-interval of that mean.
// Runs stop at different points (early stopping), so each x uses only the runs that cover it
// (its n is reported) and nothing is carried past a run's end. The band is drawn only where
// at least MIN_BAND_RUNS runs remain: with two runs the t-interval's half width is 12.7
// standard errors (t(0.975, 1) = 12.706), a spike that says nothing about the spread.
//
// aggregateCurve takes the runs' own x values (epochs shared by every run); alignedCurve
// first interpolates each run linearly onto one common grid, for axes whose values differ
// between runs (wall time, model evaluations): a run contributes at grid point x only when
// x lies within its own first and last x (no extrapolation).

import { studentTQuantile } from './student-t.ts';

/** The fewest runs that get a confidence band at an x. */
export const MIN_BAND_RUNS = 3;

/** At most this many grid points when runs have different x values. */
export const MAX_GRID_POINTS = 400;

export interface CurvePoint {
  /** The x of the point: an epoch (aggregateCurve's callers), or any axis for alignedCurve. */
  readonly epoch: number;
  /** Runs that reached this x with a finite value. */
  readonly n: number;
  readonly mean: number;
  /** 95% interval of the mean; null with fewer than MIN_BAND_RUNS runs. */
  readonly low: number | null;
  readonly high: number | null;
}

export interface AggregateOptions {
  /** Fewest runs for a band (default MIN_BAND_RUNS). */
  readonly minBandRuns?: number;
}

function point(x: number, values: readonly number[], minBandRuns: number): CurvePoint {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < Math.max(2, minBandRuns)) return { epoch: x, n, mean, low: null, high: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { epoch: x, n, mean, low: mean - half, high: mean + half };
}

/** `runs`: each run's [epoch, value] points. */
export function aggregateCurve(runs: readonly (readonly (readonly [number, number])[])[], options: AggregateOptions = {}): CurvePoint[] {
  const minBandRuns = options.minBandRuns ?? MIN_BAND_RUNS;
  const byEpoch = new Map<number, number[]>();
  for (const run of runs) {
    for (const [epoch, value] of run) {
      if (!Number.isFinite(value)) continue;
      const values = byEpoch.get(epoch) ?? [];
      values.push(value);
      byEpoch.set(epoch, values);
    }
  }
  return [...byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, values]) => point(epoch, values, minBandRuns));
}

/** The common grid: every run's x when there are few, else `maxPoints` evenly spaced over the whole range. */
export function commonGrid(runs: readonly (readonly (readonly [number, number])[])[], maxPoints = MAX_GRID_POINTS): number[] {
  const xs = [...new Set(runs.flatMap((run) => run.map(([x]) => x)).filter((x) => Number.isFinite(x)))].sort((a, b) => a - b);
  if (xs.length <= maxPoints) return xs;
  const [low, high] = [xs[0], xs[xs.length - 1]];
  return Array.from({ length: maxPoints }, (_, i) => low + ((high - low) * i) / (maxPoints - 1));
}

/** A run's value at `x` by linear interpolation between its neighbouring points; null outside its range. */
export function interpolateAt(run: readonly (readonly [number, number])[], x: number): number | null {
  if (run.length === 0 || x < run[0][0] || x > run[run.length - 1][0]) return null;
  let lo = 0;
  let hi = run.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (run[mid][0] <= x) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = run[lo];
  const [x1, y1] = run[hi];
  if (x === x0) return y0;
  if (x === x1) return y1;
  return x1 === x0 ? y0 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/**
 * Runs with different x values aggregated on one grid (commonGrid): each run interpolated
 * linearly at every grid point inside its own range. Points with a non-finite x or value are
 * left out of a run first; a run's x must increase (cumulative time or evaluations do).
 */
export function alignedCurve(
  runs: readonly (readonly (readonly [number, number])[])[],
  options: AggregateOptions & { readonly maxPoints?: number } = {},
): CurvePoint[] {
  const minBandRuns = options.minBandRuns ?? MIN_BAND_RUNS;
  const clean = runs.map((run) => run.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0])).filter((run) => run.length > 0);
  const grid = commonGrid(clean, options.maxPoints);
  return grid.flatMap((x) => {
    const values = clean.map((run) => interpolateAt(run, x)).filter((v): v is number => v !== null);
    return values.length === 0 ? [] : [point(x, values, minBandRuns)];
  });
}
