// Report charts as SVG strings, rendered on the server by ECharts (server-side rendering), so
// the report needs no script to display and prints as vectors: a boxplot of one metric per
// optimizer, and aggregated learning curves (mean line and 95% band per optimizer).

import * as echarts from 'echarts';
import type { CurvePoint } from '../../src-shared/stats/curves.ts';
import { quantile } from '../../src-shared/stats/summary.ts';

const WIDTH = 680;
const HEIGHT = 300;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function render(option: echarts.EChartsOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: 'sans-serif' }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** Boxplot (min, Q1, median, Q3, max) of each optimizer's values. */
export function boxplotSvg(title: string, series: readonly { name: string; values: readonly number[] }[]): string {
  const boxes = series.map((s) => {
    const sorted = s.values.filter(Number.isFinite).sort((a, b) => a - b);
    return sorted.length === 0
      ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]
      : [sorted[0], quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75), sorted[sorted.length - 1]];
  });
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    grid: { left: 70, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: series.map((s) => s.name) },
    yAxis: { type: 'value', scale: true },
    series: [
      { type: 'boxplot', data: boxes, itemStyle: { borderColor: PALETTE[0] } },
      {
        type: 'scatter',
        symbolSize: 4,
        itemStyle: { color: 'rgba(0,0,0,0.45)' },
        data: series.flatMap((s, i) => s.values.filter(Number.isFinite).map((v) => [i, v])),
      },
    ],
  });
}

/** Mean curve with a 95% band per optimizer; the band is drawn where n >= 2. */
export function curvesSvg(title: string, series: readonly { name: string; points: readonly CurvePoint[] }[]): string {
  const option: echarts.EChartsOption = {
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 20, top: 40, bottom: 62 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 22, minInterval: 1 },
    yAxis: { type: 'value', scale: true },
    series: series.flatMap((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      const banded = s.points.filter((p) => p.low !== null && p.high !== null);
      return [
        // The band as a stacked area: an invisible lower line, then the width on top of it.
        {
          type: 'line' as const,
          name: `${s.name} low`,
          stack: `band${i}`,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          data: banded.map((p) => [p.epoch, p.low ?? 0]),
          tooltip: { show: false },
        },
        {
          type: 'line' as const,
          name: `${s.name} band`,
          stack: `band${i}`,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color, opacity: 0.18 },
          data: banded.map((p) => [p.epoch, (p.high ?? 0) - (p.low ?? 0)]),
        },
        {
          type: 'line' as const,
          name: s.name,
          symbol: 'none',
          lineStyle: { color, width: 2 },
          itemStyle: { color },
          data: s.points.map((p) => [p.epoch, p.mean]),
        },
      ];
    }),
  };
  (option.legend as { data?: string[] }).data = series.map((s) => s.name);
  return render(option);
}
