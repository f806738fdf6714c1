// The desktop packaging (electron-builder.json), checked as far as this machine allows. The
// Electron binary cannot be downloaded here, so electron-builder packs the app against a
// stand-in Electron distribution (a folder with a dummy `electron` executable, its
// `electronDist` option): everything else is the real packer, which writes the real app.asar
// and app.asar.unpacked. The test then reads the archive back and checks that it holds what
// the app loads: every module the main, job and worker bundles import resolves inside the
// package, better-sqlite3's native module is unpacked (dlopen cannot read an archive), the
// shipped configs and the renderer are there; and the packed app itself starts under the
// stand-in Electron and trains a run through its utilityProcess job. The installers
// (AppImage, deb, dmg, NSIS) wrap this same folder; they need the real binary and, for dmg and
// NSIS, their own operating systems, so they are not built here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { extractAll, getRawHeader } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from './electron-stand-in/app-driver.ts';

const root = resolve(import.meta.dirname, '..');
const built = existsSync(join(root, 'out/main/main.js'));
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as Record<string, unknown>;

/** The programs Electron or the app start from a file: the main process, the preload, the job, the workers. */
const ENTRIES = [
  'out/main/main.js',
  'out/main/job-entry.js',
  'out/main/population-worker.js',
  'out/main/device-worker.js',
  'out/main/result-reader-worker.js',
  'out/preload/preload.cjs',
];

/**
 * Loaded at run time only where the user installed it (compute/backend selection says so when
 * it is absent); it is not a dependency, so a package never holds it.
 */
const OPTIONAL = new Set(['@tensorflow/tfjs-node-gpu']);

/** The module specifiers a bundle names: static imports, dynamic imports, require calls. */
function specifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    /^import\s*["']([^"']+)["']/gm,
  ]) {
    for (const match of source.matchAll(pattern)) found.add(match[1]);
  }
  return [...found];
}

/** Files the bundles open next to themselves: `new URL('…', import.meta.url)`. */
function urlTargets(source: string): string[] {
  return [...source.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]);
}

/** Resolves bare specifiers exactly as Node's ESM loader does, from a file's folder. */
function resolveFrom(file: string, bare: string[]): Record<string, string> {
  const script = `const out = {}; for (const s of ${JSON.stringify(bare)}) { try { out[s] = import.meta.resolve(s); } catch (e) { out[s] = 'unresolved: ' + e.message; } } console.log(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dirname(file), encoding: 'utf8' });
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe.skipIf(!built)('the packaged desktop app (electron-builder, stand-in Electron distribution)', () => {
  const work = mkdtempSync(join(tmpdir(), 'evolab-pack-'));
  const output = join(work, 'dist');
  const app = join(work, 'app');
  let resources = '';
  let packed: App | undefined;

  beforeAll(() => {
    const electronDist = join(work, 'electron-dist');
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(electronDist, 'LICENSE'), '');
    const pack = spawnSync(
      process.execPath,
      [join(root, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_BUILDER_CACHE: join(work, 'cache') },
      },
    );
    expect(pack.status, pack.stderr + pack.stdout).toBe(0);
    resources = join(output, 'linux-unpacked/resources');
    extractAll(join(resources, 'app.asar'), app);
  }, 120_000);

  afterAll(async () => {
    if (packed !== undefined && packed.child.exitCode === null) await packed.quit();
  });

  it("is a configuration electron-builder's own schema accepts, and a mistyped key is refused", async () => {
    const { validateConfiguration } = (await import('app-builder-lib/out/util/config/config.js')) as {
      validateConfiguration: (c: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = (await import('builder-util')) as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, asarUnpak: ['x'] }, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(config.mac).toMatchObject({ target: ['dmg'] });
    expect(config.win).toMatchObject({ target: ['nsis'] });
  });

  it('holds every module the main, job, worker and preload programs import, resolved inside the package', () => {
    const seen = new Set<string>();
    const queue = ENTRIES.map((e) => join(app, e));
    const problems: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop() ?? '';
      if (seen.has(file)) continue;
      seen.add(file);
      if (!existsSync(file)) {
        problems.push(`${relative(app, file)} is missing`);
        continue;
      }
      const source = readFileSync(file, 'utf8');
      const all = specifiers(source);
      for (const local of all.filter((s) => s.startsWith('.'))) queue.push(resolve(dirname(file), local));
      for (const target of urlTargets(source))
        if (!existsSync(resolve(dirname(file), target))) problems.push(`${relative(app, file)} opens ${target}, not packed`);
      const bare = all.filter((s) => !s.startsWith('.') && !isBuiltin(s) && s !== 'electron' && !OPTIONAL.has(s));
      for (const [specifier, url] of Object.entries(resolveFrom(file, bare))) {
        if (!url.startsWith(`file://${app}/node_modules/`)) problems.push(`${relative(app, file)} imports ${specifier}: ${url}`);
      }
    }
    expect(problems).toEqual([]);
    // The walk reached the lazily loaded parts too (study service, reports, workers' chunks).
    expect([...seen].filter((f) => f.includes('/chunks/')).length).toBeGreaterThan(10);
  });

  it('unpacks the native SQLite module for every platform it ships, and packs the renderer and shipped files', () => {
    const header = JSON.stringify(getRawHeader(join(resources, 'app.asar')).header);
    expect(header).toContain('"linux-x64.node":{"size"');
    for (const platform of ['linux-x64', 'darwin-arm64', 'darwin-x64', 'win32-x64']) {
      expect(existsSync(join(resources, `app.asar.unpacked/node_modules/better-sqlite3/prebuilds/${platform}.node`)), platform).toBe(true);
    }
    // The UI, and the WebGPU device page a job's hidden window loads.
    for (const page of ['index.html', 'webgpu-device.html']) {
      const html = readFileSync(join(app, 'out/renderer', page), 'utf8');
      const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
      expect(assets.length, page).toBeGreaterThan(page === 'index.html' ? 1 : 0);
      for (const asset of assets) expect(existsSync(join(app, 'out/renderer', asset)), asset).toBe(true);
    }
    // The WebAssembly SIMD gradient kernels (built by npm run build:wasm).
    expect(existsSync(join(app, 'out/wasm/gradient.wasm'))).toBe(true);
    // and MA-ES's and full CMA-ES's eigendecomposition's (the same build step).
    expect(existsSync(join(app, 'out/wasm/matrix-adaptation.wasm'))).toBe(true);
    expect(existsSync(join(app, 'out/wasm/symmetric-eigen.wasm'))).toBe(true);
    expect(readdirSync(join(app, 'resources/configs')).sort()).toEqual(readdirSync(join(root, 'resources/configs')).sort());
    expect(readdirSync(join(app, 'resources/studies')).sort()).toEqual(readdirSync(join(root, 'resources/studies')).sort());
    // Nothing from development: sources, tests, the development dependencies.
    for (const absent of ['src-main', 'test', 'node_modules/vitest', 'node_modules/electron', 'node_modules/vue'])
      expect(existsSync(join(app, absent)), absent).toBe(false);
  });

  it('starts from the package and trains a run to done through its utilityProcess job', async () => {
    packed = new App(mkdtempSync(join(tmpdir(), 'evolab-pack-data-')), join(app, 'out/main/main.js'));
    expect(await packed.ready).toEqual(['evolab']);
    await packed.controlResult('subscribe');
    expect((await packed.call<unknown[]>('listConfigs')).length).toBeGreaterThan(0);
    await packed.call('createExperiment', {
      config: {
        dataset: { name: 'iris' },
        optimizer: { type: 'adam', lr: 0.01 },
        training: { batch_size: 16, max_epochs: 2 },
        compute: { backend: 'js', threads: 1 },
      },
      runs: 1,
    });
    await packed.event((e) => e.type === 'run-status' && e.run?.status === 'done');
  });
});
