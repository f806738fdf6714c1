// Field builders for config schemas: each says, in its error message, what it expected and
// what it got ("expected a positive number, got \"fast\""), so messages read the same everywhere.

import { z } from 'zod';
import { describeValue } from './errors.ts';

type Issue = { readonly input?: unknown; readonly code?: string };

function expecting(what: string) {
  return (issue: Issue) => `expected ${what}, got ${describeValue(issue.input)}`;
}

/** A finite number, optionally bounded; the bounds are part of the message. */
export function numberField(what: string, check: (n: number) => boolean) {
  const message = expecting(what);
  return z.number({ error: message }).refine((n) => Number.isFinite(n) && check(n), { error: message });
}

export const positiveNumber = () => numberField('a positive number', (n) => n > 0);
export const nonNegativeNumber = () => numberField('a number >= 0', (n) => n >= 0);
export const fraction = () => numberField('a number in [0, 1]', (n) => n >= 0 && n <= 1);
export const openUnitInterval = () => numberField('a number in (0, 1)', (n) => n > 0 && n < 1);

/** An integer >= min. */
export function integerField(min: number) {
  return numberField(min === 1 ? 'a positive integer' : `an integer >= ${min}`, (n) => Number.isInteger(n) && n >= min);
}

/** One of a fixed set of strings. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });
}

/** A non-empty string. */
export const nonEmptyString = () =>
  z.string({ error: expecting('a non-empty string') }).min(1, { error: expecting('a non-empty string') });

/** Error map for whatever the builders above do not cover (objects, lists, unions). */
export function fallbackMessage(issue: Issue & { readonly expected?: string }): string | undefined {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
    return `expected ${expected}, got ${describeValue(issue.input)}`;
  }
  return undefined;
}
