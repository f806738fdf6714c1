// `evolab export ID --out DIR`: an experiment's done runs as the reference-format result
// files (<dataset>.<optimizer>.csv, .epochs.csv, .meta.json), the same files `evolab run`
// writes, so analyses of either work on both.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeCommand } from './commands.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { RunSummary } from '../../src-shared/api.ts';
import { EPOCH_METRICS } from '../../src-shared/api-names.ts';
import type { EpochMetrics, RunResult } from '../engine/train.ts';
import { evolabVersion } from '../services/environment.ts';
import type { Store } from '../store/store.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { fromWire, recordFromWire } from '../../src-shared/metric-codec.ts';

/** A stored done run in the engine's result shape (per-epoch metrics from the metrics table). */
export async function storedRunResult(store: Store, run: RunSummary): Promise<RunResult> {
  const f = run.final;
  if (f === null) throw new Error(`run ${run.id} is not done`);
  const series = await store.metrics.series(run.id, EPOCH_METRICS);
  const value = (name: (typeof EPOCH_METRICS)[number], i: number): number => fromWire(series.get(name)?.values[i]);
  const epochs: EpochMetrics[] = (series.get('train_loss')?.epochs ?? []).map((epoch, i) => ({
    epoch,
    train_loss: value('train_loss', i),
    train_acc: value('train_acc', i),
    val_loss: value('val_loss', i),
    val_acc: value('val_acc', i),
    elapsed_s: value('elapsed_s', i),
    model_evals: value('model_evals', i),
    grad_evals: value('grad_evals', i),
  }));
  const { time, model_evals, ...final } = recordFromWire(f);
  return {
    seed: run.seed,
    time,
    final,
    model_evals,
    grad_evals: run.gradEvals ?? 0,
    epochs,
    epochsRun: run.epochsRun ?? epochs.length,
    bestEpoch: run.bestEpoch ?? 0,
    stoppedEarly: run.stoppedEarly ?? false,
    backend: run.backend ?? 'unknown',
    optimizer: run.optimizer ?? 'unknown',
    parameterCount: run.parameterCount ?? 0,
  };
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(describeCommand('export'))
    .argument('<experiment-id>', 'experiment id (see evolab runs ls)', positiveInteger)
    .option('-o, --out <dir>', 'folder for the result files', 'results')
    .addOption(databaseOption())
    .action(async (experimentId: number, options: DatabaseOptions & { out: string }) => {
      const [{ parseExperimentConfig }, { writeResultFiles }] = await Promise.all([
        import('../../src-shared/config/experiment.ts'),
        import('../report/result-files.ts'),
      ]);
      await withServices(options, async ({ service, store }) => {
        const experiment = await service.getExperiment({ id: experimentId });
        const runs = (await service.listRuns({ experimentId, limit: 10_000 })).items;
        const done = runs.filter((r) => r.status === 'done');
        if (done.length === 0) throw new ApiError('conflict', `experiment ${experimentId} has no done runs yet`, 'experiment-id');
        let config;
        try {
          config = parseExperimentConfig(experiment.config);
        } catch {
          throw new ApiError(
            'conflict',
            `experiment ${experimentId} has no experiment config (imported from result files without .meta.json)`,
            'experiment-id',
          );
        }
        const stem = `${experiment.dataset}.${config.optimizer.type}`;
        const results: RunResult[] = [];
        for (const r of done) results.push(await storedRunResult(store, r));
        const files = writeResultFiles(resolve(options.out), stem, config, results, evolabVersion());
        if (done.length < runs.length) process.stderr.write(`evolab: note: ${runs.length - done.length} run(s) not done were left out\n`);
        process.stdout.write(`wrote ${files.join(', ')}\n`);
      });
    });
}
