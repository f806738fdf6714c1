// GPBT vs PBT vs random search with the same budget (benchmark, not a test: prints figures).
//   node bench/hpo.ts [--seeds 5] [--n 8] [--t-max 5] [--tg 1]
// MNIST 14x14, 196-10-10 sigmoid MLP, Adam, searching learning rate, beta1 and batch size
// (resources/studies/mnist_adam_gpbt.json's space). Budget per method and seed:
// n x t_max x T_g epochs: GPBT and PBT train n members for t_max generations of T_g epochs;
// random search trains n configurations for t_max x T_g epochs each (the same training
// length as one population lineage). Trials run in this process (hpo/in-process.ts: the same
// study methods as the study service, trained by the engine directly, data loaded once).
// Prints, per method, mean and sd over seeds of the best member's validation accuracy (the
// objective), its test accuracy, and the wall time.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStudyConfig, type StudyConfig } from '../src-shared/config/study.ts';
import { createBackend } from '../src-main/engine/compute/select.ts';
import { runStudyInProcess } from '../src-main/hpo/in-process.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    n: { type: 'string', default: '8' },
    't-max': { type: 'string', default: '5' },
    tg: { type: 'string', default: '1' },
  },
});
const seeds = Number(values.seeds);
const n = Number(values.n);
const tMax = Number(values['t-max']);
const tg = Number(values.tg);

const folder = resolve(import.meta.dirname, '../resources/studies');
const gpbtFile = JSON.parse(readFileSync(resolve(folder, 'mnist_adam_gpbt.json'), 'utf8')) as Record<string, unknown>;
const loadBase = (path: string): unknown => JSON.parse(readFileSync(resolve(folder, path), 'utf8'));
const common = { base: gpbtFile.base, space: gpbtFile.space, objective: { metric: 'val_acc', direction: 'maximize' } };

function study(seed: number, method: 'gpbt' | 'pbt' | 'random'): StudyConfig {
  if (method === 'gpbt')
    return parseStudyConfig({ ...common, seed, gpbt: { n, t_max: tMax, c: 2, T_g: tg, sampler: 'tpe', mode: 'time', early_stop: true } }, loadBase);
  if (method === 'pbt') return parseStudyConfig({ ...common, seed, pbt: { n, t_max: tMax, T_g: tg } }, loadBase);
  const parsed = parseStudyConfig({ ...common, seed, tune: { trials: n, sampler: { type: 'random' } } }, loadBase);
  return { ...parsed, base: { ...parsed.base, training: { ...parsed.base.training, max_epochs: tMax * tg, early_stopping: null } } };
}

const { backend } = await createBackend('auto', 1);
console.log(
  `GPBT vs PBT vs random search on MNIST 14x14 + Adam: n ${n}, t_max ${tMax}, T_g ${tg} (${n * tMax * tg} epochs per method and seed), ${seeds} seeds, backend ${backend.name}`,
);

const rows: string[] = [];
for (const method of ['gpbt', 'pbt', 'random'] as const) {
  const val: number[] = [];
  const test: number[] = [];
  const seconds: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const started = performance.now();
    const result = await runStudyInProcess(study(seed, method), backend);
    const best = result.trials.find((t) => t.plan.number === result.best)?.result;
    seconds.push((performance.now() - started) / 1000);
    val.push(best?.value ?? Number.NaN);
    test.push(best?.testValue ?? Number.NaN);
    console.log(
      `${method} seed ${seed}: best val_acc ${best?.value?.toFixed(4)}, test_acc ${best?.testValue?.toFixed(4)}, ${seconds[seconds.length - 1].toFixed(1)} s`,
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
  rows.push(
    `| ${method} | ${mean(val).toFixed(4)} (${sd(val).toFixed(4)}) | ${mean(test).toFixed(4)} (${sd(test).toFixed(4)}) | ${mean(seconds).toFixed(1)} (${sd(seconds).toFixed(1)}) |`,
  );
}
console.log('\n| method | best val_acc, mean (sd) | its test_acc, mean (sd) | wall time s, mean (sd) |\n|---|---|---|---|');
for (const row of rows) console.log(row);
