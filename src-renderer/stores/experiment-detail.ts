// One experiment's detail (Pinia setup store): the experiment, its runs, the selected run's
// learning curves (appended live from run-progress events, so the chart moves every epoch
// without refetching), the curves aggregated across seeds, and the service's environment.
// Progress events are buffered and applied four times a second: a fast Iris run sends
// hundreds of epochs a second, and redrawing four charts on each (or even every frame) kept
// the main thread busy in 100+ ms tasks.

import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import {
  EPOCH_METRICS,
  type EnvironmentInfo,
  type EpochMetricName,
  type ExperimentCurves,
  type ExperimentDetail,
  type RunProgress,
  type RunSummary,
} from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { api } from './api.ts';

type Series = Readonly<Record<EpochMetricName, readonly (readonly [number, number | null])[]>>;

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
  const runSeries = shallowRef<Series>(emptySeries());
  const curves = shallowRef<ExperimentCurves | null>(null);
  const environment = ref<EnvironmentInfo | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function loadRunSeries(runId: number): Promise<void> {
    const answer = await api.getRunMetrics({ runId, maxPoints: CURVE_POINTS });
    if (selectedRunId.value !== runId) return; // Another run was chosen meanwhile.
    const series = { ...emptySeries() } as Record<EpochMetricName, readonly (readonly [number, number | null])[]>;
    for (const s of answer.series) series[s.name as EpochMetricName] = s.points;
    runSeries.value = series;
  }

  async function loadRunsAndCurves(id: number): Promise<void> {
    const [runPage, aggregated] = await Promise.all([
      api.listRuns({ experimentId: id, limit: 10_000 }),
      api.getExperimentCurves({ id, maxPoints: CURVE_POINTS }),
    ]);
    if (experimentId.value !== id) return;
    runs.value = runPage.items;
    curves.value = aggregated;
  }

  async function load(id: number): Promise<void> {
    experimentId.value = id;
    loading.value = true;
    try {
      const [detail] = await Promise.all([api.getExperiment({ id }), loadRunsAndCurves(id)]);
      experiment.value = detail;
      environment.value ??= await api.getEnvironment({});
      // Follow the running run if there is one, else the first run.
      const preferred = runs.value.find((r) => r.status === 'running') ?? runs.value[0];
      if (preferred !== undefined && !runs.value.some((r) => r.id === selectedRunId.value)) await selectRun(preferred.id);
      error.value = null;
    } catch (e) {
      error.value = message(e);
    } finally {
      loading.value = false;
    }
  }

  async function selectRun(runId: number): Promise<void> {
    selectedRunId.value = runId;
    runSeries.value = emptySeries();
    try {
      await loadRunSeries(runId);
    } catch (e) {
      error.value = message(e);
    }
  }

  // Live: progress of the selected run extends its series; status changes reload the runs.
  let buffered: RunProgress[] = [];
  const FLUSH_MS = 250;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  function flush(): void {
    flushTimer = null;
    const events = buffered.filter((p) => p.runId === selectedRunId.value);
    buffered = [];
    if (events.length === 0) return;
    const series = { ...runSeries.value } as Record<EpochMetricName, readonly (readonly [number, number | null])[]>;
    for (const name of EPOCH_METRICS) {
      const points = [...series[name]];
      for (const p of events) {
        const last = points.at(-1);
        if (last === undefined || p.epoch > last[0]) points.push([p.epoch, p.metrics[name]]);
      }
      series[name] = points;
    }
    runSeries.value = series;
    // Progress columns of the runs table follow too.
    const latest = events.at(-1);
    if (latest !== undefined) runs.value = runs.value.map((r) => (r.id === latest.runId ? { ...r, epoch: latest.epoch } : r));
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
        void Promise.all([loadRunsAndCurves(id), api.getExperiment({ id }).then((d) => (experiment.value = d))]).catch(
          (e: unknown) => (error.value = message(e)),
        );
      }, 250);
      if (event.run.id === selectedRunId.value && event.run.status === 'done') void loadRunSeries(event.run.id).catch(() => undefined);
      if (event.run.status === 'running' && runs.value.find((r) => r.id === selectedRunId.value)?.status !== 'running') void selectRun(event.run.id);
    }
    if (event.type === 'experiment' && event.experiment.id === experimentId.value && experiment.value !== null) {
      experiment.value = { ...experiment.value, ...event.experiment };
    }
  });

  return { experimentId, experiment, runs, selectedRunId, runSeries, curves, environment, error, loading, load, selectRun };
});
