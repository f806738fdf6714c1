// How numbers read everywhere in the UI: statistics with 4 significant digits (exponent
// form for very large or very small values, so run times and evaluation counts stay short),
// compact values for labels and hyperparameters (trailing zeros dropped), p-values with 2
// significant digits and exponent form below 1e-3 (3.2e-4), effect sizes with 2 decimals.
// Missing or undefined values read "–" rather than NaN.

export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(3);
  return value.toPrecision(4);
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

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p === 0) return '0';
  if (p < 1e-3) return p.toExponential(1);
  return p.toPrecision(2);
}

export function formatA12(a12: number | null | undefined): string {
  return a12 === null || a12 === undefined || !Number.isFinite(a12) ? '–' : a12.toFixed(2);
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
