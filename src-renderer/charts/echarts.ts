// The one place ECharts is set up for the renderer: only the chart types and components the
// views use are registered (tree-shaken build), with the canvas renderer (fast with thousands
// of points and the 1,500-node genealogy). Views import VChart from here.

import { BarChart, BoxplotChart, CustomChart, GraphChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
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
  // The HPO analysis: importance bars, and text descriptions of every chart for screen readers.
  BarChart,
  AriaComponent,
]);

export { VChart };

// The theme state lives apart so that the entry bundle can use it without ECharts.
export { PALETTE, chartTheme, themeColors } from './theme.ts';
