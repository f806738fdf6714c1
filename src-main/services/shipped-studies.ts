// The studies shipped in resources/studies, each with its base config read and put inline:
// the starting points of the New study view. A shipped file that does not parse is left out
// (and the shipped-studies test keeps that from happening).

import { join } from 'node:path';
import type { StudyTemplate } from '../../src-shared/api.ts';
import { parseStudyConfig } from '../../src-shared/config/study.ts';
import { jsonFilesIn, readJsonFile } from '../files/json-file.ts';
import { studyKind } from '../hpo/methods.ts';

export function shippedStudies(folder: string): StudyTemplate[] {
  return jsonFilesIn(folder).flatMap((file) => {
    try {
      const config = parseStudyConfig(readJsonFile(join(folder, file)), (base) => readJsonFile(join(folder, base)));
      return [{ file, name: config.name ?? file.replace(/\.json$/, ''), kind: studyKind(config), config }];
    } catch {
      return [];
    }
  });
}
