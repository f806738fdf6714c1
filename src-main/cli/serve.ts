// `evolab serve`: runs the queue (job processes, crash recovery) and the AppApi over HTTP +
// WebSocket for the web UI, until Ctrl-C. Bound to 127.0.0.1 unless --host says otherwise;
// any other address needs a token, generated and printed at start unless --token gives one.

import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describeCommand } from './commands.ts';
import { MAX_FILE_ENV } from '../files/user-file.ts';
import { isLoopback, MIN_TOKEN_LENGTH } from '../server/loopback.ts';
import { evolabVersion } from '../services/environment.ts';
import { databaseOption, databasePath, type DatabaseOptions } from './database-option.ts';
import { fileLimits, maxFileOption, nonNegativeInteger, positiveInteger } from './options.ts';
import { formatNumber } from './text-table.ts';

interface ServeOptions extends DatabaseOptions {
  readonly host: string;
  readonly port: number;
  readonly slots?: number;
  readonly open: boolean;
  readonly token?: string;
  readonly renderer?: string;
  readonly quiet: boolean;
  readonly allowHost: string[];
  readonly dataRoot: string[];
  readonly maxFileMb?: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** electron-vite's renderer output, served when it has been built. */
const BUILT_RENDERER = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(describeCommand('serve'))
    .option('--host <address>', 'address to bind; anything but loopback requires a token', '127.0.0.1')
    .option('-p, --port <port>', 'port (0: any free port)', nonNegativeInteger, 8177)
    .option('--slots <n>', 'runs at once (default: saved setting, else one per core)', positiveInteger)
    .option('--token <token>', `the token clients must send, at least ${MIN_TOKEN_LENGTH} characters (default: a random one when not on loopback)`)
    .option('--allow-host <name>', 'a name clients may reach this server by, besides its own names and addresses (repeatable)', collect, [])
    .option(
      '--data-root <dir>',
      'a folder whose files (CSV data sets, result folders to import) API callers may use (repeatable; default: anywhere on loopback, nowhere otherwise)',
      collect,
      [],
    )
    .addOption(maxFileOption())
    .option('--renderer <dir>', 'folder of the built web UI (default: out/renderer when built)')
    .option('-q, --quiet', 'do not log run status changes', false)
    .option('--open', 'open the web UI in the default browser', false)
    .addOption(databaseOption())
    .action(async (options: ServeOptions) => {
      const [{ default: open }, { serverFileAccess }, { boot, SERVING_BUSY_TIMEOUT_MS }, { startHttpServer }, { htmlToPdf }] = await Promise.all([
        import('open'),
        import('../files/data-roots.ts'),
        import('../services/boot.ts'),
        import('../server/http-server.ts'),
        import('../report/pdf.ts'),
      ]);
      // Checked before anything touches the database.
      if (options.renderer !== undefined && !(existsSync(options.renderer) && statSync(options.renderer).isDirectory())) {
        throw new UserInputError('--renderer', `${options.renderer} is not a folder`);
      }
      // Listen for Ctrl-C / SIGTERM from the start, so a stop during start-up is still graceful.
      const stopRequested = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const token = options.token ?? (isLoopback(options.host) ? null : randomBytes(24).toString('base64url'));
      if (token !== null && token.length < MIN_TOKEN_LENGTH) {
        throw new UserInputError(
          '--token',
          `the token has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (leave --token out to get a random one)`,
        );
      }
      const fileAccess = await serverFileAccess(options.dataRoot, isLoopback(options.host));
      const limits = fileLimits(options);
      // Jobs read CSV data sets: they inherit the cap through the environment.
      if (options.maxFileMb !== undefined) process.env[MAX_FILE_ENV] = String(options.maxFileMb);
      const services = await boot({
        databasePath: databasePath(options),
        renderPdf: htmlToPdf,
        busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS,
        fileAccess,
        fileLimits: limits,
      });
      // A reader that goes away (`serve | head`, a closed terminal) must not stop the service:
      // the log is a courtesy, the queue and the API are the work.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
      const log = (line: string): void => {
        if (!process.stdout.writableEnded && !process.stdout.destroyed) process.stdout.write(`${line}\n`);
      };
      // Run lines wait until the address has been printed: start() may launch runs at once.
      let held: string[] | null = [];
      const logRun = (line: string): void => {
        const stamped = `${new Date().toTimeString().slice(0, 8)} ${line}`;
        if (held === null) log(stamped);
        else held.push(stamped);
      };
      if (!options.quiet) {
        services.service.subscribe((event) => {
          if (event.type !== 'run-status') return;
          const r = event.run;
          let detail = '';
          if (r.status === 'done') detail = ` test_acc ${formatNumber(r.final?.test_acc ?? Number.NaN)}`;
          if (r.status === 'failed') detail = `: ${r.error ?? ''}`;
          if (r.status === 'running' && r.attempts > 1) detail = `, attempt ${r.attempts}${r.epoch > 0 ? `, resuming after epoch ${r.epoch}` : ''}`;
          logRun(`run ${r.id} (${r.experimentName} #${r.index}, seed ${r.seed}) ${r.status}${detail}`);
        });
      }
      let recovered: number;
      try {
        // The override comes first: start() launches runs at once, up to the slot count.
        if (options.slots !== undefined) await services.scheduler.overrideSlots(options.slots);
        recovered = await services.start();
      } catch (error) {
        await services.shutdown();
        throw error;
      }
      const rendererDir = options.renderer ?? (existsSync(BUILT_RENDERER) ? BUILT_RENDERER : null);
      let server;
      try {
        server = await startHttpServer({
          api: services.service,
          host: options.host,
          port: options.port,
          token,
          allowedHosts: options.allowHost,
          rendererDir,
          version: evolabVersion(),
        });
      } catch (error) {
        await services.shutdown();
        throw error;
      }
      try {
        // For `evolab queue ls`: where to ask for the live state (e.g. a queue stopped by a full disk).
        await services.store.setServiceUrl(server.url);
      } catch (error) {
        log(`evolab: could not record the service address: ${(error as Error).message}`);
      }
      const queue = await services.scheduler.state();
      log(`evolab: serving ${server.url}  database ${services.store.path}`);
      const waiting = queue.counts.pending + queue.counts.interrupted;
      if (services.store.kind === 'postgres') {
        const live = queue.workers.filter((w) => w.stoppedAt === null).length;
        log(
          `evolab: shared queue ${queue.paused ? 'paused' : 'active'}, ${waiting} waiting; runs are trained by \`evolab worker\` processes (${live} seen lately)`,
        );
      } else {
        log(`evolab: queue ${queue.paused ? 'paused' : 'active'}, ${queue.slots} slot(s), ${waiting} waiting`);
      }
      if (recovered > 0) log(`evolab: ${recovered} run(s) interrupted by a crash will resume from their last checkpoint`);
      if (token !== null) log(`evolab: token ${token}\nevolab: open ${server.url}/?token=${token}`);
      if (rendererDir === null) log('evolab: the web UI is not built yet: run `npm run build` (seconds) and restart serve; the API is served meanwhile');
      if (options.open && rendererDir !== null) {
        const address = token === null ? `${server.url}/` : `${server.url}/?token=${token}`;
        // A missing browser is not fatal: the address is printed above.
        void open(address).catch((error: unknown) =>
          log(`evolab: could not open a browser (${error instanceof Error ? error.message : String(error)}); open ${address}`),
        );
      }
      for (const line of held) log(line);
      held = null;
      await stopRequested;
      log('evolab: stopping (running runs will resume from their checkpoints next time)');
      await server.close();
      await services.shutdown();
    });
}
