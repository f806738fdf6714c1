#!/usr/bin/env node
// `npm start`: the desktop app. Electron 45 does not download its binary at `npm install`
// (it has no install script any more), so this fetches it the first time with Electron's own
// installer (node_modules/electron/install.js: idempotent, it returns at once when the binary
// is there, and caches the download), builds the app when it has not been built, and starts
// it. When the download fails (no network, a proxy), it says so in one line and points to the
// same UI in a browser, `npx evolab serve --open`, which needs no Electron binary.
// Plain JavaScript so that it runs before anything is built.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const fail = (line) => {
  process.stderr.write(`evolab: ${line}\n`);
  process.exit(1);
};

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12))
  fail(`the desktop app needs Node >= 22.12 (this is ${process.version}); run it with npm start after npm install`);

// 1. The Electron binary, fetched once by Electron's installer.
const electronDir = dirname(require.resolve('electron/package.json'));
const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'));
const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8' });
if (install.status !== 0) {
  const output = `${install.stderr}\n${install.stdout}`.split('\n').map((l) => l.trim());
  const reason = output.find((l) => /Error|ENOTFOUND|ECONN|EAI_AGAIN|fetch failed|status code/i.test(l)) ?? `exit code ${install.status}`;
  const artifact = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  fail(
    `could not download the Electron binary ${artifact} (from ${process.env.ELECTRON_MIRROR ?? 'github.com/electron/electron/releases'}: ${reason}); ` +
      'the same UI runs in your browser without it: npx evolab serve --open',
  );
}

// 2. The app's build (out/), made once; `npm run build` makes it again after changes.
if (!existsSync(join(root, 'out/main/main.js'))) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('the app could not be built (see above)');
}

// 3. The app: Electron on this folder (package.json "main" is out/main/main.js).
const binary = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8'));
const app = spawn(binary, [root], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
