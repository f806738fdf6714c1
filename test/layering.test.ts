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

/** Relative imports of a file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every file reachable from `file` by relative imports, with the chain that reaches it. */
function reachable(file: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[file, [file]]]);
  const todo = [file];
  while (todo.length > 0) {
    const current = todo.pop() as string;
    for (const next of importsOf(current)) {
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
