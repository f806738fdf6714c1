// The training loop on real data (Iris): every optimizer learns, early stopping restores the
// best weights, counts add up, and a run is a pure function of (config, seed).
import { describe, expect, it } from 'vitest';
import { type ExperimentConfigInput, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { JsBackend } from './compute/js-backend.ts';
import { loadSplits } from './data/load.ts';
import { optimizerTypes } from './optimizers/registry.ts';
import { trainRun } from './train.ts';

const optimizers: Record<string, ExperimentConfigInput['optimizer']> = {
  sgd: { type: 'sgd', lr: 0.5, momentum: 0.9 },
  adam: { type: 'adam', lr: 0.05 },
  cmaes: { type: 'cmaes', sigma0: 0.5 },
  layerwise_cmaes: { type: 'layerwise_cmaes', sigma0: 0.5 },
};

function config(optimizer: ExperimentConfigInput['optimizer'], epochs = 30) {
  return parseExperimentConfig({
    dataset: { name: 'iris' },
    model: { hidden: [8], activation: 'tanh' },
    optimizer,
    training: { batch_size: 16, max_epochs: epochs, early_stopping: { patience: 4, min_delta: 0.001 } },
  });
}

const splits = loadSplits({ name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } });

describe.each(optimizerTypes)('training with %s', (type) => {
  const cfg = config(optimizers[type]);
  const backend = new JsBackend();
  const result = trainRun(cfg, splits, 1, backend);

  it('learns Iris (test accuracy > 0.8, val loss falls)', () => {
    expect(result.final.test_acc).toBeGreaterThan(0.8);
    expect(result.epochs[result.bestEpoch - 1].val_loss).toBeLessThan(result.epochs[0].val_loss);
  });

  it('ends with the weights of the best epoch (early-stopping restore)', () => {
    const best = result.epochs[result.bestEpoch - 1];
    expect(result.final.val_loss).toBeCloseTo(best.val_loss, 10);
    for (const e of result.epochs) expect(e.val_loss).toBeGreaterThanOrEqual(best.val_loss - 0.001 - 1e-12);
    if (result.stoppedEarly) expect(result.epochsRun).toBe(result.bestEpoch + 4);
  });

  it('counts forwarded samples and gradient evaluations', () => {
    const perEpoch = 90;
    const last = result.epochs[result.epochs.length - 1];
    expect(last.model_evals).toBe(result.model_evals);
    if (type === 'sgd' || type === 'adam') {
      expect(result.grad_evals).toBe(perEpoch * result.epochsRun);
      expect(result.model_evals).toBe(2 * perEpoch * result.epochsRun);
    } else {
      expect(result.grad_evals).toBe(0);
      expect(result.model_evals % perEpoch).toBe(0);
      expect(result.model_evals).toBeGreaterThan(perEpoch * result.epochsRun);
    }
  });

  it('is a pure function of (config, seed)', () => {
    const again = trainRun(cfg, splits, 1, new JsBackend());
    expect(again.final).toEqual(result.final);
    expect(again.epochs.map((e) => e.val_loss)).toEqual(result.epochs.map((e) => e.val_loss));
    const other = trainRun(cfg, splits, 2, new JsBackend());
    expect(other.epochs.map((e) => e.val_loss)).not.toEqual(result.epochs.map((e) => e.val_loss));
  });
});

it('trains for max_epochs without early stopping', () => {
  const cfg = parseExperimentConfig({ dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 32, max_epochs: 7 } });
  const result = trainRun(cfg, splits, 0, new JsBackend());
  expect(result.epochsRun).toBe(7);
  expect(result.bestEpoch).toBe(7);
  expect(result.stoppedEarly).toBe(false);
});

describe.each([...optimizerTypes, 'cmaes with sep'])('checkpoint and resume, %s', (name) => {
  it('continues after a JSON round trip exactly as the uninterrupted run', () => {
    const optimizer = name === 'cmaes with sep' ? { type: 'cmaes' as const, sigma0: 0.5, variant: 'sep' as const } : optimizers[name];
    const cfg = parseExperimentConfig({
      dataset: { name: 'iris' },
      model: { hidden: [8], activation: 'tanh' },
      optimizer,
      training: { batch_size: 16, max_epochs: 9, early_stopping: { patience: 20, min_delta: 0.001 } },
    });
    const saved: string[] = [];
    const whole = trainRun(cfg, splits, 3, new JsBackend(), { onCheckpoint: (c) => saved.push(JSON.stringify(c)) });
    expect(saved).toHaveLength(8); // after epochs 1..8; the last epoch ends the run
    const checkpoint = JSON.parse(saved[3]) as import('./train.ts').RunCheckpoint;
    expect(checkpoint.epoch).toBe(4);
    const resumed = trainRun(cfg, splits, 3, new JsBackend(), { resume: checkpoint });
    const strip = (r: typeof whole) => ({ ...r, time: 0, epochs: r.epochs.map((e) => ({ ...e, elapsed_s: 0 })) });
    expect(strip(resumed)).toEqual(strip(whole));
  });
});

it('refuses a checkpoint of another seed or optimizer', () => {
  const cfg = config(optimizers.adam, 3);
  let checkpoint: import('./train.ts').RunCheckpoint | undefined;
  trainRun(cfg, splits, 1, new JsBackend(), { onCheckpoint: (c) => (checkpoint ??= c) });
  expect(() => trainRun(cfg, splits, 2, new JsBackend(), { resume: checkpoint })).toThrow(/seed 1, not 2/);
  expect(() => trainRun(config(optimizers.sgd, 3), splits, 1, new JsBackend(), { resume: checkpoint })).toThrow(/optimizer adam, not sgd/);
});
