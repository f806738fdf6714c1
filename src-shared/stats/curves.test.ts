// Aggregated learning curves: runs of different lengths contribute only to the epochs they
// reached (n per epoch), nothing is carried forward, and the band needs two runs.
import { describe, expect, it } from 'vitest';
import { aggregateCurve } from './curves.ts';

describe('aggregateCurve', () => {
  it('averages the runs present at each epoch, with a t-interval, and no values invented', () => {
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
    expect(curve.map((p) => [p.epoch, p.n])).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
    ]);
    expect(curve[0].mean).toBeCloseTo(0.9, 12);
    // n = 2 at epoch 2: mean 0.5, sd sqrt(0.02), t(0.975, 1) = 12.7062 -> half width 12.7062 * 0.1
    expect(curve[1].mean).toBeCloseTo(0.5, 12);
    expect((curve[1].high ?? 0) - curve[1].mean).toBeCloseTo(1.270620473617, 6);
    expect(curve[2]).toEqual({ epoch: 3, n: 1, mean: 0.4, low: null, high: null });
  });

  it('skips non-finite values (a diverged run) instead of averaging them in', () => {
    const curve = aggregateCurve([[[1, Number.NaN]], [[1, 2]]]);
    expect(curve).toEqual([{ epoch: 1, n: 1, mean: 2, low: null, high: null }]);
  });
});
