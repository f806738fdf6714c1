// Command-line cases found by trying to break Evolab: a token too short to protect anything,
// a config file saved with a byte-order mark, a database on a read-only file system, seeds
// above 2^53, `tune --slots 1` starting two runs at once, and `queue ls` showing a queue
// that stopped itself because its disk is full (a state only the running service knows).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, [...cli, ...args], { encoding: 'utf8', env: { ...process.env, EVOLAB_DEBUG: '' }, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const quick = (epochs: number) => ({
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: epochs },
  compute: { backend: 'js', threads: 1 },
});

let children: ChildProcess[] = [];
let mounts: string[] = [];
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const mount of mounts) spawnSync('umount', ['-l', mount]);
  children = [];
  mounts = [];
});

describe('evolab serve', () => {
  it('refuses an empty token (as `--token "$UNSET"` gives) with one line and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-token-'));
    for (const token of ['', 'abc']) {
      const result = evolab(['serve', '--host', '0.0.0.0', '--port', '0', '--token', token, '--db', join(dir, 'evolab.db')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`evolab: --token: the token has ${token.length} characters; at least 16 are needed (leave --token out to get a random one)\n`);
    }
  });
});

describe('evolab queue add', () => {
  it('reads a config file saved with a UTF-8 byte-order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-bom-'));
    const path = join(dir, 'bom.json');
    writeFileSync(path, `\ufeff${JSON.stringify(quick(3))}`);
    const result = evolab(['queue', 'add', path, '--db', join(dir, 'evolab.db')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^experiment 1 /);
  });

  it('refuses seeds above 2^53 - 1, where consecutive seeds would be equal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-seeds-'));
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify(quick(3)));
    const db = join(dir, 'evolab.db');
    const collide = evolab(['queue', 'add', path, '--runs', '3', '--first-seed', '9007199254740991', '--db', db]);
    expect([collide.code, collide.stderr]).toEqual([
      2,
      'evolab: firstSeed: firstSeed + runs - 1 must be at most 9007199254740991 (2^53 - 1) so that every run gets its own seed\n',
    ]);
    const huge = evolab(['queue', 'add', path, '--first-seed', '1e300', '--db', db]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/^evolab: --first-seed: expected at most 9007199254740991 \(2\^53 - 1\), got "1e300" \(see evolab queue --help\)$/m);
    const run = evolab(['run', path, '--runs', '2', '--first-seed', '9007199254740991', '--out', join(dir, 'out')]);
    expect([run.code, run.stderr]).toEqual([
      2,
      'evolab: --first-seed: first-seed + runs - 1 must be at most 9007199254740991 (2^53 - 1) so that every run gets its own seed\n',
    ]);
  });
});

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;

describe.skipIf(!isRoot)('a database on a read-only file system (root: mount)', () => {
  it('is refused with the database error in one line and exit code 2', () => {
    const mount = mkdtempSync(join(tmpdir(), 'evolab-ro-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]).status !== 0) return;
    mounts.push(mount);
    const db = join(mount, 'evolab.db');
    const path = join(mkdtempSync(join(tmpdir(), 'evolab-ro-config-')), 'c.json');
    writeFileSync(path, JSON.stringify(quick(3)));
    expect(evolab(['queue', 'add', path, '--db', db]).code).toBe(0);
    expect(spawnSync('mount', ['-o', 'remount,ro', mount]).status).toBe(0);
    const add = evolab(['queue', 'add', path, '--db', db]);
    expect(add.code).toBe(2);
    expect(add.stderr.trim().split('\n')).toHaveLength(1);
    expect(add.stderr).toMatch(/^evolab: .*evolab\.db: (the database cannot be written|the database file cannot be opened|disk I\/O error)/);
  });
});

describe('evolab tune --slots 1', () => {
  it('never runs two runs at once, even with runs already waiting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-slots-'));
    const db = join(dir, 'evolab.db');
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify(quick(30)));
    expect(evolab(['queue', 'add', config, '--runs', '2', '--db', db]).code).toBe(0);
    const study = join(dir, 'study.json');
    writeFileSync(
      study,
      JSON.stringify({
        base: quick(5),
        space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.1 } },
        tune: { trials: 2, sampler: { type: 'random' } },
      }),
    );
    const tuned = evolab(['tune', study, '--slots', '1', '--db', db]);
    expect(tuned.code).toBe(0);
    const handle = new Database(db, { readonly: true });
    const runs = handle.prepare("SELECT id, started_at AS startedAt, finished_at AS finishedAt FROM runs WHERE status = 'done' ORDER BY started_at").all() as {
      id: number;
      startedAt: string;
      finishedAt: string;
    }[];
    handle.close();
    expect(runs).toHaveLength(4);
    // With one slot each run starts after the previous one finished.
    for (let i = 1; i < runs.length; i++) expect(runs[i].startedAt >= runs[i - 1].finishedAt).toBe(true);
  });
});

describe('evolab queue ls while serve runs', () => {
  it('shows the live state of the service, not only what the database holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-live-'));
    const db = join(dir, 'evolab.db');
    const serve = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--quiet', '--slots', '7'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(serve);
    await new Promise<void>((done) => createInterface({ input: serve.stdout }).on('line', (line) => /serving http/.test(line) && done()));
    // `--slots 7` lives only in the service (the database holds no slot setting): only a
    // live answer knows it.
    const listed = evolab(['queue', 'ls', '--db', db]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^queue active, 7 slot\(s\)/);
    const holder = new Database(db, { readonly: true }).prepare('SELECT url FROM service_lock').get() as { url: string };
    expect(holder.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
