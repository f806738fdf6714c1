// The experiments list's extra columns and what the list does with them in the renderer:
// hyperparameter columns read from each experiment's config (dotted paths such as
// optimizer.lr), mean final-metric columns, min/max range filters on any numeric column,
// sorting by such a column, and the config flattening the side-by-side diff uses. Pure
// functions, so the view, the store and the tests share them.

import type { ExperimentListItem, FinalMetricName } from '../../../src-shared/api.ts';

/** A value of a flattened config: numbers and words as they are, lists and nulls as JSON text. */
export type FlatValue = number | string | boolean | null;

/**
 * Flattens a nested config to dotted paths: { optimizer: { lr: 0.01 } } -> { "optimizer.lr": 0.01 }.
 * Lists (hidden layer sizes) stay one value, written as JSON ("[16,8]"), so that a diff
 * compares them whole; an empty object is kept as "{}" so that its key still shows.
 */
export function flattenConfig(value: unknown, prefix = ''): Record<string, FlatValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (prefix === '') return {};
    return {
      [prefix]: Array.isArray(value)
        ? JSON.stringify(value)
        : typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
          ? value
          : null,
    };
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return prefix === '' ? {} : { [prefix]: '{}' };
  const flat: Record<string, FlatValue> = {};
  for (const [key, v] of entries) Object.assign(flat, flattenConfig(v, prefix === '' ? key : `${prefix}.${key}`));
  return flat;
}

export interface DiffRow {
  readonly key: string;
  readonly left: FlatValue | undefined;
  readonly right: FlatValue | undefined;
  readonly differs: boolean;
}

/** Every key of either config (sorted), each with both values and whether they differ (a missing key differs). */
export function configDiff(left: unknown, right: unknown): DiffRow[] {
  const a = flattenConfig(left);
  const b = flattenConfig(right);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((key) => ({ key, left: a[key], right: b[key], differs: !(key in a) || !(key in b) || a[key] !== b[key] }));
}

export interface ExtraColumn {
  /** The column's key in the URL and the column menu (a config path, or metric.<name>). */
  readonly key: string;
  readonly label: string;
  readonly numeric: boolean;
  /** The value of a listed experiment, or null where it has none. */
  readonly value: (e: ExperimentListItem) => number | string | null;
  readonly title: string;
}

function configValue(e: ExperimentListItem, path: string): unknown {
  let at: unknown = e.config;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function hyperparameter(path: string, label: string, title: string): ExtraColumn {
  return {
    key: path,
    label,
    title,
    numeric: true,
    value: (e) => {
      const v = configValue(e, path);
      return typeof v === 'number' ? v : null;
    },
  };
}

function word(path: string, label: string, title: string): ExtraColumn {
  return {
    key: path,
    label,
    title,
    numeric: false,
    value: (e) => {
      const v = configValue(e, path);
      if (Array.isArray(v)) return v.join('-');
      return typeof v === 'string' ? v : null;
    },
  };
}

function metricMean(metric: FinalMetricName, label: string): ExtraColumn {
  return { key: `metric.${metric}`, label, title: `${metric}, mean over the done runs`, numeric: true, value: (e) => e.means?.[metric] ?? null };
}

/** The main hyperparameters of the configs (src-shared/config/experiment.ts), then mean final metrics. */
export const EXTRA_COLUMNS: readonly ExtraColumn[] = [
  hyperparameter('optimizer.lr', 'lr', 'optimizer.lr: learning rate (SGD, Adam)'),
  hyperparameter('optimizer.momentum', 'momentum', 'optimizer.momentum (SGD)'),
  hyperparameter('training.batch_size', 'batch', 'training.batch_size'),
  word('model.hidden', 'hidden', 'model.hidden: hidden layer sizes'),
  word('model.activation', 'activation', 'model.activation'),
  hyperparameter('optimizer.population', 'λ', 'optimizer.population: population size (CMA-ES; empty = default 4 + 3 ln d)'),
  hyperparameter('optimizer.sigma0', 'σ0', 'optimizer.sigma0: initial step size (CMA-ES)'),
  word('optimizer.variant', 'variant', 'optimizer.variant (CMA-ES)'),
  hyperparameter('training.max_epochs', 'max epochs', 'training.max_epochs'),
  hyperparameter('training.early_stopping.patience', 'patience', 'training.early_stopping.patience'),
  metricMean('val_acc', 'Mean val acc'),
  metricMean('test_loss', 'Mean test loss'),
  metricMean('time', 'Mean time (s)'),
  metricMean('model_evals', 'Mean evals'),
];

/** The extra columns some listed experiment has a value for (the others are not offered). */
export function presentColumns(items: readonly ExperimentListItem[]): ExtraColumn[] {
  return EXTRA_COLUMNS.filter((c) => c.key.startsWith('metric.') || items.some((e) => c.value(e) !== null));
}

/** A min/max filter on a numeric column; either bound may be open. */
export interface RangeFilter {
  readonly key: string;
  readonly min: number | null;
  readonly max: number | null;
}

/** The numeric value of any filterable column (the extra ones and the list's own accuracy columns). */
export function numericValue(e: ExperimentListItem, key: string): number | null {
  if (key === 'test_acc') return e.meanTestAcc;
  if (key === 'best_acc') return e.bestTestAcc;
  const column = EXTRA_COLUMNS.find((c) => c.key === key);
  const v = column?.numeric === true ? column.value(e) : null;
  return typeof v === 'number' ? v : null;
}

/** Experiments inside every range (bounds inclusive); one without a value is outside any range on that column. */
export function applyRanges(items: readonly ExperimentListItem[], ranges: readonly RangeFilter[]): ExperimentListItem[] {
  const active = ranges.filter((r) => r.min !== null || r.max !== null);
  if (active.length === 0) return [...items];
  return items.filter((e) =>
    active.every((r) => {
      const v = numericValue(e, r.key);
      return v !== null && (r.min === null || v >= r.min) && (r.max === null || v <= r.max);
    }),
  );
}

/** Sorts by an extra column in the renderer (the service sorts by its own keys); no value goes last either way. */
export function sortByColumn(items: readonly ExperimentListItem[], key: string, direction: 'asc' | 'desc'): ExperimentListItem[] {
  const column = EXTRA_COLUMNS.find((c) => c.key === key);
  if (column === undefined) return [...items];
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) return x === null && y === null ? a.id - b.id : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return order !== 0 ? sign * order : a.id - b.id;
  });
}

/** A cell's text: numbers to 4 significant digits (learning rates stay readable), words as they are. */
export function cellText(value: number | string | null): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}
