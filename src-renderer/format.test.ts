// The UI's number formats (pure; no DOM).
import { describe, expect, it } from 'vitest';
import { formatA12, formatBytes, formatCompact, formatEta, formatMetric, formatP, formatSpread, formatStat, formatSummaries, seriesColor } from './format.ts';
import { summarize } from '../src-shared/stats/summary.ts';

describe('number formats', () => {
  it('shows compact values without padding zeros', () => {
    expect(formatCompact(0.9)).toBe('0.9');
    expect(formatCompact(0.012345)).toBe('0.01235');
    expect(formatCompact(0.0001)).toBe('1e-4');
    expect(formatCompact(2.5e-5)).toBe('2.5e-5');
    expect(formatCompact(null)).toBe('–');
    // A study's best loss can be tiny: it must not read 0.000.
    expect(formatCompact(3.47e-6)).toBe('3.47e-6');
    expect(formatCompact(-0.000512)).toBe('-5.12e-4');
  });

  it('shows a time left in seconds, minutes or hours', () => {
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(200)).toBe('3 min 20 s');
    expect(formatEta(7500)).toBe('2 h 05 min');
    expect(formatEta(null)).toBe('–');
  });

  it('shows statistics with 4 significant digits, exponents when very large or small', () => {
    expect(formatStat(0.966666)).toBe('0.9667');
    expect(formatStat(12.34567)).toBe('12.35');
    // Plain up to 1e6 (the shared policy): 28800 beside 1584 reads in the same form.
    expect(formatStat(28800)).toBe('28800');
    expect(formatStat(2.5e6)).toBe('2.500e+6');
    expect(formatStat(0.0001234)).toBe('1.234e-4');
    expect(formatStat(0)).toBe('0');
    expect(formatStat(Number.NaN)).toBe('–');
    expect(formatStat(null)).toBe('–');
  });

  it('reads floating-point noise in a standard deviation as 0', () => {
    expect(formatSpread(1.241e-16, 0.9667)).toBe('0');
    expect(formatSpread(0.01826, 0.8467)).toBe('0.01826');
  });

  it('shows p-values with 2 significant digits, exponent form below 1e-3', () => {
    expect(formatP(0.00032)).toBe('3.2e-4');
    expect(formatP(0.0331)).toBe('0.033');
    expect(formatP(1)).toBe('1.0');
    expect(formatP(null)).toBe('–');
    expect(formatA12(0.9583)).toBe('0.96');
    expect(formatBytes(80896)).toBe('80.9 kB');
  });

  it('formats metric values by the shared policy (the UI, Markdown and PDF read alike)', () => {
    expect(formatMetric('test_acc', 0.95)).toBe('0.9500');
    expect(formatMetric('time', 0.215)).toBe('215 ms');
    expect(formatMetric('model_evals', 2664)).toBe('2664');
    expect(formatSummaries('model_evals', [summarize([2273.77, 2664, 3054.23])])[0]?.meanStd).toBe('2664 ± 390');
    expect(seriesColor(1)).toBe('#dc2626');
  });
});
