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
import { etaSeconds, formatDuration, Progress, timesText } from './progress.ts';
import { formatNumber } from './text-table.ts';
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
    .addOption(new Option('--backend <name>', 'compute backend (overrides the config)').choices(['auto', 'js', 'wasm', 'gpu', 'webgpu']))
    .option('--threads <n>', 'threads sharing each generation\'s population: a count or "auto" (overrides the config)', threadCount)
    .option('-q, --quiet', 'no progress display and no summary table', false)
    .addHelpText('after', '\nExample:\n  evolab run resources/configs/iris_adam.json --runs 25 --out results/')
    .action(async (configPath: string, options: RunOptions) => {
      await runCommand(configPath, options);
    });
}

async function runCommand(configPath: string, options: RunOptions): Promise<void> {
  // The engine loads only when a run is asked for (not for --help).
  const [
    { datasetLabel, isStrategyOptimizer },
    { createBackend, defaultThreads },
    { loadSplits },
    { trainRun },
    { writeResultFiles },
    { readExperimentConfig },
  ] = await Promise.all([
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
  // Only evolution strategies share a population out to threads; a gradient method would just start idle workers.
  const threads = !isStrategyOptimizer(config.optimizer) ? 1 : threadSetting === 'auto' ? defaultThreads() : threadSetting;
  const { backend, notes } = await createBackend(options.backend ?? config.compute.backend, threads);
  for (const note of notes) process.stderr.write(`evolab: note: ${note}\n`);
  const stem = `${datasetLabel(config)}.${config.optimizer.type}`;
  if (!options.quiet) {
    process.stderr.write(
      `evolab: ${stem}: ${options.runs} run(s), train/val/test ${splits.train.size}/${splits.val.size}/${splits.test.size}, backend ${backend.name}\n`,
    );
  }

  // Progress counts epochs: a run that stops early counts as all its epochs done.
  const progress = new Progress({ quiet: options.quiet });
  const results: RunResult[] = [];
  try {
    const maxEpochs = config.training.max_epochs;
    const overall = progress.bar('all runs', options.runs * maxEpochs, 'epochs');
    for (let i = 0; i < options.runs; i++) {
      const label = `run ${i + 1}/${options.runs}`;
      const bar = progress.bar(label, maxEpochs, 'epochs');
      const result = trainRun(config, splits, options.firstSeed + i, backend, {
        onEpoch: (m) => {
          bar.update(m.epoch, { detail: `val_loss ${formatNumber(m.val_loss)}  val_acc ${formatNumber(m.val_acc)}` });
          overall.update(i * maxEpochs + m.epoch);
        },
      });
      bar.remove();
      results.push(result);
      const done = (i + 1) * maxEpochs;
      overall.update(done);
      const f = result.final;
      progress.line(
        `evolab: ${label} done in ${formatDuration(bar.elapsedSeconds())}: ${result.epochsRun} epochs${result.stoppedEarly ? ' (stopped early)' : ''}, ` +
          `val_loss ${formatNumber(f.val_loss)}, val_acc ${formatNumber(f.val_acc)}; ` +
          `all runs ${timesText(overall.elapsedSeconds(), etaSeconds(overall.elapsedSeconds(), done, options.runs * maxEpochs))}`,
      );
    }
  } finally {
    progress.stop();
  }
  const files = writeResultFiles(outDir, stem, config, results, evolabVersion());
  if (!options.quiet) {
    process.stdout.write(`${stem}: ${results[0].optimizer}\nbackend: ${backend.name}\n\n${summaryTable(results)}\n\n`);
    process.stdout.write(`wrote ${files.join(', ')}\n`);
  }
}
