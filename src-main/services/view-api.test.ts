// The AppApi methods the views use beyond the queue: aggregated experiment curves, study
// intermediate values, shipped configs, the environment, comparisons, report export and
// import — values against hand-computed ones, and each failure answered with its field.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiError, toApiError } from '../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { mannWhitneyU } from '../../src-shared/stats/mann-whitney.ts';
import { boot, type Services } from './boot.ts';

const config = parseExperimentConfig({ dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 3 } });

/** An experiment whose runs are done with these test accuracies and per-epoch val_loss curves. */
function experimentWith(services: Services, name: string, runs: { testAcc: number; valLoss: number[] }[]): Promise<number> {
  const { store } = services;
  const now = new Date().toISOString();
  return store.transaction(async () => {
    const id = await store.experiments.insert({ name, dataset: 'iris', config, tags: [], notes: '', createdAt: now });
    await store.runs.insertForExperiment(id, runs.length, 0, 0, 3, now);
    const ids = (await store.runs.list({ experimentId: id, limit: 100, offset: 0 })).items.map((r) => r.id);
    for (const [i, run] of runs.entries()) {
      await store.runs.markRunning(ids[i], now);
      for (const [e, v] of run.valLoss.entries()) await store.metrics.insertEpoch(ids[i], e + 1, { val_loss: v, val_acc: 1 - v });
      await store.runs.markDone(
        ids[i],
        {
          time: 1,
          final: { train_loss: 0, train_acc: 1, val_loss: 0, val_acc: 1, test_loss: 1 - run.testAcc, test_acc: run.testAcc },
          modelEvals: 10,
          gradEvals: 0,
          epochsRun: run.valLoss.length,
          bestEpoch: 1,
          stoppedEarly: false,
        },
        now,
      );
    }
    return id;
  });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    // What every front end answers with (validation errors become invalid_input).
    return toApiError(error);
  }
  throw new Error('expected an ApiError');
}

describe('AppApi for the views', () => {
  let services: Services;
  let pdfCalls: string[];

  beforeEach(async () => {
    pdfCalls = [];
    services = await boot({
      databasePath: ':memory:',
      renderPdf: async (html) => {
        pdfCalls.push(html);
        return new TextEncoder().encode('%PDF-1.7 fake');
      },
    });
  });
  afterEach(async () => services.shutdown());

  it('aggregates an experiment curve across runs: mean, n and the 95% t-band per epoch', async () => {
    const id = await experimentWith(services, 'a', [
      { testAcc: 0.9, valLoss: [1, 0.5, 0.2] },
      { testAcc: 0.8, valLoss: [3, 0.7] }, // stopped early: epoch 3 has one run
    ]);
    const answer = await services.service.getExperimentCurves({ id, names: ['val_loss'] });
    expect(answer.runs).toBe(2);
    const points = answer.curves[0].points;
    expect(points.map((p) => [p.epoch, p.n, p.mean])).toEqual([
      [1, 2, 2],
      [2, 2, 0.6],
      [3, 1, 0.2],
    ]);
    // Two runs give no band (MIN_BAND_RUNS = 3: a t(0.975, 1) = 12.7 half width is a spike).
    expect(points[0].high).toBeNull();
    expect(points[2].low).toBeNull();
    expect((await failure(services.service.getExperimentCurves({ id: 99 }))).code).toBe('not_found');
  });

  it('gives each trial its intermediate values, on the objective metric by default', async () => {
    const experimentId = await experimentWith(services, 'trial', [{ testAcc: 0.9, valLoss: [0.9, 0.4] }]);
    const runId = (await services.store.runs.list({ experimentId, limit: 1, offset: 0 })).items[0].id;
    const { store } = services;
    const studyId = await store.studies.create({
      name: 's',
      kind: 'tune',
      config: { objective: { metric: 'val_acc', direction: 'maximize' } },
      configHash: 'h',
      state: null,
      status: 'running',
      createdAt: '',
    });
    const trial = await store.studies.addTrial({ studyId, number: 0, generation: 0, member: 0, params: { lr: 0.1 }, samplerId: null, createdAt: '' });
    await store.studies.updateTrial(trial.id, { runId, experimentId });
    await store.studies.addTrial({ studyId, number: 1, generation: 0, member: 1, params: { lr: 0.2 }, samplerId: null, createdAt: '' }); // no run yet
    const curves = await services.service.getStudyCurves({ id: studyId });
    expect(curves.metric).toBe('val_acc');
    expect(curves.trials).toEqual([
      {
        trialId: trial.id,
        runId,
        points: [
          [1, 0.09999999999999998],
          [2, 0.6],
        ],
      },
    ]);
    expect((await services.service.getStudyCurves({ id: studyId, metric: 'val_loss' })).trials[0].points).toEqual([
      [1, 0.9],
      [2, 0.4],
    ]);
    expect((await failure(services.service.getStudyCurves({ id: studyId, metric: 'colour' as 'val_loss' }))).field).toBe('metric');
    // The list carries the best value: none yet, then the best finished trial's (maximised here).
    expect((await services.service.listStudies({}))[0].bestValue).toBeNull();
    await store.studies.updateTrial(trial.id, { status: 'done', value: 0.6 });
    const second = (await store.studies.trials(studyId))[1];
    await store.studies.updateTrial(second.id, { status: 'done', value: 0.7 });
    expect((await services.service.listStudies({}))[0].bestValue).toBe(0.7);
    await store.studies.update(studyId, { bestTrial: trial.id });
    expect((await services.service.listStudies({}))[0].bestValue).toBe(0.6);
  });

  it('lists the shipped configs, each valid', async () => {
    const configs = await services.service.listConfigs({});
    expect(configs.map((c) => c.file)).toContain('iris_adam.json');
    expect(configs.length).toBe(8);
    for (const c of configs) expect(() => parseExperimentConfig(c.config)).not.toThrow();
  });

  it('describes the environment', async () => {
    const env = await services.service.getEnvironment({});
    expect(env.node).toBe(process.version);
    expect(env.databasePath).toBe(':memory:');
    expect(env.defaultBackend).toMatch(env.gpuPackage ? /GPU/ : /CPU/);
  });

  it('compares experiments with the same statistics as the reports', async () => {
    const a = await experimentWith(
      services,
      'good',
      [0.9, 0.92, 0.91, 0.93].map((testAcc) => ({ testAcc, valLoss: [0.5, 0.3] })),
    );
    const b = await experimentWith(
      services,
      'poor',
      [0.7, 0.72, 0.71, 0.69].map((testAcc) => ({ testAcc, valLoss: [0.9, 0.8] })),
    );
    const comparison = await services.service.compareExperiments({ experimentIds: [a, b], metrics: ['test_acc'] });
    expect(comparison.groups).toEqual([
      { experimentId: a, label: 'good', dataset: 'iris', runs: 4 },
      { experimentId: b, label: 'poor', dataset: 'iris', runs: 4 },
    ]);
    const table = comparison.tables[0];
    expect(table.metric).toBe('test_acc');
    expect(table.pValues[0][1]).toBeCloseTo(mannWhitneyU([0.9, 0.92, 0.91, 0.93], [0.7, 0.72, 0.71, 0.69], { alternative: 'greater' }).p, 12);
    expect(table.rows[0].best).toBe(true);
    expect(comparison.finals.find((f) => f.metric === 'test_acc')?.series[1].values).toEqual([0.7, 0.72, 0.71, 0.69]);
    expect(comparison.curves.find((c) => c.metric === 'val_loss')?.series[0].points.map((p) => p.mean)).toEqual([0.5, 0.3]);
    expect((await failure(services.service.compareExperiments({ experimentIds: [] }))).field).toBe('experimentIds');
    expect((await failure(services.service.compareExperiments({ experimentIds: [a, 77] }))).code).toBe('not_found');
    const now = new Date().toISOString();
    const empty = await services.store.experiments.insert({ name: 'empty', dataset: 'iris', config, tags: [], notes: '', createdAt: now });
    const none = await failure(services.service.compareExperiments({ experimentIds: [empty] }));
    expect([none.code, none.field]).toEqual(['invalid_input', 'experimentIds']);
  });

  it('exports the report as HTML or, through the injected renderer, as PDF; a failing renderer is reported', async () => {
    const a = await experimentWith(services, 'first', [
      { testAcc: 0.9, valLoss: [0.5] },
      { testAcc: 0.8, valLoss: [0.6] },
    ]);
    const html = await services.service.exportReport({ experimentIds: [a], title: 'My report', format: 'html' });
    expect(html.fileName).toBe('My-report.html');
    expect(Buffer.from(html.base64, 'base64').toString('utf8')).toContain('<h1>My report</h1>');
    const pdf = await services.service.exportReport({ experimentIds: [a] });
    expect([pdf.fileName, pdf.mimeType, Buffer.from(pdf.base64, 'base64').toString('utf8')]).toEqual([
      'Evolab-comparison-report.pdf',
      'application/pdf',
      '%PDF-1.7 fake',
    ]);
    expect(pdfCalls[0]).toContain('Mann-Whitney');
    expect((await failure(services.service.exportReport({ experimentIds: [a], format: 'docx' as 'pdf' }))).field).toBe('format');
    const broken = await boot({ databasePath: ':memory:', renderPdf: async () => Promise.reject(new Error('no chromium')) });
    const b = await experimentWith(broken, 'x', [{ testAcc: 0.9, valLoss: [0.5] }]);
    const error = await failure(broken.service.exportReport({ experimentIds: [b] }));
    expect([error.field, error.message]).toEqual(['format', 'the PDF could not be made: no chromium']);
    await broken.shutdown();
  });

  it('imports a results folder, reporting bad files, and refuses missing, non-folder and empty paths at the folder field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-import-'));
    const header = ',time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals';
    writeFileSync(join(dir, 'iris.adam.csv'), `${header}\n0,1,0.1,0.9,0.2,0.8,0.3,0.85,100\n1,1,0.1,0.9,0.2,0.8,0.3,0.87,100\n`);
    writeFileSync(join(dir, 'iris.sgd.csv'), `${header}\n0,1,0.1,oops,0.2,0.8,0.3,0.85,100\n`);
    const answer = await services.service.importResults({ folder: dir, name: 'ref' });
    expect(answer.experiments.map((e) => [e.name, e.runsDone, e.tags])).toEqual([['ref: iris.adam', 2, ['import:ref', 'imported']]]);
    expect(answer.problems).toHaveLength(1);
    expect(answer.problems[0]).toMatch(/iris\.sgd\.csv.*line 2.*train_acc/);
    const missing = await failure(services.service.importResults({ folder: join(dir, 'nope'), name: 'x' }));
    expect([missing.field, missing.message]).toEqual(['folder', `${join(dir, 'nope')}: no such folder`]);
    const file = await failure(services.service.importResults({ folder: join(dir, 'iris.adam.csv'), name: 'x' }));
    expect([file.field, file.message]).toEqual(['folder', `${join(dir, 'iris.adam.csv')}: is a file, not a folder`]);
    const emptyDir = join(dir, 'empty');
    mkdirSync(emptyDir);
    const empty = await failure(services.service.importResults({ folder: emptyDir, name: 'x' }));
    expect([empty.field, empty.message]).toEqual([
      'folder',
      `${emptyDir}: no valid result file to import (${emptyDir}: no <dataset>.<optimizer>.csv result files in this folder)`,
    ]);
    expect((await failure(services.service.importResults({ folder: '', name: 'x' }))).field).toBe('folder');
    // The refused imports stored nothing: only the good file's experiment and its 2 runs exist.
    expect((await services.service.listExperiments({})).total).toBe(1);
    expect((await services.service.listRuns({})).total).toBe(2);
  });
});
