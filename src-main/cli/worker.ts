// `evolab worker`: one machine's share of a lab's queue. It opens the shared PostgreSQL
// store, registers itself (host, pid, slots, backend), takes runs through the job queue
// (queue/distributed/pg-boss-source.ts), trains them in local job processes as `serve` does,
// writes their results to the shared store, and coordinates the studies no live process
// coordinates. It needs no inbound port. Ctrl-C (or SIGTERM) stops it cleanly: its runs are
// handed back and resume on another worker from their last checkpoint.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { DATABASE_ENV } from '../store/default-path.ts';
import { isPostgresUrl } from '../store/location.ts';
import { redactUrl } from '../store/redact-url.ts';
import { describeCommand } from './commands.ts';
import { positiveInteger } from './options.ts';

interface WorkerOptions {
  readonly db?: string;
  readonly dbUrlFile?: string;
  readonly slots: number;
  readonly heartbeat: number;
  readonly quiet: boolean;
}

/** The store URL: --db, else the first line of --db-url-file, else $EVOLAB_DB (never printed with its password). */
export function workerDatabaseUrl(options: Pick<WorkerOptions, 'db' | 'dbUrlFile'>, env: NodeJS.ProcessEnv = process.env): string {
  let url = options.db;
  if (url === undefined && options.dbUrlFile !== undefined) {
    try {
      url = readFileSync(options.dbUrlFile, 'utf8').split('\n')[0].trim();
    } catch (error) {
      throw new UserInputError('--db-url-file', `${options.dbUrlFile}: ${(error as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
    }
  }
  url ??= env[DATABASE_ENV];
  if (url === undefined || url === '')
    throw new UserInputError('--db', `give the shared store's URL: --db postgres://…, --db-url-file FILE or $${DATABASE_ENV}`);
  if (!isPostgresUrl(url))
    throw new UserInputError('--db', `a worker needs a shared PostgreSQL store (postgres://…), not ${url}: an SQLite file's queue runs in evolab serve`);
  return url;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(describeCommand('worker'))
    .option('--db <url>', `the shared store, postgres://user@host/db (default: $${DATABASE_ENV}); TLS options go in the URL (sslmode, sslrootcert…)`)
    .option('--db-url-file <file>', 'read the URL from the first line of this file (keeps the password off the command line)')
    .option('--slots <n>', 'runs at once on this machine', positiveInteger, 1)
    .option('--heartbeat <s>', "seconds without this worker's heartbeat before its runs move to another worker (>= 10)", positiveInteger, 10)
    .option('-q, --quiet', 'do not log run status changes', false)
    .action(async (options: WorkerOptions) => {
      const url = workerDatabaseUrl(options);
      if (options.heartbeat < 10) throw new UserInputError('--heartbeat', 'must be at least 10 seconds (the job queue checks heartbeats no finer)');
      const [{ boot }, { PgBossRunSource }, { environmentInfo }] = await Promise.all([
        import('../services/boot.ts'),
        import('../queue/distributed/pg-boss-source.ts'),
        import('../services/environment.ts'),
      ]);
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      let source: InstanceType<typeof PgBossRunSource> | null = null;
      const services = await boot({
        databasePath: url,
        runSource: (store) => {
          source = new PgBossRunSource({
            store,
            url,
            slots: options.slots,
            backend: environmentInfo(store.path).gpuPackage ? 'tensorflow-gpu or cpu' : 'cpu',
            heartbeatSeconds: options.heartbeat,
            log,
          });
          return source;
        },
      });
      await services.scheduler.overrideSlots(options.slots);
      await services.start();
      const id = (source as InstanceType<typeof PgBossRunSource> | null)?.workerId ?? 0;
      log(`evolab worker ${id}: ${options.slots} slot(s), queue of ${redactUrl(url)}; Ctrl-C stops it (its runs resume elsewhere)`);
      if (!options.quiet) {
        services.scheduler.events.subscribe((event) => {
          if (event.type === 'run-status' && event.run.workerId === id)
            log(`run ${event.run.id} (${event.run.experimentName} #${event.run.index}): ${event.run.status}`);
        });
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log('evolab worker: stopping; running runs are handed back to the queue');
      await services.shutdown();
    });
}
