// The embedded store: every repository over one SQLite connection, behind the asynchronous
// store contract (contract.ts) that the PostgreSQL store implements too. openStore() picks
// the implementation from the location: a postgres:// URL or a file path.

import { ApiError } from '../../src-shared/api-errors.ts';
import { SqliteCheckpointRepository } from './checkpoints.ts';
import type {
  CheckpointRepository,
  ExperimentRepository,
  MetricRepository,
  RunRepository,
  SettingsRepository,
  Store,
  StudyRepository,
  WorkerRepository,
} from './contract.ts';
import { integrityCheck, openDatabase, type SqliteDatabase } from './database.ts';
import { SqliteExperimentRepository } from './experiments.ts';
import { SqliteMetricRepository } from './metrics.ts';
import { SqliteRunRepository } from './runs.ts';
import { acquireServiceLock, releaseServiceLock, type ServiceHolder, serviceHolder, setServiceUrl } from './service-lock.ts';
import { SqliteSettingsRepository } from './settings.ts';
import { SqliteGate } from './sqlite-gate.ts';
import { asDatabaseError, describeSqliteError, sqliteTrouble } from './sqlite-errors.ts';
import { SqliteStudyRepository } from './studies.ts';
import { SqliteWorkerRepository } from './workers.ts';

export type { Store } from './contract.ts';

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

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  readonly workers: WorkerRepository;
  private readonly db: SqliteDatabase;
  private readonly gate: SqliteGate;

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    this.db = openDatabase(path, options.busyTimeoutMs ?? 5000);
    this.gate = new SqliteGate(this.db);
    this.experiments = this.gate.wrap(new SqliteExperimentRepository(this.db));
    this.runs = this.gate.wrap(new SqliteRunRepository(this.db));
    this.metrics = this.gate.wrap(new SqliteMetricRepository(this.db));
    this.checkpoints = this.gate.wrap(new SqliteCheckpointRepository(this.db));
    this.settings = this.gate.wrap(new SqliteSettingsRepository(this.db));
    this.studies = this.gate.wrap(new SqliteStudyRepository(this.db));
    this.workers = this.gate.wrap(new SqliteWorkerRepository(this.db));
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.transaction(work);
    } catch (error) {
      if (sqliteTrouble(error) === 'busy') {
        throw new ApiError('database', `${this.path} is busy (another process holds a write lock); try again`, undefined, [], error);
      }
      const converted = asDatabaseError(error, this.path);
      if (converted !== error && converted instanceof ApiError) throw new ApiError('database', converted.message, undefined, [], error);
      throw error;
    }
  }

  async write<T>(work: () => Promise<T>, options: { readonly maxWaitMs?: number } = {}): Promise<T> {
    const deadline = performance.now() + (options.maxWaitMs ?? DEFAULT_WRITE_WAIT_MS);
    for (let wait = 10; ; wait = Math.min(250, wait * 2)) {
      try {
        return await this.transaction(work);
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

  acquireServiceLock(): Promise<void> {
    return this.gate.call(() => {
      try {
        acquireServiceLock(this.db, new Date().toISOString());
      } catch (error) {
        throw asDatabaseError(error, this.path);
      }
    });
  }

  releaseServiceLock(): Promise<void> {
    return this.gate.call(() => releaseServiceLock(this.db));
  }

  serviceHolder(): Promise<ServiceHolder | null> {
    return this.gate.call(() => serviceHolder(this.db));
  }

  setServiceUrl(url: string): Promise<void> {
    return this.transaction(async () => setServiceUrl(this.db, url));
  }

  trouble(error: unknown): 'busy' | 'storage' | null {
    return sqliteTrouble(error);
  }

  describeTrouble(error: unknown): string {
    return describeSqliteError(error);
  }

  async tryCoordinate(): Promise<boolean> {
    return true;
  }

  async releaseCoordination(): Promise<void> {
    // Nothing held: see tryCoordinate.
  }

  integrityCheck(): Promise<string> {
    return this.gate.call(() => integrityCheck(this.db));
  }

  async close(): Promise<void> {
    await this.gate.call(() => {
      if (this.db.open) this.db.close();
    });
  }
}

/** Opens the SQLite store at `path` (":memory:" for tests). */
export function openStore(path: string, options: StoreOptions = {}): Store {
  return new SqliteStore(path, options);
}
