// A study's lifecycle through the HTTP API of `evolab serve`: created and started, paused (its
// waiting runs are held: nothing of it starts), resumed (it goes on), cancelled (no run of it
// is left waiting or running), and nothing of it starts when serve is started again. Then the
// best configuration of a finished study queued as N seeded runs, and bad requests answered
// with the field at fault while nothing is stored.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, QueueState, StudyDetail, StudySummary } from '../src-shared/api.ts';

const root = resolve(import.meta.dirname, '..');
const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

const base = {
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 30 },
  compute: { backend: 'js', threads: 1 },
};
const space = { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } };

let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children = [];
});

async function serve(db: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--slots', '2', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = await new Promise<string>((found) =>
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m !== null) found(m[1]);
    }),
  );
  return { url, child };
}

async function call<T>(
  url: string,
  method: string,
  body: object,
): Promise<{ status: number; result: T; error?: { code: string; field?: string; message: string } }> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as { result: T; error?: { code: string; field?: string; message: string } };
  return { status: response.status, ...json };
}

/** Resolves once study `id` matches, as it is now or at a later study event. */
async function studyWhen(url: string, id: number, match: (s: StudySummary) => boolean): Promise<StudySummary> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/events`);
  return new Promise((done) => {
    const finish = (s: StudySummary): void => {
      socket.close();
      done(s);
    };
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as AppEvent | { type: 'hello' };
      if (event.type === 'hello') void call<StudySummary>(url, 'getStudy', { id }).then((r) => match(r.result) && finish(r.result));
      else if (event.type === 'study' && event.study.id === id && match(event.study)) finish(event.study);
    });
  });
}

function studyRuns(db: string, id: number): { status: string; started: string | null }[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle
      .prepare('SELECT r.status, r.started_at AS started FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.study_id = ? ORDER BY r.id')
      .all(id) as {
      status: string;
      started: string | null;
    }[];
  } finally {
    handle.close();
  }
}

describe('a study through the HTTP API', () => {
  it('starts, pauses (nothing of it starts), resumes, cancels (nothing left running), and stays cancelled after a restart', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'evolab-study-control-')), 'evolab.db');
    let server = await serve(db);
    const created = await call<StudyDetail>(server.url, 'createStudy', {
      config: { base, space, tune: { trials: 40, parallel: 4, sampler: { type: 'random' } } },
      name: 'controlled',
    });
    expect([created.status, created.result.status, created.result.budget]).toEqual([200, 'running', 40]);
    const id = created.result.id;
    await studyWhen(server.url, id, (s) => s.finishedTrials >= 2);

    const paused = await call<StudySummary>(server.url, 'pauseStudy', { id });
    expect(paused.result.status).toBe('paused');
    // What was running finishes; nothing of the study starts while it is paused.
    const quiet = await studyWhen(server.url, id, () => studyRuns(db, id).every((r) => r.status !== 'running'));
    const startedWhilePaused = studyRuns(db, id).filter((r) => r.started !== null).length;
    const queue = await call<QueueState>(server.url, 'getQueue', {});
    expect(queue.result.running).toEqual([]);
    expect(queue.result.waiting).toEqual([]); // its waiting runs are held
    expect(studyRuns(db, id).filter((r) => r.status === 'pending').length).toBeGreaterThan(0);
    expect((await call<StudySummary>(server.url, 'getStudy', { id })).result.finishedTrials).toBe(quiet.finishedTrials);
    expect(studyRuns(db, id).filter((r) => r.started !== null).length).toBe(startedWhilePaused);

    const resumed = await call<StudySummary>(server.url, 'resumeStudy', { id });
    expect(resumed.result.status).toBe('running');
    await studyWhen(server.url, id, (s) => s.finishedTrials > quiet.finishedTrials);

    const cancelled = await call<StudySummary>(server.url, 'cancelStudy', { id });
    expect(cancelled.result.status).toBe('cancelled');
    expect(studyRuns(db, id).filter((r) => r.status === 'pending' || r.status === 'running' || r.status === 'interrupted')).toEqual([]);
    const trials = (await call<StudyDetail>(server.url, 'getStudy', { id })).result.trialList;
    expect(trials.filter((t) => t.status === 'running')).toEqual([]);
    expect(trials.filter((t) => t.status === 'cancelled').length).toBeGreaterThan(0);
    // Refused now: a cancelled study has nothing to pause.
    const refused = await call(server.url, 'pauseStudy', { id });
    expect([refused.status, refused.error?.code, refused.error?.field]).toEqual([409, 'conflict', 'id']);

    // Started again, serve starts nothing of the cancelled study.
    server.child.kill('SIGTERM');
    await new Promise((done) => server.child.once('exit', done));
    server = await serve(db);
    const after = await call<QueueState>(server.url, 'getQueue', {});
    expect([after.result.running, after.result.waiting]).toEqual([[], []]);
    expect((await call<StudySummary>(server.url, 'getStudy', { id })).result.status).toBe('cancelled');
  });

  it('queues the best configuration of a finished study as N seeded runs', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'evolab-study-best-')), 'evolab.db');
    const server = await serve(db);
    const quick = { ...base, training: { ...base.training, max_epochs: 3 } };
    const created = await call<StudyDetail>(server.url, 'createStudy', { config: { base: quick, space, tune: { trials: 4, sampler: { type: 'random' } } } });
    const id = created.result.id;
    expect((await call(server.url, 'queueStudyBest', { id, runs: 3 })).error).toMatchObject({ code: 'conflict', field: 'id' });
    await studyWhen(server.url, id, (s) => s.status === 'done');
    const detail = (await call<StudyDetail>(server.url, 'getStudy', { id })).result;
    const best = detail.trialList.find((t) => t.number === detail.bestTrial);
    const queued = await call<{ id: number; runsTotal: number; studyId: number | null; config: { optimizer: { lr: number } } }>(server.url, 'queueStudyBest', {
      id,
      runs: 3,
      firstSeed: 10,
    });
    expect(queued.status).toBe(200);
    expect(queued.result).toMatchObject({ runsTotal: 3, studyId: null, config: { optimizer: { lr: best?.params['optimizer.lr'] } } });
    // It is an ordinary experiment: in the list, with its seeds.
    const runs = await call<{ items: { seed: number }[] }>(server.url, 'listRuns', { experimentId: queued.result.id });
    expect(runs.result.items.map((r) => r.seed)).toEqual([10, 11, 12]);
    const listed = await call<{ items: { id: number }[] }>(server.url, 'listExperiments', {});
    expect(listed.result.items.map((e) => e.id)).toEqual([queued.result.id]); // the trials are not in the list
    const withTrials = await call<{ items: unknown[] }>(server.url, 'listExperiments', { includeTrials: true });
    expect(withTrials.result.items).toHaveLength(5);
  });

  it('answers bad requests with the field at fault and stores nothing', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'evolab-study-bad-')), 'evolab.db');
    const server = await serve(db);
    const bad = async (method: string, body: object) => {
      const r = await call(server.url, method, body);
      return [r.status, r.error?.code, r.error?.field, r.error?.message];
    };
    expect(await bad('createStudy', { config: { base, space: { 'optimizer.lr': { type: 'uniform', low: 1, high: 0.1 } }, tune: {} } })).toEqual([
      400,
      'invalid_input',
      'config.space.optimizer.lr.high',
      'config.space.optimizer.lr.high: inverted range: high (0.1) is below low (1)',
    ]);
    expect(await bad('createStudy', { config: { base: 'iris_adam.json', space, tune: {} } })).toEqual([
      400,
      'invalid_input',
      'config.base',
      'config.base: give the base experiment config inline (an object), not a file name',
    ]);
    expect(await bad('createStudy', { config: { base, space, gpbt: { n: 20_000, t_max: 2, c: 2, T_g: 1 } } })).toEqual([
      400,
      'invalid_input',
      'config.gpbt.n',
      'config.gpbt.n: expected an integer <= 10000, got 20000',
    ]);
    expect(await bad('createStudy', { config: { base: { ...base, compute: { backend: 'js', threads: 64 } }, space, tune: {} } })).toEqual([
      400,
      'invalid_input',
      'config.base.compute.threads',
      expect.stringMatching(/^config\.base\.compute\.threads: expected at most \d+ \(the cores of this machine\), got 64$/),
    ]);
    expect(await bad('pauseStudy', { id: 99 })).toEqual([404, 'not_found', undefined, 'study 99 does not exist']);
    expect(await bad('queueStudyBest', { id: 1, runs: 0 })).toEqual([400, 'invalid_input', 'runs', 'runs: expected a positive integer, got 0']);
    const handle = new Database(db, { readonly: true });
    expect((handle.prepare('SELECT count(*) AS n FROM studies').get() as { n: number }).n).toBe(0);
    handle.close();
  });
});
