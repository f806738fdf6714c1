// The WGSL kernels against the JS reference backend, on the WebGPU adapter of headless
// Chromium (SwiftShader here, a CPU implementation of WebGPU, so this runs in CI without a
// GPU): population forward + loss at the size of mnist_cmaes (196-10-10, d = 2080, lambda = 49,
// B = 512) for whole-model and layerwise candidates; one SGD and one Adam epoch of a 196-100-10
// network on MNIST; a whole Iris CMA-ES run, epoch by epoch; bit-identical repeats; and a
// malformed request answered with an error. Tolerances: float32 products in another order
// than the JS loops (which accumulate in float64) differ by a few ulps per product; each
// bound below is 10-30x the largest difference measured here (printed by the tests).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExperimentConfigInput, parseExperimentConfig } from '../../../../src-shared/config/experiment.ts';
import { locateChromium } from '../../../files/chromium.ts';
import { loadSplits } from '../../data/load.ts';
import { loadMnist } from '../../data/mnist.ts';
import { type Dataset, takeRows } from '../../data/dataset.ts';
import { initParameters, mlpLayout } from '../../model/mlp.ts';
import { Rng } from '../../rng.ts';
import { RunTrainer, trainRun } from '../../train.ts';
import { gpuDevicePresent } from '../gpu.ts';
import { JsBackend } from '../js-backend.ts';
import { createBackend } from '../select.ts';
import { WebGpuBackend } from './webgpu-backend.ts';

const chromiumPath = locateChromium().path;
if (chromiumPath === null && process.env.EVOLAB_REQUIRE_E2E === '1') throw new Error('the WebGPU kernel tests need a Chromium, and CI requires them');

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
  return worst;
}

describe.skipIf(chromiumPath === null)('the WebGPU backend on headless Chromium', () => {
  let gpu: WebGpuBackend;
  const cpu = new JsBackend();
  let mnist: Dataset;

  beforeAll(async () => {
    const started = await WebGpuBackend.create({ host: { kind: 'chromium', executablePath: chromiumPath ?? '' }, hardwareOnly: false });
    if (started.backend === null) throw new Error(`no WebGPU device: ${started.reason}`);
    gpu = started.backend;
    const test = loadMnist('mnist', 'test', 14);
    mnist = takeRows(
      test,
      Array.from({ length: 3072 }, (_, i) => i),
    );
  }, 120_000);

  afterAll(async () => {
    await gpu?.close();
  });

  it('names the adapter it runs on, and that it is a software one', () => {
    expect(gpu.name).toMatch(/^webgpu \(google swiftshader \(software\), headless Chromium\)$/);
    expect(gpu.adapter.software).toBe(true);
  });

  it('scores a CMA-ES population (196-10-10, d = 2080, lambda = 49, B = 512) as the CPU does', () => {
    const layout = mlpLayout(196, [10], 10, 'sigmoid');
    expect(layout.parameterCount).toBe(2080);
    const rng = new Rng(7);
    const base = initParameters(layout, rng);
    const batch = { x: mnist.x.subarray(0, 512 * 196), y: mnist.y.subarray(0, 512), rows: 512 };
    const count = 49;
    for (const varying of [
      { first: 0, last: 1 },
      { first: 0, last: 0 },
      { first: 1, last: 1 },
    ]) {
      const dv = varying.first === varying.last ? layout.layers[varying.first].size : layout.parameterCount;
      const offset = layout.layers[varying.first].offset;
      const candidates = new Float32Array(count * dv);
      for (let c = 0; c < count; c++) for (let i = 0; i < dv; i++) candidates[c * dv + i] = base[offset + i] + 0.3 * rng.normal();
      const expected = new Float64Array(count);
      const actual = new Float64Array(count);
      cpu.populationLosses({ layout, base, varying, candidates, count, batch, out: expected });
      gpu.populationLosses({ layout, base, varying, candidates, count, batch, out: actual });
      console.log(`population ${JSON.stringify(varying)}: max relative difference ${maxRelativeDifference(expected, actual).toExponential(2)}`);
      expect(maxRelativeDifference(expected, actual)).toBeLessThan(5e-7);
      // The ranking CMA-ES acts on is the same.
      const order = (losses: Float64Array) => Array.from(losses.keys()).sort((i, j) => losses[i] - losses[j]);
      expect(order(actual)).toEqual(order(expected));
    }
  });

  it('gives the same bits for the same request', () => {
    const layout = mlpLayout(196, [100], 10, 'relu');
    const params = initParameters(layout, new Rng(3));
    const batch = { x: mnist.x.subarray(0, 256 * 196), y: mnist.y.subarray(0, 256), rows: 256 };
    const first = new Float32Array(layout.parameterCount);
    const second = new Float32Array(layout.parameterCount);
    const a = gpu.lossAndGradient(layout, params, batch, first);
    const b = gpu.lossAndGradient(layout, params, batch, second);
    expect(b).toEqual(a);
    expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });

  describe.each<[string, ExperimentConfigInput['optimizer']]>([
    ['sgd', { type: 'sgd', lr: 0.1, momentum: 0.9 }],
    ['adam', { type: 'adam', lr: 0.001 }],
  ])('one %s epoch of a 196-100-10 network on 2,048 MNIST images (B = 64)', (_, optimizer) => {
    it('ends with the CPU epoch metrics and weights', () => {
      const config = parseExperimentConfig({
        dataset: { name: 'mnist' },
        model: { hidden: [100], activation: 'sigmoid' },
        optimizer,
        training: { batch_size: 64, max_epochs: 1 },
      });
      const rows = (from: number, count: number) =>
        takeRows(
          mnist,
          Array.from({ length: count }, (_, i) => from + i),
        );
      const splits = { train: rows(0, 2048), val: rows(2048, 512), test: rows(2560, 512), classNames: [] };
      const onCpu = new RunTrainer(config, splits, 5, cpu);
      const onGpu = new RunTrainer(config, splits, 5, gpu);
      const expected = onCpu.runEpoch();
      const actual = onGpu.runEpoch();
      const weights = (trainer: RunTrainer) => trainer.checkpoint().params;
      const drift = maxRelativeDifference(weights(onCpu), weights(onGpu));
      console.log(`${optimizer.type} epoch: train_loss ${expected.train_loss} vs ${actual.train_loss}, largest weight difference ${drift.toExponential(2)}`);
      expect(drift).toBeLessThan(5e-5);
      for (const metric of ['train_loss', 'val_loss'] as const) expect(Math.abs(actual[metric] - expected[metric])).toBeLessThan(1e-6);
      expect(Math.abs(actual.val_acc - expected.val_acc)).toBeLessThanOrEqual(1 / 512);
    });
  });

  it('runs a whole Iris CMA-ES run as the CPU does, epoch by epoch', () => {
    const config = parseExperimentConfig({
      dataset: { name: 'iris' },
      model: { hidden: [10], activation: 'sigmoid' },
      optimizer: { type: 'cmaes', population: 20, sigma0: 0.5 },
      training: { batch_size: 32, max_epochs: 25 },
    });
    const splits = loadSplits(config.dataset);
    const expected = trainRun(config, splits, 11, cpu);
    const actual = trainRun(config, splits, 11, gpu);
    expect(actual.epochsRun).toBe(expected.epochsRun);
    let worst = 0;
    for (let e = 0; e < expected.epochs.length; e++) {
      for (const metric of ['train_loss', 'val_loss', 'val_acc'] as const) {
        worst = Math.max(worst, Math.abs(actual.epochs[e][metric] - expected.epochs[e][metric]));
      }
    }
    console.log(
      `Iris CMA-ES, ${expected.epochsRun} epochs: largest metric difference ${worst.toExponential(2)}; test_acc ${expected.final.test_acc} vs ${actual.final.test_acc}`,
    );
    expect(worst).toBeLessThan(2e-6);
    expect(actual.final.test_acc).toBe(expected.final.test_acc);
    expect(actual.backend).toMatch(/^webgpu /);
  });

  it('answers a request the device cannot run with an error, and keeps working', () => {
    const layout = mlpLayout(4, [3], 2, 'tanh');
    const params = new Float32Array(layout.parameterCount);
    const batch = { x: new Float32Array(8), y: Int32Array.of(0, 1), rows: 2 };
    expect(Number.isFinite(gpu.evaluate(layout, params, batch).loss)).toBe(true);
    // A shape that disagrees with the parameters is refused by the schema on the device thread.
    const wrong = { ...layout, sizes: [4, 3, 0] };
    expect(() => gpu.evaluate(wrong, params, batch)).toThrow(/WebGPU: a malformed WebGPU request: .*sizes/);
    expect(gpu.evaluate(layout, params, batch).loss).toBeCloseTo(Math.log(2), 6);
  });

  it('is refused when only hardware will do (what auto asks), and chosen by name with notes', async () => {
    const refused = await WebGpuBackend.create({ host: { kind: 'chromium', executablePath: chromiumPath ?? '' }, hardwareOnly: true });
    expect(refused.backend).toBeNull();
    expect(refused.reason).toBe('the only WebGPU adapter is a software one (google swiftshader (software)), slower than the CPU backends');
    // auto opens Dawn only where a GPU driver is loaded (none on the CI machine), never Chromium.
    if (!gpuDevicePresent()) expect((await createBackend('auto')).backend.name).not.toMatch(/webgpu/);
    // By name: Dawn first (no adapter here), then headless Chromium, each step said.
    const { backend, notes } = await createBackend('webgpu', 4);
    try {
      expect(backend.name).toBe('webgpu (google swiftshader (software), headless Chromium)');
      expect(notes[0]).toMatch(/^(Dawn for Node found no WebGPU adapter|the webgpu package \(Dawn for Node\))/);
      expect(notes.slice(1)).toEqual(['the WebGPU adapter is a software one: slower than the CPU backends', 'WebGPU runs in a headless Chromium']);
    } finally {
      if (backend instanceof WebGpuBackend) await backend.close();
    }
  });
});
