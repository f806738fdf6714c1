// The layers stay honest: the study methods (src-main/hpo) and the engine (src-main/engine)
// import nothing from the store, the queue, the services or the server, directly or through
// another module. The check follows every relative import (static and dynamic) from each of
// their files, so a dependency through a helper module counts too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const FORBIDDEN = ['store', 'queue', 'services', 'server', 'app', 'cli'].map((layer) => join(root, 'src-main', layer));

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static ones, and with `dynamic` also import()), resolved to absolute paths. */
function importsOf(file: string, dynamic: boolean): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = dynamic
    ? /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g
    : /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'/g;
  const specifiers = [...text.matchAll(pattern)].map((m) => m[1] ?? m[2]);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every file reachable from `file` by relative imports, with the chain that reaches it. */
function reachable(file: string, dynamic = true): Map<string, string[]> {
  const seen = new Map<string, string[]>([[file, [file]]]);
  const todo = [file];
  while (todo.length > 0) {
    const current = todo.pop() as string;
    for (const next of importsOf(current, dynamic)) {
      if (seen.has(next)) continue;
      seen.set(next, [...(seen.get(current) ?? []), next]);
      todo.push(next);
    }
  }
  return seen;
}

describe.each(['hpo', 'engine'])('src-main/%s', (layer) => {
  it('imports nothing from store, queue, services, server, app or cli', () => {
    const violations: string[] = [];
    for (const file of sources(join(root, 'src-main', layer))) {
      for (const [target, chain] of reachable(file)) {
        if (FORBIDDEN.some((folder) => target.startsWith(`${folder}/`))) violations.push(chain.map((p) => relative(root, p)).join(' -> '));
      }
    }
    expect(violations).toEqual([]);
  });

  it('is checked on real imports (the check finds a known dependency of the services)', () => {
    const service = reachable(join(root, 'src-main/services/study-service.ts'));
    expect([...service.keys()].some((p) => p.includes('/src-main/store/'))).toBe(true);
  });
});

// `evolab --help` and `--version` answer at once (bench/cli.ts) because the CLI loads the store,
// the engine and the drivers only inside a command's action (import()); a static import of a
// module that pulls the store in (as once `isPostgresUrl` from open-store.ts did) costs 130 ms.
describe('the CLI entry', () => {
  it('loads no store, queue or engine code before a command runs', () => {
    // The store's small modules (where the database is, what a URL names) are fine.
    const light = ['store/default-path.ts', 'store/location.ts', 'store/redact-url.ts'].map((p) => join(root, 'src-main', p));
    const heavy = ['store/', 'queue/', 'services/boot.ts', 'services/app-service.ts', 'services/study-service.ts'].map((p) => join(root, 'src-main', p));
    const loaded = [...reachable(join(root, 'src-main/cli/main.ts'), false)].filter(([path]) => !light.includes(path) && heavy.some((h) => path.startsWith(h)));
    expect(loaded.map(([, chain]) => chain.map((p) => relative(root, p)).join(' -> '))).toEqual([]);
  });
});
