// Descriptive statistics of one sample: mean, standard deviation (n - 1), median and
// quartiles (linear interpolation between order statistics, numpy's default "type 7"), and
// the 95% confidence interval of the mean from Student's t (undefined below 2 values).

import { studentTQuantile } from './student-t.ts';

export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1); NaN for one value. */
  readonly std: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly iqr: number;
  readonly min: number;
  readonly max: number;
  /** 95% confidence interval of the mean; NaN bounds for one value. */
  readonly ci95: readonly [number, number];
}

/** The p-quantile with linear interpolation between order statistics (numpy default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = n > 1 ? (studentTQuantile(0.975, n - 1) * std) / Math.sqrt(n) : Number.NaN;
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return { n, mean, std, median: quantile(sorted, 0.5), q1, q3, iqr: q3 - q1, min: sorted[0], max: sorted[n - 1], ci95: [mean - half, mean + half] };
}
