// Reads a JSON file a user names (a config, a study): a missing file, anything but a regular
// file, a file over 16 MiB and invalid JSON are UserInputErrors naming the file. A UTF-8
// byte-order mark (as Windows editors write) is accepted.

import { readdirSync } from 'node:fs';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { readUserTextSync } from './user-file.ts';

/** Configs are small: a larger file is a mistake (or not a config), refused before it is read. */
const CONFIG_LIMITS = { maxBytes: 16 * 1024 * 1024 };

/** Parsed JSON of a file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readUserTextSync(path, CONFIG_LIMITS);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    const problem =
      error.problem === 'no such file' ? 'no such config file' : error.problem.startsWith('is a folder') ? 'is a folder, not a config file' : error.problem;
    throw new UserInputError(path, problem);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserInputError(path, `invalid JSON (${(error as Error).message})`);
  }
}

/** The .json files of a folder of shipped configs or studies, sorted; none when the folder is missing. */
export function jsonFilesIn(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
}
