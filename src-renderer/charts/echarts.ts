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
import { reactive } from 'vue';
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

/** The current theme; App.vue sets it after switching the CSS variables. */
export const chartTheme = reactive({ dark: false });

/**
 * Text and axis colours of the current theme, read from the CSS variables. Reading
 * chartTheme.dark here makes every computed chart option that calls this depend on the
 * theme, so charts redraw in the new colours when the theme changes.
 */
export function themeColors(): { fg: string; muted: string; line: string } {
  void chartTheme.dark;
  const style = getComputedStyle(document.documentElement);
  return {
    fg: style.getPropertyValue('--fg').trim() || '#1b1f24',
    muted: style.getPropertyValue('--muted').trim() || '#667085',
    line: style.getPropertyValue('--line').trim() || '#d0d5dd',
  };
}
