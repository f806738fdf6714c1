// HPO studies state (Pinia setup stores): the list of studies (with each one's best value), and
// the open study with its trials, genealogy, per-trial curves and trial run metrics, its live
// summary (status, progress, ETA: from `study` events as they come) and its controls (start,
// pause, resume, cancel, delete, queue the best configuration). Study data is held in shallow
// refs: a GPBT study has thousands of trials and edges that are only ever replaced whole, so
// making them deeply reactive would cost time for nothing.

import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { EpochMetricName, ExperimentDetail, RunMetrics, StudyCurves, StudyDetail, StudySummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { bestTrial } from '../views/studies/genealogy-layout.ts';
import { api } from './api.ts';

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/** The best trial's value of a study: the study's own pick when it has one, else the best finished trial. */
export function bestValueOf(study: StudyDetail): { trialId: number; value: number } | null {
  const chosen = study.trialList.find((t) => t.number === study.bestTrial && t.value !== null) ?? bestTrial(study.trialList, study.objective.direction);
  return chosen === null || chosen.value === null ? null : { trialId: chosen.id, value: chosen.value };
}

/** What changes when a study progresses: trials are added, finish, get values; edges are added. */
function signature(study: StudyDetail): string {
  return [study.id, study.status, study.trials, study.finishedTrials, study.bestTrial, study.edges.length, study.finishedAt].join(':');
}

/** Calls `work` at most once per `ms` for a burst of events (a study finishes many runs in a row). */
function coalesce(ms: number, work: () => void): () => void {
  let pending: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (pending === null) pending = setTimeout(() => ((pending = null), work()), ms);
  };
}

/**
 * Calls `work` at once for the first of a burst of events, then at most once per `ms` while the
 * burst lasts (one trailing call after its last event), so the view answers at once and a
 * study that finishes many trials in a row costs a few reads, not one per trial.
 */
function throttle(ms: number, work: () => void): () => void {
  let last = -Infinity;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const run = (): void => {
    pending = null;
    last = performance.now();
    work();
  };
  return () => {
    if (pending !== null) return;
    const wait = last + ms - performance.now();
    if (wait <= 0) run();
    else pending = setTimeout(run, wait);
  };
}

export const useStudiesStore = defineStore('studies', () => {
  const studies = shallowRef<readonly StudySummary[]>([]);
  const error = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      studies.value = await api.listStudies({});
      error.value = null;
      loaded.value = true;
    } catch (e) {
      error.value = message(e);
    } finally {
      loading.value = false;
    }
  }

  const reload = coalesce(1000, () => void (loaded.value ? load() : undefined));
  api.subscribe((event) => {
    if (event.type === 'run-status') reload();
    if (event.type === 'study-deleted') forget(event.id);
    if (event.type !== 'study') return;
    // A study's own event carries its new summary: put it in place; a new (or deleted) one needs the list.
    const at = studies.value.findIndex((s) => s.id === event.study.id);
    if (at < 0) reload();
    else studies.value = studies.value.map((s, i) => (i === at ? event.study : s));
  });

  /** Drops a deleted study from the list (at once in this window; from its event in the others). */
  function forget(id: number): void {
    studies.value = studies.value.filter((s) => s.id !== id);
  }

  return { studies, error, loading, loaded, load, forget };
});

/** What a study's controls do; each is allowed in some states only (see allowedActions). */
export type StudyAction = 'start' | 'pause' | 'resume' | 'cancel' | 'delete';

/** The actions a study's status allows: created -> start; running -> pause, cancel; paused -> resume, cancel; finished -> delete. */
export function allowedActions(status: StudySummary['status']): ReadonlySet<StudyAction> {
  switch (status) {
    case 'created':
      return new Set(['start']);
    case 'running':
      return new Set(['pause', 'cancel']);
    case 'paused':
      return new Set(['resume', 'cancel']);
    default:
      return new Set(['delete']);
  }
}

export const useStudyStore = defineStore('study', () => {
  const study = shallowRef<StudyDetail | null>(null);
  /** The newest summary of the open study: from its events, its controls' answers, or the detail. */
  const summary = shallowRef<StudySummary | null>(null);
  /** The action in flight, and why the last one was refused. */
  const acting = ref<StudyAction | null>(null);
  const actionError = ref<string | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** Milliseconds the last getStudy took (the e2e run prints it beside the render time). */
  const lastLoadMs = ref(0);
  /** Trials picked in the trial table (Space), emphasised in the charts. */
  const picked = ref<ReadonlySet<number>>(new Set());
  const curves = shallowRef<ReadonlyMap<string, StudyCurves>>(new Map());
  const curvesError = ref<string | null>(null);
  const runMetrics = shallowRef<ReadonlyMap<number, RunMetrics>>(new Map());

  /** The study the view shows now: answers for another one (opened before) are dropped. */
  let wanted = 0;

  async function open(id: number): Promise<void> {
    wanted = id;
    if (study.value?.id !== id) {
      study.value = null;
      summary.value = null;
      actionError.value = null;
      curves.value = new Map();
      runMetrics.value = new Map();
      picked.value = new Set();
    }
    await refresh(id);
  }

  async function refresh(id: number): Promise<void> {
    loading.value = true;
    const started = performance.now();
    try {
      const detail = await api.getStudy({ id });
      if (wanted !== id) return;
      // Unchanged (a finished study opened again): keep the object, so nothing recomputes or redraws.
      if (study.value === null || signature(study.value) !== signature(detail)) study.value = detail;
      // An event that overtook this answer is followed by another read (follow), so the last word is always the newest.
      summary.value = detail;
      error.value = null;
      // Curves of a running study grow: read them again on demand.
      if (detail.status === 'running') curves.value = new Map();
    } catch (e) {
      error.value = message(e);
    } finally {
      loading.value = false;
      lastLoadMs.value = performance.now() - started;
    }
  }

  /** Per-trial values of one metric (cached per study and metric). */
  async function loadCurves(metric: EpochMetricName): Promise<StudyCurves | null> {
    const current = study.value;
    if (current === null) return null;
    const key = `${current.id}:${metric}`;
    const cached = curves.value.get(key);
    if (cached !== undefined) return cached;
    try {
      const answer = await api.getStudyCurves({ id: current.id, metric, maxPoints: 200 });
      curves.value = new Map(curves.value).set(key, answer);
      curvesError.value = null;
      return answer;
    } catch (e) {
      curvesError.value = message(e);
      return null;
    }
  }

  function curvesFor(metric: EpochMetricName): StudyCurves | null {
    return study.value === null ? null : (curves.value.get(`${study.value.id}:${metric}`) ?? null);
  }

  /** A trial run's epoch metrics (cached per run; throws ApiError for the caller to show). */
  async function loadRunMetrics(runId: number): Promise<RunMetrics> {
    const cached = runMetrics.value.get(runId);
    if (cached !== undefined) return cached;
    const answer = await api.getRunMetrics({ runId, names: ['train_loss', 'val_loss', 'train_acc', 'val_acc'], maxPoints: 500 });
    runMetrics.value = new Map(runMetrics.value).set(runId, answer);
    return answer;
  }

  function togglePicked(trialId: number): void {
    const next = new Set(picked.value);
    if (!next.delete(trialId)) next.add(trialId);
    picked.value = next;
  }

  // A running study gains trials as its runs finish; its own events say so (with its new
  // summary, shown at once), and the trials, genealogy and charts follow in throttled reads.
  const follow = throttle(500, () => {
    if (study.value !== null && study.value.id === wanted) void refresh(wanted);
  });
  api.subscribe((event) => {
    if (event.type === 'study' && event.study.id === wanted) {
      summary.value = event.study;
      follow();
    } else if (event.type === 'run-status' && summary.value?.status === 'running') follow();
  });

  /** Starts, pauses, resumes, cancels or deletes the open study; false when refused (actionError says why). */
  async function act(action: StudyAction): Promise<boolean> {
    const id = wanted;
    acting.value = action;
    actionError.value = null;
    try {
      if (action === 'delete') {
        await api.deleteStudy({ id });
        return true;
      }
      const answer =
        action === 'start'
          ? await api.startStudy({ id })
          : action === 'pause'
            ? await api.pauseStudy({ id })
            : action === 'resume'
              ? await api.resumeStudy({ id })
              : await api.cancelStudy({ id });
      if (wanted === id) summary.value = answer;
      void refresh(id);
      return true;
    } catch (e) {
      if (wanted === id) actionError.value = `Could not ${action} the study: ${message(e)}`;
      return false;
    } finally {
      acting.value = null;
    }
  }

  /** Queues the best configuration of the open study as an experiment of `runs` seeds (throws ApiError for the caller to show). */
  async function queueBest(runs: number): Promise<ExperimentDetail> {
    return api.queueStudyBest({ id: wanted, runs });
  }

  return {
    study,
    summary,
    acting,
    actionError,
    error,
    loading,
    lastLoadMs,
    picked,
    curves,
    curvesError,
    open,
    refresh,
    loadCurves,
    curvesFor,
    loadRunMetrics,
    togglePicked,
    act,
    queueBest,
  };
});
