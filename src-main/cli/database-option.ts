// The --db option shared by every command that uses the experiment database, and opening
// the services for a command: --db, else $EVOLAB_DB, else the user's data folder.

import { type Command, Option } from 'commander';
import type { Services } from '../services/boot.ts';
import { DATABASE_ENV, defaultDatabasePath } from '../store/default-path.ts';

export interface DatabaseOptions {
  readonly db?: string;
}

export function databaseOption(): Option {
  return new Option('--db <file>', `experiment database (default: $${DATABASE_ENV}, else ${defaultDatabasePath({})})`);
}

export function databasePath(options: DatabaseOptions): string {
  return options.db ?? defaultDatabasePath();
}

/** Services for a command that reads or edits the database but does not run the queue. */
export async function withServices<T>(options: DatabaseOptions, work: (services: Services) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: `evolab --help` and `--version` never open a database.
  const { boot } = await import('../services/boot.ts');
  const services = boot({ databasePath: databasePath(options) });
  try {
    return await work(services);
  } finally {
    await services.shutdown();
  }
}

export function registerDatabaseOption(command: Command): Command {
  return command.addOption(databaseOption());
}
