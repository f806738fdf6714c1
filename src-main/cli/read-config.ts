// Reads an experiment config file: missing file, invalid JSON and schema errors all become
// one-line UserInputErrors naming the file or the field.

import { isAbsolute, resolve } from 'node:path';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { readUserTextSync } from '../files/user-file.ts';

/** Configs are small: a larger file is a mistake (or not a config), refused before it is read. */
const CONFIG_LIMITS = { maxBytes: 16 * 1024 * 1024 };

/**
 * Parsed JSON of a file; a missing file, anything but a regular file, a file over 16 MiB and
 * invalid JSON are UserInputErrors naming the file. A UTF-8 byte-order mark (as Windows
 * editors write) is accepted.
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readUserTextSync(path, CONFIG_LIMITS);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    const problem = error.problem === 'no such file' ? 'no such config file' : error.problem.startsWith('is a folder') ? 'is a folder, not a config file' : error.problem;
    throw new UserInputError(path, problem);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserInputError(path, `invalid JSON (${(error as Error).message})`);
  }
}

export function readExperimentConfig(path: string): ExperimentConfig {
  const json = readJsonFile(path);
  try {
    return parseExperimentConfig(json);
  } catch (error) {
    if (error instanceof UserInputError) throw new UserInputError(`${path}: ${error.where}`, error.problem);
    throw error;
  }
}

/** The config with a CSV data set's relative path made absolute (relative to `baseDir`). */
export function withAbsoluteDatasetPath(config: ExperimentConfig, baseDir: string): ExperimentConfig {
  if (config.dataset.name !== 'csv' || isAbsolute(config.dataset.path)) return config;
  return { ...config, dataset: { ...config.dataset, path: resolve(baseDir, config.dataset.path) } };
}
