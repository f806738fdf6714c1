// The genealogy layout as an ECharts option, on one cartesian grid (value axes: generation
// across, rank down with the best at the top) at the positions the layout computed ('none'
// layout: ECharts places nothing itself):
//   0 graph  'genealogy'         every member and its copied-weights edges (straight lines)
//   1 graph  'hparams'           inherited-hyperparameter edges (dashed arcs beside them)
//   2 graph  'lineage-hparams'   the same along the best lineage, in the highlight colour
//   3 line   'lineage'           the best lineage: its members ringed, joined by a thick line
//   4 scatter 'best'             the best trial, a diamond
// Speed with 1,500 nodes comes from keeping the big series free of per-item options: node
// data are plain [x, y] pairs and colour, size and symbol come from series-level callbacks
// (ECharts then styles every node from one shared model instead of one model per item), the
// few highlighted items live in the small series 2 to 4. Built once per data / theme / edge
// mode; selecting a node is a chart action, so clicks never rebuild the option. The axes are
// value axes, not category axes: ECharts names items on a category axis after their category
// and selects by name, so selecting one node would select its whole generation.

import type { TrialSummary } from '../../../src-shared/api.ts';
import type { GenealogyLayout, GenealogyNode } from './genealogy-layout.ts';
import { escapeHtml, formatParam, LINEAGE_COLOR, NO_VALUE_COLOR, scoreColor, shortName, type ThemeColors, tooltipStyle } from './study-format.ts';
import { formatCompact } from '../../format.ts';

export type EdgeMode = 'all' | 'lineage' | 'none';

export interface GenealogyChartInput {
  readonly layout: GenealogyLayout;
  readonly trials: ReadonlyMap<number, TrialSummary>;
  readonly paths: readonly string[];
  readonly metric: string;
  readonly theme: ThemeColors;
  readonly edges: EdgeMode;
  /** Size of the drawing area in pixels, to size the nodes to the rows and columns. */
  readonly width: number;
  readonly height: number;
}

/** Series ids, in series order (the explorer maps clicks and selection through them). */
export const SERIES = { nodes: 0, hparams: 1, lineageHparams: 2, lineage: 3, best: 4 } as const;

/** Above this many nodes hover effects that restyle the whole graph are off (they would lag). */
export const LARGE_GENEALOGY = 400;

export const GRID = { left: 56, right: 18, top: 26, bottom: 44 } as const;

/** Node diameter: most of a row's height, bounded so small studies do not get huge dots. */
export function nodeSize(layout: Pick<GenealogyLayout, 'rows' | 'generations'>, width: number, height: number): number {
  const rowHeight = (height - GRID.top - GRID.bottom) / Math.max(1, layout.rows);
  const columnWidth = (width - GRID.left - GRID.right) / Math.max(1, layout.generations);
  // Rounded to half pixels, so a small resize does not rebuild 1,500 nodes for nothing.
  return Math.round(2 * Math.max(4, Math.min(16, rowHeight * 0.62, columnWidth * 0.45))) / 2;
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** A node's fill: its score; fainter when it stopped early (scored after fewer epochs). */
export function nodeColor(n: GenealogyNode): string {
  if (n.value === null) return NO_VALUE_COLOR;
  const color = scoreColor(n.quality);
  return n.status === 'done' ? color : withAlpha(color, 0.55);
}

/** Where a node is drawn: [generation, rank counted from 1]. */
export function chartPoint(n: Pick<GenealogyNode, 'x' | 'y'>): [number, number] {
  return [n.x, n.y + 1];
}

interface Params {
  readonly dataIndex: number;
  readonly seriesIndex?: number;
  readonly dataType?: string;
}

export function genealogyOption(input: GenealogyChartInput): Record<string, unknown> {
  const { layout, theme, trials, paths, metric } = input;
  const nodes = layout.nodes;
  const large = nodes.length > LARGE_GENEALOGY;
  const size = nodeSize(layout, input.width, input.height);
  const colors = nodes.map(nodeColor);
  const point = chartPoint;
  const lineageNodes = layout.lineage.map((id) => nodes[layout.indexOf.get(id) ?? -1]).filter((n) => n !== undefined);
  const best = layout.bestId === null ? undefined : nodes[layout.indexOf.get(layout.bestId) ?? -1];

  const showEdges = input.edges !== 'none';
  const allEdges = input.edges === 'all';
  const weights = allEdges ? layout.links.filter((l) => l.kind === 'weights' && !l.onBestLineage) : [];
  const hparams = allEdges ? layout.links.filter((l) => l.kind === 'hparams' && !l.onBestLineage) : [];
  const lineageHparams = showEdges ? layout.links.filter((l) => l.kind === 'hparams' && l.onBestLineage) : [];

  // Graphs of edges only: their own node lists (the edges' ends), drawn invisible.
  const edgeGraph = (links: typeof hparams): { data: [number, number][]; links: { source: number; target: number }[] } => {
    const local = new Map<number, number>();
    const data: [number, number][] = [];
    const at = (index: number): number => {
      let i = local.get(index);
      if (i === undefined) {
        i = data.length;
        local.set(index, i);
        data.push(point(nodes[index]));
      }
      return i;
    };
    return { data, links: links.map((l) => ({ source: at(l.source), target: at(l.target) })) };
  };
  const hparamsGraph = edgeGraph(hparams);
  const lineageHparamsGraph = edgeGraph(lineageHparams);

  const describeNode = (n: GenealogyNode | undefined): string => {
    const t = n === undefined ? undefined : trials.get(n.id);
    if (n === undefined || t === undefined) return '';
    const params = paths.map((p) => `${escapeHtml(shortName(p, paths))} = ${escapeHtml(formatParam(t.params[p]))}`).join('<br>');
    const tag = n.best ? ` · <b style="color:${LINEAGE_COLOR}">best</b>` : n.onBestLineage ? ' · best lineage' : '';
    return `<b>trial #${t.number}</b> · g${t.generation} m${t.member} · ${t.status}${tag}<br>${escapeHtml(metric)} <b>${formatCompact(t.value)}</b>${n.rank !== null ? ` (rank ${n.rank + 1})` : ''}<br>${params}`;
  };

  const axisCommon = {
    axisLine: { lineStyle: { color: theme.line } },
    axisTick: { show: false },
    nameTextStyle: { color: theme.muted },
  };
  // A label per generation / rank while they fit, else the first and every 5th or 10th. Given
  // as custom values: the axes run from -0.5 / 0.5 (half a step of margin), and ECharts would
  // otherwise count its ticks from there.
  const labels = (first: number, count: number, fit: number): number[] => {
    const step = count <= fit ? 1 : count <= fit * 5 ? 5 : 10;
    const last = first + count - 1;
    return Array.from({ length: last + 1 }, (_, v) => v).filter((v) => v >= first && (v === first || v % step === 0));
  };
  const xLabels = labels(0, Math.max(1, layout.generations), 40);
  const yLabels = labels(1, Math.max(1, layout.rows), 20);
  const noLabel = { show: false };

  return {
    animation: false,
    aria: {
      enabled: true,
      label: {
        description: `Genealogy of a population study: ${nodes.length} trials placed by generation (x) and rank (y), coloured by score, with edges from each child to the parent it inherited weights or hyperparameters from; the best lineage in red.`,
      },
    },
    // Above 3,000 elements ECharts draws hover and selection states on a separate layer, where
    // the selection ring did not show; a genealogy changes state one node at a time anyway.
    hoverLayerThreshold: Number.POSITIVE_INFINITY,
    // outerBoundsMode 'none': the margins are fixed, which spares ECharts measuring every axis label.
    grid: { ...GRID, outerBoundsMode: 'none' },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(theme),
      formatter: (p: Params) => {
        if (p.seriesIndex === SERIES.nodes && p.dataType !== 'edge') return describeNode(nodes[p.dataIndex]);
        if (p.seriesIndex === SERIES.lineage) return describeNode(lineageNodes[p.dataIndex]);
        if (p.seriesIndex === SERIES.best) return describeNode(best);
        return 'copied weights';
      },
    },
    xAxis: {
      type: 'value',
      name: 'generation',
      nameLocation: 'middle',
      nameGap: 26,
      min: -0.5,
      max: Math.max(1, layout.generations) - 0.5,
      ...axisCommon,
      axisLine: { ...axisCommon.axisLine, onZero: false },
      axisLabel: { color: theme.muted, customValues: xLabels },
      axisTick: { show: true, customValues: xLabels, lineStyle: { color: theme.line } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: 'rank',
      nameLocation: 'middle',
      nameGap: 36,
      inverse: true,
      min: 0.5,
      max: Math.max(1, layout.rows) + 0.5,
      ...axisCommon,
      axisLine: { ...axisCommon.axisLine, onZero: false },
      axisLabel: { color: theme.muted, customValues: yLabels },
      axisTick: { show: true, customValues: yLabels, lineStyle: { color: theme.line } },
      splitLine: { show: false },
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'inside', yAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'shift', moveOnMouseWheel: false },
    ],
    series: [
      {
        type: 'graph',
        id: 'genealogy',
        coordinateSystem: 'cartesian2d',
        layout: 'none',
        data: nodes.map(point),
        links: weights.map((l) => ({ source: l.source, target: l.target })),
        symbol: (_: unknown, p: Params) => (nodes[p.dataIndex]?.value === null ? 'emptyCircle' : 'circle'),
        symbolSize: size,
        itemStyle: { color: (p: Params) => colors[p.dataIndex] ?? NO_VALUE_COLOR, borderColor: theme.bg, borderWidth: 0.5 },
        lineStyle: { color: theme.muted, width: large ? 0.7 : 1.2, opacity: large ? 0.2 : 0.45, curveness: 0 },
        edgeSymbol: ['none', 'none'],
        label: noLabel,
        cursor: 'pointer',
        selectedMode: 'single',
        // A thick ring and a glow: a 4-pixel node among 1,500 must still stand out when selected.
        select: { itemStyle: { borderColor: theme.fg, borderWidth: large ? 4 : 3, shadowBlur: 14, shadowColor: theme.fg }, label: noLabel },
        emphasis: large
          ? { focus: 'none', scale: 1.6, label: noLabel }
          : { focus: 'adjacency', scale: 1.3, label: noLabel, lineStyle: { width: 2.5, opacity: 1 } },
        blur: { itemStyle: { opacity: 0.2 }, lineStyle: { opacity: 0.06 } },
        z: 3,
      },
      {
        type: 'graph',
        id: 'hparams',
        coordinateSystem: 'cartesian2d',
        layout: 'none',
        ...hparamsGraph,
        symbol: 'none',
        lineStyle: { color: theme.muted, width: large ? 0.7 : 1, type: 'dashed', curveness: 0.3, opacity: large ? 0.25 : 0.55 },
        edgeSymbol: ['none', 'none'],
        label: noLabel,
        silent: true,
        z: 2,
      },
      {
        type: 'graph',
        id: 'lineage-hparams',
        coordinateSystem: 'cartesian2d',
        layout: 'none',
        ...lineageHparamsGraph,
        symbol: 'none',
        lineStyle: { color: LINEAGE_COLOR, width: 1.5, type: 'dashed', curveness: 0.3, opacity: 0.9 },
        edgeSymbol: ['none', 'none'],
        label: noLabel,
        silent: true,
        z: 4,
      },
      {
        type: 'line',
        id: 'lineage',
        data: lineageNodes.map((n) => ({ name: String(n.id), value: point(n), itemStyle: { color: nodeColor(n) } })),
        symbol: 'circle',
        symbolSize: size * 1.45,
        showSymbol: true,
        showAllSymbol: true,
        lineStyle: { color: LINEAGE_COLOR, width: showEdges ? 3 : 0, opacity: 0.95 },
        itemStyle: { borderColor: LINEAGE_COLOR, borderWidth: 2 },
        label: noLabel,
        cursor: 'pointer',
        selectedMode: 'single',
        select: { itemStyle: { borderColor: theme.fg, borderWidth: 3 }, label: noLabel },
        emphasis: { scale: 1.3, label: noLabel },
        z: 5,
      },
      {
        type: 'scatter',
        id: 'best',
        data: best === undefined ? [] : [{ name: String(best.id), value: point(best), itemStyle: { color: nodeColor(best) } }],
        symbol: 'diamond',
        symbolSize: size * 2.1,
        itemStyle: { borderColor: LINEAGE_COLOR, borderWidth: 2.5 },
        cursor: 'pointer',
        selectedMode: 'single',
        select: { itemStyle: { borderColor: theme.fg, borderWidth: 3.5 } },
        z: 6,
      },
    ],
  };
}

/** The trial id behind a click or hover on one of the series (null for edges and the edge-only series). */
export function trialAt(layout: GenealogyLayout, seriesIndex: number, dataIndex: number, dataType?: string): number | null {
  if (seriesIndex === SERIES.nodes && dataType !== 'edge') return layout.nodes[dataIndex]?.id ?? null;
  if (seriesIndex === SERIES.lineage) return layout.lineage[dataIndex] ?? null;
  if (seriesIndex === SERIES.best) return layout.bestId;
  return null;
}
