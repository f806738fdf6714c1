// New study state (Pinia setup store): the study being written (a draft: name, base config,
// search space rows, objective, seed, the method and every method's settings), where it came
// from (a shipped study or an earlier experiment), validation on every change with the
// service's own schema, and creating it. A store rather than view state, so that a half-written
// study survives a visit to another view.

import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExperimentSummary, StudyTemplate } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { type FieldProblem, type FormField, type Json, problemsOfApiError } from '../views/new-experiment/config-form.ts';
import type { StudyKind } from '../views/new-study/method-defaults.ts';
import { blankRow, editRow, type RowPart, rowKey } from '../views/new-study/search-space.ts';
import {
  buildStudyRequest,
  checkStudy,
  defaultStudyName,
  draftFromExperiment,
  draftFromStudy,
  placeStudyProblems,
  serverProblemsOf,
  type StudyDraft,
} from '../views/new-study/study-draft.ts';
import { applySetting, KIND_FIELD, methodFields, SECTION_FIELDS, STUDY_FIELDS } from '../views/new-study/study-fields.ts';
import { api } from './api.ts';

export interface StudySource {
  /** `template:<file>` or `from:<experiment id>`: what the URL's query says. */
  readonly key: string;
  readonly label: string;
}

/** The URL query that reopens a source. */
export function studyQueryOf(source: StudySource): Record<string, string> {
  if (source.key.startsWith('template:')) return { template: source.key.slice('template:'.length) };
  if (source.key.startsWith('from:')) return { from: source.key.slice('from:'.length) };
  return {};
}

/** The source a URL query names ('' = none). */
export function studySourceKeyOf(query: { readonly template?: unknown; readonly from?: unknown }): string {
  if (typeof query.from === 'string' && query.from !== '') return `from:${query.from}`;
  if (typeof query.template === 'string' && query.template !== '') return `template:${query.template}`;
  return '';
}

/** The shipped study a new study starts from when the address names none. */
const FIRST_TEMPLATE = 'iris_adam_tune.json';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const useNewStudyStore = defineStore('new-study', () => {
  const draft = shallowRef<StudyDraft | null>(null);
  const source = ref<StudySource>({ key: '', label: 'nothing yet' });
  const requestedKey = ref('');
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  /** Number inputs holding text the browser cannot read as a number (e.g. "1e"). */
  const badInputs = ref<Record<string, true>>({});
  const serverProblems = ref<readonly FieldProblem[]>([]);
  const serverError = ref<string | null>(null);
  const submitting = ref(false);
  /** Start the study at once (else it waits, created, for Start in its view). */
  const startNow = ref(true);
  /** What the form held before the last load, so that loading a source by mistake loses nothing. */
  const beforeLoad = shallowRef<{ readonly draft: StudyDraft; readonly source: StudySource } | null>(null);

  const templates = shallowRef<readonly StudyTemplate[]>([]);
  const experiments = shallowRef<readonly ExperimentSummary[]>([]);
  const pickerError = ref<string | null>(null);

  const settingsFields = computed<readonly FormField[]>(() => (draft.value === null ? [] : methodFields(draft.value.kind, draft.value.settings)));
  /** Every input of the form (and the sections), for placing problems. */
  const formFields = computed<readonly FormField[]>(() => {
    const rows = draft.value?.rows ?? [];
    const rowFields = rows.flatMap((r) =>
      (['path', 'type', 'low', 'high', 'log', 'choices'] as const).map((part): FormField => ({
        key: rowKey(r.id, part),
        label: `${r.path.trim() || 'new parameter'} ${part}`,
        kind: 'text',
      })),
    );
    return [...STUDY_FIELDS, KIND_FIELD, ...settingsFields.value, ...rowFields, ...SECTION_FIELDS];
  });
  const check = computed(() => (draft.value === null ? { config: null, problems: [] } : checkStudy(draft.value)));
  const problems = computed<readonly FieldProblem[]>(() => {
    const all = [...Object.keys(badInputs.value).map((where) => ({ where, problem: 'not a number' })), ...check.value.problems, ...serverProblems.value];
    return all.filter((p, i) => all.findIndex((q) => q.where === p.where && q.problem === p.problem) === i);
  });
  const placed = computed(() => placeStudyProblems(problems.value, draft.value?.rows ?? [], formFields.value));
  const canCreate = computed(() => draft.value !== null && problems.value.length === 0 && !submitting.value && !loading.value);
  const defaultName = computed(() => (draft.value === null ? '' : defaultStudyName(draft.value)));

  function update(next: StudyDraft): void {
    draft.value = next;
    // The server's verdict was about what was sent; an edit may have fixed it.
    serverProblems.value = [];
  }

  function markBad(key: string, bad: boolean): void {
    const next = { ...badInputs.value };
    if (bad) next[key] = true;
    else delete next[key];
    badInputs.value = next;
  }

  function editName(text: string): void {
    if (draft.value !== null) update({ ...draft.value, name: text });
  }

  function editDescription(text: string): void {
    if (draft.value !== null) update({ ...draft.value, description: text });
  }

  /** An input of the objective, seed or method settings; text the browser cannot read as a number leaves the value. */
  function editSetting(field: FormField, value: Json | undefined, bad: boolean): void {
    markBad(field.key, bad);
    if (draft.value !== null && !bad) update({ ...draft.value, settings: applySetting(draft.value.settings, field, value) });
  }

  function setKind(kind: StudyKind): void {
    if (draft.value !== null) update({ ...draft.value, kind });
  }

  function editSpaceRow(id: number, part: RowPart, value: Json | undefined, bad: boolean): void {
    markBad(rowKey(id, part), bad);
    if (draft.value === null || bad) return;
    update({ ...draft.value, rows: draft.value.rows.map((r) => (r.id === id ? editRow(r, part, value) : r)) });
  }

  /** Adds a row; returns its id (the view focuses its path input). */
  function addSpaceRow(): number {
    const row = blankRow();
    if (draft.value !== null) update({ ...draft.value, rows: [...draft.value.rows, row] });
    return row.id;
  }

  function removeSpaceRow(id: number): void {
    if (draft.value === null) return;
    badInputs.value = Object.fromEntries(Object.entries(badInputs.value).filter(([k]) => !k.startsWith(`space[${id}]`)));
    update({ ...draft.value, rows: draft.value.rows.filter((r) => r.id !== id) });
  }

  let loads = 0;
  /** Loads a source (`template:<file>` or `from:<id>`) into the form; false when it cannot be loaded. */
  async function load(key: string): Promise<boolean> {
    // Only the latest load counts: a slow answer for an earlier pick is thrown away.
    const seq = ++loads;
    requestedKey.value = key;
    loading.value = true;
    loadError.value = null;
    try {
      let next: StudyDraft;
      let label: string;
      if (key.startsWith('from:')) {
        const id = Number(key.slice('from:'.length));
        if (!Number.isInteger(id) || id < 1) throw new ApiError('invalid_input', `"${key.slice('from:'.length)}" is not an experiment id`);
        const experiment = await api.getExperiment({ id });
        next = draftFromExperiment(experiment.config, experiment.name);
        label = `experiment #${experiment.id} ${experiment.name}`;
      } else {
        const list = await api.listStudyTemplates({});
        templates.value = list;
        const file = key.startsWith('template:') ? key.slice('template:'.length) : FIRST_TEMPLATE;
        const template = list.find((t) => t.file === file) ?? (key === '' ? list[0] : undefined);
        if (template === undefined)
          throw new ApiError('not_found', list.length === 0 ? 'the service ships no studies' : `there is no shipped study named ${file}`);
        next = draftFromStudy(template.config, template.name);
        label = template.file;
        key = `template:${template.file}`;
      }
      if (seq !== loads) return false;
      beforeLoad.value = draft.value === null ? null : { draft: draft.value, source: source.value };
      draft.value = next;
      badInputs.value = {};
      serverProblems.value = [];
      serverError.value = null;
      source.value = { key, label };
      requestedKey.value = key;
      return true;
    } catch (e) {
      if (seq === loads) {
        loadError.value = `Cannot load ${key.replace(':', ' ') || 'a shipped study'}: ${message(e)}`;
        requestedKey.value = source.value.key;
      }
      return false;
    } finally {
      if (seq === loads) loading.value = false;
    }
  }

  /** Follows the URL: loads the source its query names unless the form holds it already (or holds anything, when it names none). */
  async function openQuery(query: { readonly template?: unknown; readonly from?: unknown }): Promise<void> {
    const key = studySourceKeyOf(query);
    if (key === '' ? draft.value !== null : key === requestedKey.value) return;
    await load(key);
  }

  /** Back to what the form held before the last load. */
  function undoLoad(): void {
    const previous = beforeLoad.value;
    if (previous === null) return;
    draft.value = previous.draft;
    source.value = previous.source;
    requestedKey.value = previous.source.key;
    beforeLoad.value = null;
    badInputs.value = {};
    serverProblems.value = [];
  }

  /** The shipped studies and the latest experiments (matching search) for the source picker. */
  async function loadPicker(search = ''): Promise<void> {
    try {
      const [shipped, page] = await Promise.all([
        templates.value.length > 0 ? Promise.resolve(templates.value) : api.listStudyTemplates({}),
        api.listExperiments({ limit: 100, sort: { by: 'created', direction: 'desc' }, ...(search.trim() !== '' ? { search: search.trim() } : {}) }),
      ]);
      templates.value = shipped;
      experiments.value = page.items;
      pickerError.value = null;
    } catch (e) {
      pickerError.value = message(e);
    }
  }

  /** Creates the study (and starts it when asked); its id, or null when refused (reasons at the fields) or failed. */
  async function create(): Promise<number | null> {
    if (!canCreate.value || draft.value === null) return null;
    submitting.value = true;
    serverError.value = null;
    serverProblems.value = [];
    try {
      const study = await api.createStudy(buildStudyRequest(draft.value, startNow.value));
      return study.id;
    } catch (e) {
      const { problems: fieldProblems, message: text } = problemsOfApiError(e);
      serverProblems.value = serverProblemsOf(fieldProblems);
      serverError.value = text;
      return null;
    } finally {
      submitting.value = false;
    }
  }

  return {
    draft,
    source,
    loading,
    loadError,
    serverProblems,
    serverError,
    submitting,
    startNow,
    beforeLoad,
    templates,
    experiments,
    pickerError,
    settingsFields,
    formFields,
    problems,
    placed,
    canCreate,
    defaultName,
    editName,
    editDescription,
    editSetting,
    setKind,
    editSpaceRow,
    addSpaceRow,
    removeSpaceRow,
    load,
    openQuery,
    undoLoad,
    loadPicker,
    create,
  };
});
