// The store contract: what the services, the queue and the study service may ask of a
// database, asynchronously, so that one contract has two implementations — SQLite (the
// embedded default, synchronous underneath: sqlite/…) and PostgreSQL (a lab's shared store:
// postgres/…). Both are checked by one parametrised contract suite (store-contract.test.ts).
//
// Each repository is declared once, as the synchronous interface the SQLite classes
// implement (with its documentation); the contract is that interface with every method
// returning a promise (Asynchronous<…>), which the PostgreSQL classes implement directly.

import type { CheckpointRepositorySync } from './checkpoints.ts';
import type { ExperimentRepositorySync } from './experiments.ts';
import type { MetricRepositorySync } from './metrics.ts';
import type { RunRepositorySync } from './runs.ts';
import type { ServiceHolder } from './service-lock.ts';
import type { SettingsRepositorySync } from './settings.ts';
import type { StudyRepositorySync } from './studies.ts';
import type { WorkerRepositorySync } from './workers.ts';

/** The same methods, each answering with a promise of what the synchronous one returns. */
export type Asynchronous<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

export type ExperimentRepository = Asynchronous<ExperimentRepositorySync>;
export type RunRepository = Asynchronous<RunRepositorySync>;
export type MetricRepository = Asynchronous<MetricRepositorySync>;
export type CheckpointRepository = Asynchronous<CheckpointRepositorySync>;
export type SettingsRepository = Asynchronous<SettingsRepositorySync>;
export type StudyRepository = Asynchronous<StudyRepositorySync>;
export type WorkerRepository = Asynchronous<WorkerRepositorySync>;

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  /** The database file, or the PostgreSQL URL with its password replaced by "***" (safe to log). */
  readonly path: string;
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly settings: SettingsRepository;
  readonly studies: StudyRepository;
  readonly workers: WorkerRepository;
  /**
   * Runs `work` in one transaction: every repository call made inside it (across awaits, in
   * the same async context) joins it; nested calls join the outer one. Store errors become
   * ApiError('database') with the driver's error as `cause`.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * transaction(), retried while the database is busy (SQLite: another process holds the
   * write lock; PostgreSQL: a serialization failure or deadlock), for at most `maxWaitMs`.
   */
  write<T>(work: () => Promise<T>, options?: { readonly maxWaitMs?: number }): Promise<T>;
  /** Makes this process the one that runs the local queue (throws 'conflict' if another does). */
  acquireServiceLock(): Promise<void>;
  releaseServiceLock(): Promise<void>;
  /** The live process holding the queue on this machine (pid, HTTP address), if any. */
  serviceHolder(): Promise<ServiceHolder | null>;
  /** Records the HTTP address of this process, which holds the queue. */
  setServiceUrl(url: string): Promise<void>;
  /**
   * Takes, or confirms this process holds, the right to coordinate study `studyId` (run its
   * study service) for as long as this process lives. PostgreSQL: a session advisory lock on
   * a connection of its own, so it is released when the process dies or its connection is
   * cut and another process takes over; SQLite: true, since the service lock already makes
   * this process the only one running the queue and its studies.
   */
  tryCoordinate(studyId: number): Promise<boolean>;
  /** Gives up coordinating the study (it finished, or this process stops following it). */
  releaseCoordination(studyId: number): Promise<void>;
  /**
   * What kind of trouble one of this store's errors (or its cause) is: 'busy' (another
   * process's lock, a conflict, a lost connection: try again later), 'storage' (the database
   * cannot be written: disk full, read-only, I/O), or null (not the database's trouble).
   */
  trouble(error: unknown): 'busy' | 'storage' | null;
  /** The trouble in words, for people (never with a password). */
  describeTrouble(error: unknown): string;
  /** "ok" when the database is sound. */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}
