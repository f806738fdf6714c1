// Aggregated learning curves: runs of different lengths contribute only to the x they reached
// (n per x), nothing is carried forward, and the band needs MIN_BAND_RUNS (3) runs. Runs with
// different x values are interpolated onto one grid.
import { describe, expect, it } from 'vitest';
import { aggregateCurve, alignedCurve, commonGrid, interpolateAt, MIN_BAND_RUNS } from './curves.ts';

describe('aggregateCurve', () => {
  it('averages the runs present at each epoch, with a t-interval only where n >= 3', () => {
    const curve = aggregateCurve([
      [
        [1, 1.0],
        [2, 0.6],
        [3, 0.4],
      ],
      [
        [1, 0.8],
        [2, 0.4],
      ],
      [[1, 0.9]],
    ]);
    expect(MIN_BAND_RUNS).toBe(3);
    expect(curve.map((p) => [p.epoch, p.n])).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
    ]);
    // n = 3 at epoch 1: mean 0.9, sd 0.1, t(0.975, 2) = 4.302653 -> half width 4.302653 * 0.1 / sqrt(3)
    expect(curve[0].mean).toBeCloseTo(0.9, 12);
    expect((curve[0].high ?? 0) - curve[0].mean).toBeCloseTo((4.302652729 * 0.1) / Math.sqrt(3), 6);
    // n = 2: no band (a t(0.975, 1) = 12.7 spike says nothing).
    expect(curve[1]).toEqual({ epoch: 2, n: 2, mean: 0.5, low: null, high: null });
    expect(curve[2]).toEqual({ epoch: 3, n: 1, mean: 0.4, low: null, high: null });
  });

  it('still gives the two-run interval when asked (minBandRuns 2)', () => {
    const curve = aggregateCurve([[[2, 0.6]], [[2, 0.4]]], { minBandRuns: 2 });
    expect((curve[0].high ?? 0) - curve[0].mean).toBeCloseTo(1.270620473617, 6);
  });

  it('skips non-finite values (a diverged run) instead of averaging them in', () => {
    const curve = aggregateCurve([[[1, Number.NaN]], [[1, 2]]]);
    expect(curve).toEqual([{ epoch: 1, n: 1, mean: 2, low: null, high: null }]);
  });
});

describe('alignedCurve', () => {
  it('interpolates linearly inside a run and never past its ends', () => {
    const run: [number, number][] = [
      [0, 0],
      [2, 4],
      [4, 0],
    ];
    expect(interpolateAt(run, 1)).toBe(2);
    expect(interpolateAt(run, 3)).toBe(2);
    expect(interpolateAt(run, 4)).toBe(0);
    expect(interpolateAt(run, 4.01)).toBeNull();
    expect(interpolateAt(run, -1)).toBeNull();
  });

  it('puts runs with different x on the union grid, n counting the runs covering each x', () => {
    const curve = alignedCurve([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    ]);
    expect(curve.map((p) => p.epoch)).toEqual([0, 1, 2, 3]);
    expect(curve.map((p) => p.n)).toEqual([2, 3, 3, 1]);
    // x = 1: run 1 at 2 (interpolated), run 2 at 2, run 3 at 1 -> mean 5/3
    expect(curve[1].mean).toBeCloseTo(5 / 3, 12);
    expect(curve[0].low).toBeNull();
    expect(curve[1].low).not.toBeNull();
    expect(curve[3]).toEqual({ epoch: 3, n: 1, mean: 4, low: null, high: null });
  });

  it('uses an even grid of at most maxPoints over the whole range when runs have many x', () => {
    const run = (offset: number): [number, number][] => Array.from({ length: 300 }, (_, i) => [i + offset, i] as [number, number]);
    const grid = commonGrid([run(0), run(0.5)], 100);
    expect(grid).toHaveLength(100);
    expect(grid[0]).toBe(0);
    expect(grid[99]).toBeCloseTo(299.5, 12);
  });
});
