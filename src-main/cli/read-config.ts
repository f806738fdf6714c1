// Reads an experiment config file: missing file, invalid JSON and schema errors all become
// one-line UserInputErrors naming the file or the field.

import { isAbsolute, resolve } from 'node:path';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { readJsonFile } from '../files/json-file.ts';

export { readJsonFile };

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
