// LTTB downsampling: size, end points, order, and that a lone spike survives where a
// stride would drop it.
import { describe, expect, it } from 'vitest';
import { downsampleLttb, type SeriesPoint } from './downsample.ts';

describe('downsampleLttb', () => {
  const wave: SeriesPoint[] = Array.from({ length: 10_000 }, (_, i) => [i + 1, Math.sin(i / 300)]);

  it('returns short series unchanged', () => {
    expect(downsampleLttb(wave.slice(0, 50), 100)).toEqual(wave.slice(0, 50));
  });

  it('keeps exactly maxPoints points, the first and last, in epoch order', () => {
    const out = downsampleLttb(wave, 1000);
    expect(out).toHaveLength(1000);
    expect(out[0]).toEqual(wave[0]);
    expect(out[999]).toEqual(wave[9999]);
    for (let i = 1; i < out.length; i++) expect(out[i][0]).toBeGreaterThan(out[i - 1][0]);
  });

  it('keeps a one-point spike', () => {
    const flat: SeriesPoint[] = Array.from({ length: 5000 }, (_, i) => [i, i === 2718 ? 100 : 0]);
    expect(downsampleLttb(flat, 50)).toContainEqual([2718, 100]);
  });

  it('skips null values (NaN epochs) when choosing points', () => {
    const withGaps: SeriesPoint[] = Array.from({ length: 1000 }, (_, i) => [i, i % 2 === 0 ? null : i]);
    const out = downsampleLttb(withGaps, 20);
    expect(out.slice(1, -1).every(([, v]) => v !== null)).toBe(true);
  });
});
