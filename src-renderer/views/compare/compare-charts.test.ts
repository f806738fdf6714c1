// The boxplot's five-number summary (pure; no DOM).
import { describe, expect, it } from 'vitest';
import { fiveNumbers } from './compare-charts.ts';

describe('boxplot summaries', () => {
  it('computes the five-number summary with numpy-style quantiles', () => {
    expect(fiveNumbers([5, 1, 4, 2, 3])).toEqual([1, 2, 3, 4, 5]);
    expect(fiveNumbers([1, 2, 3, 4])).toEqual([1, 1.75, 2.5, 3.25, 4]);
    expect(fiveNumbers([Number.NaN])).toBeNull();
  });
});
