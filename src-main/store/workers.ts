// Workers: `evolab worker` processes sharing a store register here (host, pid, slots,
// backend) and refresh a heartbeat every few seconds, so the queue view can show who trains
// what and a dead worker is visible. Claims on runs are not kept here: the job queue library
// (queue/distributed/) owns them; a run only records which worker trained it (runs.worker_id).

import type { WorkerSummary } from '../../src-shared/api.ts';
import type { SqliteDatabase } from './database.ts';

export interface NewWorker {
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  readonly backend: string;
  readonly now: string;
}

export interface WorkerRepositorySync {
  /** Registers a starting worker; returns its id. */
  register(worker: NewWorker): number;
  heartbeat(id: number, now: string): void;
  /** Marks a worker stopped (a clean exit). */
  stop(id: number, now: string): void;
  get(id: number): WorkerSummary | null;
  /** Workers whose heartbeat is at or after `since`, or that are still marked running, newest first. */
  list(since: string): WorkerSummary[];
}

/** A worker as the stores' SELECTs read it (run_ids: the ids of its running runs, comma-separated). */
export interface WorkerRow {
  id: number;
  host: string;
  pid: number;
  slots: number;
  backend: string;
  started_at: string;
  heartbeat_at: string;
  stopped_at: string | null;
  run_ids: string | null;
}

export function toWorkerSummary(row: WorkerRow): WorkerSummary {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    slots: row.slots,
    backend: row.backend,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    stoppedAt: row.stopped_at,
    runIds: row.run_ids === null || row.run_ids === '' ? [] : row.run_ids.split(',').map(Number),
  };
}

const SELECT = `SELECT w.*, (SELECT group_concat(r.id, ',') FROM runs r WHERE r.worker_id = w.id AND r.status = 'running') AS run_ids FROM workers w`;

export class SqliteWorkerRepository implements WorkerRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  register(worker: NewWorker): number {
    const result = this.db
      .prepare('INSERT INTO workers (host, pid, slots, backend, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(worker.host, worker.pid, worker.slots, worker.backend, worker.now, worker.now);
    return Number(result.lastInsertRowid);
  }

  heartbeat(id: number, now: string): void {
    this.db.prepare('UPDATE workers SET heartbeat_at = ? WHERE id = ?').run(now, id);
  }

  stop(id: number, now: string): void {
    this.db.prepare('UPDATE workers SET stopped_at = ?, heartbeat_at = ? WHERE id = ?').run(now, now, id);
  }

  get(id: number): WorkerSummary | null {
    const row = this.db.prepare(`${SELECT} WHERE w.id = ?`).get(id) as WorkerRow | undefined;
    return row === undefined ? null : toWorkerSummary(row);
  }

  list(since: string): WorkerSummary[] {
    const rows = this.db.prepare(`${SELECT} WHERE w.heartbeat_at >= ? OR w.stopped_at IS NULL ORDER BY w.id DESC`).all(since) as WorkerRow[];
    return rows.map(toWorkerSummary);
  }
}
