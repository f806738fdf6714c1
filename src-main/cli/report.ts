// `evolab report ID ... | --folder DIR  --pdf FILE --html FILE`: the comparison report of
// experiments in the database (or of a folder of result files) as self-contained HTML and/or
// A4 PDF (headless Chromium).

import { writeFileSync } from 'node:fs';
import { cpus, hostname, platform, totalmem } from 'node:os';
import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { DEFAULT_METRICS } from '../../src-shared/api-names.ts';
import type { ResultGroup } from '../../src-shared/stats/comparison.ts';
import type { GroupDescription } from '../report/html-report.ts';
import { evolabVersion } from '../services/environment.ts';
import { databaseOption, type DatabaseOptions, withServices } from './database-option.ts';
import { fileLimits, maxFileOption, positiveInteger } from './options.ts';
import { Progress } from './progress.ts';

interface ReportOptions extends DatabaseOptions {
  readonly folder?: string;
  readonly pdf?: string;
  readonly html?: string;
  readonly title?: string;
  readonly metric?: string[];
  readonly paired: boolean;
  readonly maxFileMb?: number;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(describeCommand('report'))
    .argument('[experiment-ids...]', 'experiment ids of the database')
    .option('--folder <dir>', 'a folder of <dataset>.<optimizer>.csv result files instead of experiments')
    .option('--pdf <file>', 'write an A4 PDF (needs Chromium)')
    .option('--html <file>', 'write the self-contained HTML')
    .option('--title <text>', 'report title', 'Evolab comparison report')
    .addOption(new Option('--metric <name...>', `metrics of the tables (default: ${DEFAULT_METRICS.join(', ')})`))
    .option('--paired', 'match runs by index (seed) and use the Wilcoxon signed-rank test', false)
    .addOption(maxFileOption())
    .addOption(databaseOption())
    .addHelpText('after', '\nExamples:\n  evolab report 3 4 5 6 --pdf report.pdf --html report.html\n  evolab report --folder results/ --pdf report.pdf')
    .action(async (ids: string[], options: ReportOptions) => {
      if (options.pdf === undefined && options.html === undefined) throw new UserInputError('--pdf', 'give --pdf FILE and/or --html FILE');
      if ((ids.length === 0) === (options.folder === undefined))
        throw new UserInputError('experiment-ids', 'give experiment ids or --folder, not both or neither');
      const started = performance.now();
      // Few unequal steps (reading, statistics and charts, writing, printing the PDF): a step
      // bar with the elapsed time, no ETA.
      const progress = new Progress();
      const written: string[] = [];
      try {
        const steps = progress.bar('report', 2 + (options.html !== undefined ? 1 : 0) + (options.pdf !== undefined ? 1 : 0), 'steps', { showEta: false });
        let step = 0;
        const next = (detail: string): void => steps.update(step++, { detail });
        next('reading results');
        const [{ renderHtmlReport }, { htmlToPdf }, { describeProblem }, { readResultFolderInWorker }, { storedGroups }] = await Promise.all([
          import('../report/html-report.ts'),
          import('../report/pdf.ts'),
          import('../report/read-results.ts'),
          import('../report/result-reader.ts'),
          import('../report/stored-groups.ts'),
        ]);
        let groups: ResultGroup[];
        let configs = new Map<string, unknown>();
        let backends: string[] = [];
        let descriptions: GroupDescription[] | undefined;
        if (options.folder !== undefined) {
          const folder = await readResultFolderInWorker(options.folder, fileLimits(options));
          for (const problem of folder.problems) process.stderr.write(`evolab: ${describeProblem(problem)} (left out)\n`);
          groups = folder.groups;
          const seen = new Set<string>();
          for (const group of groups) {
            const meta = folder.metas.get(group.source);
            if (meta === undefined) continue;
            configs.set(group.source, meta.config);
            for (const backend of meta.backends) seen.add(backend);
          }
          backends = [...seen];
        } else {
          const stored = await withServices(options, async ({ store }) =>
            storedGroups(
              store,
              ids.map((id) => positiveInteger(id)),
            ),
          );
          ({ groups, configs, backends, descriptions } = stored);
        }
        if (groups.length === 0) throw new UserInputError(options.folder ?? 'experiment-ids', 'nothing to report');
        next('statistics and charts');
        const html = renderHtmlReport({
          title: options.title ?? 'Evolab comparison report',
          groups,
          configs,
          environment: {
            evolab: evolabVersion(),
            node: process.version,
            machine: `${hostname()} (${platform()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB)`,
            backends,
            created: new Date().toISOString(),
          },
          ...(options.metric !== undefined ? { metrics: options.metric } : {}),
          ...(descriptions !== undefined ? { descriptions } : {}),
          paired: options.paired,
        });
        if (options.html !== undefined) {
          next('writing HTML');
          writeFileSync(options.html, html);
          written.push(options.html);
        }
        if (options.pdf !== undefined) {
          next('printing the PDF');
          writeFileSync(options.pdf, await htmlToPdf(html));
          written.push(options.pdf);
        }
      } finally {
        progress.stop();
      }
      process.stdout.write(`wrote ${written.join(', ')} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    });
}
