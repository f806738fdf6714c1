// The Electron bundles `npm run build` makes, checked as files (the Electron binary cannot run
// here): the sandboxed preload may require nothing but `electron` (a sandbox refuses any other
// module, and the bridge would be missing at run time); the main process and the job program
// the utilityProcess forks are both there. Skipped when nothing is built.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const out = join(import.meta.dirname, '..', 'out');
const preload = join(out, 'preload', 'preload.cjs');

describe.skipIf(!existsSync(preload))('the Electron bundles', () => {
  it('has a preload that requires only electron', () => {
    const code = readFileSync(preload, 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).toContain('exposeInMainWorld');
  });

  it('has the main process and the job program beside it', () => {
    const main = readFileSync(join(out, 'main', 'main.js'), 'utf8');
    expect(main).toContain('job-entry.js');
    expect(existsSync(join(out, 'main', 'job-entry.js'))).toBe(true);
    expect(existsSync(join(out, 'renderer', 'index.html'))).toBe(true);
  });
});
