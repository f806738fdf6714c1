// The training loop: one run of one experiment config with one seed. Epochs over shuffled
// mini-batches, per-epoch train/val metrics of the current model, early stopping on val loss
// that restores the best weights (for every optimizer), final train/val/test metrics, wall
// time and evaluation counts. A run is fully determined by (config, data splits, seed).
// After every epoch the loop can hand out a JSON checkpoint of its whole state (model,
// optimizer, RNG, early-stopping bookkeeping); a run resumed from it continues exactly as the
// uninterrupted run would have.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { Batch, ComputeBackend, Evaluation } from './compute/backend.ts';
import type { DataSplits, Dataset } from './data/dataset.ts';
import { initParameters, mlpLayout, type MlpLayout } from './model/mlp.ts';
import type { OptimizerState } from './optimizers/optimizer.ts';
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

export function trainRun(
  config: ExperimentConfig,
  splits: DataSplits,
  seed: number,
  backend: ComputeBackend,
  hooks: TrainHooks = {},
): RunResult {
  const resume = hooks.resume;
  if (resume !== undefined && resume.seed !== seed) throw new Error(`checkpoint is for seed ${resume.seed}, not ${seed}`);
  const started = performance.now() - (resume?.elapsed ?? 0) * 1000;
  const layout = modelLayout(config, splits);
  const params = initParameters(layout, new Rng(seed, RNG_STREAM.initialisation));
  const optimizer = createOptimizer(config.optimizer, layout, backend, params, seed);
  const orderRng = new Rng(seed, RNG_STREAM.batchOrder);
  const { train, val, test } = splits;
  const { batch_size: batchSize, max_epochs: maxEpochs, early_stopping: stopping } = config.training;

  const features = train.features;
  const order = Int32Array.from({ length: train.size }, (_, i) => i);
  const batchX = new Float32Array(Math.min(batchSize, train.size) * features);
  const batchY = new Int32Array(Math.min(batchSize, train.size));

  const epochs: EpochMetrics[] = [];
  let forwardSamples = 0;
  let gradientSamples = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestParams = params.slice();
  let sinceImprovement = 0;
  let stoppedEarly = false;
  let firstEpoch = 1;

  if (resume !== undefined) {
    if (resume.params.length !== params.length || resume.order.length !== order.length) {
      throw new Error('checkpoint does not match this model or data split');
    }
    params.set(resume.params);
    bestParams = Float32Array.from(resume.bestParams);
    bestLoss = resume.bestLoss ?? Number.POSITIVE_INFINITY;
    bestEpoch = resume.bestEpoch;
    sinceImprovement = resume.sinceImprovement;
    forwardSamples = resume.forwardSamples;
    gradientSamples = resume.gradientSamples;
    epochs.push(...resume.epochs);
    orderRng.restore(resume.batchOrder);
    order.set(resume.order);
    optimizer.restore(resume.optimizer);
    firstEpoch = resume.epoch + 1;
  }

  for (let epoch = firstEpoch; epoch <= maxEpochs; epoch++) {
    orderRng.shuffle(order);
    let trainLossSum = 0;
    let trainCorrect = 0;
    for (let start = 0; start < train.size; start += batchSize) {
      const rows = Math.min(batchSize, train.size - start);
      for (let r = 0; r < rows; r++) {
        const source = order[start + r];
        batchX.set(train.x.subarray(source * features, (source + 1) * features), r * features);
        batchY[r] = train.y[source];
      }
      const cost = optimizer.step(params, {
        x: rows === batchY.length ? batchX : batchX.subarray(0, rows * features),
        y: rows === batchY.length ? batchY : batchY.subarray(0, rows),
        rows,
      });
      forwardSamples += cost.forwardSamples;
      gradientSamples += cost.gradientSamples;
      trainLossSum += cost.loss * rows;
      trainCorrect += cost.accuracy * rows;
    }
    const trainEval: Evaluation = { loss: trainLossSum / train.size, accuracy: trainCorrect / train.size };
    const valEval: Evaluation = backend.evaluate(layout, params, asBatch(val));
    const metrics: EpochMetrics = {
      epoch,
      train_loss: trainEval.loss,
      train_acc: trainEval.accuracy,
      val_loss: valEval.loss,
      val_acc: valEval.accuracy,
      elapsed_s: (performance.now() - started) / 1000,
      model_evals: forwardSamples + gradientSamples,
      grad_evals: gradientSamples,
    };
    epochs.push(metrics);
    hooks.onEpoch?.(metrics);

    if (stopping !== null) {
      // Improvement iff val < best - min_delta; a NaN loss never improves.
      if (valEval.loss < bestLoss - stopping.min_delta) {
        bestLoss = valEval.loss;
        bestEpoch = epoch;
        bestParams = params.slice();
        sinceImprovement = 0;
      } else if (++sinceImprovement >= stopping.patience) {
        stoppedEarly = true;
        break;
      }
    } else {
      bestEpoch = epoch;
    }
    if (hooks.onCheckpoint !== undefined && epoch < maxEpochs) {
      hooks.onCheckpoint({
        format: 'evolab-run-checkpoint/1',
        seed,
        epoch,
        params: Array.from(params),
        bestParams: Array.from(bestParams),
        bestLoss: Number.isFinite(bestLoss) ? bestLoss : null,
        bestEpoch,
        sinceImprovement,
        forwardSamples,
        gradientSamples,
        elapsed: (performance.now() - started) / 1000,
        epochs: epochs.slice(),
        batchOrder: orderRng.state(),
        order: Array.from(order),
        optimizer: optimizer.state(),
      });
    }
  }
  if (stopping !== null && bestEpoch > 0) params.set(bestParams);

  const finalTrain = backend.evaluate(layout, params, asBatch(train));
  const finalVal = backend.evaluate(layout, params, asBatch(val));
  const finalTest = backend.evaluate(layout, params, asBatch(test));
  return {
    seed,
    time: (performance.now() - started) / 1000,
    final: {
      train_loss: finalTrain.loss,
      train_acc: finalTrain.accuracy,
      val_loss: finalVal.loss,
      val_acc: finalVal.accuracy,
      test_loss: finalTest.loss,
      test_acc: finalTest.accuracy,
    },
    model_evals: forwardSamples + gradientSamples,
    grad_evals: gradientSamples,
    epochs,
    epochsRun: epochs.length,
    bestEpoch,
    stoppedEarly,
    backend: backend.name,
    optimizer: optimizer.description,
    parameterCount: layout.parameterCount,
  };
}
