// A study config's identity: the same config (key order aside) gives the same hash, so the
// CLI finds an unfinished study of it to continue instead of starting another.

import { createHash } from 'node:crypto';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { canonicalJson } from '../store/experiments.ts';

export function studyHash(study: StudyConfig): string {
  return createHash('sha256').update(canonicalJson(study)).digest('hex');
}
