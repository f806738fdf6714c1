// `evolab evaluate FOLDER`: compares the result files of a folder (`<dataset>.<optimizer>.csv`,
// no database needed): per data set and metric the summary table and the pairwise one-sided
// p-values, as Markdown, or as JSON with --json (full precision). Malformed files are listed
// on stderr by file, line and column and left out; the others are still compared.

import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { fileLimits, maxFileOption } from './options.ts';
import { DEFAULT_METRICS } from '../../src-shared/api-names.ts';

interface EvaluateOptions {
  readonly json: boolean;
  readonly metric?: string[];
  readonly paired: boolean;
  readonly alpha: number;
  readonly maxFileMb?: number;
}

function alphaOption(value: string): number {
  const alpha = Number(value);
  if (!(alpha > 0 && alpha < 1)) throw new UserInputError('--alpha', `expected a number in (0, 1), got ${JSON.stringify(value)}`);
  return alpha;
}

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(describeCommand('evaluate'))
    .argument('<folder>', 'folder of result files')
    .option('--json', 'JSON with full-precision numbers instead of Markdown', false)
    .addOption(new Option('--metric <name...>', `metrics to compare (default: ${DEFAULT_METRICS.join(', ')})`))
    .option('--paired', 'match runs by index (seed) and use the Wilcoxon signed-rank test', false)
    .option('--alpha <a>', 'significance level after Holm correction', alphaOption, 0.05)
    .addOption(maxFileOption())
    .addHelpText('after', '\nExample:\n  evolab evaluate results/ --metric test_acc test_loss')
    .action(async (folder: string, options: EvaluateOptions) => {
      const [{ compareGroups }, { comparisonMarkdown }, { describeProblem }, { readResultFolderInWorker }] = await Promise.all([
        import('../../src-shared/stats/comparison.ts'),
        import('../report/comparison-markdown.ts'),
        import('../report/read-results.ts'),
        import('../report/result-reader.ts'),
      ]);
      const { groups, problems } = await readResultFolderInWorker(folder, fileLimits(options));
      for (const problem of problems) process.stderr.write(`evolab: ${describeProblem(problem)} (left out)\n`);
      if (groups.length === 0) throw new UserInputError(folder, 'no valid result file to compare');
      const tables = compareGroups(groups, {
        ...(options.metric !== undefined ? { metrics: options.metric } : {}),
        paired: options.paired,
        alpha: options.alpha,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ files: groups.map((g) => g.source), problems, tables }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`,
        );
        return;
      }
      process.stdout.write(`${tables.map(comparisonMarkdown).join('\n\n')}\n`);
    });
}
