// Reads what `evolab tune / gpbt / pbt` are given: a study config (base config + search space
// + method), or for `tune` also a plain experiment config, which gets the reference study's
// search space for its optimizer. Errors name the file and the field.

import { dirname, resolve } from 'node:path';
import { UserInputError, ValidationError } from '../../src-shared/config/errors.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { defaultSpace, parseStudyConfig, type StudyConfig } from '../../src-shared/config/study.ts';
import { readJsonFile, withAbsoluteDatasetPath } from './read-config.ts';

function inFile(path: string, error: unknown): never {
  if (error instanceof ValidationError) throw new ValidationError(error.problems.map((p) => new UserInputError(`${path}: ${p.where}`, p.problem)));
  if (error instanceof UserInputError && !error.where.startsWith(path)) throw new UserInputError(`${path}: ${error.where}`, error.problem);
  throw error;
}

/** A study config file; `fallback` builds the study around a plain experiment config (tune only). */
export function readStudy(path: string, fallback?: (config: ReturnType<typeof parseExperimentConfig>) => object): StudyConfig {
  const json = readJsonFile(path);
  const folder = dirname(resolve(path));
  const isStudy = json !== null && typeof json === 'object' && ('space' in json || 'base' in json);
  try {
    if (!isStudy) {
      if (fallback === undefined) throw new UserInputError('', 'expected a study config (with "base" and "space")');
      const base = withAbsoluteDatasetPath(parseExperimentConfig(json), folder);
      return parseStudyConfig({ base, space: defaultSpace(base), ...fallback(base) }, () => base);
    }
    const study = parseStudyConfig(json, (basePath) => readJsonFile(resolve(folder, basePath)));
    const baseFolder = typeof (json as { base?: unknown }).base === 'string' ? dirname(resolve(folder, String((json as { base: string }).base))) : folder;
    return { ...study, base: withAbsoluteDatasetPath(study.base, baseFolder) };
  } catch (error) {
    return inFile(path, error);
  }
}
