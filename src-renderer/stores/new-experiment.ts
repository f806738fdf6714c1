// New experiment state (Pinia setup store): the config being edited (one JSON value that the
// form and the JSON text both edit), the experiment's own fields (name, runs, seeds, tags...),
// where it came from (a shipped config, a previous experiment), validation on every change
// with the service's own schemas, and queuing it. A store rather than view state so that a
// half-written experiment survives a visit to another view.

import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExperimentSummary, ShippedConfig } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { datasetLabel } from '../../src-shared/config/experiment.ts';
import {
  applyField,
  buildRequest,
  configSections,
  EXPERIMENT_FIELDS,
  type ExperimentFieldsText,
  emptyExperimentFields,
  type FieldProblem,
  type FormField,
  formatJson,
  isObject,
  type Json,
  type JsonSyntaxError,
  parseJsonText,
  placeProblems,
  problemsOfApiError,
  validateConfig,
  validateRequest,
} from '../views/new-experiment/config-form.ts';
import { api } from './api.ts';

/** Where the form's content came from; key is what the URL's query says (`config:<file>`, `from:<id>`). */
export interface Source {
  readonly key: string;
  readonly label: string;
}

const DEFAULTS_SOURCE: Source = { key: '', label: 'defaults (Iris, Adam)' };

/** The form's content before the first pick: a small valid config, so the form is never empty. */
function starterConfig(): Json {
  return normalise({ dataset: { name: 'iris' }, optimizer: { type: 'adam' }, training: { batch_size: 16, max_epochs: 100 } });
}

/** A loaded config with the schema's defaults filled in (so every field shows its value); an invalid one as it is. */
function normalise(value: unknown): Json {
  const { config } = validateConfig(value as Json);
  return JSON.parse(JSON.stringify(config ?? value ?? {})) as Json;
}

/** The URL query that reopens a source. */
export function queryOf(source: Source): Record<string, string> {
  if (source.key.startsWith('config:')) return { config: source.key.slice('config:'.length) };
  if (source.key.startsWith('from:')) return { from: source.key.slice('from:'.length) };
  return {};
}

/** The source a URL query names ('' = none). */
export function sourceKeyOf(query: { readonly config?: unknown; readonly from?: unknown }): string {
  if (typeof query.from === 'string' && query.from !== '') return `from:${query.from}`;
  if (typeof query.config === 'string' && query.config !== '') return `config:${query.config}`;
  return '';
}

interface Snapshot {
  readonly draft: Json;
  readonly jsonText: string;
  readonly jsonError: JsonSyntaxError | null;
  readonly fields: ExperimentFieldsText;
  readonly source: Source;
}

export const useNewExperimentStore = defineStore('new-experiment', () => {
  const draft = shallowRef<Json>(starterConfig());
  const jsonText = ref(formatJson(draft.value));
  /** Set while the JSON text does not parse: the form then shows (read-only) the last text that did. */
  const jsonError = ref<JsonSyntaxError | null>(null);
  const fields = ref<ExperimentFieldsText>(emptyExperimentFields());
  const source = ref<Source>(DEFAULTS_SOURCE);
  /** The source being loaded or last loaded (the URL query that is already honoured). */
  const requestedKey = ref('');
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  /** Number inputs holding text the browser cannot read as a number (e.g. "1e"). */
  const badInputs = ref<Record<string, true>>({});
  /** The server's answer to the last Queue: problems at fields, or a message for the whole form. */
  const serverProblems = ref<readonly FieldProblem[]>([]);
  const serverError = ref<string | null>(null);
  const submitting = ref(false);
  /** What the form held before the last load, so that loading a source by mistake loses nothing. */
  const beforeLoad = shallowRef<Snapshot | null>(null);
  const lastQueued = ref<{ readonly id: number; readonly name: string; readonly runs: number } | null>(null);

  const configs = ref<readonly ShippedConfig[]>([]);
  const experiments = ref<readonly ExperimentSummary[]>([]);
  const pickerError = ref<string | null>(null);

  const sections = computed(() => configSections(draft.value));
  const configCheck = computed(() => validateConfig(draft.value));
  const problems = computed<readonly FieldProblem[]>(() => {
    const all = [
      ...Object.keys(badInputs.value).map((where) => ({ where, problem: 'not a number' })),
      ...configCheck.value.problems,
      ...validateRequest(fields.value),
      ...serverProblems.value,
    ];
    return all.filter((p, i) => all.findIndex((q) => q.where === p.where && q.problem === p.problem) === i);
  });
  const formFields = computed<readonly FormField[]>(() => [...EXPERIMENT_FIELDS, ...sections.value.flatMap((s) => s.fields)]);
  const placed = computed(() => placeProblems(problems.value, formFields.value));
  const canQueue = computed(() => jsonError.value === null && problems.value.length === 0 && !submitting.value && !loading.value);
  /** The name the service gives the experiment when the name field is left empty. */
  const defaultName = computed(() => {
    const config = configCheck.value.config;
    if (config !== null) return config.name ?? `${datasetLabel(config)} ${config.optimizer.type}`;
    // While the config is invalid: its own name if it has one.
    const name = isObject(draft.value) ? draft.value.name : undefined;
    return typeof name === 'string' ? name : '';
  });
  const runCount = computed(() => {
    const n = Number(fields.value.runs.trim() === '' ? '1' : fields.value.runs);
    return Number.isInteger(n) && n >= 1 ? n : null;
  });

  function edited(): void {
    serverProblems.value = [];
  }

  function setDraft(value: Json): void {
    draft.value = value;
    jsonText.value = formatJson(value);
    jsonError.value = null;
    edited();
  }

  /** A form edit of a config field; the JSON text is rewritten from the result. */
  function editField(field: FormField, value: Json | undefined, bad = false): void {
    if (jsonError.value !== null) return; // the form is read-only until the JSON parses again
    const next = { ...badInputs.value };
    if (bad) next[field.key] = true;
    else delete next[field.key];
    badInputs.value = next;
    // Text the browser cannot read as a number leaves the value as it was, and says so.
    if (!bad) setDraft(applyField(draft.value, field, value));
  }

  function editExperimentField(key: keyof ExperimentFieldsText, text: string, bad = false): void {
    fields.value = { ...fields.value, [key]: text };
    const next = { ...badInputs.value };
    if (bad) next[key] = true;
    else delete next[key];
    badInputs.value = next;
    edited();
  }

  /** An edit of the JSON text: when it parses it becomes the draft (and the form follows). */
  function editJson(text: string): void {
    jsonText.value = text;
    const parsed = parseJsonText(text);
    if ('error' in parsed) {
      jsonError.value = parsed.error;
      return;
    }
    jsonError.value = null;
    draft.value = parsed.value;
    badInputs.value = Object.fromEntries(Object.entries(badInputs.value).filter(([k]) => !k.startsWith('config.')));
    edited();
  }

  /** Throws away the unparsable JSON text: back to the text of what the form shows. */
  function revertJson(): void {
    jsonText.value = formatJson(draft.value);
    jsonError.value = null;
  }

  function snapshot(): Snapshot {
    return { draft: draft.value, jsonText: jsonText.value, jsonError: jsonError.value, fields: { ...fields.value }, source: source.value };
  }

  let loads = 0;
  /** Loads a source (`config:<file>` or `from:<id>`) into the form; false when it cannot be loaded. */
  async function load(key: string): Promise<boolean> {
    // Only the latest load counts: a slow answer for an earlier pick is thrown away.
    const seq = ++loads;
    requestedKey.value = key;
    loading.value = true;
    loadError.value = null;
    try {
      let config: unknown;
      let label: string;
      let nextFields: ExperimentFieldsText;
      if (key.startsWith('from:')) {
        const id = Number(key.slice('from:'.length));
        if (!Number.isInteger(id) || id < 1) throw new ApiError('invalid_input', `"${key.slice(5)}" is not an experiment id`);
        const experiment = await api.getExperiment({ id });
        config = experiment.config;
        label = `experiment #${experiment.id} ${experiment.name}`;
        nextFields = { ...fields.value, name: experiment.name, runs: String(experiment.runsTotal), tags: experiment.tags.join(', '), notes: experiment.notes };
      } else if (key.startsWith('config:')) {
        const file = key.slice('config:'.length);
        const found = (await api.listConfigs({})).find((c) => c.file === file);
        if (found === undefined) throw new ApiError('not_found', `there is no shipped config named ${file}`);
        config = found.config;
        label = file;
        nextFields = { ...fields.value, name: '' };
      } else {
        config = starterConfig();
        label = DEFAULTS_SOURCE.label;
        nextFields = { ...fields.value, name: '' };
      }
      if (seq !== loads) return false;
      beforeLoad.value = snapshot();
      setDraft(normalise(config));
      fields.value = nextFields;
      badInputs.value = {};
      source.value = { key, label };
      serverError.value = null;
      return true;
    } catch (e) {
      if (seq === loads) {
        loadError.value = `Cannot load ${key.replace(':', ' ')}: ${e instanceof Error ? e.message : String(e)}`;
        // The form still holds the previous source; coming back to this address tries again.
        requestedKey.value = source.value.key;
      }
      return false;
    } finally {
      if (seq === loads) loading.value = false;
    }
  }

  /** Follows the URL: loads the source its query names unless that is already what the form holds. */
  async function openQuery(query: { readonly config?: unknown; readonly from?: unknown }): Promise<void> {
    const key = sourceKeyOf(query);
    if (key === '' || key === requestedKey.value) return;
    await load(key);
  }

  /** Back to what the form held before the last load. */
  function undoLoad(): void {
    const previous = beforeLoad.value;
    if (previous === null) return;
    draft.value = previous.draft;
    jsonText.value = previous.jsonText;
    jsonError.value = previous.jsonError;
    fields.value = { ...previous.fields };
    source.value = previous.source;
    requestedKey.value = previous.source.key;
    beforeLoad.value = null;
    badInputs.value = {};
    edited();
  }

  /** The shipped configs and the latest experiments (matching search) for the source picker. */
  async function loadPicker(search = ''): Promise<void> {
    try {
      const [shipped, page] = await Promise.all([
        configs.value.length > 0 ? Promise.resolve(configs.value) : api.listConfigs({}),
        api.listExperiments({ limit: 100, sort: { by: 'created', direction: 'desc' }, ...(search.trim() !== '' ? { search: search.trim() } : {}) }),
      ]);
      configs.value = shipped;
      experiments.value = page.items;
      pickerError.value = null;
    } catch (e) {
      pickerError.value = e instanceof Error ? e.message : String(e);
    }
  }

  /** Queues the experiment; its id, or null when it was refused (the reasons are at the fields) or failed. */
  async function queue(): Promise<number | null> {
    if (!canQueue.value) return null;
    submitting.value = true;
    serverError.value = null;
    serverProblems.value = [];
    try {
      const experiment = await api.createExperiment(buildRequest(draft.value, fields.value));
      lastQueued.value = { id: experiment.id, name: experiment.name, runs: experiment.runsTotal };
      return experiment.id;
    } catch (e) {
      const { problems: fieldProblems, message } = problemsOfApiError(e);
      serverProblems.value = fieldProblems;
      serverError.value = message;
      return null;
    } finally {
      submitting.value = false;
    }
  }

  return {
    draft,
    jsonText,
    jsonError,
    fields,
    source,
    loading,
    loadError,
    serverError,
    submitting,
    beforeLoad,
    lastQueued,
    configs,
    experiments,
    pickerError,
    sections,
    formFields,
    problems,
    placed,
    canQueue,
    defaultName,
    runCount,
    editField,
    editExperimentField,
    editJson,
    revertJson,
    load,
    openQuery,
    undoLoad,
    loadPicker,
    queue,
  };
});
