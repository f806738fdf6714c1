// Per-epoch metrics: one row per (run, metric name, epoch). Inserts are idempotent (a
// resumed run may send an epoch again) and are meant to be batched inside the caller's
// transaction; reads return a series ordered by epoch, straight off the primary key.

import type { Statement } from 'better-sqlite3';
import { toWire } from '../../src-shared/metric-codec.ts';
import type { SqliteDatabase } from './database.ts';

/** A series as two parallel columns (cheaper to read than 100,000 little arrays). */
export interface MetricColumns {
  readonly epochs: number[];
  /** null where the value was NaN. */
  readonly values: (number | null)[];
}

export interface MetricRepositorySync {
  /** Stores one epoch's metrics; NaN and infinities are stored as NULL. */
  insertEpoch(runId: number, epoch: number, values: Readonly<Record<string, number>>): void;
  /** The run's series, by name, ordered by epoch. */
  series(runId: number, names: readonly string[]): Map<string, MetricColumns>;
  names(runId: number): string[];
  /** The first and last stored epoch of the run, and how many distinct epochs are stored. */
  epochRange(runId: number): { readonly first: number | null; readonly last: number | null; readonly count: number };
  deleteForRun(runId: number): void;
  count(): number;
}

export class SqliteMetricRepository implements MetricRepositorySync {
  private readonly db: SqliteDatabase;
  /** One multi-row INSERT per number of metrics in an epoch (one call instead of eight). */
  private readonly inserts = new Map<number, Statement>();
  private readonly selectEpochs;
  private readonly selectValues;

  constructor(db: SqliteDatabase) {
    this.db = db;
    // Two single-column reads are faster than one read of [epoch, value] rows.
    this.selectEpochs = db.prepare('SELECT epoch FROM metrics WHERE run_id = ? AND name = ? ORDER BY epoch').pluck();
    this.selectValues = db.prepare('SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY epoch').pluck();
  }

  private insertStatement(rows: number): Statement {
    let statement = this.inserts.get(rows);
    if (statement === undefined) {
      const placeholders = Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(`INSERT OR REPLACE INTO metrics (run_id, name, epoch, value) VALUES ${placeholders}`);
      this.inserts.set(rows, statement);
    }
    return statement;
  }

  insertEpoch(runId: number, epoch: number, values: Readonly<Record<string, number>>): void {
    const parameters: (number | string | null)[] = [];
    for (const name in values) {
      const value = values[name];
      parameters.push(runId, name, epoch, toWire(value));
    }
    if (parameters.length > 0) this.insertStatement(parameters.length / 4).run(parameters);
  }

  series(runId: number, names: readonly string[]): Map<string, MetricColumns> {
    const out = new Map<string, MetricColumns>();
    for (const name of names) {
      // One transaction, so both columns come from the same snapshot.
      const columns = this.db.transaction(() => ({
        epochs: this.selectEpochs.all(runId, name) as number[],
        values: this.selectValues.all(runId, name) as (number | null)[],
      }))();
      out.set(name, columns);
    }
    return out;
  }

  names(runId: number): string[] {
    const rows = this.db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').all(runId) as { name: string }[];
    return rows.map((r) => r.name);
  }

  epochRange(runId: number): { readonly first: number | null; readonly last: number | null; readonly count: number } {
    return this.db.prepare('SELECT min(epoch) AS first, max(epoch) AS last, count(DISTINCT epoch) AS count FROM metrics WHERE run_id = ?').get(runId) as {
      first: number | null;
      last: number | null;
      count: number;
    };
  }

  deleteForRun(runId: number): void {
    this.db.prepare('DELETE FROM metrics WHERE run_id = ?').run(runId);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM metrics').get() as { n: number }).n;
  }
}
