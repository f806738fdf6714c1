// ECharts options of the comparison view's boxplots of the runs' final values (one box per
// compared experiment, the runs scattered on top; the learning curves are drawn by
// src-renderer/charts/curve-chart.ts). Each experiment keeps its colour
// in every chart and table. Pure functions of the data and the theme colours, so the charts
// redraw when either changes.
//
// The boxplot data transform is not registered (tree-shaken build), so the five-number
// summary is computed here with the same quantile definition as the comparison tables.

import type { EChartsCoreOption } from 'echarts/core';
import { quantile } from '../../../src-shared/stats/summary.ts';
import { formatStat } from '../../format.ts';

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

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}
