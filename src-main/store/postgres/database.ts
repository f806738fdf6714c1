// The connection to a PostgreSQL store: a pool, the schema check and migration on opening,
// and the one query path every repository uses. Opening refuses a schema that is not
// Evolab's or that a newer Evolab wrote, with an ApiError('database'), after only reading:
// nothing is written before the checks pass (and they are repeated under the migration lock).
//
// Transactions: the open transaction's pooled client sits in an AsyncLocalStorage, so every
// repository call made inside transaction() (across awaits, in that async context) runs on
// it, while calls from elsewhere take other pooled connections and never wait for it (unlike
// SQLite's single connection). Nested transaction() and write() calls join the outer one.
// Transactions are SERIALIZABLE: SQLite's are (one writer at a time), and the services rely
// on it (look up, then insert, in one transaction); PostgreSQL answers a conflict with a
// serialization failure instead of waiting, which write() retries.

import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { ApiError } from '../../../src-shared/api-errors.ts';
import { SCHEMA_VERSION } from '../migrations.ts';
import { redactUrl } from '../redact-url.ts';
import { DEFAULT_WRITE_WAIT_MS } from '../store.ts';
import { databaseError, isConnectionError, postgresTrouble } from './errors.ts';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.ts';

/** A query parameter. Arrays travel as PostgreSQL arrays (for = ANY ($1) and unnest). */
export type SqlValue = string | number | boolean | null | readonly (string | number | null)[];

/** Numbered placeholders ($1, $2, ...) for the values of a query built piece by piece. */
export class Placeholders {
  readonly values: SqlValue[] = [];

  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface PostgresStoreOptions {
  /** The schema holding Evolab's tables (default "evolab"): a plain lower-case identifier. */
  readonly schema?: string;
  /** How many connections this process may hold (default 10). */
  readonly poolSize?: number;
}

/**
 * Writes a repository holds back inside a transaction, to send many in one statement (a
 * training job's epochs of metrics): sent before the transaction's next query and before
 * COMMIT, so the transaction always reads what it wrote.
 */
export interface DeferredWrite {
  /** The statement sending everything held so far (null: nothing held). */
  take(): { readonly sql: string; readonly params: readonly SqlValue[] } | null;
}

interface TransactionContext {
  readonly client: pg.PoolClient;
  open: boolean;
  /** The client's queries one after another (a pg client must not be handed a query while it runs one). */
  turn: Promise<unknown>;
  /** The first statement that failed: PostgreSQL aborts the transaction there, so nothing after it can commit. */
  failure: ApiError | null;
  readonly deferred: Map<object, DeferredWrite>;
}

/** Takes turns migrating one schema (advisory lock key: "EVLB", hash of the schema name). */
const LOCK_CLASS = 0x45564c42;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Counts and ids come back as JS numbers, not strings (bigint is 64-bit; Evolab's values fit
// in 2^53), for this pool only: other users of `pg` in the process keep the defaults.
const builtinParser = pg.types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown;
const textArray = builtinParser(1009) as (text: string) => (string | null)[];
const TYPE_PARSERS = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format !== 'binary') {
      if (oid === 20 || oid === 1700) return (text: string) => Number(text); // int8, numeric
      if (oid === 1016) return (text: string) => textArray(text).map((v) => (v === null ? null : Number(v))); // int8[]
    }
    return builtinParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

type SchemaState =
  { readonly kind: 'absent' | 'empty' } | { readonly kind: 'evolab'; readonly version: number } | { readonly kind: 'refused'; readonly problem: string };

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The URL's password, raw and decoded, to blank wherever a message might repeat it. */
function secretsOf(url: string): string[] {
  const secrets: string[] = [];
  const decoded = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  try {
    const parsed = new URL(url);
    secrets.push(parsed.password, decoded(parsed.password), parsed.searchParams.get('password') ?? '');
  } catch {
    // Not a URL the parser takes: find the password the way redactUrl does.
    const raw = /\/\/[^:/@]*:([^@]*)@/.exec(url)?.[1] ?? '';
    secrets.push(raw, decoded(raw));
  }
  // Longest first, so that a password containing another is blanked whole.
  return [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
}

export class PostgresDatabase {
  /** The URL with its password replaced by "***". */
  readonly path: string;
  readonly schema: string;
  private readonly pool: pg.Pool;
  /** How to connect (the URL, with its password: never shown). */
  private readonly connection: pg.ClientConfig;
  private readonly context = new AsyncLocalStorage<TransactionContext>();
  private readonly secrets: readonly string[];
  /** Errors of a COMMIT whose outcome is unknown (the connection broke): never retried. */
  private readonly ambiguous = new WeakSet<ApiError>();
  /** Pooled connections whose search_path names Evolab's schema. */
  private readonly prepared = new WeakSet<pg.PoolClient>();
  private closed = false;

  private constructor(url: string, schema: string, poolSize: number) {
    this.secrets = secretsOf(url);
    this.path = this.scrub(redactUrl(url));
    this.schema = schema;
    this.connection = {
      connectionString: url,
      types: TYPE_PARSERS,
      // An unreachable server fails in seconds instead of hanging on the operating system's TCP timeout.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: 'evolab',
    };
    this.pool = new pg.Pool({ ...this.connection, max: poolSize });
    // An idle connection the server dropped (restart, network cut) must not crash the process:
    // the pool discards it, and the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  /** Connects, checks the schema and migrates it to the current version. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresDatabase> {
    const schema = options.schema ?? 'evolab';
    if (!SCHEMA_NAME.test(schema)) {
      throw new ApiError('database', `schema name ${JSON.stringify(schema)} is not a plain lower-case identifier (a-z, 0-9, _)`);
    }
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new ApiError('database', `pool size ${poolSize} is not a positive integer`);
    const db = new PostgresDatabase(url, schema, poolSize);
    try {
      await db.migrate();
      return db;
    } catch (error) {
      await db.close().catch(() => undefined);
      if (error instanceof ApiError) throw error;
      throw db.error(error);
    }
  }

  private scrub(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  }

  /** A driver error as the ApiError('database') callers get. */
  error(error: unknown, prefix = ''): ApiError {
    if (error instanceof ApiError) return error;
    return databaseError(error, this.path, this.secrets, prefix);
  }

  private refuse(problem: string): never {
    throw new ApiError('database', `${this.path}: ${problem}; the database was not modified`);
  }

  /** What the schema holds now (reads only). */
  private async inspect(on: Queryable): Promise<SchemaState> {
    const found = await on.query<{ schema_exists: boolean; has_meta: boolean; objects: number }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema_exists,
         to_regclass(quote_ident($1) || '.evolab_meta') IS NOT NULL AS has_meta,
         (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1)
           + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1) AS objects`,
      [this.schema],
    );
    const row = found.rows[0];
    if (!row.schema_exists) return { kind: 'absent' };
    // An empty schema (made for Evolab by an administrator, say) is Evolab's to fill.
    if (!row.has_meta) {
      return row.objects === 0
        ? { kind: 'empty' }
        : { kind: 'refused', problem: `schema "${this.schema}" belongs to another application (it has no evolab_meta table marking it as Evolab's)` };
    }
    const meta = await on.query<{ key: string; value: string }>(
      `SELECT key, value FROM ${quoteIdentifier(this.schema)}.evolab_meta WHERE key IN ('application', 'schema_version')`,
    );
    const values = new Map(meta.rows.map((r) => [r.key, r.value]));
    if (values.get('application') !== 'evolab') {
      return { kind: 'refused', problem: `schema "${this.schema}" belongs to another application (its evolab_meta does not say application = evolab)` };
    }
    const version = Number(values.get('schema_version'));
    if (!Number.isInteger(version) || version < 1) {
      return { kind: 'refused', problem: `schema "${this.schema}" has an unreadable schema_version (${JSON.stringify(values.get('schema_version') ?? null)})` };
    }
    if (version > SCHEMA_VERSION) {
      return {
        kind: 'refused',
        problem: `schema "${this.schema}" was written by a newer Evolab (schema ${version}; this version knows schemas up to ${SCHEMA_VERSION}). Update Evolab to open it`,
      };
    }
    return { kind: 'evolab', version };
  }

  private async migrate(): Promise<void> {
    let state: SchemaState;
    try {
      state = await this.inspect(this.pool);
    } catch (error) {
      throw this.error(error, 'cannot be opened: ');
    }
    if (state.kind === 'refused') this.refuse(state.problem);
    const from = state.kind === 'evolab' ? state.version : 0;
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version > from) await this.apply(migration);
    }
  }

  /** One migration in one transaction with its version bump, under the schema's migration lock. */
  private async apply(migration: PostgresMigration): Promise<void> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, this.schema]);
      // Another process may have migrated (or something else taken the schema) since we
      // looked; in READ COMMITTED this statement sees everything committed before the lock.
      const state = await this.inspect(client);
      if (state.kind === 'refused') this.refuse(state.problem);
      if (state.kind === 'evolab' && state.version >= migration.version) {
        await client.query('ROLLBACK');
        return;
      }
      if (state.kind === 'absent') await client.query(`CREATE SCHEMA ${quoteIdentifier(this.schema)}`);
      // The trigger functions keep this search_path (SET search_path FROM CURRENT).
      await client.query(`SET LOCAL search_path TO ${quoteIdentifier(this.schema)}`);
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO evolab_meta (key, value) VALUES ('application', 'evolab'), ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(migration.version)],
      );
      await client.query('COMMIT');
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      if (error instanceof ApiError) throw error;
      throw this.error(error, `cannot be migrated to schema ${migration.version} (${migration.description}): `);
    } finally {
      client.release(broken);
    }
  }

  /**
   * A pooled connection, set up on first use: its search_path names Evolab's schema, so that
   * bare table names resolve there (statements rather than startup options, which some
   * connection poolers refuse).
   */
  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.error(error);
    }
    if (this.prepared.has(client)) return client;
    try {
      // lock_timeout: a lock held for long (a process frozen inside a transaction) fails the
      // statement as busy (55P03: write() retries) instead of stalling every writer;
      // idle_in_transaction_session_timeout: the server ends such a transaction by itself.
      await client.query(`SET search_path TO ${quoteIdentifier(this.schema)}; SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '5min'`);
    } catch (error) {
      client.release(true);
      throw this.error(error);
    }
    this.prepared.add(client);
    return client;
  }

  /** The transaction open in this async context, if any. */
  private current(): TransactionContext | undefined {
    const context = this.context.getStore();
    // A callback that outlived its transaction (a timer set inside it) runs outside it, on the pool.
    return context?.open === true ? context : undefined;
  }

  inTransaction(): boolean {
    return this.current() !== undefined;
  }

  /**
   * The write held back for `owner` in the open transaction (made by `create` on first use),
   * or null outside a transaction, where the caller writes at once.
   */
  deferred<T extends DeferredWrite>(owner: object, create: () => T): T | null {
    const context = this.current();
    if (context === undefined) return null;
    let write = context.deferred.get(owner) as T | undefined;
    if (write === undefined) {
      write = create();
      context.deferred.set(owner, write);
    }
    return write;
  }

  /** Runs `operation` on the transaction's client once the queries asked before it are done. */
  private inTurn<T>(context: TransactionContext, operation: () => Promise<T>): Promise<T> {
    const result = context.turn.then(operation);
    context.turn = result.catch(() => undefined);
    return result;
  }

  /** Sends the held-back writes (inside a turn). */
  private async sendDeferred(context: TransactionContext): Promise<void> {
    for (const write of context.deferred.values()) {
      const statement = write.take();
      if (statement !== null) await context.client.query(statement.sql, statement.params as SqlValue[]);
    }
  }

  private async run(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    const context = this.current();
    if (context === undefined) {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        return await client.query(sql, params as SqlValue[]);
      } catch (error) {
        // Only a broken connection is thrown away (pool.query would drop it on any error).
        if (isConnectionError(error)) broken = error as Error;
        throw this.error(error);
      } finally {
        client.release(broken);
      }
    }
    return this.inTurn(context, async () => {
      // PostgreSQL would only answer "current transaction is aborted": name the first failure.
      if (context.failure !== null) throw context.failure;
      try {
        await this.sendDeferred(context);
        return await context.client.query(sql, params as SqlValue[]);
      } catch (error) {
        context.failure ??= this.error(error);
        throw context.failure;
      }
    });
  }

  /** The rows of a query. */
  async query<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return (await this.run(sql, params)).rows as R[];
  }

  /** The first row of a query, or null. */
  async one<R>(sql: string, params: readonly SqlValue[] = []): Promise<R | null> {
    const rows = await this.query<R>(sql, params);
    return rows.length > 0 ? rows[0] : null;
  }

  /** How many rows a statement changed. */
  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.run(sql, params)).rowCount ?? 0;
  }

  /** See Store.transaction. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.current() !== undefined) return work();
    const client = await this.connect();
    const context: TransactionContext = { client, open: true, turn: Promise.resolve(), failure: null, deferred: new Map() };
    let result: T;
    try {
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      } catch (error) {
        throw this.error(error);
      }
      result = await this.context.run(context, work);
      // Calls from here on (a callback the work left behind) run outside the transaction.
      context.open = false;
      await this.inTurn(context, async () => {
        // The work caught a failed statement and went on: PostgreSQL has aborted the
        // transaction, so it cannot commit what the work believes it wrote.
        if (context.failure !== null) throw context.failure;
        try {
          await this.sendDeferred(context);
        } catch (error) {
          throw this.error(error);
        }
      });
    } catch (error) {
      context.open = false;
      let broken: Error | undefined;
      await this.inTurn(context, async () => {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
      });
      client.release(broken);
      throw error;
    }
    let broken: Error | undefined;
    try {
      await client.query('COMMIT');
    } catch (error) {
      if (!isConnectionError(error)) throw this.error(error);
      broken = error as Error;
      const unknown = this.error(error, 'the connection broke while committing, so whether the transaction was stored is unknown: ');
      this.ambiguous.add(unknown);
      throw unknown;
    } finally {
      // A failed COMMIT ended the transaction; a broken connection is not reused.
      client.release(broken);
    }
    return result;
  }

  /** Whether transaction() failed for a reason that may pass: a conflict, a deadlock, a connection lost before COMMIT. */
  private retryable(error: unknown): error is ApiError {
    return error instanceof ApiError && error.code === 'database' && !this.ambiguous.has(error) && postgresTrouble(error.cause) === 'busy';
  }

  /** See Store.write. Inside a transaction it joins it (the outer caller decides about retrying). */
  async write<T>(work: () => Promise<T>, options: { readonly maxWaitMs?: number } = {}): Promise<T> {
    if (this.current() !== undefined) return work();
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_WRITE_WAIT_MS;
    const deadline = performance.now() + maxWaitMs;
    for (let wait = 10; ; wait = Math.min(250, wait * 2)) {
      try {
        return await this.transaction(work);
      } catch (error) {
        if (!this.retryable(error)) throw error;
        if (performance.now() + wait > deadline) {
          throw new ApiError(
            'database',
            `${this.path} is busy: its transactions kept conflicting with others (or the server kept being unreachable) for ${(maxWaitMs / 1000).toFixed(0)} s; try again. Last error: ${error.message}`,
            undefined,
            [],
            error.cause,
          );
        }
      }
      // Jitter, so that two processes that conflicted do not retry in step.
      await delay(wait * (0.5 + Math.random()));
    }
  }

  /** Runs a repository's statements as one unit: inside the caller's transaction, or in their own (retried) one. */
  atomic<T>(work: () => Promise<T>): Promise<T> {
    return this.current() !== undefined ? work() : this.write(work);
  }

  /**
   * A connection of its own, outside the pool, for session state that must live as long as
   * the connection does (advisory locks); the caller ends it. Errors of an idle connection
   * go to `onError` (they would otherwise crash the process).
   */
  async dedicatedConnection(onError: (error: Error) => void): Promise<pg.Client> {
    const client = new pg.Client(this.connection);
    client.on('error', onError);
    try {
      await client.connect();
      await client.query(`SET search_path TO ${quoteIdentifier(this.schema)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw this.error(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
