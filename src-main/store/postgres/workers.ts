// Workers on PostgreSQL, as ../workers.ts (SQLite): `evolab worker` processes register, beat
// and stop here; each lists the runs it trains now (runs.worker_id).

import type { WorkerSummary } from '../../../src-shared/api.ts';
import type { WorkerRepository } from '../contract.ts';
import { type NewWorker, toWorkerSummary, type WorkerRow } from '../workers.ts';
import type { PostgresDatabase } from './database.ts';

// SQLite's group_concat lists them in index order (runs_worker: by run id).
const SELECT = `SELECT w.*, (SELECT string_agg(r.id::text, ',' ORDER BY r.id) FROM runs r WHERE r.worker_id = w.id AND r.status = 'running') AS run_ids FROM workers w`;

export class PostgresWorkerRepository implements WorkerRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async register(worker: NewWorker): Promise<number> {
    const rows = await this.db.query<{ id: number }>(
      'INSERT INTO workers (host, pid, slots, backend, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
      [worker.host, worker.pid, worker.slots, worker.backend, worker.now],
    );
    return rows[0].id;
  }

  async heartbeat(id: number, now: string): Promise<void> {
    await this.db.execute('UPDATE workers SET heartbeat_at = $1 WHERE id = $2', [now, id]);
  }

  async stop(id: number, now: string): Promise<void> {
    await this.db.execute('UPDATE workers SET stopped_at = $1, heartbeat_at = $1 WHERE id = $2', [now, id]);
  }

  async get(id: number): Promise<WorkerSummary | null> {
    const row = await this.db.one<WorkerRow>(`${SELECT} WHERE w.id = $1`, [id]);
    return row === null ? null : toWorkerSummary(row);
  }

  async list(since: string): Promise<WorkerSummary[]> {
    const rows = await this.db.query<WorkerRow>(`${SELECT} WHERE w.heartbeat_at >= $1 OR w.stopped_at IS NULL ORDER BY w.id DESC`, [since]);
    return rows.map(toWorkerSummary);
  }
}
