// ECharts options of the comparison view: boxplots of the runs' final values (one box per
// compared experiment, the runs scattered on top) and learning curves aggregated across
// seeds (one mean line per experiment with its 95% band). Each experiment keeps its colour
// in every chart and table. Pure functions of the data and the theme colours, so the charts
// redraw when either changes.
//
// The boxplot data transform is not registered (tree-shaken build), so the five-number
// summary is computed here with the same quantile definition as the comparison tables.

import type { EChartsCoreOption } from 'echarts/core';
import type { CurvePoint } from '../../../src-shared/stats/curves.ts';
import { quantile } from '../../../src-shared/stats/summary.ts';
import { formatStat } from '../../format.ts';
import { meanAndBandSeries, metricRange } from '../../charts/curve-options.ts';

export interface ChartColors {
  readonly fg: string;
  readonly muted: string;
  readonly line: string;
}

/** How an experiment is shown throughout the view: its number and its colour. */
export interface GroupKey {
  readonly key: number;
  readonly color: string;
}

export interface BoxGroup {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

export interface CurveGroup {
  readonly name: string;
  readonly color: string;
  readonly points: readonly CurvePoint[];
}

/** [min, Q1, median, Q3, max] (numpy's default quantiles), or null without values. */
export function fiveNumbers(values: readonly number[]): [number, number, number, number, number] | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return [sorted[0], quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75), sorted[sorted.length - 1]];
}

/** A colour with transparency, for box fills and bands (PALETTE colours are #rrggbb). */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (hex === undefined) return color;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function axisStyle(c: ChartColors): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: c.line } },
    axisTick: { lineStyle: { color: c.line } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.line, opacity: 0.5 } },
    nameTextStyle: { color: c.muted },
  };
}

/** The metric in bold with what the chart shows beside it, on one line. */
function titleOf(text: string, subtext: string, c: ChartColors): Record<string, unknown> {
  return {
    text: `{t|${text}}  {s|${subtext}}`,
    left: 8,
    top: 6,
    textStyle: { rich: { t: { color: c.fg, fontSize: 13, fontWeight: 600 }, s: { color: c.muted, fontSize: 11 } } },
  };
}

/** Horizontal boxplots (long experiment names read on the category axis), runs as dots. */
export function boxplotOption(metric: string, better: string, groups: readonly BoxGroup[], c: ChartColors): EChartsCoreOption {
  const drawn = groups.map((g) => ({ ...g, box: fiveNumbers(g.values) })).filter((g) => g.box !== null);
  const names = drawn.map((g) => g.name);
  return {
    animation: false,
    title: titleOf(metric, `final values of every run · ${better} is better`, c),
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params: unknown) => {
        const p = params as { seriesType?: string; dataIndex: number; value: unknown };
        if (p.seriesType === 'boxplot') {
          const g = drawn[p.dataIndex];
          const [min, q1, median, q3, max] = g.box ?? [];
          return `<b>${escapeHtml(g.name)}</b> (n=${g.values.length})<br>max ${formatStat(max)}<br>Q3 ${formatStat(q3)}<br>median ${formatStat(median)}<br>Q1 ${formatStat(q1)}<br>min ${formatStat(min)}`;
        }
        const [value, index] = p.value as [number, number];
        return `${escapeHtml(names[index] ?? '')}: ${formatStat(value)}`;
      },
    },
    grid: { left: 184, right: 24, top: 38, bottom: 26 },
    xAxis: { type: 'value', scale: true, ...axisStyle(c) },
    yAxis: {
      type: 'category',
      data: names,
      inverse: true,
      ...axisStyle(c),
      axisLabel: { color: c.fg, width: 168, overflow: 'truncate' },
      splitLine: { show: false },
    },
    series: [
      {
        type: 'boxplot',
        name: metric,
        boxWidth: [8, 28],
        data: drawn.map((g) => ({ value: g.box, itemStyle: { color: withAlpha(g.color, 0.16), borderColor: g.color, borderWidth: 1.5 } })),
      },
      {
        type: 'scatter',
        name: 'runs',
        symbolSize: 6,
        z: 3,
        data: drawn.flatMap((g, i) => g.values.map((v) => ({ value: [v, i], itemStyle: { color: withAlpha(g.color, 0.7) } }))),
      },
    ],
  };
}

/** Mean lines with 95% bands: an invisible line at the lower bound with the band's width
 *  stacked on it as an area. No legend inside: the view shows one legend for all the curve
 *  charts (and passes only the experiments shown). */
export function curvesOption(metric: string, groups: readonly CurveGroup[], c: ChartColors): EChartsCoreOption {
  const series = groups.flatMap((g, i) => meanAndBandSeries(String(i), g.name, g.points, g.color, metricRange(metric)));
  return {
    animation: false,
    title: titleOf(metric, 'mean per epoch across runs · 95% band', c),
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const epoch = Array.isArray(params) ? (params[0] as { axisValue?: number } | undefined)?.axisValue : undefined;
        if (epoch === undefined) return '';
        const lines = groups.flatMap((g) => {
          const p = g.points.find((q) => q.epoch === Number(epoch));
          if (p === undefined) return [];
          const band = p.low !== null && p.high !== null ? ` [${formatStat(p.low)}, ${formatStat(p.high)}]` : '';
          return [`<span style="color:${g.color}">●</span> ${escapeHtml(g.name)}: ${formatStat(p.mean)}${band} (n=${p.n})`];
        });
        return [`epoch ${epoch}`, ...lines].join('<br>');
      },
    },
    grid: { left: 52, right: 20, top: 38, bottom: 40 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 22, min: 'dataMin', max: 'dataMax', ...axisStyle(c) },
    yAxis: { type: 'value', scale: true, ...axisStyle(c) },
    series,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}
