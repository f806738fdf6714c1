// The one place ECharts is set up for the renderer: only the chart types and components the
// views use are registered (tree-shaken build), with the canvas renderer (fast with thousands
// of points and the 1,500-node genealogy). Views import VChart from here.

import { BoxplotChart, CustomChart, GraphChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import VChart from 'vue-echarts';

use([
  CanvasRenderer,
  LineChart,
  ScatterChart,
  BoxplotChart,
  GraphChart,
  ParallelChart,
  CustomChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DataZoomComponent,
  VisualMapComponent,
  ParallelComponent,
  MarkLineComponent,
]);

export { VChart };

/** Colours that read on both themes (the views pass them to series). */
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** Text and axis colours of the current theme, read from the CSS variables. */
export function themeColors(): { fg: string; muted: string; line: string } {
  const style = getComputedStyle(document.documentElement);
  return {
    fg: style.getPropertyValue('--fg').trim() || '#1b1f24',
    muted: style.getPropertyValue('--muted').trim() || '#667085',
    line: style.getPropertyValue('--line').trim() || '#d0d5dd',
  };
}
