// Compare view state (Pinia setup store): the experiments to choose from, the selection and
// the comparison options, the last comparison, and the import and export actions, each with
// its own busy flag and inline error. It lives in a store so that leaving the view (to watch
// the queue, say) and coming back keeps the selection and the results, and so that a failing
// action (a bad folder, a server that went away) never clears what the others produced.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Comparison, ExperimentSummary, FinalMetricName, ImportSummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { downloadGeneratedFile } from '../api/download.ts';
import { api } from './api.ts';

export type ExportFormat = 'pdf' | 'html';

export interface ExportDone {
  readonly fileName: string;
  readonly bytes: number;
  readonly ms: number;
}

export interface ImportErrors {
  readonly folder?: string;
  readonly name?: string;
  /** Anything not about one field (e.g. the server cannot be reached). */
  readonly general?: string;
}

function message(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

export const useCompareStore = defineStore('compare', () => {
  // ---- the experiments to choose from ----
  const experiments = ref<readonly ExperimentSummary[]>([]);
  const listError = ref<string | null>(null);
  const listLoaded = ref(false);
  const search = ref('');
  /** Selected experiment ids (kept while the search hides some of them). */
  const selected = ref<number[]>([]);
  /** Ids asked for in the address that do not exist (said once, then forgotten). */
  const missing = ref<number[]>([]);

  const shown = computed(() => {
    const words = search.value
      .trim()
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) return experiments.value;
    return experiments.value.filter((e) => {
      const text = [e.name, e.dataset, e.optimizer, e.status, ...e.tags, `#${e.id}`].join(' ').toLowerCase();
      return words.every((w) => text.includes(w));
    });
  });

  let loading: Promise<void> | null = null;
  async function loadExperiments(): Promise<void> {
    // Concurrent callers (mount, events, a preselection) share one request.
    loading ??= (async () => {
      try {
        const page = await api.listExperiments({ limit: 10_000, sort: { by: 'created', direction: 'desc' } });
        experiments.value = page.items;
        listError.value = null;
        listLoaded.value = true;
      } catch (e) {
        listError.value = message(e);
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  function isSelected(id: number): boolean {
    return selected.value.includes(id);
  }

  function toggle(id: number): void {
    selected.value = isSelected(id) ? selected.value.filter((x) => x !== id) : [...selected.value, id];
  }

  function selectShown(): void {
    selected.value = [...new Set([...selected.value, ...shown.value.map((e) => e.id)])];
  }

  function clearSelection(): void {
    selected.value = [];
  }

  /** The ids to compare, in the list's order (newest first), so the tables read like the list. */
  const selectedIds = computed(() => {
    const order = new Map(experiments.value.map((e, i) => [e.id, i]));
    return [...selected.value].sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || a - b);
  });

  // ---- options ----
  /** Empty: leave `metrics` out and let the service use its defaults (every final metric). */
  const metrics = ref<FinalMetricName[]>([]);
  const paired = ref(false);
  const title = ref('Evolab comparison report');

  function options(): { metrics?: FinalMetricName[]; paired: boolean } {
    return { ...(metrics.value.length > 0 ? { metrics: [...metrics.value] } : {}), paired: paired.value };
  }

  // ---- comparison ----
  const comparison = ref<Comparison | null>(null);
  const comparing = ref(false);
  const compareError = ref<string | null>(null);
  const compareMs = ref(0);
  /** What the shown comparison was made of, to say when the selection or options changed since. */
  const comparedKey = ref('');
  const currentKey = computed(() => JSON.stringify({ ids: selectedIds.value, ...options() }));
  let compareToken = 0;

  async function compare(): Promise<void> {
    if (selectedIds.value.length === 0) {
      compareError.value = 'choose at least one experiment';
      return;
    }
    // A newer Compare wins: a slower earlier answer must not overwrite it.
    const token = ++compareToken;
    comparing.value = true;
    const started = performance.now();
    const key = currentKey.value;
    try {
      const answer = await api.compareExperiments({ experimentIds: selectedIds.value, ...options() });
      if (token !== compareToken) return;
      comparison.value = answer;
      comparedKey.value = key;
      compareError.value = null;
      compareMs.value = performance.now() - started;
    } catch (e) {
      // The earlier comparison stays on screen; the message says why this one failed.
      if (token === compareToken) compareError.value = message(e);
    } finally {
      if (token === compareToken) comparing.value = false;
    }
  }

  /** Selects exactly these ids (from the address, e.g. the Experiments view's selection) and compares them. */
  async function preselect(ids: readonly number[]): Promise<void> {
    await loadExperiments();
    if (!listLoaded.value) {
      selected.value = [...ids]; // The list failed to load; keep the wish, its error is shown.
      return;
    }
    const known = new Set(experiments.value.map((e) => e.id));
    missing.value = ids.filter((id) => !known.has(id));
    selected.value = ids.filter((id) => known.has(id));
    if (selected.value.length > 0) await compare();
  }

  // ---- export ----
  const exporting = ref<ExportFormat | null>(null);
  const exportError = ref<string | null>(null);
  const exported = ref<ExportDone | null>(null);

  async function exportReport(format: ExportFormat): Promise<void> {
    if (selectedIds.value.length === 0) {
      exportError.value = 'choose at least one experiment';
      return;
    }
    exporting.value = format;
    exportError.value = null;
    exported.value = null;
    const started = performance.now();
    try {
      const file = await api.exportReport({ experimentIds: selectedIds.value, ...options(), title: title.value, format });
      downloadGeneratedFile(file);
      exported.value = { fileName: file.fileName, bytes: file.bytes, ms: performance.now() - started };
    } catch (e) {
      exportError.value = message(e);
    } finally {
      exporting.value = null;
    }
  }

  // ---- import ----
  const importFolder = ref('');
  const importName = ref('');
  const importing = ref(false);
  const importErrors = ref<ImportErrors>({});
  const imported = ref<ImportSummary | null>(null);

  async function importResults(): Promise<void> {
    importing.value = true;
    importErrors.value = {};
    try {
      const answer = await api.importResults({ folder: importFolder.value, name: importName.value });
      imported.value = answer;
      // The new experiments join the list and the selection; nothing selected before is dropped.
      await loadExperiments();
      selected.value = [...new Set([...selected.value, ...answer.experiments.map((e) => e.id)])];
    } catch (e) {
      const text = message(e);
      const field = e instanceof ApiError ? e.field : undefined;
      importErrors.value = field === 'folder' ? { folder: text } : field === 'name' ? { name: text } : { general: text };
    } finally {
      importing.value = false;
    }
  }

  // Runs finishing and experiments appearing (imports, the queue) update the list's counts.
  let pending: ReturnType<typeof setTimeout> | null = null;
  api.subscribe((event) => {
    if (event.type !== 'experiment' && event.type !== 'run-status') return;
    if (pending === null) pending = setTimeout(() => ((pending = null), void loadExperiments()), 300);
  });

  return {
    experiments,
    listError,
    listLoaded,
    search,
    selected,
    selectedIds,
    missing,
    shown,
    loadExperiments,
    isSelected,
    toggle,
    selectShown,
    clearSelection,
    metrics,
    paired,
    title,
    comparison,
    comparing,
    compareError,
    compareMs,
    comparedKey,
    currentKey,
    compare,
    preselect,
    exporting,
    exportError,
    exported,
    exportReport,
    importFolder,
    importName,
    importing,
    importErrors,
    imported,
    importResults,
  };
});
