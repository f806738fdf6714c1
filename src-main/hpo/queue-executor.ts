// Trains trials through the queue: each trial becomes an experiment with one run (tagged
// with its study), optionally starting from a parent's checkpoint and keeping its own final
// one; the scheduler runs it in a job process in a free slot, and the executor follows its
// events. Stopping a trial (pruning, early stop) cancels its run.

import type { AppEvent, RunSummary } from '../../src-shared/api.ts';
import { datasetLabel } from '../../src-shared/config/experiment.ts';
import type { AppService } from '../services/app-service.ts';
import type { Scheduler } from '../queue/scheduler.ts';
import type { Store } from '../store/store.ts';
import { checkpointEpoch, type EpochValues, type TrialExecutor, type TrialOutcome, type TrialSpec } from './executor.ts';

export class QueueExecutor implements TrialExecutor {
  private readonly store: Store;
  private readonly scheduler: Scheduler;
  private readonly service: AppService;

  constructor(store: Store, scheduler: Scheduler, service: AppService) {
    this.store = store;
    this.scheduler = scheduler;
    this.service = service;
  }

  async run(spec: TrialSpec): Promise<TrialOutcome> {
    const now = new Date().toISOString();
    const { runId } = this.store.transaction(() => {
      const id = this.store.experiments.insert({
        name: spec.label,
        dataset: datasetLabel(spec.config),
        config: spec.config,
        tags: spec.tags,
        notes: '',
        createdAt: now,
      });
      const run = this.store.runs.insertOne(id, spec.seed, 0, spec.config.training.max_epochs, spec.keepCheckpoint, now);
      if (spec.checkpoint !== null) this.store.checkpoints.save(run, checkpointEpoch(spec.checkpoint), spec.checkpoint, now);
      // In the same transaction, so a crash never leaves a queued run its trial does not know.
      spec.onQueued?.({ experimentId: id, runId: run });
      return { experimentId: id, runId: run };
    });
    const outcome = this.follow(runId, spec);
    this.scheduler.tick();
    return outcome;
  }

  attach(runId: number, spec: TrialSpec): Promise<TrialOutcome> {
    return this.follow(runId, spec);
  }

  /** Resolves when the run ends; calls spec.onEpoch on its progress. */
  private follow(runId: number, spec: TrialSpec): Promise<TrialOutcome> {
    return new Promise((resolve) => {
      let last: EpochValues | null = null;
      let stopped = false;
      const finish = (outcome: TrialOutcome): void => {
        unsubscribe();
        resolve(outcome);
      };
      const settle = (run: RunSummary): boolean => {
        // A trial told to stop is stopped, whether or not its run still got to finish (with
        // T_g = 1 the first epoch is the last): the same outcome as the in-process executor.
        if (stopped && (run.status === 'done' || run.status === 'cancelled' || run.status === 'failed')) {
          finish({ status: 'stopped', final: null, lastEpoch: last, checkpoint: null, error: null });
          return true;
        }
        if (run.status === 'done' && run.final !== null) {
          const f = run.final;
          const kept = run.keepCheckpoint ? this.store.checkpoints.latest(runId) : null;
          finish({
            status: 'done',
            final: {
              train_loss: f.train_loss ?? Number.NaN,
              train_acc: f.train_acc ?? Number.NaN,
              val_loss: f.val_loss ?? Number.NaN,
              val_acc: f.val_acc ?? Number.NaN,
              test_loss: f.test_loss ?? Number.NaN,
              test_acc: f.test_acc ?? Number.NaN,
            },
            lastEpoch: last,
            checkpoint: kept === null ? null : { id: kept.id, state: kept.state },
            error: null,
          });
          return true;
        }
        if (run.status === 'failed' || run.status === 'cancelled') {
          finish(
            stopped
              ? { status: 'stopped', final: null, lastEpoch: last, checkpoint: null, error: null }
              : { status: 'failed', final: null, lastEpoch: last, checkpoint: null, error: run.error ?? run.status },
          );
          return true;
        }
        return false;
      };
      const unsubscribe = this.service.subscribe((event: AppEvent) => {
        if (event.type === 'run-status' && event.run.id === runId) settle(event.run);
        if (event.type === 'run-progress' && event.progress.runId === runId && !stopped) {
          const m = event.progress.metrics;
          last = {
            epoch: event.progress.epoch,
            train_loss: m.train_loss ?? Number.NaN,
            train_acc: m.train_acc ?? Number.NaN,
            val_loss: m.val_loss ?? Number.NaN,
            val_acc: m.val_acc ?? Number.NaN,
          };
          if (spec.onEpoch !== undefined && !spec.onEpoch(last)) {
            stopped = true;
            this.scheduler.cancel(runId).catch(() => {
              // Already finished: settle() reports it as stopped.
            });
          }
        }
      });
      // It may already have ended (re-attaching after a crash).
      const current = this.store.runs.get(runId);
      if (current !== null) settle(current);
      else finish({ status: 'failed', final: null, lastEpoch: null, checkpoint: null, error: `run ${runId} no longer exists` });
    });
  }
}
