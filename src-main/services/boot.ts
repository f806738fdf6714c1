// boot(): opens the store (an SQLite file, or a PostgreSQL URL: store/open-store.ts) and
// wires store, scheduler and service together. start() makes
// this process the one running the queue (recovering runs a crash interrupted); commands
// that only read or edit never call it, and leave a running service's queue alone.
// shutdown() stops running jobs (their runs resume on the next start) and closes the database.

import { ForkJobHost } from '../queue/fork-job-host.ts';
import type { JobHost } from '../queue/job-host.ts';
import type { SharedStoreWatcher } from '../queue/distributed/shared-store-watcher.ts';
import type { RunSource } from '../queue/run-source.ts';
import { Scheduler } from '../queue/scheduler.ts';
import type { FileAccess } from '../files/data-roots.ts';
import type { UserFileLimits } from '../files/user-file.ts';
import type { Store } from '../store/contract.ts';
import { openAnyStore } from '../store/open-store.ts';
import { AppService, type PdfRenderer } from './app-service.ts';

/**
 * The busy timeout of a process that serves (serve, the app): a statement waits at most this
 * long inside SQLite for another process's write lock, then the write is retried from the
 * event loop (store.write, the scheduler's kept writes), so HTTP keeps answering meanwhile.
 */
export const SERVING_BUSY_TIMEOUT_MS = 20;

export interface BootOptions {
  /** An SQLite file path, or a postgres:// URL. */
  readonly databasePath: string;
  readonly host?: JobHost;
  /**
   * Where the queue takes its runs (default: the local queue under the service lock). On a
   * PostgreSQL store without one, this process runs no jobs: workers do.
   */
  readonly runSource?: (store: Store) => RunSource;
  readonly defaultSlots?: number;
  readonly pollMs?: number;
  /** How report PDFs are made (the server: headless Chromium; the app: printToPDF). */
  readonly renderPdf?: PdfRenderer;
  /** See StoreOptions.busyTimeoutMs (default 5 s, as for CLI commands). */
  readonly busyTimeoutMs?: number;
  /** Which files API callers may make the service read (default: anywhere). */
  readonly fileAccess?: FileAccess;
  readonly fileLimits?: UserFileLimits;
}

export interface Services {
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly service: AppService;
  /**
   * Takes the queue, requeues runs a crash interrupted (returns how many), starts jobs, and
   * resumes the studies of the database (see `studiesReady`).
   */
  start(): Promise<number>;
  /** Resolves once the studies running at start() have been resumed. */
  studiesReady(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function boot(options: BootOptions): Promise<Services> {
  const store = await openAnyStore(options.databasePath, options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
  const source = options.runSource?.(store);
  const scheduler = new Scheduler(store, {
    host: options.host ?? new ForkJobHost(),
    ...(source !== undefined ? { source } : {}),
    ...(options.defaultSlots !== undefined ? { defaultSlots: options.defaultSlots } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  const service = new AppService(store, scheduler, {
    ...(options.renderPdf !== undefined ? { renderPdf: options.renderPdf } : {}),
    ...(options.fileAccess !== undefined ? { fileAccess: options.fileAccess } : {}),
    ...(options.fileLimits !== undefined ? { fileLimits: options.fileLimits } : {}),
  });
  let studies: Promise<void> = Promise.resolve();
  let watcher: SharedStoreWatcher | null = null;
  return {
    store,
    scheduler,
    service,
    start: async () => {
      const runsJobs = store.kind === 'sqlite' || source !== undefined;
      const { interrupted } = runsJobs ? await scheduler.start() : { interrupted: 0 };
      if (!runsJobs) {
        // Workers train this store's runs elsewhere: follow them through the store.
        const { SharedStoreWatcher } = await import('../queue/distributed/shared-store-watcher.ts');
        watcher = new SharedStoreWatcher({ store, events: scheduler.events, log: (line) => process.stderr.write(`${line}\n`) });
        watcher.start();
      }
      studies = service.studies().then((s) => s.start());
      return interrupted;
    },
    studiesReady: () => studies,
    async shutdown() {
      watcher?.stop();
      await studies.catch(() => undefined);
      await service.stopStudies();
      await scheduler.stop();
      await store.close();
    },
  };
}
