// The New experiment view in headless Chromium against `evolab serve` on an empty temporary
// database: start from the shipped iris_adam config, see the schema's messages at the fields
// for a negative learning rate and a zero batch size (Queue disabled), break the JSON (line
// and column, form kept), fix everything and queue two runs (the service stores exactly what
// the form said) and watch them run to done in the detail view with the curve growing, start
// again from that experiment, and queue with the server gone (inline
// message, nothing lost). Screenshots (1280x800): new-experiment-error.png, new-experiment.png,
// new-experiment-source.png, new-experiment-server-gone.png.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAvailable, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

describe.skipIf(!e2eAvailable)('new experiment view in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let experimentId = 0;

  async function call(method: string, request: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as { result?: Record<string, unknown>; error?: unknown };
    if (body.result === undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  }

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const errorAt = (key: string) => page.locator(`[data-field="${key}"] .field-error`);
  const queueButton = () => page.getByRole('button', { name: /^Queue/ });

  beforeAll(async () => {
    server = await startServe(join(tempDir(), 'evolab.db'), ['--slots', '1']);
    // Paused until the experiment is queued from the form: then it runs, and we watch it.
    await call('pauseQueue', {});
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows problems at their fields, survives broken JSON, and queues from a shipped config', async () => {
    await page.goto(`${server.url}/#/experiments/new`);
    // The source picker: Esc closes it and leaves the form alone; a shipped config loads.
    const choose = page.getByRole('button', { name: 'Choose config or experiment…' });
    await choose.click();
    const dialog = page.getByRole('dialog', { name: 'Start from' });
    await dialog.getByRole('button', { name: /iris_adam\.json/ }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await choose.click();
    await dialog.getByRole('button', { name: /iris_cmaes\.json/ }).waitFor();
    await screenshot(page, 'new-experiment-source');
    await dialog.getByRole('button', { name: /iris_adam\.json/ }).click();
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam.json');
    await expect.poll(() => page.url()).toContain('?config=iris_adam.json');
    await expect.poll(() => field('Learning rate').inputValue()).toBe('0.1061');

    // Bad values: the schema's own messages at those fields, Queue disabled.
    await field('Learning rate').fill('-1');
    await field('Batch size').fill('0');
    await errorAt('config.optimizer.lr').waitFor();
    expect(await errorAt('config.optimizer.lr').textContent()).toContain('expected a positive number, got -1');
    await errorAt('config.training.batch_size').waitFor();
    expect(await errorAt('config.training.batch_size').textContent()).toContain('expected a positive integer, got 0');
    expect(await field('Learning rate').getAttribute('aria-invalid')).toBe('true');
    expect(await field('Batch size').getAttribute('aria-invalid')).toBe('true');
    const problems = (await page.getByTestId('problems').textContent()) ?? '';
    expect(problems).toContain('2 problems');
    expect(problems).toContain('optimizer.lr');
    expect(problems).toContain('training.batch_size');
    expect(await queueButton().isDisabled()).toBe(true);
    await screenshot(page, 'new-experiment-error');

    // The JSON side follows the form; a syntax error there says where, and the form keeps its values.
    const json = page.getByLabel('Config JSON');
    const text = await json.inputValue();
    expect(text).toContain('"lr": -1');
    expect(text).toContain('"batch_size": 0,');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"max_epochs"')) + 1;
    const column = (lines[line - 1]?.indexOf('"') ?? 0) + 1;
    await json.fill(text.replace('"batch_size": 0,', '"batch_size": 0'));
    await page.getByTestId('json-error').waitFor();
    expect(await page.getByTestId('json-error').textContent()).toContain(`Line ${line}, column ${column}: expected ',' or '}' after a property value`);
    expect(await field('Learning rate').inputValue()).toBe('-1');
    expect(await field('Batch size').inputValue()).toBe('0');
    expect(await queueButton().isDisabled()).toBe(true);

    // Fix everything: the JSON, then the fields; name it, two runs, a tag.
    await json.fill(text);
    await page.getByTestId('json-error').waitFor({ state: 'detached' });
    await field('Learning rate').fill('0.05');
    await field('Batch size').fill('16');
    await field('Max epochs').fill('600');
    await page.getByLabel('Early stopping').uncheck();
    await field('Runs').fill('2');
    await field('Name').fill('iris adam from the form');
    await field('Tags').fill('e2e, form');
    await expect.poll(() => queueButton().isEnabled()).toBe(true);
    expect(await page.getByTestId('problems').count()).toBe(0);
    expect(await json.inputValue()).toContain('"lr": 0.05');
    expect(await queueButton().textContent()).toBe('Queue 2 runs');
    await screenshot(page, 'new-experiment');

    await queueButton().click();
    await page.waitForURL(/#\/experiments\/\d+$/);
    experimentId = Number(/#\/experiments\/(\d+)$/.exec(page.url())?.[1]);
    expect(experimentId).toBeGreaterThan(0);
    const experiment = await call('getExperiment', { id: experimentId });
    expect(experiment).toMatchObject({ name: 'iris adam from the form', runsTotal: 2, tags: ['e2e', 'form'], dataset: 'iris', optimizer: 'adam' });
    expect(experiment.config).toMatchObject({
      dataset: { name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } },
      optimizer: { type: 'adam', lr: 0.05 },
      training: { batch_size: 16, max_epochs: 600, early_stopping: null },
    });

    // It runs: the detail view's curve grows while we watch, and both runs end done.
    await call('resumeQueue', {});
    const curves = page.getByTestId('run-curves');
    const points = async (): Promise<number> => Number(await curves.getAttribute('data-points'));
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(0);
    const seen = await points();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(seen);
    await expect.poll(async () => page.getByTestId('runs-table').locator('.status.done').count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(async () => page.locator('h1 .status').textContent(), { timeout: 5_000 }).toBe('done');
  });

  it('starts from a previous experiment', async () => {
    await page.goto(`${server.url}/#/experiments/new?from=${experimentId}`);
    await expect.poll(() => page.getByTestId('source').textContent()).toContain(`#${experimentId}`);
    expect(await field('Learning rate').inputValue()).toBe('0.05');
    expect(await field('Batch size').inputValue()).toBe('16');
    expect(await field('Max epochs').inputValue()).toBe('600');
    expect(await field('Runs').inputValue()).toBe('2');
    expect(await field('Name').inputValue()).toBe('iris adam from the form');
    expect(await field('Tags').inputValue()).toBe('e2e, form');
    expect(await field('Optimizer').inputValue()).toBe('adam');
    expect(await queueButton().isEnabled()).toBe(true);
  });

  it('says inline that the server cannot be reached, and keeps the form', async () => {
    await server.stop();
    await queueButton().click();
    await page.getByTestId('queue-error').waitFor();
    expect(await page.getByTestId('queue-error').textContent()).toContain('cannot be reached');
    expect(page.url()).toContain('#/experiments/new');
    expect(await field('Learning rate').inputValue()).toBe('0.05');
    expect(await field('Name').inputValue()).toBe('iris adam from the form');
    expect(await field('Runs').inputValue()).toBe('2');
    expect(await queueButton().isEnabled()).toBe(true);
    await screenshot(page, 'new-experiment-server-gone');
  });
});
