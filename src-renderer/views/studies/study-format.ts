// What the study views share: reading the study config (search space, population settings)
// from the untyped `config` the API returns, formatting values and hyperparameters, the
// colour scale for scores (one scale in every study chart, so a colour means the same score
// everywhere) and the chart styling that follows the light/dark theme.

import { formatCompact } from '../../format.ts';
import type { StudyDetail, StudySummary, TrialSummary } from '../../../src-shared/api.ts';
import type { ImportanceParameter } from '../../../src-shared/hpo-analysis/importance.ts';

/** A parameter of the search space as the study views read it (the shape importance takes). */
export type SpaceParameter = ImportanceParameter;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * The search space from the study config; parameters the trials carry but the config does
 * not describe (an older config format) are added as plain numeric or categorical ones.
 */
export function searchSpace(study: Pick<StudyDetail, 'config' | 'trialList'>): SpaceParameter[] {
  const space = isRecord(study.config) && isRecord(study.config.space) ? study.config.space : {};
  const parameters: SpaceParameter[] = [];
  for (const [path, raw] of Object.entries(space)) {
    if (!isRecord(raw)) continue;
    const type = raw.type === 'uniform' || raw.type === 'loguniform' || raw.type === 'int' || raw.type === 'categorical' ? raw.type : 'uniform';
    parameters.push({
      path,
      type,
      log: type === 'loguniform' || (type === 'int' && raw.log === true),
      low: numberOrNull(raw.low),
      high: numberOrNull(raw.high),
      choices: Array.isArray(raw.choices) ? raw.choices.filter((c): c is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof c)) : [],
    });
  }
  const known = new Set(parameters.map((p) => p.path));
  for (const trial of study.trialList) {
    for (const [path, value] of Object.entries(trial.params)) {
      if (known.has(path)) continue;
      known.add(path);
      parameters.push({ path, type: typeof value === 'number' ? 'uniform' : 'categorical', log: false, low: null, high: null, choices: [] });
    }
  }
  return parameters;
}

/**
 * Axis bounds for a parameter: its search range, widened to whole decades on a log axis
 * (ECharts labels decades there; an end label such as 0.3 would crowd the 0.1 beside it).
 */
export function axisBounds(p: SpaceParameter): { min?: number; max?: number } {
  const bound = (value: number | null, round: (x: number) => number): number | undefined =>
    value === null ? undefined : p.log && value > 0 ? 10 ** round(Math.log10(value)) : value;
  const min = bound(p.low, Math.floor);
  const max = bound(p.high, Math.ceil);
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/** GPBT / PBT settings in short ("n 8 · t_max 5 · c 2 · T_g 1 · tpe/time + early stop"). */
export function populationSummary(study: Pick<StudyDetail, 'config' | 'kind'>): string | null {
  if (!isRecord(study.config)) return null;
  const section = study.config[study.kind];
  if (study.kind === 'tune' || !isRecord(section)) return null;
  const parts = [`n ${String(section.n)}`, `t_max ${String(section.t_max)}`];
  if (study.kind === 'gpbt') parts.push(`c ${String(section.c)}`);
  parts.push(`T_g ${String(section.T_g)}`);
  if (study.kind === 'gpbt') parts.push(`${String(section.sampler)}/${String(section.mode)}${section.early_stop === true ? ' + early stop' : ''}`);
  else parts.push(`quantile ${String(section.quantile)}`);
  return parts.join(' · ');
}

/** Short label of a dotted config path: the last part ("optimizer.lr" -> "lr"), unless ambiguous. */
export function shortName(path: string, all: readonly string[]): string {
  const last = path.split('.').at(-1) ?? path;
  return all.filter((p) => (p.split('.').at(-1) ?? p) === last).length > 1 ? path : last;
}

/** A metric value: 4 significant digits, exponent form for tiny or huge numbers. */
export function formatParam(value: number | string | boolean | undefined): string {
  if (value === undefined) return '–';
  return typeof value === 'number' ? (Number.isInteger(value) ? String(value) : formatCompact(value)) : String(value);
}

export function directionArrow(direction: StudySummary['objective']['direction']): string {
  return direction === 'minimize' ? '↓' : '↑';
}

/** Metrics recorded per epoch that a study's curves can show. */
export const CURVE_METRICS = ['val_loss', 'val_acc', 'train_loss', 'train_acc'] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

/** The per-epoch counterpart of the objective (test metrics exist only at the end). */
export function curveMetric(objective: string): CurveMetric {
  if (objective === 'test_loss') return 'val_loss';
  if (objective === 'test_acc') return 'val_acc';
  return (CURVE_METRICS as readonly string[]).includes(objective) ? (objective as CurveMetric) : 'val_loss';
}

/**
 * Score colours from worst to best, violet through blue and teal to yellow-green (viridis'
 * hue order with rising lightness), kept inside a luminance band so that every step reads on
 * both themes: at least 3.8:1 against the dark background (the worst, #7b5fc7; viridis' dark
 * purple was 1.7:1 on near-black) and at least 2.3:1 against white (the best).
 */
export const SCORE_RAMP = ['#7b5fc7', '#5b7fd6', '#3d8fc4', '#1f9e99', '#2fa96a', '#79b33a', '#a3b52b'] as const;
/** The best lineage and the best trial: a colour that is not on the score scale. */
export const LINEAGE_COLOR = '#e11d48';
/** Trials without a value. */
export const NO_VALUE_COLOR = '#98a2b3';

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
const RAMP_RGB = SCORE_RAMP.map(hexToRgb);

/** The colour of a quality in [0, 1] (1 = best), interpolated along SCORE_RAMP. */
export function scoreColor(quality: number | null): string {
  if (quality === null || !Number.isFinite(quality)) return NO_VALUE_COLOR;
  const at = Math.max(0, Math.min(1, quality)) * (RAMP_RGB.length - 1);
  const i = Math.min(RAMP_RGB.length - 2, Math.floor(at));
  const f = at - i;
  const [a, b] = [RAMP_RGB[i], RAMP_RGB[i + 1]];
  const mix = (k: 0 | 1 | 2): string =>
    Math.round(a[k] + (b[k] - a[k]) * f)
      .toString(16)
      .padStart(2, '0');
  return `#${mix(0)}${mix(1)}${mix(2)}`;
}

/** Quality of a value within [low, high] for a direction: 1 = best. */
export function qualityOf(value: number | null, range: readonly [number, number] | null, direction: 'minimize' | 'maximize'): number | null {
  if (value === null || range === null || !Number.isFinite(value)) return null;
  const [low, high] = range;
  if (high === low) return 1;
  const q = (value - low) / (high - low);
  return direction === 'minimize' ? 1 - q : q;
}

/**
 * Quality (1 = best) on a log scale when `log` (values that span decades, drawn on a log axis:
 * the colours then follow what the eye reads on the axis), else linear.
 */
export function qualityScale(values: readonly number[], direction: 'minimize' | 'maximize', log: boolean): (value: number | null) => number | null {
  const useLog = log && values.length > 0 && values.every((v) => v > 0);
  const f = (v: number): number => (useLog ? Math.log10(v) : v);
  const finite = values.filter((v) => Number.isFinite(v)).map(f);
  const range: [number, number] | null = finite.length === 0 ? null : [Math.min(...finite), Math.max(...finite)];
  return (value) => (value === null || !Number.isFinite(value) || (useLog && value <= 0) ? null : qualityOf(f(value), range, direction));
}

/** Lowest and highest finite value of the trials; null when none has one. */
export function valueRange(trials: readonly Pick<TrialSummary, 'value'>[]): [number, number] | null {
  let low = Infinity;
  let high = -Infinity;
  for (const t of trials) {
    if (t.value === null || !Number.isFinite(t.value)) continue;
    low = Math.min(low, t.value);
    high = Math.max(high, t.value);
  }
  return low <= high ? [low, high] : null;
}

/** Whether a log axis suits these values (all positive, spanning more than ~1.5 decades). */
export function suitsLogAxis(values: readonly number[]): boolean {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) > 30;
}

export interface ThemeColors {
  readonly fg: string;
  readonly muted: string;
  readonly line: string;
  readonly bg: string;
  readonly panel: string;
}

/** Axis styling for the current theme. */
export function axisStyle(theme: ThemeColors): Record<string, unknown> {
  return {
    // onZero off: an axis stays at the edge of the grid even when the other axis includes 0.
    axisLine: { onZero: false, lineStyle: { color: theme.line } },
    axisTick: { lineStyle: { color: theme.line } },
    axisLabel: { color: theme.muted },
    nameTextStyle: { color: theme.muted },
    splitLine: { lineStyle: { color: theme.line, opacity: 0.5 } },
  };
}

/** Tooltip styling for the current theme. */
export function tooltipStyle(theme: ThemeColors): Record<string, unknown> {
  return { backgroundColor: theme.panel, borderColor: theme.line, textStyle: { color: theme.fg, fontSize: 12 }, confine: true };
}

/** Escapes text put into tooltip HTML (trial params come from user configs). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The sampler of a study in short, from its method in words (src-main/services/study-summary.ts
 * writes "TPE, 50 trials, asha pruning" / "GPBT n 8, 5 generations of 1 epoch, time, tpe" /
 * "PBT n 8, ..."): "TPE", "GPBT (TPE)", "PBT".
 */
export function samplerLabel(summary: Pick<StudySummary, 'kind' | 'method'>): string {
  const parts = summary.method.split(',').map((p) => p.trim());
  if (summary.kind === 'pbt') return 'PBT';
  if (summary.kind === 'gpbt') {
    const inner = parts.at(-1)?.toLowerCase();
    return inner === 'tpe' ? 'GPBT (TPE)' : inner === 'random' ? 'GPBT (random)' : 'GPBT';
  }
  return parts[0] === '' || parts[0] === undefined ? 'tuning' : parts[0];
}
