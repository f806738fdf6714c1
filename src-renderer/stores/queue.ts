// Queue state (Pinia setup store): running runs with live progress, waiting runs in start
// order, the recently finished, the backend the service computes on, and the queue controls
// (pause, resume, slots, cancel, retry, reorder).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EnvironmentInfo, QueueState, RunProgress } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';

export const useQueueStore = defineStore('queue', () => {
  const state = ref<QueueState | null>(null);
  const progress = ref<Record<number, RunProgress>>({});
  const environment = ref<EnvironmentInfo | null>(null);
  const error = ref<string | null>(null);

  async function guarded(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      error.value = null;
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : String(e);
    }
  }

  const load = (): Promise<void> =>
    guarded(async () => {
      state.value = await api.getQueue({});
      environment.value ??= await api.getEnvironment({});
    });
  const pause = (): Promise<void> => guarded(async () => (state.value = await api.pauseQueue({})));
  const resume = (): Promise<void> => guarded(async () => (state.value = await api.resumeQueue({})));
  const setSlots = (slots: number): Promise<void> => guarded(async () => (state.value = await api.setSlots({ slots })));
  const cancel = (runId: number): Promise<void> => guarded(async () => (await api.cancelRun({ runId }), await load()));
  const retry = (runId: number): Promise<void> => guarded(async () => (await api.retryRun({ runId }), await load()));
  const move = (runId: number, to: 'top' | 'bottom' | { before: number }): Promise<void> =>
    guarded(async () => (state.value = await api.moveRun({ runId, to })));

  // Progress events arrive every epoch; they are applied at most once per frame.
  let buffered: Record<number, RunProgress> = {};
  let frame: number | null = null;
  let reload: ReturnType<typeof setTimeout> | null = null;
  api.subscribe((event) => {
    if (event.type === 'run-progress') {
      buffered[event.progress.runId] = event.progress;
      frame ??= requestAnimationFrame(() => {
        frame = null;
        progress.value = { ...progress.value, ...buffered };
        buffered = {};
      });
    }
    // A job's backend is stored without an event of its own; the first epoch of a run still
    // listed as "starting" means it is there to read.
    const starting = event.type === 'run-progress' && state.value?.running.some((r) => r.id === event.progress.runId && r.backend === null);
    if (event.type === 'run-status' || event.type === 'queue' || starting) reload ??= setTimeout(() => ((reload = null), void load()), 100);
  });

  return { state, progress, environment, error, load, pause, resume, setSlots, cancel, retry, move };
});
