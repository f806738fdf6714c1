// The New study view and a study's live controls in headless Chromium against `evolab serve
// --slots 2` on an empty temporary database: from the studies list, "New study", then the
// shipped iris_adam_gpbt.json; made small through the form (n 4, t_max 3, T_g 3: 12 trials
// of 3 epochs); invalid values shown at their inputs (Create disabled, each problem listed and
// linked to its input) and a refusal by the service put back at its field; fixed, created and
// started. In the study view the finished-trial count grows from the study's events; Pause
// holds it (the runs in flight finish, nothing new starts even when the queue is nudged),
// Resume lets it finish; the genealogy tab, then "Queue best × 5 seeds" and its link to the
// new experiment, whose runs run. The experiments list shows the study as one row and hides
// its trials until "Show trial experiments" (remembered); "Tune this experiment" starts a new
// study from an experiment; a created study is started, cancelled (after a confirmation) and
// deleted (back to the list). Screenshots (1280x800): new-study,
// new-study-error, study-running, study-paused, study-done-genealogy, study-best-queued,
// experiments-with-study, and dark-theme ones of the form and the done study.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueState, StudyDetail } from '../src-shared/api.ts';
import { e2eAvailable, launchBrowser, type Server, screenshot, startServe, tempDir } from './harness.ts';

describe.skipIf(!e2eAvailable)('new study view and study controls in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let studyId = 0;
  const dir = tempDir();
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;

  async function call<T>(method: string, request: unknown = {}): Promise<T> {
    const response = await fetch(`${server.url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as { result?: T; error?: unknown };
    if (body.result === undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  }

  const field = (label: string) => page.getByTestId('study-form').getByLabel(label, { exact: true });
  const errorAt = (key: string) => page.locator(`[data-field="${key}"] .field-error`);
  const lrRow = () => page.locator('[data-space-row="optimizer.lr"]');
  const createButton = () => page.getByRole('button', { name: /^Create/ });
  const progress = () => page.getByTestId('study-progress');
  const finished = async (): Promise<number> => Number(await progress().getAttribute('data-finished'));
  const status = async (): Promise<string | null> => page.getByTestId('study-status').textContent();

  beforeAll(async () => {
    server = await startServe(join(dir, 'evolab.db'), ['--slots', '2']);
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a GPBT study from a shipped one: problems at their inputs, then created and started', async () => {
    await page.goto(`${server.url}/#/studies`);
    await page.getByTestId('new-study').click();
    await page.waitForURL(/#\/studies\/new/);
    // It starts from the shipped tuning study; the source picker offers the others (and earlier experiments).
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam_tune.json');
    const choose = page.getByRole('button', { name: 'Choose study or experiment…' });
    const dialog = page.getByRole('dialog', { name: 'Start from' });
    await choose.click();
    await dialog.getByRole('button', { name: /iris_adam_gpbt\.json/ }).click();
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam_gpbt.json');
    // A load by mistake loses nothing: Undo load brings back what the form held.
    await page.getByRole('button', { name: 'Undo load' }).click();
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam_tune.json');
    await choose.click();
    await dialog.getByRole('button', { name: /iris_adam_gpbt\.json/ }).click();
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam_gpbt.json');
    await expect.poll(() => page.url()).toContain('?template=iris_adam_gpbt.json');
    expect(await field('Method').inputValue()).toBe('gpbt');
    expect(await field('Models (n)').inputValue()).toBe('8');
    expect(await field('Name').inputValue()).toBe('iris adam GPBT');
    expect(await page.getByTestId('base-summary').textContent()).toContain('adam');

    // Small enough to finish in seconds: 4 models, 3 generations of 3 epochs.
    await field('Models (n)').fill('4');
    await field('Epochs per generation (T_g)').fill('3');
    // Invalid values: the schema's messages at those inputs, listed, Create disabled.
    await field('Generations (t_max)').fill('0');
    await lrRow().getByLabel('High', { exact: true }).fill('0.0001');
    await errorAt('gpbt.t_max').waitFor();
    expect(await errorAt('gpbt.t_max').textContent()).toContain('expected a positive integer, got 0');
    expect(await lrRow().locator('.field-error').textContent()).toContain('inverted range: high (0.0001) is below low (0.001)');
    expect(await field('Generations (t_max)').getAttribute('aria-invalid')).toBe('true');
    expect(await lrRow().getByLabel('High', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const problems = page.getByTestId('problems');
    expect(await problems.textContent()).toContain('2 problems');
    expect(await problems.textContent()).toContain('space.optimizer.lr.high');
    expect(await problems.textContent()).toContain('gpbt.t_max');
    expect(await createButton().isDisabled()).toBe(true);
    // A problem in the list takes the focus to its input.
    await problems.getByRole('button', { name: 'Generations (t_max)' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('nx-gpbt-t_max');
    await screenshot(page, 'new-study-error');

    // Fixed: the list goes, Create is enabled and says what will run.
    await field('Generations (t_max)').fill('3');
    await lrRow().getByLabel('High', { exact: true }).fill('0.5');
    await field('Name').fill('iris GPBT from the form');
    await expect.poll(() => createButton().isEnabled()).toBe(true);
    expect(await problems.count()).toBe(0);
    expect(await page.getByTestId('plan').textContent()).toContain('4 models × 3 generations = 12 trials of 3 epoch(s)');
    await screenshot(page, 'new-study');

    // A refusal by the service lands at the field it names (config.<path>), and the form is kept.
    await page.route('**/api/createStudy', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'invalid_input',
            message: 'config.gpbt.c: refused for the test',
            field: 'config.gpbt.c',
            problems: [{ field: 'config.gpbt.c', problem: 'refused for the test' }],
          },
        }),
      }),
    );
    await createButton().click();
    await errorAt('gpbt.c').waitFor();
    expect(await errorAt('gpbt.c').textContent()).toContain('refused for the test');
    expect(await page.getByTestId('create-error').getAttribute('role')).toBe('alert');
    expect(await field('Models (n)').inputValue()).toBe('4');
    await page.unroute('**/api/createStudy');
    // Any edit clears the service's verdict (it was about what was sent).
    await field('Parent ratio (c)').fill('2');
    await expect.poll(() => createButton().isEnabled()).toBe(true);

    await createButton().click();
    await page.waitForURL(/#\/studies\/\d+$/);
    studyId = Number(/#\/studies\/(\d+)$/.exec(page.url())?.[1]);
    const study = await call<StudyDetail>('getStudy', { id: studyId });
    expect(study).toMatchObject({ name: 'iris GPBT from the form', kind: 'gpbt', budget: 12 });
    expect(study.config).toMatchObject({
      space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } },
      gpbt: { n: 4, t_max: 3, c: 2, T_g: 3, sampler: 'tpe', mode: 'time', early_stop: true },
    });
    console.log(`study ${studyId} created ${elapsed()} into the test`);
  });

  it('follows the study live, pauses it (nothing new starts), resumes it to done, and queues the best × 5 seeds', async () => {
    await progress().waitFor();
    expect(await page.getByTestId('study-method').textContent()).toContain('GPBT n 4, 3 generations of 3 epochs');
    // The finished-trial count grows while we watch (study events, no reload).
    const first = await finished();
    await expect.poll(finished, { timeout: 60_000 }).toBeGreaterThan(first);
    expect(await status()).toBe('running');
    // The trial table follows (a read after the event).
    await expect.poll(async () => page.getByTestId('trials-table').locator('.status.done').count()).toBeGreaterThan(0);
    await screenshot(page, 'study-running');

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(status).toBe('paused');
    // The status can arrive (as a study event) before the pause request answers; the buttons
    // stay disabled until it has, so wait for them rather than read them once.
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    // The runs in flight finish; then nothing of the study starts, even when the queue is nudged
    // (setSlots ticks the scheduler before it answers).
    await expect.poll(async () => (await call<QueueState>('getQueue')).running.length, { timeout: 60_000 }).toBe(0);
    const held = await call<StudyDetail>('getStudy', { id: studyId });
    expect(held.status).toBe('paused');
    expect(held.finishedTrials).toBeLessThan(12);
    await expect.poll(finished).toBe(held.finishedTrials);
    await call('setSlots', { slots: 2 });
    expect((await call<QueueState>('getQueue')).running).toHaveLength(0);
    const after = await call<StudyDetail>('getStudy', { id: studyId });
    expect([after.trials, after.finishedTrials]).toEqual([held.trials, held.finishedTrials]);
    expect(await progress().getAttribute('data-trials')).toBe(String(held.trials));
    expect(await finished()).toBe(held.finishedTrials);
    // The trial table follows: its finished rows (trials still waiting in the queue, held, read "running").
    const finishedRows = page
      .getByTestId('trials-table')
      .locator('tbody tr')
      .filter({ hasNot: page.locator('.status.running') });
    await expect.poll(async () => finishedRows.count()).toBe(held.finishedTrials);
    await screenshot(page, 'study-paused');
    console.log(`paused at ${held.finishedTrials}/12 finished (${held.trials} created), ${elapsed()} into the test`);

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(status).not.toBe('paused');
    await expect.poll(status, { timeout: 90_000 }).toBe('done');
    expect(await finished()).toBe(12);
    expect(await page.getByRole('button', { name: 'Delete…' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel…' }).isDisabled()).toBe(true);
    console.log(`study done ${elapsed()} into the test`);

    await page.getByRole('tab', { name: 'Genealogy' }).click();
    await page.locator('[data-testid=genealogy][data-rendered-at]').waitFor();
    expect(await page.getByTestId('genealogy').getAttribute('data-nodes')).toBe('12');
    await page.mouse.move(1, 1);
    await screenshot(page, 'study-done-genealogy');

    await page.getByRole('button', { name: 'Queue best × 5 seeds' }).click();
    const link = page.getByTestId('best-experiment-link');
    await link.waitFor();
    expect(await link.textContent()).toContain('best (trial');
    await screenshot(page, 'study-best-queued');
    await link.click();
    await page.waitForURL(/#\/experiments\/\d+$/);
    const runs = page.getByTestId('runs-table');
    await expect.poll(async () => runs.locator('tbody tr').count()).toBe(5);
    await expect.poll(async () => runs.locator('.status.running, .status.done').count(), { timeout: 30_000 }).toBeGreaterThan(0);

    // "Tune this experiment": a new tuning study with this experiment's config as the base.
    const bestId = /#\/experiments\/(\d+)$/.exec(page.url())?.[1];
    await page.getByRole('button', { name: 'Tune this experiment' }).click();
    await expect.poll(() => page.url()).toContain(`#/studies/new?from=${bestId}`);
    await expect.poll(() => page.getByTestId('source').textContent()).toContain(`experiment #${bestId}`);
    expect(await field('Method').inputValue()).toBe('tune');
    expect(await page.locator('[data-space-row="optimizer.lr"]').getByLabel('Type', { exact: true }).inputValue()).toBe('loguniform');
    expect(await createButton().isEnabled()).toBe(true);
  });

  it('lists the study by name and method, and shows it as one row of the experiments list, its trials only on request', async () => {
    await page.goto(`${server.url}/#/studies`);
    const listed = page.getByTestId('studies-table').locator('tr', { hasText: 'iris GPBT from the form' });
    await listed.waitFor();
    expect(await listed.textContent()).toContain('GPBT n 4, 3 generations of 3 epochs');
    expect(await listed.getByTestId('study-row-progress').textContent()).toContain('12/12');
    expect(await listed.locator('td').nth(6).textContent()).toMatch(/^\d/);
    await screenshot(page, 'studies-with-new-study');

    await page.goto(`${server.url}/#/experiments`);
    const table = page.getByTestId('experiments-table');
    const studyRow = table.locator(`tr[data-study="${studyId}"]`);
    await studyRow.waitFor();
    expect(await studyRow.textContent()).toContain('GPBT study');
    expect(await studyRow.textContent()).toContain('iris GPBT from the form');
    expect(await studyRow.getByTestId('study-trials').textContent()).toBe('12/12 trials');
    expect(await studyRow.locator('.status').textContent()).toBe('done');
    // Its 12 trial experiments are hidden: only the best-of-study experiment is listed.
    await expect.poll(async () => table.locator('tbody tr[data-row]').count()).toBe(1);
    await screenshot(page, 'experiments-with-study');

    await page.getByLabel('Show trial experiments').check();
    await expect.poll(async () => table.locator('tbody tr[data-row]').count()).toBe(13);
    expect(await table.locator('tbody tr.trial').count()).toBe(12);
    // Remembered like the columns.
    await page.reload();
    await expect.poll(async () => table.locator('tbody tr[data-row]').count()).toBe(13);
    expect(await page.getByLabel('Show trial experiments').isChecked()).toBe(true);
    await page.getByLabel('Show trial experiments').uncheck();
    await expect.poll(async () => table.locator('tbody tr[data-row]').count()).toBe(1);

    // Keyboard: Enter on the study's row opens the study.
    await studyRow.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/studies/${studyId}`));
    await progress().waitFor();
  });

  it('starts a created study, cancels it after a confirmation, and deletes it', async () => {
    const template = (await call<{ file: string; config: Record<string, unknown> }[]>('listStudyTemplates')).find((t) => t.file === 'iris_adam_gpbt.json');
    if (template === undefined) throw new Error('iris_adam_gpbt.json is not shipped');
    const gpbt = { ...(template.config.gpbt as object), n: 2, t_max: 50, T_g: 5 };
    const created = await call<StudyDetail>('createStudy', { config: { ...template.config, gpbt }, name: 'to cancel', start: false });
    await page.goto(`${server.url}/#/studies/${created.id}`);
    await expect.poll(status).toBe('created');
    const button = (name: string) => page.getByRole('group', { name: 'Study controls' }).getByRole('button', { name, exact: true });
    expect(await button('Start').isEnabled()).toBe(true);
    for (const name of ['Pause', 'Resume', 'Cancel…', 'Delete…']) expect(await button(name).isDisabled(), name).toBe(true);
    await button('Start').click();
    await expect.poll(status).toBe('running');
    // Cancel asks first; Esc (or "Keep it running") leaves it running.
    await button('Cancel…').click();
    await page.getByRole('dialog', { name: 'Cancel this study?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await status()).toBe('running');
    await button('Cancel…').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel the study' }).click();
    await expect.poll(status).toBe('cancelled');
    await expect.poll(() => button('Delete…').isEnabled(), { timeout: 10_000 }).toBe(true);
    await button('Delete…').click();
    await page.getByRole('dialog', { name: 'Delete this study?' }).getByRole('button', { name: 'Delete the study' }).click();
    await page.waitForURL(/#\/studies$/);
    await page.getByTestId('studies-table').locator('tr', { hasText: 'iris GPBT from the form' }).waitFor();
    expect(await page.getByTestId('studies-table').locator('tr', { hasText: 'to cancel' }).count()).toBe(0);
    expect((await call<{ id: number }[]>('listStudies')).map((s) => s.id)).toEqual([studyId]);
  });

  it('reads well in the dark theme', async () => {
    await page.goto(`${server.url}/#/studies/${studyId}`);
    await progress().waitFor();
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.mouse.move(1, 1);
    await screenshot(page, 'study-done-dark');
    await page.goto(`${server.url}/#/studies/new?template=iris_adam_tune.json`);
    await expect.poll(() => page.getByTestId('source').textContent()).toBe('iris_adam_tune.json');
    await field('Pruning').selectOption('asha');
    await field('Reduction factor η').fill('1');
    await errorAt('tune.pruning.reduction_factor').waitFor();
    await screenshot(page, 'new-study-dark');
    await page.getByRole('button', { name: 'Light theme' }).click();
  });
});
