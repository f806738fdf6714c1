// The renderer in real headless Chromium (playwright-core + the system's chromium) against
// `evolab serve` on a temporary database, with real runs: the experiments view lists the
// queued experiment and follows it to done, the queue view shows runs and cancels a waiting
// one, and a server that went away is reported in the view. Screenshots of each view
// (1280x800) go to artifacts/screenshots/. Needs `npm run build` (npm test does it first).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../src-main/report/pdf.ts';

const root = resolve(import.meta.dirname, '..');
const node = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];
const screenshots = join(root, 'artifacts', 'screenshots');
const chromiumPath = findChromium();
const built = existsSync(join(root, 'out', 'renderer', 'index.html'));

const quick = {
  name: 'iris adam e2e',
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.05 },
  training: { batch_size: 16, max_epochs: 60 },
  compute: { backend: 'js', threads: 1 },
};

describe.skipIf(chromiumPath === null || !built)('web mode in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-e2e-'));
  const db = join(dir, 'evolab.db');
  let serve: ChildProcess;
  let url = '';
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    const config = join(dir, 'quick.json');
    writeFileSync(config, JSON.stringify(quick));
    const add = (args: string[]) => spawnSync(process.execPath, [...node, ...args, '--db', db], { encoding: 'utf8' });
    expect(add(['queue', 'add', config, '--runs', '3', '--tag', 'e2e']).status).toBe(0);
    const endless = join(dir, 'endless.json');
    writeFileSync(endless, JSON.stringify({ ...quick, name: 'to cancel', training: { batch_size: 16, max_epochs: 1_000_000 } }));
    expect(add(['queue', 'add', endless, '--runs', '2', '--priority', '-1']).status).toBe(0);
    serve = spawn(process.execPath, [...node, 'serve', '--db', db, '--port', '0', '--slots', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((found) => {
      createInterface({ input: serve.stdout! }).on('line', (line) => {
        const match = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match) found(match[1]);
      });
    });
    browser = await chromium.launch({ executablePath: chromiumPath ?? undefined, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.kill('SIGTERM');
  });

  it('lists the experiments and follows a run to done', async () => {
    const started = performance.now();
    await page.goto(`${url}/#experiments`);
    await page.getByRole('cell', { name: 'iris adam e2e' }).waitFor();
    console.log(`experiments view rendered in ${(performance.now() - started).toFixed(0)} ms (2 experiments)`);
    // The first experiment's three runs finish one after the other; the row follows live.
    await page.locator('tr', { hasText: 'iris adam e2e' }).getByText('3/3').waitFor({ timeout: 60_000 });
    expect(await page.locator('tr', { hasText: 'iris adam e2e' }).locator('.status').textContent()).toBe('done');
    await page.screenshot({ path: join(screenshots, 'experiments.png') });
  });

  it('shows the queue with live progress and cancels the running and the waiting run', async () => {
    await page.click('a[data-view="queue"]');
    const running = page.getByTestId('running-table').locator('tbody tr', { hasText: 'to cancel' });
    await running.first().waitFor();
    // Progress moves while we watch.
    const epoch = async () => Number(/epoch (\d+)\//.exec((await running.first().textContent()) ?? '')?.[1] ?? 0);
    const first = await epoch();
    await expect.poll(epoch, { timeout: 10_000 }).toBeGreaterThan(first);
    await page.screenshot({ path: join(screenshots, 'queue.png') });
    await running.first().getByRole('button', { name: 'Cancel' }).click();
    // Its slot goes to the waiting run, which is cancelled in turn.
    await expect.poll(async () => page.locator('.count').textContent(), { timeout: 10_000 }).toMatch(/1 cancelled/);
    await running.first().waitFor();
    await running.first().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(async () => page.locator('.count').textContent(), { timeout: 10_000 }).toMatch(/0 running · 0 waiting · 3 done · 0 failed · 2 cancelled/);
  });

  it('says so inline when the server went away, and keeps the view', async () => {
    serve.kill('SIGTERM');
    await new Promise((done) => serve.once('exit', done));
    await page.getByRole('button', { name: 'Pause' }).or(page.getByRole('button', { name: 'Resume' })).first().click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('cannot be reached');
    expect(await page.getByTestId('waiting-table').isVisible()).toBe(true);
    await page.screenshot({ path: join(screenshots, 'server-gone.png') });
  });
});
