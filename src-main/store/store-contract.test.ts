// The store contract (contract.ts), checked on both of its implementations by one suite:
// every test below runs identically on the SQLite store (a fresh file per test) and on the
// PostgreSQL store (a fresh database per test on a throwaway cluster,
// test/support/postgres-cluster.ts), and asserts the values each answers. It covers every
// method of every repository, transactions (rollback, nesting, concurrent writers), the
// service lock, coordination, trouble(), integrityCheck() and the migration of an empty
// database and refusal (database unchanged) of a foreign or newer one.
// The PostgreSQL half is skipped, with the reason, where PostgreSQL cannot start here, unless
// EVOLAB_REQUIRE_POSTGRES=1 says it must run. Where the stores legitimately differ (PostgreSQL
// never reuses a deleted row's id; a failed statement aborts its transaction; an outside
// reader waits for SQLite's open transaction but not for PostgreSQL's), nothing is asserted
// about the difference.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PostgresCluster, requirePostgres, startPostgresCluster } from '../../test/support/postgres-cluster.ts';
import { type ExperimentPage, parseRequest, type RunPage } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { Store, StoreKind } from './contract.ts';
import { configHash } from './experiments.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from './migrations.ts';
import { openAnyStore } from './open-store.ts';
import type { RunOutcome } from './runs.ts';
import type { StudyKind, StudyStatus } from './studies.ts';

// ---- the two stores ---------------------------------------------------------------------

/** What the suite needs of one implementation: fresh databases, and a look at them from outside the store. */
interface Backend {
  readonly kind: StoreKind;
  /** Why this implementation cannot be tested here (its tests are skipped with it), or null. */
  readonly skipped: string | null;
  /** A fresh, empty database: a file path or a postgres:// URL. */
  emptyDatabase(): Promise<string>;
  /** A database of another application (a table that is not Evolab's). */
  foreignDatabase(): Promise<string>;
  /** A database marked as Evolab's at a schema version newer than this code's. */
  newerDatabase(): Promise<string>;
  /** Everything the database holds (bytes, or schema objects and rows), to compare before and after. */
  fingerprint(location: string): Promise<string>;
  /** The schema version Evolab's marker says and the schema's objects, read from outside the store. */
  schema(location: string): Promise<{ readonly version: number; readonly objects: readonly string[] }>;
}

const cluster = await startPostgresCluster();
const postgresSkipped = 'skipped' in cluster ? cluster.skipped : null;
if (postgresSkipped !== null) requirePostgres(postgresSkipped);

const folder = mkdtempSync(join(tmpdir(), 'evolab-contract-'));
let databases = 0;

afterAll(async () => {
  if (!('skipped' in cluster)) await cluster.stop();
  rmSync(folder, { recursive: true, force: true });
});

const sqlite: Backend = {
  kind: 'sqlite',
  skipped: null,
  async emptyDatabase() {
    databases += 1;
    return join(folder, `contract-${databases}.db`);
  },
  async foreignDatabase() {
    const path = await this.emptyDatabase();
    const db = new Database(path);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
    db.close();
    return path;
  },
  async newerDatabase() {
    const path = await this.emptyDatabase();
    const db = new Database(path);
    db.exec("CREATE TABLE future (what TEXT); INSERT INTO future VALUES ('from a newer Evolab');");
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    return path;
  },
  async fingerprint(path) {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  },
  async schema(path) {
    const db = new Database(path, { readonly: true });
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      const objects = db.prepare("SELECT type || ' ' || name AS o FROM sqlite_master ORDER BY 1").pluck().all() as string[];
      return { version, objects };
    } finally {
      db.close();
    }
  },
};

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function postgres(started: PostgresCluster): Backend {
  return {
    kind: 'postgres',
    skipped: null,
    async emptyDatabase() {
      databases += 1;
      return await started.createDatabase(`contract_${databases}`);
    },
    async foreignDatabase() {
      const url = await this.emptyDatabase();
      await withClient(url, (client) =>
        client.query("CREATE SCHEMA evolab; CREATE TABLE evolab.contacts (name text); INSERT INTO evolab.contacts VALUES ('Ada');"),
      );
      return url;
    },
    async newerDatabase() {
      const url = await this.emptyDatabase();
      // The meta table as database.ts reads it (key, value): application = evolab, schema_version = N.
      await withClient(url, (client) =>
        client.query(
          `CREATE SCHEMA evolab;
           CREATE TABLE evolab.evolab_meta (key text PRIMARY KEY, value text NOT NULL);
           INSERT INTO evolab.evolab_meta VALUES ('application', 'evolab'), ('schema_version', '${SCHEMA_VERSION + 1}');
           CREATE TABLE evolab.future (what text); INSERT INTO evolab.future VALUES ('from a newer Evolab');`,
        ),
      );
      return url;
    },
    async fingerprint(url) {
      return await withClient(url, async (client) => {
        const objects = await client.query<{ nspname: string; relname: string; relkind: string }>(
          `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2`,
        );
        const rows: unknown[] = [];
        for (const o of objects.rows.filter((r) => r.relkind === 'r')) {
          rows.push((await client.query(`SELECT * FROM "${o.nspname}"."${o.relname}" ORDER BY 1`)).rows);
        }
        const schemas = await client.query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1");
        return JSON.stringify({ objects: objects.rows, rows, schemas: schemas.rows });
      });
    },
    async schema(url) {
      return await withClient(url, async (client) => {
        const meta = await client.query<{ value: string }>("SELECT value FROM evolab.evolab_meta WHERE key = 'schema_version'");
        const objects = await client.query<{ o: string }>(
          `SELECT c.relkind::text || ' ' || c.relname AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'evolab' ORDER BY 1`,
        );
        return { version: Number(meta.rows[0].value), objects: objects.rows.map((r) => r.o) };
      });
    },
  };
}

const unavailable = (reason: string): Backend => ({
  kind: 'postgres',
  skipped: reason,
  emptyDatabase: () => Promise.reject(new Error(reason)),
  foreignDatabase: () => Promise.reject(new Error(reason)),
  newerDatabase: () => Promise.reject(new Error(reason)),
  fingerprint: () => Promise.reject(new Error(reason)),
  schema: () => Promise.reject(new Error(reason)),
});

const BACKENDS: readonly Backend[] = [sqlite, 'skipped' in cluster ? unavailable(cluster.skipped) : postgres(cluster)];

// ---- helpers --------------------------------------------------------------------------

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

/** A fixed instant, `minute` minutes after noon on 2026-01-01 (ISO 8601, UTC). */
const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ExperimentOptions {
  readonly name?: string;
  readonly runs?: number;
  readonly priority?: number;
  readonly tags?: readonly string[];
  readonly notes?: string;
  readonly dataset?: string;
  readonly config?: ExperimentConfig;
  readonly createdAt?: string;
  readonly studyId?: number;
}

/** An experiment and its runs (seeds 0, 1, ...; 5 epochs), in one write; its id. */
function newExperiment(store: Store, options: ExperimentOptions = {}): Promise<number> {
  const createdAt = options.createdAt ?? at(0);
  return store.write(async () => {
    const id = await store.experiments.insert({
      name: options.name ?? 'experiment',
      dataset: options.dataset ?? 'iris',
      config: options.config ?? irisAdam,
      tags: options.tags ?? [],
      notes: options.notes ?? '',
      createdAt,
      ...(options.studyId === undefined ? {} : { studyId: options.studyId }),
    });
    await store.runs.insertForExperiment(id, options.runs ?? 1, 0, options.priority ?? 0, 5, createdAt);
    return id;
  });
}

/** The ids of an experiment's runs, in run order. */
async function runsOf(store: Store, experimentId: number): Promise<number[]> {
  return (await store.runs.list(parseRequest('listRuns', { experimentId, limit: 1000 }))).items.map((r) => r.id);
}

/** A finished run's outcome; every value is exact in binary, so means are exact too. */
function outcome(testAcc: number, time = 2): RunOutcome {
  return {
    time,
    final: { train_loss: 0.5, train_acc: 0.75, val_loss: 0.25, val_acc: 0.5, test_loss: 0.125, test_acc: testAcc },
    modelEvals: 40,
    gradEvals: 20,
    epochsRun: 4,
    bestEpoch: 3,
    stoppedEarly: true,
  };
}

function listExperiments(store: Store, query: Record<string, unknown> = {}): Promise<ExperimentPage> {
  return store.experiments.list(parseRequest('listExperiments', query));
}

function listRuns(store: Store, query: Record<string, unknown> = {}): Promise<RunPage> {
  return store.runs.list(parseRequest('listRuns', query));
}

function newStudy(store: Store, options: { kind?: StudyKind; status?: StudyStatus; configHash?: string; name?: string } = {}): Promise<number> {
  return store.studies.create({
    name: options.name ?? 'study',
    kind: options.kind ?? 'tune',
    config: { space: { lr: [0.001, 0.1] } },
    configHash: options.configHash ?? 'h1',
    state: { sampler: 'random', seen: 0 },
    status: options.status ?? 'running',
    createdAt: at(0),
  });
}

/** A study's trial: its experiment (one run that keeps its checkpoint) and the trial row tied to both. */
async function newTrial(store: Store, studyId: number, number: number): Promise<{ trialId: number; experimentId: number; runId: number }> {
  return await store.write(async () => {
    const experimentId = await store.experiments.insert({
      name: `trial ${number}`,
      dataset: 'iris',
      config: irisAdam,
      tags: [],
      notes: '',
      createdAt: at(1),
      studyId,
    });
    const runId = await store.runs.insertOne(experimentId, number, 0, 5, true, at(1));
    const trial = await store.studies.addTrial({ studyId, number, generation: 0, member: number, params: { lr: 0.01 }, samplerId: null, createdAt: at(1) });
    await store.studies.updateTrial(trial.id, { experimentId, runId });
    return { trialId: trial.id, experimentId, runId };
  });
}

async function refusal(location: string): Promise<ApiError> {
  try {
    await (await openAnyStore(location)).close();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`${location} was accepted`);
}

// ---- the suite --------------------------------------------------------------------------

describe.each(BACKENDS.map((backend) => [backend.kind, backend] as const))('%s store', (_kind, backend) => {
  if (backend.skipped !== null) {
    it.skip(`skipped: ${backend.skipped}`, () => undefined);
    return;
  }

  describe('migrations', () => {
    it('migrates an empty database to the current schema; opening it again changes nothing and keeps the data', async () => {
      const location = await backend.emptyDatabase();
      const store = await openAnyStore(location);
      expect(store.kind).toBe(backend.kind);
      expect(await store.integrityCheck()).toBe('ok');
      const id = await newExperiment(store, { name: 'kept', runs: 2 });
      await store.settings.setQueue({ slots: 3 });
      await store.close();
      const first = await backend.schema(location);
      expect(first.version).toBe(SCHEMA_VERSION);
      const again = await openAnyStore(location);
      expect(await again.integrityCheck()).toBe('ok');
      expect(await again.experiments.get(id)).toMatchObject({ name: 'kept', runsTotal: 2 });
      expect(await again.settings.queue()).toEqual({ paused: false, slots: 3 });
      await again.close();
      expect(await backend.schema(location)).toEqual(first);
    });

    it("refuses another application's database with a 'database' error and leaves it unchanged", async () => {
      const location = await backend.foreignDatabase();
      const before = await backend.fingerprint(location);
      const error = await refusal(location);
      expect(error.code).toBe('database');
      expect(error.message).toMatch(/another application/);
      expect(await backend.fingerprint(location)).toBe(before);
    });

    it("refuses a database from a newer Evolab with a 'database' error and leaves it unchanged", async () => {
      const location = await backend.newerDatabase();
      const before = await backend.fingerprint(location);
      const error = await refusal(location);
      expect(error.code).toBe('database');
      expect(error.message).toContain(`newer Evolab (schema ${SCHEMA_VERSION + 1}; this version knows schemas up to ${SCHEMA_VERSION})`);
      expect(await backend.fingerprint(location)).toBe(before);
    });
  });

  describe('on a fresh database', () => {
    let store: Store;

    beforeEach(async () => {
      store = await openAnyStore(await backend.emptyDatabase());
    });

    afterEach(async () => {
      await store.close();
    });

    describe('experiments', () => {
      it('inserts and gets an experiment (tags sorted and deduplicated, config and its hash); count; unknown ids are null', async () => {
        const id = await newExperiment(store, { name: 'Alpha', tags: ['zeta', 'alpha', 'zeta'], notes: 'first try', createdAt: at(3), runs: 2 });
        const detail = await store.experiments.get(id);
        expect(detail).toMatchObject({
          id,
          name: 'Alpha',
          dataset: 'iris',
          optimizer: 'adam',
          tags: ['alpha', 'zeta'],
          notes: 'first try',
          createdAt: at(3),
          configHash: configHash(irisAdam),
          studyId: null,
          archivedAt: null,
          status: 'pending',
          runsTotal: 2,
          runsDone: 0,
          runsFailed: 0,
          runsRunning: 0,
          bestTestAcc: null,
          meanTestAcc: null,
        });
        expect(detail?.config).toEqual(JSON.parse(JSON.stringify(irisAdam)));
        expect(await store.experiments.get(id + 1000)).toBeNull();
        await newExperiment(store, { name: 'Beta', config: irisSgd });
        expect(await store.experiments.count()).toBe(2);
      });

      it('updates name, notes and tags, leaving what is not given', async () => {
        const id = await newExperiment(store, { name: 'before', tags: ['a', 'b'], notes: 'old' });
        await store.write(() => store.experiments.update(id, { name: 'after' }));
        expect(await store.experiments.get(id)).toMatchObject({ name: 'after', notes: 'old', tags: ['a', 'b'] });
        await store.write(() => store.experiments.update(id, { notes: 'new', tags: ['c', 'a', 'c'] }));
        expect(await store.experiments.get(id)).toMatchObject({ name: 'after', notes: 'new', tags: ['a', 'c'] });
        await store.write(() => store.experiments.update(id, { tags: [] }));
        expect((await store.experiments.get(id))?.tags).toEqual([]);
      });

      describe('list', () => {
        // alpha: done 0.75, done 0.25, pending (pending, mean 0.5); beta: done 1, done 0.75 (done, mean 0.875);
        // gamma: failed; delta: running; epsilon: cancelled.
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        let delta = 0;
        let epsilon = 0;
        const names = async (query: Record<string, unknown>): Promise<string[]> => (await listExperiments(store, query)).items.map((e) => e.name);

        beforeEach(async () => {
          alpha = await newExperiment(store, { name: 'Alpha adam', runs: 3, tags: ['baseline', 'iris'], notes: 'the reference', createdAt: at(1) });
          beta = await newExperiment(store, { name: 'beta', runs: 2, tags: ['iris'], config: irisSgd, createdAt: at(2) });
          gamma = await newExperiment(store, { name: 'Gamma 100%_done', dataset: 'mnist', createdAt: at(3) });
          delta = await newExperiment(store, { name: 'delta', createdAt: at(4) });
          epsilon = await newExperiment(store, { name: 'epsilon', createdAt: at(5) });
          await store.write(async () => {
            const [a0, a1] = await runsOf(store, alpha);
            await store.runs.markDone(a0, outcome(0.75, 1), at(10));
            await store.runs.markDone(a1, outcome(0.25, 3), at(11));
            const [b0, b1] = await runsOf(store, beta);
            await store.runs.markDone(b0, outcome(1), at(12));
            await store.runs.markDone(b1, outcome(0.75), at(13));
            await store.runs.markFailed((await runsOf(store, gamma))[0], 'boom', at(14));
            await store.runs.markRunning((await runsOf(store, delta))[0], at(15));
            await store.runs.markCancelled((await runsOf(store, epsilon))[0], at(16));
          });
        });

        it('derives each status, the run counts and the accuracy summaries from the runs', async () => {
          const byName = new Map((await listExperiments(store)).items.map((e) => [e.name, e]));
          expect(byName.get('Alpha adam')).toMatchObject({
            status: 'pending',
            runsTotal: 3,
            runsDone: 2,
            runsFailed: 0,
            runsRunning: 0,
            bestTestAcc: 0.75,
            meanTestAcc: 0.5,
          });
          expect(byName.get('beta')).toMatchObject({ status: 'done', runsTotal: 2, runsDone: 2, bestTestAcc: 1, meanTestAcc: 0.875, optimizer: 'sgd' });
          expect(byName.get('Gamma 100%_done')).toMatchObject({ status: 'failed', runsTotal: 1, runsFailed: 1, bestTestAcc: null, meanTestAcc: null });
          expect(byName.get('delta')).toMatchObject({ status: 'running', runsRunning: 1 });
          expect(byName.get('epsilon')).toMatchObject({ status: 'cancelled', runsTotal: 1, runsDone: 0, runsFailed: 0 });
        });

        it('filters by search (name, notes, tag; case-insensitive; LIKE wildcards literal), tags, status, dataset, optimizer and dates', async () => {
          const byName = { sort: { by: 'name', direction: 'asc' } };
          expect(await names({ search: 'BASELINE' })).toEqual(['Alpha adam']);
          expect(await names({ search: 'reference' })).toEqual(['Alpha adam']);
          expect(await names({ search: 'ALPHA' })).toEqual(['Alpha adam']);
          expect(await names({ search: '100%_' })).toEqual(['Gamma 100%_done']);
          expect(await names({ search: '%' })).toEqual(['Gamma 100%_done']);
          expect(await names({ search: '_' })).toEqual(['Gamma 100%_done']);
          expect(await names({ tags: ['iris'], ...byName })).toEqual(['Alpha adam', 'beta']);
          expect(await names({ tags: ['iris', 'baseline'] })).toEqual(['Alpha adam']);
          expect(await names({ status: ['done', 'failed'], ...byName })).toEqual(['beta', 'Gamma 100%_done']);
          expect(await names({ status: ['running'] })).toEqual(['delta']);
          expect(await names({ status: ['cancelled', 'pending'], ...byName })).toEqual(['Alpha adam', 'epsilon']);
          expect(await names({ dataset: 'mnist' })).toEqual(['Gamma 100%_done']);
          expect(await names({ optimizer: 'sgd' })).toEqual(['beta']);
          // Instants, not strings: 12:02 UTC is 13:02 at +01:00.
          expect(await names({ createdFrom: '2026-01-01T13:02:00+01:00', createdTo: '2026-01-01T12:03:00Z', ...byName })).toEqual(['beta', 'Gamma 100%_done']);
          expect(await listExperiments(store, { search: 'nothing like this' })).toEqual({ total: 0, items: [] });
        });

        it('sorts by every key (ties by id in the same direction; experiments without the metric last)', async () => {
          expect(await names({ sort: { by: 'id', direction: 'asc' } })).toEqual(['Alpha adam', 'beta', 'Gamma 100%_done', 'delta', 'epsilon']);
          expect(await names({})).toEqual(['epsilon', 'delta', 'Gamma 100%_done', 'beta', 'Alpha adam']); // created, newest first
          expect(await names({ sort: { by: 'created', direction: 'asc' } })).toEqual(['Alpha adam', 'beta', 'Gamma 100%_done', 'delta', 'epsilon']);
          expect(await names({ sort: { by: 'name', direction: 'asc' } })).toEqual(['Alpha adam', 'beta', 'delta', 'epsilon', 'Gamma 100%_done']);
          expect(await names({ sort: { by: 'name', direction: 'desc' } })).toEqual(['Gamma 100%_done', 'epsilon', 'delta', 'beta', 'Alpha adam']);
          expect(await names({ sort: { by: 'status', direction: 'asc' } })).toEqual(['epsilon', 'beta', 'Gamma 100%_done', 'Alpha adam', 'delta']);
          expect(await names({ sort: { by: 'dataset', direction: 'desc' } })).toEqual(['Gamma 100%_done', 'epsilon', 'delta', 'beta', 'Alpha adam']);
          expect(await names({ sort: { by: 'optimizer', direction: 'asc' } })).toEqual(['Alpha adam', 'Gamma 100%_done', 'delta', 'epsilon', 'beta']);
          expect(await names({ sort: { by: 'runs', direction: 'desc' } })).toEqual(['Alpha adam', 'beta', 'epsilon', 'delta', 'Gamma 100%_done']);
          expect(await names({ sort: { by: 'metric', metric: 'test_acc', direction: 'desc' } })).toEqual([
            'beta',
            'Alpha adam',
            'epsilon',
            'delta',
            'Gamma 100%_done',
          ]);
          expect(await names({ sort: { by: 'metric', metric: 'test_acc', direction: 'asc' } })).toEqual([
            'Alpha adam',
            'beta',
            'Gamma 100%_done',
            'delta',
            'epsilon',
          ]);
          expect(await names({ sort: { by: 'metric', metric: 'time', direction: 'asc' } })).toEqual([
            'Alpha adam',
            'beta',
            'Gamma 100%_done',
            'delta',
            'epsilon',
          ]);
        });

        it('pages with the total of everything that matched', async () => {
          const page = await listExperiments(store, { sort: { by: 'id', direction: 'asc' }, limit: 2, offset: 1 });
          expect(page.total).toBe(5);
          expect(page.items.map((e) => e.id)).toEqual([beta, gamma]);
          const last = await listExperiments(store, { sort: { by: 'id', direction: 'asc' }, limit: 2, offset: 4 });
          expect([last.total, last.items.map((e) => e.id)]).toEqual([5, [epsilon]]);
          expect(await listExperiments(store, { offset: 10 })).toEqual({ total: 5, items: [] });
          const filtered = await listExperiments(store, { tags: ['iris'], limit: 1 });
          expect([filtered.total, filtered.items.map((e) => e.id)]).toEqual([2, [beta]]);
        });

        it('lists configs and every final metric mean with withDetails, and neither without', async () => {
          const [plain] = (await listExperiments(store, { search: 'alpha' })).items;
          expect(plain.config).toBeUndefined();
          expect(plain.means).toBeUndefined();
          const [detailed] = (await listExperiments(store, { search: 'alpha', withDetails: true })).items;
          expect(detailed.config).toEqual(JSON.parse(JSON.stringify(irisAdam)));
          expect(detailed.means).toEqual({
            time: 2,
            train_loss: 0.5,
            train_acc: 0.75,
            val_loss: 0.25,
            val_acc: 0.5,
            test_loss: 0.125,
            test_acc: 0.5,
            model_evals: 40,
          });
          const [failed] = (await listExperiments(store, { search: 'gamma', withDetails: true })).items;
          expect(failed.means).toEqual({
            time: null,
            train_loss: null,
            train_acc: null,
            val_loss: null,
            val_acc: null,
            test_loss: null,
            test_acc: null,
            model_evals: null,
          });
        });
      });

      it("leaves a study's trial experiments out of the default list, with includeTrials and by studyId", async () => {
        const plain = await newExperiment(store, { name: 'plain' });
        const studyId = await newStudy(store);
        const { experimentId } = await newTrial(store, studyId, 0);
        const other = await newTrial(store, await newStudy(store, { name: 'other' }), 0);
        const ids = async (query: Record<string, unknown>) =>
          (await listExperiments(store, { sort: { by: 'id', direction: 'asc' }, ...query })).items.map((e) => e.id);
        expect(await ids({})).toEqual([plain]);
        expect(await ids({ includeTrials: true })).toEqual([plain, experimentId, other.experimentId]);
        expect(await ids({ studyId })).toEqual([experimentId]);
        expect((await store.experiments.get(experimentId))?.studyId).toBe(studyId);
      });

      it('archives out of the default list and back; lists archived only or all; leaves deleted experiments alone', async () => {
        const a = await newExperiment(store, { name: 'a' });
        const b = await newExperiment(store, { name: 'b' });
        const c = await newExperiment(store, { name: 'c' });
        const names = async (archived?: string) =>
          (await listExperiments(store, { sort: { by: 'name', direction: 'asc' }, ...(archived === undefined ? {} : { archived }) })).items.map((e) => e.name);
        await store.write(() => store.experiments.setArchived([a, b], at(30)));
        expect(await names()).toEqual(['c']);
        expect(await names('only')).toEqual(['a', 'b']);
        expect(await names('include')).toEqual(['a', 'b', 'c']);
        expect((await store.experiments.get(a))?.archivedAt).toBe(at(30));
        expect(await store.experiments.count()).toBe(3);
        await store.write(() => store.experiments.setArchived([a], null));
        expect(await names()).toEqual(['a', 'c']);
        expect((await store.experiments.get(a))?.archivedAt).toBeNull();
        // A deleted experiment is not archived (nor unarchived) meanwhile.
        await store.write(() => store.experiments.markDeleted([c], at(31)));
        await store.write(() => store.experiments.setArchived([c], at(32)));
        await store.write(() => store.experiments.restoreDeleted([c]));
        expect((await store.experiments.get(c))?.archivedAt).toBeNull();
      });

      it('deletes (hidden everywhere, waiting runs held), restores exactly, and purges with runs, metrics and checkpoints', async () => {
        const keep = await newExperiment(store, { name: 'keep' });
        const gone = await newExperiment(store, { name: 'gone', runs: 3 });
        const [g0, g1, g2] = await runsOf(store, gone);
        await store.write(async () => {
          await store.runs.markRunning(g0, at(1));
          await store.metrics.insertEpoch(g0, 1, { val_loss: 0.5 });
          await store.checkpoints.save(g0, 1, '{"epoch":1}', at(2));
          await store.runs.markRunning(g1, at(1));
          await store.runs.markInterrupted(g1, 'stopped');
        });
        const waitingNames = async () => (await store.runs.waiting(100)).map((r) => `${r.experimentName}#${r.index}`);
        expect(await waitingNames()).toEqual(['keep#0', 'gone#1', 'gone#2']);
        await store.write(() => store.experiments.markDeleted([gone], '2026-05-01T00:00:10.000Z'));
        expect(await store.experiments.get(gone)).toBeNull();
        expect((await listExperiments(store, { archived: 'include', includeTrials: true })).items.map((e) => e.id)).toEqual([keep]);
        expect(await store.experiments.count()).toBe(1);
        expect(await waitingNames()).toEqual(['keep#0']);
        expect((await store.runs.get(g1))?.held).toBe(true); // interrupted: waiting, so held
        expect((await store.runs.get(g2))?.held).toBe(true);
        expect((await store.runs.get(g0))?.held).toBe(false); // running: not held
        // The undo window: deleted at 00:00:10, restorable "since 00:00:05", not "since 00:00:11".
        expect(await store.experiments.deletedSince([gone, keep, gone], '2026-05-01T00:00:05.000Z')).toEqual([gone, gone]);
        expect(await store.experiments.deletedSince([gone], '2026-05-01T00:00:10.000Z')).toEqual([gone]);
        expect(await store.experiments.deletedSince([gone], '2026-05-01T00:00:11.000Z')).toEqual([]);
        await store.write(() => store.experiments.restoreDeleted([gone]));
        expect(await store.experiments.get(gone)).toMatchObject({ name: 'gone', runsTotal: 3, status: 'running' });
        expect(await waitingNames()).toEqual(['keep#0', 'gone#1', 'gone#2']);
        expect(await store.experiments.deletedBefore('2027-01-01T00:00:00.000Z')).toEqual([]);
        await store.write(() => store.experiments.markDeleted([gone], '2026-05-01T00:00:10.000Z'));
        expect(await store.experiments.deletedBefore('2026-05-01T00:00:10.000Z')).toEqual([]);
        expect(await store.experiments.deletedBefore('2026-05-01T00:00:11.000Z')).toEqual([gone]);
        await store.write(() => store.experiments.purge([gone, keep])); // only deleted ones are purged
        expect(await store.experiments.deletedBefore('2027-01-01T00:00:00.000Z')).toEqual([]);
        expect((await listRuns(store)).items.map((r) => r.experimentId)).toEqual([keep]);
        expect([await store.runs.count(), await store.metrics.count(), await store.checkpoints.count()]).toEqual([1, 0, 0]);
        expect(await store.runs.get(g0)).toBeNull();
        expect((await store.experiments.get(keep))?.name).toBe('keep');
      });

      it('keeps the derived counts, status and means current as runs change', async () => {
        const id = await newExperiment(store, { runs: 3 });
        const [r0, r1, r2] = await runsOf(store, id);
        const summary = async () => {
          const e = await store.experiments.get(id);
          return [e?.status, e?.runsTotal, e?.runsDone, e?.runsFailed, e?.runsRunning, e?.bestTestAcc, e?.meanTestAcc];
        };
        expect(await summary()).toEqual(['pending', 3, 0, 0, 0, null, null]);
        await store.write(() => store.runs.markRunning(r0, at(1)));
        expect(await summary()).toEqual(['running', 3, 0, 0, 1, null, null]);
        await store.write(() => store.runs.markDone(r0, outcome(0.5), at(2)));
        expect(await summary()).toEqual(['pending', 3, 1, 0, 0, 0.5, 0.5]);
        await store.write(async () => {
          await store.runs.markDone(r1, outcome(1), at(3));
          await store.runs.markFailed(r2, 'boom', at(4));
        });
        expect(await summary()).toEqual(['failed', 3, 2, 1, 0, 1, 0.75]);
        await store.write(() => store.runs.resetForRetry(r1, at(5)));
        expect(await summary()).toEqual(['pending', 3, 1, 1, 0, 0.5, 0.5]);
        await store.write(async () => {
          await store.runs.markDone(r1, outcome(0.25), at(6));
          await store.runs.resetForRetry(r2, at(7));
          await store.runs.markDone(r2, outcome(0.75), at(8));
        });
        expect(await summary()).toEqual(['done', 3, 3, 0, 0, 0.75, 0.5]);
        const cancelled = await newExperiment(store, { runs: 2 });
        for (const run of await runsOf(store, cancelled)) await store.write(() => store.runs.markCancelled(run, at(9)));
        expect((await store.experiments.get(cancelled))?.status).toBe('cancelled');
      });
    });

    describe('runs', () => {
      it('inserts runs for an experiment and one run (keeping its checkpoint, at an index); gets them; counts', async () => {
        const id = await store.write(async () => {
          const experiment = await store.experiments.insert({ name: 'e', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: at(0) });
          await store.runs.insertForExperiment(experiment, 3, 10, 2, 7, at(1));
          return experiment;
        });
        const runs = (await listRuns(store, { experimentId: id })).items;
        expect(runs.map((r) => [r.index, r.seed, r.priority, r.maxEpochs, r.queuedAt])).toEqual([
          [0, 10, 2, 7, at(1)],
          [1, 11, 2, 7, at(1)],
          [2, 12, 2, 7, at(1)],
        ]);
        expect(await store.runs.get(runs[0].id)).toEqual({
          id: runs[0].id,
          experimentId: id,
          experimentName: 'e',
          index: 0,
          seed: 10,
          status: 'pending',
          priority: 2,
          epoch: 0,
          maxEpochs: 7,
          attempts: 0,
          backend: null,
          optimizer: null,
          parameterCount: null,
          error: null,
          queuedAt: at(1),
          startedAt: null,
          finishedAt: null,
          final: null,
          gradEvals: null,
          epochsRun: null,
          bestEpoch: null,
          stoppedEarly: null,
          keepCheckpoint: false,
          held: false,
          stoppedBy: null,
          workerId: null,
          workerHost: null,
        });
        const one = await store.write(() => store.runs.insertOne(id, 99, -1, 4, true, at(2), 5));
        expect(await store.runs.get(one)).toMatchObject({
          experimentId: id,
          index: 5,
          seed: 99,
          priority: -1,
          maxEpochs: 4,
          keepCheckpoint: true,
          status: 'pending',
          queuedAt: at(2),
        });
        const empty = await newExperiment(store, { runs: 0 });
        const defaultIndex = await store.write(() => store.runs.insertOne(empty, 1, 0, 5, false, at(3)));
        expect((await store.runs.get(defaultIndex))?.index).toBe(0);
        expect(await store.runs.get(one + 1000)).toBeNull();
        expect(await store.runs.count()).toBe(5);
        expect((await store.experiments.get(id))?.runsTotal).toBe(4);
      });

      it('lists runs by experiment and status, in experiment then index order, paged with a total', async () => {
        const a = await newExperiment(store, { name: 'a', runs: 3 });
        const b = await newExperiment(store, { name: 'b', runs: 2 });
        const [a0, a1, a2] = await runsOf(store, a);
        const [b0, b1] = await runsOf(store, b);
        await store.write(async () => {
          await store.runs.markFailed(a1, 'x', at(1));
          await store.runs.markFailed(b0, 'x', at(1));
        });
        const ids = (page: RunPage) => page.items.map((r) => r.id);
        expect(ids(await listRuns(store))).toEqual([a0, a1, a2, b0, b1]);
        expect(ids(await listRuns(store, { experimentId: b }))).toEqual([b0, b1]);
        expect(ids(await listRuns(store, { status: ['failed'] }))).toEqual([a1, b0]);
        expect(ids(await listRuns(store, { experimentId: a, status: ['pending', 'failed'] }))).toEqual([a0, a1, a2]);
        const page = await listRuns(store, { limit: 2, offset: 2 });
        expect([page.total, ids(page)]).toEqual([5, [a2, b0]]);
        expect(await listRuns(store, { status: ['done'] })).toEqual({ total: 0, items: [] });
        expect((await listRuns(store, { offset: 9 })).total).toBe(5);
      });

      it('waits in start order (priority, then first in first out) and moves to the top, the bottom or before another run', async () => {
        await newExperiment(store, { name: 'first', runs: 2 });
        await newExperiment(store, { name: 'urgent', priority: 5 });
        await newExperiment(store, { name: 'last' });
        const label = (r: { experimentName: string; index: number }) => `${r.experimentName}#${r.index}`;
        const order = async () => (await store.runs.waiting(100)).map(label);
        const runId = async (name: string) => (await store.runs.waiting(100)).find((r) => label(r) === name)?.id ?? 0;
        expect(await order()).toEqual(['urgent#0', 'first#0', 'first#1', 'last#0']);
        expect((await store.runs.waiting(2)).map(label)).toEqual(['urgent#0', 'first#0']);
        const last0 = await runId('last#0');
        await store.write(() => store.runs.move(last0, 'top'));
        expect(await order()).toEqual(['urgent#0', 'last#0', 'first#0', 'first#1']);
        const first0 = await runId('first#0');
        const urgent0 = await runId('urgent#0');
        await store.write(() => store.runs.move(first0, { before: urgent0 }));
        expect(await order()).toEqual(['first#0', 'urgent#0', 'last#0', 'first#1']);
        expect((await store.runs.get(first0))?.priority).toBe(5); // took its target's priority
        await store.write(() => store.runs.move(first0, 'bottom'));
        expect(await order()).toEqual(['urgent#0', 'first#0', 'last#0', 'first#1']);
        await store.write(() => store.runs.move(last0, 'bottom'));
        expect(await order()).toEqual(['urgent#0', 'first#0', 'first#1', 'last#0']);
        // Running, finished and held runs do not wait; interrupted ones do.
        const first1 = await runId('first#1');
        await store.write(async () => {
          await store.runs.markRunning(urgent0, at(1));
          await store.runs.markRunning(first1, at(1));
          await store.runs.markInterrupted(first1, 'killed');
          await store.runs.markDone(first0, outcome(0.5), at(2));
        });
        expect(await order()).toEqual(['first#1', 'last#0']);
      });

      it('moves a run through its statuses: running, done, failed, cancelled; running() and recentlyFinished() in their orders; statusCounts()', async () => {
        const id = await newExperiment(store, { name: 'e', runs: 5 });
        const [r0, r1, r2, r3, r4] = await runsOf(store, id);
        await store.write(async () => {
          await store.runs.markRunning(r0, at(2));
          await store.runs.markRunning(r1, at(1));
          await store.runs.markRunning(r2, at(3));
        });
        expect(await store.runs.get(r0)).toMatchObject({ status: 'running', attempts: 1, startedAt: at(2), error: null, finishedAt: null });
        expect((await store.runs.running()).map((r) => r.id)).toEqual([r1, r0, r2]);
        await store.write(async () => {
          await store.runs.recordEnvironment(r0, { backend: 'wasm', optimizer: 'adam (d=83)', parameterCount: 83 });
          await store.runs.setProgress(r0, 3);
        });
        expect(await store.runs.get(r0)).toMatchObject({ backend: 'wasm', optimizer: 'adam (d=83)', parameterCount: 83, epoch: 3, final: null });
        await store.write(() => store.runs.markDone(r0, outcome(0.5), at(10)));
        expect(await store.runs.get(r0)).toMatchObject({
          status: 'done',
          epoch: 4,
          finishedAt: at(10),
          error: null,
          final: { time: 2, train_loss: 0.5, train_acc: 0.75, val_loss: 0.25, val_acc: 0.5, test_loss: 0.125, test_acc: 0.5, model_evals: 40 },
          gradEvals: 20,
          epochsRun: 4,
          bestEpoch: 3,
          stoppedEarly: true,
          backend: 'wasm',
        });
        await store.write(async () => {
          await store.runs.markFailed(r1, 'out of memory', at(12));
          await store.runs.markCancelled(r3, at(11));
          await store.runs.markDone(r4, { ...outcome(0.25), stoppedEarly: false }, at(12));
        });
        expect(await store.runs.get(r1)).toMatchObject({ status: 'failed', error: 'out of memory', finishedAt: at(12), final: null });
        expect(await store.runs.get(r3)).toMatchObject({ status: 'cancelled', finishedAt: at(11), startedAt: null, stoppedBy: null });
        expect((await store.runs.get(r4))?.stoppedEarly).toBe(false);
        expect((await store.runs.running()).map((r) => r.id)).toEqual([r2]);
        expect((await store.runs.recentlyFinished(10)).map((r) => r.id)).toEqual([r4, r1, r3, r0]);
        expect((await store.runs.recentlyFinished(2)).map((r) => r.id)).toEqual([r4, r1]);
        expect(await store.runs.statusCounts()).toEqual({ pending: 0, running: 1, done: 2, failed: 1, cancelled: 1, interrupted: 0 });
        // Running again (a retry of the same run): another attempt, the first start kept.
        await store.write(() => store.runs.markRunning(r1, at(20)));
        expect(await store.runs.get(r1)).toMatchObject({ status: 'running', attempts: 2, startedAt: at(1), error: null });
      });

      it('interrupts running runs (interruptRunning, markInterrupted with a reason) and resets a run for a retry at the back of the queue', async () => {
        const id = await newExperiment(store, { runs: 4 });
        const [r0, r1, r2, r3] = await runsOf(store, id);
        expect(await store.write(() => store.runs.interruptRunning())).toBe(0);
        await store.write(async () => {
          await store.runs.markRunning(r0, at(1));
          await store.runs.markRunning(r1, at(1));
        });
        expect(await store.write(() => store.runs.interruptRunning())).toBe(2);
        expect((await store.runs.get(r0))?.status).toBe('interrupted');
        expect(await store.runs.statusCounts()).toEqual({ pending: 2, running: 0, done: 0, failed: 0, cancelled: 0, interrupted: 2 });
        // markInterrupted changes running runs only, and keeps the reason until the run runs again.
        await store.write(async () => {
          await store.runs.markInterrupted(r2, 'not running');
          await store.runs.markRunning(r3, at(2));
          await store.runs.markInterrupted(r3, 'disk full');
        });
        expect(await store.runs.get(r2)).toMatchObject({ status: 'pending', error: null });
        expect(await store.runs.get(r3)).toMatchObject({ status: 'interrupted', error: 'disk full', attempts: 1 });
        await store.write(() => store.runs.markRunning(r3, at(3)));
        expect(await store.runs.get(r3)).toMatchObject({ status: 'running', error: null, attempts: 2 });
        // A retry starts from scratch, behind everything already waiting.
        await store.write(async () => {
          await store.runs.recordEnvironment(r3, { backend: 'js', optimizer: 'adam', parameterCount: 10 });
          await store.runs.markDone(r3, outcome(0.5), at(4));
          await store.runs.resetForRetry(r3, at(5));
        });
        expect(await store.runs.get(r3)).toMatchObject({
          status: 'pending',
          epoch: 0,
          error: null,
          startedAt: null,
          finishedAt: null,
          final: null,
          gradEvals: null,
          epochsRun: null,
          bestEpoch: null,
          stoppedEarly: null,
          backend: null,
          optimizer: null,
          parameterCount: null,
          queuedAt: at(5),
          attempts: 2,
        });
        await store.write(() => store.runs.move(r0, 'bottom'));
        await store.write(() => store.runs.resetForRetry(r1, at(6)));
        expect((await store.runs.waiting(10)).map((r) => r.id)).toEqual([r2, r3, r0, r1]);
      });

      it('lets a worker claim a waiting run that is not held, or one another worker holds as running, but not one it holds itself', async () => {
        const w1 = await store.workers.register({ host: 'host-1', pid: 101, slots: 1, backend: 'wasm', now: at(0) });
        const w2 = await store.workers.register({ host: 'host-2', pid: 102, slots: 1, backend: 'wasm', now: at(0) });
        const id = await newExperiment(store, { runs: 5 });
        const [r0, r1, r2, r3, r4] = await runsOf(store, id);
        expect(await store.write(() => store.runs.claim(r0, w1, at(1)))).toBe(true);
        expect(await store.runs.get(r0)).toMatchObject({ status: 'running', workerId: w1, workerHost: 'host-1', attempts: 1, startedAt: at(1) });
        expect(await store.write(() => store.runs.claim(r0, w1, at(2)))).toBe(false);
        expect((await store.runs.get(r0))?.attempts).toBe(1);
        // w1's claim lapsed (the job queue gave up on it): w2 takes the run over.
        expect(await store.write(() => store.runs.claim(r0, w2, at(3)))).toBe(true);
        expect(await store.runs.get(r0)).toMatchObject({ status: 'running', workerId: w2, workerHost: 'host-2', attempts: 2, startedAt: at(1) });
        // Running here (no worker): a worker may take it.
        await store.write(() => store.runs.markRunning(r1, at(4)));
        expect(await store.write(() => store.runs.claim(r1, w1, at(5)))).toBe(true);
        // Interrupted: waiting, so claimable; its reason is cleared.
        await store.write(() => store.runs.markInterrupted(r1, 'lost'));
        expect(await store.write(() => store.runs.claim(r1, w2, at(6)))).toBe(true);
        expect(await store.runs.get(r1)).toMatchObject({ workerId: w2, error: null });
        // Finished, cancelled, held or unknown: not there to take.
        await store.write(async () => {
          await store.runs.markDone(r2, outcome(0.5), at(7));
          await store.runs.markCancelled(r3, at(7));
          await store.experiments.markDeleted([id], at(8)); // holds r4
        });
        expect(await store.write(() => store.runs.claim(r2, w1, at(9)))).toBe(false);
        expect(await store.write(() => store.runs.claim(r3, w1, at(9)))).toBe(false);
        expect(await store.write(() => store.runs.claim(r4, w1, at(9)))).toBe(false);
        expect(await store.write(() => store.runs.claim(r4 + 1000, w1, at(9)))).toBe(false);
        expect(await store.runs.get(r4)).toMatchObject({ status: 'pending', held: true, workerId: null });
        await store.write(() => store.experiments.restoreDeleted([id]));
        expect(await store.write(() => store.runs.claim(r4, w1, at(10)))).toBe(true);
      });

      it("holds and releases a study's runs (setHeldForStudy), lists them (forStudy) and counts those its study stopped", async () => {
        const plain = await newExperiment(store, { name: 'plain' });
        const [plainRun] = await runsOf(store, plain);
        const studyId = await newStudy(store);
        const t0 = await newTrial(store, studyId, 0);
        const t1 = await newTrial(store, studyId, 1);
        const t2 = await newTrial(store, studyId, 2);
        const other = await newTrial(store, await newStudy(store, { name: 'other' }), 0);
        expect((await store.runs.forStudy(studyId)).map((r) => [r.id, r.experimentId, r.keepCheckpoint])).toEqual([
          [t0.runId, t0.experimentId, true],
          [t1.runId, t1.experimentId, true],
          [t2.runId, t2.experimentId, true],
        ]);
        await store.write(() => store.runs.setHeldForStudy(studyId, true));
        expect((await store.runs.forStudy(studyId)).map((r) => r.held)).toEqual([true, true, true]);
        expect((await store.runs.waiting(10)).map((r) => r.id)).toEqual([plainRun, other.runId]);
        await store.write(() => store.runs.setHeldForStudy(studyId, false));
        expect((await store.runs.waiting(10)).map((r) => r.id)).toEqual([plainRun, t0.runId, t1.runId, t2.runId, other.runId]);
        // Pruned and stopped trials' cancelled runs were stopped by their study; others were not.
        expect(await store.runs.stoppedByStudyCount()).toBe(0);
        await store.write(async () => {
          await store.studies.updateTrial(t0.trialId, { status: 'pruned', finishedAt: at(5) });
          await store.runs.markCancelled(t0.runId, at(5));
          await store.studies.updateTrial(t1.trialId, { status: 'stopped', finishedAt: at(5) });
          await store.runs.markCancelled(t1.runId, at(5));
          await store.studies.updateTrial(t2.trialId, { status: 'cancelled', finishedAt: at(5) });
          await store.runs.markCancelled(t2.runId, at(5));
          await store.runs.markCancelled(plainRun, at(5));
          await store.studies.updateTrial(other.trialId, { status: 'pruned' }); // its run is still pending
        });
        expect(await store.runs.stoppedByStudyCount()).toBe(2);
        expect((await store.runs.forStudy(studyId)).map((r) => r.stoppedBy)).toEqual(['pruned', 'stopped', null]);
        expect((await store.runs.get(plainRun))?.stoppedBy).toBeNull();
        expect((await store.runs.get(other.runId))?.stoppedBy).toBeNull();
        expect(await store.runs.forStudy(studyId + 1000)).toEqual([]);
      });
    });

    describe('metrics', () => {
      it('stores epochs (NaN and infinities as null, a re-sent epoch replaced), reads series, names and epoch ranges, deletes per run', async () => {
        const id = await newExperiment(store, { runs: 2 });
        const [run, other] = await runsOf(store, id);
        await store.write(async () => {
          await store.metrics.insertEpoch(run, 2, { val_loss: 0.5, val_acc: Number.NaN, train_loss: Number.POSITIVE_INFINITY });
          await store.metrics.insertEpoch(run, 1, { val_loss: 0.875, val_acc: 0.125, train_loss: Number.NEGATIVE_INFINITY });
          await store.metrics.insertEpoch(run, 2, { val_loss: 0.375 });
          await store.metrics.insertEpoch(other, 1, { val_loss: 1 });
        });
        // Outside a transaction too.
        await store.metrics.insertEpoch(run, 4, { val_acc: 0.75 });
        await store.metrics.insertEpoch(run, 5, {});
        const series = await store.metrics.series(run, ['val_loss', 'val_acc', 'train_loss', 'missing']);
        expect([...series.keys()]).toEqual(['val_loss', 'val_acc', 'train_loss', 'missing']);
        expect(series.get('val_loss')).toEqual({ epochs: [1, 2], values: [0.875, 0.375] });
        expect(series.get('val_acc')).toEqual({ epochs: [1, 2, 4], values: [0.125, null, 0.75] });
        expect(series.get('train_loss')).toEqual({ epochs: [1, 2], values: [null, null] });
        expect(series.get('missing')).toEqual({ epochs: [], values: [] });
        expect(await store.metrics.series(run, [])).toEqual(new Map());
        expect(await store.metrics.names(run)).toEqual(['train_loss', 'val_acc', 'val_loss']);
        expect(await store.metrics.epochRange(run)).toEqual({ first: 1, last: 4, count: 3 });
        expect(await store.metrics.count()).toBe(8);
        await store.write(() => store.metrics.deleteForRun(run));
        expect(await store.metrics.names(run)).toEqual([]);
        expect(await store.metrics.epochRange(run)).toEqual({ first: null, last: null, count: 0 });
        expect((await store.metrics.series(other, ['val_loss'])).get('val_loss')).toEqual({ epochs: [1], values: [1] });
        expect(await store.metrics.count()).toBe(1);
      });
    });

    describe('checkpoints', () => {
      it("keeps each run's latest checkpoint only, and deletes a run's", async () => {
        const id = await newExperiment(store, { runs: 2 });
        const [run, other] = await runsOf(store, id);
        expect(await store.checkpoints.latest(run)).toBeNull();
        const first = await store.write(() => store.checkpoints.save(run, 1, '{"epoch":1}', at(1)));
        expect(await store.checkpoints.latest(run)).toEqual({ id: first, runId: run, epoch: 1, state: '{"epoch":1}' });
        const second = await store.write(() => store.checkpoints.save(run, 2, '{"epoch":2}', at(2)));
        const theirs = await store.checkpoints.save(other, 7, '{"epoch":7}', at(3)); // outside a transaction
        expect(await store.checkpoints.latest(run)).toEqual({ id: second, runId: run, epoch: 2, state: '{"epoch":2}' });
        expect(await store.checkpoints.count()).toBe(2);
        await store.write(() => store.checkpoints.deleteForRun(run));
        expect(await store.checkpoints.latest(run)).toBeNull();
        expect(await store.checkpoints.latest(other)).toEqual({ id: theirs, runId: other, epoch: 7, state: '{"epoch":7}' });
        expect(await store.checkpoints.count()).toBe(1);
      });
    });

    describe('settings', () => {
      it('answers the default queue settings, and merges each change into what is stored', async () => {
        expect(await store.settings.queue()).toEqual({ paused: false, slots: null });
        await store.write(() => store.settings.setQueue({ paused: true }));
        expect(await store.settings.queue()).toEqual({ paused: true, slots: null });
        await store.settings.setQueue({ slots: 3 });
        expect(await store.settings.queue()).toEqual({ paused: true, slots: 3 });
        await store.write(() => store.settings.setQueue({ paused: false, slots: null }));
        expect(await store.settings.queue()).toEqual({ paused: false, slots: null });
      });
    });

    describe('studies', () => {
      it('creates, gets, lists, finds by status and the resumable one, and updates studies', async () => {
        const created = await newStudy(store, { status: 'created' });
        const gpbt = await newStudy(store, { kind: 'gpbt', status: 'running' });
        const running = await newStudy(store, { status: 'running' });
        const done = await newStudy(store, { status: 'done' });
        expect(await store.studies.get(created)).toEqual({
          id: created,
          name: 'study',
          kind: 'tune',
          config: { space: { lr: [0.001, 0.1] } },
          configHash: 'h1',
          status: 'created',
          state: { sampler: 'random', seen: 0 },
          bestTrial: null,
          error: null,
          createdAt: at(0),
          finishedAt: null,
          trials: 0,
          finishedTrials: 0,
        });
        expect(await store.studies.get(done + 1000)).toBeNull();
        expect((await store.studies.list()).map((s) => s.id)).toEqual([created, gpbt, running, done]);
        expect((await store.studies.withStatus(['running', 'paused'])).map((s) => s.id)).toEqual([gpbt, running]);
        expect((await store.studies.withStatus(['done', 'created'])).map((s) => s.id)).toEqual([created, done]);
        expect(await store.studies.withStatus([])).toEqual([]);
        // The latest unfinished one of the kind and config.
        expect((await store.studies.findResumable('tune', 'h1'))?.id).toBe(running);
        expect((await store.studies.findResumable('gpbt', 'h1'))?.id).toBe(gpbt);
        expect(await store.studies.findResumable('pbt', 'h1')).toBeNull();
        expect(await store.studies.findResumable('tune', 'h2')).toBeNull();
        await store.write(() => store.studies.update(running, { status: 'failed', error: 'sampler crashed', finishedAt: at(9) }));
        expect((await store.studies.findResumable('tune', 'h1'))?.id).toBe(created);
        await store.write(() => store.studies.update(created, { status: 'paused' }));
        expect((await store.studies.findResumable('tune', 'h1'))?.status).toBe('paused');
        expect(await store.studies.get(running)).toMatchObject({
          status: 'failed',
          error: 'sampler crashed',
          finishedAt: at(9),
          state: { sampler: 'random', seen: 0 },
        });
        await store.write(() => store.studies.update(running, { state: { sampler: 'tpe', seen: [1, 2] }, error: null, finishedAt: null, status: 'running' }));
        expect(await store.studies.get(running)).toMatchObject({
          status: 'running',
          error: null,
          finishedAt: null,
          state: { sampler: 'tpe', seen: [1, 2] },
          bestTrial: null,
        });
        await store.write(() => store.studies.update(running, {}));
        expect((await store.studies.get(running))?.status).toBe('running');
      });

      it('adds, updates and finds trials (by id, number and run), with the study counting them', async () => {
        const studyId = await newStudy(store);
        const otherStudy = await newStudy(store, { name: 'other' });
        const added = await store.write(() =>
          store.studies.addTrial({
            studyId,
            number: 1,
            generation: 2,
            member: 3,
            params: { lr: 0.5, act: 'relu', bias: true },
            samplerId: 7,
            createdAt: at(1),
          }),
        );
        expect(added).toEqual({
          id: added.id,
          studyId,
          number: 1,
          generation: 2,
          member: 3,
          params: { lr: 0.5, act: 'relu', bias: true },
          status: 'running',
          value: null,
          testValue: null,
          experimentId: null,
          runId: null,
          samplerId: 7,
          checkpointId: null,
          createdAt: at(1),
          finishedAt: null,
        });
        const zero = await store.studies.addTrial({ studyId, number: 0, generation: 0, member: 0, params: {}, samplerId: null, createdAt: at(2) });
        await store.studies.addTrial({ studyId: otherStudy, number: 0, generation: 0, member: 0, params: {}, samplerId: null, createdAt: at(2) });
        const experimentId = await newExperiment(store, { studyId });
        const [runId] = await runsOf(store, experimentId);
        const checkpointId = await store.checkpoints.save(runId, 4, '{}', at(3));
        await store.write(() =>
          store.studies.updateTrial(added.id, { status: 'done', value: 0.25, testValue: 0.5, experimentId, runId, checkpointId, finishedAt: at(4) }),
        );
        const updated = { ...added, status: 'done', value: 0.25, testValue: 0.5, experimentId, runId, checkpointId, finishedAt: at(4) };
        expect(await store.studies.trial(added.id)).toEqual(updated);
        expect(await store.studies.trialByNumber(studyId, 1)).toEqual(updated);
        expect(await store.studies.trialOfRun(runId)).toEqual(updated);
        expect(await store.studies.trialByNumber(studyId, 2)).toBeNull();
        expect(await store.studies.trialByNumber(otherStudy, 1)).toBeNull();
        expect(await store.studies.trial(added.id + 1000)).toBeNull();
        expect(await store.studies.trialOfRun(runId + 1000)).toBeNull();
        expect((await store.studies.trials(studyId)).map((t) => [t.number, t.id])).toEqual([
          [0, zero.id],
          [1, added.id],
        ]);
        expect(await store.studies.get(studyId)).toMatchObject({ trials: 2, finishedTrials: 1 });
        // Values that are not finite numbers are stored as null; null clears.
        await store.write(() => store.studies.updateTrial(zero.id, { value: Number.NaN, testValue: Number.POSITIVE_INFINITY, status: 'failed' }));
        expect(await store.studies.trial(zero.id)).toMatchObject({ value: null, testValue: null, status: 'failed' });
        await store.write(() => store.studies.updateTrial(added.id, { value: null, checkpointId: null }));
        expect(await store.studies.trial(added.id)).toMatchObject({ value: null, testValue: 0.5, checkpointId: null, status: 'done' });
        await store.write(() => store.studies.update(studyId, { bestTrial: added.id }));
        expect(await store.studies.get(studyId)).toMatchObject({ bestTrial: added.id, trials: 2, finishedTrials: 2 });
        await store.write(() => store.studies.update(studyId, { bestTrial: null }));
        expect((await store.studies.get(studyId))?.bestTrial).toBeNull();
      });

      it('records lineage edges once each, and lists the edges of one study in order', async () => {
        const studyId = await newStudy(store, { kind: 'pbt' });
        const otherStudy = await newStudy(store, { kind: 'pbt', name: 'other' });
        const trial = (s: number, number: number) =>
          store.studies.addTrial({ studyId: s, number, generation: number, member: 0, params: {}, samplerId: null, createdAt: at(1) });
        const [p0, p1, c2] = [await trial(studyId, 0), await trial(studyId, 1), await trial(studyId, 2)];
        const [o0, o1] = [await trial(otherStudy, 0), await trial(otherStudy, 1)];
        await store.write(async () => {
          await store.studies.addEdge(c2.id, p1.id, 'weights');
          await store.studies.addEdge(c2.id, p0.id, 'hparams');
          await store.studies.addEdge(c2.id, p1.id, 'hparams');
          await store.studies.addEdge(c2.id, p1.id, 'weights'); // again: ignored
          await store.studies.addEdge(p1.id, p0.id, 'weights');
          await store.studies.addEdge(o1.id, o0.id, 'weights');
        });
        expect(await store.studies.edges(studyId)).toEqual([
          { childId: p1.id, parentId: p0.id, kind: 'weights' },
          { childId: c2.id, parentId: p0.id, kind: 'hparams' },
          { childId: c2.id, parentId: p1.id, kind: 'hparams' },
          { childId: c2.id, parentId: p1.id, kind: 'weights' },
        ]);
        expect(await store.studies.edges(otherStudy)).toEqual([{ childId: o1.id, parentId: o0.id, kind: 'weights' }]);
        expect(await store.studies.edges(otherStudy + 1000)).toEqual([]);
      });

      it('deletes a study with its trials, edges and trial experiments (their runs, metrics and checkpoints), and nothing else', async () => {
        const studyId = await newStudy(store);
        const keepStudy = await newStudy(store, { name: 'kept' });
        const t0 = await newTrial(store, studyId, 0);
        const t1 = await newTrial(store, studyId, 1);
        const kept = await newTrial(store, keepStudy, 0);
        const plain = await newExperiment(store, { name: 'plain' });
        await store.write(async () => {
          await store.studies.addEdge(t1.trialId, t0.trialId, 'weights');
          await store.metrics.insertEpoch(t0.runId, 1, { val_loss: 0.5 });
          await store.metrics.insertEpoch(kept.runId, 1, { val_loss: 0.5 });
          await store.checkpoints.save(t0.runId, 1, '{}', at(2));
        });
        await store.write(() => store.studies.delete(studyId));
        expect(await store.studies.get(studyId)).toBeNull();
        expect((await store.studies.list()).map((s) => s.id)).toEqual([keepStudy]);
        expect(await store.studies.trial(t0.trialId)).toBeNull();
        expect(await store.studies.trials(studyId)).toEqual([]);
        expect(await store.studies.edges(studyId)).toEqual([]);
        expect(await store.experiments.get(t0.experimentId)).toBeNull();
        expect(await store.runs.get(t1.runId)).toBeNull();
        expect(await store.runs.forStudy(studyId)).toEqual([]);
        expect([await store.metrics.count(), await store.checkpoints.count()]).toEqual([1, 0]);
        expect((await store.studies.trials(keepStudy)).map((t) => t.id)).toEqual([kept.trialId]);
        expect((await listRuns(store)).items.map((r) => r.id).sort((a, b) => a - b)).toEqual(
          [kept.runId, ...(await runsOf(store, plain))].sort((a, b) => a - b),
        );
      });
    });

    describe('workers', () => {
      it('registers workers, beats their hearts, stops them, and lists them with the runs they train', async () => {
        const w1 = await store.workers.register({ host: 'gpu-box', pid: 4242, slots: 2, backend: 'tensorflow-gpu', now: at(0) });
        expect(await store.workers.get(w1)).toEqual({
          id: w1,
          host: 'gpu-box',
          pid: 4242,
          slots: 2,
          backend: 'tensorflow-gpu',
          startedAt: at(0),
          heartbeatAt: at(0),
          stoppedAt: null,
          runIds: [],
        });
        const w2 = await store.write(() => store.workers.register({ host: 'laptop', pid: 7, slots: 1, backend: 'wasm', now: at(1) }));
        const [r0, r1, r2] = await runsOf(store, await newExperiment(store, { runs: 3 }));
        await store.write(async () => {
          await store.runs.claim(r2, w1, at(2));
          await store.runs.claim(r0, w1, at(2));
          await store.runs.claim(r1, w2, at(2));
        });
        expect((await store.workers.get(w1))?.runIds).toEqual([r0, r2]);
        await store.write(() => store.runs.markDone(r0, outcome(0.5), at(3)));
        expect((await store.workers.get(w1))?.runIds).toEqual([r2]);
        await store.workers.heartbeat(w1, at(5));
        expect(await store.workers.get(w1)).toMatchObject({ heartbeatAt: at(5), startedAt: at(0), stoppedAt: null });
        await store.write(async () => {
          await store.runs.markInterrupted(r1, 'worker stopping');
          await store.workers.stop(w2, at(2));
        });
        expect(await store.workers.get(w2)).toEqual({
          id: w2,
          host: 'laptop',
          pid: 7,
          slots: 1,
          backend: 'wasm',
          startedAt: at(1),
          heartbeatAt: at(2),
          stoppedAt: at(2),
          runIds: [],
        });
        // Newest first: those seen since `since`, and those not stopped whenever they last beat.
        expect((await store.workers.list(at(2))).map((w) => w.id)).toEqual([w2, w1]);
        expect((await store.workers.list(at(3))).map((w) => w.id)).toEqual([w1]);
        expect((await store.workers.list(at(60))).map((w) => [w.id, w.runIds])).toEqual([[w1, [r2]]]);
        await store.workers.stop(w1, at(6));
        expect(await store.workers.list(at(60))).toEqual([]);
        expect(await store.workers.get(w2 + 1000)).toBeNull();
      });
    });

    describe('transactions', () => {
      it('roll back everything when the work throws, passing its error on unchanged', async () => {
        const failure = new ApiError('conflict', 'changed my mind');
        const error = await store
          .transaction(async () => {
            const id = await store.experiments.insert({ name: 'gone', dataset: 'iris', config: irisAdam, tags: ['t'], notes: '', createdAt: at(0) });
            await store.runs.insertForExperiment(id, 2, 0, 0, 5, at(0));
            const [run] = await runsOf(store, id);
            await store.metrics.insertEpoch(run, 1, { val_loss: 1 });
            await store.checkpoints.save(run, 1, '{}', at(1));
            await store.settings.setQueue({ paused: true });
            await store.studies.create({ name: 's', kind: 'tune', config: {}, configHash: 'h', state: null, status: 'created', createdAt: at(0) });
            await store.workers.register({ host: 'h', pid: 1, slots: 1, backend: 'js', now: at(0) });
            throw failure;
          })
          .catch((caught: unknown) => caught);
        expect(error).toBe(failure);
        expect([await store.experiments.count(), await store.runs.count(), await store.metrics.count(), await store.checkpoints.count()]).toEqual([0, 0, 0, 0]);
        expect(await store.settings.queue()).toEqual({ paused: false, slots: null });
        expect(await store.studies.list()).toEqual([]);
        expect(await store.workers.list(at(0))).toEqual([]);
        expect(await listExperiments(store, { includeTrials: true, archived: 'include' })).toEqual({ total: 0, items: [] });
      });

      it('nested in another (transaction and write alike), join it: rolled back with it, committed with it', async () => {
        const insert = (name: string) => store.experiments.insert({ name, dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: at(0) });
        const error = await store
          .transaction(async () => {
            await store.transaction(() => insert('inner'));
            await store.write(() => insert('inner write'));
            expect(await store.experiments.count()).toBe(2); // it sees its own writes
            throw new Error('outer fails');
          })
          .catch((caught: unknown) => caught);
        expect((error as Error).message).toBe('outer fails');
        expect(await store.experiments.count()).toBe(0);
        // Committed when the outer one commits, which answers the value of its work.
        const value = await store.transaction(async () => {
          await store.transaction(() => insert('kept'));
          return await store.write(async () => {
            await insert('kept too');
            return 'value';
          });
        });
        expect(value).toBe('value');
        expect((await listExperiments(store, { sort: { by: 'name', direction: 'asc' } })).items.map((e) => e.name)).toEqual(['kept', 'kept too']);
      });

      it('return the value of their work (transaction and write)', async () => {
        expect(await store.transaction(async () => 42)).toBe(42);
        const id = await store.write(() => store.experiments.insert({ name: 'x', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: at(0) }), {
          maxWaitMs: 1000,
        });
        expect((await store.experiments.get(id))?.name).toBe('x');
        expect(await store.write(async () => ({ ids: [id] }))).toEqual({ ids: [id] });
      });

      it('from different async contexts at once both commit, whole and without mixing their writes', async () => {
        const writer = (name: string) =>
          store.write(async () => {
            const id = await store.experiments.insert({ name, dataset: 'iris', config: irisAdam, tags: [name], notes: '', createdAt: at(0) });
            await delay(5);
            await store.runs.insertForExperiment(id, 3, 0, 0, 5, at(0));
            await delay(5);
            for (const run of await runsOf(store, id)) {
              await store.metrics.insertEpoch(run, 1, { val_loss: 0.5 });
              await store.runs.markRunning(run, at(1));
              await store.runs.setProgress(run, 1);
            }
            await delay(5);
            await store.experiments.update(id, { notes: `by ${name}` });
            return id;
          });
        const [a, b] = await Promise.all([writer('a'), writer('b')]);
        for (const [id, name] of [
          [a, 'a'],
          [b, 'b'],
        ] as const) {
          expect(await store.experiments.get(id)).toMatchObject({ name, tags: [name], notes: `by ${name}`, runsTotal: 3, runsRunning: 3, status: 'running' });
          const runs = (await listRuns(store, { experimentId: id })).items;
          expect(runs.map((r) => [r.index, r.status, r.epoch])).toEqual([
            [0, 'running', 1],
            [1, 'running', 1],
            [2, 'running', 1],
          ]);
          for (const run of runs) expect(await store.metrics.epochRange(run.id)).toEqual({ first: 1, last: 1, count: 1 });
        }
        expect(await store.metrics.count()).toBe(6);
        // Each writer's runs got queue places of their own: back in the queue, they wait as two whole groups.
        expect(await store.write(() => store.runs.interruptRunning())).toBe(6);
        const order = (await store.runs.waiting(10)).map((r) => r.experimentName);
        expect([order.slice(0, 3), order.slice(3)].map((group) => new Set(group).size)).toEqual([1, 1]);
        expect(new Set(order)).toEqual(new Set(['a', 'b']));
        expect(await store.integrityCheck()).toBe('ok');
      });

      it('never take in a call made from another async context while one is open', async () => {
        let started = (): void => undefined;
        const open = new Promise<void>((resolve) => (started = resolve));
        const outside = open.then(() => newExperiment(store, { name: 'outside' }));
        const error = await store
          .transaction(async () => {
            await store.experiments.insert({ name: 'inside', dataset: 'iris', config: irisAdam, tags: [], notes: '', createdAt: at(0) });
            started();
            await delay(20);
            throw new Error('rolled back');
          })
          .catch((caught: unknown) => caught);
        expect((error as Error).message).toBe('rolled back');
        await outside;
        expect((await listExperiments(store)).items.map((e) => e.name)).toEqual(['outside']);
      });
    });

    describe('the store itself', () => {
      it('is sound when fresh (integrityCheck), and says what kind it is', async () => {
        expect(store.kind).toBe(backend.kind);
        expect(await store.integrityCheck()).toBe('ok');
        await newExperiment(store, { runs: 2 });
        expect(await store.integrityCheck()).toBe('ok');
      });

      it('coordinates a study (tryCoordinate is true, and again after releaseCoordination)', async () => {
        const studyId = await newStudy(store);
        expect(await store.tryCoordinate(studyId)).toBe(true);
        expect(await store.tryCoordinate(studyId)).toBe(true); // this process holds it already
        await store.releaseCoordination(studyId);
        expect(await store.tryCoordinate(studyId)).toBe(true);
        await store.releaseCoordination(studyId);
        await store.releaseCoordination(studyId + 1000); // never held: nothing to do
      });

      it('gives the service lock to this process, records its address, and releases it', async () => {
        expect(await store.serviceHolder()).toBeNull();
        await store.acquireServiceLock();
        expect(await store.serviceHolder()).toMatchObject({ pid: process.pid, host: hostname(), url: null });
        await store.setServiceUrl('http://127.0.0.1:4100');
        expect((await store.serviceHolder())?.url).toBe('http://127.0.0.1:4100');
        await store.acquireServiceLock(); // this process again: taken anew, without the old address
        expect(await store.serviceHolder()).toMatchObject({ pid: process.pid, url: null });
        await store.releaseServiceLock();
        expect(await store.serviceHolder()).toBeNull();
      });

      it("finds no trouble of its own in an error that is not the database's (trouble() is null), and describes it", async () => {
        expect(store.trouble(new Error('boom'))).toBeNull();
        expect(store.trouble(new ApiError('conflict', 'not the database'))).toBeNull();
        expect(store.trouble('a string')).toBeNull();
        expect(store.describeTrouble(new Error('boom'))).toContain('boom');
      });

      // 'storage' is for a database that cannot be written (disk full, read-only, I/O), and the
      // scheduler passes `error.cause` here: a write that breaks a constraint (a bug) must not
      // stop the queue as if the disk were full. (SQLite once called every non-busy error
      // 'storage'; this test found it.)
      it('finds no busy or storage trouble in a constraint violation (a bug), in the error nor in its cause', async () => {
        const error = await store.transaction(() => store.runs.insertForExperiment(999, 1, 0, 0, 5, at(0))).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('database');
        expect(store.describeTrouble((error as ApiError).cause)).toMatch(/foreign key/i);
        expect(await store.runs.count()).toBe(0);
        expect([store.trouble(error), store.trouble((error as ApiError).cause)]).toEqual([null, null]);
      });
    });
  });
});
