// Workers on a shared PostgreSQL store, end to end: three `evolab worker` processes (each in
// its own temp folder, as on three machines) share one throwaway PostgreSQL cluster. Thirty
// Iris runs are each trained exactly once, by the workers together; a worker killed with
// SIGKILL mid-run loses its claim when its heartbeat lapses and another worker resumes the
// run from its checkpoint, to the same result as an uninterrupted run of the same seed; a
// cancel reaches a run on a worker and its job process is gone within 2 s.
// Skipped (with the reason) where PostgreSQL cannot start, unless EVOLAB_REQUIRE_POSTGRES=1.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../src-shared/api.ts';
import type { Services } from '../src-main/services/boot.ts';
import { boot } from '../src-main/services/boot.ts';
import { type PostgresCluster, requirePostgres, startPostgresCluster } from './support/postgres-cluster.ts';
import { waitFor } from './support/wait-for.ts';

const root = resolve(import.meta.dirname, '..');
const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

function irisConfig(maxEpochs: number): object {
  return {
    name: `iris adam ${maxEpochs} epochs`,
    dataset: { name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } },
    model: { hidden: [10], activation: 'sigmoid' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 8, max_epochs: maxEpochs },
    compute: { backend: 'js', threads: 1 },
  };
}

/** An `evolab worker` process in a folder of its own. */
class Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stderr = '';

  constructor(url: string) {
    const cwd = mkdtempSync(join(tmpdir(), 'evolab-worker-'));
    this.child = spawn(process.execPath, [...cli, 'worker', '--db', url, '--slots', '1', '--quiet'], {
      cwd,
      env: { ...process.env, EVOLAB_DB: '', HOME: cwd },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** The processes a process started (Linux), e.g. a worker's job processes. */
function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

const cluster = await startPostgresCluster();
const skipped = 'skipped' in cluster ? cluster.skipped : null;
if (skipped !== null) requirePostgres(skipped);

describe.skipIf(skipped !== null)('workers sharing a PostgreSQL store', () => {
  const pg = cluster as PostgresCluster;
  let url = '';
  let services: Services;
  const workers: Worker[] = [];

  beforeAll(async () => {
    url = await pg.createDatabase('workers');
    // This process only enqueues and reads (no run source: on PostgreSQL it trains nothing).
    services = await boot({ databasePath: url });
    await services.start();
    for (let i = 0; i < 3; i++) workers.push(new Worker(url));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await services?.shutdown();
    await pg.stop();
  });

  const runsOf = async (experimentId: number): Promise<readonly RunSummary[]> => (await services.service.listRuns({ experimentId, limit: 1000 })).items;

  it('trains 30 runs, each exactly once, by the three workers together', async () => {
    const experiment = await services.service.createExperiment({ config: irisConfig(4), runs: 30, firstSeed: 1 });
    await waitFor(async () => (await runsOf(experiment.id)).every((r) => r.status === 'done'), { timeoutMs: 180_000, what: '30 runs done' });
    const runs = await runsOf(experiment.id);
    expect(runs).toHaveLength(30);
    expect(runs.every((r) => r.attempts === 1)).toBe(true);
    for (const run of runs) {
      const range = await services.store.metrics.epochRange(run.id);
      expect(range).toEqual({ first: 1, last: run.epochsRun, count: run.epochsRun });
    }
    const byWorker = new Map<number, number>();
    for (const run of runs) byWorker.set(run.workerId ?? -1, (byWorker.get(run.workerId ?? -1) ?? 0) + 1);
    console.log(`runs per worker: ${JSON.stringify(Object.fromEntries(byWorker))}`);
    expect(byWorker.size).toBe(3);
    expect(byWorker.has(-1)).toBe(false);
  }, 200_000);

  it('resumes the run of a worker killed with SIGKILL on another worker, equal to an uninterrupted run', async () => {
    const config = irisConfig(1500);
    const reference = await services.service.createExperiment({ config, runs: 1, firstSeed: 77, name: 'uninterrupted' });
    await waitFor(async () => (await runsOf(reference.id))[0].status === 'done', { timeoutMs: 120_000, what: 'reference run done' });
    const killed = await services.service.createExperiment({ config, runs: 1, firstSeed: 77, name: 'worker killed' });
    const running = await waitFor(
      async () => {
        const [run] = await runsOf(killed.id);
        return run.status === 'running' && run.epoch >= 100 && run.workerId !== null ? run : null;
      },
      { timeoutMs: 60_000, what: 'the run at epoch 100' },
    );
    const owner = await services.store.workers.get(running.workerId ?? -1);
    const victim = workers.find((w) => w.pid === owner?.pid);
    expect(victim).toBeDefined();
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    const killedAt = performance.now();
    const resumed = await waitFor(
      async () => {
        const [run] = await runsOf(killed.id);
        return run.status === 'done' ? run : null;
      },
      { timeoutMs: 120_000, what: 'the killed run done elsewhere' },
    );
    console.log(`killed at epoch ${running.epoch}; done on worker ${resumed.workerId} ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    expect(resumed.workerId).not.toBe(running.workerId);
    expect(resumed.attempts).toBe(2);
    const [expected] = await runsOf(reference.id);
    expect(resumed.final).toEqual({ ...expected.final, time: resumed.final?.time });
    expect(resumed.epochsRun).toBe(expected.epochsRun);
    const names = ['train_loss', 'val_loss', 'val_acc'];
    const a = await services.store.metrics.series(resumed.id, names);
    const b = await services.store.metrics.series(expected.id, names);
    for (const name of names) expect(a.get(name)).toEqual(b.get(name));
    workers.splice(workers.indexOf(victim as Worker), 1, new Worker(url));
  }, 300_000);

  it('cancels a run on a worker: its job process is gone within 2 s', async () => {
    const experiment = await services.service.createExperiment({ config: irisConfig(1_000_000), runs: 1, firstSeed: 5, name: 'cancelled' });
    const running = await waitFor(
      async () => {
        const [run] = await runsOf(experiment.id);
        return run.status === 'running' && run.epoch >= 2 && run.workerId !== null ? run : null;
      },
      { timeoutMs: 60_000, what: 'the run running' },
    );
    const owner = await services.store.workers.get(running.workerId ?? -1);
    const jobs = childrenOf(owner?.pid ?? -1);
    expect(jobs).toHaveLength(1);
    const cancelledAt = performance.now();
    await services.service.cancelRun({ runId: running.id });
    await waitFor(async () => !existsSync(`/proc/${jobs[0]}`) || readFileSync(`/proc/${jobs[0]}/stat`, 'utf8').split(' ')[2] === 'Z', {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the job process gone',
    });
    const seconds = (performance.now() - cancelledAt) / 1000;
    console.log(`cancel reached the job on worker ${running.workerId} in ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(2);
  }, 120_000);
});
