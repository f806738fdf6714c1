// The queue with real job processes (child_process.fork): two slots run two jobs at once,
// cancel kills a job and frees its slot for the next run, jobs that throw or run out of
// memory leave their run `failed` with the reason while the queue goes on, and a job killed
// from outside resumes from its checkpoint. Synchronisation is by the service's events,
// never by sleeping.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../test/helpers/events.ts';
import { boot, type Services } from '../services/boot.ts';
import { ForkJobHost } from './fork-job-host.ts';

const endlessIris = {
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 1_000_000 },
  compute: { backend: 'js', threads: 1 },
};
const quickIris = { ...endlessIris, training: { batch_size: 16, max_epochs: 3 } };

let open: Services[] = [];
async function start(slots: number, host = new ForkJobHost()): Promise<{ services: Services; log: EventLog }> {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-queue-'));
  const services = await boot({ databasePath: join(dir, 'evolab.db'), defaultSlots: slots, host });
  open.push(services);
  const log = new EventLog(services.service);
  await services.start();
  return { services, log };
}

afterEach(async () => {
  for (const services of open) await services.shutdown();
  open = [];
});

// The desktop app runs jobs from the bundle electron-vite builds (out/main/job-entry.js, see
// electron.vite.config.ts); the same bundle must run a job to the end (here over Node's IPC).
const builtJobEntry = join(import.meta.dirname, '../../out/main/job-entry.js');
describe.skipIf(!existsSync(builtJobEntry))('the built job-entry bundle', () => {
  it('trains a run to done', async () => {
    const { services, log } = await start(1, new ForkJobHost({ entry: builtJobEntry }));
    await services.service.createExperiment({ config: { ...endlessIris, training: { ...endlessIris.training, max_epochs: 5 } }, runs: 1 });
    await log.status(1, 'done');
    const run = await services.store.runs.get(1);
    expect([run?.status, run?.epoch, run?.final?.test_acc !== null]).toEqual(['done', 5, true]);
  });
});

describe('queue with job processes', () => {
  it('runs two jobs at once with two slots; cancel kills a job and its slot starts the next run', async () => {
    const { services, log } = await start(2);
    const { service } = services;
    await service.createExperiment({ config: endlessIris, runs: 3 });
    await Promise.all([log.progress(1, 1), log.progress(2, 1)]);
    const state = await service.getQueue({});
    expect(state.running.map((r) => r.id)).toEqual([1, 2]);
    expect(state.waiting.map((r) => r.id)).toEqual([3]);
    const pid = services.scheduler.jobPid(1);
    expect(pid).toBeGreaterThan(0);

    const cancelledAt = performance.now();
    const cancelled = await service.cancelRun({ runId: 1 });
    expect(cancelled.status).toBe('cancelled');
    await log.status(3, 'running');
    // A figure for the closing note, not an assertion on time.
    console.log(`cancel -> next run started: ${(performance.now() - cancelledAt).toFixed(0)} ms`);
    expect(() => process.kill(pid ?? 0, 0)).toThrow(); // the job process is gone
    expect(await services.store.checkpoints.latest(1)).toBeNull();
    const after = await service.getQueue({});
    expect(after.running.map((r) => r.id)).toEqual([2, 3]);
    expect(after.counts).toMatchObject({ cancelled: 1, running: 2, pending: 0 });
    // A cancelled run cannot be cancelled again; it can be retried.
    await expect(service.cancelRun({ runId: 1 })).rejects.toMatchObject({ code: 'conflict', field: 'runId' });
    await service.cancelRun({ runId: 2 });
    await service.cancelRun({ runId: 3 });
  });

  it('marks a run failed with the reason when its job throws, and keeps going', async () => {
    const { services, log } = await start(1);
    const { service } = services;
    // The file exists when the experiment is queued (the service checks that) but holds a bad cell.
    const csv = join(mkdtempSync(join(tmpdir(), 'evolab-bad-cell-')), 'points.csv');
    writeFileSync(csv, 'a,b,y\n1,2,x\n3,oops,y\n');
    await service.createExperiment({ config: { ...quickIris, dataset: { name: 'csv', path: csv, label: 'y' } }, runs: 1 });
    await service.createExperiment({ config: quickIris, runs: 1 });

    const thrown = await log.status(1, 'failed');
    expect(thrown.type === 'run-status' && thrown.run.error).toContain(`${csv}:3, column "b"`);
    const done = await log.status(2, 'done');
    expect(done.type === 'run-status' && done.run.final?.test_acc).toBeGreaterThan(0.5);
    expect(await services.store.integrityCheck()).toBe('ok');
  });

  it('resumes a run whose job was killed from outside from its last checkpoint, attempts counted', async () => {
    const { services, log } = await start(1);
    const { service } = services;
    const epochs = 300; // far more than the 20 it has done when it is killed
    await service.createExperiment({ config: { ...endlessIris, training: { batch_size: 16, max_epochs: epochs } }, runs: 1 });
    await log.progress(1, 20);
    const pid = services.scheduler.jobPid(1);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid as number, 'SIGKILL');
    const ended = await log.next((e) => e.type === 'run-status' && e.run.id === 1 && (e.run.status === 'interrupted' || e.run.status === 'done'));
    expect(ended.type === 'run-status' && ended.run.status).toBe('interrupted');
    const interrupted = ended;
    expect(interrupted.type === 'run-status' && interrupted.run.error).toMatch(/killed by signal SIGKILL; resuming from its last checkpoint/);
    const resumed = await log.next((e) => e.type === 'run-status' && e.run.id === 1 && e.run.status === 'running' && e.run.attempts === 2);
    // It continues where it was, not from epoch 0.
    expect(resumed.type === 'run-status' && resumed.run.epoch).toBeGreaterThanOrEqual(20);
    const done = await log.status(1, 'done');
    expect(done.type === 'run-status' && [done.run.attempts, done.run.epochsRun, done.run.error]).toEqual([2, epochs, null]);
    expect(await services.store.metrics.epochRange(1)).toEqual({ first: 1, last: epochs, count: epochs });
    // The stored epochs equal an uninterrupted run's: same seed, same numbers.
    const straight = await start(1);
    await straight.services.service.createExperiment({ config: { ...endlessIris, training: { batch_size: 16, max_epochs: epochs } }, runs: 1 });
    await straight.log.status(1, 'done');
    const a = (await services.store.metrics.series(1, ['val_loss'])).get('val_loss');
    const b = (await straight.services.store.metrics.series(1, ['val_loss'])).get('val_loss');
    expect(a).toEqual(b);
    expect((await services.store.runs.get(1))?.final?.test_loss).toBe((await straight.services.store.runs.get(1))?.final?.test_loss);
  });

  it('reports a job that runs out of memory', async () => {
    const { services, log } = await start(1, new ForkJobHost({ execArgv: ['--max-old-space-size=16'] }));
    // 1.1 M parameters: the checkpoint alone needs more than the 16 MB heap.
    await services.service.createExperiment({ config: { ...quickIris, model: { hidden: [16_384, 64] } }, runs: 1 });
    const failed = await log.status(1, 'failed');
    const reason = failed.type === 'run-status' ? failed.run.error : '';
    console.log(`out-of-memory reason: ${reason}`);
    expect(reason).toMatch(/ran out of memory .*heap/i);
  });

  it('retries a failed run from scratch once its cause is fixed', async () => {
    const { services, log } = await start(1);
    const { service } = services;
    const csv = join(mkdtempSync(join(tmpdir(), 'evolab-retry-')), 'points.csv');
    writeFileSync(csv, 'a,b,y\n1,?,x\n');
    await service.createExperiment({ config: { ...quickIris, dataset: { name: 'csv', path: csv, label: 'y' } }, runs: 1 });
    await log.status(1, 'failed');
    await expect(service.retryRun({ runId: 99 })).rejects.toMatchObject({ code: 'not_found' });
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 === 0 ? i : -i},${(i * 7) % 5},${i % 2 === 0 ? 'even' : 'odd'}`);
    writeFileSync(csv, `a,b,y\n${rows.join('\n')}\n`);
    const retried = await service.retryRun({ runId: 1 });
    expect(retried).toMatchObject({ status: 'pending', error: null, epoch: 0 });
    const done = await log.status(1, 'done');
    expect(done.type === 'run-status' && done.run.attempts).toBe(2);
    await expect(service.retryRun({ runId: 1 })).rejects.toMatchObject({ code: 'conflict' });
  });
});
