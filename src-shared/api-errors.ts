// Typed errors of the AppApi. Every front end (HTTP, IPC, CLI) gets the same shape back:
// a code saying what kind of failure it is, a message for people, and for bad input the
// field at fault, so a form can put the message beside that field.

import { UserInputError, ValidationError } from './config/errors.ts';

export const API_ERROR_CODES = [
  'invalid_input', // a request field is wrong (field names it)
  'not_found', // an id that does not exist
  'conflict', // the request is valid but not in this state (e.g. retry a run that is running)
  'too_large', // the request body is over the size limit
  'unauthorized', // token missing or wrong
  'forbidden', // e.g. a file outside the renderer folder, a foreign Origin
  'database', // the database file cannot be used (not SQLite, newer schema, locked)
  'internal', // a bug: never caused by the request
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiProblem {
  readonly field: string;
  readonly problem: string;
}

/** What crosses the wire: `{ "error": ApiErrorBody }`. */
export interface ApiErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** The first field at fault (invalid_input only). */
  readonly field?: string;
  /** Every field at fault (invalid_input only). */
  readonly problems?: readonly ApiProblem[];
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  readonly problems: readonly ApiProblem[];

  /** @param cause the underlying error (e.g. the SQLite error behind a 'database' one). */
  constructor(code: ApiErrorCode, message: string, field?: string, problems: readonly ApiProblem[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.problems = problems;
  }

  static notFound(what: string, id: number): ApiError {
    return new ApiError('not_found', `${what} ${id} does not exist`, undefined);
  }

  /** The error a client rebuilds from what crossed the wire (HTTP body or IPC answer). */
  static fromBody(body: ApiErrorBody): ApiError {
    return new ApiError(body.code, body.message, body.field, body.problems ?? []);
  }

  toBody(): ApiErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.problems.length > 0 ? { problems: this.problems } : {}),
    };
  }
}

/** Any thrown value as an ApiError: user-input errors keep their fields, anything else is internal. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ValidationError) {
    return new ApiError(
      'invalid_input',
      error.message,
      error.where,
      error.problems.map((p) => ({ field: p.where, problem: p.problem })),
    );
  }
  if (error instanceof UserInputError) {
    return new ApiError('invalid_input', error.message, error.where, [{ field: error.where, problem: error.problem }]);
  }
  // An SQLite error that escaped the store's own handling (better-sqlite3 codes are "SQLITE_*"):
  // still the database's trouble, not a bug of the request.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new ApiError('database', `database error (${code}): ${error instanceof Error ? error.message : String(error)}`, undefined, [], error);
  }
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}
