// `evolab worker` refuses what cannot work with one line naming the option, exit code 2, and
// never prints a database password: no URL, an SQLite file (its queue runs in serve), an
// unreadable --db-url-file, a heartbeat under pg-boss's 10 s, a server that cannot be reached.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function worker(args: readonly string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), 'worker', ...args], {
    encoding: 'utf8',
    cwd: mkdtempSync(join(tmpdir(), 'evolab-worker-cli-')),
    env: { ...process.env, EVOLAB_DB: '' },
    timeout: 30_000,
  });
}

describe('evolab worker, bad input', () => {
  it.each([
    [[], "evolab: --db: give the shared store's URL: --db postgres://…, --db-url-file FILE or $EVOLAB_DB"],
    [['--db', 'lab.db'], "evolab: --db: a worker needs a shared PostgreSQL store (postgres://…), not lab.db: an SQLite file's queue runs in evolab serve"],
    [['--db-url-file', '/nonexistent/url'], 'evolab: --db-url-file: /nonexistent/url: ENOENT'],
    [
      ['--db', 'postgres://u:pw@127.0.0.1:1/x', '--heartbeat', '5'],
      'evolab: --heartbeat: must be at least 10 seconds (the job queue checks heartbeats no finer)',
    ],
  ])('refuses %j with one line naming the option', (args, message) => {
    const result = worker(args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(message);
  });

  it('says the server cannot be reached, with the password blanked', () => {
    const result = worker(['--db', 'postgres://evolab:s3cret@127.0.0.1:1/lab']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('postgres://evolab:***@127.0.0.1:1/lab');
    expect(result.stderr).toContain('cannot reach the database server');
    expect(result.stderr + result.stdout).not.toContain('s3cret');
  });
});
