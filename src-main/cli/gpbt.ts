// `evolab gpbt STUDY` and `evolab pbt STUDY`: population-based training from a study config
// with a `gpbt` or `pbt` section; members train through the queue in parallel slots. Prints
// the best member, its scores and its hyperparameter schedule.

import { basename } from 'node:path';
import type { Command } from 'commander';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { runGpbt } from '../hpo/gpbt.ts';
import { runPbt } from '../hpo/pbt.ts';
import { databaseOption } from './database-option.ts';
import { positiveInteger } from './options.ts';
import { readStudy } from './read-study.ts';
import { type StudyRunOptions, withQueue } from './study-runner.ts';

export function registerPopulationCommands(program: Command): void {
  for (const kind of ['gpbt', 'pbt'] as const) {
    program
      .command(kind)
      .description(kind === 'gpbt' ? 'Genealogical Population-Based Training (Scardigli et al. 2021)' : 'Population-Based Training (Jaderberg et al. 2017)')
      .argument('<study>', `study config with a "${kind}" section`)
      .option('--slots <n>', 'members training at once (default: the queue\'s slots)', positiveInteger)
      .option('--name <name>', 'study name (default: the file name)')
      .addOption(databaseOption())
      .addHelpText('after', `\nExample:\n  evolab ${kind} resources/studies/mnist_adam_${kind}.json`)
      .action(async (path: string, options: StudyRunOptions & { name?: string }) => {
        const study = readStudy(path);
        if (study[kind] === undefined) throw new UserInputError(path, `has no "${kind}" section`);
        const name = options.name ?? basename(path).replace(/\.json$/, '');
        await withQueue(options, async ({ store }, executor, parallel) => {
          const run = kind === 'gpbt' ? runGpbt : runPbt;
          const result = await run({ store, executor, study, name, parallel, log: (line) => process.stdout.write(`${line}\n`) });
          process.stdout.write(`\nbest: trial ${result.best.number} (generation ${result.best.generation}), ${study.objective.metric} ${result.best.value}, test ${result.best.testValue}\n`);
          process.stdout.write('hyperparameter schedule:\n');
          for (const step of result.schedule) process.stdout.write(`  generation ${step.generation} (trial ${step.trial}): ${JSON.stringify(step.params)}\n`);
          process.stdout.write(`study ${result.studyId}: evolab study genealogy ${result.studyId} --format csv\n`);
        });
      });
  }
}
