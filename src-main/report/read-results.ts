// Reads a folder of result files in the reference project's format, produced by Evolab or
// elsewhere: `<dataset>.<optimizer>.csv` (first column the run index, then time, train_loss,
// train_acc, val_loss, val_acc, test_loss, test_acc, model_evals; extra columns kept) and the
// optional `<dataset>.<optimizer>.epochs.csv` (run, epoch, metrics...). Every cell is checked;
// a malformed file is reported by file, line and column and skipped whole, never half-read,
// and the valid files are still returned.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { ResultGroup } from '../../src-shared/stats/comparison.ts';

export const REQUIRED_RUN_COLUMNS = ['time', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'model_evals'] as const;

export interface ResultProblem {
  readonly file: string;
  /** 1-based line, when the problem is in one. */
  readonly line?: number;
  readonly column?: string;
  readonly problem: string;
}

export interface ResultFolder {
  readonly groups: ResultGroup[];
  readonly problems: ResultProblem[];
}

interface Row {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

class FileProblem extends Error {
  readonly detail: ResultProblem;

  constructor(detail: ResultProblem) {
    super(detail.problem);
    this.detail = detail;
  }
}

function rows(text: string, file: string): Row[] {
  try {
    return parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as unknown as Row[];
  } catch (error) {
    throw new FileProblem({ file, problem: `not valid CSV (${(error as Error).message})` });
  }
}

function numberCell(cell: string | undefined, file: string, line: number, column: string): number {
  const value = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
  if (cell === undefined) throw new FileProblem({ file, line, column, problem: 'missing cell' });
  // "nan" is how pandas writes a diverged run; keep it as NaN rather than refuse the file.
  if (Number.isNaN(value) && !/^nan$/i.test(cell.trim())) throw new FileProblem({ file, line, column, problem: `not a number: ${JSON.stringify(cell)}` });
  return value;
}

/** One runs file (and its epochs file when present) as a result group. */
export function readResultFile(path: string): ResultGroup {
  const file = basename(path);
  const match = /^(.+)\.([^.]+)\.csv$/.exec(file);
  if (match === null || file.endsWith('.epochs.csv')) throw new FileProblem({ file, problem: 'expected a name <dataset>.<optimizer>.csv' });
  const [, dataset, optimizer] = match;
  const table = rows(readFileSync(path, 'utf8'), file);
  if (table.length < 2) throw new FileProblem({ file, problem: 'needs a header row and at least one run' });
  const header = table[0].record;
  const missing = REQUIRED_RUN_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new FileProblem({ file, line: 1, column: missing[0], problem: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` });
  const indexColumn = header[0] === '' || header[0] === 'run' ? 0 : -1;
  const metricColumns = header.map((name, i) => [name, i] as const).filter(([name, i]) => i !== indexColumn && name !== '');
  const runs = table.slice(1).map(({ record, info }, r) => {
    if (record.length !== header.length) throw new FileProblem({ file, line: info.lines, problem: `expected ${header.length} cells, got ${record.length}` });
    const metrics: Record<string, number> = {};
    const extra: Record<string, string> = {};
    for (const [name, i] of metricColumns) {
      // The reference columns must be numbers; other columns are kept, as numbers when they are.
      const required = (REQUIRED_RUN_COLUMNS as readonly string[]).includes(name);
      const cell = record[i] ?? '';
      if (required || /^\s*(nan|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$/i.test(cell)) metrics[name] = numberCell(record[i], file, info.lines, name);
      else extra[name] = cell;
    }
    const index = indexColumn === 0 ? numberCell(record[0], file, info.lines, header[0] || 'run index') : r;
    if (!Number.isInteger(index)) throw new FileProblem({ file, line: info.lines, column: header[0] || 'run index', problem: 'the run index must be an integer' });
    return Object.keys(extra).length > 0 ? { index, metrics, extra } : { index, metrics };
  });
  const indices = new Set(runs.map((run) => run.index));
  if (indices.size !== runs.length) throw new FileProblem({ file, problem: 'run indices repeat' });

  const epochsPath = path.replace(/\.csv$/, '.epochs.csv');
  let epochs: ResultGroup['epochs'] = null;
  if (existsSync(epochsPath)) {
    const epochsFile = basename(epochsPath);
    const epochTable = rows(readFileSync(epochsPath, 'utf8'), epochsFile);
    const epochHeader = epochTable[0]?.record ?? [];
    if (!epochHeader.includes('run') || !epochHeader.includes('epoch')) {
      throw new FileProblem({ file: epochsFile, line: 1, column: epochHeader.includes('run') ? 'epoch' : 'run', problem: 'missing column' });
    }
    const names = epochHeader.filter((n) => n !== 'run' && n !== 'epoch');
    epochs = epochTable.slice(1).map(({ record, info }) => {
      if (record.length !== epochHeader.length) throw new FileProblem({ file: epochsFile, line: info.lines, problem: `expected ${epochHeader.length} cells, got ${record.length}` });
      const at = (name: string) => numberCell(record[epochHeader.indexOf(name)], epochsFile, info.lines, name);
      const run = at('run');
      if (!indices.has(run)) throw new FileProblem({ file: epochsFile, line: info.lines, column: 'run', problem: `run ${run} is not in ${file}` });
      return { run, epoch: at('epoch'), metrics: Object.fromEntries(names.map((n) => [n, at(n)])) };
    });
  }
  return { dataset, optimizer, source: file, runs, epochs };
}

/** Every result file of a folder; problems are listed, and the files with one are left out. */
export function readResultFolder(folder: string): ResultFolder {
  if (!existsSync(folder)) throw new UserInputError(folder, 'no such folder');
  if (!statSync(folder).isDirectory()) throw new UserInputError(folder, 'is a file, not a folder');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.csv') && !f.endsWith('.epochs.csv'))
    .sort();
  const groups: ResultGroup[] = [];
  const problems: ResultProblem[] = [];
  for (const file of files) {
    try {
      groups.push(readResultFile(join(folder, file)));
    } catch (error) {
      if (error instanceof FileProblem) problems.push(error.detail);
      else throw error;
    }
  }
  if (files.length === 0) problems.push({ file: folder, problem: 'no <dataset>.<optimizer>.csv result files in this folder' });
  return { groups, problems };
}

/** What a group's `.meta.json` says (written by `evolab run`), when it is there and readable. */
export interface ResultMeta {
  /** The experiment config as written (not re-validated). */
  readonly config: unknown;
  readonly backends: string[];
}

export function readResultMeta(folder: string, group: ResultGroup): ResultMeta | null {
  const path = join(folder, group.source.replace(/\.csv$/, '.meta.json'));
  if (!existsSync(path)) return null;
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8')) as { config?: unknown; runs?: { backend?: unknown }[] };
    const backends = [...new Set((meta.runs ?? []).map((r) => r.backend).filter((b): b is string => typeof b === 'string'))];
    return { config: meta.config ?? null, backends };
  } catch {
    return null;
  }
}

export function describeProblem(p: ResultProblem): string {
  const where = [p.file, p.line !== undefined ? `line ${p.line}` : null, p.column !== undefined ? `column "${p.column}"` : null].filter((x) => x !== null).join(', ');
  return `${where}: ${p.problem}`;
}
