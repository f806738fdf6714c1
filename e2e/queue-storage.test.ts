// The queue view when the database's disk fills up (a small tmpfs; needs root): the view says
// the queue stopped itself and why, and after space is freed, Resume brings it back and the
// runs finish with every epoch. Screenshot: queue-storage-stopped.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAvailable, evolab, launchBrowser, screenshot, type Server, startServe, tempDir } from './harness.ts';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;
if (e2eAvailable && !canMount) console.log('e2e/queue-storage: mounting a tmpfs needs root; skipped');

describe.skipIf(!e2eAvailable || !canMount)('the queue view when the disk is full', () => {
  const mount = tempDir();
  const db = join(mount, 'evolab.db');
  const filler = join(mount, 'filler');
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]).status).toBe(0);
    const config = join(tempDir(), 'iris.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'iris on a small disk',
        dataset: { name: 'iris' },
        optimizer: { type: 'adam', lr: 0.01 },
        training: { batch_size: 16, max_epochs: 400 },
        compute: { backend: 'js', threads: 1 },
      }),
    );
    expect(evolab(db, ['queue', 'add', config, '--runs', '2']).status).toBe(0);
    expect(evolab(db, ['queue', 'pause']).status).toBe(0);
    server = await startServe(db, ['--slots', '2', '--quiet']);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    spawnSync('umount', ['-l', mount]);
  });

  it('says the queue stopped itself and why, and resumes it once there is room', async () => {
    mkdirSync(filler);
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(filler, `block-${i}`), Buffer.alloc(16 * 1024, 1));
      } catch {
        break;
      }
    }
    for (let i = 0; i < 8; i++) rmSync(join(filler, `block-${i}`));
    await page.goto(`${server.url}/#/queue`);
    await page.getByRole('button', { name: 'Resume' }).click();
    const banner = page.getByTestId('storage-problem');
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toMatch(/The queue stopped itself .*: disk full: the database cannot grow\. Running jobs were stopped/);
    await expect.poll(() => page.locator('header strong').textContent()).toBe('Queue stopped');
    await screenshot(page, 'queue-storage-stopped');

    rmSync(filler, { recursive: true, force: true });
    await page.getByRole('button', { name: 'Resume' }).click();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    const counts = page.locator('.count');
    await expect.poll(() => counts.textContent(), { timeout: 60_000 }).toMatch(/0 running · 0 waiting · 2 done/);
    await screenshot(page, 'queue-storage-resumed');
  });
});
