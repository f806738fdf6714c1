// Turns the synchronous SQLite repositories into the asynchronous store contract, over one
// connection shared by the whole process. A transaction may now span awaits, so while one is
// open every repository call from another async context waits for it to end (otherwise it
// would silently join it, and be rolled back with it); calls made inside the transaction's
// own context — found through AsyncLocalStorage — run at once and join it. Outside a
// transaction a call runs synchronously, as before, and answers with a settled promise, so
// the embedded store keeps its speed.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Asynchronous } from './contract.ts';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.ts';

export class SqliteGate {
  private readonly db: SqliteDatabase;
  private readonly context = new AsyncLocalStorage<symbol>();
  /** The transaction now open on the connection, if any. */
  private holder: symbol | null = null;
  /** Settles when the open transaction ends. */
  private ended: Promise<void> = Promise.resolve();

  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  private mayRunNow(): boolean {
    return this.holder === null || this.context.getStore() === this.holder;
  }

  /** Runs one repository call: now, unless another context's transaction is open. */
  call<T>(work: () => T): Promise<T> {
    if (!this.mayRunNow()) return this.callLater(work);
    // The common case, kept free of async machinery (it is on every query's path).
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private async callLater<T>(work: () => T): Promise<T> {
    while (!this.mayRunNow()) await this.ended;
    return work();
  }

  /**
   * Runs `work` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it throws). IMMEDIATE takes
   * the write lock up front, so a read-then-write transaction never fails half-way with
   * SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile. Nested calls join.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.holder !== null && this.context.getStore() === this.holder) return work();
    while (this.holder !== null) await this.ended;
    const token = Symbol('transaction');
    let end = (): void => undefined;
    this.holder = token;
    this.ended = new Promise((resolve) => (end = resolve));
    try {
      this.begin.run();
      try {
        const result = await this.context.run(token, work);
        this.commit.run();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.rollback.run();
        throw error;
      }
    } finally {
      this.holder = null;
      end();
    }
  }

  /** The repository's methods, each through call(). */
  wrap<T extends object>(repository: T): Asynchronous<T> {
    const wrapped: Record<string, unknown> = {};
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const method: unknown = Reflect.get(repository, name);
      if (name === 'constructor' || typeof method !== 'function') continue;
      wrapped[name] = (...args: unknown[]) => this.call(() => Reflect.apply(method, repository, args) as unknown);
    }
    return wrapped as Asynchronous<T>;
  }
}
