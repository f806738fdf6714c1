// How numbers read in the UI. Metric values follow the one policy of every view, the
// Markdown tables and the PDF (src-shared/format/number-format.ts): use formatMetric(metric,
// value) for a single value and formatSummaries(metric, summaries) for the rows of a
// comparison table (one style per column, so right-aligned numbers line up; times carry a
// unit; counts are integers; CIs clipped to the metric's domain). The older kind-less
// helpers stay for values of no known metric: formatStat (4 significant digits, exponent form
// below 1e-3 or from 1e6), formatCompact (labels and hyperparameters, trailing zeros dropped),
// formatP (2 significant digits) and formatA12 (2 decimals). Missing values read "–".

import { formatA12 as sharedA12, formatPValue, formatSignificant } from '../src-shared/format/number-format.ts';

export {
  formatCount,
  formatMetric,
  formatSeconds,
  formatSummaries,
  metricKind,
  numberStyle,
  type MetricKind,
  type SummaryCells,
} from '../src-shared/format/number-format.ts';
export { seriesColor, SERIES_PALETTE } from '../src-shared/format/palette.ts';

/** A value of no known metric kind: 4 significant digits, exponent form below 1e-3 or from 1e6. */
export function formatStat(value: number | null | undefined): string {
  return formatSignificant(value);
}

/** 4 significant digits without padding zeros (0.9, 1e-4, 2.5e-5): labels, HPs, chart tips. */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return Number(value.toPrecision(4)).toString();
}

/** A standard deviation beside its mean: floating-point noise (1e-16 of identical runs) reads 0. */
export function formatSpread(std: number | null | undefined, mean: number | null | undefined): string {
  if (std !== null && std !== undefined && Number.isFinite(std) && Math.abs(std) <= 1e-12 * Math.max(1, Math.abs(mean ?? 0))) return '0';
  return formatStat(std);
}

/** A p-value: 2 significant digits, exponent form below 1e-3. */
export function formatP(p: number | null | undefined): string {
  return formatPValue(p);
}

export function formatA12(a12: number | null | undefined): string {
  return sharedA12(a12);
}

/** File sizes as people read them (kB = 1000 bytes, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** Milliseconds as "850 ms" or "2.4 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A time left as people say it: "45 s", "3 min 20 s", "2 h 05 min"; null reads "–". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
