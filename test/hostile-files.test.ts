// Files a caller names are not trusted. A result folder holding a FIFO, a symlink to
// /dev/zero and a file over the size cap, beside two valid files: the service keeps answering
// while it reads (a request is answered during the import), imports the valid files and names
// each bad one with its reason; `evolab evaluate` does the same. A CSV data set must be a
// regular file inside the server's data folders: anything else is refused at
// config.dataset.path before it is read, and no error message quotes a file outside them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiError, toApiError } from '../src-shared/api-errors.ts';
import type { ImportSummary } from '../src-shared/api.ts';
import { loadCsvDataset } from '../src-main/engine/data/csv.ts';
import { boot, type Services } from '../src-main/services/boot.ts';
import type { FileAccess } from '../src-main/files/data-roots.ts';

const root = resolve(import.meta.dirname, '..');
const canMakeFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function resultsCsv(acc: number[]): string {
  const rows = acc.map((a, i) => `${i},${1 + i / 10},0.3,${a},0.3,${a},0.3,${a},${1000 + i}`);
  return `${[',time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals', ...rows].join('\n')}\n`;
}

/** A folder with two valid result files (one with a large epochs file) and three hostile ones. */
function hostileFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-hostile-'));
  writeFileSync(join(dir, 'iris.adam.csv'), resultsCsv([0.97, 0.93, 1.0]));
  writeFileSync(join(dir, 'iris.sgd.csv'), resultsCsv([0.9, 0.87, 0.93]));
  // About 1 MB of per-epoch rows, read while the service keeps answering.
  const lines = ['run,epoch,train_loss,val_loss'];
  for (let run = 0; run < 3; run++)
    for (let epoch = 1; epoch <= 10_000; epoch++) lines.push(`${run},${epoch},${(1 / epoch).toFixed(6)},${(2 / epoch).toFixed(6)}`);
  writeFileSync(join(dir, 'iris.adam.epochs.csv'), `${lines.join('\n')}\n`);
  spawnSync('mkfifo', [join(dir, 'iris.fifo.csv')]);
  symlinkSync('/dev/zero', join(dir, 'iris.zero.csv'));
  writeFileSync(join(dir, 'iris.huge.csv'), resultsCsv([0.5]) + '#'.repeat(40 * 1024 * 1024));
  return dir;
}

let open: Services[] = [];
afterEach(async () => {
  for (const services of open) await services.shutdown();
  open = [];
});

async function service(fileAccess?: FileAccess): Promise<Services> {
  const services = await boot({
    databasePath: join(mkdtempSync(join(tmpdir(), 'evolab-files-')), 'evolab.db'),
    fileLimits: { maxBytes: 32 * 1024 * 1024, setting: '--max-file-mb' },
    ...(fileAccess !== undefined ? { fileAccess } : {}),
  });
  open.push(services);
  return services;
}

describe.skipIf(!canMakeFifo)('a result folder with a FIFO, a /dev/zero link and a file over the cap', () => {
  it('is imported through the API while the service keeps answering; each bad file is named', async () => {
    const dir = hostileFolder();
    const { service: api } = await service();
    let importDone = false;
    const importing = api.importResults({ folder: dir, name: 'hostile' }).then((summary) => {
      importDone = true;
      return summary;
    });
    // Asked after the import started, answered before it ended: the main thread is free.
    const queue = await api.getQueue({});
    expect(queue.counts.pending).toBe(0);
    expect(importDone).toBe(false);
    const summary: ImportSummary = await importing;
    expect(summary.experiments.map((e) => e.name).sort()).toEqual(['hostile: iris.adam', 'hostile: iris.sgd']);
    expect([...summary.problems].sort()).toEqual([
      'iris.fifo.csv: is a FIFO (named pipe), not a regular file',
      expect.stringMatching(/^iris\.huge\.csv: is 40\.0 MiB; files over 32\.0 MiB are not read \(--max-file-mb\)$/),
      'iris.zero.csv: is a character device, not a regular file',
    ]);
    const curves = await api.getExperimentCurves({ id: summary.experiments.find((e) => e.name === 'hostile: iris.adam')?.id ?? 0, names: ['val_loss'] });
    expect(curves.curves[0].points.length).toBe(10_000);
  });

  it('is compared by `evolab evaluate`, the bad files named on stderr', () => {
    const dir = hostileFolder();
    const result = evolab(['evaluate', dir, '--metric', 'test_acc', '--max-file-mb', '32']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/adam/);
    expect(result.stdout).toMatch(/sgd/);
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      'evolab: iris.fifo.csv: is a FIFO (named pipe), not a regular file (left out)',
      'evolab: iris.huge.csv: is 40.0 MiB; files over 32.0 MiB are not read (--max-file-mb) (left out)',
      'evolab: iris.zero.csv: is a character device, not a regular file (left out)',
    ]);
  });
});

const csvConfig = (path: string) => ({
  dataset: { name: 'csv', path, label: 'y' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 8, max_epochs: 2 },
  compute: { backend: 'js', threads: 1 },
});

describe('CSV data sets named in a config', () => {
  it('are refused at config.dataset.path unless they are regular files within the cap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-dataset-'));
    const { service: api, store } = await service();
    const refused = async (path: string) => {
      const error = (await api.createExperiment({ config: csvConfig(path), runs: 1 }).catch(toApiError)) as ApiError;
      return [error.field, error.message];
    };
    expect(await refused('/dev/zero')).toEqual(['config.dataset.path', 'config.dataset.path: /dev/zero: is a character device, not a regular file']);
    expect(await refused(dir)).toEqual(['config.dataset.path', `config.dataset.path: ${dir}: is a folder, not a regular file`]);
    expect(await refused(join(dir, 'missing.csv'))).toEqual(['config.dataset.path', `config.dataset.path: ${join(dir, 'missing.csv')}: no such file`]);
    writeFileSync(join(dir, 'big.csv'), 'a,y\n'.padEnd(33 * 1024 * 1024, '1'));
    expect(await refused(join(dir, 'big.csv'))).toEqual([
      'config.dataset.path',
      `config.dataset.path: ${join(dir, 'big.csv')}: is 33.0 MiB; files over 32.0 MiB are not read (--max-file-mb)`,
    ]);
    if (canMakeFifo) {
      spawnSync('mkfifo', [join(dir, 'pipe.csv')]);
      expect(await refused(join(dir, 'pipe.csv'))).toEqual([
        'config.dataset.path',
        `config.dataset.path: ${join(dir, 'pipe.csv')}: is a FIFO (named pipe), not a regular file`,
      ]);
    }
    expect(await store.experiments.count()).toBe(0);
  });

  it('that become a FIFO after queueing fail the job at once instead of hanging it', () => {
    if (!canMakeFifo) return;
    const dir = mkdtempSync(join(tmpdir(), 'evolab-dataset-'));
    spawnSync('mkfifo', [join(dir, 'late.csv')]);
    expect(() => loadCsvDataset(join(dir, 'late.csv'), 'y')).toThrow(/dataset\.path: .*late\.csv: is a FIFO \(named pipe\), not a regular file/);
  });

  it('must lie inside the data folders of a server started with --data-root; nothing outside is read or quoted', async () => {
    const allowed = mkdtempSync(join(tmpdir(), 'evolab-data-root-'));
    const outside = mkdtempSync(join(tmpdir(), 'evolab-secret-'));
    writeFileSync(join(outside, 'secret.csv'), 'password,y\nhunter2,x\n');
    writeFileSync(join(allowed, 'points.csv'), 'a,b,y\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,1,x\n2,3,y\n4,5,x\n6,7,y\n8,9,x\n1,3,y\n');
    mkdirSync(join(allowed, 'sub'));
    symlinkSync(join(outside, 'secret.csv'), join(allowed, 'sub', 'link.csv'));
    const { service: api, store } = await service({ kind: 'roots', roots: [allowed] });
    for (const path of [join(outside, 'secret.csv'), join(allowed, 'sub', 'link.csv'), join(allowed, '..', 'evolab-secret-x', 'secret.csv')]) {
      const error = (await api.createExperiment({ config: csvConfig(path), runs: 1 }).catch(toApiError)) as ApiError;
      expect(error.field).toBe('config.dataset.path');
      expect(error.message).toMatch(/outside the data folders of this server/);
      expect(error.message).not.toMatch(/hunter2|password/);
    }
    const importRefused = (await api.importResults({ folder: outside, name: 'x' }).catch(toApiError)) as ApiError;
    expect([importRefused.field, importRefused.message]).toEqual(['folder', `${outside} is outside the data folders of this server (${allowed})`]);
    expect(await store.experiments.count()).toBe(0);
    const created = await api.createExperiment({ config: csvConfig(join(allowed, 'points.csv')), runs: 1 });
    expect(created.runsTotal).toBe(1);

    // Bound to another address without --data-root: nothing is read for callers.
    const closed = await service({ kind: 'roots', roots: [] });
    const none = (await closed.service.createExperiment({ config: csvConfig(join(allowed, 'points.csv')), runs: 1 }).catch(toApiError)) as ApiError;
    expect([none.field, none.message]).toEqual([
      'config.dataset.path',
      expect.stringMatching(/reads no files for its callers; start `evolab serve` with --data-root DIR/),
    ]);
  });
});
