// One command for a machine with a GPU (not a test: it prints figures and asserts nothing):
//   node bench/gpu-check.ts [--epochs 3] [--configs mnist_cmaes,mnist_layerwise,mnist_adam] [--batches 64,4000]
//     [--backends auto,webgpu,wasm] [--software]
// Prints `evolab doctor`'s report (every backend, whether it loads, the device or adapter found,
// and which one auto takes), then for the backend `auto` chooses, for `webgpu` asked by name and
// for `wasm` (each backend once) the seconds per epoch of each config at each batch size: the
// mean over epochs 2..N (the first one pays start-up and JIT), early stopping off; and the
// validation loss after the last epoch (the same seed on every backend, so the rows show how
// far the backends' float32 numerics drift apart). On a GPU machine auto is WebGPU through Dawn
// (any Vulkan/Metal/D3D12 GPU) or, failing that, @tensorflow/tfjs-node-gpu when installed. Here
// (2 cores, no GPU) auto and wasm are the same backend, and webgpu finds only SwiftShader in
// headless Chromium, which is skipped unless --software (it is a CPU emulation: minutes per
// epoch). The whole default check takes a few minutes.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import { autoChoice, diagnoseBackends } from '../src-main/engine/compute/doctor.ts';
import { WebGpuBackend } from '../src-main/engine/compute/webgpu/webgpu-backend.ts';
import { type BackendPreference, createBackend, defaultThreads } from '../src-main/engine/compute/select.ts';
import { loadSplits } from '../src-main/engine/data/load.ts';
import { trainRun } from '../src-main/engine/train.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    configs: { type: 'string', default: 'mnist_cmaes,mnist_layerwise,mnist_adam' },
    batches: { type: 'string', default: '64,4000' },
    backends: { type: 'string', default: 'auto,webgpu,wasm' },
    software: { type: 'boolean', default: false },
  },
});
const EPOCHS = Math.max(2, Number(values.epochs));
const configsDir = resolve(import.meta.dirname, '../resources/configs');

console.log('## Backends (evolab doctor, 1 s self-test each)\n');
const reports = await diagnoseBackends(1);
for (const r of reports) {
  const name = r.host === null ? r.backend : `${r.backend} (${r.host})`;
  console.log(
    `- ${name}: ${r.loads ? `loads, ${r.gflops?.toFixed(2)} GFLOP/s` : 'does not load'}; ${r.detail}${r.device === null ? '' : `; device: ${r.device}`}`,
  );
}
console.log(`\nauto takes: ${autoChoice(reports)?.detail ?? 'nothing loads'}`);

const timed = new Set<string>();
for (const preference of (values.backends ?? '').split(',') as BackendPreference[]) {
  const { backend, notes } = await createBackend(preference, defaultThreads());
  console.log(`\n## ${preference}: ${backend.name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}\n`);
  if (timed.has(backend.name)) {
    // On a GPU machine auto is webgpu; here auto is wasm: time each backend once.
    console.log('the same backend as above: not timed again');
    if (backend instanceof WebGpuBackend) await backend.close();
    continue;
  }
  timed.add(backend.name);
  if (preference === 'webgpu' && (!(backend instanceof WebGpuBackend) || (backend.adapter.software && values.software !== true))) {
    console.log(backend instanceof WebGpuBackend ? 'skipped: a software adapter (--software to time it anyway)' : 'skipped: no WebGPU device');
    if (backend instanceof WebGpuBackend) await backend.close();
    continue;
  }
  console.log('| config | batch | s/epoch | val_loss after the last epoch |');
  console.log('|---|---|---|---|');
  for (const name of (values.configs ?? '').split(',')) {
    const base = JSON.parse(readFileSync(join(configsDir, `${name}.json`), 'utf8')) as { training: Record<string, unknown> };
    for (const batch of (values.batches ?? '').split(',').map(Number)) {
      const { early_stopping: _stop, ...training } = base.training;
      const config = parseExperimentConfig({ ...base, training: { ...training, batch_size: batch, max_epochs: EPOCHS } });
      const splits = loadSplits(config.dataset);
      const at: number[] = [];
      let valLoss = Number.NaN;
      trainRun(config, splits, 0, backend, {
        onEpoch: (metrics) => {
          at.push(performance.now());
          valLoss = metrics.val_loss;
        },
      });
      const seconds = (at[at.length - 1] - at[0]) / (at.length - 1) / 1000;
      // The same seed on every backend: the last column shows how far float32 kernels drift apart.
      console.log(`| ${name} | ${batch} | ${seconds.toFixed(3)} | ${valLoss.toPrecision(8)} |`);
    }
  }
  if (backend instanceof WebGpuBackend) await backend.close();
}
