// Option builders of the study's Analysis tab, pure so that they are unit-tested: parameter
// importance bars (PED-ANOVA, src-shared/hpo-analysis/importance.ts), slice plots (objective
// against each parameter), a contour of a chosen pair of parameters (drawn as a scatter of
// the trials coloured by objective: it shows where the study actually sampled, where an
// interpolated surface would invent values between few trials), and the empirical
// distribution function of the objective over one or more studies (Optuna's plot_edf).
// Every chart carries an ECharts `aria` description for screen readers.

import type { ParameterImportance } from '../../../src-shared/hpo-analysis/importance.ts';
import { formatCompact } from '../../format.ts';
import {
  axisBounds,
  axisStyle,
  escapeHtml,
  formatParam,
  LINEAGE_COLOR,
  SCORE_RAMP,
  shortName,
  type SpaceParameter,
  type ThemeColors,
  tooltipStyle,
} from './study-format.ts';

/** A trial as the analysis reads it: finished, with a finite objective value. */
export interface AnalysedTrial {
  readonly number: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly value: number;
}

export type ChartOption = Record<string, unknown>;

/** Trial-number colours (early to late): a ramp apart from the score colours, readable on both themes. */
export const TRIAL_RAMP = ['#38bdf8', '#6366f1', '#c026d3'] as const;

const aria = (description: string): ChartOption => ({ enabled: true, label: { description } });

/** Colour ramp of the objective from worst (low end for maximise, high end for minimise) to best. */
function objectiveRamp(direction: 'minimize' | 'maximize'): string[] {
  return direction === 'minimize' ? [...SCORE_RAMP].reverse() : [...SCORE_RAMP];
}

function extent(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const [low, high] = [Math.min(...finite), Math.max(...finite)];
  return low === high ? [low - 1e-12, high + 1e-12] : [low, high];
}

export const IMPORTANCE_METHOD = 'PED-ANOVA importance (Watanabe et al. 2023), top 10% vs all';

/** Horizontal importance bars, the most important on top. */
export function importanceOption(options: { importances: readonly ParameterImportance[]; paths: readonly string[]; colors: ThemeColors }): ChartOption {
  const { importances, colors } = options;
  // A category y-axis runs bottom to top: reversed, the most important bar is on top.
  const rows = [...importances].reverse();
  const names = rows.map((i) => shortName(i.path, options.paths));
  const axis = axisStyle(colors);
  const order = importances.map((i) => `${shortName(i.path, options.paths)} ${(100 * i.importance).toFixed(1)}%`).join(', ');
  return {
    animation: false,
    aria: aria(`${IMPORTANCE_METHOD}: horizontal bars of each hyperparameter's share of importance, most important first: ${order}.`),
    title: { text: IMPORTANCE_METHOD, left: 8, top: 4, textStyle: { color: colors.fg, fontSize: 13, fontWeight: 600 } },
    grid: { left: 8, right: 64, top: 36, bottom: 28, containLabel: true },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(colors),
      formatter: (p: { dataIndex: number }) => {
        const row = rows[p.dataIndex];
        return row === undefined
          ? ''
          : `<b>${escapeHtml(row.path)}</b><br>importance ${(100 * row.importance).toFixed(1)}%<br>Pearson divergence ${formatCompact(row.divergence)}`;
      },
    },
    xAxis: {
      type: 'value',
      name: 'importance',
      nameLocation: 'middle',
      nameGap: 22,
      min: 0,
      max: 1,
      ...axis,
      axisLabel: { ...(axis.axisLabel as object), formatter: (v: number) => `${Math.round(v * 100)}%` },
    },
    yAxis: { type: 'category', data: names, ...axis, splitLine: { show: false } },
    series: [
      {
        type: 'bar',
        name: 'importance',
        data: rows.map((i) => i.importance),
        barMaxWidth: 22,
        itemStyle: { color: SCORE_RAMP[2] },
        label: { show: true, position: 'right', color: colors.fg, formatter: (p: { value: number }) => `${(100 * p.value).toFixed(1)}%` },
      },
    ],
  };
}

/** An axis for a parameter: log for log-scaled ones, a category axis for categorical ones. */
function parameterAxis(p: SpaceParameter, trials: readonly AnalysedTrial[], name: string, colors: ThemeColors): ChartOption {
  const axis = axisStyle(colors);
  const common = { name, nameLocation: 'middle', nameGap: 26, ...axis };
  if (p.type === 'categorical' || trials.some((t) => typeof t.params[p.path] !== 'number' && t.params[p.path] !== undefined)) {
    return { ...common, type: 'category', data: categoriesOf(p, trials), splitLine: { show: false } };
  }
  return {
    ...common,
    type: p.log ? 'log' : 'value',
    ...axisBounds(p),
    scale: true,
    axisLabel: { ...(axis.axisLabel as object), formatter: (v: number) => formatCompact(v), hideOverlap: true },
  };
}

function categoriesOf(p: SpaceParameter, trials: readonly AnalysedTrial[]): string[] {
  const seen = new Set(p.choices.map(String));
  for (const t of trials) if (t.params[p.path] !== undefined) seen.add(String(t.params[p.path]));
  return [...seen];
}

/** The value of a parameter on its axis (categorical values as their label). */
function axisValue(p: SpaceParameter, value: number | string | boolean | undefined): number | string | null {
  if (value === undefined) return null;
  return p.type === 'categorical' || typeof value !== 'number' ? String(value) : value;
}

/** Slice plots: the objective against each parameter, one small grid each, points coloured by trial number. */
export function sliceOption(options: {
  trials: readonly AnalysedTrial[];
  space: readonly SpaceParameter[];
  metric: string;
  colors: ThemeColors;
  columns: number;
}): ChartOption & { height: number } {
  const { trials, space, colors } = options;
  const paths = space.map((p) => p.path);
  const columns = Math.max(1, Math.min(options.columns, space.length));
  const rows = Math.ceil(space.length / columns);
  const rowHeight = 230;
  const height = rows * rowHeight + 30;
  const numbers = extent(trials.map((t) => t.number));
  const axis = axisStyle(colors);
  const grids = space.map((_, i) => {
    const [row, column] = [Math.floor(i / columns), i % columns];
    return { left: `${(100 * column) / columns + 5}%`, width: `${100 / columns - 8}%`, top: 40 + row * rowHeight, height: rowHeight - 80 };
  });
  const byIndex = trials.map((t) => t);
  return {
    height,
    animation: false,
    aria: aria(
      `Slice plots: ${options.metric} of each finished trial against each hyperparameter (${space.map((p) => shortName(p.path, paths)).join(', ')}), points coloured from early to late trials.`,
    ),
    grid: grids,
    xAxis: space.map((p, i) => ({ ...parameterAxis(p, trials, shortName(p.path, paths), colors), gridIndex: i })),
    yAxis: space.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      scale: true,
      name: i % columns === 0 ? options.metric : '',
      nameTextStyle: { color: colors.muted },
      ...axis,
      axisLabel: { ...(axis.axisLabel as object), formatter: (v: number) => formatCompact(v) },
    })),
    visualMap: {
      type: 'continuous',
      dimension: 2,
      min: numbers[0],
      max: numbers[1],
      inRange: { color: [...TRIAL_RAMP] },
      orient: 'horizontal',
      right: 16,
      top: 0,
      itemWidth: 12,
      itemHeight: 140,
      text: ['late', 'early trial'],
      textStyle: { color: colors.muted },
      formatter: (v: number) => String(Math.round(v)),
      calculable: false,
    },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(colors),
      formatter: (p: { seriesIndex: number; dataIndex: number }) => {
        const parameter = space[p.seriesIndex];
        const t = byIndex[p.dataIndex];
        if (parameter === undefined || t === undefined) return '';
        return `<b>trial #${t.number}</b><br>${escapeHtml(shortName(parameter.path, paths))} = ${escapeHtml(formatParam(t.params[parameter.path]))}<br>${escapeHtml(options.metric)} <b>${formatCompact(t.value)}</b>`;
      },
    },
    series: space.map((p, i) => ({
      type: 'scatter',
      name: p.path,
      xAxisIndex: i,
      yAxisIndex: i,
      symbolSize: trials.length > 300 ? 5 : 8,
      data: trials.map((t) => [axisValue(p, t.params[p.path]), t.value, t.number]),
    })),
  };
}

/**
 * The trials over the plane of two parameters, coloured by objective (worst violet to best
 * yellow-green), the best trial ringed. Scatter rather than an interpolated grid: with tens of
 * trials an interpolation would draw a landscape the study never measured.
 */
export function contourOption(options: {
  trials: readonly AnalysedTrial[];
  x: SpaceParameter;
  y: SpaceParameter;
  paths: readonly string[];
  metric: string;
  direction: 'minimize' | 'maximize';
  colors: ThemeColors;
}): ChartOption {
  const { trials, x, y, colors } = options;
  const values = extent(trials.map((t) => t.value));
  const sign = options.direction === 'minimize' ? 1 : -1;
  const best = trials.reduce<AnalysedTrial | null>((b, t) => (b === null || sign * t.value < sign * b.value ? t : b), null);
  const [xName, yName] = [shortName(x.path, options.paths), shortName(y.path, options.paths)];
  const point = (t: AnalysedTrial): (number | string | null)[] => [axisValue(x, t.params[x.path]), axisValue(y, t.params[y.path]), t.value, t.number];
  return {
    animation: false,
    aria: aria(
      `Contour: each finished trial placed by ${xName} and ${yName}, coloured by ${options.metric} from worst (violet) to best (yellow-green); the best trial is ringed.`,
    ),
    grid: { left: 72, right: 130, top: 36, bottom: 52 },
    xAxis: parameterAxis(x, trials, xName, colors),
    yAxis: { ...parameterAxis(y, trials, yName, colors), nameLocation: 'end', nameGap: 10, nameTextStyle: { color: colors.fg, fontWeight: 600 } },
    visualMap: {
      type: 'continuous',
      seriesIndex: 0,
      dimension: 2,
      min: values[0],
      max: values[1],
      inRange: { color: objectiveRamp(options.direction) },
      right: 12,
      top: 'middle',
      itemHeight: 180,
      calculable: true,
      // formatCompact, not a fixed precision: a best value of 3.47e-6 must not read "0.000".
      formatter: (v: number) => formatCompact(v),
      text: [options.metric, ''],
      textStyle: { color: colors.muted },
    },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(colors),
      formatter: (p: { value: unknown }) => {
        const [xv, yv, value, number] = Array.isArray(p.value) ? (p.value as (number | string)[]) : [];
        return `<b>trial #${String(number)}</b><br>${escapeHtml(xName)} = ${escapeHtml(formatParam(xv))}<br>${escapeHtml(yName)} = ${escapeHtml(formatParam(yv))}<br>${escapeHtml(options.metric)} <b>${formatCompact(Number(value))}</b>`;
      },
    },
    series: [
      {
        type: 'scatter',
        name: 'trials',
        symbolSize: trials.length > 300 ? 7 : 11,
        data: trials.map(point),
        itemStyle: { borderColor: colors.bg, borderWidth: 0.5 },
      },
      ...(best === null
        ? []
        : [
            {
              type: 'scatter',
              name: `best trial #${best.number}`,
              symbol: 'circle',
              symbolSize: 18,
              data: [point(best)],
              itemStyle: { color: 'transparent', borderColor: LINEAGE_COLOR, borderWidth: 2.5 },
              z: 4,
            },
          ]),
    ],
  };
}

/** The empirical distribution function of values: [value, fraction of values <= it], ascending. */
export function empiricalDistribution(values: readonly number[]): [number, number][] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const points: [number, number][] = [];
  sorted.forEach((v, i) => {
    // Ties: one step to the fraction after the last of them.
    if (i + 1 < sorted.length && sorted[i + 1] === v) return;
    points.push([v, (i + 1) / sorted.length]);
  });
  return points;
}

/** EDF of the objective of one or more studies (Optuna's plot_edf): a step line per study. */
export function edfOption(options: {
  studies: readonly { name: string; values: readonly number[] }[];
  metric: string;
  palette: readonly string[];
  log: boolean;
  colors: ThemeColors;
}): ChartOption {
  const { colors } = options;
  const axis = axisStyle(colors);
  return {
    animation: false,
    aria: aria(
      `Empirical distribution function of ${options.metric}: for each value, the fraction of a study's finished trials at or below it; one line per study (${options.studies.map((s) => s.name).join(', ')}).`,
    ),
    grid: { left: 64, right: 24, top: 40, bottom: 52 },
    legend: { top: 4, textStyle: { color: colors.muted }, type: 'scroll' },
    tooltip: { trigger: 'axis', ...tooltipStyle(colors), valueFormatter: (v: number) => formatCompact(v) },
    xAxis: {
      type: options.log ? 'log' : 'value',
      name: options.metric,
      nameLocation: 'middle',
      nameGap: 28,
      scale: true,
      ...axis,
      axisLabel: { ...(axis.axisLabel as object), formatter: (v: number) => formatCompact(v), hideOverlap: true },
    },
    yAxis: { type: 'value', name: 'cumulative fraction of trials', min: 0, max: 1, nameTextStyle: { color: colors.muted }, ...axis },
    series: options.studies.map((s, i) => ({
      type: 'line',
      name: s.name,
      step: 'end',
      showSymbol: false,
      data: empiricalDistribution(s.values),
      lineStyle: { width: 2, color: options.palette[i % options.palette.length] },
      itemStyle: { color: options.palette[i % options.palette.length] },
    })),
  };
}
