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

/** The largest integer a double holds exactly (2^53 - 1): ids, seeds and counts stay below it. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * An integer in [min, max]; max defaults to 2^53 - 1, above which doubles stop being exact
 * (two seeds 9007199254740992 and 9007199254740993 are the same number).
 */
export function integerField(min: number, max: number = MAX_SAFE_INTEGER) {
  const what = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
  const tooLarge = max === MAX_SAFE_INTEGER ? `an integer <= ${max} (2^53 - 1)` : `an integer <= ${max}`;
  const message = (issue: Issue) => {
    const n = issue.input;
    const above = typeof n === 'number' && Number.isFinite(n) && Number.isInteger(n) && n > max;
    return `expected ${above ? tooLarge : what}, got ${describeValue(n)}`;
  };
  return z.number({ error: message }).refine((n) => Number.isFinite(n) && Number.isInteger(n) && n >= min && n <= max, { error: message });
}

/** One of a fixed set of strings. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });
}

/** A non-empty string. */
export const nonEmptyString = () => z.string({ error: expecting('a non-empty string') }).min(1, { error: expecting('a non-empty string') });

/** Error map for whatever the builders above do not cover (objects, lists, unions). */
export function fallbackMessage(issue: Issue & { readonly expected?: string }): string | undefined {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
    return `expected ${expected}, got ${describeValue(issue.input)}`;
  }
  return undefined;
}
