// AppApi: the one contract between every user interface (renderer over IPC or HTTP, CLI) and
// the core. Requests are plain JSON objects, each validated by the schema listed for its
// method in API_REQUESTS (the HTTP server, the Electron preload bridge and the service all
// use these same schemas); answers are plain JSON; errors are ApiErrors (api-errors.ts).

import { z } from 'zod';
import type { ApiMethod } from './api-methods.ts';
import {
  EPOCH_METRICS,
  EXPERIMENT_STATUSES,
  type EpochMetricName,
  type ExperimentStatus,
  FINAL_METRICS,
  type FinalMetricName,
  RUN_STATUSES,
  type RunStatus,
  type StudyStatus,
} from './api-names.ts';
import { fromZodError } from './config/errors.ts';
import { choice, fallbackMessage, integerField, MAX_SAFE_INTEGER, numberField } from './config/fields.ts';
import type { ComparisonTable } from './stats/comparison.ts';
import type { CurvePoint } from './stats/curves.ts';

export interface ExperimentSummary {
  readonly id: number;
  readonly name: string;
  readonly dataset: string;
  readonly optimizer: string;
  readonly tags: readonly string[];
  readonly notes: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly configHash: string;
  /** The study this experiment is a trial of, or null. */
  readonly studyId: number | null;
  /** When it was archived (hidden from the default list; ISO 8601, UTC), or null. */
  readonly archivedAt?: string | null;
  /** running if any run runs; else pending if any waits; else done if all are done; else failed or cancelled. */
  readonly status: ExperimentStatus;
  readonly runsTotal: number;
  readonly runsDone: number;
  readonly runsFailed: number;
  readonly runsRunning: number;
  readonly bestTestAcc: number | null;
  readonly meanTestAcc: number | null;
}

export interface ExperimentDetail extends ExperimentSummary {
  /** The full, validated experiment config (defaults filled in). */
  readonly config: unknown;
}

export interface ExperimentPage {
  readonly total: number;
  readonly items: readonly ExperimentListItem[];
}

/** A listed experiment; with `withDetails`, also its config and every final metric's mean over its done runs. */
export interface ExperimentListItem extends ExperimentSummary {
  readonly config?: unknown;
  readonly means?: Readonly<Record<FinalMetricName, number | null>>;
}

/** What a bulk action did: the experiments it changed, and for cancel the runs it cancelled. */
export interface BulkResult {
  readonly ids: readonly number[];
  readonly runsCancelled?: number;
  /** Delete: until when restoreExperiments can bring them back (ISO 8601, UTC). */
  readonly undoUntil?: string;
}

export interface RunSummary {
  readonly id: number;
  readonly experimentId: number;
  readonly experimentName: string;
  /** Position of the run within its experiment (0-based; the CSV's first column). */
  readonly index: number;
  readonly seed: number;
  readonly status: RunStatus;
  readonly priority: number;
  /** Last completed epoch (progress) and the configured maximum. */
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly attempts: number;
  readonly backend: string | null;
  readonly optimizer: string | null;
  readonly parameterCount: number | null;
  readonly error: string | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Final metrics, present once the run is done. */
  readonly final: Readonly<Record<FinalMetricName, number | null>> | null;
  readonly gradEvals: number | null;
  readonly epochsRun: number | null;
  readonly bestEpoch: number | null;
  readonly stoppedEarly: boolean | null;
  /** The run keeps its final checkpoint (population members whose weights others copy). */
  readonly keepCheckpoint: boolean;
  /** Waiting but held: its study is paused. */
  readonly held: boolean;
  /**
   * Cancelled on purpose by its HPO study, not by a person or a failure: 'pruned' (the
   * study's pruner stopped the trial) or 'stopped' (GPBT/PBT's early stop). Nothing to retry.
   */
  readonly stoppedBy: 'pruned' | 'stopped' | null;
  /** The worker that trains (or trained) it, when a worker of a shared store took it. */
  readonly workerId: number | null;
  readonly workerHost: string | null;
}

/** An `evolab worker` process of a shared (PostgreSQL) store, as its registration and heartbeat say. */
export interface WorkerSummary {
  readonly id: number;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  /** The compute backend its jobs use (e.g. "wasm", "tensorflow-gpu"). */
  readonly backend: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** Set when it stopped cleanly; a worker whose heartbeat lapsed is dead without it. */
  readonly stoppedAt: string | null;
  /** Runs it trains now. */
  readonly runIds: readonly number[];
}

export interface RunPage {
  readonly total: number;
  readonly items: readonly RunSummary[];
}

export interface MetricSeries {
  readonly name: string;
  /** [epoch, value] pairs; value is null where the metric was not a number (NaN). */
  readonly points: readonly (readonly [number, number | null])[];
  /** Points stored before downsampling. */
  readonly totalPoints: number;
}

export interface RunMetrics {
  readonly runId: number;
  readonly series: readonly MetricSeries[];
}

/** Why the queue stopped by itself: the database cannot be written (disk full, read-only...). */
export interface StorageProblem {
  readonly problem: string;
  /** ISO 8601, UTC. */
  readonly since: string;
}

export interface QueueState {
  /** Paused by a user (a saved setting). */
  readonly paused: boolean;
  /**
   * Set while the queue has stopped itself because results cannot be stored: running jobs
   * were stopped at their last received epoch, nothing received is dropped, and work resumes
   * when the database can be written again (retried in the background, and on resumeQueue).
   */
  readonly storage: StorageProblem | null;
  readonly slots: number;
  readonly counts: Readonly<Record<RunStatus, number>>;
  /** Of the cancelled runs, those their study stopped by design (see RunSummary.stoppedBy). */
  readonly stoppedByStudy: number;
  /** Running runs, then waiting runs in the order they will start (pending and interrupted). */
  readonly running: readonly RunSummary[];
  readonly waiting: readonly RunSummary[];
  /** The 50 most recently finished runs (done, failed, cancelled), newest first. */
  readonly finished: readonly RunSummary[];
  /** The store is shared (PostgreSQL): workers train its runs, each with slots of its own. */
  readonly shared: boolean;
  /** Workers of a shared store seen in the last 10 minutes, newest first (none for SQLite). */
  readonly workers: readonly WorkerSummary[];
}

/** Live progress of a running run, sent after every epoch. */
export interface RunProgress {
  readonly runId: number;
  readonly experimentId: number;
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly metrics: Readonly<Record<EpochMetricName, number | null>>;
  /** Seconds left if the run goes to max_epochs at its current pace. */
  readonly etaSeconds: number;
}

export interface StudySummary {
  readonly id: number;
  readonly name: string;
  readonly kind: 'tune' | 'gpbt' | 'pbt';
  readonly status: StudyStatus;
  readonly objective: { readonly metric: string; readonly direction: 'minimize' | 'maximize' };
  /** The method and its main settings in words, e.g. "TPE, 50 trials, ASHA pruning" or "GPBT n 8, 5 generations, time". */
  readonly method: string;
  /** Trials created so far, those finished, and how many the study makes in all. */
  readonly trials: number;
  readonly finishedTrials: number;
  readonly budget: number;
  /** The study's pick (its per-study trial number), once it has chosen; null before. */
  readonly bestTrial: number | null;
  /** The objective value of the best trial (the study's pick, else its best finished trial). */
  readonly bestValue: number | null;
  /** Seconds left at the pace of its finished trials (null when unknown or finished). */
  readonly etaSeconds: number | null;
  /** Why a failed study failed. */
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface TrialSummary {
  readonly id: number;
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly status: 'running' | 'done' | 'pruned' | 'failed' | 'stopped' | 'cancelled';
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** The objective on validation, and the same metric on test. */
  readonly value: number | null;
  readonly testValue: number | null;
  readonly experimentId: number | null;
  readonly runId: number | null;
  /** The status of its run: a running trial may still wait in the queue (pending, or held while its study is paused). */
  readonly runStatus: RunStatus | null;
  readonly runHeld: boolean;
  readonly checkpointId: number | null;
}

export interface StudyDetail extends StudySummary {
  /** The study config (base experiment config resolved). */
  readonly config: unknown;
  readonly trialList: readonly TrialSummary[];
  /** The genealogy: 'weights' = started from that trial's weights; 'hparams' = inherited its hyperparameters. */
  readonly edges: readonly { readonly childId: number; readonly parentId: number; readonly kind: 'weights' | 'hparams' }[];
}

/** An experiment config shipped in resources/configs, a starting point for new experiments. */
export interface ShippedConfig {
  readonly file: string;
  readonly config: unknown;
}

/** Where the service runs and what it can compute with. */
export interface EnvironmentInfo {
  readonly evolab: string;
  readonly node: string;
  readonly platform: string;
  readonly machine: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** Whether the optional GPU package (@tensorflow/tfjs-node-gpu) is installed. */
  readonly gpuPackage: boolean;
  /** What "auto" runs on here, in words (e.g. "CPU (js), GPU package not installed"). */
  readonly defaultBackend: string;
  readonly databasePath: string;
}

/** One metric of an experiment across its runs: the mean per epoch with a 95% band. */
export interface AggregatedCurve {
  readonly name: EpochMetricName;
  readonly points: readonly CurvePoint[];
}

export interface ExperimentCurves {
  readonly experimentId: number;
  /** Runs that contributed (those with stored epochs). */
  readonly runs: number;
  readonly curves: readonly AggregatedCurve[];
}

/** Per-trial values of one metric (a study's intermediate values). */
export interface StudyCurves {
  readonly studyId: number;
  readonly metric: EpochMetricName;
  readonly trials: readonly { readonly trialId: number; readonly runId: number; readonly points: readonly (readonly [number, number | null])[] }[];
}

/** One compared group (an experiment). */
export interface ComparedGroup {
  readonly experimentId: number;
  readonly label: string;
  readonly dataset: string;
  readonly runs: number;
}

export interface Comparison {
  readonly groups: readonly ComparedGroup[];
  readonly tables: readonly ComparisonTable[];
  /** Final values per group, for boxplots: one entry per data set and metric. */
  readonly finals: readonly {
    readonly dataset: string;
    readonly metric: string;
    readonly series: readonly { readonly name: string; readonly values: readonly number[] }[];
  }[];
  /** Aggregated learning curves per group: one entry per data set and metric. */
  readonly curves: readonly {
    readonly dataset: string;
    readonly metric: string;
    readonly series: readonly { readonly name: string; readonly points: readonly CurvePoint[] }[];
  }[];
  /**
   * Each group's runs with their per-epoch metrics (elapsed_s and model_evals included), in
   * the groups' order: the curve charts draw them overlaid or as a mean with its band, against
   * epoch, wall time or evaluations (src-renderer/charts/curve-chart.ts).
   */
  readonly runCurves: readonly {
    readonly experimentId: number;
    readonly runs: readonly { readonly run: number; readonly series: Readonly<Record<string, readonly (readonly [number, number | null])[]>> }[];
  }[];
}

export interface ImportSummary {
  readonly experiments: readonly ExperimentSummary[];
  /** Files left out, each with file, line and column where known. */
  readonly problems: readonly string[];
}

/** A generated file, base64 so that it travels in JSON over HTTP and IPC alike. */
export interface GeneratedFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly base64: string;
  readonly bytes: number;
}

export type AppEvent =
  | { readonly type: 'run-progress'; readonly progress: RunProgress }
  | { readonly type: 'run-status'; readonly run: RunSummary }
  | { readonly type: 'queue'; readonly paused: boolean; readonly slots: number; readonly storage: StorageProblem | null }
  | { readonly type: 'experiment'; readonly experiment: ExperimentSummary }
  | { readonly type: 'study'; readonly study: StudySummary }
  /** A study and its trial experiments were deleted. */
  | { readonly type: 'study-deleted'; readonly id: number };

// ---- requests -------------------------------------------------------------------------

const id = () => integerField(1);
const tag = z.string({ error: 'expected a string' }).trim().min(1, { error: 'a tag cannot be empty' }).max(64, { error: 'a tag has at most 64 characters' });
const tags = z.array(tag, { error: 'expected a list of tags' }).max(32, { error: 'at most 32 tags' });
const isoDate = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' });
const page = {
  limit: integerField(1, 10_000).default(100),
  offset: integerField(0).default(0),
};

export const EXPERIMENT_SORT_KEYS = ['id', 'name', 'created', 'status', 'dataset', 'optimizer', 'runs', 'metric'] as const;

export const listExperimentsRequest = z.strictObject({
  /** Case-insensitive substring of the name, notes or a tag. */
  search: z.string({ error: 'expected a string' }).max(200, { error: 'at most 200 characters' }).optional(),
  /** Experiments carrying every one of these tags. */
  tags: tags.optional(),
  status: z.array(choice(EXPERIMENT_STATUSES)).optional(),
  dataset: z.string({ error: 'expected a string' }).optional(),
  optimizer: z.string({ error: 'expected a string' }).optional(),
  createdFrom: isoDate.optional(),
  createdTo: isoDate.optional(),
  /** Trials of studies are left out unless asked for (each study is one row of its own in the UI). */
  includeTrials: z.boolean({ error: 'expected true or false' }).default(false),
  /** Only the trial experiments of this study. */
  studyId: id().optional(),
  /** Archived experiments: left out (default), the only ones listed, or listed with the rest. */
  archived: choice(['exclude', 'only', 'include']).default('exclude'),
  /** Also each experiment's config and the mean of every final metric (hyperparameter columns, range filters). */
  withDetails: z.boolean({ error: 'expected true or false' }).default(false),
  sort: z
    .strictObject({
      by: choice(EXPERIMENT_SORT_KEYS).default('created'),
      /** With by = "metric": which final metric, averaged over the experiment's done runs. */
      metric: choice(FINAL_METRICS).optional(),
      direction: choice(['asc', 'desc']).default('desc'),
    })
    .refine((s) => s.by !== 'metric' || s.metric !== undefined, { error: 'sort by metric needs sort.metric', path: ['metric'] })
    .default({ by: 'created', direction: 'desc' }),
  ...page,
});

export const experimentIdRequest = z.strictObject({ id: id() });

export const createExperimentRequest = z
  .strictObject({
    /** An experiment config; validated by the experiment schema (errors name config.<field>). */
    config: z.unknown(),
    /** Defaults to the config's name, else "<dataset> <optimizer>". */
    name: z.string({ error: 'expected a string' }).trim().min(1, { error: 'a name cannot be empty' }).max(200, { error: 'at most 200 characters' }).optional(),
    runs: integerField(1, 1000).default(1),
    /** Run i uses seed firstSeed + i. */
    firstSeed: integerField(0).default(0),
    tags: tags.default([]),
    notes: z.string({ error: 'expected a string' }).max(100_000, { error: 'at most 100000 characters' }).default(''),
    /** Higher starts first; equal priorities start first-in first-out. */
    priority: integerField(-1000, 1000).default(0),
  })
  .refine((q) => !Number.isSafeInteger(q.firstSeed) || q.firstSeed <= MAX_SAFE_INTEGER - (q.runs - 1), {
    // Above 2^53 consecutive seeds round to the same double: two runs would be identical.
    error: `firstSeed + runs - 1 must be at most ${MAX_SAFE_INTEGER} (2^53 - 1) so that every run gets its own seed`,
    path: ['firstSeed'],
  });

export const updateExperimentRequest = z.strictObject({
  id: id(),
  name: z.string({ error: 'expected a string' }).trim().min(1, { error: 'a name cannot be empty' }).max(200, { error: 'at most 200 characters' }).optional(),
  tags: tags.optional(),
  notes: z.string({ error: 'expected a string' }).max(100_000, { error: 'at most 100000 characters' }).optional(),
});

/** The experiments a bulk action applies to (the list's selection). */
const bulkIds = z
  .array(id(), { error: 'expected a list of experiment ids' })
  .min(1, { error: 'choose at least one experiment' })
  .max(10_000, { error: 'at most 10000 experiments' });

export const bulkExperimentsRequest = z.strictObject({ ids: bulkIds });

export const archiveExperimentsRequest = z.strictObject({
  ids: bulkIds,
  /** true archives (hidden from the default list), false brings them back. */
  archived: z.boolean({ error: 'expected true or false' }),
});

export const listRunsRequest = z.strictObject({
  experimentId: id().optional(),
  status: z.array(choice(RUN_STATUSES)).optional(),
  ...page,
});

export const runMetricsRequest = z.strictObject({
  runId: id(),
  names: z.array(choice(EPOCH_METRICS)).optional(),
  /** Downsample each series to at most this many points (largest-triangle-three-buckets). */
  maxPoints: integerField(3, 100_000).optional(),
});

export const runIdRequest = z.strictObject({ runId: id() });

export const moveRunRequest = z.strictObject({
  runId: id(),
  /** top / bottom of its priority class, or just before another waiting run. */
  to: z.union([z.literal('top'), z.literal('bottom'), z.strictObject({ before: id() })], {
    error: 'expected "top", "bottom" or { "before": <run id> }',
  }),
});

export const setSlotsRequest = z.strictObject({ slots: numberField('an integer in [1, 64]', (n) => Number.isInteger(n) && n >= 1 && n <= 64) });

export const emptyRequest = z.strictObject({});

export const studyIdRequest = z.strictObject({ id: id() });

export const createStudyRequest = z.strictObject({
  /** A study config (src-shared/config/study.ts) with its base experiment config inline. */
  config: z.unknown(),
  /** Defaults to the config's name, else "<kind> <dataset> <optimizer>". */
  name: z.string({ error: 'expected a string' }).trim().min(1, { error: 'a name cannot be empty' }).max(200, { error: 'at most 200 characters' }).optional(),
  /** Start it at once (else it waits in state "created" for startStudy). */
  start: z.boolean({ error: 'expected true or false' }).default(true),
  /** Continue an unfinished study of the same config instead of creating a new one (what the CLI does). */
  resume: z.boolean({ error: 'expected true or false' }).default(false),
});

export const queueStudyBestRequest = z.strictObject({
  id: id(),
  /** Runs of the best configuration, seeds firstSeed, firstSeed + 1, ... */
  runs: integerField(1, 1000).default(5),
  firstSeed: integerField(0).default(0),
});

const maxPoints = integerField(3, 100_000);

export const experimentCurvesRequest = z.strictObject({
  id: id(),
  names: z.array(choice(EPOCH_METRICS)).optional(),
  maxPoints: maxPoints.optional(),
});

export const studyCurvesRequest = z.strictObject({
  id: id(),
  /** Defaults to the study's objective metric when it is an epoch metric, else val_loss. */
  metric: choice(EPOCH_METRICS).optional(),
  maxPoints: maxPoints.default(200),
});

const experimentIds = z
  .array(id(), { error: 'expected a list of experiment ids' })
  .min(1, { error: 'choose at least one experiment' })
  .max(50, { error: 'at most 50 experiments' });
const compareOptions = {
  metrics: z.array(choice(FINAL_METRICS)).min(1, { error: 'choose at least one metric' }).optional(),
  /** Match runs by index and use the Wilcoxon signed-rank test. */
  paired: z.boolean({ error: 'expected true or false' }).default(false),
};

export const compareRequest = z.strictObject({ experimentIds, ...compareOptions });

export const exportReportRequest = z.strictObject({
  experimentIds,
  ...compareOptions,
  title: z
    .string({ error: 'expected a string' })
    .trim()
    .min(1, { error: 'a title cannot be empty' })
    .max(200, { error: 'at most 200 characters' })
    .default('Evolab comparison report'),
  format: choice(['pdf', 'html']).default('pdf'),
});

export const importResultsRequest = z.strictObject({
  /** A folder on the machine running the service. */
  folder: z.string({ error: 'expected a folder path' }).trim().min(1, { error: 'give a folder' }).max(4096),
  name: z.string({ error: 'expected a string' }).trim().min(1, { error: 'a name cannot be empty' }).max(200, { error: 'at most 200 characters' }),
});

/** Every AppApi method and the schema of its request. */
export const API_REQUESTS = {
  listExperiments: listExperimentsRequest,
  getExperiment: experimentIdRequest,
  createExperiment: createExperimentRequest,
  updateExperiment: updateExperimentRequest,
  listRuns: listRunsRequest,
  getRunMetrics: runMetricsRequest,
  getQueue: emptyRequest,
  cancelRun: runIdRequest,
  retryRun: runIdRequest,
  moveRun: moveRunRequest,
  pauseQueue: emptyRequest,
  resumeQueue: emptyRequest,
  setSlots: setSlotsRequest,
  listStudies: emptyRequest,
  getStudy: studyIdRequest,
  getStudyCurves: studyCurvesRequest,
  getExperimentCurves: experimentCurvesRequest,
  listConfigs: emptyRequest,
  getEnvironment: emptyRequest,
  compareExperiments: compareRequest,
  exportReport: exportReportRequest,
  importResults: importResultsRequest,
  createStudy: createStudyRequest,
  startStudy: studyIdRequest,
  pauseStudy: studyIdRequest,
  resumeStudy: studyIdRequest,
  cancelStudy: studyIdRequest,
  deleteStudy: studyIdRequest,
  queueStudyBest: queueStudyBestRequest,
  listStudyTemplates: emptyRequest,
  cancelExperiments: bulkExperimentsRequest,
  archiveExperiments: archiveExperimentsRequest,
  deleteExperiments: bulkExperimentsRequest,
  restoreExperiments: bulkExperimentsRequest,
} as const satisfies Record<ApiMethod, z.ZodType>;

export type { ApiMethod };
export { EPOCH_METRICS, EXPERIMENT_STATUSES, FINAL_METRICS, RUN_STATUSES, STUDY_STATUSES } from './api-names.ts';
export type { EpochMetricName, ExperimentStatus, FinalMetricName, RunStatus, StudyStatus } from './api-names.ts';
export type ApiRequest<M extends ApiMethod> = z.input<(typeof API_REQUESTS)[M]>;
export type ParsedRequest<M extends ApiMethod> = z.output<(typeof API_REQUESTS)[M]>;

export interface ApiResponses {
  listExperiments: ExperimentPage;
  getExperiment: ExperimentDetail;
  createExperiment: ExperimentDetail;
  updateExperiment: ExperimentSummary;
  listRuns: RunPage;
  getRunMetrics: RunMetrics;
  getQueue: QueueState;
  cancelRun: RunSummary;
  retryRun: RunSummary;
  moveRun: QueueState;
  pauseQueue: QueueState;
  resumeQueue: QueueState;
  setSlots: QueueState;
  listStudies: readonly StudySummary[];
  getStudy: StudyDetail;
  getStudyCurves: StudyCurves;
  getExperimentCurves: ExperimentCurves;
  listConfigs: readonly ShippedConfig[];
  getEnvironment: EnvironmentInfo;
  compareExperiments: Comparison;
  exportReport: GeneratedFile;
  importResults: ImportSummary;
  createStudy: StudyDetail;
  startStudy: StudySummary;
  pauseStudy: StudySummary;
  resumeStudy: StudySummary;
  cancelStudy: StudySummary;
  deleteStudy: { readonly deleted: number };
  queueStudyBest: ExperimentDetail;
  listStudyTemplates: readonly StudyTemplate[];
  cancelExperiments: BulkResult;
  archiveExperiments: BulkResult;
  deleteExperiments: BulkResult;
  restoreExperiments: BulkResult;
}

/** A study shipped in resources/studies, its base config inline: a starting point for new studies. */
export interface StudyTemplate {
  readonly file: string;
  readonly name: string;
  readonly kind: 'tune' | 'gpbt' | 'pbt';
  readonly config: unknown;
}

/** The contract: one async method per entry of API_REQUESTS, plus the event subscription. */
export type AppApi = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponses[M]> } & {
  /** Calls listener for every event until the returned function is called. */
  subscribe(listener: (event: AppEvent) => void): () => void;
};

export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(API_REQUESTS, name);
}

/** Validates a request for a method; throws a ValidationError naming each bad field. */
export function parseRequest<M extends ApiMethod>(method: M, request: unknown): ParsedRequest<M> {
  const schema: z.ZodType<ParsedRequest<M>> = API_REQUESTS[method] as unknown as z.ZodType<ParsedRequest<M>>;
  const result = schema.safeParse(request ?? {}, { error: fallbackMessage, reportInput: true });
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}
