// A study being written in the New study form, without Vue: where it starts from (a shipped
// study, or an earlier experiment's config as the base), the study config it makes, its
// validation by the service's own schema (parseStudyConfig with the base inline), the
// problems placed at the inputs that show them, and the createStudy request.

import { type ApiRequest, parseRequest } from '../../../src-shared/api.ts';
import { UserInputError, ValidationError } from '../../../src-shared/config/errors.ts';
import { datasetLabel, type ExperimentConfig, parseExperimentConfig } from '../../../src-shared/config/experiment.ts';
import { defaultSecondary, defaultSpace, parseStudyConfig, type StudyConfig } from '../../../src-shared/config/study.ts';
import { type FieldProblem, type FormField, isObject, type Json, type JsonObject, placeProblems } from '../new-experiment/config-form.ts';
import { methodDefaults, STUDY_KINDS, type StudyKind } from './method-defaults.ts';
import { rowProblems, rowsFromSpace, type SpaceRow, spaceFromRows, spaceProblemKey } from './search-space.ts';

export interface StudyDraft {
  /** The study's name as typed ('' = the service's default). */
  readonly name: string;
  /** Free text ('' = none). */
  readonly description: string;
  /** The base experiment config, inline; shown, not edited (edit an experiment for that). */
  readonly base: Json;
  readonly rows: readonly SpaceRow[];
  readonly kind: StudyKind;
  /** objective, seed and every method's section: switching the method and back loses nothing. */
  readonly settings: JsonObject;
}

const plain = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;

/** The objective as a draft keeps it: the tie-break only when it is not the metric's default. */
function objectiveOf(value: unknown): JsonObject {
  const given = plain(value);
  const o: JsonObject = isObject(given) ? given : {};
  const metric = typeof o.metric === 'string' ? o.metric : 'val_loss';
  const objective: JsonObject = { metric, direction: typeof o.direction === 'string' ? o.direction : metric.endsWith('_acc') ? 'maximize' : 'minimize' };
  if (typeof o.secondary === 'string' && o.secondary !== defaultSecondary(metric as Parameters<typeof defaultSecondary>[0])) objective.secondary = o.secondary;
  return objective;
}

/** A draft from a study config (a shipped study's, its base inline). */
export function draftFromStudy(config: unknown, name: string): StudyDraft {
  const given = plain(config);
  const c: JsonObject = isObject(given) ? given : {};
  const kind = STUDY_KINDS.find((k) => isObject(c[k])) ?? 'tune';
  const settings: JsonObject = { objective: objectiveOf(c.objective), seed: typeof c.seed === 'number' ? c.seed : 0, ...methodDefaults() };
  settings[kind] = c[kind] ?? settings[kind];
  return { name, description: typeof c.description === 'string' ? c.description : '', base: c.base ?? {}, rows: rowsFromSpace(c.space), kind, settings };
}

/** A draft tuning an experiment: its config as the base, the reference search space for its optimizer. */
export function draftFromExperiment(config: unknown, experimentName: string): StudyDraft {
  let space: unknown = {};
  try {
    space = defaultSpace(parseExperimentConfig(config));
  } catch {
    // An experiment stored before a schema change: start with an empty space; the form says what is wrong with the base.
  }
  return draftFromStudy(
    { base: config, space, objective: { metric: 'val_loss' }, seed: 0, tune: methodDefaults().tune },
    `${experimentName} (tuned)`.slice(0, 200),
  );
}

/** The study config the draft describes (base inline, only the chosen method's section). */
export function studyConfigOf(draft: StudyDraft): JsonObject {
  const config: JsonObject = {};
  const name = draft.name.trim();
  if (name !== '') config.name = name;
  if (draft.description.trim() !== '') config.description = draft.description;
  config.base = draft.base;
  config.space = spaceFromRows(draft.rows);
  if (draft.settings.objective !== undefined) config.objective = draft.settings.objective;
  if (draft.settings.seed !== undefined) config.seed = draft.settings.seed;
  config[draft.kind] = draft.settings[draft.kind] ?? {};
  return config;
}

function problemsOf(error: unknown): FieldProblem[] {
  if (error instanceof ValidationError) return error.problems.map((p) => ({ where: p.where, problem: p.problem }));
  if (error instanceof UserInputError) return [{ where: error.where, problem: error.problem }];
  throw error;
}

/**
 * Checks the draft as the service will: the study schema with the base inline (so the loader
 * is never called), the name as createStudy's request schema says, and the rows' own checks.
 * Problems are filed under study config paths (`gpbt.t_max`, `space.optimizer.lr.high`).
 */
export function checkStudy(draft: StudyDraft): { readonly config: StudyConfig | null; readonly problems: readonly FieldProblem[] } {
  const problems: FieldProblem[] = [...rowProblems(draft.rows)];
  let config: StudyConfig | null = null;
  try {
    config = parseStudyConfig(studyConfigOf(draft), () => {
      throw new UserInputError('base', 'the base config must be inline');
    });
  } catch (error) {
    problems.push(...problemsOf(error));
  }
  if (draft.name.trim() !== '') {
    try {
      parseRequest('createStudy', { config: null, name: draft.name });
    } catch (error) {
      problems.push(...problemsOf(error));
    }
  }
  return { config: problems.length === 0 ? config : null, problems };
}

/** The name the service gives a study left unnamed ("gpbt iris adam"). */
export function defaultStudyName(draft: StudyDraft): string {
  try {
    const base: ExperimentConfig = parseExperimentConfig(draft.base);
    return `${draft.kind} ${datasetLabel(base)} ${base.optimizer.type}`;
  } catch {
    return draft.kind;
  }
}

/** A problem placed in the form: the input that shows it (key, or null) and the study path it is about. */
export interface PlacedProblem extends FieldProblem {
  readonly key: string | null;
  readonly path: string;
}

export interface PlacedStudyProblems {
  readonly byField: ReadonlyMap<string, readonly string[]>;
  readonly all: readonly PlacedProblem[];
}

/**
 * Puts each problem at the input that shows it: a search-space problem at its row's input
 * (`space.optimizer.lr.high` at that row's High), a base-config problem at the base summary,
 * everything else at the field of that path (the most specific one, or its section's select).
 */
export function placeStudyProblems(problems: readonly FieldProblem[], rows: readonly SpaceRow[], fields: readonly FormField[]): PlacedStudyProblems {
  const keyed = problems.map((p) => {
    const where = p.where.startsWith('space[')
      ? p.where
      : p.where === 'space' || p.where.startsWith('space.')
        ? spaceProblemKey(p.where, rows)
        : p.where.startsWith('base')
          ? 'base'
          : p.where;
    return { where, problem: p.problem, path: p.where };
  });
  const placed = placeProblems(keyed, fields);
  return { byField: placed.byField, all: placed.all.map((p, i) => ({ where: p.where, problem: p.problem, key: p.key, path: keyed[i].path })) };
}

/** Problems the service filed under the request's fields: `config.<path>` back to study paths. */
export function serverProblemsOf(problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ where: p.where === 'config' ? '' : p.where.replace(/^config\./, ''), problem: p.problem }));
}

/** The createStudy request of a valid draft. */
export function buildStudyRequest(draft: StudyDraft, start: boolean): ApiRequest<'createStudy'> {
  const name = draft.name.trim();
  return { config: studyConfigOf(draft), ...(name !== '' ? { name } : {}), start };
}
