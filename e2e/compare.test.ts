// The Compare view in headless Chromium against `evolab serve`, on real runs: two experiments
// queued through the AppApi and run by the server, and a results folder written by `evolab run`
// (Adam and SGD on Iris) imported through the view's form. Bad folders (missing, a file, only
// a malformed CSV) are reported at the folder field without losing the selection; the
// comparison shows tables with best marks and p-values, boxplots and learning curves; the PDF
// export downloads a real report; `#/compare?ids=…` preselects; a server that went away is
// reported inline. Screenshots (1280x800): compare.png, compare-charts.png, import-error.png.
// Needs a renderer build (npm test builds first; or EVOLAB_RENDERER_DIR).

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentPage } from '../src-shared/api.ts';
import { e2eAvailable, launchBrowser, root, type Server, screenshot, startServe, tempDir } from './harness.ts';

const base = {
  dataset: { name: 'iris' },
  model: { hidden: [10], activation: 'sigmoid' },
  training: { batch_size: 16, max_epochs: 30 },
  compute: { backend: 'js', threads: 1 },
};
const configs = {
  adam: { ...base, name: 'iris adam', optimizer: { type: 'adam', lr: 0.05 } },
  sgd: { ...base, name: 'iris sgd', optimizer: { type: 'sgd', lr: 0.1 } },
  cmaes: { ...base, name: 'iris cmaes quick', optimizer: { type: 'cmaes', population: 16, sigma0: 1 }, training: { batch_size: 16, max_epochs: 20 } },
  slowAdam: { ...base, name: 'iris adam lr 0.01', optimizer: { type: 'adam', lr: 0.01 } },
};
const IMPORT_NAME = 'iris-results';

/** `evolab ARGS` in the background (the harness's evolab() blocks, and `run` takes no --db). */
function evolabAsync(args: readonly string[]): Promise<void> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, failed) =>
    child.once('exit', (code) => (code === 0 ? done() : failed(new Error(`evolab ${args.join(' ')} exited with ${code}: ${stderr}`)))),
  );
}

/** One AppApi call over HTTP, as the web UI makes it. */
async function call<T>(url: string, method: string, request: unknown): Promise<T> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined || body.result === undefined) throw new Error(`${method}: ${body.error?.message ?? response.status}`);
  return body.result;
}

describe.skipIf(!e2eAvailable)('compare view: import, comparison, PDF export', () => {
  const dir = tempDir();
  const db = join(dir, 'evolab.db');
  const results = join(dir, 'results');
  let server: Server;
  let browser: Browser;
  let page: Page;

  const row = (name: string) => page.locator(`[data-testid="compare-experiments"] tr[data-experiment="${name}"]`);

  beforeAll(async () => {
    for (const [key, config] of Object.entries(configs)) writeFileSync(join(dir, `${key}.json`), JSON.stringify(config));
    // `evolab run` writes the results folder while the server starts and works through the queue.
    const written = Promise.all(['adam', 'sgd'].map((key) => evolabAsync(['run', join(dir, `${key}.json`), '-n', '5', '-o', results, '--quiet'])));
    written.catch(() => {}); // Awaited below; this only keeps an early failure from counting as unhandled.
    server = await startServe(db, ['--slots', '2', '--quiet']);
    for (const config of [configs.cmaes, configs.slowAdam]) await call(server.url, 'createExperiment', { config, runs: 5 });
    await written;
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('imports a results folder, and names what is wrong with a bad one at the folder field', async () => {
    await page.goto(`${server.url}/#/compare`);
    await row('iris cmaes quick').waitFor();
    // A selection made before the failed imports must survive them.
    await row('iris cmaes quick').click();
    await expect.poll(() => row('iris cmaes quick').getAttribute('aria-selected')).toBe('true');

    const folder = page.locator('input[name="folder"]');
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    const folderError = page.getByTestId('import-folder-error');
    await page.locator('input[name="import-name"]').fill(IMPORT_NAME);

    await folder.fill(join(dir, 'no-such-folder'));
    await importButton.click();
    await expect.poll(() => folderError.textContent()).toContain('no-such-folder: no such folder');

    await folder.fill(join(dir, 'adam.json'));
    await importButton.click();
    await expect.poll(() => folderError.textContent()).toContain('adam.json: is a file, not a folder');

    const malformed = join(dir, 'malformed');
    mkdirSync(malformed);
    writeFileSync(join(malformed, 'iris.broken.csv'), 'a,b\n1,2\n');
    await folder.fill(malformed);
    await importButton.click();
    await expect
      .poll(() => folderError.textContent())
      .toMatch(/no valid result file to import \(iris\.broken\.csv, line 1, column "time": missing columns time/);
    expect(await folderError.getAttribute('role')).toBe('alert');
    await screenshot(page, 'import-error');
    // Still usable, nothing lost.
    expect(await row('iris cmaes quick').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('selected-count').textContent()).toBe('1 selected');

    // A good folder with one bad file among the good ones: the bad one is listed, the rest imported.
    writeFileSync(join(results, 'iris.broken.csv'), 'a,b\n1,2\n');
    await folder.fill(results);
    await importButton.click();
    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-result').textContent()).toMatch(
      /Imported 2 experiment\(s\).*1 file\(s\) left out.*iris\.broken\.csv, line 1, column "time": missing columns/s,
    );
    expect(await folderError.count()).toBe(0);
    for (const name of [`${IMPORT_NAME}: iris.adam`, `${IMPORT_NAME}: iris.sgd`]) {
      await row(name).waitFor();
      expect(await row(name).getAttribute('aria-selected')).toBe('true');
      expect(await row(name).textContent()).toContain('5/5');
    }
    expect(await page.getByTestId('selected-count').textContent()).toBe('3 selected');
  });

  it('compares real runs: tables with best marks and p-values, boxplots and learning curves', async () => {
    // The queued experiments finish in the background; their rows follow live.
    await row('iris cmaes quick').getByText('5/5').waitFor({ timeout: 60_000 });
    await row('iris adam lr 0.01').getByText('5/5').waitFor({ timeout: 60_000 });
    // Keyboard: from the oldest experiment (the last row), ArrowUp reaches the next older one and Space ticks it.
    await row('iris cmaes quick').focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-experiment'))).toBe('iris adam lr 0.01');
    await page.keyboard.press('Space');
    await expect.poll(() => row('iris adam lr 0.01').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('selected-count').textContent()).toBe('4 selected');

    const started = performance.now();
    await page.getByRole('button', { name: 'Compare 4' }).click();
    const tables = page.getByTestId('comparison-table');
    await expect.poll(() => tables.count()).toBe(8);
    console.log(`comparison of 4 experiments x 5 runs shown in ${(performance.now() - started).toFixed(0)} ms`);

    const testAcc = page.locator('[data-testid="comparison-table"][data-metric="test_acc"]');
    expect(await testAcc.locator('tr.best').count()).toBeGreaterThan(0);
    expect(await testAcc.locator('tr.best').first().textContent()).toContain('★');
    const pValues = await testAcc.locator('td.p .p-value').allTextContents();
    expect(pValues).toHaveLength(12); // 4 x 4 without the diagonal
    for (const p of pValues) expect(p).toMatch(/^(0|1\.0|0\.\d+|\d\.\de-\d+)$/);
    expect(await testAcc.textContent()).toContain('A12');

    // Charts: every boxplot and curve canvas has something painted on it.
    const boxplots = page.getByTestId('boxplot-chart');
    const curves = page.getByTestId('curve-chart');
    await expect.poll(() => boxplots.count()).toBe(4);
    await expect.poll(() => curves.count()).toBe(3);
    const painted = (testId: string) =>
      page.evaluate((id) => {
        return [...document.querySelectorAll<HTMLCanvasElement>(`[data-testid="${id}"] canvas`)].map((canvas) => {
          const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
          let count = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
          return count;
        });
      }, testId);
    await expect.poll(async () => Math.min(...(await painted('boxplot-chart')))).toBeGreaterThan(2000);
    await expect.poll(async () => Math.min(...(await painted('curve-chart')))).toBeGreaterThan(2000);

    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'compare');
    await page.evaluate(() => document.getElementById('compare-boxplots')?.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'compare-charts');
    // The charts follow the theme (their colours come from CSS variables).
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.evaluate(() => document.getElementById('compare-boxplots')?.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'compare-charts-dark');
    await page.getByRole('button', { name: 'Light theme' }).click();
  });

  it('exports the comparison as a PDF', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const started = performance.now();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: 'Export PDF' }).click()]);
    const path = join(dir, 'report.pdf');
    await download.saveAs(path);
    const ms = performance.now() - started;
    const bytes = statSync(path).size;
    console.log(`PDF export of 4 experiments: ${ms.toFixed(0)} ms, ${bytes} bytes (${download.suggestedFilename()})`);
    expect(download.suggestedFilename()).toBe('Evolab-comparison-report.pdf');
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(bytes).toBeGreaterThan(10_000);
    await page.getByTestId('export-done').waitFor();
    expect(await page.getByTestId('export-done').textContent()).toMatch(/Saved Evolab-comparison-report\.pdf · \d+(\.\d)? kB/);

    const text = spawnSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    for (const name of ['iris cmaes quick', 'iris adam lr 0.01', `${IMPORT_NAME}: iris.adam`, `${IMPORT_NAME}: iris.sgd`, 'Mann-Whitney'])
      expect(text).toContain(name);
  });

  it('applies a preselection from the address (#/compare?ids=…)', async () => {
    const result = await call<ExperimentPage>(server.url, 'listExperiments', {});
    const idOf = (name: string) => result.items.find((e) => e.name === name)?.id;
    const [a, b] = [idOf('iris cmaes quick'), idOf(`${IMPORT_NAME}: iris.sgd`)];
    expect(a).toBeDefined();
    expect(b).toBeDefined();

    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await fresh.goto(`${server.url}/#/compare?ids=${a},${b},999`);
      const legend = fresh.getByTestId('compare-results').locator('.legend');
      await legend.waitFor();
      expect(await fresh.getByTestId('selected-count').textContent()).toBe('2 selected');
      for (const name of ['iris cmaes quick', `${IMPORT_NAME}: iris.sgd`]) {
        expect(await fresh.locator(`tr[data-experiment="${name}"]`).getAttribute('aria-selected')).toBe('true');
        expect(await legend.textContent()).toContain(name);
      }
      expect(await fresh.locator('tr[data-experiment="iris adam lr 0.01"]').getAttribute('aria-selected')).toBe('false');
      expect(await fresh.getByText('Not found (left out): experiment #999').count()).toBe(1);
      expect(await fresh.getByTestId('comparison-table').count()).toBe(8);
    } finally {
      await fresh.close();
    }
  });

  it('says so inline when the server went away, and keeps the comparison', async () => {
    await server.stop();
    await page.getByRole('button', { name: 'Compare 4' }).click();
    await page.getByTestId('compare-error').waitFor();
    expect(await page.getByTestId('compare-error').textContent()).toContain('cannot be reached');
    expect(await page.getByTestId('comparison-table').count()).toBe(8);
    expect(await page.getByTestId('selected-count').textContent()).toBe('4 selected');
  });
});
