// The New study form's rules without a browser: a draft from a shipped study or an experiment,
// the study config it makes, the schema's problems placed at the inputs (a range at its row's
// High, a method setting at its input, the base at the base summary), the rows' own checks,
// the method settings that follow the sampler and pruner, and the service's `config.<path>`.
import { describe, expect, it } from 'vitest';
import { type FormField } from '../new-experiment/config-form.ts';
import { KIND_FIELD, methodFields, SECTION_FIELDS, STUDY_FIELDS, applySetting, settingValue } from './study-fields.ts';
import {
  buildStudyRequest,
  checkStudy,
  defaultStudyName,
  draftFromExperiment,
  draftFromStudy,
  placeStudyProblems,
  serverProblemsOf,
  studyConfigOf,
  type StudyDraft,
} from './study-draft.ts';
import { editRow, parseChoices, rowKey, rowProblems, spaceFromRows } from './search-space.ts';

const base = {
  dataset: { name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } },
  model: { hidden: [10], activation: 'sigmoid' },
  optimizer: { type: 'adam', lr: 0.1061, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  training: { batch_size: 16, max_epochs: 100, early_stopping: { patience: 3, min_delta: 0.001 } },
  compute: { backend: 'auto', threads: 'auto' },
};

const gpbtTemplate = {
  name: 'iris adam GPBT',
  description: 'GPBT on iris',
  base,
  space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 }, 'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 } },
  objective: { metric: 'val_loss', direction: 'minimize', secondary: 'val_acc' },
  seed: 0,
  gpbt: { n: 8, t_max: 5, c: 2, T_g: 5, sampler: 'tpe', mode: 'time', early_stop: true },
};

function fieldsOf(draft: StudyDraft): FormField[] {
  const rows = draft.rows.flatMap((r) =>
    (['path', 'type', 'low', 'high', 'log', 'choices'] as const).map((part) => ({ key: rowKey(r.id, part), label: part, kind: 'text' as const })),
  );
  return [...STUDY_FIELDS, KIND_FIELD, ...methodFields(draft.kind, draft.settings), ...rows, ...SECTION_FIELDS];
}

function placed(draft: StudyDraft) {
  return placeStudyProblems(checkStudy(draft).problems, draft.rows, fieldsOf(draft));
}

function setting(draft: StudyDraft, key: string, value: Parameters<typeof applySetting>[2]): StudyDraft {
  const field = [...STUDY_FIELDS, ...methodFields(draft.kind, draft.settings)].find((f) => f.key === key);
  if (field === undefined) throw new Error(`no field ${key}`);
  return { ...draft, settings: applySetting(draft.settings, field, value) };
}

describe('a study draft', () => {
  it('starts from a shipped study and gives back the same config', () => {
    const draft = draftFromStudy(gpbtTemplate, 'iris adam GPBT');
    expect(draft.kind).toBe('gpbt');
    expect(draft.rows.map((r) => r.path)).toEqual(['optimizer.lr', 'optimizer.beta1']);
    const config = studyConfigOf(draft);
    // The default tie-break is left to the schema (it follows the metric).
    expect(config).toEqual({ ...gpbtTemplate, objective: { metric: 'val_loss', direction: 'minimize' } });
    expect(checkStudy(draft).problems).toEqual([]);
    expect(buildStudyRequest(draft, true)).toMatchObject({ name: 'iris adam GPBT', start: true, config: { gpbt: { n: 8 } } });
    // Other methods start from the registry's defaults.
    expect(draft.settings.pbt).toMatchObject({ n: 8, quantile: 0.25 });
  });

  it('starts a tuning study from an experiment, with the reference space of its optimizer', () => {
    const draft = draftFromExperiment(base, 'iris adam');
    expect(draft.kind).toBe('tune');
    expect(spaceFromRows(draft.rows)).toEqual({ 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } });
    expect(checkStudy(draft).problems).toEqual([]);
    expect(defaultStudyName(draft)).toBe('tune iris adam');
  });

  it('places the schema problems at their inputs', () => {
    let draft = draftFromStudy(gpbtTemplate, 'x');
    const lr = draft.rows[0];
    draft = { ...draft, rows: draft.rows.map((r) => (r.id === lr.id ? editRow(r, 'high', 0.0001) : r)) };
    draft = setting(draft, 'gpbt.t_max', 0);
    const result = placed(draft);
    expect(result.byField.get(rowKey(lr.id, 'high'))).toEqual(['inverted range: high (0.0001) is below low (0.001)']);
    expect(result.byField.get('gpbt.t_max')).toEqual(['expected a positive integer, got 0']);
    expect(result.all.map((p) => p.path)).toEqual(['space.optimizer.lr.high', 'gpbt.t_max']);
  });

  it('checks the rows: a missing or repeated path, an unknown field, a field populations cannot vary', () => {
    let draft = draftFromStudy(gpbtTemplate, 'x');
    const [lr, beta1] = draft.rows;
    draft = { ...draft, rows: [lr, editRow(beta1, 'path', 'optimizer.lr')] };
    expect(rowProblems(draft.rows)).toEqual([{ where: rowKey(beta1.id, 'path'), problem: 'optimizer.lr is already in the search space' }]);
    draft = { ...draft, rows: [editRow(lr, 'path', 'optimizer.learning_rate'), editRow(beta1, 'path', 'model.hidden')] };
    const result = placed(draft);
    expect(result.byField.get(rowKey(lr.id, 'path'))).toEqual(['unknown field path']);
    expect(result.byField.get(rowKey(beta1.id, 'path'))?.[0]).toContain('GPBT/PBT members share weights');
    expect(placed({ ...draft, rows: [] }).byField.get('space')).toEqual(['the search space is empty']);
  });

  it('reads categorical choices as typed', () => {
    expect(parseChoices('relu, tanh, 3, 0.5, true, ')).toEqual(['relu', 'tanh', 3, 0.5, true]);
    const row = editRow(draftFromStudy(gpbtTemplate, 'x').rows[0], 'type', 'categorical');
    expect(row.choices).toBe('0.001, 0.5');
  });

  it('shows the sampler and pruner options of a tuning study and fills in their defaults', () => {
    let draft = draftFromExperiment(base, 'e');
    const keys = () => methodFields(draft.kind, draft.settings).map((f) => f.key);
    expect(keys()).toContain('tune.sampler.gamma');
    expect(settingValue(draft.settings, { key: 'tune.pruning.type', label: '', kind: 'select' })).toBe('none');
    draft = setting(draft, 'tune.sampler.type', 'cmaes');
    draft = setting(draft, 'tune.pruning.type', 'asha');
    expect(draft.settings.tune).toMatchObject({ sampler: { type: 'cmaes', sigma0: 0.3 }, pruning: { type: 'asha', reduction_factor: 3 } });
    expect(keys()).toEqual(expect.arrayContaining(['tune.sampler.sigma0', 'tune.pruning.min_early_stopping_rate']));
    expect(keys()).not.toContain('tune.sampler.gamma');
    draft = setting(draft, 'tune.pruning.reduction_factor', 1);
    expect(placed(draft).byField.get('tune.pruning.reduction_factor')).toEqual(['expected an integer >= 2, got 1']);
    draft = setting(draft, 'tune.pruning.type', 'none');
    expect(draft.settings.tune).toMatchObject({ pruning: null });
  });

  it('sets the direction an objective implies', () => {
    const draft = setting(draftFromStudy(gpbtTemplate, 'x'), 'objective.metric', 'val_acc');
    expect(draft.settings.objective).toEqual({ metric: 'val_acc', direction: 'maximize' });
  });

  it('maps the service problems (config.<path>) back to the inputs', () => {
    const draft = draftFromStudy(gpbtTemplate, 'x');
    const problems = serverProblemsOf([
      { where: 'config.base.compute.threads', problem: 'more threads than cores' },
      { where: 'config.space.optimizer.beta1.low', problem: 'bad' },
      { where: 'name', problem: 'a name cannot be empty' },
    ]);
    const result = placeStudyProblems(problems, draft.rows, fieldsOf(draft));
    expect(result.byField.get('base')).toEqual(['more threads than cores']);
    expect(result.byField.get(rowKey(draft.rows[1].id, 'low'))).toEqual(['bad']);
    expect(result.byField.get('name')).toEqual(['a name cannot be empty']);
  });

  it('checks the name as the request schema does', () => {
    const draft = { ...draftFromStudy(gpbtTemplate, 'x'), name: 'n'.repeat(201) };
    expect(placed(draft).byField.get('name')).toEqual(['at most 200 characters']);
  });
});
