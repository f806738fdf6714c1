// The curve chart toolkit in headless Chromium against `evolab serve`, on real Iris runs: an
// Adam experiment of 3 runs and an SGD one of 2. Each control changes what is drawn, read from
// the ECharts option the page holds (window.evolabChartOption, CurveChart.vue), not from
// pixels: seeds overlay (one series per run), mean with band (none for a group of 2 runs),
// smoothing (the data changes, a faint raw series stays), x axis (name and values), log y; no
// band or axis bound leaves the metric's domain; every control, the tab and the run survive a
// reload through the address; the detail tab does not carry over to another experiment;
// #/experiments/9999 shows only its error; nothing overflows the page at 1280 px.
// Screenshots: charts-detail-{1280,1920}.png, charts-compare-{1280,1920}.png.
// Needs a renderer build (EVOLAB_RENDERER_DIR or out/renderer).

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { e2eAvailable, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

const base = {
  dataset: { name: 'iris' },
  model: { hidden: [8], activation: 'sigmoid' },
  training: { batch_size: 16, max_epochs: 15 },
  compute: { backend: 'js', threads: 1 },
};

async function call<T>(url: string, method: string, request: unknown): Promise<T> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined || body.result === undefined) throw new Error(`${method}: ${body.error?.message ?? response.status}`);
  return body.result;
}

interface Series {
  id: string;
  data: [number, number | null][];
}
interface Option {
  series: Series[];
  xAxis: { name: string; type: string; min?: number; max?: number }[];
  yAxis: { type: string; min?: number; max?: number }[];
  aria: { enabled: boolean; label: { description: string } }[] | { enabled: boolean; label: { description: string } };
}

/** The option ECharts holds for the chart in `[data-chart="name"]` (functions dropped). */
async function optionOf(page: Page, name: string): Promise<Option> {
  return (await page.evaluate((chart) => {
    const el = document.querySelector(`[data-chart="${chart}"]`);
    const option = el === null ? null : (window as unknown as { evolabChartOption?: (e: Element) => unknown }).evolabChartOption?.(el);
    return JSON.parse(JSON.stringify(option ?? null)) as unknown;
  }, name)) as Option;
}

const ids = (o: Option, prefix: string): string[] => o.series.map((s) => s.id).filter((id) => id.startsWith(prefix));

/** Every band ([low, low + width]) and the y axis inside [min, max]. */
function expectInDomain(o: Option, min: number, max: number): void {
  const eps = 1e-9;
  for (const low of o.series.filter((s) => s.id.startsWith('band-low:'))) {
    const width = o.series.find((s) => s.id === low.id.replace('band-low:', 'band:'));
    low.data.forEach(([, l], i) => {
      const w = width?.data[i]?.[1] ?? null;
      if (l === null || w === null) return;
      expect(l).toBeGreaterThanOrEqual(min - eps);
      expect(l + w).toBeLessThanOrEqual(max + eps);
    });
  }
  const y = o.yAxis[0];
  if (y.min !== undefined) expect(y.min).toBeGreaterThanOrEqual(min);
  if (y.max !== undefined) expect(y.max).toBeLessThanOrEqual(max);
}

async function noPageOverflow(page: Page): Promise<void> {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(inner);
}

describe.skipIf(!e2eAvailable)('curve charts: controls, domain, URL state', () => {
  const dir = tempDir();
  let server: Server;
  let browser: Browser;
  let page: Page;
  let adam = 0;
  let sgd = 0;

  beforeAll(async () => {
    server = await startServe(join(dir, 'evolab.db'), ['--slots', '2', '--quiet']);
    adam = (
      await call<{ id: number }>(server.url, 'createExperiment', { config: { ...base, name: 'charts adam', optimizer: { type: 'adam', lr: 0.05 } }, runs: 3 })
    ).id;
    sgd = (
      await call<{ id: number }>(server.url, 'createExperiment', { config: { ...base, name: 'charts sgd', optimizer: { type: 'sgd', lr: 0.1 } }, runs: 2 })
    ).id;
    // A long name must not push the compare picker's last column out of its card.
    const long = 'charts an experiment with a very long name that would push the last column of the picker out of sight';
    await call(server.url, 'createExperiment', {
      config: { ...base, name: long, training: { batch_size: 16, max_epochs: 1 }, optimizer: { type: 'sgd', lr: 0.1 } },
      runs: 1,
    });
    for (const id of [adam, sgd]) {
      await vi.waitFor(
        async () => {
          const { status } = await call<{ status: string }>(server.url, 'getExperiment', { id });
          if (status !== 'done') throw new Error(`experiment ${id} is ${status}`);
        },
        { timeout: 90_000, interval: 250 },
      );
    }
    ({ browser, page } = await launchBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const chart = (metric: string) => `experiment-${adam}-${metric}`;

  it('detail: each control changes what is drawn; bands and axes stay in the domain', async () => {
    await page.goto(`${server.url}/#/experiments/${adam}`);
    await expect.poll(async () => ids(await optionOf(page, chart('val_loss')), 'run:').length, { timeout: 15_000 }).toBe(3);
    // Seeds overlaid (the detail's default): one series per run, no band.
    let loss = await optionOf(page, chart('val_loss'));
    expect(ids(loss, 'band')).toEqual([]);
    expect(loss.xAxis[0].name).toBe('epoch');
    expect(loss.yAxis[0].type).toBe('value');
    const aria = Array.isArray(loss.aria) ? loss.aria[0] : loss.aria;
    expect(aria.enabled).toBe(true);
    expect(aria.label.description).toMatch(/^Line chart of val_loss against epoch, 3 run\(s\)/);

    // The selected run alone.
    await page.locator('[data-testid="curve-controls"] [data-view="run"]').click();
    await expect.poll(async () => ids(await optionOf(page, chart('val_loss')), 'run:').length).toBe(1);

    // Mean with band: 3 runs reach every epoch, so the band is there, inside the domain.
    await page.locator('[data-testid="curve-controls"] [data-view="mean"]').click();
    await expect.poll(async () => ids(await optionOf(page, chart('val_acc')), 'band:').length).toBe(1);
    const acc = await optionOf(page, chart('val_acc'));
    expect(ids(acc, 'mean:')).toHaveLength(1);
    expectInDomain(acc, 0, 1);
    expectInDomain(await optionOf(page, chart('val_loss')), 0, Number.POSITIVE_INFINITY);
    expectInDomain(await optionOf(page, chart('train_loss')), 0, Number.POSITIVE_INFINITY);

    // Smoothing: the mean's values change, the raw mean stays behind (faint).
    const before = (await optionOf(page, chart('val_loss'))).series.find((s) => s.id.startsWith('mean:'))?.data;
    await page.locator('input[name="curve-smoothing"]').evaluate((input: HTMLInputElement) => {
      input.value = '0.6';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(async () => ids(await optionOf(page, chart('val_loss')), 'raw:').length).toBe(1);
    expect(await page.getByTestId('smoothing-weight').first().textContent()).toBe('0.60');
    loss = await optionOf(page, chart('val_loss'));
    expect(loss.series.find((s) => s.id.startsWith('raw:'))?.data).toEqual(before);
    expect(loss.series.find((s) => s.id.startsWith('mean:'))?.data).not.toEqual(before);

    // x axis: wall time (seconds, cumulative) and model evaluations.
    await page.locator('select[name="curve-x"]').selectOption('wall');
    await expect.poll(async () => (await optionOf(page, chart('val_loss'))).xAxis[0].name).toBe('wall time (s)');
    const wallX = (await optionOf(page, chart('val_loss'))).series.find((s) => s.id.startsWith('mean:'))?.data.map((p) => p[0]) ?? [];
    expect(wallX.length).toBeGreaterThan(2);
    expect(wallX.some((x) => !Number.isInteger(x))).toBe(true);
    await page.locator('select[name="curve-x"]').selectOption('evals');
    await expect.poll(async () => (await optionOf(page, chart('val_loss'))).xAxis[0].name).toBe('model evaluations');
    expect((await optionOf(page, chart('val_loss'))).xAxis[0].min).toBeGreaterThanOrEqual(0);

    // Log y: losses on a log axis (every value > 0), accuracies stay linear.
    await page.locator('input[name="curve-log"]').check();
    await expect.poll(async () => (await optionOf(page, chart('val_loss'))).yAxis[0].type).toBe('log');
    expect((await optionOf(page, chart('val_loss'))).yAxis[0].min).toBeGreaterThan(0);
    expect((await optionOf(page, chart('val_acc'))).yAxis[0].type).toBe('value');
    expectInDomain(await optionOf(page, chart('val_acc')), 0, 1);
  });

  it('detail: the controls, the tab and the run come back after a reload; nothing overflows at 1280 px', async () => {
    await page.getByRole('tab', { name: 'Final metrics' }).click();
    await page.getByRole('tab', { name: 'Runs' }).click();
    const rows = page.getByTestId('runs-table').locator('tbody tr[data-row]');
    const second = await rows.nth(1).getAttribute('data-row');
    await rows.nth(1).click();
    await page.getByRole('tab', { name: 'Config' }).click();
    await expect.poll(() => page.url()).toMatch(/tab=config/);
    const url = page.url();
    for (const part of ['view=mean', 'x=evals', 'smooth=0.6', 'log=1', `run=${second}`]) expect(url).toContain(part);
    const summary = async () => {
      const o = await optionOf(page, chart('val_loss'));
      return { ids: o.series.map((s) => s.id), x: o.xAxis[0].name, y: o.yAxis[0].type, data: o.series.map((s) => s.data.length) };
    };
    const was = await summary();
    await page.reload();
    await page.getByTestId('config').waitFor();
    await expect.poll(summary).toEqual(was);
    expect(await page.locator('input[name="curve-log"]').isChecked()).toBe(true);
    expect(await page.locator('select[name="curve-x"]').inputValue()).toBe('evals');

    await page.getByRole('tab', { name: 'Runs' }).click();
    expect(await page.getByTestId('runs-table').locator(`tr[data-row="${second}"]`).getAttribute('aria-selected')).toBe('true');
    await noPageOverflow(page);
    await screenshot(page, 'charts-detail-1280');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'charts-detail-1920');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('detail: the tab does not carry over to another experiment; a missing one shows only its error', async () => {
    await page.goto(`${server.url}/#/experiments/${adam}?tab=config`);
    await page.getByTestId('config').waitFor();
    await page.goto(`${server.url}/#/experiments/${sgd}`);
    await page.getByTestId('runs-table').waitFor();
    expect(await page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('h1').textContent()).toContain('charts sgd');

    await page.goto(`${server.url}/#/experiments/9999`);
    await page.locator('.detail [role="alert"]').waitFor();
    expect(await page.locator('.detail [role="alert"]').textContent()).toMatch(/9999/);
    expect(await page.locator('.detail h1').count()).toBe(0);
    expect(await page.getByTestId('run-curves').count()).toBe(0);
  });

  it('compare: no band for a group of 2 runs, seeds overlay, ?ids follows the ticks, URL round trip', async () => {
    await page.goto(`${server.url}/#/compare?ids=${adam},${sgd}`);
    await expect.poll(() => page.getByTestId('curve-chart').count(), { timeout: 15_000 }).toBe(3);
    const acc = await optionOf(page, 'val_acc');
    expect(ids(acc, 'mean:').sort()).toEqual(['mean:charts adam', 'mean:charts sgd']);
    // SGD has 2 runs: no band; Adam has 3: a band.
    expect(ids(acc, 'band:')).toEqual(['band:charts adam']);
    expectInDomain(acc, 0, 1);
    expectInDomain(await optionOf(page, 'val_loss'), 0, Number.POSITIVE_INFINITY);
    expectInDomain(await optionOf(page, 'train_loss'), 0, Number.POSITIVE_INFINITY);

    await page.locator('[data-testid="curve-controls"] [data-view="seeds"]').click();
    await expect.poll(async () => ids(await optionOf(page, 'val_acc'), 'run:').length).toBe(5);
    await page.locator('select[name="curve-x"]').selectOption('evals');
    await expect.poll(async () => (await optionOf(page, 'val_loss')).xAxis[0].name).toBe('model evaluations');
    await page.locator('input[name="curve-log"]').check();
    await expect.poll(async () => (await optionOf(page, 'val_loss')).yAxis[0].type).toBe('log');
    await expect.poll(() => page.url()).toMatch(/view=seeds.*|x=evals/);
    const before = { ids: (await optionOf(page, 'val_loss')).series.map((s) => s.id), url: page.url() };
    await page.reload();
    await expect.poll(async () => (await optionOf(page, 'val_loss'))?.series.map((s) => s.id) ?? [], { timeout: 15_000 }).toEqual(before.ids);
    expect((await optionOf(page, 'val_loss')).yAxis[0].type).toBe('log');
    expect(page.url()).toBe(before.url);

    // The picker shows every column at 1280 px; nothing overflows the page.
    const picker = await page.evaluate(() => {
      const scroll = document.querySelector('.picker-scroll');
      return scroll === null ? null : { scroll: scroll.scrollWidth, client: scroll.clientWidth };
    });
    expect(picker).not.toBeNull();
    expect(picker?.scroll).toBeLessThanOrEqual(picker?.client ?? 0);
    await noPageOverflow(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'charts-compare-1280');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.evaluate(() => document.getElementById('compare-curves')?.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'charts-compare-1920');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Unticking an experiment updates ?ids.
    await page.locator(`[data-testid="compare-experiments"] tr[data-experiment="charts sgd"]`).click();
    await expect.poll(() => decodeURIComponent(page.url())).toMatch(new RegExp(`ids=${adam}(&|$)`));
  });
});
