// What tuning, GPBT and PBT share: the objective's sign (samplers and selection minimise),
// a study's identity for resuming, recording a finished trial, and a small concurrency pool.

import { createHash } from 'node:crypto';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { canonicalJson } from '../store/experiments.ts';
import type { Store } from '../store/store.ts';
import type { TrialStatus } from '../store/studies.ts';
import { objectiveValue, type TrialExecutor, type TrialOutcome } from './executor.ts';

/** What running any study needs. */
export interface StudyRunOptions {
  readonly store: Store;
  readonly executor: TrialExecutor;
  readonly study: StudyConfig;
  readonly name: string;
  /** Trials in flight at once. */
  readonly parallel: number;
  readonly log?: (line: string) => void;
}

/** The study config's hash: a re-run of the same config resumes the same study. */
export function studyHash(study: StudyConfig): string {
  return createHash('sha256').update(canonicalJson(study)).digest('hex');
}

/** The value samplers and selection minimise: the objective, negated when it is maximised. */
export function minimised(study: StudyConfig, value: number | null): number {
  if (value === null || Number.isNaN(value)) return Number.POSITIVE_INFINITY;
  return study.objective.direction === 'maximize' ? -value : value;
}

export interface RecordedOutcome {
  readonly status: TrialStatus;
  readonly value: number | null;
  readonly testValue: number | null;
}

/** Writes a finished trial's status, objective (validation) and the same metric on test. */
export function recordOutcome(store: Store, study: StudyConfig, trialId: number, outcome: TrialOutcome, stoppedAs: TrialStatus = 'stopped'): RecordedOutcome {
  const metric = study.objective.metric;
  const value = objectiveValue(outcome, metric);
  const testMetric = metric.startsWith('val_') ? (`test_${metric.slice(4)}` as 'test_loss' | 'test_acc') : metric;
  const testValue = outcome.final === null ? null : outcome.final[testMetric];
  const status: TrialStatus = outcome.status === 'done' ? 'done' : outcome.status === 'stopped' ? stoppedAs : 'failed';
  store.studies.updateTrial(trialId, {
    status,
    value,
    testValue,
    checkpointId: outcome.checkpoint?.id ?? null,
    finishedAt: new Date().toISOString(),
  });
  return { status, value, testValue };
}

/**
 * GPBT and PBT do not resume: an unfinished study of the same config (its process was
 * stopped or killed) is marked failed and its runs still waiting in the queue are cancelled,
 * so they do not train for nobody. Returns how many studies were abandoned.
 */
export function abandonUnfinished(store: Store, kind: 'gpbt' | 'pbt', hash: string): number {
  let abandoned = 0;
  for (let stale = store.studies.findResumable(kind, hash); stale !== null; stale = store.studies.findResumable(kind, hash)) {
    const study = stale;
    store.transaction(() => {
      const now = new Date().toISOString();
      for (const trial of store.studies.trials(study.id)) {
        if (trial.status !== 'running') continue;
        const run = trial.runId === null ? null : store.runs.get(trial.runId);
        if (run !== null && (run.status === 'pending' || run.status === 'interrupted' || run.status === 'running')) {
          store.runs.markCancelled(run.id, now);
          store.checkpoints.deleteForRun(run.id);
        }
        store.studies.updateTrial(trial.id, { status: 'failed', finishedAt: now });
      }
      store.studies.update(study.id, { status: 'failed', finishedAt: now });
    });
    abandoned++;
  }
  return abandoned;
}

/** Runs tasks with at most `limit` at once; resolves with their results in order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}
