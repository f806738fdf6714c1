// The New experiment form without Vue: which fields the form shows for a config (they depend
// on the data set and the optimizer type), how a field's text becomes a JSON value and back,
// switching the optimizer or data set with sensible defaults, placing validation problems
// (ours or the server's) at their fields, and the JSON side (formatting, syntax errors with
// line and column). Pure, so the rules are unit-tested apart from the view.

import type { ApiRequest } from '../../../src-shared/api.ts';
import { parseRequest } from '../../../src-shared/api.ts';
import { ApiError } from '../../../src-shared/api-errors.ts';
import { UserInputError, ValidationError } from '../../../src-shared/config/errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from '../../../src-shared/config/experiment.ts';

/** A JSON value as the form edits it (the config may be invalid while it is being edited). */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- fields ----------------------------------------------------------------------------

/**
 * number / integer: a number (empty = absent, so the schema's default or "required" applies);
 * select: one of options; checkbox: a boolean; text: a string; layers: a list of layer sizes
 * typed as "10, 10"; threads: "auto" or a count; toggle: an object that is present or null.
 */
export type FieldKind = 'number' | 'integer' | 'select' | 'checkbox' | 'text' | 'textarea' | 'layers' | 'threads' | 'toggle';

export interface FormField {
  /** Where problems about it are filed: `config.<path in the config>` or a request field (`runs`). */
  readonly key: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly options?: readonly string[];
  /** Shown in the empty input (usually the schema's default). */
  readonly placeholder?: string;
  /** Problems filed under these paths belong here too (a union's discriminator). */
  readonly aliases?: readonly string[];
  /** Takes the whole row of its section. */
  readonly wide?: boolean;
  /** Starts a new row of its section's grid (the split's fractions sit together). */
  readonly newRow?: boolean;
  /** The schema's length limit, enforced by the input. */
  readonly maxLength?: number;
}

export interface FormSection {
  readonly title: string;
  readonly fields: readonly FormField[];
}

export const OPTIMIZER_TYPES = ['sgd', 'adam', 'cmaes', 'layerwise_cmaes'] as const;
export const DATASET_NAMES = ['iris', 'mnist', 'fashion_mnist', 'csv'] as const;

/** The config path of a config field (`config.optimizer.lr` → `optimizer.lr`), else null. */
export function configPath(field: FormField): string | null {
  return field.key.startsWith('config.') ? field.key.slice('config.'.length) : null;
}

const c = (path: string, label: string, kind: FieldKind, extra: Partial<FormField> = {}): FormField => ({ key: `config.${path}`, label, kind, ...extra });

/** The config's sections and fields, as they apply to this draft (its data set and optimizer). */
export function configSections(draft: Json): FormSection[] {
  const dataset = isObject(draft) ? draft.dataset : undefined;
  const datasetName = isObject(dataset) ? dataset.name : undefined;
  const optimizer = isObject(draft) ? draft.optimizer : undefined;
  const optimizerType = isObject(optimizer) ? optimizer.type : undefined;
  const training = isObject(draft) ? draft.training : undefined;
  const early = isObject(training) ? training.early_stopping : undefined;

  const datasetFields: FormField[] = [c('dataset.name', 'Dataset', 'select', { options: DATASET_NAMES, aliases: ['config.dataset'] })];
  if (datasetName === 'csv') {
    datasetFields.push(
      c('dataset.path', 'CSV file', 'text', { wide: true, placeholder: 'path on the machine running Evolab' }),
      c('dataset.label', 'Label column', 'text', { placeholder: 'header name' }),
      c('dataset.standardize', 'Standardize', 'checkbox'),
    );
  } else if (datasetName === 'mnist' || datasetName === 'fashion_mnist') {
    datasetFields.push(c('dataset.image_size', 'Image size', 'integer', { placeholder: '14' }), c('dataset.official_test', 'Official test set', 'checkbox'));
  }
  datasetFields.push(
    c('dataset.split.seed', 'Split seed', 'integer', { placeholder: '42' }),
    c('dataset.split.train', 'Train fraction', 'number', { placeholder: '0.6', aliases: ['config.dataset.split'], newRow: true }),
    c('dataset.split.val', 'Val fraction', 'number', { placeholder: '0.2' }),
    c('dataset.split.test', 'Test fraction', 'number', { placeholder: '0.2' }),
  );

  const optimizerFields: FormField[] = [c('optimizer.type', 'Optimizer', 'select', { options: OPTIMIZER_TYPES, aliases: ['config.optimizer'] })];
  if (optimizerType === 'sgd') {
    optimizerFields.push(c('optimizer.lr', 'Learning rate', 'number'), c('optimizer.momentum', 'Momentum', 'number', { placeholder: '0' }));
  } else if (optimizerType === 'adam') {
    optimizerFields.push(
      c('optimizer.lr', 'Learning rate', 'number', { placeholder: '0.001' }),
      c('optimizer.beta1', 'β1', 'number', { placeholder: '0.9' }),
      c('optimizer.beta2', 'β2', 'number', { placeholder: '0.999' }),
      c('optimizer.eps', 'ε', 'number', { placeholder: '1e-8' }),
    );
  } else if (optimizerType === 'cmaes' || optimizerType === 'layerwise_cmaes') {
    optimizerFields.push(
      c('optimizer.population', 'Population λ', 'integer', { placeholder: 'auto' }),
      c('optimizer.sigma0', 'σ0', 'number', { placeholder: '0.5' }),
      c('optimizer.variant', 'Variant', 'select', { options: ['auto', 'full', 'maes', 'sep'] }),
      c('optimizer.model', 'Kept model', 'select', { options: ['mean', 'best'] }),
    );
  }

  const trainingFields: FormField[] = [
    c('training.batch_size', 'Batch size', 'integer'),
    c('training.max_epochs', 'Max epochs', 'integer'),
    c('training.early_stopping', 'Early stopping', 'toggle'),
  ];
  if (isObject(early)) {
    trainingFields.push(
      c('training.early_stopping.patience', 'Patience', 'integer'),
      c('training.early_stopping.min_delta', 'Min delta', 'number', { placeholder: '0' }),
    );
  }

  return [
    { title: 'Dataset', fields: datasetFields },
    {
      title: 'Model',
      fields: [
        c('model.hidden', 'Hidden layers', 'layers', { placeholder: 'e.g. 10, 10' }),
        c('model.activation', 'Activation', 'select', { options: ['sigmoid', 'relu', 'tanh'] }),
      ],
    },
    { title: 'Optimizer', fields: optimizerFields },
    { title: 'Training', fields: trainingFields },
    {
      title: 'Compute',
      fields: [
        c('compute.backend', 'Backend', 'select', { options: ['auto', 'js', 'wasm', 'gpu', 'webgpu'] }),
        c('compute.threads', 'Threads', 'threads', { placeholder: 'auto' }),
      ],
    },
  ];
}

/** The experiment's own fields (the createExperiment request apart from the config). */
export const EXPERIMENT_FIELDS: readonly FormField[] = [
  { key: 'name', label: 'Name', kind: 'text', wide: true, maxLength: 200 },
  { key: 'runs', label: 'Runs', kind: 'integer', placeholder: '1' },
  { key: 'firstSeed', label: 'First seed', kind: 'integer', placeholder: '0' },
  { key: 'priority', label: 'Priority', kind: 'integer', placeholder: '0' },
  { key: 'tags', label: 'Tags', kind: 'text', wide: true, placeholder: 'comma separated, e.g. baseline, iris' },
  { key: 'notes', label: 'Notes', kind: 'textarea', wide: true, placeholder: 'what this experiment tests and why', maxLength: 100_000 },
];

// ---- field text <-> JSON value -------------------------------------------------------------

/** A number as typed ("1e-3", "-0.5"), or null when the text is not a plain number. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * The JSON value of a text field's input; undefined = leave the field out (the schema's
 * default applies, or it says the field is required). Text that is not a number is kept as
 * text, so the schema names it ("expected a positive number, got \"abc\"") and the JSON shows it.
 */
export function valueFromText(kind: FieldKind, text: string): Json | undefined {
  switch (kind) {
    case 'number':
    case 'integer': {
      if (text.trim() === '') return undefined;
      return parseNumber(text) ?? text;
    }
    case 'threads': {
      if (text.trim() === '') return undefined;
      if (text.trim() === 'auto') return 'auto';
      return parseNumber(text) ?? text;
    }
    case 'layers': {
      const parts = text.split(',').map((p) => p.trim());
      // A trailing comma is a layer being typed, not an empty layer.
      if (parts.at(-1) === '') parts.pop();
      return parts.map((p) => parseNumber(p) ?? p);
    }
    default:
      return text;
  }
}

/** The text a text field shows for a JSON value. */
export function textFromValue(kind: FieldKind, value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (kind === 'layers' && Array.isArray(value))
    return value.map((v) => (typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Same JSON value (for keeping what the user typed while it still means the same). */
export function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- paths --------------------------------------------------------------------------

export function getPath(root: Json | undefined, path: string): Json | undefined {
  let at: Json | undefined = root;
  for (const part of path.split('.')) {
    if (!isObject(at)) return undefined;
    at = at[part];
  }
  return at;
}

/** A copy of root with the value at path replaced (undefined = removed); missing objects are created. */
export function setPath(root: Json, path: string, value: Json | undefined): Json {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return root;
  const base: JsonObject = isObject(root) ? { ...root } : {};
  const next = rest.length === 0 ? value : setPath(base[head] ?? {}, rest.join('.'), value);
  if (next === undefined) delete base[head];
  else base[head] = next;
  return base;
}

// ---- structural edits ------------------------------------------------------------------------

function numberOr(value: Json | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/**
 * The optimizer section after choosing another type: gradient methods keep the learning rate,
 * the two CMA-ES kinds keep their strategy settings; everything else starts from the schema's
 * defaults (SGD needs a learning rate, so it gets 0.1).
 */
export function switchOptimizer(draft: Json, type: string): Json {
  const current = getPath(draft, 'optimizer');
  const old: JsonObject = isObject(current) ? current : {};
  const gradient = old.type === 'sgd' || old.type === 'adam';
  const strategy = old.type === 'cmaes' || old.type === 'layerwise_cmaes';
  let optimizer: JsonObject;
  switch (type) {
    case 'sgd':
      optimizer = { type, lr: gradient ? numberOr(old.lr, 0.1) : 0.1, momentum: old.type === 'sgd' ? numberOr(old.momentum, 0) : 0 };
      break;
    case 'adam':
      optimizer = { type, lr: gradient ? numberOr(old.lr, 0.001) : 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
      break;
    case 'cmaes':
    case 'layerwise_cmaes': {
      optimizer = strategy ? { ...old, type } : { type, sigma0: 0.5, variant: 'auto', model: 'mean' };
      break;
    }
    default:
      optimizer = { ...old, type };
  }
  return setPath(draft, 'optimizer', optimizer);
}

/** The dataset section after choosing another data set: the split is kept, the rest defaulted. */
export function switchDataset(draft: Json, name: string): Json {
  const current = getPath(draft, 'dataset');
  const old: JsonObject = isObject(current) ? current : {};
  const split: Json = old.split ?? { train: 0.6, val: 0.2, test: 0.2, seed: 42 };
  let dataset: JsonObject;
  switch (name) {
    case 'mnist':
    case 'fashion_mnist':
      dataset = { name, split, image_size: numberOr(old.image_size, 14), official_test: typeof old.official_test === 'boolean' ? old.official_test : false };
      break;
    case 'csv':
      dataset = { name, path: typeof old.path === 'string' ? old.path : '', label: typeof old.label === 'string' ? old.label : '', split, standardize: true };
      break;
    default:
      dataset = { name, split };
  }
  return setPath(draft, 'dataset', dataset);
}

export const DEFAULT_EARLY_STOPPING: JsonObject = { patience: 3, min_delta: 0.001 };

/** The draft after a form edit of one field (the discriminators rebuild their section). */
export function applyField(draft: Json, field: FormField, value: Json | undefined): Json {
  const path = configPath(field);
  if (path === null) return draft;
  if (path === 'optimizer.type' && typeof value === 'string') return switchOptimizer(draft, value);
  if (path === 'dataset.name' && typeof value === 'string') return switchDataset(draft, value);
  if (field.kind === 'toggle') return setPath(draft, path, value === true ? { ...DEFAULT_EARLY_STOPPING } : null);
  return setPath(draft, path, value);
}

// ---- validation ------------------------------------------------------------------------------

/** One problem: where (`config.optimizer.lr`, `runs`, `tags[1]`, or '' for the whole request) and what. */
export interface FieldProblem {
  readonly where: string;
  readonly problem: string;
}

function problemsOfValidation(error: unknown, prefix: string): FieldProblem[] {
  const withPrefix = (where: string) => (prefix === '' ? where : where === '' ? prefix : `${prefix}.${where}`);
  if (error instanceof ValidationError) return error.problems.map((p) => ({ where: withPrefix(p.where), problem: p.problem }));
  if (error instanceof UserInputError) return [{ where: withPrefix(error.where), problem: error.problem }];
  throw error;
}

/** Validates the draft with the service's own schema; problems are filed under `config.<field>`. */
export function validateConfig(draft: Json): { readonly config: ExperimentConfig | null; readonly problems: readonly FieldProblem[] } {
  try {
    return { config: parseExperimentConfig(draft), problems: [] };
  } catch (error) {
    return { config: null, problems: problemsOfValidation(error, 'config') };
  }
}

/** The experiment fields as typed (text, as the inputs hold them). */
export interface ExperimentFieldsText {
  name: string;
  runs: string;
  firstSeed: string;
  priority: string;
  tags: string;
  notes: string;
}

export function emptyExperimentFields(): ExperimentFieldsText {
  return { name: '', runs: '1', firstSeed: '0', priority: '0', tags: '', notes: '' };
}

export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** The createExperiment request for a config and the typed experiment fields (empty = the default). */
export function buildRequest(config: Json, fields: ExperimentFieldsText): ApiRequest<'createExperiment'> {
  const request: Record<string, unknown> = { config };
  if (fields.name.trim() !== '') request.name = fields.name;
  for (const key of ['runs', 'firstSeed', 'priority'] as const) {
    const value = valueFromText('integer', fields[key]);
    if (value !== undefined) request[key] = value;
  }
  request.tags = splitTags(fields.tags);
  request.notes = fields.notes;
  // The schema (checked in validateRequest) is what makes this the request type.
  return request as ApiRequest<'createExperiment'>;
}

/** Validates the experiment fields with the API's request schema (the config is checked apart). */
export function validateRequest(fields: ExperimentFieldsText): readonly FieldProblem[] {
  try {
    parseRequest('createExperiment', buildRequest(null, fields));
    return [];
  } catch (error) {
    return problemsOfValidation(error, '');
  }
}

/** An error from createExperiment: problems to show at fields, or a message for the whole form. */
export function problemsOfApiError(error: unknown): { readonly problems: readonly FieldProblem[]; readonly message: string | null } {
  if (error instanceof ApiError) {
    if (error.code === 'invalid_input') {
      if (error.problems.length > 0) return { problems: error.problems.map((p) => ({ where: p.field, problem: p.problem })), message: null };
      if (error.field !== undefined) return { problems: [{ where: error.field, problem: error.message }], message: null };
    }
    return { problems: [], message: error.message };
  }
  if (error instanceof UserInputError) return { problems: problemsOfValidation(error, ''), message: null };
  return { problems: [], message: error instanceof Error ? error.message : String(error) };
}

/** Problems sorted to their fields: a field owns a problem at its key, below it, or at one of its aliases. */
export interface PlacedProblems {
  readonly byField: ReadonlyMap<string, readonly string[]>;
  /** Problems no field of the form owns (unknown fields, a missing section): shown with the JSON. */
  readonly unplaced: readonly FieldProblem[];
  /** Every problem in order, with the key of the field that shows it (null: unplaced). */
  readonly all: readonly (FieldProblem & { readonly key: string | null })[];
}

export function placeProblems(problems: readonly FieldProblem[], fields: readonly FormField[]): PlacedProblems {
  const byField = new Map<string, string[]>();
  const unplaced: FieldProblem[] = [];
  const all: (FieldProblem & { key: string | null })[] = [];
  for (const p of problems) {
    let owner: FormField | undefined;
    for (const f of fields) {
      const owns = p.where === f.key || p.where.startsWith(`${f.key}.`) || p.where.startsWith(`${f.key}[`) || (f.aliases ?? []).includes(p.where);
      // The most specific field wins (early_stopping.patience over early_stopping).
      if (owns && (owner === undefined || f.key.length > owner.key.length)) owner = f;
    }
    all.push({ ...p, key: owner?.key ?? null });
    if (owner === undefined) {
      unplaced.push(p);
      continue;
    }
    const list = byField.get(owner.key) ?? [];
    if (!list.includes(p.problem)) list.push(p.problem);
    byField.set(owner.key, list);
  }
  return { byField, unplaced, all };
}

// ---- the JSON side --------------------------------------------------------------------------

/** Two-space JSON with lists of plain values on one line (`"hidden": [10, 10]`). */
export function formatJson(value: Json, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = `${indent}  `;
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export interface JsonSyntaxError {
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  /** Offset into the text, for putting the caret there. */
  readonly offset: number;
  readonly message: string;
}

/**
 * Where JSON text first goes wrong and why. JSON.parse's messages differ between engines and
 * some carry no position ("Unexpected token 'x'"), so a small scanner of the JSON grammar finds
 * the place; it only runs on text that JSON.parse has already refused.
 */
function locateJsonError(text: string): { readonly offset: number; readonly message: string } {
  let i = 0;
  const stop = Symbol('json error');
  let found = { offset: text.length, message: 'not valid JSON' };
  const describe = (at: number): string => {
    const ch = text[at];
    if (ch === undefined) return 'the end of the text';
    if (ch === '\n' || ch === '\r') return 'a line break';
    if (ch === ' ' || ch === '\t') return 'a space';
    return JSON.stringify(ch);
  };
  function fail(message: string, at = i): never {
    found = { offset: at, message };
    throw stop;
  }
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail(`expected ${word}, found ${describe(i)}`);
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string (a closing " is missing)');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail(ch === 0x0a ? 'line break inside a string (a closing " is missing)' : 'control character inside a string');
      if (ch === 0x5c) {
        const next = text[i + 1] ?? '';
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape: expected four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== '') i += 2;
        else fail(`bad escape \\${next}`);
      } else i++;
    }
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null) fail(text[i] === '-' ? 'no digits after the minus sign' : `expected a number, found ${describe(i)}`);
    const start = i;
    i += match[0].length;
    if (/^[\d.eE+-]/.test(text[i] ?? '')) fail(`malformed number ${JSON.stringify(text.slice(start, i + 1))}`, start);
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === undefined) fail('unexpected end of the text: a value is missing');
    else if (ch === '{') object();
    else if (ch === '[') array();
    else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch >= '0' && ch <= '9')) number();
    else if (ch === "'") fail('strings need double quotes (")');
    else fail(`expected a value, found ${describe(i)}`);
  };
  const object = (): void => {
    i++;
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      space();
      if (text[i] === '}') fail('a comma before } (JSON allows no trailing comma)', i);
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe(i)}`);
      string();
      space();
      if (text[i] !== ':') fail(`expected ':' after the property name, found ${describe(i)}`);
      i++;
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}' after a property value, found ${describe(i)}`);
    }
  };
  const array = (): void => {
    i++;
    space();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      space();
      if (text[i] === ']') fail('a comma before ] (JSON allows no trailing comma)', i);
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after a list element, found ${describe(i)}`);
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
    return found;
  } catch (e) {
    if (e === stop) return found;
    throw e;
  }
}

/** Line and column (1-based) of an offset into text. */
export function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Parses JSON text: the value, or where and why it does not parse. */
export function parseJsonText(text: string): { readonly value: Json } | { readonly error: JsonSyntaxError } {
  try {
    return { value: JSON.parse(text) as Json };
  } catch {
    const { offset, message } = locateJsonError(text);
    return { error: { ...lineAndColumn(text, offset), offset, message } };
  }
}
