// Checkpoints on PostgreSQL, as ../checkpoints.ts (SQLite): a run keeps only its latest
// checkpoint, replaced in one unit with the epoch's metrics when the caller's transaction
// holds both.

import type { CheckpointRepository } from '../contract.ts';
import type { StoredCheckpoint } from '../checkpoints.ts';
import type { PostgresDatabase } from './database.ts';

export class PostgresCheckpointRepository implements CheckpointRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  save(runId: number, epoch: number, state: string, now: string): Promise<number> {
    return this.db.atomic(async () => {
      await this.deleteForRun(runId);
      const rows = await this.db.query<{ id: number }>('INSERT INTO checkpoints (run_id, epoch, state, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [
        runId,
        epoch,
        state,
        now,
      ]);
      return rows[0].id;
    });
  }

  latest(runId: number): Promise<StoredCheckpoint | null> {
    return this.db.one<StoredCheckpoint>('SELECT id, run_id AS "runId", epoch, state FROM checkpoints WHERE run_id = $1 ORDER BY epoch DESC, id DESC LIMIT 1', [
      runId,
    ]);
  }

  async deleteForRun(runId: number): Promise<void> {
    await this.db.execute('DELETE FROM checkpoints WHERE run_id = $1', [runId]);
  }

  async count(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM checkpoints'))?.n ?? 0;
  }
}
