// A user's CSV data set: a header row, numeric feature columns and one label column (any
// text). Every cell is checked before anything is used; the first bad cell is reported by
// file, line and column, and nothing is half-loaded.

import { parse } from 'csv-parse/sync';
import { UserInputError, describeValue } from '../../../src-shared/config/errors.ts';
import { defaultFileLimits, readUserTextSync, type UserFileLimits } from '../../files/user-file.ts';
import type { Dataset } from './dataset.ts';

interface ParsedRow {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

export function parseCsvDataset(text: string, fileName: string, labelColumn: string): { data: Dataset; classNames: string[] } {
  let rows: ParsedRow[];
  try {
    rows = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as ParsedRow[];
  } catch (error) {
    throw new UserInputError(fileName, `not valid CSV (${(error as Error).message})`);
  }
  if (rows.length < 2) throw new UserInputError(fileName, 'needs a header row and at least one data row');
  const header = rows[0].record;
  const labelIndex = header.indexOf(labelColumn);
  if (labelIndex < 0) throw new UserInputError(`${fileName}`, `no column named ${describeValue(labelColumn)} (columns: ${header.join(', ')})`);
  const featureIndices = header.map((_, i) => i).filter((i) => i !== labelIndex);
  if (featureIndices.length === 0) throw new UserInputError(fileName, 'has no feature columns besides the label');

  const body = rows.slice(1);
  const features = featureIndices.length;
  const x = new Float32Array(body.length * features);
  const labelTexts: string[] = [];
  body.forEach(({ record, info }, r) => {
    if (record.length !== header.length) {
      throw new UserInputError(`${fileName}:${info.lines}`, `expected ${header.length} cells, got ${record.length}`);
    }
    featureIndices.forEach((col, f) => {
      const cell = record[col];
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new UserInputError(`${fileName}:${info.lines}, column ${describeValue(header[col])}`, `expected a number, got ${describeValue(cell)}`);
      }
      x[r * features + f] = value;
    });
    const label = record[labelIndex];
    if (label === '') throw new UserInputError(`${fileName}:${info.lines}, column ${describeValue(labelColumn)}`, 'empty label');
    labelTexts.push(label);
  });
  // Classes in a stable order that does not depend on row order.
  const classNames = [...new Set(labelTexts)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (classNames.length < 2) throw new UserInputError(fileName, `needs at least 2 classes in column ${describeValue(labelColumn)}`);
  const y = Int32Array.from(labelTexts, (t) => classNames.indexOf(t));
  return { data: { size: body.length, features, classes: classNames.length, x, y }, classNames };
}

/**
 * Reads and parses a CSV data set. Only a regular file within the size cap is read (no FIFO,
 * device or endless file; see files/user-file.ts), so a config cannot make a job hang or
 * grow without bound.
 */
export function loadCsvDataset(path: string, labelColumn: string, limits: UserFileLimits = defaultFileLimits()): { data: Dataset; classNames: string[] } {
  let text: string;
  try {
    text = readUserTextSync(path, limits);
  } catch (error) {
    if (error instanceof UserInputError) throw new UserInputError('dataset.path', error.message);
    throw error;
  }
  return parseCsvDataset(text, path, labelColumn);
}
