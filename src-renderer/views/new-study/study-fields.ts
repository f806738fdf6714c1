// Which inputs the New study form shows: the study's own fields (name, objective, seed,
// method) and the chosen method's settings, which depend on its sampler and pruner. Each
// field's key is its path in the study config (`gpbt.t_max`, `tune.sampler.gamma`), so the
// schema's problems land on it as they are; reading and writing a setting goes through the
// same path, and choosing a sampler or pruner fills in that one's defaults.

import { type FormField, getPath, isObject, type Json, type JsonObject, setPath } from '../new-experiment/config-form.ts';
import { prunerDefaults, samplerDefaults, STUDY_KINDS, type StudyKind } from './method-defaults.ts';

export const OBJECTIVE_METRICS = ['val_loss', 'val_acc', 'test_loss', 'test_acc', 'train_loss', 'train_acc'] as const;
export const SAMPLER_TYPES = ['random', 'tpe', 'cmaes', 'gp'] as const;
export const PRUNER_TYPES = ['none', 'median', 'asha', 'hyperband'] as const;

/** The method select; problems about the method sections as a whole ("give one of ...") belong to it. */
export const KIND_FIELD: FormField = { key: 'kind', label: 'Method', kind: 'select', options: STUDY_KINDS, aliases: ['tune', 'gpbt', 'pbt'] };

export const NAME_FIELD: FormField = { key: 'name', label: 'Name', kind: 'text', wide: true, maxLength: 200 };
export const DESCRIPTION_FIELD: FormField = {
  key: 'description',
  label: 'Description',
  kind: 'textarea',
  wide: true,
  placeholder: 'what this study looks for and why',
};
/** The objective and the seed: settings kept with the methods' sections. */
export const OBJECTIVE_FIELDS: readonly FormField[] = [
  { key: 'objective.metric', label: 'Objective metric', kind: 'select', options: OBJECTIVE_METRICS, aliases: ['objective'] },
  { key: 'objective.direction', label: 'Direction', kind: 'select', options: ['minimize', 'maximize'] },
  { key: 'seed', label: 'Seed', kind: 'integer', placeholder: '0' },
];

/** The study's own fields apart from the method. */
export const STUDY_FIELDS: readonly FormField[] = [NAME_FIELD, ...OBJECTIVE_FIELDS, DESCRIPTION_FIELD];

/** Where problems that no input owns are shown: the search space and the base config as a whole. */
export const SECTION_FIELDS: readonly FormField[] = [
  { key: 'space', label: 'Search space', kind: 'text' },
  { key: 'base', label: 'Base config', kind: 'text' },
];

const f = (key: string, label: string, kind: FormField['kind'], extra: Partial<FormField> = {}): FormField => ({ key, label, kind, ...extra });

function tuneFields(tune: Json | undefined): FormField[] {
  const sampler = getPath(tune, 'sampler');
  const pruning = getPath(tune, 'pruning');
  const samplerType = isObject(sampler) ? sampler.type : undefined;
  const prunerType = isObject(pruning) ? pruning.type : 'none';
  const fields: FormField[] = [
    f('tune.trials', 'Trials', 'integer', { placeholder: '50' }),
    f('tune.parallel', 'Parallel trials', 'integer', { placeholder: '4' }),
    f('tune.sampler.type', 'Sampler', 'select', { options: SAMPLER_TYPES, aliases: ['tune.sampler'], newRow: true }),
  ];
  if (samplerType === 'tpe') {
    fields.push(
      f('tune.sampler.startup_trials', 'Startup trials', 'integer', { placeholder: '10' }),
      f('tune.sampler.gamma', 'γ (good fraction)', 'number', { placeholder: '0.1' }),
      f('tune.sampler.candidates', 'Candidates', 'integer', { placeholder: '24' }),
    );
  } else if (samplerType === 'cmaes') {
    fields.push(
      f('tune.sampler.sigma0', 'σ0 (unit cube)', 'number', { placeholder: '0.3' }),
      f('tune.sampler.population', 'Population', 'integer', { placeholder: 'auto' }),
    );
  } else if (samplerType === 'gp') {
    fields.push(f('tune.sampler.startup_trials', 'Startup trials', 'integer', { placeholder: '10' }));
  }
  fields.push(f('tune.pruning.type', 'Pruning', 'select', { options: PRUNER_TYPES, aliases: ['tune.pruning'], newRow: true }));
  if (prunerType === 'median') {
    fields.push(
      f('tune.pruning.startup_trials', 'Pruner startup trials', 'integer', { placeholder: '5' }),
      f('tune.pruning.warmup_epochs', 'Warm-up epochs', 'integer', { placeholder: '2' }),
    );
  } else if (prunerType === 'asha') {
    fields.push(
      f('tune.pruning.min_resource', 'Min resource (epochs)', 'integer', { placeholder: '1' }),
      f('tune.pruning.reduction_factor', 'Reduction factor η', 'integer', { placeholder: '3' }),
      f('tune.pruning.min_early_stopping_rate', 'Min early-stopping rate', 'integer', { placeholder: '0' }),
    );
  } else if (prunerType === 'hyperband') {
    fields.push(
      f('tune.pruning.min_resource', 'Min resource (epochs)', 'integer', { placeholder: '1' }),
      f('tune.pruning.max_resource', 'Max resource (epochs)', 'integer', { placeholder: 'max_epochs' }),
      f('tune.pruning.reduction_factor', 'Reduction factor η', 'integer', { placeholder: '3' }),
    );
  }
  return fields;
}

const GPBT_FIELDS: readonly FormField[] = [
  f('gpbt.n', 'Models (n)', 'integer'),
  f('gpbt.t_max', 'Generations (t_max)', 'integer'),
  f('gpbt.T_g', 'Epochs per generation (T_g)', 'integer'),
  f('gpbt.c', 'Parent ratio (c)', 'number'),
  f('gpbt.sampler', 'Inner sampler', 'select', { options: ['tpe', 'random'] }),
  f('gpbt.mode', 'Mode', 'select', { options: ['time', 'no-time'] }),
  f('gpbt.early_stop', 'Early stop after 1 epoch', 'checkbox'),
];

const PBT_FIELDS: readonly FormField[] = [
  f('pbt.n', 'Models (n)', 'integer'),
  f('pbt.t_max', 'Generations (t_max)', 'integer'),
  f('pbt.T_g', 'Epochs per generation (T_g)', 'integer'),
  f('pbt.quantile', 'Quantile', 'number', { placeholder: '0.25' }),
  f('pbt.resample_probability', 'Resample probability', 'number', { placeholder: '0.25' }),
  f('pbt.factors', 'Perturbation factors', 'layers', { placeholder: '0.8, 1.2' }),
];

/** The settings inputs of a method, for its current section (the tune fields follow the sampler and pruner). */
export function methodFields(kind: StudyKind, settings: JsonObject): readonly FormField[] {
  if (kind === 'gpbt') return GPBT_FIELDS;
  if (kind === 'pbt') return PBT_FIELDS;
  return tuneFields(settings.tune);
}

/** A field's value in the settings (objective, seed and every method's section); no pruner reads "none". */
export function settingValue(settings: JsonObject, field: FormField): Json | undefined {
  if (field.key === 'tune.pruning.type') {
    const pruning = getPath(settings, 'tune.pruning');
    return isObject(pruning) ? pruning.type : 'none';
  }
  return getPath(settings, field.key);
}

/**
 * The settings after an input changed. A new sampler or pruner brings its own options (with
 * the schema's defaults); a new objective metric sets the direction it implies (accuracies up,
 * losses down) and drops a tie-break that was only the old metric's default.
 */
export function applySetting(settings: JsonObject, field: FormField, value: Json | undefined): JsonObject {
  // setPath on an object gives back an object (a copy with the path set).
  const set = (path: string, v: Json | undefined): JsonObject => setPath(settings, path, v) as JsonObject;
  if (field.key === 'tune.sampler.type' && typeof value === 'string') return set('tune.sampler', samplerDefaults(value));
  if (field.key === 'tune.pruning.type' && typeof value === 'string') return set('tune.pruning', prunerDefaults(value));
  if (field.key === 'objective.metric' && typeof value === 'string') {
    return set('objective', { metric: value, direction: value.endsWith('_acc') ? 'maximize' : 'minimize' });
  }
  return set(field.key, value);
}
