// Opens an Evolab database: checks what the file is before touching it, sets the
// connection up (WAL, foreign keys, busy timeout) and migrates it to the current schema.
// A file that is not SQLite, an SQLite database of another application, or a database
// written by a newer Evolab is refused with an ApiError('database') and left byte-for-byte
// unchanged: the checks only read, and nothing is written before they pass.

import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../../src-shared/api-errors.ts';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { describeSqliteError, sqliteCode } from './sqlite-errors.ts';

export type SqliteDatabase = Database.Database;

const SQLITE_HEADER = 'SQLite format 3\u0000';

function refuse(path: string, problem: string): never {
  throw new ApiError('database', `${path}: ${problem}; the file was not modified`);
}

function checkHeader(path: string): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) refuse(path, 'is a folder, not a database file');
  if (statSync(path).size === 0) return; // an empty file becomes a new database
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) refuse(path, 'is not an SQLite database');
}

/**
 * Opens (creating if needed) and migrates the database at `path` (":memory:" for tests).
 * @param busyTimeoutMs how long a statement waits for another process's write lock.
 */
export function openDatabase(path: string, busyTimeoutMs = 5000): SqliteDatabase {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    checkHeader(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    refuse(path, `cannot be opened (${(error as Error).message})`);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (version > SCHEMA_VERSION) {
      refuse(path, `was written by a newer Evolab (schema ${version}; this version knows schemas up to ${SCHEMA_VERSION}). Update Evolab to open it`);
    }
    if (applicationId !== APPLICATION_ID && (tables > 0 || version > 0)) {
      refuse(path, 'is an SQLite database of another application, not an Evolab database');
    }
    // Opening and migrating may wait for another process as the CLI does; afterwards the
    // caller's timeout applies (see StoreOptions.busyTimeoutMs).
    db.pragma('busy_timeout = 5000');
    if (!inMemory) db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a crash of the app (kill -9); only a
    // power cut can lose the last few commits, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, version);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof ApiError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') refuse(path, 'is not a usable SQLite database');
    // Read-only file or file system, full disk, I/O errors: the database's trouble, in one line.
    if (sqliteCode(error) !== null) throw new ApiError('database', `${path}: ${describeSqliteError(error)}`, undefined, [], error);
    throw error;
  }
}

function migrate(db: SqliteDatabase, from: number): void {
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction: it is switched around it.
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        // Another process may have migrated since we looked: re-check under the write lock.
        if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${migration.version} would leave ${broken.length} broken foreign key(s)`);
        }
        if (migration.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } finally {
      if (migration.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
}

/** `PRAGMA integrity_check` plus foreign-key check: "ok" when the file is sound. */
export function integrityCheck(db: SqliteDatabase): string {
  const result = db.pragma('integrity_check', { simple: true }) as string;
  const foreign = db.pragma('foreign_key_check') as unknown[];
  return foreign.length === 0 ? result : `${result}; ${foreign.length} foreign-key violation(s)`;
}
