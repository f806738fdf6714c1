// Report charts as SVG strings, rendered on the server by ECharts (server-side rendering), so
// the report needs no script to display and prints as vectors: a boxplot of one metric per
// group (each group in its UI colour, every run a jittered dot over its box), and learning
// curves aggregated across runs (mean line, 95% band where at least 3 runs remain) against
// the epoch or against the model evaluations spent (evaluation-matched: the fair axis when
// gradient methods and evolution strategies are compared). Every y axis and band is clipped
// to the metric's domain (accuracy within [0, 1], losses, times and counts >= 0): a
// symmetric t-interval of a few runs would otherwise reach -20 on a loss axis and squash the
// curves flat.

import * as echarts from 'echarts';
import { formatBare, metricDomain as domainOf, MISSING, numberStyle, unitSuffix } from '../../src-shared/format/number-format.ts';
import { MIN_BAND_RUNS } from '../../src-shared/stats/curves.ts';
import { quantile } from '../../src-shared/stats/summary.ts';

/** Size of a full-width chart; half-width charts sit two to a row. */
export const CHART_SIZE = { full: { width: 680, height: 280 }, half: { width: 340, height: 250 } } as const;

/** Fewer runs than this at an x draw the mean (dotted) but no band, as in the UI. */
export { MIN_BAND_RUNS };

type Size = keyof typeof CHART_SIZE;

let rendered = 0;

function render(option: echarts.EChartsOption, size: Size): string {
  const { width, height } = CHART_SIZE[size];
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  // Every SSR chart names its clip paths and classes "zr0-…": inline in one document they
  // would collide (a chart clipped by another's rectangle), so each gets its own prefix.
  rendered += 1;
  return svg.replace(/zr0-/g, `ev${rendered}-`);
}

/** `#rrggbb` with an alpha, for box fills and bands. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (hex === undefined) return color;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** A step of 1, 2 or 5 times a power of ten near `span / 5`. */
function niceStep(span: number): number {
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}

/**
 * Axis bounds around `values`, on multiples of a nice step, inside the metric's domain. The
 * domain's bounds (0 and 1) are multiples of every step up to 1, so the clipped bounds stay
 * nice.
 */
export function axisRange(metric: string, values: readonly number[]): { min: number; max: number; interval: number } | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const { min: floor, max: ceiling } = domainOf(metric);
  let low = Math.max(floor, Math.min(...finite));
  let high = Math.min(ceiling, Math.max(...finite));
  if (high - low < 1e-12) {
    const pad = Math.abs(high) > 0 ? Math.abs(high) * 0.1 : 1;
    low -= pad;
    high += pad;
  }
  const step = niceStep(high - low);
  // Round to the step, then undo floating-point drift (0.30000000000000004).
  const tidy = (v: number): number => Number(v.toPrecision(12));
  return { min: tidy(Math.max(floor, Math.floor(low / step) * step)), max: tidy(Math.min(ceiling, Math.ceil(high / step) * step)), interval: tidy(step) };
}

/** Axis labels of a metric: its number style for the axis's own range, unit on the axis name. */
function axisLabels(metric: string, values: readonly number[]): { formatter: (value: number) => string; unit: string } {
  // The unit comes from the values, as in the tables (a time of 0.86 s at most reads in ms there too).
  const style = numberStyle(metric, values);
  // Axis ticks need fewer digits than table cells: trailing zeros of the style are dropped.
  const formatter = (value: number): string => {
    const text = formatBare(style, value);
    if (text === MISSING || style.exponent || style.kind === 'count') return text;
    return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  };
  return { formatter, unit: unitSuffix(style).trim() };
}

function axisName(metric: string, unit: string): string {
  return unit === '' ? metric : `${metric} (${unit})`;
}

/** A deterministic jitter in [-0.5, 0.5) for the run at `index` (golden-ratio sequence), so reports are reproducible. */
function jitter(index: number): number {
  return ((index * 0.618_033_988_75) % 1) - 0.5;
}

/** Log-axis ticks of counts: 1000 -> "1k", 30000 -> "30k", 2e6 -> "2M". */
function compactCount(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

export interface BoxGroup {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** Boxplot (min, Q1, median, Q3, max) of each group's values, each run a dot jittered across its box. */
export function boxplotSvg(input: { readonly title: string; readonly metric: string; readonly groups: readonly BoxGroup[]; readonly size?: Size }): string {
  const groups = input.groups.map((g) => ({ ...g, values: g.values.filter(Number.isFinite) }));
  const boxes = groups.map((g) => {
    const sorted = [...g.values].sort((a, b) => a - b);
    return sorted.length === 0
      ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]
      : [sorted[0], quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75), sorted[sorted.length - 1]];
  });
  const range = axisRange(
    input.metric,
    groups.flatMap((g) => g.values),
  );
  const labels = axisLabels(
    input.metric,
    groups.flatMap((g) => g.values),
  );
  const k = groups.length;
  // The title names the metric and its unit; the categories name the groups.
  return render(
    {
      title: { text: axisName(input.title, labels.unit), left: 'center', top: 4, textStyle: { fontSize: 12 } },
      grid: { left: 52, right: 12, top: 30, bottom: 34 },
      xAxis: [
        {
          type: 'category',
          data: groups.map((g) => g.name),
          axisTick: { alignWithLabel: true },
          // Long names break after their underscores ("layerwise_" / "cmaes"), not mid-word.
          axisLabel: { interval: 0, fontSize: 10, color: '#222', formatter: (name: string) => (name.length > 10 ? name.replace(/_/g, '_\n') : name) },
        },
        // The dots' axis: the categories' centres sit at 0 .. k-1 of this hidden value axis.
        { type: 'value', min: -0.5, max: k - 0.5, show: false },
      ],
      yAxis: { type: 'value', ...(range ?? {}), axisLabel: { formatter: labels.formatter } },
      series: [
        {
          type: 'boxplot',
          boxWidth: ['30%', '55%'],
          data: groups.map((g, i) => ({ value: boxes[i], itemStyle: { color: withAlpha(g.color, 0.15), borderColor: g.color, borderWidth: 1.5 } })),
        },
        {
          type: 'scatter',
          xAxisIndex: 1,
          symbolSize: 4,
          data: groups.flatMap((g, i) => g.values.map((v, r) => ({ value: [i + 0.32 * jitter(r), v], itemStyle: { color: withAlpha(g.color, 0.75) } }))),
        },
      ],
    },
    input.size ?? 'half',
  );
}

/** One point of an aggregated curve: x (epoch or evaluations), runs there, mean and 95% interval. */
export interface CurveChartPoint {
  readonly x: number;
  readonly n: number;
  readonly mean: number;
  readonly low: number | null;
  readonly high: number | null;
}

export interface CurveGroup {
  readonly name: string;
  readonly color: string;
  readonly points: readonly CurveChartPoint[];
}

export type CurveAxis = 'epoch' | 'model_evals';

/**
 * Mean curve per group with its 95% band where n >= MIN_BAND_RUNS, the band clipped to the
 * metric's domain. Where fewer runs remain the mean goes on dotted (a mean of one or two runs
 * is anecdote, not a trend) and does not widen the y axis. On the model_evals axis x is
 * logarithmic: gradient methods and CMA-ES spend evaluations orders of magnitude apart.
 */
export function curvesSvg(input: {
  readonly title: string;
  readonly metric: string;
  readonly x: CurveAxis;
  readonly groups: readonly CurveGroup[];
  readonly size?: Size;
}): string {
  const { min: floor, max: ceiling } = domainOf(input.metric);
  const clip = (v: number): number => Math.min(ceiling, Math.max(floor, v));
  const drawn = input.groups.map((g) => ({
    ...g,
    points: g.points.filter((p) => Number.isFinite(p.mean) && Number.isFinite(p.x) && (input.x !== 'model_evals' || p.x > 0)),
  }));
  const enough = (p: CurveChartPoint): boolean => p.n >= MIN_BAND_RUNS;
  const bands = drawn.map((g) =>
    g.points.filter((p) => enough(p) && p.low !== null && p.high !== null).map((p) => ({ x: p.x, low: clip(p.low ?? p.mean), high: clip(p.high ?? p.mean) })),
  );
  const trusted = drawn.flatMap((g) => g.points.filter(enough));
  const range = axisRange(input.metric, [
    ...(trusted.length > 0 ? trusted : drawn.flatMap((g) => g.points)).map((p) => clip(p.mean)),
    ...bands.flatMap((b) => b.flatMap((p) => [p.low, p.high])),
  ]);
  const labels = axisLabels(input.metric, range === null ? [] : [range.min, range.max]);
  const series = drawn.flatMap((g, i) => {
    // '-' is ECharts' empty value: the solid line breaks where n is too small and the dotted
    // one takes over (sharing the points at each change, so the two join up).
    const solid = g.points.map((p) => [p.x, enough(p) ? clip(p.mean) : '-']);
    const dotted = g.points.map((p, k) => {
      const near = [g.points[k - 1], p, g.points[k + 1]].some((q) => q !== undefined && !enough(q));
      return [p.x, near ? clip(p.mean) : '-'];
    });
    return [
      // The band as a stacked area: an invisible lower line, then the width on top of it.
      {
        type: 'line' as const,
        name: `${g.name} low`,
        stack: `band${i}`,
        symbol: 'none',
        silent: true,
        lineStyle: { opacity: 0 },
        data: bands[i].map((p) => [p.x, p.low]),
      },
      {
        type: 'line' as const,
        name: `${g.name} band`,
        stack: `band${i}`,
        symbol: 'none',
        silent: true,
        lineStyle: { opacity: 0 },
        areaStyle: { color: g.color, opacity: 0.16 },
        data: bands[i].map((p) => [p.x, p.high - p.low]),
      },
      { type: 'line' as const, name: g.name, symbol: 'none', lineStyle: { color: g.color, width: 1.8 }, itemStyle: { color: g.color }, data: solid },
      {
        type: 'line' as const,
        name: `${g.name} (fewer than ${MIN_BAND_RUNS} runs)`,
        symbol: 'none',
        lineStyle: { color: g.color, width: 1.2, type: 'dotted' as const, opacity: 0.8 },
        data: dotted,
      },
    ];
  });
  return render(
    {
      title: { text: axisName(input.title, labels.unit), left: 'center', top: 4, textStyle: { fontSize: 12 } },
      grid: { left: 52, right: 16, top: 30, bottom: 40 },
      xAxis:
        input.x === 'epoch'
          ? { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 0 }
          : { type: 'log', name: 'model evaluations (log scale)', nameLocation: 'middle', nameGap: 24, axisLabel: { formatter: compactCount } },
      yAxis: { type: 'value', ...(range ?? {}), axisLabel: { formatter: labels.formatter } },
      series,
    },
    input.size ?? 'half',
  );
}
