// Runs a study to its end in this process: every trial the method plans is trained by the
// engine (RunTrainer) one at a time, in plan order, with the method's verdict after every
// epoch, and its result told back. No queue, no database: for benchmarks and tests. Because
// a method's trials do not depend on timing, this gives the same trials as the study service
// running them through the queue.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { recordToWire } from '../../src-shared/metric-codec.ts';
import type { ComputeBackend } from '../engine/compute/backend.ts';
import { loadSplits } from '../engine/data/load.ts';
import type { DataSplits } from '../engine/data/dataset.ts';
import { type RunCheckpoint, RunTrainer } from '../engine/train.ts';
import { perEpochMetric, type TrialPlan, type TrialResult } from './method.ts';
import { type AnyMethod, createMethod } from './methods.ts';
import { childCheckpoint, trialConfig } from './trial-config.ts';
import { type EpochSeries, trialResult } from './trial-result.ts';

export interface InProcessTrial {
  readonly plan: TrialPlan;
  readonly config: ExperimentConfig;
  readonly result: TrialResult & { readonly testValue: number | null };
}

export interface InProcessStudy {
  readonly method: AnyMethod;
  /** Every trial in the order it was trained. */
  readonly trials: readonly InProcessTrial[];
  readonly best: number | null;
}

export async function runStudyInProcess(study: StudyConfig, backend: ComputeBackend, onTrial?: (trial: InProcessTrial) => void): Promise<InProcessStudy> {
  const method = createMethod(study);
  const data = new Map<string, DataSplits>();
  const splitsFor = (config: ExperimentConfig): DataSplits => {
    const key = JSON.stringify(config.dataset);
    let splits = data.get(key);
    if (splits === undefined) {
      splits = loadSplits(config.dataset);
      data.set(key, splits);
    }
    return splits;
  };
  const checkpoints = new Map<number, string>();
  const trials: InProcessTrial[] = [];
  const queue: TrialPlan[] = [];
  for (;;) {
    queue.push(...method.ask());
    const plan = queue.shift();
    if (plan === undefined) break;
    const source = plan.source === null ? undefined : checkpoints.get(plan.source.trial);
    const start = source === undefined ? undefined : (JSON.parse(childCheckpoint(source, plan.seed)) as RunCheckpoint);
    const config = trialConfig(study, plan, start?.epoch ?? 0);
    const trainer = new RunTrainer(config, splitsFor(config), plan.seed, backend, start);
    const epochs = new Map<number, Record<string, number | null>>();
    const curve: [number, number | null][] = [];
    let verdict: 'prune' | 'stop' | null = null;
    let verdictEpoch: number | null = null;
    while (!trainer.finished) {
      const m = trainer.runEpoch();
      const values = recordToWire({ train_loss: m.train_loss, train_acc: m.train_acc, val_loss: m.val_loss, val_acc: m.val_acc });
      epochs.set(m.epoch, values);
      curve.push([m.epoch, values[perEpochMetric(study.objective.metric)]]);
      const v = method.judge(plan.number, curve);
      if (v !== 'continue') {
        verdict = v;
        verdictEpoch = m.epoch;
        break;
      }
    }
    let final = null;
    if (verdict === null) {
      // As a job does: the checkpoint after the last epoch, then the final metrics.
      if (plan.keepCheckpoint) checkpoints.set(plan.number, JSON.stringify(trainer.checkpoint()));
      final = recordToWire(trainer.result().final);
    }
    const result = trialResult(study, plan.number, {
      ended: verdict === null ? 'done' : 'stopped',
      verdict,
      verdictEpoch,
      final,
      epochs: epochs as EpochSeries,
    });
    method.tell(result);
    const trial = { plan, config, result };
    trials.push(trial);
    onTrial?.(trial);
  }
  return { method, trials, best: method.best() };
}
