// Queue state (Pinia setup store): running runs with live progress, waiting runs in start
// order, and the queue controls (pause, resume, cancel, retry).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { QueueState, RunProgress } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';

export const useQueueStore = defineStore('queue', () => {
  const state = ref<QueueState | null>(null);
  const progress = ref<Record<number, RunProgress>>({});
  const error = ref<string | null>(null);

  async function guarded(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      error.value = null;
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : String(e);
    }
  }

  const load = (): Promise<void> => guarded(async () => (state.value = await api.getQueue({})));
  const pause = (): Promise<void> => guarded(async () => (state.value = await api.pauseQueue({})));
  const resume = (): Promise<void> => guarded(async () => (state.value = await api.resumeQueue({})));
  const cancel = (runId: number): Promise<void> => guarded(async () => (await api.cancelRun({ runId }), await load()));
  const retry = (runId: number): Promise<void> => guarded(async () => (await api.retryRun({ runId }), await load()));

  api.subscribe((event) => {
    if (event.type === 'run-progress') progress.value = { ...progress.value, [event.progress.runId]: event.progress };
    if (event.type === 'run-status' || event.type === 'queue') void load();
  });

  return { state, progress, error, load, pause, resume, cancel, retry };
});
