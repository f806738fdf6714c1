// `evolab tune` end to end: trials run through the queue two at a time, the process is
// killed with SIGKILL mid-study, and running the same command again finishes the study
// without repeating a finished trial (same trial numbers, runs, values), following the
// trials that were in flight to their end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const node = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

const study = {
  base: {
    dataset: { name: 'iris' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 16, max_epochs: 40 },
    compute: { backend: 'js', threads: 1 },
  },
  space: { 'optimizer.lr': { type: 'loguniform', low: 1e-3, high: 0.5 }, 'optimizer.beta1': { type: 'uniform', low: 0.5, high: 0.99 } },
  objective: { metric: 'val_loss' },
  tune: { trials: 8, sampler: { type: 'tpe', startup_trials: 3 } },
};

interface TrialRecord {
  number: number;
  status: string;
  value: number | null;
  run_id: number | null;
  params: string;
}

function trials(db: string): TrialRecord[] {
  const handle = new Database(db, { readonly: true });
  const rows = handle.prepare('SELECT number, status, value, run_id, params FROM trials ORDER BY number').all() as TrialRecord[];
  handle.close();
  return rows;
}

describe('evolab tune killed mid-study', () => {
  it('resumes without repeating finished trials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-tune-'));
    const db = join(dir, 'evolab.db');
    const path = join(dir, 'study.json');
    writeFileSync(path, JSON.stringify(study));

    // 1. Start, wait until three trials are done, kill -9.
    const first = spawn(process.execPath, [...node, 'tune', path, '--db', db, '--slots', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise((done) => first.on('exit', done));
    await new Promise<void>((enough) => {
      let done = 0;
      createInterface({ input: first.stderr }).on('line', (line) => {
        if (/^trial \d+ done: val_loss \d.*\[\d\/8, /.test(line) && ++done === 3) enough();
      });
    });
    first.kill('SIGKILL');
    await exited;
    const before = trials(db);
    const finishedBefore = before.filter((t) => t.status === 'done');
    expect(finishedBefore.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(8);

    // 2. The same command again finishes the study.
    const second = spawnSync(process.execPath, [...node, 'tune', path, '--db', db, '--slots', '2'], { encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`(continuing: ${finishedBefore.length} of 8 trials finished)`);
    const after = trials(db);
    expect(after.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(after.every((t) => t.status === 'done' && t.run_id !== null)).toBe(true);
    // Finished trials untouched; every trial trained by its own run, none twice.
    for (const t of finishedBefore) expect(after[t.number]).toEqual(t);
    expect(new Set(after.map((t) => t.run_id)).size).toBe(8);
    const handle = new Database(db, { readonly: true });
    expect((handle.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(8);
    // Trials ran in parallel: some two runs overlapped in time.
    const spans = handle.prepare("SELECT started_at AS s, finished_at AS f FROM runs WHERE status = 'done'").all() as { s: string; f: string }[];
    handle.close();
    const overlapping = spans.some((a, i) => spans.some((b, j) => i !== j && a.s < b.f && b.s < a.f));
    expect(overlapping).toBe(true);
    expect(second.stdout).toMatch(/best: trial \d+, val_loss /);
  });
});
