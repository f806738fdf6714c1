// Which process coordinates a study (runs its study service) when several processes share a
// PostgreSQL store: the one holding a session advisory lock on the study, taken on a
// connection of its own. PostgreSQL releases the lock when that connection ends, so when the
// process dies or its connection is cut, another process can take the study over; this one
// learns that it lost it the next time it asks (tryCoordinate).

import { hostname } from 'node:os';
import type pg from 'pg';
import { ApiError } from '../../../src-shared/api-errors.ts';
import type { PostgresDatabase } from './database.ts';

export class StudyCoordination {
  private readonly db: PostgresDatabase;
  private client: pg.Client | null = null;
  /** The studies whose lock this process holds on `client` (each taken once: PostgreSQL counts repeats). */
  private readonly held = new Set<number>();
  /** One operation at a time, so that two calls for one study never take its lock twice. */
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  /** The lock's two keys: the schema's (two Evolab schemas in one database do not collide) and the study's. */
  private get namespace(): string {
    return `${this.db.schema}:study`;
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.turn.then(operation);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** The connection is gone, and with it every lock it held. */
  private lost(client: pg.Client): void {
    if (this.client === client) {
      this.client = null;
      this.held.clear();
    }
    client.end().catch(() => undefined);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client !== null) return this.client;
    let made: pg.Client | null = null;
    const client = await this.db.dedicatedConnection(() => {
      if (made !== null) this.lost(made);
    });
    made = client;
    // Named in pg_stat_activity, so an administrator (or a test) sees which process coordinates.
    await client.query("SELECT set_config('application_name', $1, false)", [`evolab coordinator pid ${process.pid} on ${hostname()}`.slice(0, 63)]);
    this.client = client;
    return client;
  }

  tryCoordinate(studyId: number): Promise<boolean> {
    return this.exclusive(async () => {
      if (this.closed) throw new ApiError('database', `${this.db.path}: the store is closed`);
      const current = this.client;
      if (this.held.has(studyId) && current !== null) {
        // A live session keeps its locks: confirming the connection confirms the lock.
        try {
          await current.query('SELECT 1');
          return true;
        } catch {
          this.lost(current);
        }
      }
      const client = await this.connection();
      try {
        const result = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), $2::integer) AS taken', [this.namespace, studyId]);
        const taken = result.rows[0].taken;
        if (taken) this.held.add(studyId);
        return taken;
      } catch (error) {
        this.lost(client);
        throw this.db.error(error);
      }
    });
  }

  releaseCoordination(studyId: number): Promise<void> {
    return this.exclusive(async () => {
      const client = this.client;
      if (!this.held.delete(studyId) || client === null) return;
      try {
        await client.query('SELECT pg_advisory_unlock(hashtext($1), $2::integer)', [this.namespace, studyId]);
      } catch {
        // The connection is gone: so is the lock.
        this.lost(client);
      }
    });
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      const client = this.client;
      this.client = null;
      this.held.clear();
      if (client !== null) await client.end().catch(() => undefined);
    });
  }
}
