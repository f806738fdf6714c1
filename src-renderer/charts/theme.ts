// The charts' theme state without the chart library: App.vue (in the entry bundle) flips
// chartTheme.dark when the theme changes, and must not import ECharts to do so — ECharts
// loads with the first view that draws a chart (src-renderer/charts/echarts.ts).

import { reactive } from 'vue';
import { SERIES_PALETTE } from '../../src-shared/format/palette.ts';

/** Colours that read on both themes (the views pass them to series); the report uses the same. */
export const PALETTE = SERIES_PALETTE;

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
