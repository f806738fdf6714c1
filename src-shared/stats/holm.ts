// Holm's step-down correction for multiple comparisons (Holm 1979, "A simple sequentially
// rejective multiple test procedure", Scand. J. Statist. 6:65-70): with the m p-values sorted
// ascending, the i-th (1-based) is adjusted to max over j <= i of min(1, (m - j + 1) p_(j)).
// Returns the adjusted p-values in the input's order; NaN inputs stay NaN and do not count.

export function holmAdjust(pValues: readonly number[]): number[] {
  const indexed = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  indexed.sort((a, b) => a[0] - b[0]);
  const m = indexed.length;
  const adjusted = pValues.map(() => Number.NaN);
  let running = 0;
  indexed.forEach(([p, index], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
