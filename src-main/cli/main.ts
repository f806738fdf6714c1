// The `evolab` command line: one sub-command per file in this folder, parsed by commander.
// User errors (bad flags, configs, data) print one line and exit with code 2; nothing else
// is printed and nothing is written. Other failures exit 1 (stack trace with EVOLAB_DEBUG=1).

import { Command, CommanderError } from 'commander';
import { evolabVersion } from '../services/environment.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { COMMANDS } from './commands.ts';
import { Interrupted } from './study-client.ts';

export const EXIT_USER_ERROR = 2;

export { evolabVersion };

/**
 * The program for `argv`: every command's name and description (all that `evolab --help`
 * needs), and the full definition (options, sub-commands, action) of the one command named,
 * loaded only then.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('evolab')
    .description('Evolab: train small neural networks with gradient methods and evolution strategies, and compare them.')
    .version(evolabVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // One line, same prefix as our own errors: "evolab: option '--runs <n>' argument '0' is invalid. ..."
      outputError: (text, write) => write(`evolab: ${text.replace(/^error: /, '').trimEnd()} (see evolab --help)\n`),
    });
  const args = argv.slice(2);
  const first = args.find((a) => !a.startsWith('-'));
  const named = first === 'help' ? args[args.indexOf('help') + 1] : first;
  const chosen = COMMANDS.find((c) => c.name === named);
  if (chosen !== undefined) {
    (await chosen.load())(program);
  }
  for (const command of COMMANDS) {
    if (!program.commands.some((c) => c.name() === command.name)) program.command(command.name).description(command.description);
  }
  // Commands in the table's order, whatever was loaded first.
  (program.commands as Command[]).sort((a, b) => COMMANDS.findIndex((c) => c.name === a.name()) - COMMANDS.findIndex((c) => c.name === b.name()));
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
