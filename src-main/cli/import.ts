// `evolab import FOLDER --name NAME`: result files made elsewhere (or by `evolab run`) become
// experiments of the database, one per `<dataset>.<optimizer>.csv`, tagged `imported` and
// `import:NAME`, with their runs done, their final metrics, and their per-epoch metrics when
// the `.epochs.csv` file is there. The config comes from `.meta.json` when present. Each file
// is imported in one transaction; a malformed file is reported by file, line and column and
// skipped whole, never half-imported.

import type { Command } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { databaseOption, type DatabaseOptions, withServicesCreating } from './database-option.ts';
import { fileLimits, maxFileOption } from './options.ts';

interface ImportOptions extends DatabaseOptions {
  readonly name: string;
  readonly maxFileMb?: number;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(describeCommand('import'))
    .argument('<folder>', 'folder of result files')
    .requiredOption('--name <name>', 'name of the imported group (experiments are tagged import:<name>)')
    .addOption(maxFileOption())
    .addOption(databaseOption())
    .addHelpText('after', '\nExample:\n  evolab import results/ --name "reference study"')
    .action(async (folder: string, options: ImportOptions) => {
      const [{ importGroup }, { describeProblem }, { readResultFolderInWorker }] = await Promise.all([
        import('../report/import-results.ts'),
        import('../report/read-results.ts'),
        import('../report/result-reader.ts'),
      ]);
      const { groups, metas, problems } = await readResultFolderInWorker(folder, fileLimits(options));
      for (const problem of problems) process.stderr.write(`evolab: ${describeProblem(problem)} (not imported)\n`);
      if (groups.length === 0) throw new UserInputError(folder, 'no valid result file to import');
      await withServicesCreating(options, async ({ store }) => {
        for (const group of groups) {
          const id = await importGroup(store, folder, group, options.name, metas.get(group.source));
          process.stdout.write(`experiment ${id}: ${group.source} (${group.runs.length} runs${group.epochs !== null ? ', per-epoch metrics' : ''})\n`);
        }
      });
    });
}
