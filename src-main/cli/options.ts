// Parsers for command-line option values, so a bad flag fails with a message naming it.

import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_FILE_BYTES, MAX_FILE_ENV, type UserFileLimits, defaultFileLimits } from '../files/user-file.ts';

/** Integers above 2^53 - 1 are not exact in a double (two seeds would collide): refused. */
function unsafe(n: number, value: string): InvalidArgumentError | null {
  return Number.isInteger(n) && !Number.isSafeInteger(n)
    ? new InvalidArgumentError(`expected at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1), got "${value}"`)
    : null;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  const tooLarge = unsafe(n, value);
  if (tooLarge !== null) throw tooLarge;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  const tooLarge = unsafe(n, value);
  if (tooLarge !== null) throw tooLarge;
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected an integer >= 0, got "${value}"`);
  return n;
}

export function threadCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected "auto" or a positive integer, got "${value}"`);
  return n;
}

export function integerOption(value: string): number {
  const n = Number(value);
  const tooLarge = unsafe(Math.abs(n), value);
  if (tooLarge !== null) throw tooLarge;
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return n;
}

/** --max-file-mb: the cap on any one file the command reads (default $EVOLAB_MAX_FILE_MB, else 256). */
export function maxFileOption(): Option {
  return new Option('--max-file-mb <mb>', `largest file read, in MiB (default: $${MAX_FILE_ENV}, else ${DEFAULT_MAX_FILE_BYTES / 1024 / 1024})`).argParser(
    (value) => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0 || n > 1024 * 1024) throw new InvalidArgumentError(`expected a number of MiB in (0, 1048576], got "${value}"`);
      return n;
    },
  );
}

export function fileLimits(options: { readonly maxFileMb?: number }): UserFileLimits {
  if (options.maxFileMb === undefined) return defaultFileLimits();
  return { maxBytes: Math.floor(options.maxFileMb * 1024 * 1024), setting: '--max-file-mb' };
}
