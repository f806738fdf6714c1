// The experiments list as a researcher uses it, in headless Chromium against `evolab serve`
// on a database made directly (finished runs with known accuracies; nothing trains: the
// queue is paused, so waiting runs stay waiting): hyperparameter columns and sorting by one,
// range filters, the config diff of two experiments, bulk archive / delete with Undo (checked
// in the table and through the API), bulk cancel, the whole view state in the URL (reload
// restores it), the list fitting 1280 px (screenshots at 1280x800 and 1920x1080), and axe-core
// on the new controls (config diff, ranges menu, selection bar, Undo toast) in both themes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import { openStore } from '../src-main/store/store.ts';
import { e2eAvailable, evolab, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Call<T> {
  result?: T;
  error?: { code: string; field?: string; message: string };
}
async function call<T>(server: Server, method: string, body: unknown = {}): Promise<Call<T>> {
  const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as Call<T>;
}
async function listedNames(server: Server, archived: 'exclude' | 'only' = 'exclude'): Promise<string[]> {
  const answer = await call<{ items: { name: string }[] }>(server, 'listExperiments', { archived, sort: { by: 'name', direction: 'asc' } });
  return (answer.result?.items ?? []).map((e) => e.name);
}

/** name, optimizer, batch size, hidden layers, the test accuracy of each done run (none: the runs wait). */
const EXPERIMENTS = [
  { name: 'adam fast', optimizer: { type: 'adam', lr: 0.01 }, batch: 16, hidden: [10], acc: [0.95, 0.96, 0.97] },
  { name: 'adam slow', optimizer: { type: 'adam', lr: 0.001 }, batch: 16, hidden: [16, 8], acc: [0.9, 0.92] },
  { name: 'sgd momentum', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, batch: 32, hidden: [10], acc: [0.8, 0.82] },
  { name: 'cmaes sep', optimizer: { type: 'cmaes', population: 20, sigma0: 0.3, variant: 'sep' }, batch: 150, hidden: [4], acc: [0.86, 0.88] },
  { name: 'waiting adam', optimizer: { type: 'adam', lr: 0.005 }, batch: 8, hidden: [10], acc: [] },
  { name: 'old sgd', optimizer: { type: 'sgd', lr: 0.05 }, batch: 64, hidden: [10], acc: [0.7] },
] as const;

describe.skipIf(!e2eAvailable)('the experiments list: columns, ranges, config diff, bulk actions, URL state', () => {
  const db = join(tempDir(), 'list.db');
  let server: Server;
  let browser: Browser;
  let page: Page;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    const store = openStore(db);
    const now = new Date().toISOString();
    await store.transaction(async () => {
      for (const e of EXPERIMENTS) {
        const config = parseExperimentConfig({
          dataset: { name: 'iris' },
          model: { hidden: e.hidden },
          optimizer: e.optimizer,
          training: { batch_size: e.batch, max_epochs: 50 },
          compute: { backend: 'js', threads: 1 },
        });
        const id = await store.experiments.insert({ name: e.name, dataset: 'iris', config, tags: ['list'], notes: '', createdAt: now });
        ids.set(e.name, id);
        const runs = Math.max(2, e.acc.length);
        await store.runs.insertForExperiment(id, runs, 0, 0, 50, now);
        const runIds = (await store.runs.list({ experimentId: id, limit: 10, offset: 0 })).items.map((r) => r.id);
        for (const [i, acc] of e.acc.entries()) {
          await store.runs.markRunning(runIds[i], now);
          await store.runs.markDone(
            runIds[i],
            {
              time: 2,
              final: { train_loss: 0.2, train_acc: acc, val_loss: 0.3, val_acc: acc, test_loss: 0.4, test_acc: acc },
              modelEvals: 1000,
              gradEvals: 500,
              epochsRun: 50,
              bestEpoch: 40,
              stoppedEarly: false,
            },
            now,
          );
        }
      }
    });
    await store.close();
    // Paused: the waiting runs stay waiting (the list tests need no training).
    expect(evolab(db, ['queue', 'pause']).status).toBe(0);
    server = await startServe(db, ['--slots', '1']);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const table = () => page.getByTestId('experiments-table');
  const rowNames = async (): Promise<string[]> => table().locator('tbody tr[data-row] td.name').allTextContents();
  const tick = async (name: string, modifiers: ('Shift' | 'Control')[] = []): Promise<void> => {
    await table()
      .getByRole('checkbox', { name: `Select ${name}` })
      .click({ modifiers });
  };

  it('shows hyperparameter columns, sorts by one, and fits 1280 px', async () => {
    await page.goto(`${server.url}/#/experiments`);
    await table().locator('tbody tr[data-row]').nth(5).waitFor();
    // Default columns include lr, batch and hidden layers, read from each config.
    const lrOf = async (name: string) => table().locator('tr', { hasText: name }).locator('td[data-cell="optimizer.lr"]').textContent();
    expect(await lrOf('adam slow')).toBe('0.001');
    expect(await lrOf('cmaes sep')).toBe('–');
    expect(await table().locator('tr', { hasText: 'adam slow' }).locator('td[data-cell="model.hidden"]').textContent()).toBe('16-8');
    // Sort by lr ascending (done in the page): experiments without an lr last.
    await table().getByRole('columnheader', { name: /^lr/ }).click();
    await expect.poll(rowNames).toEqual(['adam slow', 'waiting adam', 'adam fast', 'old sgd', 'sgd momentum', 'cmaes sep']);
    expect(page.url()).toContain('sort=optimizer.lr');
    // The ES columns are offered (the CMA-ES experiment has them) and can be shown.
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('menu').locator('input[data-column="optimizer.population"]').check();
    await page.getByRole('button', { name: 'Columns' }).click();
    expect(await table().locator('tr', { hasText: 'cmaes sep' }).locator('td[data-cell="optimizer.population"]').textContent()).toBe('20');
    // No page overflow at 1280 px, and the table fits its box.
    const overflow = await page.evaluate(() => {
      const scroller = document.querySelector('.experiments .scroll') as HTMLElement;
      return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, table: scroller.scrollWidth - scroller.clientWidth };
    });
    console.log(`experiments list at 1280 px: page overflow ${overflow.page} px, table overflow ${overflow.table} px`);
    expect(overflow).toEqual({ page: 0, table: 0 });
    await screenshot(page, 'experiments-list-1280');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'experiments-list-1920');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('narrows the list with a range filter on the final metric and on a hyperparameter', async () => {
    await page.goto(`${server.url}/#/experiments`);
    await table().locator('tbody tr[data-row]').nth(5).waitFor();
    await page.getByTestId('ranges-button').click();
    await page.getByLabel('Minimum Mean test acc').fill('0.9');
    await page.getByLabel('Minimum Mean test acc').press('Enter');
    await expect.poll(async () => (await rowNames()).sort()).toEqual(['adam fast', 'adam slow']);
    expect(await page.getByTestId('range-chips').textContent()).toContain('Mean test acc ≥ 0.9');
    expect(page.url()).toContain('min.test_acc=0.9');
    await page.getByLabel('Maximum lr').fill('0.005');
    await page.getByLabel('Maximum lr').press('Enter');
    await expect.poll(rowNames).toEqual(['adam slow']);
    await screenshot(page, 'experiments-list-ranges');
    await page.getByRole('button', { name: 'Remove the range on Mean test acc' }).click();
    await expect.poll(async () => (await rowNames()).sort()).toEqual(['adam slow', 'waiting adam']);
    await page.getByRole('button', { name: 'Remove the range on lr' }).click();
    await expect.poll(async () => (await rowNames()).length).toBe(6);
  });

  it('diffs the configs of two selected experiments side by side', async () => {
    await page.goto(`${server.url}/#/experiments`);
    await table().locator('tbody tr[data-row]').nth(5).waitFor();
    await tick('adam fast');
    await tick('sgd momentum');
    await page.getByTestId('diff-selected').click();
    const diff = page.getByTestId('config-diff');
    await diff.locator('tr[data-key="optimizer.lr"]').waitFor();
    const row = (key: string) => diff.locator(`tr[data-key="${key}"]`);
    expect(await row('optimizer.lr').getAttribute('data-differs')).toBe('true');
    expect(await row('optimizer.lr').locator('td').allTextContents()).toEqual(['0.01', '0.1']);
    expect(await row('optimizer.momentum').locator('td').allTextContents()).toEqual(['(not set)', '0.9']);
    expect(await row('training.batch_size').getAttribute('data-differs')).toBe('true');
    expect(await row('training.max_epochs').getAttribute('data-differs')).toBe('false');
    expect(await row('dataset.name').locator('td').allTextContents()).toEqual(['iris', 'iris']);
    const differing = await diff.locator('tr[data-differs="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(differing).toEqual([
      'optimizer.beta1',
      'optimizer.beta2',
      'optimizer.eps',
      'optimizer.lr',
      'optimizer.momentum',
      'optimizer.type',
      'training.batch_size',
    ]);
    await screenshot(page, 'experiments-list-diff');
    // The selection and the open diff are in the URL: a reload shows the same diff.
    expect(page.url()).toMatch(/sel=\d+(%2C|,)\d+/);
    expect(page.url()).toContain('diff=1');
    await page.reload();
    await page.getByTestId('config-diff').locator('tr[data-key="optimizer.lr"]').waitFor();
    expect(await page.getByTestId('diff-count').textContent()).toBe(`${differing.length} of ${await diff.locator('tbody tr').count()} keys differ`);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.url()).not.toContain('sel=');
  });

  it('restores the whole view from the URL after a reload: filters, sort, columns, ranges', async () => {
    await page.goto(`${server.url}/#/experiments`);
    await table().locator('tbody tr[data-row]').nth(5).waitFor();
    await page.getByLabel('Filter by status').selectOption('done');
    await table()
      .getByRole('columnheader', { name: /^batch/ })
      .click(); // ascending
    await table()
      .getByRole('columnheader', { name: /^batch/ })
      .click(); // descending
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('menu').locator('input[data-column="tags"]').uncheck();
    await page.getByRole('menu').locator('input[data-column="metric.val_acc"]').check();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByTestId('ranges-button').click();
    await page.getByLabel('Minimum Mean val acc').fill('0.8');
    await page.getByLabel('Minimum Mean val acc').press('Enter');
    await page.getByTestId('ranges-button').click();
    const expected = ['cmaes sep', 'sgd momentum', 'adam fast', 'adam slow'];
    await expect.poll(rowNames).toEqual(expected);
    const headers = async (): Promise<string[]> =>
      table()
        .locator('thead th[data-column]')
        .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column') ?? ''));
    const before = await headers();
    expect(before).toContain('metric.val_acc');
    expect(before).not.toContain('tags');
    const url = page.url();
    expect(url).toMatch(/status=done.*sort=training.batch_size.*dir=desc/);
    await page.reload();
    await table().locator('tbody tr[data-row]').first().waitFor();
    await expect.poll(rowNames).toEqual(expected);
    expect(await headers()).toEqual(before);
    expect(await page.getByLabel('Filter by status').inputValue()).toBe('done');
    expect(
      await table()
        .getByRole('columnheader', { name: /^batch/ })
        .getAttribute('aria-sort'),
    ).toBe('descending');
    expect(await page.getByTestId('range-chips').textContent()).toContain('Mean val acc ≥ 0.8');
    expect(page.url()).toBe(url);
    // The same link in a fresh page (a colleague's) shows the same list.
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(url);
    await other.getByTestId('experiments-table').locator('tbody tr[data-row]').first().waitFor();
    await expect.poll(async () => other.getByTestId('experiments-table').locator('tbody tr[data-row] td.name').allTextContents()).toEqual(expected);
    await other.close();
  });

  it('archives several experiments (shift-click range), and Undo brings them back', async () => {
    await page.goto(`${server.url}/#/experiments?sort=name&dir=asc`);
    await expect.poll(rowNames).toEqual(['adam fast', 'adam slow', 'cmaes sep', 'old sgd', 'sgd momentum', 'waiting adam']);
    await tick('adam slow');
    await tick('old sgd', ['Shift']); // adam slow, cmaes sep, old sgd
    expect(await page.getByTestId('selection').textContent()).toContain('3 selected');
    await page.getByTestId('bulk-archive').click();
    await expect.poll(rowNames).toEqual(['adam fast', 'sgd momentum', 'waiting adam']);
    expect(await page.getByTestId('undo-toast').textContent()).toContain('3 experiments archived');
    expect(await listedNames(server)).toEqual(['adam fast', 'sgd momentum', 'waiting adam']);
    expect(await listedNames(server, 'only')).toEqual(['adam slow', 'cmaes sep', 'old sgd']);
    await screenshot(page, 'experiments-list-undo');
    await page.getByTestId('undo').click();
    await expect.poll(rowNames).toEqual(['adam fast', 'adam slow', 'cmaes sep', 'old sgd', 'sgd momentum', 'waiting adam']);
    expect(await listedNames(server, 'only')).toEqual([]);
    expect(await page.getByTestId('undo-toast').count()).toBe(0);
    // They come back unselected (a next action must not catch them by surprise).
    expect(await page.getByTestId('selection').count()).toBe(0);
    // Archive one for good; the Archived view lists it, and Unarchive there brings it back.
    await tick('old sgd');
    await page.getByTestId('bulk-archive').click();
    await expect.poll(async () => (await rowNames()).includes('old sgd')).toBe(false);
    await page.getByTestId('view-archived').click();
    await expect.poll(rowNames).toEqual(['old sgd']);
    expect(page.url()).toContain('archived=1');
    await screenshot(page, 'experiments-list-archived');
    await page.reload();
    await expect.poll(rowNames).toEqual(['old sgd']);
    await tick('old sgd');
    await page.getByTestId('bulk-archive').click(); // "Unarchive" here
    await expect.poll(rowNames).toEqual([]);
    await page.getByTestId('view-active').click();
    await expect.poll(async () => (await rowNames()).includes('old sgd')).toBe(true);
  });

  it('deletes with Undo (restored exactly, runs waiting again), and a delete left alone stays deleted', async () => {
    await page.goto(`${server.url}/#/experiments?sort=name&dir=asc`);
    await table().locator('tbody tr[data-row]').nth(5).waitFor();
    const waitingId = ids.get('waiting adam') ?? 0;
    const before = await call<unknown>(server, 'getExperiment', { id: waitingId });
    await tick('waiting adam');
    await page.getByTestId('bulk-delete').click();
    await expect.poll(async () => (await rowNames()).includes('waiting adam')).toBe(false);
    expect(await page.getByTestId('undo-toast').textContent()).toContain('1 experiment deleted');
    expect((await call(server, 'getExperiment', { id: waitingId })).error?.code).toBe('not_found');
    const waiting = async () => ((await call<{ waiting: { experimentId: number }[] }>(server, 'getQueue')).result?.waiting ?? []).map((r) => r.experimentId);
    expect(await waiting()).not.toContain(waitingId);
    await page.getByTestId('undo').click();
    await expect.poll(async () => (await rowNames()).includes('waiting adam')).toBe(true);
    expect(await call(server, 'getExperiment', { id: waitingId })).toEqual(before);
    expect((await waiting()).filter((id) => id === waitingId)).toHaveLength(2);
    // Deleted, no Undo: once the toast is gone the experiment stays gone (the table, the API).
    await tick('old sgd');
    await page.getByTestId('bulk-delete').click();
    await expect.poll(async () => (await rowNames()).includes('old sgd')).toBe(false);
    await expect.poll(async () => page.getByTestId('undo-toast').count(), { timeout: 15_000 }).toBe(0);
    await page.reload();
    await table().locator('tbody tr[data-row]').first().waitFor();
    expect(await rowNames()).not.toContain('old sgd');
    expect(await listedNames(server)).not.toContain('old sgd');
    expect((await call(server, 'getExperiment', { id: ids.get('old sgd') })).error?.code).toBe('not_found');
    // The API names what is wrong with a bulk request.
    expect((await call(server, 'deleteExperiments', { ids: [] })).error).toMatchObject({ code: 'invalid_input', field: 'ids' });
    expect((await call(server, 'archiveExperiments', { ids: [waitingId, 9999], archived: true })).error).toMatchObject({ code: 'not_found', field: 'ids[1]' });
  });

  it('has no serious or critical axe-core violations with the diff, ranges, selection and toast shown, in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.goto(`${server.url}/#/experiments?sort=name&dir=asc&min.test_acc=0.5`);
      const toggle = page.getByRole('button', { name: theme === 'dark' ? 'Dark theme' : 'Light theme' });
      if (await toggle.isVisible()) await toggle.click();
      await table().locator('tbody tr[data-row]').first().waitFor();
      await tick('adam fast');
      await page.getByTestId('bulk-archive').click();
      await page.getByTestId('undo-toast').waitFor();
      await tick('adam slow');
      await tick('sgd momentum');
      await page.getByTestId('diff-selected').click();
      await page.getByTestId('config-diff').locator('tr[data-key="optimizer.lr"]').waitFor();
      await page.getByTestId('ranges-button').click();
      await page.evaluate(axeSource);
      const found = await page.evaluate(async () => {
        type Result = { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
        const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<Result> } }).axe;
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
      });
      const count = (impact: string) => found.filter((v) => v.impact === impact).length;
      console.log(
        `experiments list (${theme}, diff + ranges + selection + toast): critical ${count('critical')}, serious ${count('serious')}, moderate ${count('moderate')}, minor ${count('minor')}`,
      );
      if (theme === 'dark') await screenshot(page, 'experiments-list-dark');
      expect(found.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await page.getByTestId('undo').click();
      await expect.poll(async () => (await rowNames()).includes('adam fast')).toBe(true);
    }
    await page.getByRole('button', { name: 'Light theme' }).click();
  });

  it('cancels the waiting runs of the selected experiments after asking', async () => {
    await page.goto(`${server.url}/#/experiments?sort=name&dir=asc`);
    await table().locator('tbody tr[data-row]').first().waitFor();
    await tick('waiting adam');
    await page.getByTestId('bulk-cancel').click();
    await page.getByTestId('confirm-cancel').click();
    await expect.poll(async () => table().locator('tr', { hasText: 'waiting adam' }).locator('.status').textContent()).toBe('cancelled');
    expect(await page.getByTestId('bulk-message').textContent()).toContain('2 runs of 1 experiment cancelled');
  });
});
