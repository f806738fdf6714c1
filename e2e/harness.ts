// What every e2e test needs: `evolab` CLI calls on a temporary database, `evolab serve` on a
// free port serving the built renderer, headless Chromium (playwright-core + the system's
// chromium) at 1280x800, and screenshots into artifacts/screenshots/. The renderer folder is
// out/renderer, or $EVOLAB_RENDERER_DIR (a build made with `--outDir` elsewhere).

import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, chromium, type Page } from 'playwright-core';
import { locateChromium } from '../src-main/files/chromium.ts';

export const root = resolve(import.meta.dirname, '..');
export const screenshotDir = join(root, 'artifacts', 'screenshots');
export const rendererDir = process.env.EVOLAB_RENDERER_DIR ?? join(root, 'out', 'renderer');
const { path: chromiumPath, lookedAt } = locateChromium();
/** Why the UI tests cannot run here (no Chromium, no renderer build), or null. */
export const e2eSkipReason =
  chromiumPath === null
    ? `no Chromium (looked at ${lookedAt.join(', ')}; install chromium or set $EVOLAB_CHROMIUM)`
    : !existsSync(join(rendererDir, 'index.html'))
      ? `no renderer build in ${rendererDir} (npm run build makes it)`
      : null;
/** False when there is no Chromium or no renderer build: the e2e suites skip, and say why. */
export const e2eAvailable = e2eSkipReason === null;
if (e2eSkipReason !== null) {
  // CI sets EVOLAB_REQUIRE_E2E=1: there a skipped UI suite would hide a broken setup.
  if (process.env.EVOLAB_REQUIRE_E2E === '1') throw new Error(`the UI tests cannot run: ${e2eSkipReason}`);
  process.stderr.write(`e2e: skipping the UI tests: ${e2eSkipReason}\n`);
}

const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'evolab-e2e-'));
}

/** Runs `evolab ARGS --db DB` to completion. */
export function evolab(db: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...cli, ...args, '--db', db], { encoding: 'utf8', cwd: root });
}

export interface Server {
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export async function startServe(db: string, extra: readonly string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--renderer', rendererDir, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
  const url = await new Promise<string>((found, failed) => {
    child.once('exit', (code) => failed(new Error(`evolab serve exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) found(match[1]);
    });
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath ?? undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  return { browser, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
