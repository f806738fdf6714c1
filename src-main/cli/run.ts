// `evolab run CONFIG --runs N --out DIR`: trains the configured model N times (run i uses seed
// first-seed + i for initialisation and batch order; the data split uses the config's seed),
// shows progress on a terminal, prints a summary table and writes the result files.
// Everything that can be wrong with the input is checked before training starts, and nothing
// is written to DIR unless every run completed.

import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { BackendPreference } from '../engine/compute/select.ts';
import type { RunResult } from '../engine/train.ts';
import { evolabVersion } from '../services/environment.ts';
import { nonNegativeInteger, positiveInteger, threadCount } from './options.ts';
import { ProgressLine } from './progress.ts';
import { summaryTable } from './summary-table.ts';

interface RunOptions {
  readonly runs: number;
  readonly out: string;
  readonly firstSeed: number;
  readonly backend?: BackendPreference;
  readonly threads?: number | 'auto';
  readonly quiet: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(describeCommand('run'))
    .argument('<config>', 'experiment config (JSON), e.g. resources/configs/iris_adam.json')
    .option('-n, --runs <n>', 'number of runs (run i uses seed first-seed + i)', positiveInteger, 1)
    .option('-o, --out <dir>', 'folder for the result files', 'results')
    .option('--first-seed <seed>', 'seed of the first run', nonNegativeInteger, 0)
    .addOption(new Option('--backend <name>', 'compute backend (overrides the config)').choices(['auto', 'js', 'wasm', 'gpu']))
    .option('--threads <n>', 'threads sharing each generation\'s population: a count or "auto" (overrides the config)', threadCount)
    .option('-q, --quiet', 'no progress line and no summary table', false)
    .addHelpText('after', '\nExample:\n  evolab run resources/configs/iris_adam.json --runs 25 --out results/')
    .action(async (configPath: string, options: RunOptions) => {
      await runCommand(configPath, options);
    });
}

async function runCommand(configPath: string, options: RunOptions): Promise<void> {
  // The engine loads only when a run is asked for (not for --help).
  const [{ datasetLabel }, { createBackend, defaultThreads }, { loadSplits }, { trainRun }, { writeResultFiles }, { readExperimentConfig }] = await Promise.all([
    import('../../src-shared/config/experiment.ts'),
    import('../engine/compute/select.ts'),
    import('../engine/data/load.ts'),
    import('../engine/train.ts'),
    import('../report/result-files.ts'),
    import('./read-config.ts'),
  ]);
  if (options.firstSeed > Number.MAX_SAFE_INTEGER - (options.runs - 1)) {
    throw new UserInputError('--first-seed', `first-seed + runs - 1 must be at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1) so that every run gets its own seed`);
  }
  const config = readExperimentConfig(configPath);
  const outDir = resolve(options.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UserInputError('--out', `${options.out} exists and is not a folder`);
  const splits = loadSplits(config.dataset, dirname(resolve(configPath)));
  const threadSetting = options.threads ?? config.compute.threads;
  const threads = threadSetting === 'auto' ? defaultThreads() : threadSetting;
  const { backend, notes } = await createBackend(options.backend ?? config.compute.backend, threads);
  for (const note of notes) process.stderr.write(`evolab: note: ${note}\n`);
  const stem = `${datasetLabel(config)}.${config.optimizer.type}`;
  if (!options.quiet) {
    process.stderr.write(
      `evolab: ${stem}: ${options.runs} run(s), train/val/test ${splits.train.size}/${splits.val.size}/${splits.test.size}, backend ${backend.name}\n`,
    );
  }

  const progress = new ProgressLine();
  const results: RunResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const result = trainRun(config, splits, options.firstSeed + i, backend, {
      onEpoch: (m) =>
        progress.update(`run ${i + 1}/${options.runs}  epoch ${m.epoch}/${config.training.max_epochs}  val_loss ${m.val_loss.toFixed(4)}  val_acc ${m.val_acc.toFixed(4)}`),
    });
    results.push(result);
  }
  progress.clear();
  const files = writeResultFiles(outDir, stem, config, results, evolabVersion());
  if (!options.quiet) {
    process.stdout.write(`${stem}: ${results[0].optimizer}\nbackend: ${backend.name}\n\n${summaryTable(results)}\n\n`);
    process.stdout.write(`wrote ${files.join(', ')}\n`);
  }
}
