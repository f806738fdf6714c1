// Per-epoch metrics: one row per (run, metric name, epoch). Inserts are idempotent (a
// resumed run may send an epoch again) and are meant to be batched inside the caller's
// transaction; reads return a series ordered by epoch, straight off the primary key.

import type { SqliteDatabase } from './database.ts';

export type MetricPoint = [epoch: number, value: number | null];

export interface MetricRepository {
  /** Stores one epoch's metrics; NaN and infinities are stored as NULL. */
  insertEpoch(runId: number, epoch: number, values: Readonly<Record<string, number>>): void;
  /** The run's series, by name, ordered by epoch. */
  series(runId: number, names: readonly string[]): Map<string, MetricPoint[]>;
  names(runId: number): string[];
  deleteForRun(runId: number): void;
  count(): number;
}

export class SqliteMetricRepository implements MetricRepository {
  private readonly db: SqliteDatabase;
  private readonly insert;
  private readonly select;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.insert = db.prepare('INSERT OR REPLACE INTO metrics (run_id, name, epoch, value) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT epoch, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY epoch').raw(true);
  }

  insertEpoch(runId: number, epoch: number, values: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(values)) {
      this.insert.run(runId, name, epoch, Number.isFinite(value) ? value : null);
    }
  }

  series(runId: number, names: readonly string[]): Map<string, MetricPoint[]> {
    const out = new Map<string, MetricPoint[]>();
    for (const name of names) out.set(name, this.select.all(runId, name) as MetricPoint[]);
    return out;
  }

  names(runId: number): string[] {
    const rows = this.db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').all(runId) as { name: string }[];
    return rows.map((r) => r.name);
  }

  deleteForRun(runId: number): void {
    this.db.prepare('DELETE FROM metrics WHERE run_id = ?').run(runId);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM metrics').get() as { n: number }).n;
  }
}
