// The PostgreSQL store on a throwaway cluster (test/support/postgres-cluster.ts): migration
// from empty and by several processes at once, refusal (database unchanged) of a foreign or
// newer schema, the same answers as the SQLite store for one scripted session of every
// repository, transactions (rollback, nested joins, serialization failures retried by
// write()), statistics kept right by concurrent writers, the service lock, study
// coordination, and no password in any message. Skipped where PostgreSQL is not installed,
// unless EVOLAB_REQUIRE_POSTGRES=1.

import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresCluster, requirePostgres, type PostgresCluster } from '../../../test/support/postgres-cluster.ts';
import { parseRequest } from '../../../src-shared/api.ts';
import { ApiError } from '../../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../../src-shared/config/experiment.ts';
import type { Store } from '../contract.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../migrations.ts';
import { openStore } from '../store.ts';
import { postgresTrouble, sqlState } from './errors.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { openPostgresStore } from './pg-store.ts';

const skipped = requirePostgres();

const irisAdam = parseExperimentConfig({
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 5 },
});
const irisSgd = parseExperimentConfig({
  dataset: { name: 'iris' },
  optimizer: { type: 'sgd', lr: 0.1 },
  training: { batch_size: 8, max_epochs: 3 },
});

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: PostgresCluster;
let databases = 0;

async function freshUrl(): Promise<string> {
  databases += 1;
  return await cluster.createDatabase(`t${databases}`);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every object outside the system schemas, and every row of the tables named, to compare before and after. */
async function snapshot(url: string, tables: readonly string[]): Promise<unknown> {
  return await withClient(url, async (client) => {
    const objects = await client.query(
      `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2`,
    );
    const schemas = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`);
    const rows = [];
    for (const table of tables) rows.push((await client.query(`SELECT * FROM ${table} ORDER BY 1`)).rows);
    return { objects: objects.rows, schemas: schemas.rows, rows };
  });
}

async function refusal(url: string): Promise<ApiError> {
  try {
    await (await openPostgresStore(url)).close();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the database was accepted');
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('it did not throw');
}

/** A pid that is certainly not running (a child that has exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/**
 * One session of every repository, with fixed inputs; what each call answers, in order. Run on
 * both stores, the answers must be equal.
 */
async function session(store: Store): Promise<unknown[]> {
  const out: unknown[] = [];
  const t = (minute: number): string => new Date(Date.UTC(2025, 0, 1, 12, minute)).toISOString();
  const list = (request: Record<string, unknown>) => store.experiments.list(parseRequest('listExperiments', request));
  const names = ['beta', 'Alpha', 'alpha', 'Émile', 'zeta', 'Zed', 'a_b', 'a%b'];
  const ids: number[] = [];
  for (const [i, name] of names.entries()) {
    ids.push(
      await store.write(async () => {
        const id = await store.experiments.insert({
          name,
          dataset: i % 2 === 0 ? 'iris' : 'mnist',
          config: i % 3 === 0 ? irisSgd : irisAdam,
          tags: i % 2 === 0 ? ['zz', 'Baseline', 'b'] : [],
          notes: i === 3 ? 'Notes with ÉCOLE and 100%' : '',
          createdAt: t(i),
        });
        await store.runs.insertForExperiment(id, 3, 10 * i, i % 3, 5, t(i));
        return id;
      }),
    );
  }
  out.push(ids);
  const runs = (await store.runs.list(parseRequest('listRuns', { limit: 100 }))).items;
  // Final metrics whose plain sum and SQLite's compensated sum differ in the last bit.
  const accuracies = [0.1, 0.2, 0.3, 0.7, 0.1, 0.2];
  for (const [i, run] of runs.entries()) {
    if (i % 4 === 3) continue;
    await store.runs.markRunning(run.id, t(20 + i));
    if (i % 5 === 4) {
      await store.runs.markFailed(run.id, 'boom', t(40 + i));
      continue;
    }
    if (i % 7 === 6) continue; // left running
    await store.runs.recordEnvironment(run.id, { backend: 'wasm', optimizer: 'adam', parameterCount: 100 + i });
    await store.runs.markDone(
      run.id,
      {
        time: 1.1 * (i + 1),
        final: {
          train_loss: 0.1 * i,
          train_acc: accuracies[i % accuracies.length],
          val_loss: i === 2 ? Number.NaN : 0.3,
          val_acc: 1 / (i + 3),
          test_loss: 0.5 + i,
          test_acc: accuracies[(i + 1) % accuracies.length],
        },
        modelEvals: 1000 + i,
        gradEvals: 7,
        epochsRun: 5,
        bestEpoch: 4,
        stoppedEarly: i % 2 === 0,
      },
      t(40 + i),
    );
  }
  await store.runs.markCancelled(runs[3].id, t(50));
  out.push(await store.runs.list(parseRequest('listRuns', { limit: 100 })));
  out.push(await store.runs.list(parseRequest('listRuns', { status: ['done', 'failed'], limit: 3, offset: 2 })));
  out.push(await store.runs.statusCounts(), await store.runs.count(), await store.runs.running(), await store.runs.recentlyFinished(4));
  // Queue order: priorities, moves.
  out.push((await store.runs.waiting(50)).map((r) => r.id));
  const waiting = await store.runs.waiting(50);
  await store.write(() => store.runs.move(waiting[waiting.length - 1].id, 'top'));
  await store.write(() => store.runs.move(waiting[0].id, 'bottom'));
  await store.write(() => store.runs.move(waiting[1].id, { before: waiting[3].id }));
  out.push((await store.runs.waiting(50)).map((r) => [r.id, r.priority]));
  await store.runs.resetForRetry(runs[3].id, t(55));
  out.push(
    await store.runs.get(runs[3].id),
    (await store.runs.waiting(50)).map((r) => r.id),
  );
  out.push(await store.runs.interruptRunning(), await store.runs.statusCounts());
  await store.runs.markRunning(runs[6].id, t(56));
  await store.runs.markInterrupted(runs[6].id, 'stopped');
  out.push(await store.runs.get(runs[6].id));
  // Experiments: every sort, filters, search (ASCII case folded, wildcards literal), details.
  for (const by of ['id', 'name', 'created', 'status', 'dataset', 'optimizer', 'runs'] as const) {
    for (const direction of ['asc', 'desc'] as const) out.push(await list({ sort: { by, direction } }));
  }
  for (const metric of ['test_acc', 'train_acc', 'val_loss', 'time', 'model_evals'] as const) {
    for (const direction of ['asc', 'desc'] as const) out.push(await list({ sort: { by: 'metric', metric, direction }, withDetails: true }));
  }
  for (const search of ['ALPHA', 'a_b', '%', 'école', 'ÉCOLE', 'base', 'é']) out.push(await list({ search }));
  out.push(await list({ tags: ['b', 'zz'] }), await list({ status: ['done', 'failed'] }), await list({ dataset: 'mnist', optimizer: 'adam' }));
  out.push(
    await list({ createdFrom: t(2), createdTo: '2025-01-01T13:05:00+01:00' }),
    await list({ limit: 3, offset: 2 }),
    await list({ limit: 3, offset: 30 }),
  );
  out.push(await store.experiments.get(ids[0]), await store.experiments.get(9999), await store.experiments.count());
  await store.write(() => store.experiments.update(ids[1], { name: 'renamed', tags: ['new', 'new', 'Old'], notes: 'n' }));
  out.push(await store.experiments.get(ids[1]));
  // Archive, soft delete, restore, purge.
  await store.write(() => store.experiments.setArchived([ids[2], ids[3]], t(57)));
  out.push(await list({ archived: 'only' }), await list({ archived: 'include' }), await list({}));
  await store.write(() => store.experiments.setArchived([ids[3]], null));
  await store.write(() => store.experiments.markDeleted([ids[4], ids[5]], t(58)));
  out.push(
    await list({}),
    await store.experiments.get(ids[4]),
    await store.experiments.count(),
    (await store.runs.waiting(50)).map((r) => r.id),
  );
  out.push(await store.experiments.deletedSince([ids[5], ids[1], ids[4], ids[5]], t(58)), await store.experiments.deletedSince([ids[4]], t(59)));
  await store.write(() => store.experiments.restoreDeleted([ids[5]]));
  out.push(
    await store.experiments.deletedBefore(t(59)),
    (await store.runs.waiting(50)).map((r) => [r.id, r.held]),
  );
  await store.write(() => store.experiments.purge([ids[4], ids[5]]));
  out.push(await list({ archived: 'include' }), await store.runs.count());
  // Metrics: NaN and infinities as null, re-sent epochs replaced, series by name.
  const run = runs[0].id;
  await store.transaction(async () => {
    for (let epoch = 1; epoch <= 4; epoch++) {
      await store.metrics.insertEpoch(run, epoch, {
        train_loss: 1 / epoch,
        val_acc: epoch === 2 ? Number.NaN : 0.25 * epoch,
        time: epoch === 3 ? Infinity : epoch,
      });
      await store.runs.setProgress(run, epoch);
    }
    await store.metrics.insertEpoch(run, 2, { train_loss: 42 });
    out.push(await store.metrics.epochRange(run), (await store.runs.get(run))?.epoch);
  });
  await store.metrics.insertEpoch(run, 5, { train_loss: 0.1 });
  out.push(await store.metrics.series(run, ['val_acc', 'train_loss', 'missing', 'time']), await store.metrics.names(run), await store.metrics.epochRange(run));
  out.push(await store.metrics.epochRange(runs[1].id), await store.metrics.count());
  await store.metrics.deleteForRun(run);
  out.push(await store.metrics.count(), await store.metrics.series(run, ['train_loss']));
  // Checkpoints: only the latest is kept.
  // (Without ids: SQLite reuses the id of the checkpoint the save replaced, PostgreSQL does not.)
  const latest = async (): Promise<unknown> => {
    const found = await store.checkpoints.latest(run);
    return found === null ? null : { runId: found.runId, epoch: found.epoch, state: found.state };
  };
  out.push(await latest());
  await store.checkpoints.save(run, 1, '{"a":1}', t(60));
  const second = await store.checkpoints.save(run, 2, '{"a":2}', t(61));
  out.push(second > 0, await latest(), await store.checkpoints.count());
  await store.checkpoints.deleteForRun(run);
  out.push(await store.checkpoints.count());
  // Settings.
  out.push(await store.settings.queue());
  await store.write(() => store.settings.setQueue({ paused: true }));
  await store.write(() => store.settings.setQueue({ slots: 3 }));
  out.push(await store.settings.queue());
  // Studies, trials, lineage.
  const studyId = await store.studies.create({
    name: 's',
    kind: 'gpbt',
    config: { a: [1, 2] },
    configHash: 'h1',
    state: { step: 1 },
    status: 'running',
    createdAt: t(62),
  });
  const other = await store.studies.create({ name: 'o', kind: 'tune', config: {}, configHash: 'h2', state: null, status: 'created', createdAt: t(63) });
  const trialExperiment = await store.experiments.insert({ name: 'trial', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: t(64), studyId });
  const trialRun = await store.runs.insertOne(trialExperiment, 5, 2, 5, true, t(64), 0);
  const first = await store.studies.addTrial({
    studyId,
    number: 0,
    generation: 0,
    member: 0,
    params: { lr: 0.1, opt: 'adam', deep: true },
    samplerId: null,
    createdAt: t(65),
  });
  const child = await store.studies.addTrial({ studyId, number: 1, generation: 1, member: 0, params: { lr: 0.2 }, samplerId: 7, createdAt: t(66) });
  await store.studies.updateTrial(first.id, {
    status: 'stopped',
    value: Number.NaN,
    testValue: 0.5,
    experimentId: trialExperiment,
    runId: trialRun,
    finishedAt: t(67),
  });
  await store.studies.addEdge(child.id, first.id, 'weights');
  await store.studies.addEdge(child.id, first.id, 'hparams');
  await store.studies.addEdge(child.id, first.id, 'weights');
  await store.runs.markCancelled(trialRun, t(68));
  await store.studies.update(studyId, { state: { step: 2 }, bestTrial: first.id, error: null, status: 'paused' });
  await store.runs.setHeldForStudy(studyId, true);
  out.push(
    first,
    await store.studies.trial(child.id),
    await store.studies.trialByNumber(studyId, 1),
    await store.studies.trialOfRun(trialRun),
    await store.studies.trial(999),
  );
  out.push(await store.studies.trials(studyId), await store.studies.edges(studyId), await store.studies.get(studyId), await store.studies.list());
  out.push(
    await store.studies.findResumable('gpbt', 'h1'),
    await store.studies.findResumable('tune', 'nope'),
    await store.studies.withStatus(['created', 'paused']),
  );
  out.push(await store.studies.withStatus([]), await store.runs.forStudy(studyId), await store.runs.stoppedByStudyCount());
  out.push(await list({ studyId }), await list({ includeTrials: true }));
  await store.write(() => store.studies.delete(other));
  await store.write(() => store.studies.delete(studyId));
  out.push(await store.studies.list(), await store.runs.forStudy(studyId), await store.experiments.get(trialExperiment));
  // Workers and the runs they train.
  const worker = await store.workers.register({ host: 'h', pid: 12, slots: 2, backend: 'wasm', now: t(70) });
  const quiet = await store.workers.register({ host: 'h2', pid: 13, slots: 1, backend: 'wasm', now: t(71) });
  const pending = (await store.runs.waiting(50)).map((r) => r.id);
  out.push(
    await store.runs.claim(pending[1], worker, t(72)),
    await store.runs.claim(pending[0], worker, t(72)),
    await store.runs.claim(pending[0], worker, t(73)),
  );
  out.push(await store.runs.claim(pending[0], quiet, t(74)), await store.runs.claim(999, worker, t(74)));
  await store.workers.heartbeat(worker, t(75));
  await store.workers.stop(quiet, t(76));
  out.push(await store.workers.get(worker), await store.workers.get(999), await store.workers.list(t(75)), await store.workers.list(t(80)));
  out.push(await store.runs.get(pending[0]), await store.experiments.list(parseRequest('listExperiments', { withDetails: true })));
  return out;
}

describe.skipIf(skipped !== null)('PostgreSQL store', () => {
  beforeAll(async () => {
    const started = await startPostgresCluster();
    if ('skipped' in started) throw new Error(started.skipped);
    cluster = started;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('schema', () => {
    it('migrates an empty database to the current version, with the tables and columns of the SQLite schema', async () => {
      expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      expect(store.kind).toBe('postgres');
      expect(await store.integrityCheck()).toBe('ok');
      await store.close();
      // The SQLite schema, built from its migrations.
      const db = new Database(':memory:');
      for (const migration of MIGRATIONS) db.exec(migration.sql);
      const sqliteTables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      const sqliteColumns = new Map(sqliteTables.map((table) => [table, (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name).sort()]));
      db.close();
      await withClient(url, async (client) => {
        const meta = await client.query('SELECT key, value FROM evolab.evolab_meta ORDER BY key');
        expect(meta.rows).toEqual([
          { key: 'application', value: 'evolab' },
          { key: 'schema_version', value: String(SCHEMA_VERSION) },
        ]);
        const tables = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'evolab' AND table_type = 'BASE TABLE' ORDER BY table_name",
        );
        expect(tables.rows.map((r) => r.table_name)).toEqual(['evolab_meta', ...sqliteTables].sort());
        for (const table of sqliteTables) {
          const columns = await client.query<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'evolab' AND table_name = $1 ORDER BY column_name",
            [table],
          );
          expect(columns.rows.map((c) => c.column_name).sort(), table).toEqual(sqliteColumns.get(table));
        }
        // Nothing outside its schema.
        const publicTables = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
        expect(publicTables.rows[0].n).toBe(0);
      });
      // Reopening migrates nothing and keeps the data.
      const again = await openPostgresStore(url);
      await again.settings.setQueue({ slots: 2 });
      await again.close();
      const third = await openPostgresStore(url);
      expect(await third.settings.queue()).toEqual({ paused: false, slots: 2 });
      await third.close();
    });

    it('is migrated once when several processes open an empty database at the same time', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url)));
      for (const store of stores) expect(await store.integrityCheck()).toBe('ok');
      await Promise.all(stores.map((s) => s.close()));
    });

    it('keeps to its own schema, so that two Evolab stores (and pg-boss) can share a database', async () => {
      const url = await freshUrl();
      const a = await openPostgresStore(url);
      const b = await openPostgresStore(url, { schema: 'evolab_b' });
      await a.experiments.insert({ name: 'a', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: new Date().toISOString() });
      expect(await a.experiments.count()).toBe(1);
      expect(await b.experiments.count()).toBe(0);
      await Promise.all([a.close(), b.close()]);
      await expect(openPostgresStore(url, { schema: 'Bad-Name' })).rejects.toMatchObject({ code: 'database' });
    });

    it('fills an empty schema made beforehand (by an administrator)', async () => {
      const url = await freshUrl();
      await withClient(url, (client) => client.query('CREATE SCHEMA evolab'));
      const store = await openPostgresStore(url);
      expect(await store.integrityCheck()).toBe('ok');
      await store.close();
    });

    it("refuses another application's schema and leaves the database unchanged", async () => {
      const url = await freshUrl();
      await withClient(url, async (client) => {
        await client.query('CREATE SCHEMA evolab');
        await client.query('CREATE TABLE evolab.experiments (id int primary key, what text)');
        await client.query("INSERT INTO evolab.experiments VALUES (1, 'theirs')");
      });
      const before = await snapshot(url, ['evolab.experiments']);
      const error = await refusal(url);
      expect(error.code).toBe('database');
      expect(error.message).toMatch(/another application/);
      expect(error.message).toMatch(/the database was not modified/);
      expect(await snapshot(url, ['evolab.experiments'])).toEqual(before);
      // A marker naming another application is refused too.
      await withClient(url, async (client) => {
        await client.query('CREATE TABLE evolab.evolab_meta (key text primary key, value text)');
        await client.query("INSERT INTO evolab.evolab_meta VALUES ('application', 'other'), ('schema_version', '1')");
      });
      const marked = await snapshot(url, ['evolab.experiments', 'evolab.evolab_meta']);
      expect((await refusal(url)).message).toMatch(/another application/);
      expect(await snapshot(url, ['evolab.experiments', 'evolab.evolab_meta'])).toEqual(marked);
    });

    it('refuses a schema written by a newer Evolab and leaves the database unchanged', async () => {
      const url = await freshUrl();
      await (await openPostgresStore(url)).close();
      await withClient(url, (client) => client.query("UPDATE evolab.evolab_meta SET value = $1 WHERE key = 'schema_version'", [String(SCHEMA_VERSION + 1)]));
      const before = await snapshot(url, ['evolab.evolab_meta', 'evolab.experiments']);
      const error = await refusal(url);
      expect(error.code).toBe('database');
      expect(error.message).toContain(`newer Evolab (schema ${SCHEMA_VERSION + 1}; this version knows schemas up to ${SCHEMA_VERSION})`);
      expect(error.message).toMatch(/the database was not modified/);
      expect(await snapshot(url, ['evolab.evolab_meta', 'evolab.experiments'])).toEqual(before);
    });

    it('migrates a database from an older version', async () => {
      const url = await freshUrl();
      await withClient(url, async (client) => {
        await client.query('BEGIN');
        await client.query('CREATE SCHEMA evolab');
        await client.query('SET LOCAL search_path TO evolab');
        for (const migration of POSTGRES_MIGRATIONS.slice(0, 4)) await client.query(migration.sql);
        await client.query("INSERT INTO evolab_meta VALUES ('application', 'evolab'), ('schema_version', '4')");
        await client.query(
          "INSERT INTO experiments (name, dataset, optimizer, config, config_hash, created_at) VALUES ('old', 'iris', 'adam', $1, 'h', '2024-01-01T00:00:00.000Z')",
          [JSON.stringify(irisAdam)],
        );
        await client.query('COMMIT');
      });
      const store = await openPostgresStore(url);
      const page = await store.experiments.list(parseRequest('listExperiments', {}));
      expect(page.items.map((e) => [e.name, e.archivedAt])).toEqual([['old', null]]);
      expect(await store.workers.list('2000-01-01T00:00:00.000Z')).toEqual([]);
      await store.close();
    });
  });

  describe('repositories', () => {
    it('answer one session of every repository exactly as the SQLite store does (on a database whose default collation is not C)', async () => {
      const sqlite = openStore(':memory:');
      const expected = await session(sqlite);
      await sqlite.close();
      // ICU "en-US" sorts and compares differently from SQLite: the store must not depend on it.
      await withClient(cluster.url('postgres'), (client) =>
        client.query("CREATE DATABASE icu TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"),
      );
      const store = await openPostgresStore(cluster.url('icu'));
      const actual = await session(store);
      await store.close();
      expect(actual.length).toBe(expected.length);
      actual.forEach((answer, i) => expect(answer, `answer ${i}`).toEqual(expected[i]));
    });

    it('answers ids and counts as numbers', async () => {
      const store = await openPostgresStore(await freshUrl());
      const id = await store.experiments.insert({ name: 'n', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: new Date().toISOString() });
      await store.runs.insertForExperiment(id, 2, 0, 0, 5, new Date().toISOString());
      const run = (await store.runs.waiting(1))[0];
      expect([typeof id, typeof run.id, typeof run.seed, typeof (await store.runs.count()), typeof (await store.experiments.get(id))?.runsTotal]).toEqual([
        'number',
        'number',
        'number',
        'number',
        'number',
      ]);
      await store.close();
    });

    it('keeps experiment statistics right while many connections change runs of one experiment at once', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url, { poolSize: 8 });
      const id = await store.experiments.insert({ name: 'busy', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: new Date().toISOString() });
      await store.runs.insertForExperiment(id, 40, 0, 0, 5, new Date().toISOString());
      const runs = (await store.runs.list(parseRequest('listRuns', { limit: 100 }))).items;
      const outcome = (i: number) => ({
        time: i,
        final: { train_loss: 0.1, train_acc: 0.2, val_loss: 0.3, val_acc: 0.4, test_loss: 0.5, test_acc: i / 40 },
        modelEvals: i,
        gradEvals: 0,
        epochsRun: 5,
        bestEpoch: 5,
        stoppedEarly: false,
      });
      // Outside transactions (READ COMMITTED statements), all at once.
      await Promise.all(runs.map((r, i) => (i % 3 === 0 ? store.runs.markFailed(r.id, 'x', 'now') : store.runs.markDone(r.id, outcome(i), 'now'))));
      const detail = await store.experiments.get(id);
      const done = runs.map((_, i) => i).filter((i) => i % 3 !== 0);
      expect(detail).toMatchObject({ runsTotal: 40, runsDone: done.length, runsFailed: 40 - done.length, runsRunning: 0, status: 'failed' });
      expect(detail?.bestTestAcc).toBe(Math.max(...done.map((i) => i / 40)));
      expect(detail?.meanTestAcc).toBeCloseTo(done.reduce((a, i) => a + i / 40, 0) / done.length, 12);
      await store.close();
    });
  });

  describe('transactions', () => {
    it('roll back everything when the work throws, and pass its error on unchanged', async () => {
      const store = await openPostgresStore(await freshUrl());
      const failure = new ApiError('conflict', 'changed my mind');
      const error = await thrown(
        store.transaction(async () => {
          const id = await store.experiments.insert({
            name: 'gone',
            dataset: 'iris',
            config: irisAdam,
            tags: ['t'],
            notes: '',
            createdAt: new Date().toISOString(),
          });
          await store.runs.insertForExperiment(id, 3, 0, 0, 5, new Date().toISOString());
          await store.metrics.insertEpoch(1, 1, { train_loss: 1 });
          throw failure;
        }),
      );
      expect(error).toBe(failure);
      expect([await store.experiments.count(), await store.runs.count(), await store.metrics.count()]).toEqual([0, 0, 0]);
      await store.close();
    });

    it('join the outer transaction when nested (transaction and write alike), and are invisible to others until they commit', async () => {
      const store = await openPostgresStore(await freshUrl());
      const createdAt = new Date().toISOString();
      // A reader from another async context (set up before the transaction), asked while it is open.
      let ask = (): void => undefined;
      const outside = new Promise<void>((resolve) => (ask = resolve)).then(() => store.experiments.count());
      const error = await thrown(
        store.transaction(async () => {
          await store.transaction(() => store.experiments.insert({ name: 'inner', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt }));
          await store.write(() => store.experiments.insert({ name: 'inner write', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt }));
          expect(await store.experiments.count()).toBe(2); // the transaction sees its own writes
          // The other context neither waits for the transaction nor sees its writes.
          ask();
          expect(await outside).toBe(0);
          throw new Error('outer fails');
        }),
      );
      expect((error as Error).message).toBe('outer fails');
      expect(await store.experiments.count()).toBe(0);
      // Committed when the outer one commits.
      await store.transaction(async () => {
        await store.transaction(() => store.experiments.insert({ name: 'kept', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt }));
      });
      expect(await store.experiments.count()).toBe(1);
      await store.close();
    });

    it('do not commit when a statement failed, even if the work caught its error', async () => {
      const store = await openPostgresStore(await freshUrl());
      const error = await thrown(
        store.transaction(async () => {
          await store.experiments.insert({ name: 'a', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: 'x' });
          const failed = await thrown(store.runs.insertForExperiment(999, 1, 0, 0, 5, 'x')); // no experiment 999
          expect(failed).toMatchObject({ code: 'database' });
          expect(sqlState((failed as ApiError).cause)).toBe('23503');
        }),
      );
      expect(error).toMatchObject({ code: 'database' });
      expect(await store.experiments.count()).toBe(0);
      // Outside a transaction, a failed statement is an ApiError('database') too.
      expect(await thrown(store.runs.insertForExperiment(999, 1, 0, 0, 5, 'x'))).toMatchObject({ code: 'database' });
      await store.close();
    });

    it('held-back metrics and progress are sent before the next statement and before COMMIT', async () => {
      const store = await openPostgresStore(await freshUrl());
      const id = await store.experiments.insert({ name: 'm', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: 'x' });
      await store.runs.insertForExperiment(id, 1, 0, 0, 5, 'x');
      await store.transaction(async () => {
        await store.metrics.insertEpoch(1, 1, { a: 1, b: 2 });
        await store.runs.setProgress(1, 1);
        expect(await store.metrics.count()).toBe(2);
        expect((await store.runs.get(1))?.epoch).toBe(1);
        await store.metrics.insertEpoch(1, 2, { a: 3 });
        await store.metrics.deleteForRun(1); // after the held epoch, as asked
        await store.metrics.insertEpoch(1, 3, { a: 4 });
        await store.runs.setProgress(1, 3);
      });
      expect(await store.metrics.series(1, ['a'])).toEqual(new Map([['a', { epochs: [3], values: [4] }]]));
      expect((await store.runs.get(1))?.epoch).toBe(3);
      // A held-back write that fails fails the transaction at COMMIT.
      const error = await thrown(store.transaction(() => store.metrics.insertEpoch(999, 1, { a: 1 })));
      expect(error).toMatchObject({ code: 'database' });
      expect(await store.metrics.count()).toBe(1);
      await store.close();
    });

    it('answer a serialization failure as a busy ApiError, which write() retries until it passes', async () => {
      const url = await freshUrl();
      const a = await openPostgresStore(url);
      const b = await openPostgresStore(url);
      // Two processes read the settings, then both write: one of them must not commit on a stale read.
      const readThenWrite = (store: Store, change: { paused?: boolean; slots?: number }, wait: Promise<void>, reached: () => void) => async () => {
        const current = await store.settings.queue();
        reached();
        await wait;
        await store.settings.setQueue({ ...current, ...change });
      };
      const gate = (): { wait: Promise<void>; reached: () => void; both: Promise<void> } => {
        let count = 0;
        let open = (): void => undefined;
        const both = new Promise<void>((resolve) => (open = resolve));
        return {
          wait: both,
          both,
          reached: () => {
            count += 1;
            if (count === 2) open();
          },
        };
      };
      const first = gate();
      const results = await Promise.allSettled([
        a.transaction(readThenWrite(a, { paused: true }, first.wait, first.reached)),
        b.transaction(readThenWrite(b, { slots: 4 }, first.wait, first.reached)),
      ]);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      const reason = (rejected[0] as PromiseRejectedResult).reason as ApiError;
      expect(reason.code).toBe('database');
      expect(postgresTrouble(reason.cause)).toBe('busy');
      // With write(), the loser runs again on fresh data: both changes are kept.
      await a.write(() => a.settings.setQueue({ paused: false, slots: null }));
      const second = gate();
      let attempts = 0;
      await Promise.all([
        a.write(async () => {
          attempts += 1;
          await readThenWrite(a, { paused: true }, attempts === 1 ? second.wait : Promise.resolve(), second.reached)();
        }),
        b.write(readThenWrite(b, { slots: 4 }, second.wait, second.reached)),
      ]);
      expect(await a.settings.queue()).toEqual({ paused: true, slots: 4 });
      await Promise.all([a.close(), b.close()]);
    });

    it('give up retrying after maxWaitMs with a busy ApiError', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      const started = performance.now();
      const error = await thrown(
        store.write(
          async () => {
            // A conflict every time: another connection changes the row this transaction read.
            await store.settings.queue();
            await withClient(url, (client) =>
              client.query(`INSERT INTO evolab.settings VALUES ('queue', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
                JSON.stringify({ paused: true, slots: Math.floor(Math.random() * 100) + 1 }),
              ]),
            );
            await store.settings.setQueue({ paused: false });
          },
          { maxWaitMs: 300 },
        ),
      );
      expect(error).toMatchObject({ code: 'database' });
      expect((error as ApiError).message).toMatch(/busy/);
      expect(performance.now() - started).toBeLessThan(5000);
      await store.close();
    });
  });

  describe('service lock and study coordination', () => {
    it('lets one live process on a machine run the queue, and takes over from a dead one', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      expect(await store.serviceHolder()).toBeNull();
      await store.acquireServiceLock();
      await store.acquireServiceLock(); // again: still ours
      await store.setServiceUrl('http://127.0.0.1:1234');
      expect(await store.serviceHolder()).toMatchObject({ pid: process.pid, host: hostname(), url: 'http://127.0.0.1:1234' });
      // Another live process of this machine (our parent) holds it: refused.
      await withClient(url, (client) => client.query('UPDATE evolab.service_lock SET pid = $1', [process.ppid]));
      expect(await thrown(store.acquireServiceLock())).toMatchObject({ code: 'conflict' });
      expect(await store.serviceHolder()).toMatchObject({ pid: process.ppid, url: 'http://127.0.0.1:1234' });
      // A dead one: taken over, its address dropped.
      await withClient(url, (client) => client.query('UPDATE evolab.service_lock SET pid = $1', [deadPid()]));
      expect(await store.serviceHolder()).toBeNull();
      await store.acquireServiceLock();
      expect(await store.serviceHolder()).toMatchObject({ pid: process.pid, url: null });
      await store.releaseServiceLock();
      expect(await store.serviceHolder()).toBeNull();
      await store.close();
    });

    it('gives each study to one process, and to another when the first closes or loses its connection', async () => {
      const url = await freshUrl();
      const a = await openPostgresStore(url);
      const b = await openPostgresStore(url);
      const other = await openPostgresStore(url, { schema: 'evolab_other' });
      expect(await a.tryCoordinate(1)).toBe(true);
      expect(await a.tryCoordinate(1)).toBe(true); // confirmed, not taken twice
      expect(await b.tryCoordinate(1)).toBe(false);
      expect(await other.tryCoordinate(1)).toBe(true); // another schema's study 1
      expect(await b.tryCoordinate(2)).toBe(true);
      await a.releaseCoordination(1);
      expect(await b.tryCoordinate(1)).toBe(true);
      expect(await a.tryCoordinate(1)).toBe(false);
      // b's coordination connection is cut: its studies go to a, and b learns it lost them.
      await withClient(url, (client) =>
        client.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND objid = 2"),
      );
      await delay(100);
      expect(await a.tryCoordinate(2)).toBe(true);
      expect(await b.tryCoordinate(2)).toBe(false);
      // a closes: its studies are free.
      expect(await a.tryCoordinate(3)).toBe(true);
      expect(await b.tryCoordinate(3)).toBe(false);
      await a.close();
      expect(await b.tryCoordinate(3)).toBe(true);
      await Promise.all([b.close(), other.close()]);
    });
  });

  describe('passwords', () => {
    it('never appear in the store path nor in any error message', async () => {
      const password = 'Sup3r-secret';
      const withPassword = (await freshUrl()).replace('postgres@', `postgres:${password}@`);
      const store = await openPostgresStore(withPassword); // trust authentication ignores it
      expect(store.path).not.toContain(password);
      expect(store.path).toContain('***');
      const failed = (await thrown(store.runs.insertForExperiment(999, 1, 0, 0, 5, 'x'))) as ApiError;
      expect(failed.message).not.toContain(password);
      expect(failed.message).toContain('***');
      await store.close();
      // Nothing listens on port 1: the connection error names the URL without its password.
      const unreachable = [`postgres://postgres:${password}@127.0.0.1:1/x`, `postgres://postgres@127.0.0.1:1/x?password=${password}`];
      for (const url of unreachable) {
        const error = (await thrown(openPostgresStore(url))) as ApiError;
        expect(error).toBeInstanceOf(ApiError);
        expect(error.code).toBe('database');
        expect(error.message).not.toContain(password);
        expect(String((error.cause as Error).message)).not.toContain(password);
        expect(postgresTrouble(error.cause)).toBe('busy');
      }
      // A database that does not exist.
      const missing = (await thrown(openPostgresStore(cluster.url('nope').replace('postgres@', `postgres:${password}@`)))) as ApiError;
      expect(missing.code).toBe('database');
      expect(missing.message).not.toContain(password);
      expect(missing.message).toMatch(/does not exist/);
    });
  });
});
