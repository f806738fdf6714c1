// Experiments list state (Pinia setup store): the query (search, status, dataset, optimizer,
// tag, the archived view, sort), the page the server returned (with each experiment's config
// and final-metric means, for the hyperparameter columns), range filters and sorting by a
// hyperparameter (done here), the studies (each one row of the list, its trial experiments
// hidden unless "Show trial experiments" is on), the multi-selection (shift-click ranges), the
// chosen columns and the trials toggle (both remembered; the URL carries them too, see
// views/experiments/list-query.ts), the bulk actions (cancel, archive, delete) with their
// undo window, and reloading when an experiment, run or study changes.

import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExperimentPage, ExperimentStatus, StudySummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { applyRanges, EXTRA_COLUMNS, type RangeFilter, sortByColumn } from '../views/experiments/list-columns.ts';
import type { ListViewState } from '../views/experiments/list-query.ts';
import { api } from './api.ts';
import { type ListRow, listRows } from './experiment-rows.ts';

/** The service's sort keys; any other key (a hyperparameter or a metric mean column) is sorted here. */
export type ServerSortKey = 'name' | 'created' | 'status' | 'dataset' | 'optimizer' | 'runs' | 'test_acc';
export type SortKey = ServerSortKey | (string & {});
const SERVER_SORTS: readonly string[] = ['name', 'created', 'status', 'dataset', 'optimizer', 'runs', 'test_acc'];
/** The list's own columns; the hyperparameter and metric columns (list-columns.ts) add to them. */
export type ColumnKey = 'id' | 'name' | 'dataset' | 'optimizer' | 'runs' | 'status' | 'test_acc' | 'best_acc' | 'tags' | 'notes' | 'created' | (string & {});

export const COLUMNS: readonly { key: ColumnKey; label: string; sort?: SortKey }[] = [
  { key: 'id', label: '#' },
  { key: 'name', label: 'Name', sort: 'name' },
  { key: 'dataset', label: 'Dataset', sort: 'dataset' },
  { key: 'optimizer', label: 'Optimizer', sort: 'optimizer' },
  // Short, so that the default columns fit a 1280-pixel window; the cells read "done/total".
  { key: 'runs', label: 'Runs done', sort: 'runs' },
  { key: 'status', label: 'Status', sort: 'status' },
  { key: 'best_acc', label: 'Best test acc' },
  { key: 'test_acc', label: 'Mean test acc', sort: 'test_acc' },
  { key: 'tags', label: 'Tags' },
  { key: 'notes', label: 'Notes' },
  { key: 'created', label: 'Created', sort: 'created' },
];
const DEFAULT_COLUMNS: ColumnKey[] = [
  'name',
  'dataset',
  'optimizer',
  'optimizer.lr',
  'training.batch_size',
  'model.hidden',
  'runs',
  'status',
  'test_acc',
  'tags',
  'created',
];
/** Every column key, in the order columns are drawn. */
export const ALL_COLUMN_KEYS: readonly string[] = [
  ...COLUMNS.slice(0, 4).map((c) => c.key),
  ...EXTRA_COLUMNS.map((c) => c.key),
  ...COLUMNS.slice(4).map((c) => c.key),
];
/** How long the Undo of an archive or delete is offered (the service keeps deleted experiments longer). */
export const UNDO_MS = 10_000;

export interface UndoOffer {
  readonly message: string;
  readonly undo: () => Promise<void>;
  /** Increases with every offer, so a closing timer never closes a newer one. */
  readonly serial: number;
}
const COLUMNS_KEY = 'evolab.experiments.columns';
const TRIALS_KEY = 'evolab.experiments.trials';

function storedColumns(): ColumnKey[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null');
    if (Array.isArray(raw) && raw.every((k) => typeof k === 'string' && ALL_COLUMN_KEYS.includes(k))) return raw as ColumnKey[];
  } catch {
    // A damaged setting falls back to the defaults.
  }
  return DEFAULT_COLUMNS;
}

export const useExperimentsStore = defineStore('experiments', () => {
  const search = ref('');
  const status = ref<ExperimentStatus | ''>('');
  const dataset = ref('');
  const optimizer = ref('');
  const tag = ref('');
  /** The archived experiments instead of the others. */
  const archived = ref(false);
  const ranges = ref<RangeFilter[]>([]);
  const sortBy = ref<SortKey>('created');
  const direction = ref<'asc' | 'desc'>('desc');
  // shallowRef: 2,000 rows need no deep reactivity, and making them reactive costs time.
  const page = shallowRef<ExperimentPage>({ total: 0, items: [] });
  const error = ref<string | null>(null);
  const loading = ref(false);
  const selected = ref<ReadonlySet<number>>(new Set());
  const columns = ref<ColumnKey[]>(storedColumns());
  /** List the trial experiments of studies too (else each study is one row). */
  const includeTrials = ref(localStorage.getItem(TRIALS_KEY) === 'true');
  const studies = shallowRef<readonly StudySummary[]>([]);
  /** The experiments after the range filters, sorted here when the sort is a hyperparameter's. */
  const experiments = computed(() => {
    const kept = applyRanges(page.value.items, ranges.value);
    return SERVER_SORTS.includes(sortBy.value) ? kept : sortByColumn(kept, sortBy.value, direction.value);
  });
  const rows = computed<readonly ListRow[]>(() =>
    listRows(experiments.value, archived.value ? [] : studies.value, {
      search: search.value,
      status: status.value,
      // A study has no hyperparameter of its own to match a range.
      otherFilter: dataset.value !== '' || optimizer.value !== '' || tag.value !== '' || ranges.value.some((r) => r.min !== null || r.max !== null),
      sortBy: sortBy.value,
      direction: direction.value,
    }),
  );
  /** Values seen in any load, offered by the filter menus. */
  const known = ref({ datasets: new Set<string>(), optimizers: new Set<string>(), tags: new Set<string>() });
  /** Milliseconds the last load took (shown, and read by the e2e timing). */
  const lastLoadMs = ref(0);
  let generation = 0;

  async function load(): Promise<void> {
    loading.value = true;
    const started = performance.now();
    const mine = ++generation;
    try {
      const [answer, studyList] = await Promise.all([
        api.listExperiments({
          limit: 10_000,
          includeTrials: includeTrials.value,
          archived: archived.value ? 'only' : 'exclude',
          withDetails: true,
          ...(search.value.trim() !== '' ? { search: search.value.trim() } : {}),
          ...(status.value !== '' ? { status: [status.value] } : {}),
          ...(dataset.value !== '' ? { dataset: dataset.value } : {}),
          ...(optimizer.value !== '' ? { optimizer: optimizer.value } : {}),
          ...(tag.value !== '' ? { tags: [tag.value] } : {}),
          sort:
            sortBy.value === 'test_acc'
              ? { by: 'metric', metric: 'test_acc', direction: direction.value }
              : { by: serverSort(sortBy.value), direction: direction.value },
        }),
        api.listStudies({}),
      ]);
      if (mine !== generation) return; // A newer query (typing) answered first or will.
      page.value = answer;
      studies.value = studyList;
      for (const e of answer.items) {
        known.value.datasets.add(e.dataset);
        known.value.optimizers.add(e.optimizer);
        for (const t of e.tags) known.value.tags.add(t);
      }
      error.value = null;
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      loading.value = false;
      lastLoadMs.value = performance.now() - started;
    }
  }

  function sort(key: SortKey): void {
    if (sortBy.value === key) direction.value = direction.value === 'asc' ? 'desc' : 'asc';
    else {
      sortBy.value = key;
      // Words and hyperparameters read best ascending; dates, counts and metrics best first.
      const words = key === 'name' || key === 'dataset' || key === 'optimizer';
      direction.value = words || (!SERVER_SORTS.includes(key) && !key.startsWith('metric.')) ? 'asc' : 'desc';
    }
    // A hyperparameter sort happens here, over what is loaded; the service's keys need a query.
    if (SERVER_SORTS.includes(key)) void load();
  }

  /** The row index a shift-click extends the selection from. */
  let anchor: number | null = null;
  /** Ticks or unticks one experiment; with `range`, every experiment row between the last ticked one and this one takes its new state. */
  function toggle(id: number, range = false): void {
    const ids = rows.value.map((r) => (r.kind === 'experiment' ? r.experiment.id : null));
    const at = ids.indexOf(id);
    const on = !selected.value.has(id);
    const next = new Set(selected.value);
    const span = range && anchor !== null && at >= 0 ? ids.slice(Math.min(anchor, at), Math.max(anchor, at) + 1) : [id];
    for (const each of span) {
      if (each === null) continue; // a study row in between
      if (on) next.add(each);
      else next.delete(each);
    }
    selected.value = next;
    if (at >= 0) anchor = at;
  }
  const allSelected = computed(() => experiments.value.length > 0 && experiments.value.every((e) => selected.value.has(e.id)));
  function toggleAll(): void {
    selected.value = allSelected.value ? new Set() : new Set(experiments.value.map((e) => e.id));
  }

  function setRange(key: string, min: number | null, max: number | null): void {
    const rest = ranges.value.filter((r) => r.key !== key);
    ranges.value = min === null && max === null ? rest : [...rest, { key, min, max }].sort((a, b) => a.key.localeCompare(b.key));
  }

  /** The view state the URL carries. */
  function viewState(diff: boolean): ListViewState {
    return {
      search: search.value,
      status: status.value,
      dataset: dataset.value,
      optimizer: optimizer.value,
      tag: tag.value,
      archived: archived.value,
      includeTrials: includeTrials.value,
      sortBy: sortBy.value,
      direction: direction.value,
      columns: columns.value.join(',') === DEFAULT_COLUMNS.join(',') ? null : columns.value,
      ranges: ranges.value,
      selected: [...selected.value],
      diff,
    };
  }

  /** Takes a view state (from the URL; columns it does not name stay as remembered); true when the service must be asked again. */
  function applyViewState(state: ListViewState): boolean {
    const before = JSON.stringify([search.value, status.value, dataset.value, optimizer.value, tag.value, archived.value, includeTrials.value, serverKey()]);
    search.value = state.search;
    status.value = state.status;
    dataset.value = state.dataset;
    optimizer.value = state.optimizer;
    tag.value = state.tag;
    archived.value = state.archived;
    includeTrials.value = state.includeTrials;
    sortBy.value = state.sortBy;
    direction.value = state.direction;
    if (state.columns !== null) {
      columns.value = ALL_COLUMN_KEYS.filter((k) => state.columns?.includes(k));
    }
    ranges.value = [...state.ranges];
    selected.value = new Set(state.selected);
    return before !== JSON.stringify([search.value, status.value, dataset.value, optimizer.value, tag.value, archived.value, includeTrials.value, serverKey()]);
  }
  function serverKey(): string {
    return SERVER_SORTS.includes(sortBy.value) ? `${sortBy.value} ${direction.value}` : 'local';
  }

  // ---- bulk actions ----------------------------------------------------------------------

  const undoOffer = ref<UndoOffer | null>(null);
  let undoSerial = 0;
  let undoTimer: ReturnType<typeof setTimeout> | null = null;
  function offerUndo(message: string, undo: () => Promise<void>): void {
    const serial = ++undoSerial;
    undoOffer.value = { message, undo, serial };
    if (undoTimer !== null) clearTimeout(undoTimer);
    undoTimer = setTimeout(() => {
      if (undoOffer.value?.serial === serial) undoOffer.value = null;
    }, UNDO_MS);
  }
  /** The last bulk action's outcome in words (for actions without an undo), or its error. */
  const bulkMessage = ref<string | null>(null);
  const bulkError = ref<string | null>(null);

  function plural(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? '' : 's'}`;
  }

  async function bulk(action: () => Promise<void>): Promise<void> {
    bulkError.value = null;
    bulkMessage.value = null;
    try {
      await action();
    } catch (e) {
      bulkError.value = e instanceof ApiError ? e.message : String(e);
    }
    await load();
  }

  /** Cancels the waiting and running runs of the selected experiments (no undo: a cancelled run is retried from the queue). */
  async function cancelSelected(): Promise<void> {
    const ids = [...selected.value];
    await bulk(async () => {
      const answer = await api.cancelExperiments({ ids });
      bulkMessage.value = `${plural(answer.runsCancelled ?? 0, 'run')} of ${plural(ids.length, 'experiment')} cancelled`;
    });
  }

  /** Archives the selection (in the archived view: brings it back), with an Undo. */
  async function archiveSelected(): Promise<void> {
    const ids = [...selected.value];
    const archiving = !archived.value;
    await bulk(async () => {
      await api.archiveExperiments({ ids, archived: archiving });
      selected.value = new Set();
      offerUndo(`${plural(ids.length, 'experiment')} ${archiving ? 'archived' : 'unarchived'}`, async () => {
        await api.archiveExperiments({ ids, archived: !archiving });
      });
    });
  }

  /** Deletes the selection; the service keeps it restorable for a while, the Undo restores it. */
  async function deleteSelected(): Promise<void> {
    const ids = [...selected.value];
    await bulk(async () => {
      await api.deleteExperiments({ ids });
      selected.value = new Set();
      offerUndo(`${plural(ids.length, 'experiment')} deleted`, async () => {
        await api.restoreExperiments({ ids });
      });
    });
  }

  /** Runs the offered undo; what comes back is not selected again, so a next action cannot catch it by surprise. */
  async function undo(): Promise<void> {
    const offer = undoOffer.value;
    if (offer === null) return;
    undoOffer.value = null;
    await bulk(offer.undo);
  }

  function setIncludeTrials(on: boolean): void {
    includeTrials.value = on;
    localStorage.setItem(TRIALS_KEY, String(on));
    void load();
  }

  function setColumns(keys: ColumnKey[]): void {
    columns.value = ALL_COLUMN_KEYS.filter((k) => keys.includes(k));
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns.value));
  }

  /** Adds a tag to every selected experiment; returns an error message or null. */
  async function tagSelected(newTag: string): Promise<string | null> {
    try {
      for (const id of selected.value) {
        const e = page.value.items.find((x) => x.id === id) ?? (await api.getExperiment({ id }));
        if (!e.tags.includes(newTag)) await api.updateExperiment({ id, tags: [...e.tags, newTag] });
      }
      await load();
      return null;
    } catch (e) {
      return e instanceof ApiError ? e.message : String(e);
    }
  }

  let pending: ReturnType<typeof setTimeout> | null = null;
  api.subscribe((event) => {
    if (event.type === 'study') {
      // Its summary comes with the event: a known study is updated in place, a new one needs a load.
      const at = studies.value.findIndex((s) => s.id === event.study.id);
      if (at >= 0) {
        studies.value = studies.value.map((s, i) => (i === at ? event.study : s));
        return;
      }
    } else if (event.type === 'study-deleted') {
      // Its row goes, and (when shown) its trial experiments with it: a reload below.
      studies.value = studies.value.filter((s) => s.id !== event.id);
    } else if (event.type !== 'experiment' && event.type !== 'run-status') return;
    // Coalesce bursts of events (a queue of short runs) into one reload.
    if (pending === null) pending = setTimeout(() => ((pending = null), void load()), 300);
  });

  /** The service's sort key for a list sort (a hyperparameter sort asks for the default order). */
  function serverSort(key: string): 'name' | 'created' | 'status' | 'dataset' | 'optimizer' | 'runs' {
    const known = ['name', 'created', 'status', 'dataset', 'optimizer', 'runs'] as const;
    return known.find((k) => k === key) ?? 'created';
  }

  return {
    search,
    status,
    dataset,
    optimizer,
    tag,
    archived,
    ranges,
    experiments,
    undoOffer,
    bulkMessage,
    bulkError,
    sortBy,
    direction,
    page,
    studies,
    rows,
    includeTrials,
    error,
    loading,
    selected,
    columns,
    known,
    lastLoadMs,
    allSelected,
    load,
    sort,
    toggle,
    toggleAll,
    setColumns,
    setIncludeTrials,
    tagSelected,
    setRange,
    viewState,
    applyViewState,
    cancelSelected,
    archiveSelected,
    deleteSelected,
    undo,
  };
});
