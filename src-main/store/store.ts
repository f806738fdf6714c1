// The store: every repository over one database connection, behind interfaces, so the
// service layer does not depend on SQLite (a PostgreSQL store would implement the same
// interfaces). Multi-row writes go through transaction().

import { ApiError } from '../../src-shared/api-errors.ts';
import { type CheckpointRepository, SqliteCheckpointRepository } from './checkpoints.ts';
import { integrityCheck, openDatabase, type SqliteDatabase } from './database.ts';
import { type ExperimentRepository, SqliteExperimentRepository } from './experiments.ts';
import { type MetricRepository, SqliteMetricRepository } from './metrics.ts';
import { type RunRepository, SqliteRunRepository } from './runs.ts';
import { acquireServiceLock, releaseServiceLock, type ServiceHolder, serviceHolder, setServiceUrl } from './service-lock.ts';
import { type SettingsRepository, SqliteSettingsRepository } from './settings.ts';
import { asDatabaseError, sqliteTrouble } from './sqlite-errors.ts';
import { SqliteStudyRepository, type StudyRepository } from './studies.ts';

export interface StoreOptions {
  /**
   * How long one statement may wait for another process's write lock, inside SQLite (which
   * blocks the thread meanwhile). The CLI waits up to 5 s; the service uses a few
   * milliseconds and retries asynchronously (write()), so a lock held elsewhere never
   * freezes its event loop.
   */
  readonly busyTimeoutMs?: number;
}

/** How long write() keeps retrying a busy database before answering 'database' (503). */
export const DEFAULT_WRITE_WAIT_MS = 10_000;

export interface Store {
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  /**
   * Runs work in one transaction (nested calls join the outer one), synchronously. SQLite
   * errors become ApiError('database') with the SQLite error as `cause`.
   */
  transaction<T>(work: () => T): T;
  /**
   * Runs work in one transaction, retrying while another process holds the write lock
   * (waiting between tries without blocking the event loop), for at most `maxWaitMs`.
   */
  write<T>(work: () => T, options?: { readonly maxWaitMs?: number }): Promise<T>;
  /** Makes this process the one that runs the queue (throws 'conflict' if another does). */
  acquireServiceLock(): void;
  releaseServiceLock(): void;
  /** The live process holding the queue on this machine (pid, HTTP address), if any. */
  serviceHolder(): ServiceHolder | null;
  /** Records the HTTP address of this process, which holds the queue. */
  setServiceUrl(url: string): void;
  /** "ok" when the database file is sound. */
  integrityCheck(): string;
  close(): void;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteStore implements Store {
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  private readonly db: SqliteDatabase;

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    this.db = openDatabase(path, options.busyTimeoutMs ?? 5000);
    this.experiments = new SqliteExperimentRepository(this.db);
    this.runs = new SqliteRunRepository(this.db);
    this.metrics = new SqliteMetricRepository(this.db);
    this.checkpoints = new SqliteCheckpointRepository(this.db);
    this.settings = new SqliteSettingsRepository(this.db);
    this.studies = new SqliteStudyRepository(this.db);
  }

  transaction<T>(work: () => T): T {
    try {
      // IMMEDIATE: take the write lock up front, so a read-then-write transaction never fails
      // half-way with SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile.
      return this.db.transaction(work).immediate();
    } catch (error) {
      if (sqliteTrouble(error) === 'busy') {
        throw new ApiError('database', `${this.path} is busy (another process holds a write lock); try again`, undefined, [], error);
      }
      const converted = asDatabaseError(error, this.path);
      if (converted !== error && converted instanceof ApiError) throw new ApiError('database', converted.message, undefined, [], error);
      throw error;
    }
  }

  async write<T>(work: () => T, options: { readonly maxWaitMs?: number } = {}): Promise<T> {
    const deadline = performance.now() + (options.maxWaitMs ?? DEFAULT_WRITE_WAIT_MS);
    for (let wait = 10; ; wait = Math.min(250, wait * 2)) {
      try {
        return this.transaction(work);
      } catch (error) {
        const busy = error instanceof ApiError && sqliteTrouble(error.cause) === 'busy';
        if (!busy || performance.now() + wait > deadline) {
          if (busy)
            throw new ApiError(
              'database',
              `${this.path} is busy: another process has held its write lock for ${((options.maxWaitMs ?? DEFAULT_WRITE_WAIT_MS) / 1000).toFixed(0)} s; try again`,
              undefined,
              [],
              error.cause,
            );
          throw error;
        }
      }
      await delay(wait);
    }
  }

  acquireServiceLock(): void {
    try {
      acquireServiceLock(this.db, new Date().toISOString());
    } catch (error) {
      throw asDatabaseError(error, this.path);
    }
  }

  releaseServiceLock(): void {
    releaseServiceLock(this.db);
  }

  serviceHolder(): ServiceHolder | null {
    return serviceHolder(this.db);
  }

  setServiceUrl(url: string): void {
    this.transaction(() => setServiceUrl(this.db, url));
  }

  integrityCheck(): string {
    return integrityCheck(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openStore(path: string, options: StoreOptions = {}): Store {
  return new SqliteStore(path, options);
}
