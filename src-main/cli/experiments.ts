// `evolab experiments ls`: the experiments of the database with their ids (what `export`,
// `compare`, `report` and `queue` take), name, status, runs and creation date, with the
// AppApi's filters: search, tags, status, data set, optimizer; studies' trial experiments are
// left out unless asked for (--trials, or --study ID for one study's); archived experiments
// (archived in the UI) only with --archived (those alone) or --all-archived (with the rest).

import { type Command, Option } from 'commander';
import { EXPERIMENT_STATUSES, type ExperimentStatus } from '../../src-shared/api-names.ts';
import { describeCommand } from './commands.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { formatNumber, textTable } from './text-table.ts';

interface ExperimentsOptions extends DatabaseOptions {
  readonly search?: string;
  readonly tag: string[];
  readonly status?: ExperimentStatus[];
  readonly dataset?: string;
  readonly optimizer?: string;
  readonly trials: boolean;
  readonly study?: number;
  readonly archived: boolean;
  readonly allArchived: boolean;
  readonly limit: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description(describeCommand('experiments'));
  experiments
    .command('ls')
    .description('experiments, newest first: id, name, status, runs done/total, mean test accuracy, created')
    .option('--search <text>', 'name, notes or a tag containing this text')
    .option('--tag <tag>', 'only experiments with this tag (repeat for several)', collect, [])
    .addOption(new Option('--status <status...>', 'only experiments with these statuses').choices(EXPERIMENT_STATUSES))
    .option('--dataset <name>', 'only this data set')
    .option('--optimizer <type>', 'only this optimizer')
    .option('--trials', "also the studies' trial experiments", false)
    .option('--study <id>', 'only the trial experiments of this study', positiveInteger)
    .option('--archived', 'only archived experiments (hidden otherwise)', false)
    .option('--all-archived', 'archived experiments too, with the others', false)
    .option('--limit <n>', 'at most this many', positiveInteger, 1000)
    .addOption(databaseOption())
    .addHelpText('after', '\nExamples:\n  evolab experiments ls\n  evolab experiments ls --tag baseline --status done')
    .action(async (options: ExperimentsOptions) => {
      await withServices(options, async ({ service }) => {
        const page = await service.listExperiments({
          limit: Math.min(options.limit, 10_000),
          includeTrials: options.trials,
          archived: options.archived ? 'only' : options.allArchived ? 'include' : 'exclude',
          ...(options.study !== undefined ? { studyId: options.study } : {}),
          ...(options.search !== undefined ? { search: options.search } : {}),
          ...(options.tag.length > 0 ? { tags: options.tag } : {}),
          ...(options.status !== undefined ? { status: options.status } : {}),
          ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
          ...(options.optimizer !== undefined ? { optimizer: options.optimizer } : {}),
        });
        const rows = page.items.map((e) => [
          String(e.id),
          e.name,
          e.dataset,
          e.optimizer,
          e.status,
          `${e.runsDone}/${e.runsTotal}`,
          formatNumber(e.meanTestAcc),
          e.tags.join(' '),
          e.createdAt.slice(0, 19).replace('T', ' '),
        ]);
        const header = ['id', 'name', 'dataset', 'optimizer', 'status', 'runs', 'test_acc', 'tags', 'created'];
        process.stdout.write(`${textTable(header, rows, 5)}\n${page.items.length} of ${page.total} experiment(s)\n`);
      });
    });
}
