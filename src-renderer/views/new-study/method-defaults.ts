// The settings each study method starts from in the New study view. The service's registry
// (src-main/hpo/methods.ts, METHOD_DEFAULTS) is the source of truth; it lives beside the
// methods themselves, which the renderer must not bundle, so the values are repeated here and
// method-defaults.test.ts keeps the two equal. The tune section comes from the shared schema.

import { defaultTuneSettings, studyConfigSchema } from '../../../src-shared/config/study.ts';
import type { Json, JsonObject } from '../new-experiment/config-form.ts';

export type StudyKind = 'tune' | 'gpbt' | 'pbt';
export const STUDY_KINDS: readonly StudyKind[] = ['tune', 'gpbt', 'pbt'];

/** A deep copy as plain JSON (the parsed defaults are readonly and shared). */
function json(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

export function methodDefaults(): Record<StudyKind, JsonObject> {
  return {
    tune: json(defaultTuneSettings()),
    gpbt: { n: 8, t_max: 5, c: 2, T_g: 1, sampler: 'tpe', mode: 'time', early_stop: true },
    pbt: { n: 8, t_max: 5, T_g: 1, quantile: 0.25, resample_probability: 0.25, factors: [0.8, 1.2] },
  };
}

/**
 * The tune section the schema makes of `tune` (its defaults filled in), or null if it is not
 * valid. Used for a sampler's or pruner's option defaults when one is chosen in the form, so
 * the view never repeats the schema's numbers.
 */
function parsedTune(tune: Json): JsonObject | null {
  const parsed = studyConfigSchema.safeParse({ base: {}, space: { x: { type: 'categorical', choices: [0] } }, tune });
  return parsed.success && parsed.data.tune !== undefined ? json(parsed.data.tune) : null;
}

/** A sampler of `type` with the schema's default options. */
export function samplerDefaults(type: string): JsonObject {
  const sampler = parsedTune({ sampler: { type } })?.sampler;
  return typeof sampler === 'object' && sampler !== null && !Array.isArray(sampler) ? sampler : { type };
}

/** A pruner of `type` with the schema's default options ('none' = no pruning: null). */
export function prunerDefaults(type: string): JsonObject | null {
  if (type === 'none') return null;
  const pruning = parsedTune({ pruning: { type } })?.pruning;
  return typeof pruning === 'object' && pruning !== null && !Array.isArray(pruning) ? pruning : { type };
}
