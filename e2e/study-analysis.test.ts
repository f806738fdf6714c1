// The study's Analysis tab in headless Chromium against `evolab serve`: PED-ANOVA importance
// bars (sorted, the parameter the objective depends on first), the contour pair selects (the
// axes follow), the EDF (ticking a second study of the same metric adds its line), the GPBT
// history by generation, and the sampler column of the study list. The studies are written
// straight into the store (two tuning studies and a small GPBT study of 9 trials, seeded values that
// depend on the learning rate only), so the test trains nothing and is deterministic. What a
// chart draws is read from the data-* attributes the views derive from their chart options.
// Screenshots of the Analysis tab at 1280x800 and 1920x1080 (light and dark) go to
// artifacts/screenshots/.
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src-main/store/store.ts';
import { e2eAvailable, launchBrowser, type Server, screenshot, screenshotDir, startServe, tempDir } from './harness.ts';
import { chartDrawn } from './chart-drawn.ts';

/** mulberry32: seeded, so the studies are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const space = {
  'optimizer.lr': { type: 'loguniform', low: 0.0001, high: 0.3 },
  'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 },
  'model.activation': { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] },
};
const base = { dataset: { name: 'iris' }, optimizer: { type: 'adam' } };

/** val_loss that depends on the learning rate only (best at 1e-2), from 0.05 to ~1. */
const loss = (lr: number, noise: number): number => 0.05 + 0.2 * (Math.log10(lr) + 2) ** 2 + 0.01 * noise;

async function seedStudies(path: string): Promise<{ tuneA: number; tuneB: number; gpbt: number }> {
  const store = openStore(path);
  const random = seeded(7);
  const now = new Date().toISOString();
  const sample = (): Record<string, number | string> => ({
    'optimizer.lr': 10 ** (-4 + random() * Math.log10(0.3 / 0.0001)),
    'optimizer.beta1': 0.5 + random() * 0.49,
    'model.activation': ['relu', 'tanh', 'sigmoid'][Math.floor(random() * 3)],
  });
  try {
    return await store.transaction(async () => {
      const tune = async (name: string, trials: number): Promise<number> => {
        const config = {
          name,
          base,
          space,
          objective: { metric: 'val_loss', direction: 'minimize' },
          seed: 1,
          tune: { trials, sampler: { type: 'tpe' }, pruning: null },
        };
        const studyId = await store.studies.create({ name, kind: 'tune', config, configHash: `analysis-${name}`, state: null, status: 'done', createdAt: now });
        for (let n = 0; n < trials; n++) {
          const params = sample();
          const trial = await store.studies.addTrial({ studyId, number: n, generation: 0, member: n, params, samplerId: null, createdAt: now });
          const value = loss(params['optimizer.lr'] as number, random());
          await store.studies.updateTrial(trial.id, { status: 'done', value, testValue: value, finishedAt: now });
        }
        await store.studies.update(studyId, { status: 'done', finishedAt: now });
        return studyId;
      };
      const tuneA = await tune('iris tune A', 24);
      const tuneB = await tune('iris tune B', 12);
      const config = {
        name: 'iris GPBT',
        base,
        space,
        objective: { metric: 'val_loss', direction: 'minimize' },
        seed: 1,
        gpbt: { n: 3, t_max: 3, c: 1.5, T_g: 1, sampler: 'tpe', mode: 'time', early_stop: false },
      };
      const gpbt = await store.studies.create({
        name: 'iris GPBT',
        kind: 'gpbt',
        config,
        configHash: 'analysis-gpbt',
        state: null,
        status: 'done',
        createdAt: now,
      });
      for (let g = 0; g < 3; g++) {
        for (let m = 0; m < 3; m++) {
          const params = sample();
          const trial = await store.studies.addTrial({ studyId: gpbt, number: g * 3 + m, generation: g, member: m, params, samplerId: null, createdAt: now });
          const value = loss(params['optimizer.lr'] as number, random()) / (g + 1);
          await store.studies.updateTrial(trial.id, { status: 'done', value, testValue: value, finishedAt: now });
        }
      }
      await store.studies.update(gpbt, { status: 'done', finishedAt: now });
      return { tuneA, tuneB, gpbt };
    });
  } finally {
    await store.close();
  }
}

describe.skipIf(!e2eAvailable)('the HPO analysis of a study in headless Chromium', () => {
  const dir = tempDir();
  const db = join(dir, 'evolab.db');
  let ids: Awaited<ReturnType<typeof seedStudies>>;
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ids = await seedStudies(db);
    server = await startServe(db);
    ({ browser, page } = await launchBrowser());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the studies with their name and sampler', async () => {
    await page.goto(`${server.url}/#/studies`);
    const row = (id: number): Locator => page.locator(`tr[data-row="${id}"]`);
    await expect.poll(() => row(ids.tuneA).locator('td').first().textContent()).toContain('iris tune A');
    expect(await row(ids.tuneA).getByTestId('study-row-sampler').textContent()).toBe('TPE');
    expect(await row(ids.gpbt).getByTestId('study-row-sampler').textContent()).toBe('GPBT (TPE)');
  });

  it('ranks the learning rate first, follows the contour pair and adds a study to the EDF', async () => {
    await page.goto(`${server.url}/#/studies/${ids.tuneA}?tab=analysis`);
    const importance = page.getByTestId('importance-chart');
    await chartDrawn(importance);
    const bars = ((await importance.getAttribute('data-bars')) ?? '').split(',');
    expect(bars).toHaveLength(3);
    expect(bars[0]).toBe('optimizer.lr');
    const values = ((await importance.getAttribute('data-values')) ?? '').split(',').map(Number);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);
    // ECharts' aria puts the chart's description on its element for screen readers.
    const described = async (chart: Locator): Promise<string> =>
      chart.evaluate((element) => (element.getAttribute('aria-label') ?? element.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '').toString());
    expect(await described(importance)).toContain('PED-ANOVA importance (Watanabe et al. 2023), top 10% vs all: horizontal bars');

    // Contour: the two most important parameters first; choosing another pair changes the axes.
    const contour = page.getByTestId('contour-chart');
    await chartDrawn(contour);
    expect(await contour.getAttribute('data-x-name')).toBe('lr');
    const third = (await contour.getAttribute('data-y-name')) === 'beta1' ? 'activation' : 'beta1';
    await page.getByTestId('contour-x').selectOption({ label: third });
    await expect.poll(() => contour.getAttribute('data-x-name')).toBe(third);
    await page.getByTestId('contour-y').selectOption({ label: 'lr' });
    await expect.poll(() => contour.getAttribute('data-y-name')).toBe('lr');

    const slice = page.getByTestId('slice-chart');
    await chartDrawn(slice);
    expect(await slice.getAttribute('data-grids')).toBe('3');
    expect(await described(slice)).toMatch(/^Slice plots: val_loss of each finished trial against each hyperparameter \(lr, beta1, activation\)/);

    // EDF: this study alone, then with the ticked second study of the same metric.
    const edf = page.getByTestId('edf-chart');
    await chartDrawn(edf);
    expect(await edf.getAttribute('data-series')).toBe('iris tune A');
    await page.locator(`input[data-peer="${ids.tuneB}"]`).check();
    await expect.poll(() => edf.getAttribute('data-series')).toBe('iris tune A|iris tune B');

    await page.mouse.move(1, 1);
    await screenshot(page, 'study-analysis-1280');
    await page.screenshot({ path: join(screenshotDir, 'study-analysis-1280-full.png'), fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await expect.poll(() => page.evaluate(() => window.innerWidth)).toBe(1920);
    await chartDrawn(contour);
    await screenshot(page, 'study-analysis-1920');
    await page.screenshot({ path: join(screenshotDir, 'study-analysis-1920-full.png'), fullPage: true });
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: join(screenshotDir, 'study-analysis-1920-dark-full.png'), fullPage: true });
    await page.getByRole('button', { name: 'Light theme' }).click();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('answers too few trials with a reason instead of bars', async () => {
    await page.goto(`${server.url}/#/studies/${ids.gpbt}?tab=analysis`);
    await expect.poll(() => page.getByTestId('importance-none').textContent()).toContain('needs at least 10 finished trials');
  });

  it('draws the GPBT history against the generation and a tuning study against the trial number', async () => {
    await page.goto(`${server.url}/#/studies/${ids.gpbt}?tab=history`);
    const history = page.getByTestId('history-chart');
    await chartDrawn(history);
    expect(await history.getAttribute('data-x-axis')).toBe('generation');
    await screenshot(page, 'study-history-gpbt');
    await page.goto(`${server.url}/#/studies/${ids.tuneA}?tab=history`);
    await expect.poll(() => page.getByTestId('history-chart').getAttribute('data-x-axis')).toBe('trial');
  });
});
