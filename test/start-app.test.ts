// `npm start` where the Electron binary cannot be downloaded (here: a mirror nobody answers
// at, so the test means the same with or without a network): one line that names the failed
// download and the browser alternative, and a non-zero exit. Skipped where the binary is
// already installed (nothing would be downloaded).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const installed = existsSync(join(root, 'node_modules/electron/dist'));

describe.skipIf(installed)('npm start without the Electron binary and no way to download it', () => {
  it('ends with one line naming the download and `evolab serve --open`, exit code 1', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin/start-app.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: mkdtempSync(join(tmpdir(), 'evolab-electron-cache-')) },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^evolab: could not download the Electron binary electron-v[\d.]+-\w+-\w+\.zip \(from http:\/\/127\.0\.0\.1:9\/: .+\); the same UI runs in your browser without it: npx evolab serve --open$/,
    );
    expect(result.stdout).toBe('');
  });
});
