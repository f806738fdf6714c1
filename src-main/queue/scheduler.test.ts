// The scheduler with a scripted JobHost, to drive races deterministically: job results that
// arrive after another process (the CLI) cancelled the run are not written, and a job that
// crashes after such a cancel does not turn the run into `failed`; a run its study stopped by
// design reads as such (not as cancelled by a person) and cannot be retried.
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../test/helpers/events.ts';
import { boot } from '../services/boot.ts';
import type { JobHandle, JobHost, JobListener } from './job-host.ts';
import type { StartJob } from './job-messages.ts';

class ScriptedHost implements JobHost {
  readonly jobs: { job: StartJob; listener: JobListener; killed: boolean }[] = [];

  start(job: StartJob, listener: JobListener): JobHandle {
    const entry = { job, listener, killed: false };
    this.jobs.push(entry);
    return {
      pid: 4242,
      kill: () => {
        if (entry.killed) return;
        entry.killed = true;
        setImmediate(() => listener.onExit({ code: null, signal: 'SIGKILL', stderr: '' }));
      },
    };
  }
}

const config = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 5 } };
const metrics = { train_loss: 1, train_acc: 0.5, val_loss: 1, val_acc: 0.5, elapsed_s: 0.1, model_evals: 10, grad_evals: 5 };
const final = { train_loss: 0.1, train_acc: 0.9, val_loss: 0.2, val_acc: 0.9, test_loss: 0.3, test_acc: 0.9 };

describe('scheduler writes', () => {
  it('drops job results for a run another process cancelled, and does not fail it when the job then dies', async () => {
    const host = new ScriptedHost();
    const services = await boot({ databasePath: ':memory:', host, defaultSlots: 1 });
    const log = new EventLog(services.service);
    await services.start();
    await services.service.createExperiment({ config, runs: 2 });
    await services.scheduler.fillNow(); // run 1 has been launched
    const [first] = host.jobs;
    expect(first.job.runId).toBe(1);
    first.listener.onMessage({ type: 'epoch', epoch: 1, metrics, checkpoint: '{"epoch":1}' });
    // The CLI cancels run 1 directly in the database (no scheduler involved).
    await services.store.transaction(() => services.store.runs.markCancelled(1, new Date().toISOString()));
    first.listener.onMessage({ type: 'epoch', epoch: 2, metrics, checkpoint: '{"epoch":2}' });
    first.listener.onMessage({ type: 'done', time: 1, final, modelEvals: 10, gradEvals: 5, epochsRun: 2, bestEpoch: 2, stoppedEarly: false });
    first.listener.onExit({ code: 1, signal: null, stderr: 'crashed after the cancel' });
    // Once the slot has gone to run 2, what the job sent has been committed (or dropped).
    await log.status(2, 'running');
    await services.scheduler.fillNow();
    const run = await services.store.runs.get(1);
    expect(run?.status).toBe('cancelled');
    expect(run?.final).toBeNull();
    expect(await services.store.checkpoints.latest(1)).toBeNull();
    // Even the epoch sent before the cancel was still in the write batch: dropped with the rest.
    expect((await services.store.metrics.series(1, ['val_loss'])).get('val_loss')?.epochs).toEqual([]);
    // The queue moved on to run 2.
    expect(host.jobs.map((j) => j.job.runId)).toEqual([1, 2]);
    await services.shutdown();
  });

  it('tells runs a study stopped by design from cancelled ones, and refuses to retry them', async () => {
    const host = new ScriptedHost();
    const services = await boot({ databasePath: ':memory:', host, defaultSlots: 1 });
    await services.start();
    await services.service.createExperiment({ config, runs: 2 });
    await services.scheduler.fillNow(); // run 1 has been launched
    const at = new Date().toISOString();
    // Run 1 belongs to a GPBT member that the study stopped early; run 2 a person cancels.
    await services.store.transaction(async () => {
      const studyId = await services.store.studies.create({
        name: 's',
        kind: 'gpbt',
        config: {},
        configHash: 'h',
        state: null,
        status: 'running',
        createdAt: at,
      });
      const trial = await services.store.studies.addTrial({ studyId, number: 0, generation: 0, member: 0, params: {}, samplerId: null, createdAt: at });
      await services.store.studies.updateTrial(trial.id, { runId: 1 });
    });
    await services.scheduler.cancel(1);
    await services.scheduler.cancel(2);
    // Until the study has told its verdict, the run reads as cancelled.
    expect((await services.store.runs.get(1))?.stoppedBy).toBeNull();
    await services.store.transaction(async () => {
      const trial = await services.store.studies.trialOfRun(1);
      await services.store.studies.updateTrial(trial?.id ?? -1, { status: 'stopped' });
    });
    expect(await services.store.runs.get(1)).toMatchObject({ status: 'cancelled', stoppedBy: 'stopped' });
    expect(await services.store.runs.get(2)).toMatchObject({ status: 'cancelled', stoppedBy: null });
    const state = await services.scheduler.state();
    expect([state.counts.cancelled, state.stoppedByStudy]).toEqual([2, 1]);
    expect(state.finished.find((r) => r.id === 1)?.stoppedBy).toBe('stopped');
    await expect(services.scheduler.retry(1)).rejects.toThrow('run 1 was stopped by its study by design; retrying it would train for nobody');
    expect((await services.scheduler.retry(2)).status).toBe('pending');
    await services.shutdown();
  });
});
