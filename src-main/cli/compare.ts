// `evolab compare ID ID ... [--metric m ...] [--paired] [--json]`: the comparison tables of
// experiments in the database (each experiment a row, labelled by its name), as `evaluate`
// prints them for result folders.

import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { DEFAULT_METRICS } from '../../src-shared/api-names.ts';

interface CompareOptions extends DatabaseOptions {
  readonly metric?: string[];
  readonly paired: boolean;
  readonly json: boolean;
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(describeCommand('compare'))
    .argument('<experiment-ids...>', 'experiment ids (see evolab runs ls)')
    .addOption(new Option('--metric <name...>', `metrics (default: ${DEFAULT_METRICS.join(', ')})`))
    .option('--paired', 'match runs by index (seed) and use the Wilcoxon signed-rank test', false)
    .option('--json', 'JSON with full-precision numbers', false)
    .addOption(databaseOption())
    .addHelpText('after', '\nExample:\n  evolab compare 3 4 5 6 --metric test_acc')
    .action(async (ids: string[], options: CompareOptions) => {
      const [{ comparisonMarkdown }, { storedGroups }, { compareGroups }] = await Promise.all([
        import('../report/comparison-markdown.ts'),
        import('../report/stored-groups.ts'),
        import('../../src-shared/stats/comparison.ts'),
      ]);
      const experimentIds = ids.map((id) => positiveInteger(id));
      await withServices(options, async ({ store }) => {
        const { groups } = await storedGroups(store, experimentIds);
        const tables = compareGroups(groups, { ...(options.metric !== undefined ? { metrics: options.metric } : {}), paired: options.paired });
        if (options.json)
          process.stdout.write(`${JSON.stringify({ tables }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
        else process.stdout.write(`${tables.map(comparisonMarkdown).join('\n\n')}\n`);
      });
    });
}
