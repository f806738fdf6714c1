// One experiment's detail (Pinia setup store): the experiment, its runs, every run's per-epoch
// metrics (appended live from run-progress events, so the charts move every epoch without
// refetching), the selected run, and the service's environment. The curves (one run, every
// run overlaid, or the mean with its band; against epoch, wall time or evaluations) are drawn
// from the runs' series by src-renderer/charts/curve-chart.ts.
// Opening another experiment clears the previous one at once: a failed load (#/experiments/9999)
// shows only its error, never the previous experiment's data.
// Progress events are buffered and applied four times a second: a fast Iris run sends
// hundreds of epochs a second, and redrawing the charts on each (or even every frame) kept
// the main thread busy in 100+ ms tasks.

import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { EPOCH_METRICS, type EnvironmentInfo, type EpochMetricName, type ExperimentDetail, type RunProgress, type RunSummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';

export type Series = Readonly<Record<EpochMetricName, readonly (readonly [number, number | null])[]>>;

const CURVE_POINTS = 1000;

function emptySeries(): Series {
  return Object.fromEntries(EPOCH_METRICS.map((m) => [m, []])) as unknown as Series;
}

function message(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

export const useExperimentDetailStore = defineStore('experiment-detail', () => {
  const experimentId = ref<number | null>(null);
  const experiment = ref<ExperimentDetail | null>(null);
  const runs = ref<readonly RunSummary[]>([]);
  const selectedRunId = ref<number | null>(null);
  /** Whether the selection was asked for (address, click): then a run starting does not take it. */
  const pinned = ref(false);
  /** Every run's series by run id (runs not started yet have none). */
  const series = shallowRef<Readonly<Record<number, Series>>>({});
  const environment = ref<EnvironmentInfo | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  const runSeries = computed<Series>(() => (selectedRunId.value === null ? undefined : series.value[selectedRunId.value]) ?? emptySeries());

  async function loadRunSeries(runId: number, forExperiment: number): Promise<void> {
    const answer = await api.getRunMetrics({ runId, maxPoints: CURVE_POINTS });
    if (experimentId.value !== forExperiment) return; // Another experiment was opened meanwhile.
    const loaded = { ...emptySeries() } as Record<EpochMetricName, readonly (readonly [number, number | null])[]>;
    for (const s of answer.series) loaded[s.name as EpochMetricName] = s.points;
    series.value = { ...series.value, [runId]: loaded };
  }

  async function loadRuns(id: number): Promise<readonly RunSummary[]> {
    const runPage = await api.listRuns({ experimentId: id, limit: 10_000 });
    if (experimentId.value === id) runs.value = runPage.items;
    return runPage.items;
  }

  async function load(id: number): Promise<void> {
    if (experimentId.value !== id) {
      experimentId.value = id;
      experiment.value = null;
      runs.value = [];
      series.value = {};
      selectedRunId.value = null;
      pinned.value = false;
    }
    loading.value = true;
    try {
      const [detail, items] = await Promise.all([api.getExperiment({ id }), loadRuns(id)]);
      if (experimentId.value !== id) return;
      await Promise.all(items.filter((r) => r.status !== 'pending').map((r) => loadRunSeries(r.id, id)));
      experiment.value = detail;
      environment.value ??= await api.getEnvironment({});
      // Follow the running run if there is one, else the first run.
      const preferred = runs.value.find((r) => r.status === 'running') ?? runs.value[0];
      if (preferred !== undefined && !runs.value.some((r) => r.id === selectedRunId.value)) selectedRunId.value = preferred.id;
      error.value = null;
    } catch (e) {
      if (experimentId.value === id) error.value = message(e);
    } finally {
      loading.value = false;
    }
  }

  /** Selects a run; `pin` (the default) keeps it selected when another run starts. */
  function selectRun(runId: number, pin = true): void {
    selectedRunId.value = runId;
    pinned.value = pin;
  }

  // Live: progress extends the runs' series; status changes reload the runs.
  let buffered: RunProgress[] = [];
  const FLUSH_MS = 250;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  function flush(): void {
    flushTimer = null;
    const events = buffered.filter((p) => p.experimentId === experimentId.value);
    buffered = [];
    if (events.length === 0) return;
    const next = { ...series.value };
    for (const runId of new Set(events.map((p) => p.runId))) {
      const current = { ...(next[runId] ?? emptySeries()) } as Record<EpochMetricName, readonly (readonly [number, number | null])[]>;
      const mine = events.filter((p) => p.runId === runId);
      for (const name of EPOCH_METRICS) {
        const points = [...current[name]];
        for (const p of mine) {
          const last = points.at(-1);
          if (last === undefined || p.epoch > last[0]) points.push([p.epoch, p.metrics[name]]);
        }
        current[name] = points;
      }
      next[runId] = current;
    }
    series.value = next;
    // Progress columns of the runs table follow too.
    const latest = new Map(events.map((p) => [p.runId, p.epoch]));
    runs.value = runs.value.map((r) => (latest.has(r.id) ? { ...r, epoch: latest.get(r.id) ?? r.epoch } : r));
  }
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  api.subscribe((event) => {
    if (event.type === 'run-progress' && event.progress.experimentId === experimentId.value) {
      buffered.push(event.progress);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    }
    if (event.type === 'run-status' && event.run.experimentId === experimentId.value) {
      const id = experimentId.value;
      // A burst of status changes (a queue of short runs) becomes one reload.
      reloadTimer ??= setTimeout(() => {
        reloadTimer = null;
        void Promise.all([loadRuns(id), api.getExperiment({ id }).then((d) => (experimentId.value === id ? (experiment.value = d) : null))]).catch(
          (e: unknown) => (error.value = message(e)),
        );
      }, 250);
      // A finished run's full series replaces what was appended live.
      if (event.run.status === 'done') void loadRunSeries(event.run.id, id).catch(() => undefined);
      if (event.run.status === 'running' && !pinned.value && runs.value.find((r) => r.id === selectedRunId.value)?.status !== 'running')
        selectRun(event.run.id, false);
    }
    if (event.type === 'experiment' && event.experiment.id === experimentId.value && experiment.value !== null) {
      experiment.value = { ...experiment.value, ...event.experiment };
    }
  });

  return { experimentId, experiment, runs, selectedRunId, series, runSeries, environment, error, loading, load, selectRun };
});
