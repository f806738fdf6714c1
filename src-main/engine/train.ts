// The training loop: one run of one experiment config with one seed. Epochs over shuffled
// mini-batches, per-epoch train/val metrics of the current model, early stopping on val loss
// that restores the best weights (for every optimizer), final train/val/test metrics, wall
// time and evaluation counts. A run is fully determined by (config, data splits, seed).
// After every epoch the loop can hand out a JSON checkpoint of its whole state (model,
// optimizer, RNG, early-stopping bookkeeping); a run resumed from it continues exactly as the
// uninterrupted run would have.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import { toWire } from '../../src-shared/metric-codec.ts';
import type { Batch, ComputeBackend, Evaluation } from './compute/backend.ts';
import type { DataSplits, Dataset } from './data/dataset.ts';
import { initParameters, mlpLayout, type MlpLayout } from './model/mlp.ts';
import type { Optimizer, OptimizerState } from './optimizers/optimizer.ts';
import { createOptimizer } from './optimizers/registry.ts';
import { Rng, type RngState } from './rng.ts';

/** RNG streams of a run: one seed, independent sequences per purpose. */
export const RNG_STREAM = { initialisation: 1, batchOrder: 2 } as const;

export interface EpochMetrics {
  readonly epoch: number;
  /** Mean over the epoch's batches of the model's batch loss (see StepResult), weighted by rows. */
  readonly train_loss: number;
  readonly train_acc: number;
  readonly val_loss: number;
  readonly val_acc: number;
  /** Seconds since the run's training started. */
  readonly elapsed_s: number;
  /** Cumulative counts up to the end of this epoch. */
  readonly model_evals: number;
  readonly grad_evals: number;
}

export interface FinalMetrics {
  readonly train_loss: number;
  readonly train_acc: number;
  readonly val_loss: number;
  readonly val_acc: number;
  readonly test_loss: number;
  readonly test_acc: number;
}

export interface RunResult {
  readonly seed: number;
  /** Training wall time in seconds (data loading excluded). */
  readonly time: number;
  readonly final: FinalMetrics;
  /** Samples forwarded by the optimizer + per-sample gradient evaluations. */
  readonly model_evals: number;
  readonly grad_evals: number;
  readonly epochs: readonly EpochMetrics[];
  readonly epochsRun: number;
  /** Epoch whose weights the final model has (after early-stopping restore). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly backend: string;
  readonly optimizer: string;
  readonly parameterCount: number;
}

/** Everything a run needs to continue after its last completed epoch (plain JSON). */
export interface RunCheckpoint {
  readonly format: 'evolab-run-checkpoint/1';
  readonly seed: number;
  /** Completed epochs. */
  readonly epoch: number;
  readonly params: number[];
  readonly bestParams: number[];
  /** null while no epoch has improved (JSON has no Infinity). */
  readonly bestLoss: number | null;
  readonly bestEpoch: number;
  readonly sinceImprovement: number;
  readonly forwardSamples: number;
  readonly gradientSamples: number;
  /** Training seconds spent before this checkpoint. */
  readonly elapsed: number;
  readonly epochs: EpochMetrics[];
  readonly batchOrder: RngState;
  /** The sample order, which each epoch reshuffles in place. */
  readonly order: number[];
  readonly optimizer: OptimizerState;
}

export interface TrainHooks {
  /** Called after every epoch (progress display, live curves). */
  onEpoch?(metrics: EpochMetrics): void;
  /** Called after every epoch that does not end the run, with a checkpoint to persist. */
  onCheckpoint?(checkpoint: RunCheckpoint): void;
  /** Continue from this checkpoint instead of starting afresh. */
  resume?: RunCheckpoint;
}

function asBatch(data: Dataset): Batch {
  return { x: data.x, y: data.y, rows: data.size };
}

export function modelLayout(config: ExperimentConfig, splits: DataSplits): MlpLayout {
  return mlpLayout(splits.train.features, config.model.hidden, splits.train.classes, config.model.activation);
}

/**
 * One run, advanced an epoch at a time, so a caller can hand control back to its event loop
 * between epochs (a job process must keep its IPC channel flowing). `trainRun` is the plain
 * synchronous loop over it.
 */
export class RunTrainer {
  readonly seed: number;
  readonly maxEpochs: number;
  private readonly config: ExperimentConfig;
  private readonly splits: DataSplits;
  private readonly backend: ComputeBackend;
  private readonly layout: MlpLayout;
  private readonly params: Float32Array;
  private readonly optimizer: Optimizer;
  private readonly orderRng: Rng;
  private readonly order: Int32Array;
  private readonly batchX: Float32Array;
  private readonly batchY: Int32Array;
  private readonly started: number;
  private readonly epochs: EpochMetrics[] = [];
  private forwardSamples = 0;
  private gradientSamples = 0;
  private bestLoss = Number.POSITIVE_INFINITY;
  private bestEpoch = 0;
  private bestParams: Float32Array;
  private sinceImprovement = 0;
  private stoppedEarly = false;
  private nextEpoch = 1;

  constructor(config: ExperimentConfig, splits: DataSplits, seed: number, backend: ComputeBackend, resume?: RunCheckpoint) {
    if (resume !== undefined && resume.seed !== seed) throw new Error(`checkpoint is for seed ${resume.seed}, not ${seed}`);
    this.config = config;
    this.splits = splits;
    this.seed = seed;
    this.backend = backend;
    this.maxEpochs = config.training.max_epochs;
    this.started = performance.now() - (resume?.elapsed ?? 0) * 1000;
    this.layout = modelLayout(config, splits);
    this.params = initParameters(this.layout, new Rng(seed, RNG_STREAM.initialisation));
    this.optimizer = createOptimizer(config.optimizer, this.layout, backend, this.params, seed);
    this.orderRng = new Rng(seed, RNG_STREAM.batchOrder);
    const batchSize = config.training.batch_size;
    const train = splits.train;
    this.order = Int32Array.from({ length: train.size }, (_, i) => i);
    this.batchX = new Float32Array(Math.min(batchSize, train.size) * train.features);
    this.batchY = new Int32Array(Math.min(batchSize, train.size));
    this.bestParams = this.params.slice();
    if (resume !== undefined) this.restore(resume);
  }

  private restore(resume: RunCheckpoint): void {
    if (resume.params.length !== this.params.length || resume.order.length !== this.order.length) {
      throw new Error('checkpoint does not match this model or data split');
    }
    this.params.set(resume.params);
    this.bestParams = Float32Array.from(resume.bestParams);
    this.bestLoss = resume.bestLoss ?? Number.POSITIVE_INFINITY;
    this.bestEpoch = resume.bestEpoch;
    this.sinceImprovement = resume.sinceImprovement;
    this.forwardSamples = resume.forwardSamples;
    this.gradientSamples = resume.gradientSamples;
    this.epochs.push(...resume.epochs);
    this.orderRng.restore(resume.batchOrder);
    this.order.set(resume.order);
    this.optimizer.restore(resume.optimizer);
    this.nextEpoch = resume.epoch + 1;
  }

  /** e.g. "cmaes (sep, lambda 49)". */
  get description(): string {
    return this.optimizer.description;
  }

  get parameterCount(): number {
    return this.layout.parameterCount;
  }

  /** True once max_epochs are done or early stopping has ended the run. */
  get finished(): boolean {
    return this.stoppedEarly || this.nextEpoch > this.maxEpochs;
  }

  /** Trains one epoch and returns its metrics. */
  runEpoch(): EpochMetrics {
    if (this.finished) throw new Error('the run is already finished');
    const epoch = this.nextEpoch++;
    const { train, val } = this.splits;
    const { batch_size: batchSize, early_stopping: stopping } = this.config.training;
    const { batchX, batchY, order, params } = this;
    const features = train.features;
    this.orderRng.shuffle(order);
    let trainLossSum = 0;
    let trainCorrect = 0;
    for (let start = 0; start < train.size; start += batchSize) {
      const rows = Math.min(batchSize, train.size - start);
      for (let r = 0; r < rows; r++) {
        const source = order[start + r];
        batchX.set(train.x.subarray(source * features, (source + 1) * features), r * features);
        batchY[r] = train.y[source];
      }
      const cost = this.optimizer.step(params, {
        x: rows === batchY.length ? batchX : batchX.subarray(0, rows * features),
        y: rows === batchY.length ? batchY : batchY.subarray(0, rows),
        rows,
      });
      this.forwardSamples += cost.forwardSamples;
      this.gradientSamples += cost.gradientSamples;
      trainLossSum += cost.loss * rows;
      trainCorrect += cost.accuracy * rows;
    }
    const valEval: Evaluation = this.backend.evaluate(this.layout, params, asBatch(val));
    const metrics: EpochMetrics = {
      epoch,
      train_loss: trainLossSum / train.size,
      train_acc: trainCorrect / train.size,
      val_loss: valEval.loss,
      val_acc: valEval.accuracy,
      elapsed_s: (performance.now() - this.started) / 1000,
      model_evals: this.forwardSamples + this.gradientSamples,
      grad_evals: this.gradientSamples,
    };
    this.epochs.push(metrics);

    if (stopping !== null) {
      // Improvement iff val < best - min_delta; a NaN loss never improves.
      if (valEval.loss < this.bestLoss - stopping.min_delta) {
        this.bestLoss = valEval.loss;
        this.bestEpoch = epoch;
        this.bestParams = params.slice();
        this.sinceImprovement = 0;
      } else if (++this.sinceImprovement >= stopping.patience) {
        this.stoppedEarly = true;
      }
    } else {
      this.bestEpoch = epoch;
    }
    return metrics;
  }

  /** The whole state after the last completed epoch (plain JSON). */
  checkpoint(): RunCheckpoint {
    return {
      format: 'evolab-run-checkpoint/1',
      seed: this.seed,
      epoch: this.nextEpoch - 1,
      params: Array.from(this.params),
      bestParams: Array.from(this.bestParams),
      bestLoss: toWire(this.bestLoss),
      bestEpoch: this.bestEpoch,
      sinceImprovement: this.sinceImprovement,
      forwardSamples: this.forwardSamples,
      gradientSamples: this.gradientSamples,
      elapsed: (performance.now() - this.started) / 1000,
      epochs: this.epochs.slice(),
      batchOrder: this.orderRng.state(),
      order: Array.from(this.order),
      optimizer: this.optimizer.state(),
    };
  }

  /** Restores the best weights (early stopping) and computes the final metrics. */
  result(): RunResult {
    if (!this.finished) throw new Error('the run is not finished');
    const { params, layout, backend } = this;
    const { train, val, test } = this.splits;
    if (this.config.training.early_stopping !== null && this.bestEpoch > 0) params.set(this.bestParams);
    const finalTrain = backend.evaluate(layout, params, asBatch(train));
    const finalVal = backend.evaluate(layout, params, asBatch(val));
    const finalTest = backend.evaluate(layout, params, asBatch(test));
    return {
      seed: this.seed,
      time: (performance.now() - this.started) / 1000,
      final: {
        train_loss: finalTrain.loss,
        train_acc: finalTrain.accuracy,
        val_loss: finalVal.loss,
        val_acc: finalVal.accuracy,
        test_loss: finalTest.loss,
        test_acc: finalTest.accuracy,
      },
      model_evals: this.forwardSamples + this.gradientSamples,
      grad_evals: this.gradientSamples,
      epochs: this.epochs.slice(),
      epochsRun: this.epochs.length,
      bestEpoch: this.bestEpoch,
      stoppedEarly: this.stoppedEarly,
      backend: backend.name,
      optimizer: this.optimizer.description,
      parameterCount: this.layout.parameterCount,
    };
  }
}

export function trainRun(config: ExperimentConfig, splits: DataSplits, seed: number, backend: ComputeBackend, hooks: TrainHooks = {}): RunResult {
  const trainer = new RunTrainer(config, splits, seed, backend, hooks.resume);
  while (!trainer.finished) {
    const metrics = trainer.runEpoch();
    hooks.onEpoch?.(metrics);
    if (hooks.onCheckpoint !== undefined && !trainer.finished) hooks.onCheckpoint(trainer.checkpoint());
  }
  return trainer.result();
}
