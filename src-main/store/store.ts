// The store: every repository over one database connection, behind interfaces, so the
// service layer does not depend on SQLite (a PostgreSQL store would implement the same
// interfaces). Multi-row writes go through transaction().

import { ApiError } from '../../src-shared/api-errors.ts';
import { type CheckpointRepository, SqliteCheckpointRepository } from './checkpoints.ts';
import { integrityCheck, openDatabase, type SqliteDatabase } from './database.ts';
import { type ExperimentRepository, SqliteExperimentRepository } from './experiments.ts';
import { type MetricRepository, SqliteMetricRepository } from './metrics.ts';
import { type RunRepository, SqliteRunRepository } from './runs.ts';
import { acquireServiceLock, releaseServiceLock } from './service-lock.ts';
import { type SettingsRepository, SqliteSettingsRepository } from './settings.ts';
import { SqliteStudyRepository, type StudyRepository } from './studies.ts';

export interface Store {
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  /** Runs work in one transaction (nested calls join the outer one). */
  transaction<T>(work: () => T): T;
  /** Makes this process the one that runs the queue (throws 'conflict' if another does). */
  acquireServiceLock(): void;
  releaseServiceLock(): void;
  /** "ok" when the database file is sound. */
  integrityCheck(): string;
  close(): void;
}

export class SqliteStore implements Store {
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    this.path = path;
    this.db = openDatabase(path);
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
      const code = (error as { code?: string }).code;
      if (code?.startsWith('SQLITE_BUSY')) throw new ApiError('database', `${this.path} is busy (another process holds a write lock); try again`);
      throw error;
    }
  }

  acquireServiceLock(): void {
    acquireServiceLock(this.db, new Date().toISOString());
  }

  releaseServiceLock(): void {
    releaseServiceLock(this.db);
  }

  integrityCheck(): string {
    return integrityCheck(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openStore(path: string): Store {
  return new SqliteStore(path);
}
