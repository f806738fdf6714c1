// ECharts options for learning curves, shared by the views: plain lines (one run's metrics)
// and mean lines with a 95% band (runs aggregated across seeds). The band is drawn as an
// invisible line at the lower bound with the band's width stacked on it as an area, the usual
// ECharts idiom for confidence bands.

import type { EChartsCoreOption } from 'echarts/core';
import type { CurvePoint } from '../../src-shared/stats/curves.ts';
import { PALETTE, themeColors } from './echarts.ts';

export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number | null])[];
  readonly dashed?: boolean;
}

export interface BandSeries {
  readonly name: string;
  readonly points: readonly CurvePoint[];
}

/** The range a metric can take: accuracies lie in [0, 1], losses, times and counts are >= 0. */
export function metricRange(name: string): readonly [number, number] {
  return name.endsWith('_acc') ? [0, 1] : [0, Number.POSITIVE_INFINITY];
}

function frame(title: string, legend: readonly string[]): EChartsCoreOption {
  const c = themeColors();
  const axis = {
    axisLine: { lineStyle: { color: c.line } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.line, opacity: 0.5 } },
    nameTextStyle: { color: c.muted },
  };
  return {
    animation: false,
    title: { text: title, left: 8, top: 4, textStyle: { color: c.fg, fontSize: 13, fontWeight: 600 } },
    legend: { data: [...legend], top: 4, right: 8, textStyle: { color: c.fg } },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v)) },
    grid: { left: 56, right: 16, top: 40, bottom: 36 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, min: 'dataMin', max: 'dataMax', ...axis },
    // The y name is in the title; an axis name would collide with it.
    yAxis: { type: 'value', scale: true, ...axis },
  };
}

export function linesOption(title: string, series: readonly LineSeries[]): EChartsCoreOption {
  return {
    ...frame(
      title,
      series.map((s) => s.name),
    ),
    series: series.map((s, i) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      sampling: 'lttb',
      data: s.points,
      lineStyle: { width: 1.6, type: s.dashed === true ? 'dashed' : 'solid' },
      color: PALETTE[i % PALETTE.length],
    })),
  };
}

/**
 * One group's mean line and its 95% band, as three series sharing the group's name (so a
 * legend click hides all three). With few runs the t-interval is wide (t = 12.7 for two
 * runs) and can leave the metric's range; the band is clipped to `range` so that the axis
 * stays on the means (tooltips give the unclipped interval). stackStrategy 'all': a negative
 * lower bound must still carry the band stacked on it.
 */
export function meanAndBandSeries(id: string, name: string, points: readonly CurvePoint[], color: string, range: readonly [number, number]): object[] {
  const clip = (v: number): number => Math.min(range[1], Math.max(range[0], v));
  const band = points.flatMap((p) => (p.low !== null && p.high !== null ? [{ epoch: p.epoch, low: clip(p.low), high: clip(p.high) }] : []));
  const helper = { name, type: 'line', stack: `band-${id}`, stackStrategy: 'all', showSymbol: false, silent: true, color, lineStyle: { opacity: 0 } };
  return [
    { id: `mean-${id}`, name, type: 'line', showSymbol: false, color, lineStyle: { width: 1.8, color }, z: 3, data: points.map((p) => [p.epoch, p.mean]) },
    { ...helper, id: `low-${id}`, data: band.map((p) => [p.epoch, p.low]) },
    { ...helper, id: `band-${id}`, areaStyle: { color, opacity: 0.18 }, data: band.map((p) => [p.epoch, p.high - p.low]) },
  ];
}

/** Mean lines with their 95% bands, one per series, in the palette's colours. */
export function bandsOption(title: string, series: readonly BandSeries[], range: readonly [number, number] = [-Infinity, Infinity]): EChartsCoreOption {
  const drawn = series.flatMap((s, i) => meanAndBandSeries(String(i), s.name, s.points, PALETTE[i % PALETTE.length], range));
  const option = frame(
    title,
    series.map((s) => s.name),
  );
  return { ...option, tooltip: { trigger: 'axis', formatter: bandTooltip(series) }, series: drawn };
}

/** The tooltip shows each group's mean, band and n at the hovered epoch (not the stacked helpers). */
function bandTooltip(series: readonly BandSeries[]): (params: unknown) => string {
  return (params) => {
    const first = Array.isArray(params) ? (params[0] as { axisValue?: number } | undefined) : undefined;
    const epoch = first?.axisValue;
    if (epoch === undefined) return '';
    const lines = series.flatMap((s) => {
      const p = s.points.find((q) => q.epoch === epoch);
      if (p === undefined) return [];
      const band = p.low !== null && p.high !== null ? ` [${p.low.toPrecision(4)}, ${p.high.toPrecision(4)}]` : '';
      return [`${s.name}: ${p.mean.toPrecision(4)}${band} (n=${p.n})`];
    });
    return [`epoch ${epoch}`, ...lines].join('<br>');
  };
}
