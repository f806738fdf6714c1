// What the service refuses before anything is stored: seeds that would collide above 2^53,
// paging numbers no database can use, configs that cannot fit this machine (more threads than
// cores, a memory estimate above what is available, more parameters than the limit), splits
// that leave a part empty, and names over the limit. Each refusal names its field and limit,
// and leaves the database as it was.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiError, toApiError } from '../../src-shared/api-errors.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { estimateRunMemory, knownDatasetShape, MAX_PARAMETERS } from '../engine/preflight.ts';
import { ForkJobHost } from '../queue/fork-job-host.ts';
import { Scheduler } from '../queue/scheduler.ts';
import { openStore, type Store } from '../store/store.ts';
import { AppService } from './app-service.ts';

const iris = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 5 } };

let stores: Store[] = [];
afterEach(async () => {
  for (const store of stores) await store.close();
  stores = [];
});

/** A service on a fresh database, checking runs against a made-up machine. */
function service(machine = { cores: 4, availableBytes: 2 * 1024 ** 3 }): { api: AppService; store: Store } {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'evolab-bounds-')), 'evolab.db'));
  stores.push(store);
  const scheduler = new Scheduler(store, { host: new ForkJobHost(), defaultSlots: 1 });
  return { api: new AppService(store, scheduler, { machine: () => machine }), store };
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; field: string | undefined; message: string }> {
  const error = (await work.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => toApiError(e),
  )) as ApiError;
  return { code: error.code, field: error.field, message: error.message };
}

describe('requests refused before anything is stored', () => {
  it('refuses seeds above 2^53 - 1, where consecutive seeds collide', async () => {
    const { api, store } = service();
    expect(await refusal(api.createExperiment({ config: iris, runs: 3, firstSeed: 9007199254740991 }))).toEqual({
      code: 'invalid_input',
      field: 'firstSeed',
      message: 'firstSeed: firstSeed + runs - 1 must be at most 9007199254740991 (2^53 - 1) so that every run gets its own seed',
    });
    expect(await refusal(api.createExperiment({ config: iris, runs: 1, firstSeed: 1e300 }))).toMatchObject({
      field: 'firstSeed',
      message: 'firstSeed: expected an integer <= 9007199254740991 (2^53 - 1), got 1e+300',
    });
    // The last safe seed itself is fine, with one run.
    const ok = await api.createExperiment({ config: iris, runs: 1, firstSeed: 9007199254740991 });
    expect((await api.listRuns({ experimentId: ok.id })).items.map((r) => r.seed)).toEqual([9007199254740991]);
    expect(await store.experiments.count()).toBe(1);
  });

  it('refuses paging numbers no database can use', async () => {
    const { api } = service();
    expect(await refusal(api.listExperiments({ offset: 1e300 }))).toMatchObject({ code: 'invalid_input', field: 'offset' });
    expect(await refusal(api.listRuns({ offset: 2 ** 60 }))).toMatchObject({ code: 'invalid_input', field: 'offset' });
  });

  it('refuses a config name over 200 characters', async () => {
    const { api, store } = service();
    expect(await refusal(api.createExperiment({ config: { ...iris, name: 'n'.repeat(201) } }))).toMatchObject({
      field: 'config.name',
      message: 'config.name: at most 200 characters',
    });
    expect(await store.experiments.count()).toBe(0);
  });

  it('refuses more threads than the machine has cores', async () => {
    const { api, store } = service({ cores: 4, availableBytes: 8 * 1024 ** 3 });
    expect(await refusal(api.createExperiment({ config: { ...iris, compute: { threads: 8 } } }))).toEqual({
      code: 'invalid_input',
      field: 'config.compute.threads',
      message: 'config.compute.threads: expected at most 4 (the cores of this machine), got 8',
    });
    expect(await store.experiments.count()).toBe(0);
  });

  it('refuses a run whose memory estimate exceeds what the machine has, naming the field that drives it', async () => {
    const { api, store } = service({ cores: 4, availableBytes: 512 * 1024 ** 2 });
    // Full CMA-ES over a 196-200-10 network: d = 41,410, so its covariance alone is 13.7 GB.
    const fullCma = {
      dataset: { name: 'mnist' },
      model: { hidden: [200] },
      optimizer: { type: 'cmaes', variant: 'full' },
      training: { batch_size: 100, max_epochs: 1 },
    };
    const refused = await refusal(api.createExperiment({ config: fullCma }));
    expect(refused.field).toBe('config.optimizer.variant');
    expect(refused.message).toMatch(
      /^config\.optimizer\.variant: a run needs about \d+ GiB of memory \(checkpoint: \d+ GiB\), more than the 0\.5 GiB available on this machine$/,
    );
    // The same network with the linear-memory variant fits.
    await api.createExperiment({ config: { ...fullCma, optimizer: { type: 'cmaes', variant: 'sep' } } });
    expect(await store.experiments.count()).toBe(1);
  });

  it('refuses more parameters than the limit', async () => {
    const { api } = service({ cores: 4, availableBytes: 1024 ** 4 });
    const huge = {
      dataset: { name: 'mnist', image_size: 28 },
      model: { hidden: [16_384, 2_000] },
      optimizer: { type: 'sgd', lr: 0.1 },
      training: { batch_size: 100, max_epochs: 1 },
    };
    expect(await refusal(api.createExperiment({ config: huge }))).toMatchObject({
      field: 'config.model.hidden',
      message: `config.model.hidden: the network has 45,651,450 parameters; at most ${MAX_PARAMETERS.toLocaleString('en')} are allowed`,
    });
  });

  it('refuses a split that leaves no training or validation rows', async () => {
    const { api, store } = service();
    expect(await refusal(api.createExperiment({ config: { ...iris, dataset: { name: 'iris', split: { train: 0.003, val: 0.2, test: 0.2 } } } }))).toEqual({
      code: 'invalid_input',
      field: 'config.dataset.split.train',
      message: 'config.dataset.split.train: 0.003 of 150 rows leaves no training rows; expected at least 0.0033',
    });
    expect(await store.experiments.count()).toBe(0);
  });
});

describe('the memory estimate', () => {
  it('grows with the square of the dimension for full CMA-ES and MA-ES, linearly for sep-CMA-ES', () => {
    const bytes = (variant: string, hidden: number) => {
      const config = parseExperimentConfig({
        dataset: { name: 'mnist' },
        model: { hidden: [hidden] },
        optimizer: { type: 'cmaes', variant },
        training: { batch_size: 100, max_epochs: 1 },
      });
      const parts = estimateRunMemory(config, knownDatasetShape(config.dataset) ?? { rows: 0, splitRows: 0, features: 0, classes: 0 });
      return parts.find((p) => p.what === 'strategy state')?.bytes ?? 0;
    };
    // d = 2,080 (hidden 10) and 4,160 (hidden 20): twice the dimension.
    expect(bytes('full', 20) / bytes('full', 10)).toBeGreaterThan(3.5);
    expect(bytes('maes', 20) / bytes('maes', 10)).toBeGreaterThan(3.5);
    expect(bytes('sep', 20) / bytes('sep', 10)).toBeLessThan(2.2);
    // Full CMA-ES at d = 2,080: C and B are 2 x 34.6 MB, and the eigensolver's copy 34.6 MB more.
    expect(bytes('full', 10)).toBeGreaterThan(3 * 8 * 2080 * 2080);
  });
});
