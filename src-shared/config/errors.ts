// Errors caused by what a user gave us (a config, a file, a flag), as opposed to bugs.
// They carry the field or place at fault so that every front end (CLI, HTTP API, UI form)
// can show "where: what is wrong" without a stack trace.

import type { z } from 'zod';

/** An error in user input. `where` names the field (dotted path), file, or flag at fault. */
export class UserInputError extends Error {
  readonly where: string;
  readonly problem: string;

  constructor(where: string, problem: string) {
    super(where ? `${where}: ${problem}` : problem);
    this.name = 'UserInputError';
    this.where = where;
    this.problem = problem;
  }
}

/** Several problems found at once (a config with three wrong fields reports all three). */
export class ValidationError extends UserInputError {
  readonly problems: readonly UserInputError[];

  constructor(problems: readonly UserInputError[]) {
    const first = problems[0] ?? new UserInputError('', 'invalid input');
    super(first.where, first.problem);
    this.name = 'ValidationError';
    this.problems = problems;
    this.message = problems.map((p) => p.message).join('; ');
  }
}

/** A short, quoted rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  const joined = parts.join('.').replace(/\.\[/g, '[');
  return prefix && joined ? `${prefix}.${joined}` : prefix || joined;
}

/** Turns zod's issues into our errors, one per issue, each naming its field. */
export function fromZodError(error: z.ZodError, prefix = ''): ValidationError {
  const problems: UserInputError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push(new UserInputError(pathOf(prefix, [...issue.path, key]), 'unknown field'));
      }
      continue;
    }
    problems.push(new UserInputError(pathOf(prefix, issue.path), issue.message));
  }
  return new ValidationError(problems);
}
