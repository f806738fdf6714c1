// The `evolab` command line: one sub-command per file in this folder, parsed by commander.
// User errors (bad flags, configs, data) print one line and exit with code 2; nothing else
// is printed and nothing is written. Other failures exit 1 (stack trace with EVOLAB_DEBUG=1).

import { Command, CommanderError } from 'commander';
import { evolabVersion } from '../services/environment.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { registerCompareCommand } from './compare.ts';
import { registerEvaluateCommand } from './evaluate.ts';
import { registerExportCommand } from './export.ts';
import { registerImportCommand } from './import.ts';
import { registerPopulationCommands } from './gpbt.ts';
import { registerQueueCommand } from './queue.ts';
import { registerReportCommand } from './report.ts';
import { registerRunCommand } from './run.ts';
import { registerRunsCommand } from './runs.ts';
import { Interrupted } from './study-client.ts';
import { registerServeCommand } from './serve.ts';
import { registerStudyCommand } from './study.ts';
import { registerTuneCommand } from './tune.ts';

export const EXIT_USER_ERROR = 2;

export { evolabVersion };

export function buildProgram(): Command {
  const program = new Command('evolab')
    .description('Evolab: train small neural networks with gradient methods and evolution strategies, and compare them.')
    .version(evolabVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // One line, same prefix as our own errors: "evolab: option '--runs <n>' argument '0' is invalid. ..."
      outputError: (text, write) => write(`evolab: ${text.replace(/^error: /, '').trimEnd()} (see evolab --help)\n`),
    });
  registerRunCommand(program);
  registerQueueCommand(program);
  registerServeCommand(program);
  registerRunsCommand(program);
  registerExportCommand(program);
  registerTuneCommand(program);
  registerPopulationCommands(program);
  registerStudyCommand(program);
  registerEvaluateCommand(program);
  registerCompareCommand(program);
  registerImportCommand(program);
  registerReportCommand(program);
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      process.stderr.write('evolab: interrupted; the study resumes when `evolab serve`, the app or the same command runs again\n');
      return 130;
    }
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; real parse errors were already printed.
      return error.exitCode === 0 ? 0 : EXIT_USER_ERROR;
    }
    if (error instanceof UserInputError || (error instanceof ApiError && error.code !== 'internal')) {
      process.stderr.write(`evolab: ${error.message}\n`);
      return EXIT_USER_ERROR;
    }
    const err = error as Error;
    process.stderr.write(`evolab: internal error: ${err.message}\n`);
    if (process.env.EVOLAB_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}
