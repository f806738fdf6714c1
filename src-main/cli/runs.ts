// `evolab runs ls [--experiment ID] [--status S]`: the runs in the database with their
// status and final metrics.

import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { RUN_STATUSES, type RunStatus } from '../../src-shared/api-names.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { formatNumber, textTable } from './text-table.ts';

interface RunsOptions extends DatabaseOptions {
  readonly experiment?: number;
  readonly status?: RunStatus[];
  readonly limit: number;
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description(describeCommand('runs'));
  runs
    .command('ls')
    .description('runs with their status and final metrics')
    .option('-e, --experiment <id>', "only this experiment's runs", positiveInteger)
    .addOption(new Option('--status <status...>', 'only runs with these statuses').choices(RUN_STATUSES))
    .option('--limit <n>', 'at most this many runs', positiveInteger, 1000)
    .addOption(databaseOption())
    .action(async (options: RunsOptions) => {
      await withServices(options, async ({ service }) => {
        const page = await service.listRuns({
          limit: options.limit,
          ...(options.experiment !== undefined ? { experimentId: options.experiment } : {}),
          ...(options.status !== undefined ? { status: options.status } : {}),
        });
        const rows = page.items.map((r) => [
          String(r.id),
          `${r.experimentName} #${r.index}`,
          r.status,
          String(r.seed),
          `${r.epoch}/${r.maxEpochs}`,
          formatNumber(r.final?.time),
          formatNumber(r.final?.train_loss),
          formatNumber(r.final?.val_loss),
          formatNumber(r.final?.test_loss),
          formatNumber(r.final?.test_acc),
          formatNumber(r.final?.model_evals),
          (r.backend ?? '-').split(' ')[0],
        ]);
        const header = ['run', 'experiment', 'status', 'seed', 'epochs', 'time', 'train_loss', 'val_loss', 'test_loss', 'test_acc', 'model_evals', 'backend'];
        process.stdout.write(`${textTable(header, rows, 3)}\n${page.items.length} of ${page.total} run(s)\n`);
      });
    });
}
