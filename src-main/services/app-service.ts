// The AppApi implementation: validates every request with the schemas of src-shared/api.ts,
// reads and writes through the store, controls the queue through the scheduler and forwards
// its events to subscribers. Every front end (HTTP server, Electron IPC, CLI) calls this.

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ApiRequest,
  type ApiResponses,
  type AppApi,
  type AppEvent,
  EPOCH_METRICS,
  type EpochMetricName,
  type ExperimentSummary,
  parseRequest,
  type StudySummary,
} from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { UserInputError, ValidationError } from '../../src-shared/config/errors.ts';
import { type ExperimentConfig, datasetLabel, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { lttbIndices } from '../../src-shared/series/downsample.ts';
import { compareGroups } from '../../src-shared/stats/comparison.ts';
import { aggregateCurve } from '../../src-shared/stats/curves.ts';
import { groupCurves } from '../../src-shared/stats/group-curves.ts';
import { groupRunSeries } from '../../src-shared/series/run-curves.ts';
import { ANYWHERE, allowedPath, type FileAccess } from '../files/data-roots.ts';
import { jsonFilesIn } from '../files/json-file.ts';
import { checkUserFile, defaultFileLimits, type UserFileLimits } from '../files/user-file.ts';
import { type MachineFacts, preflight, thisMachine } from '../engine/preflight.ts';
import type { Scheduler } from '../queue/scheduler.ts';
import type { ResultFolder } from '../report/read-results.ts';
import { BOXPLOT_METRICS, CURVE_METRICS } from '../report/report-metrics.ts';
import { type StoredGroups, storedGroups } from '../report/stored-groups.ts';
import type { Store } from '../store/contract.ts';
import { parseStudyConfig, type StudyConfig } from '../../src-shared/config/study.ts';
import { studyKind } from '../hpo/method.ts';
import type { StudyService } from './study-service.ts';
import { studyDetail, studySummary } from './study-summary.ts';
import { environmentInfo } from './environment.ts';

/** Turns report HTML into PDF bytes: headless Chromium in the server, printToPDF in Electron. */
export type PdfRenderer = (html: string) => Promise<Uint8Array>;

export interface AppServiceOptions {
  /** Without one, exportReport answers PDF requests with an error (HTML still works). */
  readonly renderPdf?: PdfRenderer;
  /** Shipped experiment configs (default: resources/configs of the installation). */
  readonly configsDir?: string;
  /** Which files callers may make the service read (data sets, imports); default: anywhere. */
  readonly fileAccess?: FileAccess;
  /** Cap on each file read for a caller (default: $EVOLAB_MAX_FILE_MB, else 256 MiB). */
  readonly fileLimits?: UserFileLimits;
  /** The machine runs are checked against before they are queued (default: this one). */
  readonly machine?: () => MachineFacts;
  /** Shipped study configs (default: resources/studies of the installation). */
  readonly studiesDir?: string;
  /** How long deleted experiments can be restored before they are purged (default DELETE_UNDO_MS). */
  readonly deleteUndoMs?: number;
}

/**
 * How long a deleted experiment can be restored (restoreExperiments) before it is purged. The
 * UI offers Undo for 10 s of it; the rest absorbs a slow answer. Deletion is soft until then
 * (experiments.deleted_at): hidden everywhere at once, its waiting runs held, and purged by
 * this process when the window ends, or by the next process that lists experiments if this
 * one was closed meanwhile, so it never comes back and nothing is purged early.
 */
export const DELETE_UNDO_MS = 30_000;

const SHIPPED_CONFIGS = fileURLToPath(new URL('../../resources/configs', import.meta.url));
const SHIPPED_STUDIES = fileURLToPath(new URL('../../resources/studies', import.meta.url));

/** Keeps at most `maxPoints` of a series (LTTB), or all of it. */
function downsample(epochs: readonly number[], values: readonly (number | null)[], maxPoints: number | undefined): (readonly [number, number | null])[] {
  const kept = maxPoints === undefined ? null : lttbIndices(epochs, values, maxPoints);
  return kept === null ? epochs.map((e, i) => [e, values[i]] as const) : kept.map((i) => [epochs[i], values[i]] as const);
}

/** Problems of a config field as one error whose fields read `config.<field>`. */
function configProblems(problems: readonly UserInputError[]): ValidationError {
  return new ValidationError(problems.map((p) => new UserInputError(p.where ? `config.${p.where}` : 'config', p.problem)));
}

/** Validates a config inside a request; errors name `config.<field>`. */
function parseConfigField(value: unknown): ExperimentConfig {
  try {
    return parseExperimentConfig(value);
  } catch (error) {
    if (error instanceof ValidationError) throw configProblems(error.problems);
    throw error;
  }
}

/** A relative CSV path means relative to the service's working folder; store it absolute. */
function withAbsolutePaths(config: ExperimentConfig): ExperimentConfig {
  if (config.dataset.name !== 'csv' || isAbsolute(config.dataset.path)) return config;
  return { ...config, dataset: { ...config.dataset, path: resolve(config.dataset.path) } };
}

export class AppService implements AppApi {
  private readonly store: Store;
  private readonly scheduler: Scheduler;
  private readonly listeners = new Set<(event: AppEvent) => void>();

  private readonly options: AppServiceOptions;

  /**
   * The study service, loaded on first use: it brings the study methods and the engine with
   * it, which commands such as `evolab queue add` do not need (it runs the studies in the
   * process holding the queue; elsewhere it only edits them).
   */
  private studyService: Promise<StudyService> | null = null;

  constructor(store: Store, scheduler: Scheduler, options: AppServiceOptions = {}) {
    this.store = store;
    this.scheduler = scheduler;
    this.options = options;
    // The queue's run events become the UI's events.
    scheduler.events.subscribe((event) => this.publish(event.type === 'epoch-stored' ? { type: 'run-progress', progress: event.progress } : event));
  }

  studies(): Promise<StudyService> {
    this.studyService ??= import('./study-service.ts').then(
      ({ StudyService }) => new StudyService({ store: this.store, scheduler: this.scheduler, publish: (event) => this.publish(event) }),
    );
    return this.studyService;
  }

  /** Stops following studies, if the study service was ever loaded. */
  async stopStudies(): Promise<void> {
    if (this.studyService !== null) await (await this.studyService).stop();
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
    const q = parseRequest('listExperiments', request);
    // Deletions whose window passed while no process was there to purge them (the app was closed).
    if (!this.sweptOnce) {
      this.sweptOnce = true;
      await this.purgeDeleted();
    }
    return await this.store.experiments.list(q);
  }

  private sweptOnce = false;
  private purgeTimer: NodeJS.Timeout | null = null;

  private get deleteUndoMs(): number {
    return this.options.deleteUndoMs ?? DELETE_UNDO_MS;
  }

  /** The experiments of a bulk request, each existing (and not deleted); an unknown one is named by its place (ids.<i>). */
  private async bulkExperiments(ids: readonly number[]): Promise<ExperimentSummary[]> {
    const experiments: ExperimentSummary[] = [];
    for (const id of new Set(ids)) {
      const experiment = await this.store.experiments.get(id);
      if (experiment === null) throw new ApiError('not_found', `experiment ${id} does not exist`, `ids[${ids.indexOf(id)}]`);
      experiments.push(experiment);
    }
    return experiments;
  }

  private async announceExperiments(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      const experiment = await this.store.experiments.get(id);
      if (experiment !== null) this.publish({ type: 'experiment', experiment });
    }
  }

  /** Cancels every waiting or running run of the experiments (finished runs are kept). */
  async cancelExperiments(request: ApiRequest<'cancelExperiments'>): Promise<ApiResponses['cancelExperiments']> {
    const experiments = await this.bulkExperiments(parseRequest('cancelExperiments', request).ids);
    let runsCancelled = 0;
    for (const experiment of experiments) {
      const active = (await this.store.runs.list({ experimentId: experiment.id, status: ['pending', 'running', 'interrupted'], limit: 10_000, offset: 0 }))
        .items;
      for (const run of active) {
        try {
          await this.scheduler.cancel(run.id);
          runsCancelled++;
        } catch (error) {
          // Finished meanwhile: nothing left to cancel.
          if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
        }
      }
    }
    const ids = experiments.map((e) => e.id);
    await this.announceExperiments(ids);
    return { ids, runsCancelled };
  }

  /** Archives experiments (hidden from the default list, runs untouched) or brings them back. */
  async archiveExperiments(request: ApiRequest<'archiveExperiments'>): Promise<ApiResponses['archiveExperiments']> {
    const q = parseRequest('archiveExperiments', request);
    const ids = (await this.bulkExperiments(q.ids)).map((e) => e.id);
    const at = q.archived ? new Date().toISOString() : null;
    await this.store.write(() => this.store.experiments.setArchived(ids, at));
    await this.announceExperiments(ids);
    return { ids };
  }

  /**
   * Deletes experiments, restorable until `undoUntil` (see DELETE_UNDO_MS). A trial of a study
   * is deleted with its study, and a running experiment is cancelled first: both are refused
   * and named. Their waiting runs are held meanwhile, so nothing of theirs starts.
   */
  async deleteExperiments(request: ApiRequest<'deleteExperiments'>): Promise<ApiResponses['deleteExperiments']> {
    const q = parseRequest('deleteExperiments', request);
    const experiments = await this.bulkExperiments(q.ids);
    for (const experiment of experiments) {
      const field = `ids[${q.ids.indexOf(experiment.id)}]`;
      if (experiment.studyId !== null)
        throw new ApiError('conflict', `experiment ${experiment.id} is a trial of study ${experiment.studyId}; delete the study instead`, field);
      if (experiment.runsRunning > 0)
        throw new ApiError('conflict', `experiment ${experiment.id} has ${experiment.runsRunning} running run(s); cancel them first`, field);
    }
    const ids = experiments.map((e) => e.id);
    const at = new Date();
    await this.store.write(() => this.store.experiments.markDeleted(ids, at.toISOString()));
    for (const experiment of experiments) this.publish({ type: 'experiment', experiment });
    this.schedulePurge(this.deleteUndoMs + 50);
    return { ids, undoUntil: new Date(at.getTime() + this.deleteUndoMs).toISOString() };
  }

  /** Brings deleted experiments back exactly as they were, inside their undo window. */
  async restoreExperiments(request: ApiRequest<'restoreExperiments'>): Promise<ApiResponses['restoreExperiments']> {
    const q = parseRequest('restoreExperiments', request);
    const since = new Date(Date.now() - this.deleteUndoMs).toISOString();
    const ids = await this.store.write(async () => {
      const restorable = new Set(await this.store.experiments.deletedSince(q.ids, since));
      q.ids.forEach((id, i) => {
        if (!restorable.has(id)) throw new ApiError('not_found', `experiment ${id} is not deleted, or its undo window has passed`, `ids[${i}]`);
      });
      const unique = [...restorable];
      await this.store.experiments.restoreDeleted(unique);
      return unique;
    });
    await this.announceExperiments(ids);
    this.scheduler.tick();
    return { ids };
  }

  private schedulePurge(delayMs: number): void {
    if (this.purgeTimer !== null) clearTimeout(this.purgeTimer);
    this.purgeTimer = setTimeout(() => {
      this.purgeTimer = null;
      void this.purgeDeleted();
    }, delayMs);
    this.purgeTimer.unref();
  }

  /**
   * Purges the experiments whose undo window has passed. A run that started anyway (another
   * process took it just before the delete) is cancelled first and its experiment purged on
   * the next sweep, so no job writes to a run that is gone. Failures are retried later.
   */
  async purgeDeleted(): Promise<number[]> {
    try {
      const expired = await this.store.experiments.deletedBefore(new Date(Date.now() - this.deleteUndoMs).toISOString());
      const ready: number[] = [];
      for (const id of expired) {
        const running = (await this.store.runs.list({ experimentId: id, status: ['running'], limit: 10_000, offset: 0 })).items;
        for (const run of running) await this.scheduler.cancel(run.id).catch(() => undefined);
        if (running.length === 0) ready.push(id);
      }
      if (ready.length > 0) await this.store.write(() => this.store.experiments.purge(ready));
      if (ready.length < expired.length) this.schedulePurge(1000);
      return ready;
    } catch {
      // The database is busy or closed: the next sweep (or the next start) purges them.
      return [];
    }
  }

  async getExperiment(request: ApiRequest<'getExperiment'>): Promise<ApiResponses['getExperiment']> {
    const { id } = parseRequest('getExperiment', request);
    const experiment = await this.store.experiments.get(id);
    if (experiment === null) throw ApiError.notFound('experiment', id);
    return experiment;
  }

  /**
   * Validates the config and checks it against this machine (threads, memory, split sizes)
   * and the file policy (a CSV data set must be a readable regular file inside the data
   * folders) before anything is stored; then stores the experiment and its runs in one
   * transaction. Starting runs happens after the answer is decided: a failure there stops
   * the queue with its reason, it does not turn a stored experiment into an error.
   */
  async createExperiment(request: ApiRequest<'createExperiment'>): Promise<ApiResponses['createExperiment']> {
    const q = parseRequest('createExperiment', request);
    const config = await this.checkedDataPath(withAbsolutePaths(parseConfigField(q.config)));
    const problems = preflight(config, (this.options.machine ?? thisMachine)());
    if (problems.length > 0) throw configProblems(problems);
    const name = q.name ?? config.name ?? `${datasetLabel(config)} ${config.optimizer.type}`;
    const createdAt = new Date().toISOString();
    const id = await this.store.write(async () => {
      const experimentId = await this.store.experiments.insert({ name, dataset: datasetLabel(config), config, tags: q.tags, notes: q.notes, createdAt });
      await this.store.runs.insertForExperiment(experimentId, q.runs, q.firstSeed, q.priority, config.training.max_epochs, createdAt);
      return experimentId;
    });
    const experiment = await this.getExperiment({ id });
    this.publish({ type: 'experiment', experiment });
    this.scheduler.tick();
    return experiment;
  }

  /** A CSV data set's file, checked against the file policy and the size cap (not read). */
  private async checkedDataPath(config: ExperimentConfig, field = 'config.dataset.path'): Promise<ExperimentConfig> {
    if (config.dataset.name !== 'csv') return config;
    const path = await allowedPath(config.dataset.path, this.options.fileAccess ?? ANYWHERE, field);
    try {
      checkUserFile(config.dataset.path, await stat(path), this.options.fileLimits ?? defaultFileLimits());
    } catch (error) {
      if (error instanceof UserInputError) throw new UserInputError(field, error.message);
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserInputError(field, `${config.dataset.path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`);
    }
    return config;
  }

  async updateExperiment(request: ApiRequest<'updateExperiment'>): Promise<ApiResponses['updateExperiment']> {
    const q = parseRequest('updateExperiment', request);
    await this.getExperiment({ id: q.id });
    await this.store.write(() => this.store.experiments.update(q.id, q));
    const experiment = await this.getExperiment({ id: q.id });
    this.publish({ type: 'experiment', experiment });
    return experiment;
  }

  async listRuns(request: ApiRequest<'listRuns'>): Promise<ApiResponses['listRuns']> {
    const q = parseRequest('listRuns', request);
    if (q.experimentId !== undefined) await this.getExperiment({ id: q.experimentId });
    return await this.store.runs.list(q);
  }

  async getRunMetrics(request: ApiRequest<'getRunMetrics'>): Promise<ApiResponses['getRunMetrics']> {
    const q = parseRequest('getRunMetrics', request);
    if ((await this.store.runs.get(q.runId)) === null) throw ApiError.notFound('run', q.runId);
    const names = q.names ?? EPOCH_METRICS;
    const series = await this.store.metrics.series(q.runId, names);
    return {
      runId: q.runId,
      series: names.map((name) => {
        const { epochs, values } = series.get(name) ?? { epochs: [], values: [] };
        return { name, totalPoints: epochs.length, points: downsample(epochs, values, q.maxPoints) };
      }),
    };
  }

  async getQueue(request: ApiRequest<'getQueue'> = {}): Promise<ApiResponses['getQueue']> {
    parseRequest('getQueue', request);
    return await this.scheduler.state();
  }

  async cancelRun(request: ApiRequest<'cancelRun'>): Promise<ApiResponses['cancelRun']> {
    return await this.scheduler.cancel(parseRequest('cancelRun', request).runId);
  }

  async retryRun(request: ApiRequest<'retryRun'>): Promise<ApiResponses['retryRun']> {
    return await this.scheduler.retry(parseRequest('retryRun', request).runId);
  }

  async moveRun(request: ApiRequest<'moveRun'>): Promise<ApiResponses['moveRun']> {
    const q = parseRequest('moveRun', request);
    const waiting = async (id: number, field: string): Promise<void> => {
      const run = await this.store.runs.get(id);
      if (run === null) throw new ApiError('not_found', `run ${id} does not exist`, field);
      if (run.status !== 'pending' && run.status !== 'interrupted') {
        throw new ApiError('conflict', `run ${id} is ${run.status}; only waiting runs can be reordered`, field);
      }
    };
    await waiting(q.runId, 'runId');
    if (typeof q.to === 'object') await waiting(q.to.before, 'to.before');
    await this.store.write(() => this.store.runs.move(q.runId, q.to));
    const state = await this.scheduler.state();
    this.publish({ type: 'queue', paused: state.paused, slots: state.slots, storage: state.storage });
    return state;
  }

  async pauseQueue(request: ApiRequest<'pauseQueue'> = {}): Promise<ApiResponses['pauseQueue']> {
    parseRequest('pauseQueue', request);
    await this.scheduler.setPaused(true);
    return await this.scheduler.state();
  }

  async resumeQueue(request: ApiRequest<'resumeQueue'> = {}): Promise<ApiResponses['resumeQueue']> {
    parseRequest('resumeQueue', request);
    await this.scheduler.setPaused(false);
    return await this.scheduler.state();
  }

  async listStudies(request: ApiRequest<'listStudies'> = {}): Promise<ApiResponses['listStudies']> {
    parseRequest('listStudies', request);
    const studies = await this.store.studies.list();
    return await Promise.all(studies.map((study) => studySummary(this.store, study)));
  }

  async getStudy(request: ApiRequest<'getStudy'>): Promise<ApiResponses['getStudy']> {
    const { id } = parseRequest('getStudy', request);
    const study = await this.store.studies.get(id);
    if (study === null) throw ApiError.notFound('study', id);
    return await studyDetail(this.store, study);
  }

  /**
   * A study from a config (base inline), validated by the study schema (errors name
   * `config.<field>`), checked like an experiment (file policy, machine) before anything is
   * stored. It runs in the process that holds the queue; created elsewhere, it starts when one
   * does. With `resume`, an unfinished study of the same config is continued instead.
   */
  async createStudy(request: ApiRequest<'createStudy'>): Promise<ApiResponses['createStudy']> {
    const q = parseRequest('createStudy', request);
    let parsed: StudyConfig;
    try {
      parsed = parseStudyConfig(q.config, () => {
        throw new UserInputError('base', 'give the base experiment config inline (an object), not a file name');
      });
    } catch (error) {
      if (error instanceof ValidationError) throw configProblems(error.problems);
      if (error instanceof UserInputError) throw configProblems([error]);
      throw error;
    }
    const base = await this.checkedDataPath(withAbsolutePaths(parsed.base), 'config.base.dataset.path');
    const problems = preflight(base, (this.options.machine ?? thisMachine)());
    if (problems.length > 0) throw configProblems(problems.map((p) => new UserInputError(`base.${p.where}`, p.problem)));
    const study: StudyConfig = { ...parsed, base };
    const name = q.name ?? parsed.name ?? `${studyKind(study)} ${datasetLabel(base)} ${base.optimizer.type}`;
    const id = await (await this.studies()).create(study, { name, start: q.start, resume: q.resume });
    return this.getStudy({ id });
  }

  async startStudy(request: ApiRequest<'startStudy'>): Promise<ApiResponses['startStudy']> {
    const { id } = parseRequest('startStudy', request);
    await (await this.studies()).startStudy(id);
    return await this.studySummaryOf(id);
  }

  async pauseStudy(request: ApiRequest<'pauseStudy'>): Promise<ApiResponses['pauseStudy']> {
    const { id } = parseRequest('pauseStudy', request);
    await (await this.studies()).pause(id);
    return await this.studySummaryOf(id);
  }

  async resumeStudy(request: ApiRequest<'resumeStudy'>): Promise<ApiResponses['resumeStudy']> {
    const { id } = parseRequest('resumeStudy', request);
    await (await this.studies()).resume(id);
    return await this.studySummaryOf(id);
  }

  async cancelStudy(request: ApiRequest<'cancelStudy'>): Promise<ApiResponses['cancelStudy']> {
    const { id } = parseRequest('cancelStudy', request);
    await (await this.studies()).cancel(id);
    return await this.studySummaryOf(id);
  }

  async deleteStudy(request: ApiRequest<'deleteStudy'>): Promise<ApiResponses['deleteStudy']> {
    const { id } = parseRequest('deleteStudy', request);
    await this.studySummaryOf(id);
    await (await this.studies()).delete(id);
    return { deleted: id };
  }

  /** The study's best configuration as an ordinary experiment of `runs` seeded runs: the comparison a study should end in. */
  async queueStudyBest(request: ApiRequest<'queueStudyBest'>): Promise<ApiResponses['queueStudyBest']> {
    const q = parseRequest('queueStudyBest', request);
    const row = await this.store.studies.get(q.id);
    if (row === null) throw ApiError.notFound('study', q.id);
    const { config, trial } = await (await this.studies()).bestConfig(q.id);
    return this.createExperiment({
      config,
      name: `${row.name}: best (trial ${trial.number})`.slice(0, 200),
      runs: q.runs,
      firstSeed: q.firstSeed,
      tags: ['best-of-study', `best-of:study:${q.id}`],
      notes: `The best configuration of study ${q.id} "${row.name}" (trial ${trial.number}: ${JSON.stringify(trial.params)}), trained with ${q.runs} seed(s) from ${q.firstSeed}.`,
    });
  }

  async listStudyTemplates(request: ApiRequest<'listStudyTemplates'> = {}): Promise<ApiResponses['listStudyTemplates']> {
    parseRequest('listStudyTemplates', request);
    const { shippedStudies } = await import('./shipped-studies.ts');
    return shippedStudies(this.options.studiesDir ?? SHIPPED_STUDIES);
  }

  private async studySummaryOf(id: number): Promise<StudySummary> {
    const row = await this.store.studies.get(id);
    if (row === null) throw ApiError.notFound('study', id);
    return await studySummary(this.store, row);
  }

  async setSlots(request: ApiRequest<'setSlots'>): Promise<ApiResponses['setSlots']> {
    await this.scheduler.setSlots(parseRequest('setSlots', request).slots);
    return await this.scheduler.state();
  }

  async getExperimentCurves(request: ApiRequest<'getExperimentCurves'>): Promise<ApiResponses['getExperimentCurves']> {
    const q = parseRequest('getExperimentCurves', request);
    await this.getExperiment({ id: q.id });
    const names = q.names ?? EPOCH_METRICS;
    const runs = (await this.store.runs.list({ experimentId: q.id, limit: 10_000, offset: 0 })).items;
    const perRun = await Promise.all(runs.map((run) => this.store.metrics.series(run.id, names)));
    const contributing = perRun.filter((series) => [...series.values()].some((s) => s.epochs.length > 0)).length;
    return {
      experimentId: q.id,
      runs: contributing,
      curves: names.map((name) => {
        const points = aggregateCurve(
          perRun.map((series) => {
            const { epochs, values } = series.get(name) ?? { epochs: [], values: [] };
            return epochs.flatMap((epoch, i) => (values[i] === null ? [] : [[epoch, values[i]] as const]));
          }),
        );
        // Downsample on the mean; the band follows the kept epochs.
        const kept =
          q.maxPoints === undefined
            ? null
            : lttbIndices(
                points.map((p) => p.epoch),
                points.map((p) => p.mean),
                q.maxPoints,
              );
        return { name, points: kept === null ? points : kept.map((i) => points[i]) };
      }),
    };
  }

  async getStudyCurves(request: ApiRequest<'getStudyCurves'>): Promise<ApiResponses['getStudyCurves']> {
    const q = parseRequest('getStudyCurves', request);
    const study = await this.store.studies.get(q.id);
    if (study === null) throw ApiError.notFound('study', q.id);
    const objective = (await studySummary(this.store, study)).objective.metric;
    const metric: EpochMetricName = q.metric ?? EPOCH_METRICS.find((m) => m === objective) ?? 'val_loss';
    const trials = [];
    for (const trial of await this.store.studies.trials(q.id)) {
      if (trial.runId === null) continue;
      const { epochs, values } = (await this.store.metrics.series(trial.runId, [metric])).get(metric) ?? { epochs: [], values: [] };
      trials.push({ trialId: trial.id, runId: trial.runId, points: downsample(epochs, values, q.maxPoints) });
    }
    return { studyId: q.id, metric, trials };
  }

  async listConfigs(request: ApiRequest<'listConfigs'> = {}): Promise<ApiResponses['listConfigs']> {
    parseRequest('listConfigs', request);
    const dir = this.options.configsDir ?? SHIPPED_CONFIGS;
    return jsonFilesIn(dir).flatMap((file) => {
      try {
        return [{ file, config: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown }];
      } catch {
        return []; // A broken shipped file is left out rather than breaking the form.
      }
    });
  }

  async getEnvironment(request: ApiRequest<'getEnvironment'> = {}): Promise<ApiResponses['getEnvironment']> {
    parseRequest('getEnvironment', request);
    return environmentInfo(this.store.path);
  }

  private async groupsOf(experimentIds: readonly number[]): Promise<StoredGroups> {
    const stored = await storedGroups(this.store, experimentIds);
    const empty = stored.groups.filter((g) => g.runs.length === 0);
    if (empty.length === stored.groups.length) {
      throw new ApiError('invalid_input', 'none of these experiments has a finished run yet', 'experimentIds');
    }
    return stored;
  }

  async compareExperiments(request: ApiRequest<'compareExperiments'>): Promise<ApiResponses['compareExperiments']> {
    const q = parseRequest('compareExperiments', request);
    const { groups } = await this.groupsOf(q.experimentIds);
    const tables = compareGroups(groups, { ...(q.metrics !== undefined ? { metrics: q.metrics } : {}), paired: q.paired });
    const datasets = [...new Set(groups.map((g) => g.dataset))].sort();
    const finals = datasets.flatMap((dataset) => {
      const members = groups.filter((g) => g.dataset === dataset);
      return BOXPLOT_METRICS.filter((m) => members.some((g) => g.runs.some((r) => r.metrics[m] !== undefined))).map((metric) => ({
        dataset,
        metric,
        series: members.map((g) => ({
          name: g.optimizer,
          values: g.runs.map((r) => r.metrics[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v)),
        })),
      }));
    });
    const curves = datasets.flatMap((dataset) => {
      const members = groups.filter((g) => g.dataset === dataset);
      return CURVE_METRICS.map((metric) => ({ dataset, metric, series: groupCurves(members, metric) })).filter((c) => c.series.length > 0);
    });
    return {
      groups: q.experimentIds.map((experimentId, i) => ({ experimentId, label: groups[i].optimizer, dataset: groups[i].dataset, runs: groups[i].runs.length })),
      tables,
      finals,
      curves,
      runCurves: q.experimentIds.map((experimentId, i) => ({ experimentId, runs: groupRunSeries(groups[i], EPOCH_METRICS) })),
    };
  }

  async exportReport(request: ApiRequest<'exportReport'>): Promise<ApiResponses['exportReport']> {
    const q = parseRequest('exportReport', request);
    const { groups, configs, backends, descriptions } = await this.groupsOf(q.experimentIds);
    const env = environmentInfo(this.store.path);
    const { renderHtmlReport } = await import('../report/html-report.ts');
    const html = renderHtmlReport({
      title: q.title,
      groups,
      configs,
      environment: { evolab: env.evolab, node: env.node, machine: env.machine, backends, created: new Date().toISOString() },
      ...(q.metrics !== undefined ? { metrics: q.metrics } : {}),
      descriptions,
      paired: q.paired,
    });
    const stem = q.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'report';
    if (q.format === 'html') {
      const bytes = Buffer.from(html, 'utf8');
      return { fileName: `${stem}.html`, mimeType: 'text/html', base64: bytes.toString('base64'), bytes: bytes.length };
    }
    if (this.options.renderPdf === undefined) throw new ApiError('internal', 'PDF export is not available in this process; export HTML instead', 'format');
    let pdf: Uint8Array;
    try {
      pdf = await this.options.renderPdf(html);
    } catch (error) {
      throw new ApiError('internal', `the PDF could not be made: ${error instanceof Error ? error.message : String(error)}`, 'format');
    }
    return { fileName: `${stem}.pdf`, mimeType: 'application/pdf', base64: Buffer.from(pdf).toString('base64'), bytes: pdf.length };
  }

  /**
   * Imports a folder of result files. The folder must be allowed by the file policy; the files
   * are read in a worker thread (regular files only, size cap), so the service keeps answering
   * meanwhile, and each file that cannot be read is named with its reason while the valid
   * ones are imported.
   */
  async importResults(request: ApiRequest<'importResults'>): Promise<ApiResponses['importResults']> {
    const q = parseRequest('importResults', request);
    const [{ importGroup }, { describeProblem }, { readResultFolderInWorker }] = await Promise.all([
      import('../report/import-results.ts'),
      import('../report/read-results.ts'),
      import('../report/result-reader.ts'),
    ]);
    let folder: ResultFolder;
    try {
      const path = await allowedPath(q.folder, this.options.fileAccess ?? ANYWHERE, 'folder');
      folder = await readResultFolderInWorker(path, this.options.fileLimits ?? defaultFileLimits());
    } catch (error) {
      // Not allowed, missing, not a folder, or unreadable (permissions): say which, at the folder field.
      const reason =
        error instanceof UserInputError ? error.problem : error instanceof Error && 'code' in error ? `cannot be read (${String(error.code)})` : String(error);
      throw new ApiError('invalid_input', reason.startsWith(q.folder) || reason.startsWith('this server') ? reason : `${q.folder}: ${reason}`, 'folder');
    }
    const problems = folder.problems.map(describeProblem);
    if (folder.groups.length === 0)
      throw new ApiError('invalid_input', `${q.folder}: no valid result file to import${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`, 'folder');
    const ids: number[] = [];
    for (const group of folder.groups) ids.push(await importGroup(this.store, q.folder, group, q.name, folder.metas.get(group.source)));
    const experiments = await Promise.all(ids.map((id) => this.getExperiment({ id })));
    for (const experiment of experiments) this.publish({ type: 'experiment', experiment });
    return { experiments, problems };
  }
}
