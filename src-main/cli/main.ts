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
 * Commander's message in our words: an invalid value is named by its flag or argument, then
 * the parser's own explanation, once ("option '-n, --runs <n>' argument 'abc' is invalid.
 * expected ..." becomes "--runs: expected ...").
 */
export function commanderMessage(text: string): string {
  const message = text.replace(/^error: /, '').trim();
  const explain = (value: string, why: string): string => {
    const choices = /^Allowed choices are (.*)\.$/.exec(why);
    return choices === null ? why : `expected one of ${choices[1]}, got "${value}"`;
  };
  const option = /^option '([^']+)' argument '(.*)' is invalid\. (.*)$/s.exec(message);
  if (option !== null) return `${option[1].split(/[ ,]+/).find((part) => part.startsWith('--')) ?? option[1]}: ${explain(option[2], option[3])}`;
  const argument = /^command-argument value '(.*)' is invalid for argument '([^']+)'\. (.*)$/s.exec(message);
  if (argument !== null) return `<${argument[2]}>: ${explain(argument[1], argument[3])}`;
  return message;
}

/** "evolab run --help" when a command was named, else "evolab --help". */
function helpCommand(argv: readonly string[]): string {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  return COMMANDS.some((c) => c.name === named) ? `evolab ${named} --help` : 'evolab --help';
}

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
      // One line, same prefix and shape as our own errors: "evolab: --runs: expected a positive integer, got "0"".
      outputError: (text, write) => write(`evolab: ${commanderMessage(text)} (see ${helpCommand(argv)})\n`),
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
