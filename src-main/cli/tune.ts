// `evolab tune CONFIG --trials N --sampler tpe|random|cmaes|gp`: a tuning study. CONFIG is a
// study config, or an experiment config that gets the reference study's search space for
// its optimizer (learning rate for SGD/Adam; population and sigma0 for CMA-ES). The study runs
// in the study service (a running `evolab serve`, else this process); running the same
// command again continues an unfinished study of the same config.

import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { describeCommand } from './commands.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { SAMPLER_KINDS, type SamplerKind } from '../hpo/samplers/sampler.ts';
import { databaseOption } from './database-option.ts';
import { nonNegativeInteger, positiveInteger } from './options.ts';
import { runStudy, type StudyRunOptions } from './study-client.ts';
import { printStudyResult } from './study.ts';

interface TuneOptions extends StudyRunOptions {
  readonly trials?: number;
  readonly sampler?: SamplerKind;
  readonly seed?: number;
}

export function registerTuneCommand(program: Command): void {
  program
    .command('tune')
    .description(describeCommand('tune'))
    .argument('<config>', 'study config, or an experiment config (reference search space)')
    .option('--trials <n>', "number of trials (default: the study config's, else 50)", positiveInteger)
    .addOption(new Option('--sampler <kind>', "sampler (default: the study config's, else tpe)").choices(SAMPLER_KINDS))
    .option('--seed <seed>', 'seed of the sampler and of every trial', nonNegativeInteger)
    .option('--slots <n>', "runs at once when this command runs the study (default: the queue's slots)", positiveInteger)
    .option('--name <name>', "study name (default: the config's name, else the file name)")
    .option('-q, --quiet', 'print only the result', false)
    .addOption(databaseOption())
    .addHelpText('after', '\nExample:\n  evolab tune resources/configs/iris_cmaes.json --trials 50 --sampler tpe')
    .action(async (path: string, options: TuneOptions) => {
      const [{ readStudy }, { defaultTuneSettings }, { samplerRegistry }] = await Promise.all([
        import('./read-study.ts'),
        import('../../src-shared/config/study.ts'),
        import('../hpo/samplers/registry.ts'),
      ]);
      const parsed = readStudy(path, () => ({ tune: {} }));
      if (parsed.gpbt !== undefined || parsed.pbt !== undefined) throw new UserInputError(path, 'is a GPBT/PBT study: run it with evolab gpbt or evolab pbt');
      const tune = parsed.tune ?? defaultTuneSettings();
      const study: StudyConfig = {
        ...parsed,
        seed: options.seed ?? parsed.seed,
        tune: {
          ...tune,
          ...(options.trials !== undefined ? { trials: options.trials } : {}),
          ...(options.sampler !== undefined ? { sampler: samplerRegistry[options.sampler].defaults } : {}),
        },
      };
      printStudyResult(await runStudy(study, { ...options, name: options.name ?? study.name ?? basename(path).replace(/\.json$/, '') }));
    });
}
