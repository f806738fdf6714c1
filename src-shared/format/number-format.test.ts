// The number-format policy with exact strings: one style per metric kind (accuracy, loss,
// time with unit, counts as integers, p-values, A12), one style per table column so numbers
// line up, CIs clipped to the metric's domain; and the series palette.
import { describe, expect, it } from 'vitest';
import { summarize } from '../stats/summary.ts';
import {
  clippedInterval,
  formatA12,
  formatCount,
  formatMetric,
  formatPValue,
  formatSeconds,
  formatSignificant,
  formatSummaries,
  metricDomain,
  metricKind,
  numberStyle,
} from './number-format.ts';
import { SERIES_PALETTE, seriesColor } from './palette.ts';

describe('metric kinds', () => {
  it('tells the kind by the stored metric name', () => {
    expect(['test_acc', 'val_acc', 'train_acc', 'accuracy'].map(metricKind)).toEqual(['accuracy', 'accuracy', 'accuracy', 'accuracy']);
    expect(['test_loss', 'val_loss', 'train_loss'].map(metricKind)).toEqual(['loss', 'loss', 'loss']);
    expect(['time', 'elapsed_s', 'wall_time'].map(metricKind)).toEqual(['time', 'time', 'time']);
    expect(['model_evals', 'grad_evals', 'epochs'].map(metricKind)).toEqual(['count', 'count', 'count']);
    expect(['lr', 'accent', 'glossary'].map(metricKind)).toEqual(['other', 'other', 'other']);
    expect(metricDomain('val_acc')).toEqual({ min: 0, max: 1 });
    expect(metricDomain('val_loss')).toEqual({ min: 0, max: Infinity });
    expect(metricDomain('time')).toEqual({ min: 0, max: Infinity });
    expect(metricDomain('lr')).toEqual({ min: -Infinity, max: Infinity });
  });
});

describe('single values', () => {
  it('writes accuracies with 4 decimals, always', () => {
    expect(formatMetric('test_acc', 0.966666)).toBe('0.9667');
    expect(formatMetric('test_acc', 1)).toBe('1.0000');
    expect(formatMetric('test_acc', 0)).toBe('0.0000');
  });

  it('writes losses with 4 significant digits, exponent form when tiny or huge', () => {
    expect(formatMetric('val_loss', 0.11815714)).toBe('0.1182');
    expect(formatMetric('val_loss', 1.4717800694)).toBe('1.472');
    expect(formatMetric('val_loss', 25.0)).toBe('25.00');
    expect(formatMetric('train_loss', 3.47e-6)).toBe('3.470e-6');
    expect(formatMetric('train_loss', 2.5e6)).toBe('2.500e+6');
    expect(formatMetric('train_loss', 0)).toBe('0');
    expect(formatSignificant(12.34567)).toBe('12.35');
    expect(formatSignificant(28800)).toBe('28800');
  });

  it('writes times with a unit chosen by magnitude', () => {
    expect(formatSeconds(0.2150947)).toBe('215 ms');
    expect(formatSeconds(0.0085)).toBe('8.50 ms');
    expect(formatSeconds(2.4)).toBe('2.400 s');
    expect(formatSeconds(51.95)).toBe('51.95 s');
    expect(formatSeconds(750)).toBe('12.50 min');
    expect(formatSeconds(7200 * 6)).toBe('12.00 h');
    expect(formatMetric('elapsed_s', 1.5)).toBe('1.500 s');
  });

  it('writes counts as integers, grouped by a narrow space from 10 000', () => {
    expect(formatCount(2664)).toBe('2664');
    expect(formatCount(2664.4)).toBe('2664');
    expect(formatCount(51950)).toBe('51\u202f950');
    expect(formatCount(1234567)).toBe('1\u202f234\u202f567');
    expect(formatMetric('model_evals', 30600)).toBe('30\u202f600');
  });

  it('writes p-values with 2 significant digits and A12 with 2 decimals', () => {
    expect(formatPValue(0.002348848744665035)).toBe('0.0023');
    expect(formatPValue(0.0331)).toBe('0.033');
    expect(formatPValue(1)).toBe('1.0');
    expect(formatPValue(3.4e-8)).toBe('3.4e-8');
    expect(formatPValue(0)).toBe('0');
    expect(formatA12(0.958333)).toBe('0.96');
    expect(formatA12(0.5)).toBe('0.50');
  });

  it('writes missing values as a dash', () => {
    for (const metric of ['test_acc', 'val_loss', 'time', 'model_evals', 'other']) {
      expect(formatMetric(metric, null)).toBe('–');
      expect(formatMetric(metric, Number.NaN)).toBe('–');
      expect(formatMetric(metric, undefined)).toBe('–');
    }
    expect(formatPValue(null)).toBe('–');
    expect(formatA12(Number.NaN)).toBe('–');
  });
});

describe('table columns', () => {
  it('gives a whole loss column the decimals of its largest value, so spreads and IQRs line up', () => {
    // Largest shown value 0.6489 (a CI bound) -> 4 decimals for every cell, IQR 0 included.
    const cells = formatSummaries('test_loss', [summarize([0.08, 0.15, 0.05, 0.11, 0.09, 0.14]), summarize([0.1, 0.1, 0.1, 0.1])]);
    expect(cells[0]).toEqual({
      meanStd: '0.1033 ± 0.0378',
      mean: '0.1033',
      std: '0.0378',
      median: '0.1000',
      iqr: '0.0500',
      min: '0.0500',
      max: '0.1500',
      ci: '[0.0637, 0.1430]',
    });
    expect(cells[1]?.iqr).toBe('0.0000');
    expect(cells[1]?.meanStd).toBe('0.1000 ± 0.0000');
  });

  it('never mixes exponent and plain forms in a column of counts', () => {
    // The observed "5.195e+4 ± 1.694e+4" beside "1584 ± 604.8".
    const cells = formatSummaries('model_evals', [summarize([51950 - 16940, 51950, 51950 + 16940]), summarize([1584 - 604.8, 1584, 1584 + 604.8])]);
    expect(cells.map((c) => c?.meanStd)).toEqual(['51\u202f950 ± 16\u202f940', '1584 ± 605']);
    // model_evals of 2664 ± 390.23 once read "2664.0000 ± 390.2307".
    expect(formatSummaries('model_evals', [summarize([2273.77, 2664, 3054.23])])[0]?.meanStd).toBe('2664 ± 390');
  });

  it('writes a time column in one unit, with the unit in every cell', () => {
    const cells = formatSummaries('time', [summarize([1.0, 1.1, 1.2, 1.3, 1.4, 1.5]), summarize([0.05, 0.06, 0.07])]);
    expect(cells[0]).toMatchObject({ meanStd: '1.250 ± 0.187 s', median: '1.250 s', iqr: '0.250 s', ci: '[1.054, 1.446] s' });
    expect(cells[1]).toMatchObject({ meanStd: '0.060 ± 0.010 s', median: '0.060 s' });
    // Below a second at most, milliseconds: 0.2 s ± 0.04 s reads "200 ± 40 ms".
    expect(formatSummaries('time', [summarize([0.16, 0.2, 0.24])])[0]?.meanStd).toBe('200 ± 40 ms');
  });

  it('clips confidence intervals to the metric domain', () => {
    // val_acc of 0.9667, 1, 1, 1 (n = 4): mean 0.9917, t-interval [0.9652, 1.0182] -> [0.9652, 1.0000].
    const acc = summarize([0.9667, 1, 1, 1]);
    expect(acc.ci95[1]).toBeGreaterThan(1);
    expect(formatSummaries('val_acc', [acc])[0]?.ci).toBe('[0.9652, 1.0000]');
    // A time interval that would reach below 0: mean 0.0104 s, sd 0.015423, t(0.975, 2) = 4.3027
    // -> [-0.0279, 0.0487] s; shown from 0, in ms with 3 significant digits of 48.7.
    const time = summarize([0.001, 0.002, 0.0282]);
    expect(time.ci95[0]).toBeLessThan(0);
    expect(formatSummaries('time', [time])[0]?.ci).toBe('[0.0, 48.7] ms');
    expect(clippedInterval('test_loss', [-0.5, 2])).toEqual([0, 2]);
    expect(clippedInterval('lr', [-0.5, 2])).toEqual([-0.5, 2]);
    // One run: no interval at all.
    expect(formatSummaries('test_acc', [summarize([0.9])])[0]).toMatchObject({ meanStd: '0.9000 ± –', ci: '–' });
  });

  it('styles a column from the values it shows', () => {
    expect(numberStyle('val_loss', [0.35, 1.2])).toEqual({ kind: 'loss', decimals: 3, exponent: false, unit: null });
    expect(numberStyle('val_loss', [2e-5, 4e-4])).toEqual({ kind: 'loss', decimals: 3, exponent: true, unit: null });
    expect(numberStyle('time', [0.4, 90])).toEqual({ kind: 'time', decimals: 2, exponent: false, unit: 's' });
    expect(formatSummaries('val_loss', [null])).toEqual([null]);
  });
});

describe('series palette', () => {
  it('gives the i-th group the i-th colour, cycling after eight', () => {
    expect(seriesColor(0)).toBe('#2563eb');
    expect(seriesColor(3)).toBe(SERIES_PALETTE[3]);
    expect(seriesColor(8)).toBe(seriesColor(0));
    expect(new Set(SERIES_PALETTE).size).toBe(8);
  });
});
