// The store on real SQLite files: schema and pragmas, refusal (unchanged file) of what is
// not an Evolab database of a known version, listing with filters/sorting/paging, queue
// order, metrics and checkpoints.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRequest } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { openStore, type Store } from './store.ts';

const irisAdam = parseExperimentConfig({
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 5 },
});

function tempPath(name = 'evolab.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'evolab-store-')), name);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function addExperiment(store: Store, name: string, runs: number, options: { tags?: string[]; priority?: number; createdAt?: string } = {}): Promise<number> {
  const createdAt = options.createdAt ?? new Date().toISOString();
  return store.transaction(async () => {
    const id = await store.experiments.insert({ name, dataset: 'iris', config: irisAdam, tags: options.tags ?? [], notes: '', createdAt });
    await store.runs.insertForExperiment(id, runs, 0, options.priority ?? 0, 5, createdAt);
    return id;
  });
}

async function refusal(path: string): Promise<ApiError> {
  try {
    await openStore(path).close();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the database was accepted');
}

describe('database file', () => {
  it('is created with the current schema, WAL, foreign keys and Evolab application id', async () => {
    const path = tempPath();
    await openStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual([
      'checkpoints',
      'experiment_stats',
      'experiment_tags',
      'experiments',
      'lineage_edges',
      'metrics',
      'runs',
      'service_lock',
      'settings',
      'studies',
      'trials',
      'workers',
    ]);
    db.close();
    const store = openStore(path); // reopening migrates nothing and keeps the data
    expect(await store.integrityCheck()).toBe('ok');
    await store.close();
  });

  it('migrates a version-1 database to the current schema, keeping its data', async () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec(MIGRATIONS[0].sql);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO experiments (name, dataset, optimizer, config, config_hash, created_at) VALUES ('old', 'iris', 'adam', '{}', 'h', 'then')").run();
    db.close();
    const store = openStore(path);
    expect((await store.experiments.list(parseRequest('listExperiments', {}))).items.map((e) => e.name)).toEqual(['old']);
    await store.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const columns = (reopened.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('keep_checkpoint');
    reopened.close();
  });

  it('enforces foreign keys', async () => {
    const store = openStore(':memory:');
    await expect(store.transaction(() => store.metrics.insertEpoch(999, 1, { val_loss: 1 }))).rejects.toThrow(/FOREIGN KEY/);
    await store.close();
  });

  it('refuses a file that is not SQLite and leaves it unchanged', async () => {
    const path = tempPath('notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(100));
    const before = sha256(path);
    const error = await refusal(path);
    expect(error.code).toBe('database');
    expect(error.message).toMatch(/is not an SQLite database; the file was not modified/);
    expect(sha256(path)).toBe(before);
  });

  it('refuses a database from a newer Evolab and leaves it unchanged', async () => {
    const path = tempPath();
    const store = openStore(path);
    await addExperiment(store, 'kept', 2);
    await store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = sha256(path);
    const error = await refusal(path);
    expect(error.code).toBe('database');
    expect(error.message).toContain(`newer Evolab (schema ${SCHEMA_VERSION + 1}`);
    expect(sha256(path)).toBe(before);
  });

  it("refuses another application's SQLite database and leaves it unchanged", async () => {
    const path = tempPath('other.sqlite');
    const db = new Database(path);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
    db.close();
    const before = sha256(path);
    expect((await refusal(path)).message).toMatch(/another application/);
    expect(sha256(path)).toBe(before);
  });
});

describe('experiments', () => {
  const store = openStore(':memory:');
  let a = 0;
  let b = 0;
  let c = 0;
  // a: one done run (0.9), one done (0.7), one pending -> pending; b: all done -> done (0.8); c: failed.
  const runsOf = async (id: number) => (await store.runs.list(parseRequest('listRuns', { experimentId: id }))).items;
  const outcome = (acc: number) => ({
    time: 1,
    final: { train_loss: 0.1, train_acc: acc, val_loss: 0.2, val_acc: acc, test_loss: 0.3, test_acc: acc },
    modelEvals: 10,
    gradEvals: 5,
    epochsRun: 5,
    bestEpoch: 5,
    stoppedEarly: false,
  });
  beforeAll(async () => {
    a = await addExperiment(store, 'Alpha adam', 3, { tags: ['baseline', 'iris'], createdAt: '2026-01-01T00:00:00.000Z' });
    b = await addExperiment(store, 'beta', 2, { tags: ['iris'], createdAt: '2026-02-01T00:00:00.000Z' });
    c = await addExperiment(store, 'Gamma 100%_done', 1, { createdAt: '2026-03-01T00:00:00.000Z' });
    await store.transaction(async () => {
      const [a0, a1] = await runsOf(a);
      await store.runs.markDone(a0.id, outcome(0.9), 'now');
      await store.runs.markDone(a1.id, outcome(0.7), 'now');
      for (const run of await runsOf(b)) await store.runs.markDone(run.id, outcome(0.8), 'now');
      await store.runs.markFailed((await runsOf(c))[0].id, 'boom', 'now');
    });
  });
  const list = (query: object) => store.experiments.list(parseRequest('listExperiments', query));
  const names = async (query: object) => (await list(query)).items.map((e) => e.name);

  it('derives status, counts and accuracy summaries from the runs', async () => {
    const [alpha] = (await list({ search: 'alpha' })).items;
    expect(alpha).toMatchObject({ status: 'pending', runsTotal: 3, runsDone: 2, bestTestAcc: 0.9, tags: ['baseline', 'iris'] });
    expect(alpha.meanTestAcc).toBeCloseTo(0.8, 12);
    expect((await list({ search: 'beta' })).items[0].status).toBe('done');
    expect((await list({ search: 'gamma' })).items[0]).toMatchObject({ status: 'failed', runsFailed: 1 });
  });

  it('filters by search (name, tag; LIKE wildcards taken literally), tags, status, dates', async () => {
    expect(await names({ search: 'BASELINE' })).toEqual(['Alpha adam']);
    expect(await names({ search: '100%_' })).toEqual(['Gamma 100%_done']);
    expect(await names({ search: '%' })).toEqual(['Gamma 100%_done']);
    expect(await names({ tags: ['iris'], sort: { by: 'name', direction: 'asc' } })).toEqual(['Alpha adam', 'beta']);
    expect(await names({ status: ['done', 'failed'], sort: { by: 'name', direction: 'asc' } })).toEqual(['beta', 'Gamma 100%_done']);
    expect(await names({ createdFrom: '2026-01-15T00:00:00+01:00', createdTo: '2026-02-15T00:00:00Z' })).toEqual(['beta']);
  });

  it('sorts by name, date and a final metric (runs without one last), and pages with a total', async () => {
    expect(await names({ sort: { by: 'name', direction: 'asc' } })).toEqual(['Alpha adam', 'beta', 'Gamma 100%_done']);
    expect(await names({ sort: { by: 'created', direction: 'desc' } })).toEqual(['Gamma 100%_done', 'beta', 'Alpha adam']);
    expect(await names({ sort: { by: 'metric', metric: 'test_acc', direction: 'desc' } })).toEqual(['beta', 'Alpha adam', 'Gamma 100%_done']);
    expect(await names({ sort: { by: 'metric', metric: 'test_acc', direction: 'asc' } })).toEqual(['Alpha adam', 'beta', 'Gamma 100%_done']);
    const page = await list({ sort: { by: 'id', direction: 'asc' }, limit: 2, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((e) => e.id)).toEqual([b, c]);
    expect(await list({ search: 'nothing like this' })).toEqual({ total: 0, items: [] });
  });

  it('hashes configs independently of key order and free text', async () => {
    const reordered = parseExperimentConfig({
      training: { max_epochs: 5, batch_size: 16 },
      optimizer: { lr: 0.01, type: 'adam' },
      dataset: { name: 'iris' },
      description: 'same settings',
    });
    const id = await store.transaction(() =>
      store.experiments.insert({ name: 'same', dataset: 'iris', config: reordered, tags: [], notes: '', createdAt: 'now' }),
    );
    expect((await store.experiments.get(id))?.configHash).toBe((await store.experiments.get(a))?.configHash);
  });
});

describe('queue order', () => {
  it('starts by priority, then first in first out; move reorders', async () => {
    const store = openStore(':memory:');
    await addExperiment(store, 'first', 2);
    await addExperiment(store, 'urgent', 1, { priority: 5 });
    await addExperiment(store, 'last', 1);
    const order = async () => (await store.runs.waiting(100)).map((r) => `${r.experimentName}#${r.index}`);
    expect(await order()).toEqual(['urgent#0', 'first#0', 'first#1', 'last#0']);
    const runId = async (label: string) => (await store.runs.waiting(100)).find((r) => `${r.experimentName}#${r.index}` === label)?.id ?? 0;
    const last0 = await runId('last#0');
    await store.transaction(() => store.runs.move(last0, 'top'));
    expect(await order()).toEqual(['urgent#0', 'last#0', 'first#0', 'first#1']);
    const first0 = await runId('first#0');
    const urgent0 = await runId('urgent#0');
    await store.transaction(() => store.runs.move(first0, { before: urgent0 }));
    expect(await order()).toEqual(['first#0', 'urgent#0', 'last#0', 'first#1']);
    await store.transaction(() => store.runs.move(first0, 'bottom'));
    // It took urgent's priority when moved before it, and goes last among that priority.
    expect(await order()).toEqual(['urgent#0', 'first#0', 'last#0', 'first#1']);
    await store.close();
  });
});

describe('metrics and checkpoints', () => {
  it('stores per-epoch series (NaN as null, re-sent epochs replaced) and keeps the latest checkpoint only', async () => {
    const store = openStore(':memory:');
    await addExperiment(store, 'x', 1);
    const [run] = await store.runs.waiting(1);
    await store.transaction(async () => {
      await store.metrics.insertEpoch(run.id, 2, { val_loss: 0.5, val_acc: Number.NaN });
      await store.metrics.insertEpoch(run.id, 1, { val_loss: 0.9, val_acc: 0.1 });
      await store.metrics.insertEpoch(run.id, 2, { val_loss: 0.4, val_acc: 0.6 });
      await store.checkpoints.save(run.id, 1, '{"epoch":1}', 'now');
      await store.checkpoints.save(run.id, 2, '{"epoch":2}', 'now');
    });
    const series = await store.metrics.series(run.id, ['val_loss', 'val_acc']);
    expect(series.get('val_loss')).toEqual({ epochs: [1, 2], values: [0.9, 0.4] });
    await store.transaction(() => store.metrics.insertEpoch(run.id, 3, { val_acc: Number.NaN }));
    expect((await store.metrics.series(run.id, ['val_acc'])).get('val_acc')).toEqual({ epochs: [1, 2, 3], values: [0.1, 0.6, null] });
    expect(await store.checkpoints.count()).toBe(1);
    expect(await store.checkpoints.latest(run.id)).toMatchObject({ epoch: 2, state: '{"epoch":2}' });
    await store.close();
  });
});

describe('archive and soft delete (migration 5)', () => {
  it('migrates a version-4 database: its experiments are neither archived nor deleted', async () => {
    const path = tempPath();
    const db = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) db.exec(migration.sql);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 4');
    db.prepare("INSERT INTO experiments (name, dataset, optimizer, config, config_hash, created_at) VALUES ('old', 'iris', 'adam', '{}', 'h', 'then')").run();
    db.close();
    const store = openStore(path);
    expect((await store.experiments.list(parseRequest('listExperiments', {}))).items.map((e) => [e.name, e.archivedAt])).toEqual([['old', null]]);
    expect(await store.experiments.count()).toBe(1);
    await store.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const columns = (reopened.prepare('PRAGMA table_info(experiments)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['archived_at', 'deleted_at']));
    reopened.close();
  });

  it('archives out of the default list and back; lists archived only or all', async () => {
    const store = openStore(':memory:');
    const a = await addExperiment(store, 'a', 1);
    const b = await addExperiment(store, 'b', 1);
    const names = async (archived?: string) =>
      (await store.experiments.list(parseRequest('listExperiments', { sort: { by: 'name', direction: 'asc' }, ...(archived ? { archived } : {}) }))).items.map(
        (e) => e.name,
      );
    await store.transaction(() => store.experiments.setArchived([a], '2026-05-01T00:00:00.000Z'));
    expect(await names()).toEqual(['b']);
    expect(await names('only')).toEqual(['a']);
    expect(await names('include')).toEqual(['a', 'b']);
    expect((await store.experiments.get(a))?.archivedAt).toBe('2026-05-01T00:00:00.000Z');
    await store.transaction(() => store.experiments.setArchived([a], null));
    expect(await names()).toEqual(['a', 'b']);
    expect((await store.experiments.get(b))?.archivedAt).toBeNull();
    await store.close();
  });

  it('hides deleted experiments everywhere, holds their waiting runs, restores exactly and purges with their runs', async () => {
    const store = openStore(':memory:');
    const keep = await addExperiment(store, 'keep', 1);
    const gone = await addExperiment(store, 'gone', 2);
    const waitingNames = async () => (await store.runs.waiting(100)).map((r) => r.experimentName);
    expect(await waitingNames()).toEqual(['keep', 'gone', 'gone']);
    await store.transaction(() => store.experiments.markDeleted([gone], '2026-05-01T00:00:10.000Z'));
    expect(await store.experiments.get(gone)).toBeNull();
    expect((await store.experiments.list(parseRequest('listExperiments', { archived: 'include' }))).items.map((e) => e.id)).toEqual([keep]);
    expect(await store.experiments.count()).toBe(1);
    expect(await waitingNames()).toEqual(['keep']); // held: the scheduler does not start them
    // The undo window: deleted at 00:00:10, so restorable "since 00:00:05" but not "since 00:00:11".
    expect(await store.experiments.deletedSince([gone, keep], '2026-05-01T00:00:05.000Z')).toEqual([gone]);
    expect(await store.experiments.deletedSince([gone], '2026-05-01T00:00:11.000Z')).toEqual([]);
    await store.transaction(() => store.experiments.restoreDeleted([gone]));
    expect(await store.experiments.get(gone)).toMatchObject({ name: 'gone', runsTotal: 2, status: 'pending' });
    expect(await waitingNames()).toEqual(['keep', 'gone', 'gone']);
    await store.transaction(() => store.experiments.markDeleted([gone], '2026-05-01T00:00:10.000Z'));
    expect(await store.experiments.deletedBefore('2026-05-01T00:00:10.000Z')).toEqual([]);
    expect(await store.experiments.deletedBefore('2026-05-01T00:00:11.000Z')).toEqual([gone]);
    await store.transaction(() => store.experiments.purge([gone, keep])); // only deleted ones are purged
    expect(await store.experiments.deletedBefore('2027-01-01T00:00:00.000Z')).toEqual([]);
    expect((await store.runs.list(parseRequest('listRuns', {}))).items.map((r) => r.experimentId)).toEqual([keep]);
    expect((await store.experiments.get(keep))?.name).toBe('keep');
    await store.close();
  });

  it('lists configs and final-metric means with withDetails', async () => {
    const store = openStore(':memory:');
    await addExperiment(store, 'a', 1);
    const [plain] = (await store.experiments.list(parseRequest('listExperiments', {}))).items;
    expect(plain.config).toBeUndefined();
    const [detailed] = (await store.experiments.list(parseRequest('listExperiments', { withDetails: true }))).items;
    expect(detailed.config).toMatchObject({ optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16 } });
    expect(detailed.means).toMatchObject({ test_acc: null, val_loss: null });
    await store.close();
  });
});
