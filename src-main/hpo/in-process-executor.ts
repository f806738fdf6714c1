// Trains trials in this process, one at a time, with the data loaded once: for benchmarks
// and tests, where the queue's process isolation is not needed.

import type { DatasetConfig } from '../../src-shared/config/experiment.ts';
import type { ComputeBackend } from '../engine/compute/backend.ts';
import type { DataSplits } from '../engine/data/dataset.ts';
import { loadSplits } from '../engine/data/load.ts';
import { type RunCheckpoint, RunTrainer } from '../engine/train.ts';
import type { EpochValues, TrialExecutor, TrialOutcome, TrialSpec } from './executor.ts';

export class InProcessExecutor implements TrialExecutor {
  private readonly backend: ComputeBackend;
  private readonly splits = new Map<string, DataSplits>();

  constructor(backend: ComputeBackend) {
    this.backend = backend;
  }

  private data(config: DatasetConfig): DataSplits {
    const key = JSON.stringify(config);
    let splits = this.splits.get(key);
    if (splits === undefined) {
      splits = loadSplits(config);
      this.splits.set(key, splits);
    }
    return splits;
  }

  async run(spec: TrialSpec): Promise<TrialOutcome> {
    try {
      const resume = spec.checkpoint === null ? undefined : (JSON.parse(spec.checkpoint) as RunCheckpoint);
      const trainer = new RunTrainer(spec.config, this.data(spec.config.dataset), spec.seed, this.backend, resume);
      let last: EpochValues | null = null;
      while (!trainer.finished) {
        const m = trainer.runEpoch();
        last = { epoch: m.epoch, train_loss: m.train_loss, train_acc: m.train_acc, val_loss: m.val_loss, val_acc: m.val_acc };
        if (spec.onEpoch !== undefined && !spec.onEpoch(last)) {
          return { status: 'stopped', final: null, lastEpoch: last, checkpoint: null, error: null };
        }
      }
      const checkpoint = spec.keepCheckpoint ? { id: null, state: JSON.stringify(trainer.checkpoint()) } : null;
      const result = trainer.result();
      return { status: 'done', final: result.final, lastEpoch: last, checkpoint, error: null };
    } catch (error) {
      return { status: 'failed', final: null, lastEpoch: null, checkpoint: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
