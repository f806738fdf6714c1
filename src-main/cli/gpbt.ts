// `evolab gpbt STUDY` and `evolab pbt STUDY`: population-based training from a study config
// with a `gpbt` or `pbt` section, run by the study service (a running `evolab serve`, else
// this process). Prints the best member, its scores and its hyperparameter schedule.

import { basename } from 'node:path';
import type { Command } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { databaseOption } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { runStudy, type StudyRunOptions } from './study-client.ts';
import { printStudyResult } from './study.ts';

export function registerPopulationCommands(program: Command): void {
  for (const kind of ['gpbt', 'pbt'] as const) {
    program
      .command(kind)
      .description(describeCommand(kind))
      .argument('<study>', `study config with a "${kind}" section`)
      .option('--slots <n>', "members training at once when this command runs the study (default: the queue's slots)", positiveInteger)
      .option('--name <name>', "study name (default: the config's name, else the file name)")
      .option('-q, --quiet', 'print only the result', false)
      .addOption(databaseOption())
      .addHelpText('after', `\nExample:\n  evolab ${kind} resources/studies/iris_adam_${kind}.json`)
      .action(async (path: string, options: StudyRunOptions) => {
        const { readStudy } = await import('./read-study.ts');
        const study = readStudy(path);
        if (study[kind] === undefined) throw new UserInputError(path, `has no "${kind}" section`);
        printStudyResult(await runStudy(study, { ...options, name: options.name ?? study.name ?? basename(path).replace(/\.json$/, '') }));
      });
  }
}
