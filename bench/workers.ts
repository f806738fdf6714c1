// Throughput of tiny runs through a shared PostgreSQL store, with 1, 2 and 4 `evolab worker`
// processes on this machine (not a test: it prints figures and asserts nothing).
//   node bench/workers.ts [--runs N] [--workers 1,2,4] [--db postgres://…]
// Without --db it starts a throwaway PostgreSQL cluster (Debian's postgresql, as the tests do).
// For each worker count: a fresh database, the workers started and registered, then N Iris
// runs of 2 epochs queued at once; the figure is runs per minute from the queueing to the
// last run done (job process start-up included, as a user sees it).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { boot } from '../src-main/services/boot.ts';
import { startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { waitFor } from '../test/support/wait-for.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, workers: { type: 'string', default: '1,2,4' }, db: { type: 'string' } },
});
const RUNS = Number(values.runs);
const COUNTS = (values.workers ?? '1,2,4').split(',').map(Number);
const root = resolve(import.meta.dirname, '..');

const config = {
  name: 'tiny iris',
  dataset: { name: 'iris' },
  model: { hidden: [10], activation: 'sigmoid' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 2 },
  compute: { backend: 'js', threads: 1 },
};

function startWorker(url: string): { child: ChildProcess; exited: Promise<void> } {
  const cwd = mkdtempSync(join(tmpdir(), 'evolab-bench-worker-'));
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), 'worker', '--db', url, '--slots', '1', '--quiet'],
    {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, EVOLAB_DB: '' },
    },
  );
  return { child, exited: new Promise((done) => child.once('exit', () => done())) };
}

async function main(): Promise<void> {
  const cluster = values.db === undefined ? await startPostgresCluster() : null;
  if (cluster !== null && 'skipped' in cluster) {
    console.log(`no PostgreSQL here: ${cluster.skipped}`);
    return;
  }
  try {
    for (const count of COUNTS) {
      const url = cluster !== null ? await cluster.createDatabase(`bench_workers_${count}`) : (values.db as string);
      const services = await boot({ databasePath: url });
      await services.start();
      const workers = Array.from({ length: count }, () => startWorker(url));
      await waitFor(
        async () => (await services.store.workers.list(new Date(Date.now() - 60_000).toISOString())).filter((w) => w.stoppedAt === null).length >= count,
        {
          timeoutMs: 60_000,
          what: 'the workers registered',
        },
      );
      const started = performance.now();
      const experiment = await services.service.createExperiment({ config, runs: RUNS, firstSeed: 1 });
      await waitFor(async () => (await services.service.getExperiment({ id: experiment.id })).runsDone === RUNS, {
        timeoutMs: 600_000,
        what: `${RUNS} runs done`,
      });
      const seconds = (performance.now() - started) / 1000;
      console.log(`${count} worker(s): ${RUNS} runs in ${seconds.toFixed(1)} s = ${((RUNS / seconds) * 60).toFixed(0)} runs/min`);
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await services.shutdown();
    }
  } finally {
    if (cluster !== null) await cluster.stop();
  }
}

await main();
