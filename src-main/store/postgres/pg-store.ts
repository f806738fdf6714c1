// The shared store: every repository over one PostgreSQL connection pool, behind the same
// asynchronous contract as the embedded SQLite store (../contract.ts). openPostgresStore()
// connects, checks the schema (refusing one that is not Evolab's, or that a newer Evolab
// wrote) and migrates it; see database.ts for transactions and errors.
//
// The service lock keeps SQLite's meaning (../service-lock.ts): one process per database
// runs the local queue (`evolab serve` or the app); a holder that is gone from this machine is
// taken over. Workers (`evolab worker`) do not take it: they share runs through the job queue.
// A study is coordinated by the process holding its advisory lock (coordination.ts).

import { hostname } from 'node:os';
import { ApiError } from '../../../src-shared/api-errors.ts';
import type {
  CheckpointRepository,
  ExperimentRepository,
  MetricRepository,
  RunRepository,
  SettingsRepository,
  Store,
  StudyRepository,
  WorkerRepository,
} from '../contract.ts';
import { SCHEMA_VERSION } from '../migrations.ts';
import { alive, type ServiceHolder } from '../service-lock.ts';
import { PostgresCheckpointRepository } from './checkpoints.ts';
import { StudyCoordination } from './coordination.ts';
import { describePostgresError, postgresTrouble } from './errors.ts';
import { PostgresDatabase, type PostgresStoreOptions } from './database.ts';
import { PostgresExperimentRepository } from './experiments.ts';
import { PostgresMetricRepository } from './metrics.ts';
import { PostgresRunRepository } from './runs.ts';
import { PostgresSettingsRepository } from './settings.ts';
import { PostgresStudyRepository } from './studies.ts';
import { PostgresWorkerRepository } from './workers.ts';

export type { PostgresStoreOptions } from './database.ts';

/** Serializes service-lock acquisitions of one schema (advisory lock key: "EVLB", hash of "<schema>:service"). */
const LOCK_CLASS = 0x45564c42;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  readonly workers: WorkerRepository;
  private readonly db: PostgresDatabase;
  private readonly coordination: StudyCoordination;

  constructor(db: PostgresDatabase) {
    this.db = db;
    this.coordination = new StudyCoordination(db);
    this.path = db.path;
    this.experiments = new PostgresExperimentRepository(db);
    this.runs = new PostgresRunRepository(db);
    this.metrics = new PostgresMetricRepository(db);
    this.checkpoints = new PostgresCheckpointRepository(db);
    this.settings = new PostgresSettingsRepository(db);
    this.studies = new PostgresStudyRepository(db);
    this.workers = new PostgresWorkerRepository(db);
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  write<T>(work: () => Promise<T>, options: { readonly maxWaitMs?: number } = {}): Promise<T> {
    return this.db.write(work, options);
  }

  acquireServiceLock(): Promise<void> {
    return this.db.atomic(async () => {
      // Two processes acquiring at once take turns here, so the second sees the first's row.
      await this.db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `${this.db.schema}:service`]);
      const holder = await this.db.one<{ pid: number; host: string; startedAt: string }>(
        'SELECT pid, host, started_at AS "startedAt" FROM service_lock WHERE id = 1',
      );
      if (holder !== null && holder.pid !== process.pid && holder.host === hostname() && alive(holder.pid)) {
        throw new ApiError('conflict', `another Evolab service (pid ${holder.pid}, since ${holder.startedAt}) is running the queue of this database`);
      }
      // As SQLite's INSERT OR REPLACE: a new row, so the address of the previous holder goes.
      await this.db.execute(
        `INSERT INTO service_lock (id, pid, host, started_at, url) VALUES (1, $1, $2, $3, NULL)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at, url = NULL`,
        [process.pid, hostname(), new Date().toISOString()],
      );
    });
  }

  async releaseServiceLock(): Promise<void> {
    await this.db.execute('DELETE FROM service_lock WHERE id = 1 AND pid = $1 AND host = $2', [process.pid, hostname()]);
  }

  async serviceHolder(): Promise<ServiceHolder | null> {
    const holder = await this.db.one<ServiceHolder>('SELECT pid, host, started_at AS "startedAt", url FROM service_lock WHERE id = 1');
    if (holder === null || holder.host !== hostname() || !alive(holder.pid)) return null;
    return holder;
  }

  setServiceUrl(url: string): Promise<void> {
    return this.db.atomic(async () => {
      await this.db.execute('UPDATE service_lock SET url = $1 WHERE id = 1 AND pid = $2 AND host = $3', [url, process.pid, hostname()]);
    });
  }

  trouble(error: unknown): 'busy' | 'storage' | null {
    return postgresTrouble(error);
  }

  describeTrouble(error: unknown): string {
    return describePostgresError(error);
  }

  tryCoordinate(studyId: number): Promise<boolean> {
    return this.coordination.tryCoordinate(studyId);
  }

  releaseCoordination(studyId: number): Promise<void> {
    return this.coordination.releaseCoordination(studyId);
  }

  /**
   * "ok", or what is wrong: a schema version other than this code's, constraints or indexes
   * left invalid, triggers switched off (foreign keys and the stats triggers are triggers),
   * experiments without their statistics row. PostgreSQL checks its pages itself.
   */
  async integrityCheck(): Promise<string> {
    const row = await this.db.one<{
      application: string | null;
      version: string | null;
      unvalidated: number;
      invalid_indexes: number;
      disabled_triggers: number;
      missing_stats: number;
    }>(
      `SELECT (SELECT value FROM evolab_meta WHERE key = 'application') AS application,
         (SELECT value FROM evolab_meta WHERE key = 'schema_version') AS version,
         (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = $1 AND NOT c.convalidated) AS unvalidated,
         (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND NOT (i.indisvalid AND i.indisready)) AS invalid_indexes,
         (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND t.tgenabled = 'D') AS disabled_triggers,
         (SELECT count(*) FROM experiments e WHERE NOT EXISTS (SELECT 1 FROM experiment_stats a WHERE a.experiment_id = e.id)) AS missing_stats`,
      [this.db.schema],
    );
    if (row === null) return 'ok';
    const problems: string[] = [];
    if (row.application !== 'evolab') problems.push("evolab_meta does not mark the schema as Evolab's");
    if (row.version !== String(SCHEMA_VERSION)) problems.push(`schema version ${row.version ?? 'missing'} (expected ${SCHEMA_VERSION})`);
    if (row.unvalidated > 0) problems.push(`${row.unvalidated} constraint(s) not validated`);
    if (row.invalid_indexes > 0) problems.push(`${row.invalid_indexes} invalid index(es)`);
    if (row.missing_stats > 0) problems.push(`${row.missing_stats} experiment(s) without statistics`);
    if (row.disabled_triggers > 0) problems.push(`${row.disabled_triggers} disabled trigger(s) (foreign keys or statistics not enforced)`);
    return problems.length === 0 ? 'ok' : problems.join('; ');
  }

  async close(): Promise<void> {
    await this.coordination.close();
    await this.db.close();
  }
}

/**
 * Opens the PostgreSQL store at `url` (postgres://user:password@host:port/database?sslmode=…):
 * connects, checks and migrates Evolab's schema (options.schema, default "evolab").
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  return new PostgresStore(await PostgresDatabase.open(url, options));
}
