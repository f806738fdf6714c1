// Per-epoch metrics on PostgreSQL, answering as ../metrics.ts (SQLite). A job sends one
// epoch at a time, and one statement per epoch would cost one network round trip per epoch:
// inside a transaction the epochs are held back and sent together, as one INSERT of unnested
// arrays, before the transaction's next query or its COMMIT (database.ts: DeferredWrite), so
// the transaction still reads what it wrote. The price: a failing insert (a run that does
// not exist) fails the transaction at its next statement, not at insertEpoch. Outside a
// transaction each call is sent at once. A repeated (run, name, epoch) replaces the stored
// value, as SQLite's INSERT OR REPLACE does.

import { toWire } from '../../../src-shared/metric-codec.ts';
import type { MetricRepository } from '../contract.ts';
import type { MetricColumns } from '../metrics.ts';
import type { DeferredWrite, PostgresDatabase, SqlValue } from './database.ts';

const INSERT = `INSERT INTO metrics (run_id, name, epoch, value)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::double precision[])
  ON CONFLICT (run_id, name, epoch) DO UPDATE SET value = excluded.value`;

/** The epochs held back in one transaction, one value per (run, name, epoch): the last one sent wins. */
class HeldMetrics implements DeferredWrite {
  private rows = new Map<string, { runId: number; name: string; epoch: number; value: number | null }>();

  add(runId: number, epoch: number, values: Readonly<Record<string, number>>): void {
    for (const name in values) {
      // One statement may not update a row twice (ON CONFLICT): a repeat replaces the held value.
      const key = `${runId}\u0000${epoch}\u0000${name}`;
      this.rows.delete(key);
      this.rows.set(key, { runId, name, epoch, value: toWire(values[name]) });
    }
  }

  take(): { sql: string; params: SqlValue[] } | null {
    if (this.rows.size === 0) return null;
    const rows = [...this.rows.values()];
    this.rows = new Map();
    return { sql: INSERT, params: columns(rows) };
  }
}

function columns(rows: readonly { runId: number; name: string; epoch: number; value: number | null }[]): SqlValue[] {
  return [rows.map((r) => r.runId), rows.map((r) => r.name), rows.map((r) => r.epoch), rows.map((r) => r.value)];
}

export class PostgresMetricRepository implements MetricRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async insertEpoch(runId: number, epoch: number, values: Readonly<Record<string, number>>): Promise<void> {
    const held = this.db.deferred(this, () => new HeldMetrics());
    if (held !== null) {
      held.add(runId, epoch, values);
      return;
    }
    const rows = Object.keys(values).map((name) => ({ runId, name, epoch, value: toWire(values[name]) }));
    if (rows.length > 0) await this.db.execute(INSERT, columns(rows));
  }

  async series(runId: number, names: readonly string[]): Promise<Map<string, MetricColumns>> {
    const out = new Map<string, MetricColumns>(names.map((name) => [name, { epochs: [], values: [] }]));
    if (names.length === 0) return out;
    // One query (both columns of every series from the same snapshot), as plain rows: the
    // driver reads 100,000 rows of an int4 and a float8 about twice as fast as the same values
    // aggregated into arrays (bench/store.ts --postgres). Epochs fit an int4 (max_epochs <= 10^6).
    const rows = await this.db.query<{ name: string; epoch: number; value: number | null }>(
      `SELECT name, epoch::integer AS epoch, value FROM metrics WHERE run_id = $1 AND name = ANY ($2::text[]) ORDER BY name, epoch`,
      [runId, [...new Set(names)]],
    );
    for (const row of rows) {
      const series = out.get(row.name) as { epochs: number[]; values: (number | null)[] };
      series.epochs.push(row.epoch);
      series.values.push(row.value);
    }
    return out;
  }

  async names(runId: number): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>('SELECT DISTINCT name FROM metrics WHERE run_id = $1 ORDER BY name', [runId]);
    return rows.map((r) => r.name);
  }

  async epochRange(runId: number): Promise<{ readonly first: number | null; readonly last: number | null; readonly count: number }> {
    const row = await this.db.one<{ first: number | null; last: number | null; count: number }>(
      'SELECT min(epoch) AS first, max(epoch) AS last, count(DISTINCT epoch) AS count FROM metrics WHERE run_id = $1',
      [runId],
    );
    return row ?? { first: null, last: null, count: 0 };
  }

  async deleteForRun(runId: number): Promise<void> {
    await this.db.execute('DELETE FROM metrics WHERE run_id = $1', [runId]);
  }

  async count(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM metrics'))?.n ?? 0;
  }
}
