// The --db option shared by every command that uses the experiment database, and opening
// the services for a command: --db, else $EVOLAB_DB, else the user's data folder.

import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { Services } from '../services/boot.ts';
import { DATABASE_ENV, defaultDatabasePath } from '../store/default-path.ts';
import { isPostgresUrl } from '../store/location.ts';

export interface DatabaseOptions {
  readonly db?: string;
}

export function databaseOption(): Option {
  return new Option(
    '--db <file-or-url>',
    `experiment database: an SQLite file or a postgres:// URL (default: $${DATABASE_ENV}, else ${defaultDatabasePath({})})`,
  );
}

export function databasePath(options: DatabaseOptions): string {
  return options.db ?? defaultDatabasePath();
}

/**
 * Services for a command that reads or edits the database but does not run the queue. Only
 * commands that put something in (queue add, import, queue settings) create a database; the
 * others say there is none, rather than leave an empty one behind at a mistyped path.
 */
export async function withServices<T>(options: DatabaseOptions, work: (services: Services) => Promise<T>, opening: { create?: boolean } = {}): Promise<T> {
  const path = databasePath(options);
  if (!(opening.create ?? false) && path !== ':memory:' && !isPostgresUrl(path) && !existsSync(path)) {
    throw new UserInputError(
      '--db',
      `there is no database at ${path} yet: it is made by the first evolab queue add, import, tune, gpbt, pbt or serve${options.db === undefined ? ` (or give --db FILE or $${DATABASE_ENV})` : ''}`,
    );
  }
  // Loaded here, not at the top: `evolab --help` and `--version` never open a database.
  const { boot } = await import('../services/boot.ts');
  const services = await boot({ databasePath: path });
  try {
    return await work(services);
  } finally {
    await services.shutdown();
  }
}

/** withServices for the commands that put something in: the database is made when missing. */
export function withServicesCreating<T>(options: DatabaseOptions, work: (services: Services) => Promise<T>): Promise<T> {
  return withServices(options, work, { create: true });
}

export function registerDatabaseOption(command: Command): Command {
  return command.addOption(databaseOption());
}
