// The comparison report as one self-contained HTML document: per data set, the comparison
// table of every metric (summary rows, best marked, Holm-adjusted one-sided p-values),
// boxplots of the final metrics, learning curves aggregated across seeds, then the experiment
// configs and the environment. Charts are inline SVG (no script); the print CSS makes A4
// pages and keeps every table and figure in one piece.

import type { ComparisonTable, ResultGroup } from '../../src-shared/stats/comparison.ts';
import { compareGroups } from '../../src-shared/stats/comparison.ts';
import { groupCurves } from '../../src-shared/stats/group-curves.ts';
import { boxplotSvg, curvesSvg } from './charts.ts';
import { formatStat as formatNumber, formatPValue } from './format.ts';

const formatP = (p: number | null, alpha: number): string => formatPValue(p, alpha, (text) => `<b>${text}</b>`);

export interface ReportEnvironment {
  readonly evolab: string;
  readonly node: string;
  readonly machine: string;
  readonly backends: readonly string[];
  readonly created: string;
}

export interface ReportInput {
  readonly title: string;
  readonly groups: readonly ResultGroup[];
  /** Config (any JSON) per group source, shown at the end. */
  readonly configs: ReadonlyMap<string, unknown>;
  readonly environment: ReportEnvironment;
  readonly metrics?: readonly string[];
  readonly paired?: boolean;
}

/** Metrics drawn as boxplots and as learning curves (the UI's comparison view draws the same). */
import { BOXPLOT_METRICS, CURVE_METRICS } from './report-metrics.ts';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function tableHtml(table: ComparisonTable): string {
  const test = table.test === 'wilcoxon' ? 'Wilcoxon signed-rank, runs matched by index' : 'Mann-Whitney U';
  const rows = table.rows
    .map((row) => {
      const s = row.summary;
      const name = row.best ? `<b>${escape(row.optimizer)}</b> ★` : escape(row.optimizer);
      return s === null
        ? `<tr><td>${name}</td><td>0</td><td colspan="4">no values</td></tr>`
        : `<tr><td>${name}</td><td>${row.n}</td><td>${formatNumber(s.mean)} ± ${formatNumber(s.std)}</td><td>${formatNumber(s.median)}</td><td>${formatNumber(s.iqr)}</td><td>[${formatNumber(s.ci95[0])}, ${formatNumber(s.ci95[1])}]</td></tr>`;
    })
    .join('');
  const matrix = table.rows
    .map(
      (row, i) => `<tr><th>${escape(row.optimizer)}</th>${table.adjusted[i].map((p, j) => `<td>${i === j ? '' : formatP(p, table.alpha)}</td>`).join('')}</tr>`,
    )
    .join('');
  const verdict =
    table.significantBest !== null
      ? `★ ${escape(table.significantBest)} is significantly better than every other optimizer (Holm-adjusted p &lt; ${table.alpha}).`
      : '★ No optimizer is significantly better than every other; marked: those no other is significantly better than.';
  const notes = table.notes.map((n) => `<p class="note">Note: ${escape(n)}.</p>`).join('');
  return `<section class="keep">
<h3>${escape(table.dataset)}: ${escape(table.metric)} <span class="dim">(${table.better} is better)</span></h3>
<table><thead><tr><th>optimizer</th><th>n</th><th>mean ± std</th><th>median</th><th>IQR</th><th>95% CI of the mean</th></tr></thead><tbody>${rows}</tbody></table>
<p class="caption">One-sided p-values, row better than column (${test}, Holm-adjusted over this table; bold: &lt; ${table.alpha}). ${verdict}</p>
<table class="matrix"><thead><tr><th></th>${table.rows.map((r) => `<th>${escape(r.optimizer)}</th>`).join('')}</tr></thead><tbody>${matrix}</tbody></table>
${notes}</section>`;
}

export function renderHtmlReport(input: ReportInput): string {
  const tables = compareGroups(input.groups, { ...(input.metrics !== undefined ? { metrics: input.metrics } : {}), paired: input.paired ?? false });
  const datasets = [...new Set(input.groups.map((g) => g.dataset))].sort();
  const sections = datasets.map((dataset) => {
    const groups = input.groups.filter((g) => g.dataset === dataset);
    const boxes = BOXPLOT_METRICS.filter((m) => groups.some((g) => g.runs.some((r) => r.metrics[m] !== undefined))).map(
      (metric) =>
        `<figure class="keep">${boxplotSvg(
          `${dataset}: ${metric}`,
          groups.map((g) => ({ name: g.optimizer, values: g.runs.map((r) => r.metrics[metric] ?? Number.NaN) })),
        )}</figure>`,
    );
    const curves = CURVE_METRICS.map((metric) => ({ metric, series: groupCurves(groups, metric) }))
      .filter((c) => c.series.length > 0)
      .map((c) => `<figure class="keep">${curvesSvg(`${dataset}: ${c.metric} per epoch (mean, 95% band)`, c.series)}</figure>`);
    return `<h2>${escape(dataset)}</h2>
${tables
  .filter((t) => t.dataset === dataset)
  .map(tableHtml)
  .join('\n')}
<h3 class="break">Final metrics</h3>${boxes.join('\n')}
${curves.length > 0 ? `<h3>Learning curves</h3>${curves.join('\n')}` : '<p class="note">No per-epoch files: no learning curves.</p>'}`;
  });
  const sources = input.groups
    .map((g) => `<tr><td>${escape(g.dataset)}</td><td>${escape(g.optimizer)}</td><td>${g.runs.length}</td><td>${escape(g.source)}</td></tr>`)
    .join('');
  const configs = [...input.configs.entries()]
    .map(([source, config]) => `<section class="keep"><h4>${escape(source)}</h4><pre>${escape(JSON.stringify(config, null, 2))}</pre></section>`)
    .join('');
  const env = input.environment;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>
  @page { size: A4; margin: 14mm 12mm; }
  body { font-family: sans-serif; font-size: 10pt; color: #111; max-width: 190mm; margin: 0 auto; }
  h1 { font-size: 17pt; } h2 { font-size: 14pt; border-bottom: 1px solid #999; margin-top: 18pt; } h3 { font-size: 11pt; margin: 12pt 0 4pt; }
  table { border-collapse: collapse; margin: 4pt 0; } th, td { border: 1px solid #bbb; padding: 2pt 5pt; text-align: right; } td:first-child, th:first-child { text-align: left; }
  .dim { color: #666; font-weight: normal; } .caption, .note { font-size: 8.5pt; color: #333; margin: 3pt 0; }
  figure { margin: 6pt 0; } svg { max-width: 100%; height: auto; }
  pre { font-size: 7.5pt; background: #f5f5f5; padding: 4pt; white-space: pre-wrap; }
  .keep { break-inside: avoid; page-break-inside: avoid; } .break { break-before: page; page-break-before: always; }
</style></head><body>
<h1>${escape(input.title)}</h1>
<p>Created ${escape(env.created)} by Evolab ${escape(env.evolab)} (Node ${escape(env.node)}) on ${escape(env.machine)}. Backends of the runs: ${escape(env.backends.join('; ') || 'unknown')}.</p>
<table><thead><tr><th>data set</th><th>optimizer</th><th>runs</th><th>source</th></tr></thead><tbody>${sources}</tbody></table>
${sections.join('\n')}
<h2 class="break">Experiment configs</h2>${configs || '<p class="note">No configs (result files without metadata).</p>'}
</body></html>
`;
}
