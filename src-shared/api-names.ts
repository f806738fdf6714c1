// The names the AppApi is made of: statuses and metric names, as plain constants. Kept apart
// from api.ts (which builds the request schemas with zod) so that code which only needs the
// names, such as the CLI's option choices, loads nothing else.

export const RUN_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** An experiment's status, derived from its runs (see ExperimentSummary.status). */
export const EXPERIMENT_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** Metrics recorded for every epoch of a run. */
export const EPOCH_METRICS = ['train_loss', 'train_acc', 'val_loss', 'val_acc', 'elapsed_s', 'model_evals', 'grad_evals'] as const;
export type EpochMetricName = (typeof EPOCH_METRICS)[number];

/** Final metrics of a finished run (the reference CSV's columns). */
export const FINAL_METRICS = ['time', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'model_evals'] as const;
export type FinalMetricName = (typeof FINAL_METRICS)[number];

export const STUDY_STATUSES = ['created', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
/** created: not started; running, or paused by a user (its waiting runs held); done, failed or cancelled. */
export type StudyStatus = (typeof STUDY_STATUSES)[number];

/** The final metrics a comparison shows when none are named. */
export const DEFAULT_METRICS = ['test_acc', 'test_loss', 'val_acc', 'val_loss', 'train_acc', 'train_loss', 'time', 'model_evals'] as const;
