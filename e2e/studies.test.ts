// The HPO study views in real headless Chromium against `evolab serve`, on studies the CLI
// really ran: a TPE tuning study on iris (trial table, trial dialog, history, parallel
// coordinates, intermediate values) and a small GPBT study on iris (the genealogy explorer:
// a real click on a node of the canvas opens its hyperparameters, curves and children). A
// second database holds a synthetic 1,500-member GPBT study written through the store; the
// time from navigating to its genealogy until the chart has drawn is printed, not asserted.
// Screenshots (1280x800) go to artifacts/screenshots/.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyDetail, StudySummary } from '../src-shared/api.ts';
import { openStore } from '../src-main/store/store.ts';
import { e2eAvailable, evolab, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';
import { chartDrawn } from './chart-drawn.ts';

const base = {
  name: 'iris adam',
  dataset: { name: 'iris' },
  model: { hidden: [10], activation: 'sigmoid' },
  optimizer: { type: 'adam', lr: 0.05 },
  training: { batch_size: 16, max_epochs: 20 },
  compute: { backend: 'js', threads: 1 },
};

// GPBT on iris: 6 members, 4 generations of 2 epochs, c = 1.5 (2 parents). Learning rates
// low enough that the members differ after a few epochs (iris is easy); no early stop and
// seed 4, so the winner's lineage changes hyperparameters on the way (its schedule is not flat).
const gpbtStudy = {
  name: 'iris adam GPBT',
  base: { ...base, training: { batch_size: 16, max_epochs: 2 } },
  space: {
    'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.1 },
    'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 },
  },
  objective: { metric: 'val_loss', direction: 'minimize' },
  seed: 4,
  gpbt: { n: 6, t_max: 4, c: 1.5, T_g: 2, sampler: 'tpe', mode: 'time', early_stop: false },
};

async function api<T>(server: Server, method: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${server.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await response.json()) as { result: T }).result;
}

/** Clicks the genealogy node of a trial: its pixel from the chart (convertToPixel), clicked on the canvas. */
async function clickNode(page: Page, trialId: number): Promise<void> {
  const host = page.getByTestId('genealogy');
  const pixel = await host.evaluate(
    (element, id) => (element as HTMLElement & { genealogyPixel?: (id: number) => [number, number] | null }).genealogyPixel?.(id) ?? null,
    trialId,
  );
  expect(pixel).not.toBeNull();
  const box = await host.locator('canvas').first().boundingBox();
  if (box === null || pixel === null) throw new Error('the genealogy canvas is not on screen');
  await page.mouse.click(box.x + pixel[0], box.y + pixel[1]);
}

/** Moves the pointer off the charts and waits until no ECharts tooltip shows (they fade out), for screenshots. */
async function pointerAway(page: Page): Promise<void> {
  await page.mouse.move(1, 1);
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('div')]
      .filter((d) => d.style.zIndex === '9999999')
      .every((d) => getComputedStyle(d).visibility === 'hidden' || getComputedStyle(d).display === 'none'),
  );
}

/** The parent with the most children, from the latest generation that has parents (it has ancestors too). */
function busiestParent(study: StudyDetail): { id: number; children: number } {
  const children = new Map<number, Set<number>>();
  for (const e of study.edges) children.set(e.parentId, (children.get(e.parentId) ?? new Set()).add(e.childId));
  const generation = new Map(study.trialList.map((t) => [t.id, t.generation]));
  const [id, kids] = [...children.entries()].sort(
    (a, b) => (generation.get(b[0]) ?? 0) - (generation.get(a[0]) ?? 0) || b[1].size - a[1].size || a[0] - b[0],
  )[0];
  return { id, children: kids.size };
}

/** mulberry32: seeded, so the synthetic study is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A GPBT-shaped study of 30 generations x 50 members written straight into the store: each
 * generation the 5 best so far are parents of 10 children each; the first child keeps its
 * parent's hyperparameters (weights + hparams edges), the others get perturbed ones
 * (weights edge). Values: the parent's, improved by an amount that depends on the learning
 * rate's distance to a sweet spot, times noise; every 25th member fails (no value).
 */
async function seedLargeStudy(path: string): Promise<{ studyId: number; trials: number }> {
  const store = openStore(path);
  const random = seeded(42);
  const now = new Date().toISOString();
  try {
    return await store.transaction(async () => {
      const config = {
        name: 'synthetic GPBT 1500',
        base: { dataset: { name: 'iris' }, optimizer: { type: 'adam' } },
        space: { 'optimizer.lr': { type: 'loguniform', low: 0.0001, high: 0.3 }, 'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 } },
        objective: { metric: 'val_loss', direction: 'minimize' },
        seed: 42,
        gpbt: { n: 50, t_max: 30, c: 2, T_g: 1, sampler: 'tpe', mode: 'time', early_stop: false },
      };
      const studyId = await store.studies.create({
        name: 'synthetic GPBT 1500',
        kind: 'gpbt',
        config,
        configHash: 'synthetic-1500',
        state: null,
        status: 'done',
        createdAt: now,
      });
      type Member = { id: number; value: number; lr: number; beta1: number };
      const quality = (lr: number): number => Math.exp(-((Math.log10(lr) + 2) ** 2));
      let pool: Member[] = [];
      let bestId = 0;
      let bestValue = Infinity;
      for (let g = 0; g < 30; g++) {
        const parents = [...pool].sort((a, b) => a.value - b.value).slice(0, 5);
        const generation: Member[] = [];
        for (let m = 0; m < 50; m++) {
          const parent = g === 0 ? null : parents[Math.floor(m / 10)];
          const keeps = parent !== null && m % 10 === 0;
          const lr = parent === null ? 10 ** (-4 + random() * 3.5) : keeps ? parent.lr : Math.min(0.3, Math.max(1e-4, parent.lr * 2 ** (random() * 2 - 1)));
          const beta1 = parent === null || !keeps ? 0.5 + random() * 0.49 : parent.beta1;
          const trial = await store.studies.addTrial({
            studyId,
            number: g * 50 + m,
            generation: g,
            member: m,
            params: { 'optimizer.lr': lr, 'optimizer.beta1': beta1 },
            samplerId: null,
            createdAt: now,
          });
          const failed = (g * 50 + m) % 25 === 24;
          const start = parent?.value ?? 1.2;
          const value = start * (1 - 0.12 * quality(lr)) * (1 + (random() - 0.5) * 0.06);
          await store.studies.updateTrial(
            trial.id,
            failed ? { status: 'failed', finishedAt: now } : { status: 'done', value, testValue: value * 1.05, finishedAt: now },
          );
          if (parent !== null) {
            await store.studies.addEdge(trial.id, parent.id, 'weights');
            if (keeps) await store.studies.addEdge(trial.id, parent.id, 'hparams');
          }
          if (!failed) {
            generation.push({ id: trial.id, value, lr, beta1 });
            if (value < bestValue) [bestId, bestValue] = [trial.id, value];
          }
        }
        // Selection includes the parents, as in GPBT.
        pool = [...generation, ...parents];
      }
      await store.studies.update(studyId, { status: 'done', bestTrial: bestId, finishedAt: now });
      return { studyId, trials: (await store.studies.trials(studyId)).length };
    });
  } finally {
    await store.close();
  }
}

describe.skipIf(!e2eAvailable)('HPO studies and the genealogy explorer in headless Chromium', () => {
  const dir = tempDir();
  const db = join(dir, 'evolab.db');
  const largeDb = join(dir, 'large.db');
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const tuneConfig = join(dir, 'iris_adam.json');
    writeFileSync(tuneConfig, JSON.stringify(base));
    const gpbtConfig = join(dir, 'iris_gpbt.json');
    writeFileSync(gpbtConfig, JSON.stringify(gpbtStudy));
    let started = performance.now();
    const tune = evolab(db, ['tune', tuneConfig, '--trials', '8', '--name', 'iris adam TPE']);
    expect(tune.status, tune.stderr).toBe(0);
    console.log(`evolab tune (8 trials) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const gpbt = evolab(db, ['gpbt', gpbtConfig, '--name', 'iris adam GPBT']);
    expect(gpbt.status, gpbt.stderr).toBe(0);
    console.log(`evolab gpbt (6 members x 4 generations) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    server = await startServe(db);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the studies and shows the tuning study: trials, history, parallel coordinates, intermediate values', async () => {
    await page.goto(`${server.url}/#/studies`);
    const table = page.getByTestId('studies-table');
    await table.locator('tr', { hasText: 'iris adam TPE' }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    const tuneRow = table.locator('tr', { hasText: 'iris adam TPE' });
    expect(await tuneRow.textContent()).toContain('8/8');
    // The best value arrives after the list (one more request per study).
    await expect.poll(async () => tuneRow.locator('td').nth(6).textContent()).toMatch(/^\d/);
    await screenshot(page, 'studies');

    await tuneRow.click();
    const trials = page.getByTestId('trials-table');
    await trials.waitFor();
    expect(await trials.locator('tbody tr').count()).toBe(8);
    expect(await trials.locator('tbody tr.best').count()).toBe(1);
    expect(await trials.locator('thead').textContent()).toContain('lr');
    // Enter on a row opens the trial; Esc closes it.
    await trials.locator('tbody tr').first().focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await chartDrawn(dialog.getByTestId('trial-curve'));
    expect(await dialog.getByTestId('trial-hparams').textContent()).toContain('lr');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await screenshot(page, 'study-trials');

    for (const [tab, testId, shot] of [
      ['History', 'history-chart', 'study-history'],
      ['Parallel coordinates', 'parallel-chart', 'study-parallel'],
      ['Intermediate values', 'intermediate-chart', 'study-intermediate'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await chartDrawn(page.getByTestId(testId));
      expect(await page.getByRole('tab', { name: tab }).getAttribute('aria-selected')).toBe('true');
      await screenshot(page, shot);
    }
    // A tuning study has no genealogy.
    expect(await page.getByRole('tab', { name: 'Genealogy' }).count()).toBe(0);
    // A study that does not exist is said so inline.
    await page.goto(`${server.url}/#/studies/999`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('999');
  });

  it('explores the GPBT genealogy: a click on a node shows its hyperparameters, curve and children', async () => {
    const studies = await api<StudySummary[]>(server, 'listStudies');
    const summary = studies.find((s) => s.kind === 'gpbt');
    if (summary === undefined) throw new Error('no GPBT study');
    const study = await api<StudyDetail>(server, 'getStudy', { id: summary.id });
    expect(study.trialList).toHaveLength(24);

    await page.goto(`${server.url}/#/studies`);
    await page.getByTestId('studies-table').locator('tr', { hasText: 'iris adam GPBT' }).click();
    await page.getByRole('tab', { name: 'Genealogy' }).click();
    const host = page.getByTestId('genealogy');
    await page.locator('[data-testid=genealogy][data-rendered-at]').waitFor();
    expect(await host.getAttribute('data-nodes')).toBe('24');
    await chartDrawn(page.getByTestId('schedule-chart'));
    await screenshot(page, 'genealogy');

    const parent = busiestParent(study);
    await clickNode(page, parent.id);
    const panel = page.locator(`[data-testid=trial-panel][data-trial="${parent.id}"]`);
    await panel.waitFor();
    await pointerAway(page);
    const trial = study.trialList.find((t) => t.id === parent.id);
    expect(await panel.locator('strong').first().textContent()).toBe(`Trial #${trial?.number}`);
    const hparams = (await panel.getByTestId('trial-hparams').textContent()) ?? '';
    expect(hparams).toContain('lr');
    expect(hparams).toContain('beta1');
    expect(hparams).toContain(String(Number((trial?.params['optimizer.lr'] as number).toPrecision(4))));
    expect(await panel.getByTestId('trial-children').locator('li').count()).toBe(parent.children);
    await chartDrawn(panel.getByTestId('trial-curve'));
    await screenshot(page, 'genealogy-node');

    // A child button moves the selection to that child.
    await panel.getByTestId('trial-children').locator('button').first().click();
    await expect.poll(async () => host.getAttribute('data-selected')).not.toBe(String(parent.id));
    // Keyboard: Home selects the winner, ArrowLeft its parent (where it copied its weights from).
    const winner = study.trialList.find((t) => t.number === study.bestTrial);
    const winnerParent = study.edges.find((e) => e.childId === winner?.id && e.kind === 'weights')?.parentId;
    await host.focus();
    await page.keyboard.press('Home');
    await expect.poll(async () => host.getAttribute('data-selected')).toBe(String(winner?.id));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => host.getAttribute('data-selected')).toBe(String(winnerParent));

    // The selected node is in the address: a reload opens the same trial, tab and all.
    const parentNumber = study.trialList.find((t) => t.id === winnerParent)?.number;
    await expect.poll(() => page.url()).toContain(`node=${parentNumber}`);
    expect(page.url()).toContain('tab=genealogy');
    await page.reload();
    await page.locator('[data-testid=genealogy][data-rendered-at]').waitFor();
    expect(await page.getByTestId('genealogy').getAttribute('data-selected')).toBe(String(winnerParent));
    await page.locator(`[data-testid=trial-panel][data-trial="${winnerParent}"]`).waitFor();
  });

  it('renders a 1,500-node genealogy and keeps it clickable', async () => {
    let started = performance.now();
    const seededStudy = await seedLargeStudy(largeDb);
    expect(seededStudy.trials).toBe(1500);
    console.log(`seeded a 1500-trial GPBT study in ${(performance.now() - started).toFixed(0)} ms`);
    const large = await startServe(largeDb);
    try {
      await page.goto(`${large.url}/#/studies`);
      await page.getByTestId('studies-table').locator('tr', { hasText: 'synthetic GPBT 1500' }).waitFor();
      // From the navigation to the chart's 'finished' event, both measured in the page.
      const navigatedAt = await page.evaluate((id) => {
        const now = performance.now();
        window.location.hash = `#/studies/${id}?tab=genealogy`;
        return now;
      }, seededStudy.studyId);
      const host = page.locator('[data-testid=genealogy][data-rendered-at]');
      await host.waitFor({ timeout: 30_000 });
      const renderedAt = Number(await host.getAttribute('data-rendered-at'));
      console.log(`genealogy view rendered in ${(renderedAt - navigatedAt).toFixed(0)} ms (1500 nodes)`);
      expect(await host.getAttribute('data-nodes')).toBe('1500');
      await chartDrawn(host);

      const study = await api<StudyDetail>(large, 'getStudy', { id: seededStudy.studyId });
      const parent = busiestParent(study);
      started = performance.now();
      await clickNode(page, parent.id);
      const panel = page.locator(`[data-testid=trial-panel][data-trial="${parent.id}"]`);
      await panel.waitFor();
      console.log(`genealogy node panel opened ${(performance.now() - started).toFixed(0)} ms after the click (1500 nodes)`);
      await pointerAway(page);
      expect(await panel.getByTestId('trial-children').locator('li').count()).toBe(parent.children);
      await screenshot(page, 'genealogy-1500');
    } finally {
      await large.stop();
    }
  });
});
