// What an SQLite error means for Evolab. Two kinds matter to the write path: the database
// is busy (another process holds the write lock: wait and try again), or the storage fails
// (disk full, read-only file or file system, I/O error: retrying at once will not help; the
// queue pauses until it is fixed). Every SQLite error reaches callers as
// ApiError('database'): HTTP 503, one line and exit code 2 in the CLI.

import { ApiError } from '../../src-shared/api-errors.ts';

export type SqliteTrouble = 'busy' | 'storage';

/** The SQLite result code of an error thrown by better-sqlite3 (e.g. "SQLITE_FULL"), or null. */
export function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/**
 * 'busy', 'storage', or null: any other SQLite error (a constraint broken, an SQL error) is a
 * bug of ours, not the database's trouble, and must not stop the queue as a full disk would.
 */
export function sqliteTrouble(error: unknown): SqliteTrouble | null {
  const code = sqliteCode(error);
  if (code === null) return null;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  const storage = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL'];
  return storage.some((kind) => code === kind || code.startsWith(`${kind}_`)) ? 'storage' : null;
}

/** The problem in words, for people (queue pause reasons, API messages). */
export function describeSqliteError(error: unknown): string {
  const code = sqliteCode(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_FULL') return 'disk full: the database cannot grow';
  if (code.startsWith('SQLITE_READONLY')) return `the database cannot be written (read-only: ${detail})`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'the database is busy (another process holds its write lock)';
  if (code.startsWith('SQLITE_IOERR')) return `disk I/O error (${code}: ${detail})`;
  if (code.startsWith('SQLITE_CANTOPEN')) return `the database file cannot be opened (${detail})`;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return `the database file is damaged (${detail})`;
  return `database error (${code || 'unknown'}: ${detail})`;
}

/** An SQLite error as the ApiError callers get; other errors unchanged. */
export function asDatabaseError(error: unknown, path: string): unknown {
  if (error instanceof ApiError || sqliteCode(error) === null) return error;
  return new ApiError('database', `${path}: ${describeSqliteError(error)}`);
}
