// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, a server on a
// free port of 127.0.0.1 (and a Unix socket inside that folder), trust authentication, and
// durability off (fsync=off: a test database never needs to survive a crash). It uses
// Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin); where that is missing
// the tests that need it are skipped, unless EVOLAB_REQUIRE_POSTGRES=1 says they must run.
// initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
// No server outlives its tests: stop() kills it (and removes its folder), and a process
// that exits without calling stop() kills it on the way out.

import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The environment variable that turns "PostgreSQL is missing" from a skip into a failure. */
export const REQUIRE_POSTGRES_ENV = 'EVOLAB_REQUIRE_POSTGRES';

export interface PostgresCluster {
  /** The URL of a database of this cluster (user postgres, no password needed). */
  url(database: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once and removes its files (safe to call twice). */
  stop(): Promise<void>;
}

interface Binaries {
  readonly bin: string;
  /** The user the server runs as when we are root (initdb refuses root). */
  readonly runAs: { readonly name: string; readonly uid: number; readonly gid: number } | null;
}

/** The newest installed PostgreSQL's bin folder, or why there is none. */
function findBinaries(): Binaries | { readonly skipped: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) return { skipped: `PostgreSQL is not installed (no ${root}/*/bin/initdb; Debian package postgresql)` };
  const bin = join(root, versions[0], 'bin');
  if (process.getuid?.() !== 0) return { bin, runAs: null };
  // As root: the binaries run as `postgres` through runuser.
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return { skipped: 'running as root and runuser is missing (initdb refuses root)' };
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { bin, runAs: { name: 'postgres', uid, gid } };
  } catch {
    return { skipped: 'running as root and there is no postgres user to run the server as (initdb refuses root)' };
  }
}

/** Why the PostgreSQL tests cannot run on this machine, or null when they can. */
export function postgresUnavailable(): string | null {
  const found = findBinaries();
  return 'skipped' in found ? found.skipped : null;
}

/**
 * For a test file deciding whether to skip: the reason PostgreSQL is unavailable (null when it
 * is available). Throws instead when EVOLAB_REQUIRE_POSTGRES=1, so that CI, where PostgreSQL is
 * installed, never passes by skipping.
 */
export function requirePostgres(reason: string | null = postgresUnavailable()): string | null {
  if (reason !== null && process.env[REQUIRE_POSTGRES_ENV] === '1') {
    throw new Error(`${REQUIRE_POSTGRES_ENV}=1 but PostgreSQL is unavailable: ${reason}`);
  }
  return reason;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A binary's command line, as the postgres user when we are root. */
function command(binaries: Binaries, tool: string, args: readonly string[]): [string, string[]] {
  const path = join(binaries.bin, tool);
  return binaries.runAs === null ? [path, [...args]] : ['runuser', ['-u', binaries.runAs.name, '--', path, ...args]];
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Starts a new cluster, or says why it cannot (PostgreSQL missing); throws when starting fails. */
export async function startPostgresCluster(): Promise<PostgresCluster | { skipped: string }> {
  const binaries = findBinaries();
  if ('skipped' in binaries) return { skipped: binaries.skipped };
  const dir = mkdtempSync(join(tmpdir(), 'evolab-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  const log = join(dir, 'server.log');
  mkdirSync(socket);
  if (binaries.runAs !== null) {
    for (const path of [dir, socket]) chownSync(path, binaries.runAs.uid, binaries.runAs.gid);
  }
  let running = false;
  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      if (running) execFileSync(...command(binaries, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']), { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that ends without stop() (a failed beforeAll, a crash) still takes its server down.
  process.once('exit', stopNow);
  try {
    await run(...command(binaries, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']));
    let port = 0;
    // Another process may take the free port before the server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${socket}`;
      try {
        await run(...command(binaries, 'pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options]));
        running = true;
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    return {
      url,
      async createDatabase(name: string): Promise<string> {
        const client = new pg.Client({ connectionString: url('postgres') });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async stop(): Promise<void> {
        process.removeListener('exit', stopNow);
        if (stopped) return;
        stopped = true;
        try {
          if (running) await run(...command(binaries, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    process.removeListener('exit', stopNow);
    stopNow();
    throw new Error(`could not start a PostgreSQL cluster: ${(error as Error).message}${serverLog === '' ? '' : `\nserver log:\n${serverLog}`}`, {
      cause: error,
    });
  }
}
