// Runs on PostgreSQL: the same statements as ../runs.ts (SQLite), answering the same. Where
// SQLite's answer depended on an index's order (ties, LIMIT 1 without ORDER BY, NULLs sorting
// first), the order is spelled out here so that both stores agree.

import type { ParsedRequest, RunPage, RunStatus, RunSummary } from '../../../src-shared/api.ts';
import type { RunRepository } from '../contract.ts';
import { type QueuePlacement, type RunEnvironment, type RunOutcome, type RunRow, toRunSummary } from '../runs.ts';
import { type DeferredWrite, type PostgresDatabase, Placeholders, type SqlValue } from './database.ts';

/** SQLite stores NaN as NULL (infinities as themselves); PostgreSQL would keep NaN. */
function stored(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

// A run's trial status tells a run its study stopped by design from one a person cancelled;
// SQLite's LIMIT 1 takes the first trial in index order (trials_run: the lowest id).
const TRIAL_STATUS = '(SELECT t.status FROM trials t WHERE t.run_id = r.id ORDER BY t.id LIMIT 1)';
const SELECT = `SELECT r.*, e.name AS experiment_name, ${TRIAL_STATUS} AS trial_status, w.host AS worker_host
  FROM runs r JOIN experiments e ON e.id = r.experiment_id LEFT JOIN workers w ON w.id = r.worker_id`;
const START_ORDER = 'r.priority DESC, r.queue_position ASC, r.id ASC';
const NEXT_POSITION = '(SELECT coalesce(max(queue_position), 0) + 1 FROM runs)';

/**
 * Progress reported inside a transaction, held back with that transaction's metrics (see
 * metrics.ts) and sent as one UPDATE before its next query or COMMIT: a job reports each
 * epoch's metrics and progress together, and one round trip per epoch would be the cost of
 * storing it. Only the last epoch reported per run counts, as with one UPDATE per report.
 */
class HeldProgress implements DeferredWrite {
  private epochs = new Map<number, number>();

  set(id: number, epoch: number): void {
    this.epochs.set(id, epoch);
  }

  take(): { sql: string; params: SqlValue[] } | null {
    if (this.epochs.size === 0) return null;
    const ids = [...this.epochs.keys()];
    const epochs = [...this.epochs.values()];
    this.epochs = new Map();
    return {
      sql: 'UPDATE runs SET epoch = v.epoch FROM unnest($1::bigint[], $2::bigint[]) AS v (id, epoch) WHERE runs.id = v.id',
      params: [ids, epochs],
    };
  }
}

export class PostgresRunRepository implements RunRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async insertForExperiment(experimentId: number, runs: number, firstSeed: number, priority: number, maxEpochs: number, now: string): Promise<void> {
    // One statement for all the runs, ids in run order (the stats trigger then runs once).
    await this.db.execute(
      `INSERT INTO runs (experiment_id, run_index, seed, status, priority, queue_position, max_epochs, queued_at)
       SELECT $1::bigint, i, $2::bigint + i, 'pending', $3::bigint, last.p + i + 1, $4::bigint, $5::text
       FROM generate_series(0, $6::bigint - 1) AS i, (SELECT coalesce(max(queue_position), 0) AS p FROM runs) AS last
       ORDER BY i`,
      [experimentId, firstSeed, priority, maxEpochs, now, runs],
    );
  }

  async insertOne(
    experimentId: number,
    seed: number,
    priority: number,
    maxEpochs: number,
    keepCheckpoint: boolean,
    now: string,
    runIndex = 0,
  ): Promise<number> {
    const rows = await this.db.query<{ id: number }>(
      `INSERT INTO runs (experiment_id, run_index, seed, status, priority, queue_position, max_epochs, keep_checkpoint, queued_at)
       VALUES ($1, $2, $3, 'pending', $4, ${NEXT_POSITION}, $5, $6, $7) RETURNING id`,
      [experimentId, runIndex, seed, priority, maxEpochs, keepCheckpoint ? 1 : 0, now],
    );
    return rows[0].id;
  }

  async get(id: number): Promise<RunSummary | null> {
    const row = await this.db.one<RunRow>(`${SELECT} WHERE r.id = $1`, [id]);
    return row === null ? null : toRunSummary(row);
  }

  async list(query: ParsedRequest<'listRuns'>): Promise<RunPage> {
    const where: string[] = [];
    const params = new Placeholders();
    if (query.experimentId !== undefined) where.push(`r.experiment_id = ${params.add(query.experimentId)}`);
    if (query.status !== undefined && query.status.length > 0) where.push(`r.status = ANY (${params.add(query.status)}::text[])`);
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM runs r ${filter}`, params.values))?.n ?? 0;
    const sql = `${SELECT} ${filter} ORDER BY r.experiment_id, r.run_index LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`;
    const rows = await this.db.query<RunRow>(sql, params.values);
    return { total, items: rows.map(toRunSummary) };
  }

  async waiting(limit: number): Promise<RunSummary[]> {
    const rows = await this.db.query<RunRow>(`${SELECT} WHERE r.status IN ('pending', 'interrupted') AND r.held = 0 ORDER BY ${START_ORDER} LIMIT $1`, [limit]);
    return rows.map(toRunSummary);
  }

  async running(): Promise<RunSummary[]> {
    // SQLite sorts NULL first.
    const rows = await this.db.query<RunRow>(`${SELECT} WHERE r.status = 'running' ORDER BY r.started_at ASC NULLS FIRST, r.id`);
    return rows.map(toRunSummary);
  }

  async recentlyFinished(limit: number): Promise<RunSummary[]> {
    const rows = await this.db.query<RunRow>(
      `${SELECT} WHERE r.status IN ('done', 'failed', 'cancelled') ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toRunSummary);
  }

  async statusCounts(): Promise<Record<RunStatus, number>> {
    const counts: Record<RunStatus, number> = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0, interrupted: 0 };
    const rows = await this.db.query<{ status: RunStatus; n: number }>('SELECT status, count(*) AS n FROM runs GROUP BY status');
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async stoppedByStudyCount(): Promise<number> {
    const row = await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM runs r WHERE r.status = 'cancelled' AND ${TRIAL_STATUS} IN ('pruned', 'stopped')`);
    return row?.n ?? 0;
  }

  async markRunning(id: number, now: string): Promise<void> {
    await this.db.execute("UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, $1), error = NULL WHERE id = $2", [
      now,
      id,
    ]);
  }

  async claim(id: number, workerId: number, now: string): Promise<boolean> {
    // One statement: when two workers race for a run, the second re-checks the row as the first left it.
    const changed = await this.db.execute(
      `UPDATE runs SET status = 'running', worker_id = $1, attempts = attempts + 1, started_at = coalesce(started_at, $2), error = NULL
       WHERE id = $3 AND ((status IN ('pending', 'interrupted') AND held = 0) OR (status = 'running' AND worker_id IS DISTINCT FROM $1))`,
      [workerId, now, id],
    );
    return changed === 1;
  }

  async recordEnvironment(id: number, environment: RunEnvironment): Promise<void> {
    await this.db.execute('UPDATE runs SET backend = $1, optimizer = $2, parameter_count = $3 WHERE id = $4', [
      environment.backend,
      environment.optimizer,
      environment.parameterCount,
      id,
    ]);
  }

  async setProgress(id: number, epoch: number): Promise<void> {
    const held = this.db.deferred(this, () => new HeldProgress());
    if (held !== null) held.set(id, epoch);
    else await this.db.execute('UPDATE runs SET epoch = $1 WHERE id = $2', [epoch, id]);
  }

  async markDone(id: number, outcome: RunOutcome, now: string): Promise<void> {
    const f = outcome.final;
    await this.db.execute(
      `UPDATE runs SET status = 'done', time = $1, train_loss = $2, train_acc = $3, val_loss = $4, val_acc = $5,
         test_loss = $6, test_acc = $7, model_evals = $8, grad_evals = $9, epochs_run = $10, best_epoch = $11,
         stopped_early = $12, epoch = $13, error = NULL, finished_at = $14 WHERE id = $15`,
      [
        stored(outcome.time),
        stored(f.train_loss),
        stored(f.train_acc),
        stored(f.val_loss),
        stored(f.val_acc),
        stored(f.test_loss),
        stored(f.test_acc),
        stored(outcome.modelEvals),
        stored(outcome.gradEvals),
        stored(outcome.epochsRun),
        stored(outcome.bestEpoch),
        outcome.stoppedEarly ? 1 : 0,
        stored(outcome.epochsRun),
        now,
        id,
      ],
    );
  }

  async markFailed(id: number, error: string, now: string): Promise<void> {
    await this.db.execute("UPDATE runs SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3", [error, now, id]);
  }

  async markCancelled(id: number, now: string): Promise<void> {
    await this.db.execute("UPDATE runs SET status = 'cancelled', finished_at = $1 WHERE id = $2", [now, id]);
  }

  interruptRunning(): Promise<number> {
    return this.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'");
  }

  async markInterrupted(id: number, reason: string): Promise<void> {
    await this.db.execute("UPDATE runs SET status = 'interrupted', error = $1 WHERE id = $2 AND status = 'running'", [reason, id]);
  }

  async resetForRetry(id: number, now: string): Promise<void> {
    await this.db.execute(
      `UPDATE runs SET status = 'pending', epoch = 0, error = NULL, started_at = NULL, finished_at = NULL,
         time = NULL, train_loss = NULL, train_acc = NULL, val_loss = NULL, val_acc = NULL, test_loss = NULL,
         test_acc = NULL, model_evals = NULL, grad_evals = NULL, epochs_run = NULL, best_epoch = NULL,
         stopped_early = NULL, backend = NULL, optimizer = NULL, parameter_count = NULL,
         queue_position = ${NEXT_POSITION}, queued_at = $1 WHERE id = $2`,
      [now, id],
    );
  }

  move(id: number, to: QueuePlacement): Promise<void> {
    return this.db.atomic(async () => {
      if (to === 'top') {
        await this.db.execute('UPDATE runs SET queue_position = (SELECT min(queue_position) - 1 FROM runs) WHERE id = $1', [id]);
      } else if (to === 'bottom') {
        await this.db.execute('UPDATE runs SET queue_position = (SELECT max(queue_position) + 1 FROM runs) WHERE id = $1', [id]);
      } else {
        const target = await this.db.one<{ p: number; priority: number }>('SELECT queue_position AS p, priority FROM runs WHERE id = $1', [to.before]);
        // SQLite's repository fails reading the missing row (a TypeError); the service checks first.
        if (target === null) throw new TypeError(`run ${to.before} does not exist`);
        // Make room: everything from the target on moves one place back; the run takes the
        // target's place and priority, so it really starts just before it.
        await this.db.execute('UPDATE runs SET queue_position = queue_position + 1 WHERE queue_position >= $1', [target.p]);
        await this.db.execute('UPDATE runs SET queue_position = $1, priority = $2 WHERE id = $3', [target.p, target.priority, id]);
      }
    });
  }

  async count(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM runs'))?.n ?? 0;
  }

  async setHeldForStudy(studyId: number, held: boolean): Promise<void> {
    await this.db.execute('UPDATE runs SET held = $1 WHERE experiment_id IN (SELECT id FROM experiments WHERE study_id = $2)', [held ? 1 : 0, studyId]);
  }

  async forStudy(studyId: number): Promise<RunSummary[]> {
    const rows = await this.db.query<RunRow>(`${SELECT} WHERE e.study_id = $1 ORDER BY r.id`, [studyId]);
    return rows.map(toRunSummary);
  }
}
