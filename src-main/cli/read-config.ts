// Reads an experiment config file: missing file, invalid JSON and schema errors all become
// one-line UserInputErrors naming the file or the field.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from '../../src-shared/config/experiment.ts';

/** Parsed JSON of a file; a missing file or invalid JSON is a UserInputError naming the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(path, code === 'ENOENT' ? 'no such config file' : code === 'EISDIR' ? 'is a folder, not a config file' : 'cannot read the config file');
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
