// Experiments list state (Pinia setup store): the query (search, status, dataset, optimizer,
// tag, sort), the page the server returned, the studies (each one row of the list, its trial
// experiments hidden unless "Show trial experiments" is on), the multi-selection, the chosen
// columns and the trials toggle (both remembered), and reloading when an experiment, run or
// study changes.

import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExperimentPage, ExperimentStatus, StudySummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';
import { type ListRow, listRows } from './experiment-rows.ts';

export type SortKey = 'name' | 'created' | 'status' | 'dataset' | 'optimizer' | 'runs' | 'test_acc';
export type ColumnKey = 'id' | 'name' | 'dataset' | 'optimizer' | 'runs' | 'status' | 'test_acc' | 'best_acc' | 'tags' | 'notes' | 'created';

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
const DEFAULT_COLUMNS: ColumnKey[] = ['name', 'dataset', 'optimizer', 'runs', 'status', 'best_acc', 'test_acc', 'tags', 'created'];
const COLUMNS_KEY = 'evolab.experiments.columns';
const TRIALS_KEY = 'evolab.experiments.trials';

function storedColumns(): ColumnKey[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null');
    if (Array.isArray(raw) && raw.every((k) => COLUMNS.some((c) => c.key === k))) return raw as ColumnKey[];
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
  const rows = computed<readonly ListRow[]>(() =>
    listRows(page.value.items, studies.value, {
      search: search.value,
      status: status.value,
      otherFilter: dataset.value !== '' || optimizer.value !== '' || tag.value !== '',
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
          ...(search.value.trim() !== '' ? { search: search.value.trim() } : {}),
          ...(status.value !== '' ? { status: [status.value] } : {}),
          ...(dataset.value !== '' ? { dataset: dataset.value } : {}),
          ...(optimizer.value !== '' ? { optimizer: optimizer.value } : {}),
          ...(tag.value !== '' ? { tags: [tag.value] } : {}),
          sort:
            sortBy.value === 'test_acc' ? { by: 'metric', metric: 'test_acc', direction: direction.value } : { by: sortBy.value, direction: direction.value },
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
      direction.value = key === 'name' || key === 'dataset' || key === 'optimizer' ? 'asc' : 'desc';
    }
    void load();
  }

  function toggle(id: number): void {
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
  }
  const allSelected = computed(() => page.value.items.length > 0 && page.value.items.every((e) => selected.value.has(e.id)));
  function toggleAll(): void {
    selected.value = allSelected.value ? new Set() : new Set(page.value.items.map((e) => e.id));
  }

  function setIncludeTrials(on: boolean): void {
    includeTrials.value = on;
    localStorage.setItem(TRIALS_KEY, String(on));
    void load();
  }

  function setColumns(keys: ColumnKey[]): void {
    columns.value = COLUMNS.map((c) => c.key).filter((k) => keys.includes(k));
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

  return {
    search,
    status,
    dataset,
    optimizer,
    tag,
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
  };
});
