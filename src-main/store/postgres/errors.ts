// What a PostgreSQL driver error means for Evolab, in the terms SQLite's (../sqlite-errors.ts)
// uses: 'busy' (a serialization failure, a deadlock, a lost or refused connection: try again
// a little later) or 'storage' (disk full, read-only, I/O trouble: retrying at once will not
// help), or neither (a constraint violated: a bug or a race the caller reports). Every
// driver error reaches callers as ApiError('database') with the driver's error as cause; the
// messages are built from the URL with its password hidden, and any copy of the password a
// driver message might carry is blanked too.

import pg from 'pg';
import { ApiError } from '../../../src-shared/api-errors.ts';

export type PostgresTrouble = 'busy' | 'storage';

/** Node's codes for a connection that failed or broke. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** node-postgres's own messages for a connection that is gone (they carry no code). */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
];

/** The SQLSTATE of a PostgreSQL error (e.g. "40001"), or null. */
export function sqlState(error: unknown): string | null {
  if (!(error instanceof pg.DatabaseError)) return null;
  return typeof error.code === 'string' ? error.code : null;
}

/** The connection is gone or could not be made: nothing was committed by the failing call unless it was COMMIT. */
export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  // 08: connection exception; 57P01-57P03: the server shuts down or is starting up.
  if (state !== null) return state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03';
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** What kind of trouble a driver error is (see the header), or null. */
export function postgresTrouble(error: unknown): PostgresTrouble | null {
  const state = sqlState(error);
  // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available,
  // 53300 too_many_connections, 57014 query_canceled (a statement timeout).
  if (state === '40001' || state === '40P01' || state === '55P03' || state === '53300' || state === '57014') return 'busy';
  if (isConnectionError(error)) return 'busy';
  if (state === null) return null;
  // 53: insufficient resources (53100 disk_full, 53200 out_of_memory); 58: system errors (I/O);
  // 25006: read-only transaction (a standby, or default_transaction_read_only); XX001/XX002: damaged data.
  if (state.startsWith('53') || state.startsWith('58') || state === '25006' || state === 'XX001' || state === 'XX002') return 'storage';
  return null;
}

/** The problem in words, for people. */
export function describePostgresError(error: unknown): string {
  const state = sqlState(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (state === '40001') return `the transaction conflicted with another one (serialization failure: ${detail})`;
  if (state === '40P01') return `the transaction deadlocked with another one (${detail})`;
  if (state === '53100') return `disk full: the database cannot grow (${detail})`;
  if (state === '25006') return `the database cannot be written (read-only: ${detail})`;
  if (state === '28P01' || state === '28000') return `the server refused the login (${detail})`;
  if (state === '3D000') return `no such database (${detail})`;
  if (state.startsWith('58') || state === 'XX001' || state === 'XX002') return `the server's storage fails (${state}: ${detail})`;
  if (isConnectionError(error)) return `cannot reach the database server (${detail})`;
  return `database error (${state === '' ? 'no SQLSTATE' : state}: ${detail})`;
}

/**
 * Builds the ApiError('database') of a driver error, blanking the given secrets (the URL's
 * password) in the message and in the driver's own message, which becomes the cause.
 */
export function databaseError(error: unknown, where: string, secrets: readonly string[], prefix = ''): ApiError {
  const scrub = (text: string): string => secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join('***')), text);
  if (error instanceof Error) {
    // The message, the stack, and any other text the error carries (a URL parser's `input`).
    const fields = error as unknown as Record<string, unknown>;
    for (const key of new Set(['message', 'stack', ...Object.keys(error)])) {
      const value = fields[key];
      if (typeof value === 'string' && secrets.some((secret) => secret !== '' && value.includes(secret))) fields[key] = scrub(value);
    }
  }
  return new ApiError('database', scrub(`${where}: ${prefix}${describePostgresError(error)}`), undefined, [], error);
}
