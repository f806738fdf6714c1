// The AppApi implementation: validates every request with the schemas of src-shared/api.ts,
// reads and writes through the store, controls the queue through the scheduler and forwards
// its events to subscribers. Every front end (HTTP server, Electron IPC, CLI) calls this.

import { isAbsolute, resolve } from 'node:path';
import {
  type ApiRequest,
  type ApiResponses,
  type AppApi,
  type AppEvent,
  EPOCH_METRICS,
  parseRequest,
  type StudySummary,
} from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { UserInputError, ValidationError } from '../../src-shared/config/errors.ts';
import { type ExperimentConfig, datasetLabel, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { lttbIndices } from '../../src-shared/series/downsample.ts';
import type { Scheduler } from '../queue/scheduler.ts';
import type { Store } from '../store/store.ts';
import type { StudyRow } from '../store/studies.ts';

/** Validates a config inside a request; errors name `config.<field>`. */
function parseConfigField(value: unknown): ExperimentConfig {
  try {
    return parseExperimentConfig(value);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(error.problems.map((p) => new UserInputError(p.where ? `config.${p.where}` : 'config', p.problem)));
    }
    throw error;
  }
}

/** A relative CSV path means relative to the service's working folder; store it absolute. */
function withAbsolutePaths(config: ExperimentConfig): ExperimentConfig {
  if (config.dataset.name !== 'csv' || isAbsolute(config.dataset.path)) return config;
  return { ...config, dataset: { ...config.dataset, path: resolve(config.dataset.path) } };
}

function studySummary(study: StudyRow): StudySummary {
  const objective = (study.config as { objective?: { metric: string; direction: 'minimize' | 'maximize' } }).objective ?? { metric: 'val_loss', direction: 'minimize' };
  return {
    id: study.id,
    name: study.name,
    kind: study.kind,
    status: study.status,
    objective,
    trials: study.trials,
    finishedTrials: study.finishedTrials,
    bestTrial: study.bestTrial,
    createdAt: study.createdAt,
    finishedAt: study.finishedAt,
  };
}

export class AppService implements AppApi {
  private readonly store: Store;
  private readonly scheduler: Scheduler;
  private readonly listeners = new Set<(event: AppEvent) => void>();

  constructor(store: Store, scheduler: Scheduler) {
    this.store = store;
    this.scheduler = scheduler;
  }

  /** Delivers an event to every subscriber; a failing subscriber does not stop the others. */
  publish(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's bug (e.g. a closed socket) must not break the queue.
      }
    }
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listExperiments(request: ApiRequest<'listExperiments'>): Promise<ApiResponses['listExperiments']> {
    return this.store.experiments.list(parseRequest('listExperiments', request));
  }

  async getExperiment(request: ApiRequest<'getExperiment'>): Promise<ApiResponses['getExperiment']> {
    const { id } = parseRequest('getExperiment', request);
    const experiment = this.store.experiments.get(id);
    if (experiment === null) throw ApiError.notFound('experiment', id);
    return experiment;
  }

  async createExperiment(request: ApiRequest<'createExperiment'>): Promise<ApiResponses['createExperiment']> {
    const q = parseRequest('createExperiment', request);
    const config = withAbsolutePaths(parseConfigField(q.config));
    const name = q.name ?? config.name ?? `${datasetLabel(config)} ${config.optimizer.type}`;
    const createdAt = new Date().toISOString();
    const id = this.store.transaction(() => {
      const experimentId = this.store.experiments.insert({ name, dataset: datasetLabel(config), config, tags: q.tags, notes: q.notes, createdAt });
      this.store.runs.insertForExperiment(experimentId, q.runs, q.firstSeed, q.priority, config.training.max_epochs, createdAt);
      return experimentId;
    });
    const experiment = await this.getExperiment({ id });
    this.publish({ type: 'experiment', experiment });
    this.scheduler.tick();
    return experiment;
  }

  async updateExperiment(request: ApiRequest<'updateExperiment'>): Promise<ApiResponses['updateExperiment']> {
    const q = parseRequest('updateExperiment', request);
    await this.getExperiment({ id: q.id });
    this.store.transaction(() => this.store.experiments.update(q.id, q));
    const experiment = await this.getExperiment({ id: q.id });
    this.publish({ type: 'experiment', experiment });
    return experiment;
  }

  async listRuns(request: ApiRequest<'listRuns'>): Promise<ApiResponses['listRuns']> {
    const q = parseRequest('listRuns', request);
    if (q.experimentId !== undefined) await this.getExperiment({ id: q.experimentId });
    return this.store.runs.list(q);
  }

  async getRunMetrics(request: ApiRequest<'getRunMetrics'>): Promise<ApiResponses['getRunMetrics']> {
    const q = parseRequest('getRunMetrics', request);
    if (this.store.runs.get(q.runId) === null) throw ApiError.notFound('run', q.runId);
    const names = q.names ?? EPOCH_METRICS;
    const series = this.store.metrics.series(q.runId, names);
    return {
      runId: q.runId,
      series: names.map((name) => {
        const { epochs, values } = series.get(name) ?? { epochs: [], values: [] };
        const kept = q.maxPoints === undefined ? null : lttbIndices(epochs, values, q.maxPoints);
        const points = kept === null ? epochs.map((e, i) => [e, values[i]] as const) : kept.map((i) => [epochs[i], values[i]] as const);
        return { name, totalPoints: epochs.length, points };
      }),
    };
  }

  async getQueue(request: ApiRequest<'getQueue'> = {}): Promise<ApiResponses['getQueue']> {
    parseRequest('getQueue', request);
    return this.scheduler.state();
  }

  async cancelRun(request: ApiRequest<'cancelRun'>): Promise<ApiResponses['cancelRun']> {
    return this.scheduler.cancel(parseRequest('cancelRun', request).runId);
  }

  async retryRun(request: ApiRequest<'retryRun'>): Promise<ApiResponses['retryRun']> {
    return this.scheduler.retry(parseRequest('retryRun', request).runId);
  }

  async moveRun(request: ApiRequest<'moveRun'>): Promise<ApiResponses['moveRun']> {
    const q = parseRequest('moveRun', request);
    const waiting = (id: number, field: string): void => {
      const run = this.store.runs.get(id);
      if (run === null) throw new ApiError('not_found', `run ${id} does not exist`, field);
      if (run.status !== 'pending' && run.status !== 'interrupted') {
        throw new ApiError('conflict', `run ${id} is ${run.status}; only waiting runs can be reordered`, field);
      }
    };
    waiting(q.runId, 'runId');
    if (typeof q.to === 'object') waiting(q.to.before, 'to.before');
    this.store.transaction(() => this.store.runs.move(q.runId, q.to));
    const state = this.scheduler.state();
    this.publish({ type: 'queue', paused: state.paused, slots: state.slots });
    return state;
  }

  async pauseQueue(request: ApiRequest<'pauseQueue'> = {}): Promise<ApiResponses['pauseQueue']> {
    parseRequest('pauseQueue', request);
    this.scheduler.setPaused(true);
    return this.scheduler.state();
  }

  async resumeQueue(request: ApiRequest<'resumeQueue'> = {}): Promise<ApiResponses['resumeQueue']> {
    parseRequest('resumeQueue', request);
    this.scheduler.setPaused(false);
    return this.scheduler.state();
  }

  async listStudies(request: ApiRequest<'listStudies'> = {}): Promise<ApiResponses['listStudies']> {
    parseRequest('listStudies', request);
    return this.store.studies.list().map(studySummary);
  }

  async getStudy(request: ApiRequest<'getStudy'>): Promise<ApiResponses['getStudy']> {
    const { id } = parseRequest('getStudy', request);
    const study = this.store.studies.get(id);
    if (study === null) throw ApiError.notFound('study', id);
    return {
      ...studySummary(study),
      config: study.config,
      trialList: this.store.studies.trials(id).map((t) => ({
        id: t.id,
        number: t.number,
        generation: t.generation,
        member: t.member,
        status: t.status,
        params: t.params,
        value: t.value,
        testValue: t.testValue,
        experimentId: t.experimentId,
        runId: t.runId,
        checkpointId: t.checkpointId,
      })),
      edges: this.store.studies.edges(id),
    };
  }

  async setSlots(request: ApiRequest<'setSlots'>): Promise<ApiResponses['setSlots']> {
    this.scheduler.setSlots(parseRequest('setSlots', request).slots);
    return this.scheduler.state();
  }
}
