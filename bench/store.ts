// Store and queue benchmarks (not tests: they print figures and assert nothing).
//   node bench/store.ts [--rows N] [--experiments N] [--series N] [--keep] [--postgres | --db URL]
// On a fresh database file (WAL) in the temp folder, or with --postgres on a fresh database
// of a throwaway PostgreSQL cluster (Debian's postgresql; fsync off, as in the tests), or on
// the PostgreSQL database --db names (its evolab schema must be empty):
//   1. per-epoch metric inserts: runs x epochs x 8 metrics, 1,000,000 rows by default, written
//      as the scheduler writes them (a transaction per batch of job messages), once with
//      one epoch per transaction (the worst case: one message per flush) and once with 100;
//   2. listing 10,000 experiments (5 runs each) through the service: all of them, and one
//      page of 100 sorted by mean test accuracy;
//   3. fetching a 100,000-point series downsampled to 1,000 points through the service.
// Each timing is the median of 5 repetitions (inserts: one pass each).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EPOCH_METRICS } from '../src-shared/api.ts';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import { boot, type Services } from '../src-main/services/boot.ts';
import { type PostgresCluster, startPostgresCluster } from '../test/support/postgres-cluster.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    experiments: { type: 'string', default: '10000' },
    series: { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const EXPERIMENTS = Number(values.experiments);
const SERIES = Number(values.series);
const METRICS = [...EPOCH_METRICS, 'learning_rate']; // 8 per epoch

const config = parseExperimentConfig({
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 500 },
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function timeAsync(work: () => Promise<unknown>, repetitions = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function addExperiments(services: Services, count: number, runsEach: number): Promise<void> {
  const { store } = services;
  const now = new Date().toISOString();
  await store.transaction(async () => {
    for (let i = 0; i < count; i++) {
      const id = await store.experiments.insert({
        name: `experiment ${i}`,
        dataset: 'iris',
        config,
        tags: i % 3 === 0 ? ['baseline'] : [],
        notes: '',
        createdAt: now,
      });
      await store.runs.insertForExperiment(id, runsEach, 0, 0, 500, now);
    }
  });
}

/** Writes `epochs` epochs for each run, `epochsPerTransaction` epochs of one run per transaction. */
async function insertMetrics(services: Services, runIds: number[], epochs: number, epochsPerTransaction: number): Promise<number> {
  const { store } = services;
  const values: Record<string, number> = {};
  return await timeAsync(async () => {
    for (const runId of runIds) {
      for (let first = 1; first <= epochs; first += epochsPerTransaction) {
        await store.transaction(async () => {
          for (let epoch = first; epoch < first + epochsPerTransaction && epoch <= epochs; epoch++) {
            for (const name of METRICS) values[name] = Math.random();
            await store.metrics.insertEpoch(runId, epoch, values);
          }
        });
      }
    }
  }, 1);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-bench-'));
  let cluster: PostgresCluster | null = null;
  let path = values.db ?? join(dir, 'bench.db');
  if (values.postgres) {
    const started = await startPostgresCluster();
    if ('skipped' in started) throw new Error(`--postgres: ${started.skipped}`);
    cluster = started;
    path = await cluster.createDatabase('bench');
  }
  const services = await boot({ databasePath: path });
  const { service, store } = services;
  console.log(`database ${store.path}, Node ${process.version}`);

  // 1. Metric inserts.
  const epochs = 500;
  const runs = Math.ceil(ROWS / (epochs * METRICS.length));
  await addExperiments(services, 2 * runs, 1);
  const ids = (await store.runs.list({ limit: 10_000, offset: 0 })).items.map((r) => r.id);
  for (const [label, perTransaction, runIds] of [
    ['1 epoch per transaction', 1, ids.slice(0, runs)],
    ['100 epochs per transaction', 100, ids.slice(runs, 2 * runs)],
  ] as const) {
    const ms = await insertMetrics(services, [...runIds], epochs, perTransaction);
    const rows = runIds.length * epochs * METRICS.length;
    console.log(
      `metric inserts, ${label}: ${rows.toLocaleString('en')} rows (${runIds.length} runs x ${epochs} epochs x 8) in ${(ms / 1000).toFixed(2)} s = ${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s`,
    );
  }

  // 2. Listing experiments.
  const existing = await store.experiments.count();
  await addExperiments(services, EXPERIMENTS - existing, 5);
  await store.transaction(async () => {
    for (const run of (await store.runs.list({ limit: 10_000, offset: 0, status: ['pending'] })).items.slice(0, 5000)) {
      await store.runs.markDone(
        run.id,
        {
          time: 1,
          final: { train_loss: 0.1, train_acc: 0.9, val_loss: 0.2, val_acc: 0.9, test_loss: 0.3, test_acc: Math.random() },
          modelEvals: 1000,
          gradEvals: 500,
          epochsRun: 10,
          bestEpoch: 10,
          stoppedEarly: false,
        },
        new Date().toISOString(),
      );
    }
  });
  const total = await store.experiments.count();
  const all = await timeAsync(() => service.listExperiments({ limit: 10_000 }));
  const page = await timeAsync(() => service.listExperiments({ limit: 100, sort: { by: 'metric', metric: 'test_acc', direction: 'desc' } }));
  const filtered = await timeAsync(() => service.listExperiments({ limit: 100, tags: ['baseline'], search: 'experiment 1', status: ['done', 'pending'] }));
  console.log(
    `list experiments (${total.toLocaleString('en')} experiments, ${(await store.runs.count()).toLocaleString('en')} runs): all 10,000 ${all.toFixed(1)} ms; page of 100 by mean test_acc ${page.toFixed(1)} ms; filtered (tag + search + status) ${filtered.toFixed(1)} ms`,
  );

  // 3. One long series, downsampled.
  const [target] = (await store.runs.list({ limit: 1, offset: 0 })).items;
  await store.metrics.deleteForRun(target.id);
  await store.transaction(async () => {
    for (let epoch = 1; epoch <= SERIES; epoch++)
      await store.metrics.insertEpoch(target.id, epoch, { val_loss: Math.exp(-epoch / 20_000) + 0.01 * Math.random() });
  });
  const series = await timeAsync(() => service.getRunMetrics({ runId: target.id, names: ['val_loss'], maxPoints: 1000 }));
  const full = await timeAsync(() => service.getRunMetrics({ runId: target.id, names: ['val_loss'] }));
  console.log(`series of ${SERIES.toLocaleString('en')} points -> 1,000 (LTTB): ${series.toFixed(1)} ms (without downsampling: ${full.toFixed(1)} ms)`);

  const size = store.kind === 'sqlite' ? `database size ${(statSync(path).size / 1e6).toFixed(0)} MB; ` : '';
  console.log(`${size}integrity ${await store.integrityCheck()}`);
  await services.shutdown();
  await cluster?.stop();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

await main();
