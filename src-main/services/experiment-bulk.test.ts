// Bulk actions of the experiments list through the AppApi: cancel, archive (and back), delete
// with its undo window (restore exactly; purge after the window, also by the next process when
// the deleting one was closed inside it), and each failure answered with the field at fault.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiError, toApiError } from '../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { DELETE_UNDO_MS } from './app-service.ts';
import { boot, type Services } from './boot.ts';

const config = parseExperimentConfig({ dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 3 } });

function addExperiment(services: Services, name: string, runs: number): Promise<number> {
  const { store } = services;
  const now = new Date().toISOString();
  return store.transaction(async () => {
    const id = await store.experiments.insert({ name, dataset: 'iris', config, tags: ['t'], notes: 'n', createdAt: now });
    await store.runs.insertForExperiment(id, runs, 0, 0, 3, now);
    return id;
  });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return toApiError(error);
  }
  throw new Error('expected an ApiError');
}

describe('bulk experiment actions', () => {
  let services: Services;
  const listed = async (archived: 'exclude' | 'only' | 'include' = 'exclude') =>
    (await services.service.listExperiments({ archived, sort: { by: 'id', direction: 'asc' } })).items.map((e) => e.id);

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00.000Z'));
    services = await boot({ databasePath: ':memory:' });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await services.shutdown();
  });

  it('archives out of the default list and back, runs untouched', async () => {
    const a = await addExperiment(services, 'a', 2);
    const b = await addExperiment(services, 'b', 1);
    expect(await services.service.archiveExperiments({ ids: [a, a], archived: true })).toEqual({ ids: [a] });
    expect(await listed()).toEqual([b]);
    expect(await listed('only')).toEqual([a]);
    expect((await services.service.getExperiment({ id: a })).archivedAt).toBe('2026-06-01T12:00:00.000Z');
    expect((await services.service.getExperiment({ id: a })).status).toBe('pending');
    await services.service.archiveExperiments({ ids: [a], archived: false });
    expect(await listed()).toEqual([a, b]);
  });

  it('cancels the waiting runs of experiments and keeps them listed', async () => {
    const a = await addExperiment(services, 'a', 3);
    const b = await addExperiment(services, 'b', 2);
    expect(await services.service.cancelExperiments({ ids: [a, b] })).toEqual({ ids: [a, b], runsCancelled: 5 });
    expect((await services.service.getExperiment({ id: a })).status).toBe('cancelled');
    expect(await services.service.cancelExperiments({ ids: [a] })).toEqual({ ids: [a], runsCancelled: 0 });
    expect(await listed()).toEqual([a, b]);
  });

  it('deletes with an undo window: restore brings back exactly what was there, runs waiting again', async () => {
    const a = await addExperiment(services, 'a', 2);
    const b = await addExperiment(services, 'b', 1);
    const before = await services.service.getExperiment({ id: a });
    const answer = await services.service.deleteExperiments({ ids: [a] });
    expect(answer).toEqual({ ids: [a], undoUntil: new Date(Date.parse('2026-06-01T12:00:00.000Z') + DELETE_UNDO_MS).toISOString() });
    expect(await listed('include')).toEqual([b]);
    expect((await failure(services.service.getExperiment({ id: a }))).code).toBe('not_found');
    expect((await services.service.getQueue({})).waiting.map((r) => r.experimentId)).toEqual([b]);
    vi.setSystemTime(new Date('2026-06-01T12:00:10.000Z'));
    expect(await services.service.restoreExperiments({ ids: [a] })).toEqual({ ids: [a] });
    expect(await services.service.getExperiment({ id: a })).toEqual(before);
    expect((await services.service.getQueue({})).waiting.map((r) => r.experimentId)).toEqual([a, a, b]);
  });

  it('purges after the window: restore is refused, runs and metrics are gone', async () => {
    const a = await addExperiment(services, 'a', 2);
    await services.service.deleteExperiments({ ids: [a] });
    vi.setSystemTime(Date.parse('2026-06-01T12:00:00.000Z') + DELETE_UNDO_MS + 1);
    const refused = await failure(services.service.restoreExperiments({ ids: [a] }));
    expect(refused).toMatchObject({ code: 'not_found', field: 'ids[0]', message: `experiment ${a} is not deleted, or its undo window has passed` });
    expect(await services.service.purgeDeleted()).toEqual([a]);
    expect((await services.store.runs.list({ experimentId: a, limit: 10, offset: 0 })).total).toBe(0);
    expect(await services.service.purgeDeleted()).toEqual([]);
  });

  it('answers bad requests with the field at fault', async () => {
    const a = await addExperiment(services, 'a', 1);
    expect(await failure(services.service.deleteExperiments({ ids: [] }))).toMatchObject({
      code: 'invalid_input',
      field: 'ids',
      message: 'ids: choose at least one experiment',
    });
    expect(await failure(services.service.archiveExperiments({ ids: [a, 999], archived: true }))).toMatchObject({
      code: 'not_found',
      field: 'ids[1]',
      message: 'experiment 999 does not exist',
    });
    expect(await listed()).toEqual([a]); // nothing archived when one id is unknown
    expect(await failure(services.service.archiveExperiments({ ids: [a] } as never))).toMatchObject({ code: 'invalid_input', field: 'archived' });
    expect(await failure(services.service.cancelExperiments({ ids: [0] }))).toMatchObject({ code: 'invalid_input', field: 'ids[0]' });
    expect(await failure(services.service.restoreExperiments({ ids: [a] }))).toMatchObject({ code: 'not_found', field: 'ids[0]' });
    // A running experiment is cancelled first.
    const [run] = (await services.store.runs.list({ experimentId: a, limit: 1, offset: 0 })).items;
    await services.store.transaction(() => services.store.runs.markRunning(run.id, new Date().toISOString()));
    expect(await failure(services.service.deleteExperiments({ ids: [a] }))).toMatchObject({
      code: 'conflict',
      field: 'ids[0]',
      message: `experiment ${a} has 1 running run(s); cancel them first`,
    });
  });
});

describe('a deletion whose window passes while the app is closed', () => {
  it('stays deleted on the next start and is purged by the first listing there', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-06-01T12:00:00.000Z'));
      const databasePath = join(mkdtempSync(join(tmpdir(), 'evolab-bulk-')), 'evolab.db');
      const first = await boot({ databasePath });
      const a = await addExperiment(first, 'a', 1);
      const b = await addExperiment(first, 'b', 1);
      await first.service.deleteExperiments({ ids: [a] });
      await first.shutdown(); // closed inside the window
      const second = await boot({ databasePath });
      expect((await second.service.listExperiments({ archived: 'include' })).items.map((e) => e.id)).toEqual([b]);
      await second.shutdown();
      vi.setSystemTime(Date.parse('2026-06-01T12:00:00.000Z') + DELETE_UNDO_MS + 1);
      const third = await boot({ databasePath });
      expect((await third.service.listExperiments({})).items.map((e) => e.id)).toEqual([b]);
      expect(await third.store.experiments.deletedBefore('2100-01-01T00:00:00.000Z')).toEqual([]);
      await third.shutdown();
    } finally {
      vi.useRealTimers();
    }
  });
});
