// Checkpoints: the serialised state of a run (model, optimizer, RNG, early-stopping
// bookkeeping) after its last completed epoch. A run keeps only its latest checkpoint;
// saving the next one replaces it in the same transaction as that epoch's metrics, so the
// stored epochs and the checkpoint always agree.

import type { SqliteDatabase } from './database.ts';

export interface StoredCheckpoint {
  readonly id: number;
  readonly runId: number;
  readonly epoch: number;
  /** JSON text of a RunCheckpoint. */
  readonly state: string;
}

export interface CheckpointRepositorySync {
  save(runId: number, epoch: number, state: string, now: string): number;
  latest(runId: number): StoredCheckpoint | null;
  deleteForRun(runId: number): void;
  count(): number;
}

export class SqliteCheckpointRepository implements CheckpointRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  save(runId: number, epoch: number, state: string, now: string): number {
    this.deleteForRun(runId);
    const result = this.db.prepare('INSERT INTO checkpoints (run_id, epoch, state, created_at) VALUES (?, ?, ?, ?)').run(runId, epoch, state, now);
    return Number(result.lastInsertRowid);
  }

  latest(runId: number): StoredCheckpoint | null {
    const row = this.db.prepare('SELECT id, run_id AS runId, epoch, state FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1').get(runId) as
      StoredCheckpoint | undefined;
    return row ?? null;
  }

  deleteForRun(runId: number): void {
    this.db.prepare('DELETE FROM checkpoints WHERE run_id = ?').run(runId);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
  }
}
