// Comparison tables as Markdown (`evolab evaluate` and `evolab compare`): per data set and
// metric, the summary per optimizer (best marked in bold with a star; numbers in the metric's
// format, one style per column, times with their unit, counts as integers), and the matrix of
// Holm-adjusted one-sided p-values "row better than column" with the Vargha-Delaney A12 of
// each pair beside it (significant ones in bold), with the test named and any notes. Numeric
// columns are right-aligned, their headers included.

import { formatSummaries } from '../../src-shared/format/number-format.ts';
import type { ComparisonTable } from '../../src-shared/stats/comparison.ts';
import { pValueCell, testDescription, verdictText } from './format.ts';

/** Pipes inside names would split a Markdown cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function comparisonMarkdown(table: ComparisonTable): string {
  const lines = [
    `### ${table.dataset}: ${table.metric} (${table.better} is better)`,
    '',
    '| optimizer | n | mean ± std | median | IQR | 95% CI of the mean |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const cells = formatSummaries(
    table.metric,
    table.rows.map((r) => r.summary),
  );
  table.rows.forEach((row, i) => {
    const c = cells[i];
    const name = row.best ? `**${cell(row.optimizer)}** ★` : cell(row.optimizer);
    lines.push(c === null ? `| ${name} | 0 | n/a | n/a | n/a | n/a |` : `| ${name} | ${row.n} | ${c.meanStd} | ${c.median} | ${c.iqr} | ${c.ci} |`);
  });
  lines.push(
    '',
    `One-sided p-values, row better than column, with the A12 of the pair (${testDescription(table)}; Holm over this table's p-values; bold: p < ${table.alpha}; A12 > 0.5: the row tends to be better):`,
    '',
  );
  lines.push(`| | ${table.rows.map((r) => cell(r.optimizer)).join(' | ')} |`, `|---|${table.rows.map(() => '---:').join('|')}|`);
  table.rows.forEach((row, i) =>
    lines.push(
      `| ${cell(row.optimizer)} | ${table.adjusted[i]
        .map((p, j) => (i === j ? '' : pValueCell({ p, a12: table.a12[i][j], alpha: table.alpha, highlight: (text) => `**${text}**` })))
        .join(' | ')} |`,
    ),
  );
  lines.push('', `★ ${verdictText(table)}`);
  for (const note of table.notes) lines.push(`Note: ${note}.`);
  return lines.join('\n');
}
