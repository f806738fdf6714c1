// The search space as the New study form edits it: a list of rows (config field path, type,
// range or choices), each with a stable id so that its inputs keep their identity (and focus)
// while its path is being typed. Rows become the study config's `space` object and back; the
// form's own checks (an empty or repeated path) are made here, the rest by the study schema.

import type { FieldProblem, Json, JsonObject } from '../new-experiment/config-form.ts';

export const PARAMETER_TYPES = ['uniform', 'loguniform', 'int', 'categorical'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface SpaceRow {
  readonly id: number;
  /** Dotted config path, e.g. optimizer.lr. */
  readonly path: string;
  readonly type: ParameterType;
  /** As typed: a number, text the schema will name, or absent. */
  readonly low: Json | undefined;
  readonly high: Json | undefined;
  /** int only: sample on a log scale. */
  readonly log: boolean;
  /** categorical only: the choices as typed, comma separated. */
  readonly choices: string;
}

/** The parts of a row the form edits, each an input. */
export type RowPart = 'path' | 'type' | 'low' | 'high' | 'log' | 'choices';

/** The form key of a row's input: problems are filed under it, and the input's id derives from it. */
export function rowKey(id: number, part: RowPart): string {
  return `space[${id}].${part}`;
}

let lastId = 0;
/** A row id not used before in this page. */
export function nextRowId(): number {
  return ++lastId;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const asJson = (value: unknown): Json | undefined => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Json));

function choiceText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The rows of a `space` object (a template's or a stored study's). */
export function rowsFromSpace(space: unknown): SpaceRow[] {
  if (!isObject(space)) return [];
  return Object.entries(space).map(([path, raw]) => {
    const p = isObject(raw) ? raw : {};
    const type = PARAMETER_TYPES.find((t) => t === p.type) ?? 'uniform';
    return {
      id: nextRowId(),
      path,
      type,
      low: asJson(p.low),
      high: asJson(p.high),
      log: p.log === true,
      choices: Array.isArray(p.choices) ? p.choices.map(choiceText).join(', ') : '',
    };
  });
}

/** Typed choices: numbers and true/false as such, anything else as text; empty items dropped. */
export function parseChoices(text: string): (string | number | boolean)[] {
  return text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map((c) => {
      if (c === 'true') return true;
      if (c === 'false') return false;
      const n = Number(c);
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(c) && Number.isFinite(n) ? n : c;
    });
}

/** One row as a parameter of the study config. */
function parameterOf(row: SpaceRow): JsonObject {
  if (row.type === 'categorical') return { type: row.type, choices: parseChoices(row.choices) };
  const parameter: JsonObject = { type: row.type };
  if (row.low !== undefined) parameter.low = row.low;
  if (row.high !== undefined) parameter.high = row.high;
  if (row.type === 'int') parameter.log = row.log;
  return parameter;
}

/** The study config's `space`: rows with a path, the first of each path (a repeat is reported, not merged). */
export function spaceFromRows(rows: readonly SpaceRow[]): JsonObject {
  const space: JsonObject = {};
  for (const row of rows) {
    const path = row.path.trim();
    if (path === '' || Object.hasOwn(space, path)) continue;
    space[path] = parameterOf(row);
  }
  return space;
}

/** A row after one of its inputs changed; a new type keeps the range (and turns it into choices for categorical). */
export function editRow(row: SpaceRow, part: RowPart, value: Json | undefined): SpaceRow {
  switch (part) {
    case 'path':
      return { ...row, path: typeof value === 'string' ? value : '' };
    case 'type': {
      const type = PARAMETER_TYPES.find((t) => t === value) ?? row.type;
      const choices =
        type === 'categorical' && row.choices.trim() === ''
          ? [row.low, row.high]
              .filter((v) => v !== undefined)
              .map(choiceText)
              .join(', ')
          : row.choices;
      return { ...row, type, choices };
    }
    case 'log':
      return { ...row, log: value === true };
    case 'choices':
      return { ...row, choices: typeof value === 'string' ? value : '' };
    default:
      return { ...row, [part]: value };
  }
}

/** A new, empty row (its path is typed first). */
export function blankRow(): SpaceRow {
  return { id: nextRowId(), path: '', type: 'uniform', low: undefined, high: undefined, log: false, choices: '' };
}

/** What the study schema cannot see in the rows: a row without a path, a path given twice. */
export function rowProblems(rows: readonly SpaceRow[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const path = row.path.trim();
    if (path === '') problems.push({ where: rowKey(row.id, 'path'), problem: 'give the config field to search, e.g. optimizer.lr' });
    else if (seen.has(path)) problems.push({ where: rowKey(row.id, 'path'), problem: `${path} is already in the search space` });
    seen.add(path);
  }
  return problems;
}

/**
 * The form key for a problem the study schema filed under `space.<path>[.<part>]`: the input of
 * the row with that path (the longest path that matches, since paths contain dots), else the
 * search space as a whole.
 */
export function spaceProblemKey(where: string, rows: readonly SpaceRow[]): string {
  if (!where.startsWith('space.')) return 'space';
  const rest = where.slice('space.'.length);
  let owner: SpaceRow | null = null;
  for (const row of rows) {
    const path = row.path.trim();
    if (path === '' || !(rest === path || rest.startsWith(`${path}.`) || rest.startsWith(`${path}[`))) continue;
    if (owner === null || path.length > owner.path.trim().length) owner = row;
  }
  if (owner === null) return 'space';
  const part = rest.slice(owner.path.trim().length).replace(/^\./, '').split(/[.[]/)[0];
  const known: readonly string[] = ['type', 'low', 'high', 'log', 'choices'];
  return rowKey(owner.id, known.includes(part) ? (part as RowPart) : 'path');
}
