// How numbers read in comparison tables (Markdown and HTML alike): 4 decimals, exponent form
// for very large or small values, "n/a" for missing ones; p-values in exponent form below
// 1e-4, highlighted when significant.

export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return value.toFixed(4);
}

/** `highlight` wraps a significant p-value (bold in Markdown or HTML). */
export function formatPValue(p: number | null, alpha: number, highlight: (text: string) => string): string {
  if (p === null) return '–';
  const text = p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
  return p < alpha ? highlight(text) : text;
}
