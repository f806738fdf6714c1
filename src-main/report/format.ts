// What the Markdown tables and the HTML/PDF report say around their numbers (the numbers
// themselves follow src-shared/format/number-format.ts): the test's name as a reader needs it
// ("Mann-Whitney U, one-sided, Holm-adjusted, α = 0.05"), p-value cells with the pair's A12
// beside them (significant ones highlighted), and the verdict of one comparison table.

import { formatA12, formatPValue } from '../../src-shared/format/number-format.ts';
import type { ComparisonTable } from '../../src-shared/stats/comparison.ts';

/** The test of a table, named fully: what was tested, one-sided, the correction and the level. */
export function testDescription(table: Pick<ComparisonTable, 'test' | 'alpha'>): string {
  const test = table.test === 'wilcoxon' ? 'Wilcoxon signed-rank over runs matched by seed' : 'Mann-Whitney U';
  return `${test}, one-sided, Holm-adjusted, α = ${table.alpha}`;
}

/** `highlight` wraps a significant p-value (bold in Markdown or HTML); the A12 of the pair follows. */
export function pValueCell(input: { p: number | null; a12: number | null; alpha: number; highlight: (text: string) => string }): string {
  if (input.p === null) return '–';
  const text = formatPValue(input.p);
  return `${input.p < input.alpha ? input.highlight(text) : text} (A12 ${formatA12(input.a12)})`;
}

/** The verdict of one table: the significant best, or the tied best when there is none. */
export interface Verdict {
  /** Rows no other row is significantly better than (one when there is a significant best). */
  readonly best: readonly string[];
  readonly significant: boolean;
  /** Significant best only: its largest Holm-adjusted p-value against the others, and its smallest A12. */
  readonly worstP: number | null;
  readonly smallestA12: number | null;
}

export function tableVerdict(table: ComparisonTable): Verdict {
  const best = table.rows.filter((r) => r.best).map((r) => r.optimizer);
  if (table.significantBest === null) return { best, significant: false, worstP: null, smallestA12: null };
  const i = table.rows.findIndex((r) => r.optimizer === table.significantBest);
  const others = table.rows.map((_, j) => j).filter((j) => j !== i);
  const ps = others.map((j) => table.adjusted[i][j]).filter((p): p is number => p !== null);
  const a12s = others.map((j) => table.a12[i][j]).filter((a): a is number => a !== null);
  return {
    best: [table.significantBest],
    significant: true,
    worstP: ps.length > 0 ? Math.max(...ps) : null,
    smallestA12: a12s.length > 0 ? Math.min(...a12s) : null,
  };
}

/** The verdict as one sentence of plain text (callers escape it for HTML); `nameOf` shortens the groups' names. */
export function verdictText(table: ComparisonTable, nameOf: (name: string) => string = (name) => name): string {
  const v = tableVerdict(table);
  if (v.significant)
    return `${nameOf(v.best[0])} is significantly better than every other (Holm-adjusted p ≤ ${formatPValue(v.worstP)}, A12 ≥ ${formatA12(v.smallestA12)}).`;
  if (table.rows.length < 2) return 'One group only: nothing to compare.';
  if (v.best.length === 0) return 'No group has values.';
  return `No single best at α = ${table.alpha}; not significantly worse than any other: ${v.best.map(nameOf).join(', ')}.`;
}
