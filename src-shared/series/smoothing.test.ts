// TensorBoard's debiased EMA, checked against values worked by hand.
import { describe, expect, it } from 'vitest';
import { emaSmooth } from './smoothing.ts';

describe('emaSmooth', () => {
  it('is the debiased exponential moving average', () => {
    // w = 0.5: s1 = 0.5 * 1 = 0.5 -> /0.5 = 1; s2 = 0.25 + 0.5 * 3 = 1.75 -> /0.75 = 2.3333;
    // s3 = 0.875 + 0 = 0.875 -> /0.875 = 1
    const out = emaSmooth([1, 3, 0], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(7 / 3, 12);
    expect(out[2]).toBeCloseTo(1, 12);
  });

  it('keeps a constant curve constant, leaves weight 0 alone, passes nulls through', () => {
    for (const v of emaSmooth([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 12);
    expect(emaSmooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
    const out = emaSmooth([1, null, 3], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo((0.25 + 1.5) / 0.75, 12);
  });
});
