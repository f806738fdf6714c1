// One number-format policy for every place a result is shown (the UI, the Markdown tables of
// `evolab evaluate` / `compare`, the HTML/PDF report): how a value reads depends on the kind
// of metric it is, never on the view.
//   accuracy  fractions in [0, 1], always 4 decimals ("0.9700 ± 0.0160", an IQR of 0 reads
//             "0.0000", never "0" beside "0.02500").
//   loss      (and any other metric) 4 significant digits of the largest value of the column,
//             every cell of the column with the same decimals, so right-aligned numbers line
//             up; exponent form for the whole column when its largest value is below 1e-3 or
//             from 1e6 ("3.470e-6").
//   time      seconds written in one unit per column (ms below 1 s, s below 10 min, min below
//             10 h, else h; chosen by the largest value), 4 significant digits of the largest
//             (3 in ms), the unit after the number ("1.571 ± 0.351 s", "215 ms").
//   count     integers (means and spreads of counts round), digits grouped by a narrow
//             no-break space from 10 000 ("51 950 ± 16 940", "2664 ± 390"): a comma would be
//             ambiguous inside a confidence interval "[2385, 2943]".
//   p-value   2 significant digits, exponent form below 1e-3 ("0.0023", "3.4e-8", "1.0").
//   A12       2 decimals.
// Missing or non-finite values read "–". Confidence intervals are clipped to the metric's
// domain (an accuracy's CI never reads above 1, a loss's or a time's never below 0): the
// t-interval is symmetric, the metric is not.

import type { Summary } from '../stats/summary.ts';

export type MetricKind = 'accuracy' | 'loss' | 'time' | 'count' | 'other';

/** The kind of a stored metric by its name (val_acc, test_loss, time, elapsed_s, model_evals, epochs). */
export function metricKind(metric: string): MetricKind {
  if (/(^|_)acc(uracy)?$/.test(metric)) return 'accuracy';
  if (/(^|_)loss$/.test(metric)) return 'loss';
  if (metric === 'time' || metric === 'elapsed_s' || metric === 'wall_time' || metric.endsWith('_time')) return 'time';
  if (/(^|_)evals$/.test(metric) || metric === 'epochs' || metric === 'epoch' || metric.endsWith('_count')) return 'count';
  return 'other';
}

/** The range a metric's values (and so its intervals and axes) can take. */
export function kindDomain(kind: MetricKind): { readonly min: number; readonly max: number } {
  if (kind === 'accuracy') return { min: 0, max: 1 };
  if (kind === 'other') return { min: -Infinity, max: Infinity };
  return { min: 0, max: Infinity };
}

/** The range `metric`'s values take (by its kind). */
export function metricDomain(metric: string): { readonly min: number; readonly max: number } {
  return kindDomain(metricKind(metric));
}

export type TimeUnit = 'ms' | 's' | 'min' | 'h';

const SECONDS_PER: Readonly<Record<TimeUnit, number>> = { ms: 1e-3, s: 1, min: 60, h: 3600 };

/** How every cell of one column reads: the same decimals (or exponent form) and unit. */
export interface NumberStyle {
  readonly kind: MetricKind;
  /** Digits after the decimal point (of the mantissa in exponent form). */
  readonly decimals: number;
  readonly exponent: boolean;
  /** Time only: the unit the values are written in (values are given in seconds). */
  readonly unit: TimeUnit | null;
}

export const MISSING = '–';

/** Narrow no-break space (U+202F), the SI digit-group separator. */
const GROUP = '\u202f';

function finite(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** The largest magnitude among the finite values (0 when there is none). */
function largest(values: readonly (number | null | undefined)[]): number {
  let max = 0;
  for (const v of values) if (finite(v)) max = Math.max(max, Math.abs(v));
  return max;
}

/** Decimals that give `digits` significant digits to `magnitude` (> 0). */
function decimalsFor(magnitude: number, digits: number): number {
  return digits - 1 - Math.floor(Math.log10(magnitude));
}

/**
 * The style of a column of `metric`'s values. Pass the values the column shows at full size
 * (means, medians, bounds); spreads (std, IQR) take the same style.
 */
export function numberStyle(metric: string, values: readonly (number | null | undefined)[]): NumberStyle {
  const kind = metricKind(metric);
  const max = largest(values);
  switch (kind) {
    case 'accuracy':
      return { kind, decimals: 4, exponent: false, unit: null };
    case 'count':
      return { kind, decimals: 0, exponent: false, unit: null };
    case 'time': {
      const unit: TimeUnit = max === 0 ? 's' : max < 1 ? 'ms' : max < 600 ? 's' : max < 36_000 ? 'min' : 'h';
      const inUnit = max / SECONDS_PER[unit];
      // 4 significant digits of the largest value, but nothing finer than a millisecond's tenth
      // (timer noise): "2.440 s", "51.95 s", "850 ms", "12.50 min".
      const digits = unit === 'ms' ? 3 : 4;
      return { kind, decimals: inUnit === 0 ? 3 : clamp(decimalsFor(inUnit, digits), 0, 3), exponent: false, unit };
    }
    default: {
      if (max === 0) return { kind, decimals: 0, exponent: false, unit: null };
      if (max < 1e-3 || max >= 1e6) return { kind, decimals: 3, exponent: true, unit: null };
      return { kind, decimals: clamp(decimalsFor(max, 4), 0, 6), exponent: false, unit: null };
    }
  }
}

function groupDigits(text: string): string {
  const match = /^(-?)(\d+)(.*)$/.exec(text);
  if (match === null || match[2].length < 5) return text;
  return `${match[1]}${match[2].replace(/\B(?=(\d{3})+(?!\d))/g, GROUP)}${match[3]}`;
}

/** The number alone (no unit), in `style`. Time values are in seconds. */
export function formatBare(style: NumberStyle, value: number | null | undefined): string {
  if (!finite(value)) return MISSING;
  if (style.exponent) return value === 0 ? '0' : value.toExponential(style.decimals);
  const scaled = style.unit === null ? value : value / SECONDS_PER[style.unit];
  let text = scaled.toFixed(style.decimals);
  // -0.0000 after rounding reads as 0.0000.
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return style.kind === 'count' ? groupDigits(text) : text;
}

/** The unit suffix of a style (" s"), or "". */
export function unitSuffix(style: NumberStyle): string {
  return style.unit === null ? '' : ` ${style.unit}`;
}

/** The number with its unit, in `style`. */
export function formatStyled(style: NumberStyle, value: number | null | undefined): string {
  const bare = formatBare(style, value);
  return bare === MISSING ? bare : `${bare}${unitSuffix(style)}`;
}

/** One value of `metric` on its own (a table cell of final metrics, a tooltip). */
export function formatMetric(metric: string, value: number | null | undefined): string {
  return formatStyled(numberStyle(metric, [value]), value);
}

/** 4 significant digits for a value of no known kind, exponent form below 1e-3 or from 1e6. */
export function formatSignificant(value: number | null | undefined): string {
  return formatMetric('', value);
}

/** Seconds with a unit: "850 ms", "2.400 s", "12.50 min". */
export function formatSeconds(seconds: number | null | undefined): string {
  return formatMetric('time', seconds);
}

/** An integer count ("2664", "51 950"); a mean of counts rounds. */
export function formatCount(value: number | null | undefined): string {
  return formatMetric('model_evals', value);
}

/** The cells of one summary row, every row of a table in the same style. */
export interface SummaryCells {
  /** "0.9700 ± 0.0160", "1.58 ± 0.12 s". */
  readonly meanStd: string;
  readonly mean: string;
  readonly std: string;
  readonly median: string;
  readonly iqr: string;
  readonly min: string;
  readonly max: string;
  /** "[0.9583, 0.9817]", "[1.49, 1.67] s", clipped to the metric's domain. */
  readonly ci: string;
}

/** The 95% CI of a summary clipped to the metric's domain (NaN bounds stay NaN). */
export function clippedInterval(metric: string, interval: readonly [number, number]): [number, number] {
  const { min, max } = metricDomain(metric);
  const clip = (v: number): number => (Number.isNaN(v) ? v : clamp(v, min, max));
  return [clip(interval[0]), clip(interval[1])];
}

/** The style shared by every row of a summary table of `metric`. */
export function summaryStyle(metric: string, summaries: readonly (Summary | null)[]): NumberStyle {
  const values: number[] = [];
  for (const s of summaries) {
    if (s === null) continue;
    const [low, high] = clippedInterval(metric, s.ci95);
    values.push(s.mean, s.median, s.min, s.max, low, high);
  }
  return numberStyle(metric, values);
}

/** The summary cells of every row of one table (null rows stay null), aligned column by column. */
export function formatSummaries(metric: string, summaries: readonly (Summary | null)[]): (SummaryCells | null)[] {
  const style = summaryStyle(metric, summaries);
  const unit = unitSuffix(style);
  const bare = (v: number): string => formatBare(style, v);
  const withUnit = (text: string): string => (text === MISSING ? text : `${text}${unit}`);
  return summaries.map((s) => {
    if (s === null) return null;
    const [low, high] = clippedInterval(metric, s.ci95);
    const ci = Number.isFinite(low) && Number.isFinite(high) ? `[${bare(low)}, ${bare(high)}]${unit}` : MISSING;
    const std = bare(s.std);
    return {
      meanStd: `${bare(s.mean)} ± ${std}${unit}`,
      mean: withUnit(bare(s.mean)),
      std: withUnit(std),
      median: withUnit(bare(s.median)),
      iqr: withUnit(bare(s.iqr)),
      min: withUnit(bare(s.min)),
      max: withUnit(bare(s.max)),
      ci,
    };
  });
}

/** A p-value: 2 significant digits, exponent form below 1e-3 ("0.0023", "3.4e-8", "1.0"). */
export function formatPValue(p: number | null | undefined): string {
  if (!finite(p)) return MISSING;
  if (p === 0) return '0';
  if (p < 1e-3) return p.toExponential(1);
  return p.toPrecision(2);
}

/** Vargha-Delaney A12 (probability of superiority) with 2 decimals. */
export function formatA12(a12: number | null | undefined): string {
  return finite(a12) ? a12.toFixed(2) : MISSING;
}
