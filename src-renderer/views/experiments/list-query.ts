// The experiments list's whole view state as a URL query, and back: search, filters, the
// archived view, sort, shown columns, range filters, the selection and the open config
// diff, so that a reload restores the list and a link shows a colleague the same view.
// Defaults are left out, so a plain #/experiments stays plain. Malformed values are
// dropped (a hand-edited link never breaks the view).
//   ?q=adam&status=done&dataset=iris&optimizer=adam&tag=baseline&archived=1&trials=1
//   &sort=optimizer.lr&dir=asc&cols=name,status,optimizer.lr&min.optimizer.lr=0.001
//   &max.metric.test_acc=1&sel=3,7&diff=1

import type { ExperimentStatus } from '../../../src-shared/api.ts';
import type { RangeFilter } from './list-columns.ts';

export interface ListViewState {
  readonly search: string;
  readonly status: ExperimentStatus | '';
  readonly dataset: string;
  readonly optimizer: string;
  readonly tag: string;
  readonly archived: boolean;
  readonly includeTrials: boolean;
  readonly sortBy: string;
  readonly direction: 'asc' | 'desc';
  /** null: the remembered (or default) columns. */
  readonly columns: readonly string[] | null;
  readonly ranges: readonly RangeFilter[];
  readonly selected: readonly number[];
  readonly diff: boolean;
}

export type Query = Record<string, string | null | (string | null)[]>;

const STATUSES: readonly ExperimentStatus[] = ['running', 'pending', 'done', 'failed', 'cancelled'];
export const DEFAULT_SORT = { sortBy: 'created', direction: 'desc' } as const;

function one(query: Query, key: string): string {
  const v = query[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

function bound(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Reads the view state from a route's query. */
export function stateFromQuery(query: Query): ListViewState {
  const status = one(query, 'status');
  const direction = one(query, 'dir');
  const cols = one(query, 'cols');
  const keys = new Set<string>();
  for (const name of Object.keys(query)) {
    const m = /^(min|max)\.(.+)$/.exec(name);
    if (m !== null) keys.add(m[2]);
  }
  const ranges = [...keys]
    .sort()
    .map((key) => ({ key, min: bound(one(query, `min.${key}`)), max: bound(one(query, `max.${key}`)) }))
    .filter((r) => r.min !== null || r.max !== null);
  return {
    search: one(query, 'q'),
    status: STATUSES.find((s) => s === status) ?? '',
    dataset: one(query, 'dataset'),
    optimizer: one(query, 'optimizer'),
    tag: one(query, 'tag'),
    archived: one(query, 'archived') === '1',
    includeTrials: one(query, 'trials') === '1',
    sortBy: one(query, 'sort') || DEFAULT_SORT.sortBy,
    direction: direction === 'asc' || direction === 'desc' ? direction : one(query, 'sort') === '' ? DEFAULT_SORT.direction : 'asc',
    columns: cols === '' ? null : cols.split(',').filter((c) => c !== ''),
    ranges,
    selected: one(query, 'sel')
      .split(',')
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0),
    diff: one(query, 'diff') === '1',
  };
}

/** Writes the view state as a query (defaults left out; keys in a stable order). */
export function queryFromState(state: ListViewState): Record<string, string> {
  const q: Record<string, string> = {};
  if (state.search.trim() !== '') q.q = state.search;
  if (state.status !== '') q.status = state.status;
  if (state.dataset !== '') q.dataset = state.dataset;
  if (state.optimizer !== '') q.optimizer = state.optimizer;
  if (state.tag !== '') q.tag = state.tag;
  if (state.archived) q.archived = '1';
  if (state.includeTrials) q.trials = '1';
  if (state.sortBy !== DEFAULT_SORT.sortBy || state.direction !== DEFAULT_SORT.direction) {
    q.sort = state.sortBy;
    q.dir = state.direction;
  }
  if (state.columns !== null) q.cols = state.columns.join(',');
  for (const r of [...state.ranges].sort((a, b) => a.key.localeCompare(b.key))) {
    if (r.min !== null) q[`min.${r.key}`] = String(r.min);
    if (r.max !== null) q[`max.${r.key}`] = String(r.max);
  }
  if (state.selected.length > 0) q.sel = [...state.selected].sort((a, b) => a - b).join(',');
  if (state.diff) q.diff = '1';
  return q;
}

/** Whether two queries say the same (order of keys aside). */
export function sameQuery(a: Query, b: Query): boolean {
  const norm = (q: Query) =>
    JSON.stringify(
      Object.keys(q)
        .sort()
        .map((k) => [k, q[k]]),
    );
  return norm(a) === norm(b);
}
