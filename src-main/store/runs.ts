// Runs: one seeded training run of an experiment and its place in the queue. Waiting runs
// (pending, or interrupted and due to resume) start by priority, then first-in first-out
// by queue_position, which reordering rewrites. Status changes are plain updates; the
// service wraps related writes (status + metrics + checkpoint) in one transaction.

import type { FinalMetricName, ParsedRequest, RunPage, RunStatus, RunSummary } from '../../src-shared/api.ts';
import { FINAL_METRICS } from '../../src-shared/api.ts';
import type { SqliteDatabase } from './database.ts';

export interface RunOutcome {
  readonly time: number;
  readonly final: Readonly<Record<Exclude<FinalMetricName, 'time' | 'model_evals'>, number>>;
  readonly modelEvals: number;
  readonly gradEvals: number;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
}

export interface RunEnvironment {
  readonly backend: string;
  readonly optimizer: string;
  readonly parameterCount: number;
}

export type QueuePlacement = 'top' | 'bottom' | { readonly before: number };

export interface RunRepositorySync {
  insertForExperiment(experimentId: number, runs: number, firstSeed: number, priority: number, maxEpochs: number, now: string): void;
  /** One run that keeps its final checkpoint if asked (HPO trials); returns its id. */
  insertOne(experimentId: number, seed: number, priority: number, maxEpochs: number, keepCheckpoint: boolean, now: string, runIndex?: number): number;
  get(id: number): RunSummary | null;
  list(query: ParsedRequest<'listRuns'>): RunPage;
  /** Waiting runs (pending, interrupted) in start order. */
  waiting(limit: number): RunSummary[];
  running(): RunSummary[];
  /** Finished runs (done, failed, cancelled), latest first. */
  recentlyFinished(limit: number): RunSummary[];
  statusCounts(): Record<RunStatus, number>;
  /** Cancelled runs whose study stopped them by design (pruned or stopped trials). */
  stoppedByStudyCount(): number;
  markRunning(id: number, now: string): void;
  /**
   * A worker of a shared store takes a run: a waiting one that is not held, or one still
   * marked running by another worker whose claim the job queue has given up (its heartbeat
   * lapsed). Returns false when the run is not there to take (cancelled, done, held…).
   */
  claim(id: number, workerId: number, now: string): boolean;
  recordEnvironment(id: number, environment: RunEnvironment): void;
  setProgress(id: number, epoch: number): void;
  markDone(id: number, outcome: RunOutcome, now: string): void;
  markFailed(id: number, error: string, now: string): void;
  markCancelled(id: number, now: string): void;
  /** Runs left 'running' by a process that is gone become 'interrupted'; returns how many. */
  interruptRunning(): number;
  /**
   * A running run whose job stopped before finishing (storage trouble, killed from outside)
   * becomes 'interrupted' and resumes from its checkpoint; `reason` is kept until it runs again.
   */
  markInterrupted(id: number, reason: string): void;
  /** Back to pending from scratch (epoch 0, no final metrics, no error). */
  resetForRetry(id: number, now: string): void;
  move(id: number, to: QueuePlacement): void;
  count(): number;
  /** Holds (or releases) the waiting runs of a study's experiments: held runs do not start. */
  setHeldForStudy(studyId: number, held: boolean): void;
  /** Every run of a study's trial experiments. */
  forStudy(studyId: number): RunSummary[];
}

/** A run as SELECT below reads it (both stores read the same columns). */
export interface RunRow {
  id: number;
  experiment_id: number;
  experiment_name: string;
  run_index: number;
  seed: number;
  status: RunStatus;
  priority: number;
  epoch: number;
  max_epochs: number;
  attempts: number;
  backend: string | null;
  optimizer: string | null;
  parameter_count: number | null;
  error: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  time: number | null;
  train_loss: number | null;
  train_acc: number | null;
  val_loss: number | null;
  val_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  model_evals: number | null;
  grad_evals: number | null;
  epochs_run: number | null;
  best_epoch: number | null;
  stopped_early: number | null;
  keep_checkpoint: number;
  held: number;
  /** The status of the HPO trial this run belongs to, if any. */
  trial_status: string | null;
  worker_id: number | null;
  worker_host: string | null;
}

export function toRunSummary(row: RunRow): RunSummary {
  const final = row.status === 'done' ? (Object.fromEntries(FINAL_METRICS.map((name) => [name, row[name]])) as Record<FinalMetricName, number | null>) : null;
  return {
    id: row.id,
    experimentId: row.experiment_id,
    experimentName: row.experiment_name,
    index: row.run_index,
    seed: row.seed,
    status: row.status,
    priority: row.priority,
    epoch: row.epoch,
    maxEpochs: row.max_epochs,
    attempts: row.attempts,
    backend: row.backend,
    optimizer: row.optimizer,
    parameterCount: row.parameter_count,
    error: row.error,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    final,
    gradEvals: row.grad_evals,
    epochsRun: row.epochs_run,
    bestEpoch: row.best_epoch,
    stoppedEarly: row.stopped_early === null ? null : row.stopped_early !== 0,
    keepCheckpoint: row.keep_checkpoint !== 0,
    held: row.held !== 0,
    stoppedBy: row.status === 'cancelled' && (row.trial_status === 'pruned' || row.trial_status === 'stopped') ? row.trial_status : null,
    workerId: row.worker_id,
    workerHost: row.worker_host,
  };
}

// A run's trial status tells a run its study stopped by design from one a person cancelled
// (indexed: trials_run).
const TRIAL_STATUS = '(SELECT t.status FROM trials t WHERE t.run_id = r.id LIMIT 1)';
const SELECT = `SELECT r.*, e.name AS experiment_name, ${TRIAL_STATUS} AS trial_status, w.host AS worker_host
  FROM runs r JOIN experiments e ON e.id = r.experiment_id LEFT JOIN workers w ON w.id = r.worker_id`;
const START_ORDER = 'r.priority DESC, r.queue_position ASC';

export class SqliteRunRepository implements RunRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  insertForExperiment(experimentId: number, runs: number, firstSeed: number, priority: number, maxEpochs: number, now: string): void {
    const last = (this.db.prepare('SELECT coalesce(max(queue_position), 0) AS p FROM runs').get() as { p: number }).p;
    const insert = this.db.prepare(
      `INSERT INTO runs (experiment_id, run_index, seed, status, priority, queue_position, max_epochs, queued_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
    );
    for (let i = 0; i < runs; i++) insert.run(experimentId, i, firstSeed + i, priority, last + i + 1, maxEpochs, now);
  }

  insertOne(experimentId: number, seed: number, priority: number, maxEpochs: number, keepCheckpoint: boolean, now: string, runIndex = 0): number {
    const last = (this.db.prepare('SELECT coalesce(max(queue_position), 0) AS p FROM runs').get() as { p: number }).p;
    const result = this.db
      .prepare(
        `INSERT INTO runs (experiment_id, run_index, seed, status, priority, queue_position, max_epochs, keep_checkpoint, queued_at)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      )
      .run(experimentId, runIndex, seed, priority, last + 1, maxEpochs, keepCheckpoint ? 1 : 0, now);
    return Number(result.lastInsertRowid);
  }

  get(id: number): RunSummary | null {
    const row = this.db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    return row === undefined ? null : toRunSummary(row);
  }

  list(query: ParsedRequest<'listRuns'>): RunPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.experimentId !== undefined) {
      where.push('r.experiment_id = ?');
      params.push(query.experimentId);
    }
    if (query.status !== undefined && query.status.length > 0) {
      where.push(`r.status IN (${query.status.map(() => '?').join(', ')})`);
      params.push(...query.status);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM runs r ${filter}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`${SELECT} ${filter} ORDER BY r.experiment_id, r.run_index LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as RunRow[];
    return { total, items: rows.map(toRunSummary) };
  }

  waiting(limit: number): RunSummary[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE r.status IN ('pending', 'interrupted') AND r.held = 0 ORDER BY ${START_ORDER} LIMIT ?`)
      .all(limit) as RunRow[];
    return rows.map(toRunSummary);
  }

  running(): RunSummary[] {
    return (this.db.prepare(`${SELECT} WHERE r.status = 'running' ORDER BY r.started_at, r.id`).all() as RunRow[]).map(toRunSummary);
  }

  recentlyFinished(limit: number): RunSummary[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE r.status IN ('done', 'failed', 'cancelled') ORDER BY r.finished_at DESC, r.id DESC LIMIT ?`)
      .all(limit) as RunRow[];
    return rows.map(toRunSummary);
  }

  statusCounts(): Record<RunStatus, number> {
    const counts: Record<RunStatus, number> = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0, interrupted: 0 };
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM runs GROUP BY status').all() as { status: RunStatus; n: number }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  stoppedByStudyCount(): number {
    const sql = `SELECT count(*) AS n FROM runs r WHERE r.status = 'cancelled' AND ${TRIAL_STATUS} IN ('pruned', 'stopped')`;
    return (this.db.prepare(sql).get() as { n: number }).n;
  }

  markRunning(id: number, now: string): void {
    this.db
      .prepare("UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ?), error = NULL WHERE id = ?")
      .run(now, id);
  }

  claim(id: number, workerId: number, now: string): boolean {
    const result = this.db
      .prepare(
        `UPDATE runs SET status = 'running', worker_id = ?, attempts = attempts + 1, started_at = coalesce(started_at, ?), error = NULL
         WHERE id = ? AND ((status IN ('pending', 'interrupted') AND held = 0) OR (status = 'running' AND worker_id IS NOT ?))`,
      )
      .run(workerId, now, id, workerId);
    return result.changes === 1;
  }

  recordEnvironment(id: number, environment: RunEnvironment): void {
    this.db
      .prepare('UPDATE runs SET backend = ?, optimizer = ?, parameter_count = ? WHERE id = ?')
      .run(environment.backend, environment.optimizer, environment.parameterCount, id);
  }

  setProgress(id: number, epoch: number): void {
    this.db.prepare('UPDATE runs SET epoch = ? WHERE id = ?').run(epoch, id);
  }

  markDone(id: number, outcome: RunOutcome, now: string): void {
    const f = outcome.final;
    this.db
      .prepare(
        `UPDATE runs SET status = 'done', time = ?, train_loss = ?, train_acc = ?, val_loss = ?, val_acc = ?,
           test_loss = ?, test_acc = ?, model_evals = ?, grad_evals = ?, epochs_run = ?, best_epoch = ?,
           stopped_early = ?, epoch = ?, error = NULL, finished_at = ? WHERE id = ?`,
      )
      .run(
        outcome.time,
        f.train_loss,
        f.train_acc,
        f.val_loss,
        f.val_acc,
        f.test_loss,
        f.test_acc,
        outcome.modelEvals,
        outcome.gradEvals,
        outcome.epochsRun,
        outcome.bestEpoch,
        outcome.stoppedEarly ? 1 : 0,
        outcome.epochsRun,
        now,
        id,
      );
  }

  markFailed(id: number, error: string, now: string): void {
    this.db.prepare("UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?").run(error, now, id);
  }

  markCancelled(id: number, now: string): void {
    this.db.prepare("UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ?").run(now, id);
  }

  interruptRunning(): number {
    return this.db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").run().changes;
  }

  markInterrupted(id: number, reason: string): void {
    this.db.prepare("UPDATE runs SET status = 'interrupted', error = ? WHERE id = ? AND status = 'running'").run(reason, id);
  }

  resetForRetry(id: number, now: string): void {
    const last = (this.db.prepare('SELECT coalesce(max(queue_position), 0) AS p FROM runs').get() as { p: number }).p;
    this.db
      .prepare(
        `UPDATE runs SET status = 'pending', epoch = 0, error = NULL, started_at = NULL, finished_at = NULL,
           time = NULL, train_loss = NULL, train_acc = NULL, val_loss = NULL, val_acc = NULL, test_loss = NULL,
           test_acc = NULL, model_evals = NULL, grad_evals = NULL, epochs_run = NULL, best_epoch = NULL,
           stopped_early = NULL, backend = NULL, optimizer = NULL, parameter_count = NULL,
           queue_position = ?, queued_at = ? WHERE id = ?`,
      )
      .run(last + 1, now, id);
  }

  move(id: number, to: QueuePlacement): void {
    const bounds = this.db.prepare('SELECT min(queue_position) AS lo, max(queue_position) AS hi FROM runs').get() as { lo: number; hi: number };
    if (to === 'top') {
      this.db.prepare('UPDATE runs SET queue_position = ? WHERE id = ?').run(bounds.lo - 1, id);
    } else if (to === 'bottom') {
      this.db.prepare('UPDATE runs SET queue_position = ? WHERE id = ?').run(bounds.hi + 1, id);
    } else {
      const target = this.db.prepare('SELECT queue_position AS p, priority FROM runs WHERE id = ?').get(to.before) as { p: number; priority: number };
      // Make room: everything from the target on moves one place back; the run takes the
      // target's place and priority, so it really starts just before it.
      this.db.prepare('UPDATE runs SET queue_position = queue_position + 1 WHERE queue_position >= ?').run(target.p);
      this.db.prepare('UPDATE runs SET queue_position = ?, priority = ? WHERE id = ?').run(target.p, target.priority, id);
    }
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  }

  setHeldForStudy(studyId: number, held: boolean): void {
    this.db.prepare(`UPDATE runs SET held = ? WHERE experiment_id IN (SELECT id FROM experiments WHERE study_id = ?)`).run(held ? 1 : 0, studyId);
  }

  forStudy(studyId: number): RunSummary[] {
    return (this.db.prepare(`${SELECT} WHERE e.study_id = ? ORDER BY r.id`).all(studyId) as RunRow[]).map(toRunSummary);
  }
}
