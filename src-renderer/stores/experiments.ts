// Experiments list state (Pinia setup store): the query (search, status, sort), the page the
// server returned, and reloading when an experiment or run changes.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExperimentPage, ExperimentStatus } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';

export type SortKey = 'name' | 'created' | 'status' | 'dataset' | 'optimizer' | 'runs' | 'test_acc';

export const useExperimentsStore = defineStore('experiments', () => {
  const search = ref('');
  const status = ref<ExperimentStatus | ''>('');
  const sortBy = ref<SortKey>('created');
  const direction = ref<'asc' | 'desc'>('desc');
  const page = ref<ExperimentPage>({ total: 0, items: [] });
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** Milliseconds the last load took (shown, and read by the e2e timing). */
  const lastLoadMs = ref(0);

  async function load(): Promise<void> {
    loading.value = true;
    const started = performance.now();
    try {
      page.value = await api.listExperiments({
        limit: 10_000,
        ...(search.value.trim() !== '' ? { search: search.value.trim() } : {}),
        ...(status.value !== '' ? { status: [status.value] } : {}),
        sort:
          sortBy.value === 'test_acc'
            ? { by: 'metric', metric: 'test_acc', direction: direction.value }
            : { by: sortBy.value, direction: direction.value },
      });
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

  let pending: ReturnType<typeof setTimeout> | null = null;
  api.subscribe((event) => {
    if (event.type !== 'experiment' && event.type !== 'run-status') return;
    // Coalesce bursts of events (a queue of short runs) into one reload.
    if (pending === null) pending = setTimeout(() => ((pending = null), void load()), 300);
  });

  return { search, status, sortBy, direction, page, error, loading, lastLoadMs, load, sort };
});
