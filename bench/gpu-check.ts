// One command for a machine with a GPU (not a test: it prints figures and asserts nothing):
//   node bench/gpu-check.ts [--epochs 3] [--configs mnist_cmaes,mnist_layerwise,mnist_adam] [--batches 64,4000]
// Prints `evolab doctor`'s report (every backend, whether it loads, the device found), then for
// the backend `auto` chooses and for `wasm` the seconds per epoch of each config at each batch
// size: the mean over epochs 2..N (the first one pays start-up and JIT), early stopping off.
// Here (2 cores, no GPU) auto and wasm are the same backend; on a GPU machine with
// @tensorflow/tfjs-node-gpu installed, auto is the GPU. The whole default check takes some
// minutes (CMA-ES at batch 64 runs a generation per 64 rows).

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import { diagnoseBackends } from '../src-main/engine/compute/doctor.ts';
import { type BackendPreference, createBackend, defaultThreads } from '../src-main/engine/compute/select.ts';
import { loadSplits } from '../src-main/engine/data/load.ts';
import { trainRun } from '../src-main/engine/train.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    configs: { type: 'string', default: 'mnist_cmaes,mnist_layerwise,mnist_adam' },
    batches: { type: 'string', default: '64,4000' },
  },
});
const EPOCHS = Math.max(2, Number(values.epochs));
const configsDir = resolve(import.meta.dirname, '../resources/configs');

console.log('## Backends (evolab doctor, 1 s self-test each)\n');
for (const r of await diagnoseBackends(1)) {
  console.log(
    `- ${r.backend}: ${r.loads ? `loads, ${r.gflops?.toFixed(2)} GFLOP/s` : 'does not load'}; ${r.detail}${r.device === null ? '' : `; device: ${r.device}`}`,
  );
}

for (const preference of ['auto', 'wasm'] as BackendPreference[]) {
  const { backend, notes } = await createBackend(preference, defaultThreads());
  console.log(`\n## ${preference}: ${backend.name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}\n`);
  console.log('| config | batch | s/epoch |');
  console.log('|---|---|---|');
  for (const name of (values.configs ?? '').split(',')) {
    const base = JSON.parse(readFileSync(join(configsDir, `${name}.json`), 'utf8')) as { training: Record<string, unknown> };
    for (const batch of (values.batches ?? '').split(',').map(Number)) {
      const { early_stopping: _stop, ...training } = base.training;
      const config = parseExperimentConfig({ ...base, training: { ...training, batch_size: batch, max_epochs: EPOCHS } });
      const splits = loadSplits(config.dataset);
      const at: number[] = [];
      trainRun(config, splits, 0, backend, { onEpoch: () => at.push(performance.now()) });
      const seconds = (at[at.length - 1] - at[0]) / (at.length - 1) / 1000;
      console.log(`| ${name} | ${batch} | ${seconds.toFixed(3)} |`);
    }
  }
}
