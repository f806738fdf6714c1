// boot(): opens the database and wires store, scheduler and service together. start() makes
// this process the one running the queue (recovering runs a crash interrupted); commands
// that only read or edit never call it, and leave a running service's queue alone.
// shutdown() stops running jobs (their runs resume on the next start) and closes the database.

import { ForkJobHost } from '../queue/fork-job-host.ts';
import type { JobHost } from '../queue/job-host.ts';
import { Scheduler } from '../queue/scheduler.ts';
import type { FileAccess } from '../files/data-roots.ts';
import type { UserFileLimits } from '../files/user-file.ts';
import { openStore, type Store } from '../store/store.ts';
import { AppService, type PdfRenderer } from './app-service.ts';

/**
 * The busy timeout of a process that serves (serve, the app): a statement waits at most this
 * long inside SQLite for another process's write lock, then the write is retried from the
 * event loop (store.write, the scheduler's kept writes), so HTTP keeps answering meanwhile.
 */
export const SERVING_BUSY_TIMEOUT_MS = 20;

export interface BootOptions {
  readonly databasePath: string;
  readonly host?: JobHost;
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
  start(): number;
  /** Resolves once the studies running at start() have been resumed. */
  studiesReady(): Promise<void>;
  shutdown(): Promise<void>;
}

export function boot(options: BootOptions): Services {
  const store = openStore(options.databasePath, options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
  const scheduler = new Scheduler(store, {
    host: options.host ?? new ForkJobHost(),
    ...(options.defaultSlots !== undefined ? { defaultSlots: options.defaultSlots } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  const service = new AppService(store, scheduler, {
    ...(options.renderPdf !== undefined ? { renderPdf: options.renderPdf } : {}),
    ...(options.fileAccess !== undefined ? { fileAccess: options.fileAccess } : {}),
    ...(options.fileLimits !== undefined ? { fileLimits: options.fileLimits } : {}),
  });
  let studies: Promise<void> = Promise.resolve();
  return {
    store,
    scheduler,
    service,
    start: () => {
      const { interrupted } = scheduler.start();
      studies = service.studies().then((s) => s.start());
      return interrupted;
    },
    studiesReady: () => studies,
    async shutdown() {
      await studies.catch(() => undefined);
      await service.stopStudies();
      await scheduler.stop();
      store.close();
    },
  };
}
