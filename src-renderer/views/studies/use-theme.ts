// The theme's colours as a reactive value for the study charts, with the background and panel
// colours the genealogy needs beside the text and line colours. themeColors() depends on the
// theme (charts/echarts.ts), so this recomputes when App.vue switches it.

import { computed, type ComputedRef } from 'vue';
import { themeColors } from '../../charts/echarts.ts';
import type { ThemeColors } from './study-format.ts';

export function useTheme(): ComputedRef<ThemeColors> {
  return computed(() => {
    const colors = themeColors();
    const style = getComputedStyle(document.documentElement);
    return {
      ...colors,
      bg: style.getPropertyValue('--bg').trim() || '#ffffff',
      panel: style.getPropertyValue('--panel').trim() || '#f6f7f9',
    };
  });
}
