// Reads a folder of result files in the reference project's format, produced by Evolab or
// elsewhere: `<dataset>.<optimizer>.csv` (first column the run index, then time, train_loss,
// train_acc, val_loss, val_acc, test_loss, test_acc, model_evals; extra columns kept), the
// optional `<dataset>.<optimizer>.epochs.csv` (run, epoch, metrics...) and `.meta.json`.
// Every cell is checked; a malformed file is reported by file, line and column and skipped
// whole, never half-read, and the valid files are still returned.
//
// The files are a user's, so they are not trusted: each is read as a stream through
// files/user-file.ts (regular files only, symlinks followed and re-checked, a size cap), and
// the service reads them in a worker thread (result-reader.ts), one file at a time, so a
// huge or hostile file can neither block nor exhaust the process that serves the API.

import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UserInputError } from '../../src-shared/config/errors.ts';
import type { ResultGroup } from '../../src-shared/stats/comparison.ts';
import { stripBom, type UserFileLimits, userFileChunks } from '../files/user-file.ts';

export const REQUIRED_RUN_COLUMNS = ['time', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'model_evals'] as const;

export interface ResultProblem {
  readonly file: string;
  /** 1-based line, when the problem is in one. */
  readonly line?: number;
  readonly column?: string;
  readonly problem: string;
}

/** What a group's `.meta.json` says (written by `evolab run`), when it is there and readable. */
export interface ResultMeta {
  /** The experiment config as written (not re-validated). */
  readonly config: unknown;
  readonly backends: string[];
}

/** A result file as read: its runs (and epochs), and its .meta.json when there is a usable one. */
export interface ReadResult {
  readonly group: ResultGroup;
  readonly meta: ResultMeta | null;
}

export interface ResultFolder {
  readonly groups: ResultGroup[];
  /** The .meta.json of each group by its source file name, where present and readable. */
  readonly metas: ReadonlyMap<string, ResultMeta>;
  readonly problems: ResultProblem[];
}

interface Row {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

export class FileProblem extends Error {
  readonly detail: ResultProblem;

  constructor(detail: ResultProblem) {
    super(detail.problem);
    this.detail = detail;
  }
}

/** Every row of a CSV file, parsed as it streams in. */
async function rows(path: string, file: string, limits: UserFileLimits): Promise<Row[]> {
  const parser = parse({ info: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  const out: Row[] = [];
  parser.on('data', (row: Row) => out.push(row));
  try {
    await pipeline(Readable.from(userFileChunks(path, limits)), parser);
  } catch (error) {
    if (error instanceof UserInputError) throw new FileProblem({ file, problem: error.problem });
    throw new FileProblem({ file, problem: `not valid CSV (${(error as Error).message})` });
  }
  return out;
}

function numberCell(cell: string | undefined, file: string, line: number, column: string): number {
  const value = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
  if (cell === undefined) throw new FileProblem({ file, line, column, problem: 'missing cell' });
  // "nan" is how pandas writes a diverged run; keep it as NaN rather than refuse the file.
  if (Number.isNaN(value) && !/^nan$/i.test(cell.trim()))
    throw new FileProblem({ file, line, column, problem: `not a number: ${JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}...` : cell)}` });
  return value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** One runs file (and its epochs file and .meta.json when present) as a result group. */
export async function readResultFile(path: string, limits: UserFileLimits): Promise<ReadResult> {
  const file = basename(path);
  const match = /^(.+)\.([^.]+)\.csv$/.exec(file);
  if (match === null || file.endsWith('.epochs.csv')) throw new FileProblem({ file, problem: 'expected a name <dataset>.<optimizer>.csv' });
  const [, dataset, optimizer] = match;
  const table = await rows(path, file, limits);
  if (table.length < 2) throw new FileProblem({ file, problem: 'needs a header row and at least one run' });
  const header = table[0].record;
  const missing = REQUIRED_RUN_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new FileProblem({ file, line: 1, column: missing[0], problem: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` });
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
    if (!Number.isInteger(index))
      throw new FileProblem({ file, line: info.lines, column: header[0] || 'run index', problem: 'the run index must be an integer' });
    return Object.keys(extra).length > 0 ? { index, metrics, extra } : { index, metrics };
  });
  const indices = new Set(runs.map((run) => run.index));
  if (indices.size !== runs.length) throw new FileProblem({ file, problem: 'run indices repeat' });

  const epochsPath = path.replace(/\.csv$/, '.epochs.csv');
  let epochs: ResultGroup['epochs'] = null;
  if (await exists(epochsPath)) {
    const epochsFile = basename(epochsPath);
    const epochTable = await rows(epochsPath, epochsFile, limits);
    const epochHeader = epochTable[0]?.record ?? [];
    if (!epochHeader.includes('run') || !epochHeader.includes('epoch')) {
      throw new FileProblem({ file: epochsFile, line: 1, column: epochHeader.includes('run') ? 'epoch' : 'run', problem: 'missing column' });
    }
    const names = epochHeader.filter((n) => n !== 'run' && n !== 'epoch');
    epochs = epochTable.slice(1).map(({ record, info }) => {
      if (record.length !== epochHeader.length)
        throw new FileProblem({ file: epochsFile, line: info.lines, problem: `expected ${epochHeader.length} cells, got ${record.length}` });
      const at = (name: string) => numberCell(record[epochHeader.indexOf(name)], epochsFile, info.lines, name);
      const run = at('run');
      if (!indices.has(run)) throw new FileProblem({ file: epochsFile, line: info.lines, column: 'run', problem: `run ${run} is not in ${file}` });
      return { run, epoch: at('epoch'), metrics: Object.fromEntries(names.map((n) => [n, at(n)])) };
    });
  }
  const group: ResultGroup = { dataset, optimizer, source: file, runs, epochs };
  return { group, meta: await readResultMeta(path.replace(/\.csv$/, '.meta.json'), limits) };
}

/** The .meta.json beside a runs file; null when absent, unreadable or not what `evolab run` writes. */
async function readResultMeta(path: string, limits: UserFileLimits): Promise<ResultMeta | null> {
  if (!(await exists(path))) return null;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of userFileChunks(path, limits)) chunks.push(chunk);
    const meta = JSON.parse(stripBom(Buffer.concat(chunks).toString('utf8'))) as { config?: unknown; runs?: { backend?: unknown }[] };
    if (meta === null || typeof meta !== 'object') return null;
    const runs = Array.isArray(meta.runs) ? meta.runs : [];
    const backends = [...new Set(runs.map((r) => r?.backend).filter((b): b is string => typeof b === 'string'))];
    return { config: meta.config ?? null, backends };
  } catch {
    return null;
  }
}

/** The runs files of a folder (`*.csv` but not `*.epochs.csv`), sorted; the folder itself checked. */
export async function listResultFiles(folder: string): Promise<string[]> {
  let stats;
  try {
    stats = await stat(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(folder, code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? 'unknown error'})`);
  }
  if (!stats.isDirectory()) throw new UserInputError(folder, 'is a file, not a folder');
  return (await readdir(folder)).filter((f) => f.endsWith('.csv') && !f.endsWith('.epochs.csv')).sort();
}

/** Reads one result file; the service passes a reader that works in a worker thread. */
export type ResultFileReader = (path: string) => Promise<ReadResult | ResultProblem>;

/** Reads one result file in this thread (CLI commands; the worker's own work). */
export function readInThisThread(limits: UserFileLimits): ResultFileReader {
  return async (path) => {
    try {
      return await readResultFile(path, limits);
    } catch (error) {
      if (error instanceof FileProblem) return error.detail;
      if (error instanceof UserInputError) return { file: basename(path), problem: error.problem };
      throw error;
    }
  };
}

/** Every result file of a folder; problems are listed, and the files with one are left out. */
export async function readResultFolder(folder: string, read: ResultFileReader): Promise<ResultFolder> {
  const files = await listResultFiles(folder);
  const groups: ResultGroup[] = [];
  const metas = new Map<string, ResultMeta>();
  const problems: ResultProblem[] = [];
  for (const file of files) {
    const result = await read(join(folder, file));
    if ('group' in result) {
      groups.push(result.group);
      if (result.meta !== null) metas.set(result.group.source, result.meta);
    } else {
      problems.push(result);
    }
  }
  if (files.length === 0) problems.push({ file: folder, problem: 'no <dataset>.<optimizer>.csv result files in this folder' });
  return { groups, metas, problems };
}

export function describeProblem(p: ResultProblem): string {
  const where = [p.file, p.line !== undefined ? `line ${p.line}` : null, p.column !== undefined ? `column "${p.column}"` : null]
    .filter((x) => x !== null)
    .join(', ');
  return `${where}: ${p.problem}`;
}
