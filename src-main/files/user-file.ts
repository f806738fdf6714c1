// Reading files a user names (configs, result CSVs, CSV data sets) without trusting them.
// A path may lead to a FIFO (opening it for reading blocks until a writer comes), a device
// (/dev/zero never ends), a symlink to either, or a file of many gigabytes. So every such file
// is opened with O_NONBLOCK (a FIFO opens at once instead of blocking a thread forever), the
// open descriptor is checked with fstat (after symlinks were followed, so what is checked is
// what is read), only regular files are accepted, and at most `maxBytes` are ever read, even
// if the file grows while it is read. Problems are UserInputErrors naming the file and the
// limit.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { UserInputError } from '../../src-shared/config/errors.ts';

/** Default cap on any one file a user hands us (result CSV, data set, config): 256 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** The environment variable that sets the cap (MiB) for every command and the jobs it starts. */
export const MAX_FILE_ENV = 'EVOLAB_MAX_FILE_MB';

export interface UserFileLimits {
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
  /** Where the limit is set, named in the message (e.g. "--max-file-mb"). */
  readonly setting?: string;
}

/** The cap from $EVOLAB_MAX_FILE_MB, else the default. */
export function defaultFileLimits(env: NodeJS.ProcessEnv = process.env): UserFileLimits {
  const mb = Number(env[MAX_FILE_ENV]);
  const maxBytes = Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : DEFAULT_MAX_FILE_BYTES;
  return { maxBytes, setting: `--max-file-mb or $${MAX_FILE_ENV}` };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function tooLarge(path: string, size: string, limits: UserFileLimits): UserInputError {
  const where = limits.setting !== undefined ? ` (${limits.setting})` : '';
  return new UserInputError(path, `is ${size}; files over ${formatBytes(limits.maxBytes)} are not read${where}`);
}

/** Refuses anything but a regular file within the size limit. */
export function checkUserFile(path: string, stats: Stats, limits: UserFileLimits): void {
  if (!stats.isFile()) throw new UserInputError(path, `is ${kindOf(stats)}, not a regular file`);
  if (stats.size > limits.maxBytes) throw tooLarge(path, formatBytes(stats.size), limits);
}

function openError(path: string, error: unknown): UserInputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserInputError(path, 'no such file');
  if (code === 'EACCES' || code === 'EPERM') return new UserInputError(path, 'cannot be read (permission denied)');
  if (code === 'ELOOP') return new UserInputError(path, 'is a symlink loop');
  if (code === 'EISDIR') return new UserInputError(path, 'is a folder, not a regular file');
  return new UserInputError(path, `cannot be read (${code ?? (error as Error).message})`);
}

// O_NONBLOCK does not exist on Windows, where FIFOs are not files anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The whole file, synchronously (CLI commands and job processes, which have no one to keep waiting). */
export function readUserFileSync(path: string, limits: UserFileLimits = defaultFileLimits()): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, error);
  }
  try {
    checkUserFile(path, fstatSync(fd), limits);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      // The file may have grown since fstat: never read past the limit.
      if (total > limits.maxBytes) throw tooLarge(path, `over ${formatBytes(limits.maxBytes)}`, limits);
      chunks.push(Buffer.from(chunk.subarray(0, read)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** Text of a user file (UTF-8, a leading byte-order mark removed). */
export function readUserTextSync(path: string, limits: UserFileLimits = defaultFileLimits()): string {
  return stripBom(readUserFileSync(path, limits).toString('utf8'));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Opens a user file for streaming after the same checks; the caller closes the handle. */
export async function openUserFile(path: string, limits: UserFileLimits): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, error);
  }
  try {
    const stats = await handle.stat();
    checkUserFile(path, stats, limits);
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The file's bytes in chunks, never more than `maxBytes` in all. */
export async function* userFileChunks(path: string, limits: UserFileLimits, chunkBytes = 256 * 1024): AsyncGenerator<Buffer> {
  const { handle } = await openUserFile(path, limits);
  try {
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge(path, `over ${formatBytes(limits.maxBytes)}`, limits);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
