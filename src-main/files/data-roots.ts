// Which files an API caller may make the service read: CSV data sets named in experiment
// configs (read by the run's job) and result folders to import. A caller of `evolab serve`
// on another machine must not be able to read the server's files (through a data set's error
// messages, say), so:
//   - `anywhere`: the CLI, the desktop app and `serve` on loopback without --data-root: the
//     caller is the machine's own user, who can read these files anyway (and the server's
//     Host and Origin checks keep web pages of other sites out);
//   - `roots`: only paths inside these folders, after symlinks are resolved (a link inside a
//     root that points out of it is refused); `serve --data-root DIR` (repeatable);
//   - no roots at all: nothing is read for callers (`serve` bound to a non-loopback address
//     without --data-root).
// A path outside the roots is refused before the file is opened or even looked for, so the
// answer does not tell whether it exists.

import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserInputError } from '../../src-shared/config/errors.ts';

export type FileAccess = { readonly kind: 'anywhere' } | { readonly kind: 'roots'; readonly roots: readonly string[] };

export const ANYWHERE: FileAccess = { kind: 'anywhere' };

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The absolute, symlink-resolved path of `path` if the policy lets callers read it; throws a
 * UserInputError at `field` otherwise. A missing file inside a root is reported as missing.
 */
export async function allowedPath(path: string, access: FileAccess, field: string): Promise<string> {
  const absolute = resolve(path);
  if (access.kind === 'anywhere') return absolute;
  if (access.roots.length === 0) {
    throw new UserInputError(
      field,
      'this server reads no files for its callers; start `evolab serve` with --data-root DIR to allow data sets and imports from DIR',
    );
  }
  const list = access.roots.join(', ');
  if (!access.roots.some((root) => inside(root, absolute))) throw new UserInputError(field, `${path} is outside the data folders of this server (${list})`);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(field, code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: cannot be read (${code ?? 'error'})`);
  }
  if (!access.roots.some((root) => inside(root, real))) throw new UserInputError(field, `${path} leads outside the data folders of this server (${list})`);
  return real;
}

/** The policy for `serve`: --data-root folders (resolved now), else anywhere on loopback and nowhere otherwise. */
export async function serverFileAccess(dataRoots: readonly string[], loopback: boolean): Promise<FileAccess> {
  if (dataRoots.length === 0) return loopback ? ANYWHERE : { kind: 'roots', roots: [] };
  const roots: string[] = [];
  for (const root of dataRoots) {
    try {
      roots.push(await realpath(resolve(root)));
    } catch {
      throw new UserInputError('--data-root', `${root}: no such folder`);
    }
  }
  return { kind: 'roots', roots };
}
