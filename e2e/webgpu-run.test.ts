// A run on the WebGPU backend through the whole app: queued with compute.backend "webgpu",
// trained by `evolab serve`'s job process on headless Chromium's adapter (SwiftShader here, no
// GPU), and shown with its adapter in the experiment's runs table and environment.
// Screenshot: artifacts/screenshots/webgpu-run.png.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAvailable, evolab, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

describe.skipIf(!e2eAvailable)('a WebGPU run in the app', () => {
  const dir = tempDir();
  const db = join(dir, 'webgpu.db');
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const config = join(dir, 'iris-webgpu.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'iris cmaes on webgpu',
        dataset: { name: 'iris' },
        model: { hidden: [10], activation: 'sigmoid' },
        optimizer: { type: 'cmaes', population: 16, sigma0: 0.5 },
        training: { batch_size: 32, max_epochs: 4 },
        compute: { backend: 'webgpu', threads: 1 },
      }),
    );
    const added = evolab(db, ['queue', 'add', config]);
    expect(added.status, added.stderr).toBe(0);
    server = await startServe(db, ['--slots', '1']);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('trains the run on the WebGPU adapter and shows which one', async () => {
    await page.goto(`${server.url}/#/experiments/1`);
    const table = page.getByTestId('runs-table');
    await expect.poll(async () => table.locator('.status.done').count(), { timeout: 90_000 }).toBe(1);
    expect(await table.textContent()).toContain('webgpu (google swiftshader (software), headless Chromium)');
    await screenshot(page, 'webgpu-run');
    await page.getByRole('tab', { name: 'Environment' }).click();
    expect(await page.getByTestId('environment').textContent()).toContain('webgpu (google swiftshader (software), headless Chromium)');
  });
});
