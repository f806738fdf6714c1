// The one learning-curve chart of the renderer (experiment detail, compare): a pure function
// from the runs' per-epoch metrics and the chart controls to an ECharts option, the data it
// draws (for the CSV export) and a sentence describing it (ECharts aria, for screen readers).
// Controls, as in TensorBoard / W&B:
//   x axis     epoch, wall time (elapsed_s, cumulative seconds) or model evaluations
//              (model_evals, cumulative: evaluation-matched curves are the fair comparison of
//              ES with gradient methods). Metrics and their x are stored per epoch; a run's x
//              at an epoch is interpolated from its own x series (the service downsamples each
//              series on its own, so they need not keep the same epochs).
//   view       the selected run, every run overlaid (one line each), or the mean of each group
//              with a 95% t-band (src-shared/stats/curves.ts: band only where >= 3 runs reach
//              that x, the n of each x in the tooltip; runs aligned on a common grid by linear
//              interpolation when x is not the epoch).
//   smoothing  TensorBoard's debiased EMA (src-shared/series/smoothing.ts) of each run, the raw
//              curve drawn faint behind; the mean view averages the smoothed runs.
//   log y      a log axis where every drawn value is > 0 (never for accuracies).
// Bands and the y axis are clipped to the metric's domain (src-shared/stats/metric-domain.ts).

import type { EChartsCoreOption } from 'echarts/core';
import { formatMetric, metricKind } from '../../src-shared/format/number-format.ts';
import { emaSmooth, MAX_SMOOTHING } from '../../src-shared/series/smoothing.ts';
import { aggregateCurve, alignedCurve, type CurvePoint, interpolateAt, MIN_BAND_RUNS } from '../../src-shared/stats/curves.ts';
import { axisBounds, clipToDomain } from '../../src-shared/stats/metric-domain.ts';
import { PALETTE } from './theme.ts';

export type XAxisKind = 'epoch' | 'wall' | 'evals';
export type CurveView = 'run' | 'seeds' | 'mean';

export interface CurveControls {
  readonly x: XAxisKind;
  readonly view: CurveView;
  /** EMA weight in [0, MAX_SMOOTHING]; 0 draws the raw curves only. */
  readonly smoothing: number;
  readonly logY: boolean;
}

export const X_AXES: readonly { readonly key: XAxisKind; readonly label: string; readonly metric: string }[] = [
  { key: 'epoch', label: 'epoch', metric: 'epoch' },
  { key: 'wall', label: 'wall time (s)', metric: 'elapsed_s' },
  { key: 'evals', label: 'model evaluations', metric: 'model_evals' },
];

export type EpochSeries = readonly (readonly [number, number | null])[];

/** One run's per-epoch metrics by name ([epoch, value] pairs), elapsed_s and model_evals included. */
export interface RunCurves {
  readonly id: number;
  readonly label: string;
  readonly series: Readonly<Record<string, EpochSeries | undefined>>;
}

/** Runs drawn together: an experiment's seeds. */
export interface CurveGroup {
  readonly name: string;
  readonly color: string;
  readonly runs: readonly RunCurves[];
}

export interface ChartColors {
  readonly fg: string;
  readonly muted: string;
  readonly line: string;
}

export interface CurveChartInput {
  readonly metric: string;
  readonly groups: readonly CurveGroup[];
  readonly controls: CurveControls;
  readonly colors: ChartColors;
  /** The run the 'run' view shows (and the others draw thicker). */
  readonly selectedRun?: number | null;
  /** Overlaid runs in the palette's colours (one group: the detail view) instead of their group's. */
  readonly runColors?: boolean;
  /** A legend inside the chart (the compare view has one outside for all its charts). */
  readonly legend?: boolean;
}

/** One drawn line (or band bound) as [x, y] points, for the CSV export. */
export interface DrawnColumn {
  readonly name: string;
  readonly points: readonly (readonly [number, number | null])[];
}

export interface CurveChart {
  readonly option: EChartsCoreOption;
  readonly xName: string;
  readonly columns: readonly DrawnColumn[];
  readonly description: string;
  /** Whether the y axis is logarithmic (asked for and possible). */
  readonly logY: boolean;
  /** Why log y was asked for but not drawn, or null. */
  readonly logBlocked: string | null;
}

type XY = [number, number | null];

/** The run's [x, value] points of `metric` on the chosen axis (epochs without an x are left out). */
export function runPoints(run: RunCurves, metric: string, x: XAxisKind): XY[] {
  const ys = run.series[metric] ?? [];
  if (x === 'epoch') return ys.map(([e, v]) => [e, v]);
  const axisMetric = x === 'wall' ? 'elapsed_s' : 'model_evals';
  const xs = (run.series[axisMetric] ?? []).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
  return ys.flatMap(([e, v]): XY[] => {
    const at = interpolateAt(xs, e);
    return at === null ? [] : [[at, v]];
  });
}

function smoothed(points: readonly XY[], weight: number): XY[] {
  const ys = emaSmooth(
    points.map((p) => p[1]),
    weight,
  );
  return points.map((p, i) => [p[0], ys[i]]);
}

function finitePairs(points: readonly XY[]): [number, number][] {
  return points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
}

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (hex === undefined) return color;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

interface Line {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly points: XY[];
  readonly width: number;
  /** The raw curve behind a smoothed one. */
  readonly faint: boolean;
}

interface Band {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly points: CurvePoint[];
}

/** The chart of one metric for the given groups and controls. */
export function curveChart(input: CurveChartInput): CurveChart {
  const { metric, controls } = input;
  const axis = X_AXES.find((a) => a.key === controls.x) ?? X_AXES[0];
  const weight = Math.min(MAX_SMOOTHING, Math.max(0, controls.smoothing));
  const lines: Line[] = [];
  const bands: Band[] = [];
  /** Per mean line: its points by x, for the tooltip's band and n. */
  const meanPoints = new Map<string, Map<number, CurvePoint>>();
  let runIndex = 0;

  for (const group of input.groups) {
    const runs = controls.view === 'run' ? group.runs.filter((r) => r.id === input.selectedRun) : group.runs;
    if (controls.view === 'mean') {
      const raw = runs.map((r) => runPoints(r, metric, controls.x)).filter((p) => p.length > 0);
      if (raw.length === 0) continue;
      // Per epoch when every run has every epoch of its range (runs that stopped early just end);
      // on a common grid when x is a time or a count, or the service thinned a long run's epochs.
      const everyEpoch = controls.x === 'epoch' && raw.every((p) => p.length === p[p.length - 1][0] - p[0][0] + 1);
      const aggregate = (rs: readonly XY[][]): CurvePoint[] => (everyEpoch ? aggregateCurve(rs.map(finitePairs)) : alignedCurve(rs.map(finitePairs)));
      const curve = aggregate(weight > 0 ? raw.map((p) => smoothed(p, weight)) : raw);
      if (weight > 0) {
        const rawMean = aggregate(raw);
        lines.push({ id: `raw:${group.name}`, name: group.name, color: group.color, points: rawMean.map((p) => [p.epoch, p.mean]), width: 1, faint: true });
      }
      lines.push({ id: `mean:${group.name}`, name: group.name, color: group.color, points: curve.map((p) => [p.epoch, p.mean]), width: 2, faint: false });
      meanPoints.set(`mean:${group.name}`, new Map(curve.map((p) => [p.epoch, p])));
      if (curve.some((p) => p.low !== null)) bands.push({ id: group.name, name: group.name, color: group.color, points: curve });
      continue;
    }
    for (const run of runs) {
      const color = input.runColors === true ? PALETTE[runIndex % PALETTE.length] : group.color;
      runIndex++;
      const raw = runPoints(run, metric, controls.x);
      if (raw.length === 0) continue;
      const name = input.runColors === true ? run.label : `${group.name} · ${run.label}`;
      const width = controls.view === 'seeds' && input.selectedRun === run.id ? 2.4 : 1.4;
      if (weight > 0) lines.push({ id: `raw:${group.name}:${run.id}`, name, color, points: raw, width: 1, faint: true });
      lines.push({ id: `run:${group.name}:${run.id}`, name, color, points: weight > 0 ? smoothed(raw, weight) : raw, width, faint: false });
    }
  }

  // Log y only where every drawn value is positive, and never for accuracies (a fraction in [0, 1]).
  const drawnValues = lines.flatMap((l) => l.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  let logBlocked: string | null = null;
  if (controls.logY && metricKind(metric) === 'accuracy') logBlocked = 'log y is for losses, not accuracies';
  else if (controls.logY && drawnValues.some((v) => v <= 0)) logBlocked = 'log y needs every value > 0';
  const logY = controls.logY && logBlocked === null && drawnValues.length > 0;

  // Bands clipped to the metric's domain; on a log axis also to the smallest drawn value's decade.
  const lineBounds = axisBounds({ metric, values: drawnValues, log: logY });
  const clip = (v: number): number => {
    const c = clipToDomain(metric, v);
    return logY && lineBounds !== null ? Math.max(lineBounds.min, c) : c;
  };
  const clippedBands = bands.map((b) => ({
    ...b,
    points: b.points.map((p) => (p.low === null || p.high === null ? { ...p } : { ...p, low: clip(p.low), high: clip(p.high) })),
  }));
  const bandValues = clippedBands.flatMap((b) => b.points.flatMap((p) => (p.low === null || p.high === null ? [] : [p.low, p.high])));
  const yBounds = axisBounds({ metric, values: [...drawnValues, ...bandValues], log: logY });
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]));
  const xMin = xs.length > 0 ? Math.max(0, Math.min(...xs)) : undefined;
  const xMax = xs.length > 0 ? Math.max(...xs) : undefined;

  const series: object[] = [];
  for (const l of lines) {
    series.push({
      id: l.id,
      name: l.name,
      type: 'line',
      showSymbol: false,
      color: l.color,
      silent: l.faint,
      z: l.faint ? 1 : 3,
      lineStyle: { width: l.width, color: l.faint ? withAlpha(l.color, 0.28) : l.color },
      emphasis: { disabled: true },
      data: l.points,
    });
  }
  // A band: an invisible line at the lower bound with the band's width stacked on it as an
  // area (the usual ECharts idiom); a gap (null) where fewer than MIN_BAND_RUNS runs remain.
  for (const b of clippedBands) {
    const helper = {
      name: b.name,
      type: 'line',
      stack: `band:${b.id}`,
      stackStrategy: 'all',
      showSymbol: false,
      silent: true,
      color: b.color,
      lineStyle: { opacity: 0 },
      emphasis: { disabled: true },
    };
    series.push({ ...helper, id: `band-low:${b.id}`, data: b.points.map((p) => [p.epoch, p.low]) });
    series.push({
      ...helper,
      id: `band:${b.id}`,
      areaStyle: { color: b.color, opacity: 0.16 },
      data: b.points.map((p) => [p.epoch, p.low === null || p.high === null ? null : p.high - p.low]),
    });
  }

  const columns: DrawnColumn[] = [
    ...lines.map((l) => ({ name: l.faint ? `${l.name} (raw)` : l.name, points: l.points })),
    ...clippedBands.flatMap((b) => [
      { name: `${b.name} 95% low`, points: b.points.map((p): XY => [p.epoch, p.low]) },
      { name: `${b.name} 95% high`, points: b.points.map((p): XY => [p.epoch, p.high]) },
      { name: `${b.name} n`, points: b.points.map((p): XY => [p.epoch, p.n]) },
    ]),
  ];

  const c = input.colors;
  const axisStyle = {
    axisLine: { lineStyle: { color: c.line } },
    axisTick: { lineStyle: { color: c.line } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.line, opacity: 0.5 } },
    nameTextStyle: { color: c.muted },
  };
  const viewText =
    controls.view === 'mean'
      ? `mean over runs · 95% band where n ≥ ${MIN_BAND_RUNS}`
      : controls.view === 'seeds'
        ? 'every run'
        : (lines.find((l) => !l.faint)?.name ?? 'no run');
  // Log y asked for but impossible: said in the subtitle, except for accuracies (the control says "losses").
  const logNote = logBlocked !== null && metricKind(metric) !== 'accuracy' ? `linear: ${logBlocked}` : null;
  const subtitle = [viewText, weight > 0 ? `smoothing ${weight}` : null, logY ? 'log y' : logNote].filter((s) => s !== null).join(' · ');
  const description = describe({ metric, axisLabel: axis.label, controls, weight, logY, lines: lines.filter((l) => !l.faint) });
  const mainNames = [...new Set(lines.filter((l) => !l.faint).map((l) => l.name))];

  const option: EChartsCoreOption = {
    animation: false,
    aria: { enabled: true, label: { description } },
    title: {
      text: `{t|${metric}}  {s|${subtitle}}`,
      left: 8,
      top: 6,
      textStyle: { rich: { t: { color: c.fg, fontSize: 13, fontWeight: 600 }, s: { color: c.muted, fontSize: 11 } } },
    },
    ...(input.legend === true
      ? { legend: { data: mainNames, type: 'scroll', bottom: 0, icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { color: c.fg } } }
      : {}),
    tooltip: { trigger: 'axis', confine: true, formatter: tooltip({ metric, axisLabel: axis.label, xMetric: axis.metric, meanPoints }) },
    grid: { left: 60, right: 20, top: 38, bottom: input.legend === true ? 62 : 40 },
    xAxis: {
      type: 'value',
      name: axis.label,
      nameLocation: 'middle',
      nameGap: 24,
      ...(xMin !== undefined && xMax !== undefined ? { min: xMin, max: xMax } : {}),
      // Epochs are whole: no ticks between them (a 4-epoch run read "1 2 2 3 3 4 4" otherwise).
      ...(axis.key === 'epoch' ? { minInterval: 1 } : {}),
      ...axisStyle,
      axisLabel: { color: c.muted, hideOverlap: true, formatter: (v: number) => formatMetric(axis.metric, v) },
    },
    yAxis: {
      type: logY ? 'log' : 'value',
      ...(yBounds !== null ? { min: yBounds.min, max: yBounds.max } : {}),
      ...axisStyle,
      axisLabel: { color: c.muted, formatter: (v: number) => formatAxis(v) },
    },
    series,
  };
  return { option, xName: axis.label, columns, description, logY, logBlocked };
}

/** Axis labels: short, whatever the metric (4 significant digits, exponent form for tiny or huge). */
function formatAxis(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e6 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function tooltip(args: {
  metric: string;
  axisLabel: string;
  xMetric: string;
  meanPoints: ReadonlyMap<string, ReadonlyMap<number, CurvePoint>>;
}): (params: unknown) => string {
  return (params) => {
    const list = (Array.isArray(params) ? params : [params]) as { seriesId?: string; seriesName?: string; color?: string; value?: unknown }[];
    const shown = list.filter((p) => p.seriesId !== undefined && (p.seriesId.startsWith('mean:') || p.seriesId.startsWith('run:')));
    const first = shown[0]?.value;
    if (!Array.isArray(first)) return '';
    const x = Number(first[0]);
    const lines = shown.map((p) => {
      const [, y] = p.value as [number, number | null];
      const point = args.meanPoints.get(p.seriesId ?? '')?.get(x);
      const band =
        point !== undefined && point.low !== null && point.high !== null
          ? ` [${formatMetric(args.metric, clipToDomain(args.metric, point.low))}, ${formatMetric(args.metric, clipToDomain(args.metric, point.high))}]`
          : '';
      const n = point !== undefined ? ` (n=${point.n})` : '';
      return `<span style="color:${p.color ?? 'inherit'}">●</span> ${escapeHtml(p.seriesName ?? '')}: ${formatMetric(args.metric, y)}${band}${n}`;
    });
    return [`${escapeHtml(args.axisLabel)} ${formatMetric(args.xMetric, x)}`, ...lines].join('<br>');
  };
}

function describe(args: { metric: string; axisLabel: string; controls: CurveControls; weight: number; logY: boolean; lines: readonly Line[] }): string {
  const { metric, lines } = args;
  if (lines.length === 0) return `Line chart of ${metric} against ${args.axisLabel}: no data yet.`;
  const what =
    args.controls.view === 'mean'
      ? `the mean over runs of ${lines.length} group(s), with a 95% confidence band where at least ${MIN_BAND_RUNS} runs reach that point`
      : `${lines.length} run(s), one line each`;
  const extras = [
    args.weight > 0 ? `smoothed with an exponential moving average of weight ${args.weight}, the raw curves faint behind` : '',
    args.logY ? 'on a logarithmic y axis' : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  const ends = lines.slice(0, 4).map((l) => {
    const pts = l.points.filter((p) => p[1] !== null);
    const [a, b] = [pts[0], pts[pts.length - 1]];
    return a === undefined || b === undefined ? `${l.name}: no values` : `${l.name} from ${formatMetric(metric, a[1])} to ${formatMetric(metric, b[1])}`;
  });
  const more = lines.length > 4 ? `, and ${lines.length - 4} more` : '';
  return `Line chart of ${metric} against ${args.axisLabel}, ${what}${extras === '' ? '' : `, ${extras}`}. ${ends.join('; ')}${more}.`;
}

/** The drawn data as CSV: the x column, then one column per drawn line or band bound. */
export function chartCsv(chart: Pick<CurveChart, 'xName' | 'columns'>): string {
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const xs = [...new Set(chart.columns.flatMap((c) => c.points.map((p) => p[0])))].sort((a, b) => a - b);
  const lookup = chart.columns.map((c) => new Map(c.points.map((p) => [p[0], p[1]])));
  const rows = xs.map((x) => [String(x), ...lookup.map((m) => (m.get(x) === undefined || m.get(x) === null ? '' : String(m.get(x))))].join(','));
  return [[chart.xName, ...chart.columns.map((c) => c.name)].map(quote).join(','), ...rows].join('\n') + '\n';
}

// ---- the controls in the address (?x=wall&view=mean&smooth=0.6&log=1), defaults left out ----

export const DEFAULT_CONTROLS: CurveControls = { x: 'epoch', view: 'mean', smoothing: 0, logY: false };

type Query = Readonly<Record<string, unknown>>;

function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof v === 'string' ? v : undefined;
}

/** The controls a query names, the defaults for what it does not (or names wrongly). */
export function controlsFromQuery(query: Query, defaults: CurveControls = DEFAULT_CONTROLS): CurveControls {
  const x = one(query.x);
  const view = one(query.view);
  const smooth = Number(one(query.smooth));
  const log = one(query.log);
  return {
    x: X_AXES.some((a) => a.key === x) ? (x as XAxisKind) : defaults.x,
    view: view === 'run' || view === 'seeds' || view === 'mean' ? view : defaults.view,
    smoothing: Number.isFinite(smooth) && smooth >= 0 && smooth <= MAX_SMOOTHING ? smooth : defaults.smoothing,
    logY: log === '1' ? true : log === '0' ? false : defaults.logY,
  };
}

/** The query keys of the controls that differ from the defaults (the others are removed: undefined). */
export function controlsToQuery(controls: CurveControls, defaults: CurveControls = DEFAULT_CONTROLS): Record<string, string | undefined> {
  return {
    x: controls.x === defaults.x ? undefined : controls.x,
    view: controls.view === defaults.view ? undefined : controls.view,
    smooth: controls.smoothing === defaults.smoothing ? undefined : String(controls.smoothing),
    log: controls.logY === defaults.logY ? undefined : controls.logY ? '1' : '0',
  };
}
