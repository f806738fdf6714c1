// The desktop app's own code, run as built (out/main/main.js and out/preload/preload.cjs)
// under Node with a stand-in for Electron (test/electron-stand-in/), since the Electron
// binary cannot be downloaded here. Through the preload's window.evolab, exactly as the
// renderer calls it: every AppApi method round-trips over IPC (answers and typed errors);
// a run trains to done in a utilityProcess job (a real child process with Electron's
// parentPort); a report comes back as a PDF from printToPDF; the database lives in the
// userData folder; the window is sandboxed with the Content-Security-Policy; a WebGPU run
// borrows a hidden window's adapter; a second instance hands over to the first and quits. The last test breaks a copy of the preload and
// sees the app fail, so this test can fail.
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../src-shared/api-methods.ts';
import { App, chromium } from './electron-stand-in/app-driver.ts';

const root = resolve(import.meta.dirname, '..');
const builtMain = join(root, 'out/main/main.js');

const iris = {
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 3 },
  compute: { backend: 'js', threads: 1 },
};

describe.skipIf(!existsSync(builtMain))('the desktop app (built main and preload, stand-in Electron)', () => {
  const userData = mkdtempSync(join(tmpdir(), 'evolab-app-'));
  let app: App;

  beforeAll(async () => {
    app = new App(userData, builtMain);
    expect(await app.ready).toEqual(['evolab']);
    await app.controlResult('subscribe');
  });

  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) await app.quit();
  });

  it('opens a sandboxed window whose pages get the Content-Security-Policy', async () => {
    const { windows } = await app.controlResult<{ windows: { loaded: string; preferences: Record<string, unknown> }[] }>('windows');
    expect(windows).toHaveLength(1);
    expect(windows[0].loaded).toBe(join(root, 'out/renderer/index.html'));
    expect(windows[0].preferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: join(root, 'out/preload/preload.cjs'),
    });
    const headers = await app.controlResult<Record<string, string[]>>('csp');
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/^default-src 'self'; script-src 'self'/);
  });

  it('keeps its database in the userData folder', async () => {
    const environment = await app.call<{ databasePath: string }>('getEnvironment');
    expect(environment.databasePath).toBe(join(userData, 'evolab.db'));
    expect(existsSync(join(userData, 'evolab.db'))).toBe(true);
  });

  it('trains a run to done in a utilityProcess job, its events reaching the page', async () => {
    const experiment = await app.call<{ id: number }>('createExperiment', { config: iris, runs: 1, name: 'through the app' });
    await app.event((e) => e.type === 'run-status' && e.run?.status === 'done');
    expect(app.events.some((e) => e.type === 'run-progress')).toBe(true);
    const runs = await app.call<{ items: { status: string; epoch: number; backend: string }[] }>('listRuns', { experimentId: experiment.id });
    expect(runs.items[0]).toMatchObject({ status: 'done', epoch: 3 });
  });

  it('answers every AppApi method over IPC, and its typed errors', async () => {
    const experiments = await app.call<{ items: { id: number }[] }>('listExperiments');
    const id = experiments.items[0].id;
    await app.call('getExperiment', { id });
    await app.call('updateExperiment', { id, notes: 'noted' });
    const runs = await app.call<{ items: { id: number }[] }>('listRuns', { experimentId: id });
    await app.call('getRunMetrics', { runId: runs.items[0].id, maxPoints: 10 });
    await app.call('getExperimentCurves', { id });
    await app.call('getQueue');
    await app.call('pauseQueue');
    const second = await app.call<{ id: number }>('createExperiment', { config: iris, runs: 2, name: 'waiting' });
    const waiting = await app.call<{ items: { id: number }[] }>('listRuns', { experimentId: second.id });
    await app.call('moveRun', { runId: waiting.items[1].id, to: 'top' });
    await app.call('cancelRun', { runId: waiting.items[0].id });
    await app.call('retryRun', { runId: waiting.items[0].id });
    await app.call('setSlots', { slots: 1 });
    await app.call('resumeQueue');
    await app.call('archiveExperiments', { ids: [second.id], archived: true });
    await app.call('archiveExperiments', { ids: [second.id], archived: false });
    await app.call('cancelExperiments', { ids: [second.id] });
    await app.call('deleteExperiments', { ids: [second.id] });
    await app.call('restoreExperiments', { ids: [second.id] });
    await app.call('listConfigs');
    await app.call('compareExperiments', { experimentIds: [id] });
    const html = await app.call<{ mimeType: string }>('exportReport', { experimentIds: [id], format: 'html' });
    expect(html.mimeType).toBe('text/html');
    const folder = mkdtempSync(join(tmpdir(), 'evolab-app-import-'));
    writeFileSync(
      join(folder, 'iris.sgd.csv'),
      ',time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals\n0,1,0.3,0.9,0.3,0.9,0.3,0.9,100\n',
    );
    await app.call('importResults', { folder, name: 'imported' });
    const templates = await app.call<{ config: unknown }[]>('listStudyTemplates');
    expect(templates.length).toBeGreaterThan(0);
    const study = { base: iris, space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.1 } }, tune: { trials: 2, sampler: { type: 'random' } } };
    const created = await app.call<{ id: number }>('createStudy', { config: study, start: false });
    await app.call('startStudy', { id: created.id });
    await app.call('pauseStudy', { id: created.id });
    await app.call('resumeStudy', { id: created.id });
    await app.call('listStudies');
    await app.call('getStudy', { id: created.id });
    await app.call('getStudyCurves', { id: created.id });
    await app.call('cancelStudy', { id: created.id });
    const finished = await app.call<{ id: number }>('createStudy', { config: { ...study, tune: { trials: 1, sampler: { type: 'random' } } } });
    await app.event(
      (e) =>
        e.type === 'study' &&
        (e as unknown as { study: { id: number; status: string } }).study.id === finished.id &&
        (e as unknown as { study: { status: string } }).study.status === 'done',
    );
    const best = await app.call<{ runsTotal: number }>('queueStudyBest', { id: finished.id, runs: 2 });
    expect(best.runsTotal).toBe(2);
    await app.call('deleteStudy', { id: created.id });
    // A typed error crosses the bridge with its code and field.
    await expect(app.call('createExperiment', { config: { ...iris, optimizer: { type: 'adam', lr: -1 } } })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'config.optimizer.lr',
    });
    await expect(app.call('getStudy', { id: 999 })).rejects.toMatchObject({ code: 'not_found' });
    await app.call('getEnvironment');
    expect([...API_METHODS].filter((m) => !app.called.has(m))).toEqual([]);
  });

  it.skipIf(!existsSync(chromium))('makes the report PDF with printToPDF', async () => {
    const experiments = await app.call<{ items: { id: number; name: string }[] }>('listExperiments');
    const done = experiments.items.find((e) => e.name === 'through the app');
    const pdf = await app.call<{ mimeType: string; base64: string; bytes: number }>('exportReport', { experimentIds: [done?.id ?? 0], format: 'pdf' });
    expect(pdf.mimeType).toBe('application/pdf');
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.bytes).toBeGreaterThan(10_000);
  });

  it.skipIf(!existsSync(chromium))('trains a WebGPU run on a hidden window when the job process has no adapter', async () => {
    // No GPU here: Dawn finds no adapter in the job process, so the job asks the app for a hidden
    // window on its device page; the window's Chromium (with the app's WebGPU switch and CSP)
    // has SwiftShader. The window goes with the job.
    const config = { ...iris, optimizer: { type: 'cmaes', population: 12, sigma0: 0.5 }, compute: { backend: 'webgpu', threads: 1 } };
    const experiment = await app.call<{ id: number }>('createExperiment', { config, runs: 1, name: 'webgpu in a window' });
    const run = async () => (await app.call<{ items: { status: string; backend: string | null }[] }>('listRuns', { experimentId: experiment.id })).items[0];
    await expect.poll(async () => (await run()).status, { timeout: 120_000 }).toBe('done');
    expect((await run()).backend).toBe('webgpu (google swiftshader (software), Electron window)');
    const devicePages = async () =>
      (await app.controlResult<{ windows: { loaded: string | null }[] }>('windows')).windows.filter((w) => w.loaded?.endsWith('/webgpu-device.html'));
    await expect.poll(devicePages).toEqual([]);
  });

  it('lets one instance run: a second one hands over (the first focuses its window) and quits', async () => {
    const second = new App(userData, builtMain);
    second.ready.catch(() => undefined); // it never opens a page
    expect(await second.exited).toBe(0);
    await expect.poll(async () => (await app.controlResult<{ focused: string[] }>('windows')).focused.length).toBeGreaterThan(0);
  });

  it('fails when the preload is broken (this test can fail)', async () => {
    // A copy of the build whose preload exposes nothing: the page has no window.evolab.
    const copy = mkdtempSync(join(tmpdir(), 'evolab-broken-'));
    cpSync(join(root, 'out'), join(copy, 'out'), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const preload = join(copy, 'out/preload/preload.cjs');
    writeFileSync(preload, readFileSync(preload, 'utf8').replace('exposeInMainWorld', 'exposeNothing'));
    const broken = new App(mkdtempSync(join(tmpdir(), 'evolab-app-broken-')), join(copy, 'out/main/main.js'));
    expect(await broken.ready).toEqual([]);
    await expect(broken.call('getEnvironment')).rejects.toThrow(/the page has no window.evolab/);
    await broken.quit();
  });
});
