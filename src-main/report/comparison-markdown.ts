// Comparison tables as Markdown: per data set and metric, the summary per optimizer (best
// marked in bold with a star) and the matrix of Holm-adjusted one-sided p-values "row better
// than column" (significant ones in bold), with the test used and any notes.

import type { ComparisonTable } from '../../src-shared/stats/comparison.ts';
import { formatPValue, formatStat as number } from './format.ts';

const pValue = (p: number | null, alpha: number): string => formatPValue(p, alpha, (text) => `**${text}**`);

export function comparisonMarkdown(table: ComparisonTable): string {
  const test = table.test === 'wilcoxon' ? 'Wilcoxon signed-rank over runs matched by index' : 'Mann-Whitney U';
  const lines = [
    `### ${table.dataset}: ${table.metric} (${table.better} is better)`,
    '',
    '| optimizer | n | mean ± std | median | IQR | 95% CI of the mean |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of table.rows) {
    const s = row.summary;
    const name = row.best ? `**${row.optimizer}** ★` : row.optimizer;
    lines.push(
      s === null
        ? `| ${name} | 0 | n/a | n/a | n/a | n/a |`
        : `| ${name} | ${row.n} | ${number(s.mean)} ± ${number(s.std)} | ${number(s.median)} | ${number(s.iqr)} | [${number(s.ci95[0])}, ${number(s.ci95[1])}] |`,
    );
  }
  lines.push('', `One-sided p-values, row better than column (${test}, Holm-adjusted over this table; bold: < ${table.alpha}):`, '');
  lines.push(`| | ${table.rows.map((r) => r.optimizer).join(' | ')} |`, `|---|${table.rows.map(() => '---:').join('|')}|`);
  table.rows.forEach((row, i) => lines.push(`| ${row.optimizer} | ${table.adjusted[i].map((p, j) => (i === j ? '' : pValue(p, table.alpha))).join(' | ')} |`));
  const verdict =
    table.significantBest !== null
      ? `★ ${table.significantBest} is significantly better than every other optimizer.`
      : `★ No optimizer is significantly better than every other; marked: those no other is significantly better than.`;
  lines.push('', verdict);
  for (const note of table.notes) lines.push(`Note: ${note}.`);
  return lines.join('\n');
}
