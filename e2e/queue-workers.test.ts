// The queue view of a shared PostgreSQL store in real headless Chromium: `evolab serve --db
// postgres://…` (which trains nothing itself) shows the two `evolab worker` processes that
// share the store (host, slots, backend, the run each trains, a live heartbeat), each
// running run names the machine that trains it, and the view follows the workers' progress
// without a reload (the serve process learns it from the store). Screenshot:
// artifacts/screenshots/queue-workers-1280.png. Skipped where PostgreSQL cannot start.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, requirePostgres, startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { e2eAvailable, evolab, launchBrowser, root, type Server, screenshot, startServe, tempDir } from './harness.ts';

const cluster = e2eAvailable ? await startPostgresCluster() : { skipped: 'the UI tests are skipped' };
const skipped = 'skipped' in cluster ? cluster.skipped : null;
if (skipped !== null && e2eAvailable) requirePostgres(skipped);

describe.skipIf(!e2eAvailable || skipped !== null)('queue view of a shared store with workers', () => {
  const pg = cluster as PostgresCluster;
  let url = '';
  let server: Server;
  let browser: Browser;
  let page: Page;
  const workers: { child: ChildProcess; exited: Promise<void> }[] = [];

  beforeAll(async () => {
    url = await pg.createDatabase('queue_view');
    server = await startServe(url);
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), 'worker', '--db', url, '--quiet'], {
        cwd: tempDir(),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      workers.push({ child, exited: new Promise((done) => child.once('exit', () => done())) });
    }
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await server?.stop();
    await pg?.stop();
  });

  it('lists the workers and the machine of each running run, live', async () => {
    const config = join(tempDir(), 'long.json');
    const long = {
      dataset: { name: 'iris' },
      optimizer: { type: 'adam', lr: 0.05 },
      training: { batch_size: 4, max_epochs: 100000 },
      compute: { backend: 'js', threads: 1 },
    };
    writeFileSync(config, JSON.stringify(long));
    await page.goto(`${server.url}/#/queue`);
    const added = evolab(url, ['queue', 'add', config, '--runs', '3', '--name', 'iris on the lab queue']);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('runs start when an `evolab worker` of this store takes them');

    // Without a reload: two runs running (one per worker), one waiting.
    const running = page.getByTestId('running-table').locator('tbody tr');
    await expect.poll(() => running.count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(async () => running.first().locator('.backend-cell').textContent(), { timeout: 30_000 }).toContain(hostname());
    const rows = page.getByTestId('workers-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    for (let i = 0; i < 2; i++) {
      const text = (await rows.nth(i).textContent()) ?? '';
      expect(text).toContain(hostname());
      expect(text).toMatch(/run \d+/);
      expect(text).toContain('(alive)');
    }
    // Slots belong to each worker here: the header says so instead of offering this process's.
    expect(await page.getByTestId('shared-queue').textContent()).toContain('each worker has its own slots');
    expect(await page.getByLabel('Slots').count()).toBe(0);
    // Progress moves as the workers store epochs.
    const progress = running.first().locator('.progress-cell span');
    const before = await progress.textContent();
    await expect.poll(() => progress.textContent(), { timeout: 30_000 }).not.toBe(before);
    await page.mouse.move(1, 1);
    await screenshot(page, 'queue-workers-1280');
  });
});
