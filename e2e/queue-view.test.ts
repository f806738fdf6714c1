// The queue view in real headless Chromium against `evolab serve`: a running run shows its
// latest validation metrics live; the members a GPBT study stopped early by design (children
// worse than their siblings after their first epoch of a 200-epoch generation: the stop
// lands mid-run) read "stopped" with the reason and no Retry (a run a person cancelled keeps its Retry); and the
// tables, with their Cancel buttons, fit a 1280 px window. Screenshots at 1280x800 and
// 1920x1080 go to artifacts/screenshots/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueState, RunSummary, StudyDetail } from '../src-shared/api.ts';
import { e2eAvailable, evolab, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

const base = {
  dataset: { name: 'iris' },
  model: { hidden: [8], activation: 'tanh' },
  optimizer: { type: 'adam', lr: 0.05 },
  training: { batch_size: 16, max_epochs: 3 },
  compute: { backend: 'js', threads: 1 },
};

describe.skipIf(!e2eAvailable)('queue view in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let dir: string;

  async function call<T>(method: string, body: unknown = {}): Promise<T> {
    const response = await fetch(`${server.url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { result: T; error?: { message: string } };
    if (json.error !== undefined) throw new Error(json.error.message);
    return json.result;
  }

  beforeAll(async () => {
    dir = tempDir();
    server = await startServe(join(dir, 'queue.db'), ['--slots', '2']);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('reads a study early stop as "stopped" by design, without Retry', async () => {
    const study = await call<StudyDetail>('createStudy', {
      config: {
        name: 'iris GPBT with early stop',
        base,
        space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } },
        objective: { metric: 'val_loss', direction: 'minimize' },
        seed: 3,
        gpbt: { n: 4, t_max: 2, c: 2, T_g: 200, sampler: 'tpe', mode: 'time', early_stop: true },
      },
    });
    await expect.poll(async () => (await call<StudyDetail>('getStudy', { id: study.id })).status, { timeout: 120_000 }).toBe('done');
    const stopped = (await call<QueueState>('getQueue')).finished.filter((r) => r.stoppedBy !== null);
    expect(stopped.length).toBeGreaterThan(0);

    await page.goto(`${server.url}/#/queue`);
    const finished = page.getByTestId('finished-table');
    const row = finished.locator('tbody tr', { has: page.locator(`td.num:text-is("${stopped[0].id}")`) });
    await row.waitFor();
    expect(await row.getByTestId('finished-status').textContent()).toBe('stopped');
    expect(await row.textContent()).toContain('by its study (by design)');
    expect(await row.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(await page.locator('header .count').textContent()).toContain(`${stopped.length} stopped by their study`);
  });

  it('shows the live validation metrics of a running run, and fits 1280 px with a long name', async () => {
    const config = join(dir, 'long.json');
    writeFileSync(config, JSON.stringify({ ...base, training: { batch_size: 4, max_epochs: 100000 } }));
    const name = 'iris adam with a rather long experiment name that a researcher might well type, seed sweep';
    const added = evolab(join(dir, 'queue.db'), ['queue', 'add', config, '--runs', '2', '--name', name]);
    expect(added.status, added.stderr).toBe(0);
    await page.goto(`${server.url}/#/queue`);
    const live = page.getByTestId('running-table').getByTestId('live-validation').first();
    await expect.poll(async () => live.textContent(), { timeout: 60_000 }).toMatch(/^val_loss \d\.\d{3,4}(e-\d+)? · val_acc \d\.\d{4}$/);
    // Its backend is shown once the job reported it (it was "starting" until the next reload).
    await expect.poll(async () => page.getByTestId('running-table').locator('.backend-cell').first().textContent(), { timeout: 30_000 }).not.toBe('starting');
    // The metrics follow the run: the text changes as epochs arrive.
    const first = await live.textContent();
    await expect.poll(async () => live.textContent(), { timeout: 30_000 }).not.toBe(first);

    // Nothing wider than the window: the page does not scroll sideways, Cancel is on screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    const cancel = page.getByTestId('running-table').getByRole('button', { name: 'Cancel' }).first();
    const box = await cancel.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1280);
    await page.mouse.move(1, 1);
    await screenshot(page, 'queue-1280');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'queue-1920');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A run a person cancels keeps its Retry.
    await cancel.click();
    const running = (await call<QueueState>('getQueue')).running;
    for (const run of running) await call<RunSummary>('cancelRun', { runId: run.id });
    const cancelled = page.getByTestId('finished-table').locator('tbody tr', { has: page.locator('[data-testid=finished-status]:text-is("cancelled")') });
    await expect.poll(() => cancelled.count()).toBeGreaterThan(0);
    expect(await cancelled.first().getByRole('button', { name: 'Retry' }).count()).toBe(1);
  });
});
