// The queue commands as a user types them: queue add / ls / move / pause / cancel, runs ls,
// export, with the database chosen by --db or $EVOLAB_DB; and one-line errors (exit 2) that
// leave the database as it was for bad configs, unknown ids and unusable database files.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, SCHEMA_VERSION } from '../src-main/store/migrations.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, EVOLAB_DEBUG: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function rowCounts(db: string): Record<string, number> {
  const handle = new Database(db, { readonly: true });
  const count = (table: string) => (handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const counts = {
    experiments: count('experiments'),
    runs: count('runs'),
    metrics: count('metrics'),
    integrity: handle.pragma('integrity_check', { simple: true }) === 'ok' ? 1 : 0,
  };
  handle.close();
  return counts;
}

describe('evolab queue / runs / export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-queue-cli-'));
  const db = join(dir, 'evolab.db');
  const config = join(root, 'resources/configs/iris_adam.json');

  it('queues experiments and shows, reorders, pauses and cancels their runs', () => {
    const added = evolab(['queue', 'add', config, '--runs', '3', '--name', 'iris adam baseline', '--tag', 'baseline', '--db', db]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/^experiment 1 "iris adam baseline": 3 run\(s\) queued/);
    // The same database through the environment variable.
    expect(evolab(['queue', 'add', config, '--priority', '2'], { EVOLAB_DB: db }).stdout).toMatch(/^experiment 2 /);

    const listed = evolab(['queue', 'ls', '--db', db]).stdout;
    expect(listed).toMatch(/queue active, \d+ slot\(s\): 0 running, 4 waiting/);
    const order = (text: string) => [...text.matchAll(/^(\d+) +(iris[^#]*#\d)/gm)].map((m) => Number(m[1]));
    expect(order(listed)).toEqual([4, 1, 2, 3]); // priority 2 first, then first in first out
    expect(order(evolab(['queue', 'move', '3', '--top', '--db', db]).stdout)).toEqual([4, 3, 1, 2]);

    expect(evolab(['queue', 'pause', '--db', db]).stdout).toMatch(/queue PAUSED/);
    expect(evolab(['queue', 'cancel', '1', '--db', db]).stdout).toBe('run 1: cancelled\n');
    const runs = evolab(['runs', 'ls', '--experiment', '1', '--db', db]).stdout;
    expect(runs).toMatch(/^1 +iris adam baseline #0 +cancelled/m);
    expect(runs).toMatch(/3 of 3 run\(s\)/);
  });

  it('answers bad input with one line and exit code 2, leaving the database unchanged', () => {
    const before = rowCounts(db);
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: -1 }, training: { batch_size: 8, max_epochs: 3 } }));
    const cases: [string[], RegExp][] = [
      [['queue', 'add', badConfig, '--db', db], /bad\.json: optimizer\.lr: expected a positive number, got -1/],
      [['queue', 'add', join(dir, 'missing.json'), '--db', db], /missing\.json: no such config file/],
      [['runs', 'ls', '--experiment', '99', '--db', db], /experiment 99 does not exist/],
      [['queue', 'cancel', '99', '--db', db], /run 99 does not exist/],
      [['queue', 'cancel', '1', '--db', db], /run 1 is cancelled; only pending, interrupted or running runs can be cancelled/],
      [['queue', 'move', '2', '--before', '77', '--db', db], /run 77 does not exist/],
      [['export', '1', '--out', join(dir, 'out'), '--db', db], /experiment 1 has no done runs yet/],
      [['runs', 'ls', '--status', 'sleeping', '--db', db], /^evolab: --status: expected one of .*, got "sleeping" \(see evolab runs --help\)$/m],
      [['serve', '--renderer', join(dir, 'no-such-ui'), '--port', '0', '--db', db], /--renderer: .*no-such-ui is not a folder/],
      // Reading commands never create a database at a mistyped path.
      [
        ['runs', 'ls', '--db', join(dir, 'typo.db')],
        /^evolab: --db: there is no database at .*typo\.db yet: it is made by the first evolab queue add, import, tune, gpbt, pbt or serve$/m,
      ],
      [['experiments', 'ls', '--db', join(dir, 'typo.db')], /there is no database at .*typo\.db yet/],
    ];
    for (const [args, message] of cases) {
      const result = evolab(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(rowCounts(db)).toEqual(before);
    expect(existsSync(join(dir, 'typo.db'))).toBe(false);
  });

  it('refuses database files it cannot use, without touching them', () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database at all\n');
    const newer = join(dir, 'newer.db');
    const handle = new Database(newer);
    handle.pragma(`application_id = ${APPLICATION_ID}`); // an Evolab database...
    handle.pragma('user_version = 99'); // ...from a future version
    handle.close();
    for (const [file, message] of [
      [notes, /notes\.txt: is not an SQLite database; the file was not modified/],
      [newer, new RegExp(`newer\\.db: was written by a newer Evolab \\(schema 99; this version knows schemas up to ${SCHEMA_VERSION}\\)`)],
    ] as const) {
      const before = sha256(file);
      const result = evolab(['queue', 'ls', '--db', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(sha256(file)).toBe(before);
    }
  });

  it('lets only one service run the queue of a database, and takes over from a dead one', async () => {
    const shared = join(dir, 'shared.db');
    const serve = () => {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), 'serve', '--db', shared, '--port', '0'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((done) => child.on('exit', done));
      const serving = new Promise<void>((done) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.includes('serving http://')) done();
        });
      });
      return { child, exited, serving };
    };
    const first = serve();
    await first.serving;
    const second = evolab(['serve', '--db', shared, '--port', '0']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`another Evolab service \\(pid ${first.child.pid}, since .*\\) is running the queue of this database`));
    first.child.kill('SIGKILL');
    await first.exited;
    const third = serve(); // the lock's holder is dead: taken over
    await third.serving;
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});
