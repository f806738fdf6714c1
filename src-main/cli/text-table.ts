// Aligned plain-text tables for the terminal: the first `leftColumns` columns left-aligned
// (names), the others right-aligned (numbers), a dashed rule under the header.

export function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 4 significant digits; exponent form for large values; "-" for missing ones. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (Number.isNaN(value)) return 'NaN';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  if (Math.abs(value) >= 1e5) return value.toExponential(3);
  return value.toPrecision(4);
}

/** Hyperparameters as "name=value" pairs, numbers as formatNumber writes them. */
export function paramsText(params: Readonly<Record<string, number | string | boolean>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? formatNumber(value) : String(value)}`)
    .join(' ');
}
