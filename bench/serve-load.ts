// Load on `evolab serve` while jobs train (a benchmark, not a test: it prints figures and
// asserts nothing).
//   node bench/serve-load.ts [--clients 50] [--seconds 10] [--lock 8] [--epochs 4000]
// Starts `evolab serve --slots 2` on a fresh database, queues two long Iris runs that stream
// an epoch every few milliseconds, then runs `--clients` HTTP clients in a closed loop
// (getQueue, listExperiments, getRunMetrics in turn) for `--seconds`. With `--lock S`, another
// process takes the database's write lock (BEGIN IMMEDIATE) for S seconds in the middle of
// the load, as a backup tool or a second writer would. Prints the latency percentiles of the
// whole load and of the requests sent while the lock was held, and epochs per second per job
// (stored epochs over the load window).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    lock: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '4000' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const LOCK_SECONDS = Number(values.lock);

const root = resolve(import.meta.dirname, '..');
const cli = [join(root, 'bin/evolab.mjs')];
const dir = mkdtempSync(join(tmpdir(), 'evolab-serve-load-'));
const db = join(dir, 'evolab.db');
const configPath = join(dir, 'long.json');
writeFileSync(
  configPath,
  JSON.stringify({
    name: 'long iris adam',
    dataset: { name: 'iris' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 16, max_epochs: Number(values.epochs) },
    compute: { backend: 'js', threads: 1 },
  }),
);

function evolab(args: string[]): string {
  const result = spawnSync(process.execPath, [...cli, ...args, '--db', db], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`evolab ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function describe(label: string, latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
  return `| ${label} | ${sorted.length} | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 90))} | ${f(percentile(sorted, 99))} | ${f(sorted[sorted.length - 1] ?? Number.NaN)} |`;
}

function storedEpochs(): Map<number, number> {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = reader.prepare("SELECT run_id AS run, count(*) AS n FROM metrics WHERE name = 'val_loss' GROUP BY run_id").all() as {
      run: number;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.run, r.n]));
  } finally {
    reader.close();
  }
}

async function main(): Promise<void> {
  evolab(['queue', 'add', configPath, '--runs', '2']);
  const serve = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--slots', '2', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((done) => {
    createInterface({ input: serve.stdout }).on('line', (line) => {
      const m = /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m !== null) done(m[1]);
    });
  });
  const call = async (method: string, body: object): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
  };
  // Both jobs streaming before the load starts.
  while ((storedEpochs().get(2) ?? 0) < 5 || (storedEpochs().get(1) ?? 0) < 5) await new Promise((r) => setTimeout(r, 100));

  const requests = [() => call('getQueue', {}), () => call('listExperiments', {}), () => call('getRunMetrics', { runId: 1, maxPoints: 200 })];
  const all: number[] = [];
  const duringLock: number[] = [];
  let lockedFrom = Number.POSITIVE_INFINITY;
  let lockedTo = Number.POSITIVE_INFINITY;
  let lockHolder: ChildProcess | null = null;
  const startEpochs = storedEpochs();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  if (LOCK_SECONDS > 0) {
    // A separate process holds the write lock, as another writer would.
    const holdAt = Math.max(0, (SECONDS - LOCK_SECONDS) / 2) * 1000;
    setTimeout(() => {
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const D=require(${JSON.stringify(join(root, 'node_modules/better-sqlite3'))});const d=new D(${JSON.stringify(db)});d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');setTimeout(()=>{d.exec('COMMIT');process.stdout.write('released\\n');},${LOCK_SECONDS * 1000});`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      lockHolder = holder;
      createInterface({ input: holder.stdout }).on('line', (line) => {
        if (line === 'locked') lockedFrom = performance.now();
        if (line === 'released') lockedTo = performance.now();
      });
    }, holdAt);
  }
  let errors = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; performance.now() < end; i++) {
        const sent = performance.now();
        try {
          await requests[i % requests.length]();
        } catch {
          errors++;
        }
        const took = performance.now() - sent;
        all.push(took);
        if (sent >= lockedFrom && sent < lockedTo) duringLock.push(took);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const endEpochs = storedEpochs();
  console.log(
    `\n${CLIENTS} clients for ${seconds.toFixed(1)} s against serve with 2 jobs streaming${LOCK_SECONDS > 0 ? `; write lock held by another process for ${LOCK_SECONDS} s` : ''}\n`,
  );
  console.log('| requests | n | p50 ms | p90 ms | p99 ms | max ms |');
  console.log('|---|---|---|---|---|---|');
  console.log(describe('all', all));
  if (LOCK_SECONDS > 0) console.log(describe('sent while the lock was held', duringLock));
  console.log(`\nthroughput: ${(all.length / seconds).toFixed(0)} requests/s, ${errors} failed`);
  for (const run of [1, 2]) {
    const stored = (endEpochs.get(run) ?? 0) - (startEpochs.get(run) ?? 0);
    console.log(`run ${run}: ${stored} epochs stored in the window, ${(stored / seconds).toFixed(0)} epochs/s`);
  }
  (lockHolder as ChildProcess | null)?.kill();
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

await main();
