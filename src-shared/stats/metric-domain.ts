// The one rule for the range a metric's values, and so its confidence bands and chart axes,
// can take: accuracies in [0, 1], losses, times and counts >= 0, anything else unbounded
// (metricDomain in src-shared/format/number-format.ts, by the metric's kind). The UI's
// curve charts and the PDF report both clip with these functions, so a 95% t-interval
// (symmetric, while the metric is not) never draws a band or an axis outside the range.

import { metricDomain } from '../format/number-format.ts';

export { metricDomain };

/** `value` clipped to `metric`'s domain (NaN stays NaN). */
export function clipToDomain(metric: string, value: number): number {
  const { min, max } = metricDomain(metric);
  return Number.isNaN(value) ? value : Math.min(max, Math.max(min, value));
}

/** A "nice" step (1, 2 or 5 times a power of ten) of about `span / 5`. */
function niceStep(span: number): number {
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/**
 * Axis bounds for `values` of `metric`, inside the metric's domain: on a linear axis the data
 * range padded by 5% and rounded out to a nice step, on a log axis the decades around the
 * positive values. Null when there is no finite value (let the chart decide).
 */
export function axisBounds(args: { readonly metric: string; readonly values: readonly number[]; readonly log?: boolean }): { min: number; max: number } | null {
  const { min: domainMin, max: domainMax } = metricDomain(args.metric);
  const finite = args.values.filter((v) => Number.isFinite(v) && (args.log !== true || v > 0));
  if (finite.length === 0) return null;
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (args.log === true) {
    const min = 10 ** Math.floor(Math.log10(low));
    const max = 10 ** Math.ceil(Math.log10(high));
    return { min: Math.max(min, domainMin), max: Math.min(max === min ? max * 10 : max, domainMax) };
  }
  if (high === low) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  } else {
    const pad = (high - low) * 0.05;
    low -= pad;
    high += pad;
  }
  const step = niceStep(high - low);
  const min = Math.max(domainMin, Math.floor(low / step) * step);
  const max = Math.min(domainMax, Math.ceil(high / step) * step);
  // Rounding to the step can leave float noise (0.30000000000000004).
  const tidy = (v: number): number => Number(v.toPrecision(12));
  return { min: tidy(min), max: tidy(max) };
}
