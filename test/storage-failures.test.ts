// Nothing a job reports is lost when the database cannot be written for a while, and the
// service stays responsive meanwhile:
//   - another process holds the write lock for 8 s while two jobs stream epochs: the kept
//     writes commit when it lets go, every epoch is stored once, both runs end done, and the
//     HTTP API answers throughout (its latency during the lock is printed);
//   - the database's disk fills up mid-run (a small tmpfs, root only): the runs do not end
//     done with gaps, the queue stops itself with "disk full" visible through the API, and
//     after space is freed and the queue resumed they finish with every epoch, equal to
//     uninterrupted runs of the same seeds;
//   - a write that fails after an experiment was stored (starting its runs) does not turn the
//     answer into an error, and database trouble answers 503 `database`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import type { QueueState } from '../src-shared/api.ts';
import { createBackend } from '../src-main/engine/compute/select.ts';
import { loadSplits } from '../src-main/engine/data/load.ts';
import { trainRun } from '../src-main/engine/train.ts';
import { type RunningServer, startHttpServer } from '../src-main/server/http-server.ts';
import { boot, SERVING_BUSY_TIMEOUT_MS, type Services } from '../src-main/services/boot.ts';
import { EventLog } from './helpers/events.ts';

const root = resolve(import.meta.dirname, '..');

const irisAdam = (epochs: number) => ({
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: epochs },
  compute: { backend: 'js', threads: 1 },
});

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function serving(databasePath: string): Promise<{ services: Services; server: RunningServer; log: EventLog }> {
  const services = await boot({ databasePath, defaultSlots: 2, busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS });
  const log = new EventLog(services.service);
  const server = await startHttpServer({ api: services.service, host: '127.0.0.1', port: 0, token: null, rendererDir: null, version: 'test' });
  cleanup.push(
    () => services.shutdown(),
    () => server.close(),
  );
  return { services, server, log };
}

async function call<T>(
  server: RunningServer,
  method: string,
  body: object = {},
): Promise<{ status: number; result?: T; error?: { code: string; message: string } }> {
  const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as { result?: T; error?: { code: string; message: string } };
  return { status: response.status, ...json };
}

/** The CLI in a child process, without blocking this process (whose service it may ask). */
function evolabAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A separate process that takes the database's write lock until told to let go. */
function lockHolder(databasePath: string): { locked: Promise<void>; release: () => Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require(${JSON.stringify(join(root, 'node_modules/better-sqlite3'))});
       const db = new D(${JSON.stringify(databasePath)});
       db.exec('BEGIN IMMEDIATE'); console.log('locked');
       process.stdin.once('data', () => { db.exec('COMMIT'); console.log('released'); process.exit(0); });`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const seen = (text: string) => new Promise<void>((done) => lines.on('line', (line) => line === text && done()));
  const locked = seen('locked');
  const released = seen('released');
  cleanup.push(() => {
    child.kill();
  });
  return {
    locked,
    release: async () => {
      child.stdin.write('go\n');
      await released;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe('another process holds the write lock for 8 s while two jobs stream epochs', () => {
  it('stores every epoch once, ends both runs done, and keeps answering HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-lock-'));
    const databasePath = join(dir, 'evolab.db');
    const { services, server, log } = await serving(databasePath);
    const epochs = 700;
    await services.service.createExperiment({ config: irisAdam(epochs), runs: 2 });
    await services.start();
    await Promise.all([log.progress(1, 20), log.progress(2, 20)]);

    const lock = lockHolder(databasePath);
    await lock.locked;
    const storedAtLock = (await services.store.metrics.epochRange(1)).count + (await services.store.metrics.epochRange(2)).count;
    // Clients keep asking while the lock is held (no sleep decides anything: the lock is
    // released when the test has sent its requests for 8 s of wall time).
    const latencies: number[] = [];
    const until = performance.now() + 8000;
    await Promise.all(
      Array.from({ length: 5 }, async (_, c) => {
        for (let i = c; performance.now() < until; i++) {
          const sent = performance.now();
          const reply = await call(server, i % 2 === 0 ? 'getQueue' : 'listExperiments');
          expect(reply.status).toBe(200);
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const storedDuringLock = (await services.store.metrics.epochRange(1)).count + (await services.store.metrics.epochRange(2)).count;
    const progressDuringLock = log.events.filter((e) => e.type === 'run-progress').length;
    await lock.release();
    console.log(
      `HTTP during the 8 s write lock: ${latencies.length} requests, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (target p99 < 250 ms)`,
    );
    // Nothing could be committed while the lock was held; the jobs went on streaming.
    expect(storedDuringLock).toBe(storedAtLock);

    await Promise.all([log.status(1, 'done'), log.status(2, 'done')]);
    expect(log.events.filter((e) => e.type === 'run-progress').length).toBeGreaterThan(progressDuringLock);
    for (const runId of [1, 2]) {
      expect(await services.store.metrics.epochRange(runId)).toEqual({ first: 1, last: epochs, count: epochs });
      expect(await services.store.runs.get(runId)).toMatchObject({ status: 'done', epochsRun: epochs });
    }
    // Exactly once: 7 metrics per epoch and no more.
    expect(await services.store.metrics.count()).toBe(2 * epochs * 7);
    expect(await services.store.integrityCheck()).toBe('ok');
  });
});

/** A tmpfs of `size` at a new folder (needs root); null where it cannot be mounted. */
function mountTmpfs(size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'evolab-tmpfs-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (result.status !== 0) return null;
  return dir;
}

const probe = mountTmpfs('1m');
if (probe !== null) spawnSync('umount', [probe]);
const canMount = probe !== null;
if (!canMount) console.log('storage-failures: the disk-full test needs root and tmpfs (mount -t tmpfs); skipped here');

describe.skipIf(!canMount)('the database disk fills up mid-run (tmpfs)', () => {
  it('stops the queue with "disk full", loses nothing, and finishes every epoch once space is freed', async () => {
    const mount = mountTmpfs('8m');
    if (mount === null) throw new Error('tmpfs could not be mounted');
    cleanup.push(() => {
      spawnSync('umount', ['-l', mount]);
    });
    const databasePath = join(mount, 'evolab.db');
    const { services, server, log } = await serving(databasePath);
    const epochs = 300;
    const created = await call(server, 'createExperiment', { config: irisAdam(epochs), runs: 2, firstSeed: 5 });
    expect(created.status).toBe(200);
    // Hold the queue (paused), and say where this service answers, as `evolab serve` does.
    await services.service.pauseQueue({});
    await services.start();
    await services.store.setServiceUrl(server.url);
    // Fill the disk but for a little room: the runs' epochs and checkpoints soon need more.
    const filler = join(mount, 'filler');
    mkdirSync(filler);
    let blocks = 0;
    const fill = (): void => {
      for (;;) {
        try {
          writeFileSync(join(filler, `block-${blocks++}`), Buffer.alloc(16 * 1024, 1));
        } catch {
          return;
        }
      }
    };
    fill();
    for (let i = 0; i < 8; i++) rmSync(join(filler, `block-${i}`));
    const stopped = new Promise((done) =>
      services.service.subscribe((e) => {
        // Take the last bytes at once (before any retry can run), so the disk stays full
        // until this test frees it.
        if (e.type === 'queue' && e.storage !== null) {
          fill();
          done(e);
        }
      }),
    );
    await services.service.resumeQueue({});
    expect(await stopped).toMatchObject({ type: 'queue', storage: { problem: expect.stringMatching(/disk full|disk I\/O error/) } });
    const state = await call<QueueState>(server, 'getQueue');
    expect(state.result?.storage?.problem).toMatch(/disk full|disk I\/O error/);
    // Nothing claims to be done with a gap.
    for (const run of [...(state.result?.running ?? []), ...(state.result?.finished ?? [])]) expect(run.status).not.toBe('done');
    // `evolab queue ls` asks the service for what it cannot write down.
    const listed = await evolabAsync(['queue', 'ls', '--db', databasePath]);
    expect(listed.stdout).toMatch(/^queue STOPPED, .*\nstopped since .*: disk full/);

    rmSync(filler, { recursive: true, force: true });
    const resumed = await call<QueueState>(server, 'resumeQueue');
    expect(resumed.status).toBe(200);
    await Promise.all([log.status(1, 'done'), log.status(2, 'done')]);
    const config = parseExperimentConfig(irisAdam(epochs));
    const splits = loadSplits(config.dataset);
    const { backend } = await createBackend('js');
    for (const [runId, seed] of [
      [1, 5],
      [2, 6],
    ] as const) {
      expect(await services.store.metrics.epochRange(runId)).toEqual({ first: 1, last: epochs, count: epochs });
      const straight = trainRun(config, splits, seed, backend);
      const run = await services.store.runs.get(runId);
      expect(run?.attempts).toBeGreaterThan(1); // it was stopped and resumed
      const { time: _time, ...final } = run?.final ?? {};
      expect(final).toEqual({ ...straight.final, model_evals: straight.model_evals });
      const stored = await services.store.metrics.series(runId, ['val_loss', 'train_acc']);
      expect(stored.get('val_loss')?.values).toEqual(straight.epochs.map((e) => e.val_loss));
      expect(stored.get('train_acc')?.values).toEqual(straight.epochs.map((e) => e.train_acc));
    }
    expect(await services.store.integrityCheck()).toBe('ok');
  });
});

describe('effects and answers in the right order', () => {
  it('answers database trouble with 503 database, and stores nothing', async () => {
    const { services, server } = await serving(join(mkdtempSync(join(tmpdir(), 'evolab-order-')), 'evolab.db'));
    vi.spyOn(services.store.runs, 'insertForExperiment').mockImplementation(async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    const refused = await call(server, 'createExperiment', { config: irisAdam(3), runs: 2 });
    expect([refused.status, refused.error?.code, refused.error?.message]).toEqual([503, 'database', expect.stringMatching(/disk full/)]);
    expect(await services.store.experiments.count()).toBe(0); // the experiment row went with the transaction
  });

  it('answers a stored experiment as created even when starting its runs fails, and stops the queue', async () => {
    const { services, server, log } = await serving(join(mkdtempSync(join(tmpdir(), 'evolab-order-')), 'evolab.db'));
    await services.start();
    const markRunning = services.store.runs.markRunning.bind(services.store.runs);
    let failing = true;
    vi.spyOn(services.store.runs, 'markRunning').mockImplementation(async (id, now) => {
      if (failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      await markRunning(id, now);
    });
    const created = await call<{ id: number }>(server, 'createExperiment', { config: irisAdam(3), runs: 1 });
    expect(created.status).toBe(200); // stored: a retry by the client must not create a second one
    expect(created.result?.id).toBe(1);
    const queue = await call<QueueState>(server, 'getQueue');
    expect(queue.result?.storage?.problem).toMatch(/^disk full/);
    failing = false;
    await call(server, 'resumeQueue');
    await log.status(1, 'done');
    expect(await services.store.experiments.count()).toBe(1);
  });
});
