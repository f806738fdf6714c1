// How much JavaScript the web UI loads before the experiments list shows, and how long the
// first load takes (a benchmark, not a test: it prints figures and asserts nothing).
//   node bench/renderer-load.ts [--repeat 5]
// Serves the built renderer (out/renderer, or $EVOLAB_RENDERER_DIR) with `evolab serve` on an
// empty temporary database, opens #/experiments in headless Chromium with a cold cache each
// time, and reports the JS bytes received (before gzip: the server sends files as they are)
// and the time from navigation until the experiments table is in the page.

import { parseArgs } from 'node:util';
import { launchBrowser, startServe, tempDir } from '../e2e/harness.ts';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '5' } } });
const repeat = Number(values.repeat);
const dir = tempDir();
const server = await startServe(`${dir}/bench.db`);
const { browser } = await launchBrowser();
const loads: { ms: number; jsBytes: number; files: string[] }[] = [];
try {
  for (let i = 0; i < repeat; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const files: string[] = [];
    let jsBytes = 0;
    page.on('response', (response) => {
      const url = response.url();
      if (!url.endsWith('.js')) return;
      files.push(url.slice(url.lastIndexOf('/') + 1));
      void response.body().then((body) => (jsBytes += body.length));
    });
    const started = performance.now();
    await page.goto(`${server.url}/#/experiments`);
    await page.getByTestId('experiments-table').waitFor();
    const ms = performance.now() - started;
    await page.waitForLoadState('networkidle');
    loads.push({ ms, jsBytes, files });
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const sorted = loads.map((l) => l.ms).sort((a, b) => a - b);
const last = loads[loads.length - 1];
console.log(
  `experiments view, cold cache, median of ${repeat}: first load ${sorted[sorted.length >> 1].toFixed(0)} ms (all: ${loads.map((l) => l.ms.toFixed(0)).join(', ')})`,
);
console.log(`JS received before the list showed: ${(last.jsBytes / 1000).toFixed(1)} kB in ${last.files.length} files: ${last.files.join(', ')}`);
