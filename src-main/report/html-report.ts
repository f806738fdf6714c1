// The comparison report as one self-contained HTML document (and, printed by Chromium, the
// PDF). The first page stands alone: what was compared (each group's experiment, optimizer
// and settings, data set, runs and seeds, the shared setup) and the verdict per metric with
// the test named ("Mann-Whitney U, one-sided, Holm-adjusted, α = 0.05"). Then the final
// metrics as boxplots, the learning curves against epochs beside the same curves against
// model evaluations (evaluation-matched), the full table of every metric (summary rows, best
// marked, Holm-adjusted one-sided p-values with the A12 of each pair beside them), and the
// experiment configs and environment. Every group keeps one colour throughout, the one the
// UI gives it (seriesColor of its place in the comparison). Charts are inline SVG (no
// script); the print CSS keeps each figure with its caption and each table whole, and never
// forces a page break, so no page is left half empty.

import { formatSummaries } from '../../src-shared/format/number-format.ts';
import { seriesColor } from '../../src-shared/format/palette.ts';
import type { ComparisonTable, ResultGroup } from '../../src-shared/stats/comparison.ts';
import { compareGroups } from '../../src-shared/stats/comparison.ts';
import { boxplotSvg, type CurveAxis, curvesSvg, MIN_BAND_RUNS } from './charts.ts';
import { pValueCell, tableVerdict, testDescription, verdictText } from './format.ts';
import { formatA12, formatPValue } from '../../src-shared/format/number-format.ts';
import { groupCurve } from './report-curves.ts';
import { BOXPLOT_METRICS, CURVE_METRICS } from './report-metrics.ts';

export interface ReportEnvironment {
  readonly evolab: string;
  readonly node: string;
  readonly machine: string;
  readonly backends: readonly string[];
  readonly created: string;
}

/** What is known of a group beyond its runs: where it came from and what it ran. */
export interface GroupDescription {
  /** The group's source (ResultGroup.source). */
  readonly source: string;
  /** The experiment's name in the database; null for result files. */
  readonly experiment: string | null;
  /** The optimizer's type ("adam"), never the experiment's name. */
  readonly optimizer: string;
  /** The experiment config (any JSON), when known. */
  readonly config: unknown;
  /** The runs' seeds, when known (result files only know run indices). */
  readonly seeds: readonly number[] | null;
}

export interface ReportInput {
  readonly title: string;
  readonly groups: readonly ResultGroup[];
  /** Config (any JSON) per group source, shown at the end. */
  readonly configs: ReadonlyMap<string, unknown>;
  readonly environment: ReportEnvironment;
  readonly metrics?: readonly string[];
  readonly paired?: boolean;
  /** Per group (by source); a group without one is described by its result group alone. */
  readonly descriptions?: readonly GroupDescription[];
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A group as the report shows it: its name (the comparison's row label), colour and short key. */
interface Shown {
  readonly group: ResultGroup;
  readonly name: string;
  readonly color: string;
  /** Short label on chart axes and matrix headers: the optimizer when unique, else the key number. */
  readonly short: string;
  readonly description: GroupDescription;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function compactValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(compactValue).join(', ')}]`;
  if (value === null) return 'none';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The optimizer's settings from a config ("lr 0.1061, beta1 0.9"), or "". */
function optimizerSettings(config: unknown): string {
  const optimizer = record(record(config)?.optimizer);
  if (optimizer === null) return '';
  return Object.entries(optimizer)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => `${key} ${compactValue(value)}`)
    .join(', ');
}

/** The setup shared by the groups' configs (model, split, training), or what differs. */
function setupText(configs: readonly unknown[]): string {
  const part = (pick: (c: Record<string, unknown>) => string | null): string | null => {
    const values = new Set(configs.map((c) => (record(c) === null ? null : pick(record(c) as Record<string, unknown>))));
    if (values.has(null)) return null;
    return values.size === 1 ? ([...values][0] as string) : 'differs between groups (see the configs)';
  };
  const model = part((c) => {
    const m = record(c.model);
    return m === null ? null : `hidden layers ${compactValue(m.hidden)}, ${String(m.activation)} activation`;
  });
  const split = part((c) => {
    const s = record(record(c.dataset)?.split);
    return s === null ? null : `train/val/test ${compactValue(s.train)}/${compactValue(s.val)}/${compactValue(s.test)} (split seed ${compactValue(s.seed)})`;
  });
  const training = part((c) => {
    const t = record(c.training);
    if (t === null) return null;
    const stop = record(t.early_stopping);
    return `batch ${compactValue(t.batch_size)}, at most ${compactValue(t.max_epochs)} epochs, ${stop === null ? 'no early stopping' : `early stopping patience ${compactValue(stop.patience)}, min_delta ${compactValue(stop.min_delta)}`}`;
  });
  return [model && `Model: ${model}.`, split && `Split: ${split}.`, training && `Training: ${training}.`].filter((s) => s !== null).join(' ');
}

/** "0–24" for consecutive seeds, else the list (shortened). */
function rangeText(values: readonly number[]): string {
  if (values.length === 0) return '–';
  const sorted = [...values].sort((a, b) => a - b);
  const consecutive = sorted.every((v, i) => i === 0 || v === sorted[i - 1] + 1);
  if (consecutive) return sorted.length === 1 ? String(sorted[0]) : `${sorted[0]}–${sorted[sorted.length - 1]}`;
  return sorted.length <= 6 ? sorted.join(', ') : `${sorted.slice(0, 5).join(', ')}, … (${sorted.length})`;
}

function swatch(color: string): string {
  return `<span class="sw" style="background:${color}"></span>`;
}

function legendHtml(shown: readonly Shown[]): string {
  return `<p class="legend">${shown.map((s) => `<span>${swatch(s.color)}${s.short === s.name ? '' : `<b>${escape(s.short)}</b> `}${escape(s.name)}</span>`).join('')}</p>`;
}

function describeGroups(input: ReportInput): Shown[] {
  const described = new Map((input.descriptions ?? []).map((d) => [d.source, d]));
  const descriptions = input.groups.map(
    (g): GroupDescription =>
      described.get(g.source) ?? { source: g.source, experiment: null, optimizer: g.optimizer, config: input.configs.get(g.source) ?? null, seeds: null },
  );
  // Short labels: the optimizer when each group has its own, else the key numbers 1..k.
  const optimizers = descriptions.map((d) => d.optimizer);
  const unique = new Set(optimizers).size === optimizers.length;
  return input.groups.map((group, i) => ({
    group,
    name: group.optimizer,
    color: seriesColor(i),
    short: unique ? optimizers[i] : String(i + 1),
    description: descriptions[i],
  }));
}

function comparedTable(shown: readonly Shown[]): string {
  const fromDatabase = shown.some((s) => s.description.experiment !== null);
  const rows = shown
    .map((s) => {
      const d = s.description;
      const seeds = d.seeds !== null ? rangeText(d.seeds) : `run indices ${rangeText(s.group.runs.map((r) => r.index))}`;
      const settings = optimizerSettings(d.config);
      const origin = fromDatabase ? `${escape(d.experiment ?? '')} <span class="dim">(${escape(s.group.source)})</span>` : escape(s.group.source);
      return `<tr><td>${swatch(s.color)}<b>${escape(d.optimizer)}</b>${settings === '' ? '' : `<br><span class="dim">${escape(settings)}</span>`}</td><td>${origin}</td><td>${escape(s.group.dataset)}</td><td class="num">${s.group.runs.length}</td><td class="num">${escape(seeds)}</td></tr>`;
    })
    .join('');
  return `<table class="compared"><thead><tr><th>optimizer and settings</th><th>${fromDatabase ? 'experiment' : 'result file'}</th><th>data set</th><th class="num">runs</th><th class="num">seeds</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function verdictTable(tables: readonly ComparisonTable[], shown: readonly Shown[]): string {
  const byName = new Map(shown.map((s) => [s.name, s]));
  const label = (name: string): string => {
    const s = byName.get(name);
    return `${swatch(s?.color ?? '#888')}<b>${escape(s?.short ?? name)}</b>`;
  };
  const rows = tables
    .map((t) => {
      const v = tableVerdict(t);
      const cells = formatSummaries(
        t.metric,
        t.rows.map((r) => r.summary),
      );
      const best = v.best
        .map(
          (name) =>
            `<div class="pair"><span>${label(name)}</span><span class="num">${escape(cells[t.rows.findIndex((r) => r.optimizer === name)]?.meanStd ?? '–')}</span></div>`,
        )
        .join('');
      const verdict = v.significant
        ? `<b>significantly better</b> than every other<br><span class="dim">Holm-adjusted p ≤ ${escape(formatPValue(v.worstP))}, A12 ≥ ${escape(formatA12(v.smallestA12))}</span>`
        : v.best.length === 0
          ? 'no values'
          : `no significant single best<br><span class="dim">tied: no other group is significantly better</span>`;
      return `<tr><td><b>${escape(t.metric)}</b>${datasetsOf(tables) > 1 ? ` <span class="dim">(${escape(t.dataset)})</span>` : ''} <span class="dim">${t.better === 'higher' ? '↑' : '↓'}</span></td><td>${best}</td><td>${verdict}</td></tr>`;
    })
    .join('');
  return `<table class="verdicts"><thead><tr><th>metric</th><th>best <span class="dim">(mean ± std)</span></th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">↑ higher is better, ↓ lower is better. Full tables, with every pair's p-value and A12, follow the charts.</p>`;
}

function datasetsOf(tables: readonly ComparisonTable[]): number {
  return new Set(tables.map((t) => t.dataset)).size;
}

/** A config flattened to "optimizer.lr" -> "0.1061" (name and description left out: they head the columns). */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  const object = record(value);
  if (object === null) {
    if (prefix !== '') out.set(prefix, compactValue(value));
    return out;
  }
  for (const [key, child] of Object.entries(object)) {
    if (prefix === '' && (key === 'name' || key === 'description')) continue;
    flatten(child, prefix === '' ? key : `${prefix}.${key}`, out);
  }
  return out;
}

/** The configs side by side, one row per setting, the settings that differ in bold. */
function configTable(shown: readonly Shown[]): string {
  const known = shown.filter((s) => record(s.description.config) !== null);
  if (known.length === 0) return '<p class="note">No configs (result files without metadata).</p>';
  const flat = known.map((s) => flatten(s.description.config));
  // Settings grouped by their section (dataset, model, optimizer, ...), in order of first appearance.
  const seen = [...new Set(flat.flatMap((f) => [...f.keys()]))];
  const sections = [...new Set(seen.map((key) => key.split('.')[0]))];
  const keys = seen
    .map((key, i) => ({ key, i, section: sections.indexOf(key.split('.')[0]) }))
    .sort((a, b) => a.section - b.section || a.i - b.i)
    .map((k) => k.key);
  const rows = keys
    .map((key) => {
      const values = flat.map((f) => f.get(key) ?? '–');
      const differs = new Set(values).size > 1;
      return `<tr${differs ? ' class="differs"' : ''}><td>${escape(key)}</td>${values.map((v) => `<td>${escape(v)}</td>`).join('')}</tr>`;
    })
    .join('');
  const texts = known.map((s) => record(s.description.config)?.description);
  const same = new Set(texts).size === 1;
  const descriptions = known
    .map((s, i) => {
      const text = texts[i];
      if (typeof text !== 'string' || text === '' || (same && i > 0)) return '';
      return `<li>${same ? 'All' : `${swatch(s.color)}<b>${escape(s.short)}</b>`}: ${escape(text)}</li>`;
    })
    .join('');
  return `<table class="configs"><thead><tr><th>setting</th>${known.map((s) => `<th>${swatch(s.color)}${escape(s.short)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
<p class="note">Bold: settings that differ between the groups.</p>${descriptions === '' ? '' : `<ul class="note">${descriptions}</ul>`}`;
}

function tableHtml(table: ComparisonTable, shown: readonly Shown[]): string {
  const byName = new Map(shown.map((s) => [s.name, s]));
  const cells = formatSummaries(
    table.metric,
    table.rows.map((r) => r.summary),
  );
  const rows = table.rows
    .map((row, i) => {
      const c = cells[i];
      const s = byName.get(row.optimizer);
      const name = `${swatch(s?.color ?? '#888')}${row.best ? `<b>${escape(row.optimizer)}</b> ★` : escape(row.optimizer)}`;
      return c === null
        ? `<tr><td>${name}</td><td class="num">0</td><td colspan="4">no values</td></tr>`
        : `<tr><td>${name}</td><td class="num">${row.n}</td><td class="num">${c.meanStd}</td><td class="num">${c.median}</td><td class="num">${c.iqr}</td><td class="num">${c.ci}</td></tr>`;
    })
    .join('');
  const head = (name: string): string => {
    const s = byName.get(name);
    return `${swatch(s?.color ?? '#888')}${escape(s?.short ?? name)}`;
  };
  const matrix = table.rows
    .map(
      (row, i) =>
        `<tr><th>${head(row.optimizer)}</th>${table.adjusted[i]
          .map(
            (p, j) =>
              `<td class="num">${i === j ? '' : pValueCell({ p, a12: table.a12[i][j], alpha: table.alpha, highlight: (text) => `<b>${text}</b>` })}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  const notes = table.notes.map((n) => `<p class="note">Note: ${escape(n)}.</p>`).join('');
  return `<section class="keep metric">
<h3>${escape(table.dataset)}: ${escape(table.metric)} <span class="dim">(${table.better} is better)</span></h3>
<table><thead><tr><th>group</th><th class="num">n</th><th class="num">mean ± std</th><th class="num">median</th><th class="num">IQR</th><th class="num">95% CI of the mean</th></tr></thead><tbody>${rows}</tbody></table>
<p class="caption">One-sided p-values, row better than column, each with the Vargha-Delaney A12 of the pair (${escape(testDescription(table))}; Holm over this table's p-values; bold: p &lt; ${table.alpha}; A12 &gt; 0.5: the row tends to be better). ★ ${escape(verdictText(table, (name) => byName.get(name)?.short ?? name))}</p>
<table class="matrix"><thead><tr><th>row &gt; column</th>${table.rows.map((r) => `<th class="num">${head(r.optimizer)}</th>`).join('')}</tr></thead><tbody>${matrix}</tbody></table>
${notes}</section>`;
}

function figure(svg: string, caption: string): string {
  return `<figure class="keep">${svg}<figcaption>${caption}</figcaption></figure>`;
}

function datasetCharts(dataset: string, shown: readonly Shown[]): string {
  const members = shown.filter((s) => s.group.dataset === dataset);
  const boxes = BOXPLOT_METRICS.filter((m) => members.some((s) => s.group.runs.some((r) => r.metrics[m] !== undefined))).map((metric) =>
    boxplotSvg({
      title: metric,
      metric,
      groups: members.map((s) => ({ name: s.short, color: s.color, values: s.group.runs.map((r) => r.metrics[metric] ?? Number.NaN) })),
    }),
  );
  const boxFigure =
    boxes.length === 0
      ? ''
      : `<figure class="keep"><h2>${escape(dataset)}: final metrics</h2>${legendHtml(members)}<div class="grid2">${boxes.join('')}</div><figcaption>Final metrics of ${escape(dataset)}: box from the first to the third quartile, median line, whiskers to the minimum and maximum; each dot one run (spread sideways so that equal values stay visible).</figcaption></figure>`;
  const curve = (metric: string, axis: CurveAxis): string | null => {
    const groups = members.map((s) => ({ name: s.short, color: s.color, points: groupCurve(s.group, metric, axis) })).filter((g) => g.points.length > 0);
    return groups.length === 0 ? null : curvesSvg({ title: `${metric} per ${axis === 'epoch' ? 'epoch' : 'model evaluations'}`, metric, x: axis, groups });
  };
  const curveHead = `<h2>${escape(dataset)}: learning curves</h2>${legendHtml(members)}`;
  let headed = false;
  const curveFigures = CURVE_METRICS.map((metric) => {
    const byEpoch = curve(metric, 'epoch');
    if (byEpoch === null) return null;
    const byEvals = curve(metric, 'model_evals');
    // The section's heading and legend travel with its first figure (never alone at a page's foot).
    const head = headed ? '' : curveHead;
    headed = true;
    return figure(
      `${head}<div class="grid2">${byEpoch}${byEvals ?? '<p class="note missing">No model_evals per epoch in these results (result files carry none): no evaluation-matched curve.</p>'}</div>`,
      `${escape(metric)} of ${escape(dataset)}: mean over the runs against the epoch (left) and against the model evaluations spent, runs matched at equal budgets (right); band: 95% t-interval of the mean where at least ${MIN_BAND_RUNS} runs remain, clipped to the metric's range; dotted: fewer runs remain.`,
    );
  }).filter((f): f is string => f !== null);
  return `${boxFigure}
${curveFigures.length > 0 ? curveFigures.join('\n') : '<p class="note">No per-epoch files: no learning curves.</p>'}`;
}

const CSS = `
  @page { size: A4; margin: 12mm 12mm 14mm; }
  body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9pt; color: #111; max-width: 186mm; margin: 0 auto; line-height: 1.3; }
  h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12.5pt; border-bottom: 1px solid #999; margin: 12pt 0 5pt; break-after: avoid; }
  h3 { font-size: 10pt; margin: 8pt 0 3pt; break-after: avoid; } h4 { margin: 6pt 0 2pt; font-size: 9pt; }
  p { margin: 3pt 0; }
  table { border-collapse: collapse; margin: 3pt 0; font-variant-numeric: tabular-nums; }
  th, td { border: 1px solid #bbb; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
  th { background: #f1f3f5; font-weight: 600; } .num { text-align: right; white-space: nowrap; }
  .dim { color: #555; font-weight: normal; } .caption, .note, figcaption { font-size: 8pt; color: #333; }
  .sw { display: inline-block; width: 8pt; height: 8pt; border-radius: 2pt; margin-right: 3pt; vertical-align: -1pt; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .legend span { margin-right: 10pt; white-space: nowrap; }
  table.verdicts { width: 100%; } table.verdicts td:first-child { white-space: nowrap; } table.verdicts td:nth-child(2) { width: 42%; }
  .pair { display: flex; justify-content: space-between; gap: 8pt; }
  table.compared { width: 100%; }
  .matrix td { min-width: 22mm; }
  figure { margin: 4pt 0 8pt; } svg { max-width: 100%; height: auto; display: block; }
  .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 2pt 6pt; align-items: start; }
  .missing { border: 1px dashed #bbb; padding: 8pt; align-self: center; }
  pre { font-size: 7pt; background: #f5f5f5; padding: 3pt; white-space: pre-wrap; margin: 2pt 0; }
  .keep, figure, tr { break-inside: avoid; page-break-inside: avoid; }
  table.configs { width: 100%; font-size: 8pt; } table.configs td:first-child { font-family: "DejaVu Sans Mono", monospace; } .differs td { font-weight: 600; }
  ul.note { margin: 2pt 0; padding-left: 12pt; }
  .head { break-after: avoid; page-break-after: avoid; }
`;

export function renderHtmlReport(input: ReportInput): string {
  const tables = compareGroups(input.groups, { ...(input.metrics !== undefined ? { metrics: input.metrics } : {}), paired: input.paired ?? false });
  const shown = describeGroups(input);
  const datasets = [...new Set(input.groups.map((g) => g.dataset))].sort();
  const env = input.environment;
  const test = tables.length > 0 ? testDescription(tables[0]) : testDescription({ test: input.paired === true ? 'wilcoxon' : 'mann-whitney', alpha: 0.05 });
  const setup = setupText(shown.map((s) => s.description.config).filter((c) => c !== null && c !== undefined));
  const runs = [...new Set(shown.map((s) => s.group.runs.length))];
  const overview = `<h1>${escape(input.title)}</h1>
<p class="dim">Created ${escape(env.created)} by Evolab ${escape(env.evolab)} (Node ${escape(env.node)}) on ${escape(env.machine)}. Backends of the runs: ${escape(env.backends.join('; ') || 'unknown')}.</p>
<h2>What was compared</h2>
<p>${shown.length} group${shown.length === 1 ? '' : 's'} on ${datasets.map(escape).join(', ')}, ${runs.length === 1 ? `${runs[0]} runs each` : `${runs.join(' / ')} runs`} (one run per seed).${setup === '' ? '' : ` ${escape(setup)}`}</p>
${comparedTable(shown)}
<h2>Verdict per metric</h2>
<p>Test: <b>${escape(test)}</b>: for each metric, every pair of groups is tested in both directions on the runs' final values; the p-values of a metric are Holm-adjusted together. A12 (Vargha-Delaney): the probability that a run of one group beats a run of the other (0.5: no effect).</p>
${verdictTable(tables, shown)}`;
  const sections = datasets.map((dataset) => datasetCharts(dataset, shown));
  const tablesHtml = datasets.map(
    (dataset) => `<h2>${escape(dataset)}: comparison tables</h2>
${tables
  .filter((t) => t.dataset === dataset)
  .map((t) => tableHtml(t, shown))
  .join('\n')}`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>${CSS}</style></head><body>
${overview}
${sections.join('\n')}
${tablesHtml.join('\n')}
<h2>Experiment configs</h2>
${configTable(shown)}
</body></html>
`;
}
