// Studies as crash-safe services, end to end: a study is created through the HTTP API of
// `evolab serve`, serve is killed with SIGKILL at three moments of it and started again; the
// study resumes by itself and its trials (parameters, statuses, values, lineage edges, the
// winner) equal those of the same study run in one go. For tuning, GPBT in 'time' and
// 'no-time' mode and PBT, with 1 slot and with 3 (a study never depends on the slots). The
// reference is the study run in-process by the engine (hpo/in-process.ts), which a study run
// through the queue without interruption also equals.
import type { Readable } from 'node:stream';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent } from '../src-shared/api.ts';
import { parseStudyConfig } from '../src-shared/config/study.ts';
import { referenceStudy } from './support/study-reference.ts';

const root = resolve(import.meta.dirname, '..');
const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

const base = {
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 4 },
  compute: { backend: 'js', threads: 1 },
};
const space = { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } };

const studies: [string, object][] = [
  [
    'tune',
    {
      name: 'tune',
      base,
      space,
      seed: 5,
      tune: { trials: 8, parallel: 2, sampler: { type: 'tpe', startup_trials: 3 }, pruning: { type: 'median', startup_trials: 2, warmup_epochs: 1 } },
    },
  ],
  [
    'GPBT time',
    { name: 'gpbt time', base, space, seed: 5, objective: { metric: 'val_acc' }, gpbt: { n: 6, t_max: 3, c: 2, T_g: 2, mode: 'time', early_stop: true } },
  ],
  ['GPBT no-time', { name: 'gpbt no-time', base, space, seed: 5, gpbt: { n: 6, t_max: 3, c: 2, T_g: 2, mode: 'no-time', early_stop: true } }],
  ['PBT', { name: 'pbt', base, space, seed: 5, pbt: { n: 4, t_max: 3, T_g: 2 } }],
];

/** `evolab serve` as a child process. */
class Serve {
  readonly child: ChildProcessByStdio<null, Readable, null>;
  readonly port: Promise<number>;
  readonly exited: Promise<void>;

  constructor(db: string, slots: number) {
    this.child = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--slots', String(slots), '--quiet'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
    this.port = new Promise((found) =>
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        const m = /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m !== null) found(Number(m[1]));
      }),
    );
  }

  async call<T>(method: string, body: object): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${await this.port}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { result?: T; error?: { message: string } };
    if (json.error !== undefined) throw new Error(json.error.message);
    return json.result as T;
  }

  /** Resolves once study `id` matches: as it is when the events socket opens, or at a later event. */
  async studyEvent(id: number, match: (study: { status: string; finishedTrials: number }) => boolean): Promise<void> {
    const socket = new WebSocket(`ws://127.0.0.1:${await this.port}/api/events`);
    await new Promise<void>((done) => {
      const finish = (): void => {
        socket.close();
        done();
      };
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as AppEvent | { type: 'hello' };
        if (event.type === 'hello') {
          void this.call<{ status: string; finishedTrials: number }>('getStudy', { id }).then((study) => match(study) && finish());
        } else if (event.type === 'study' && event.study.id === id && match(event.study)) {
          finish();
        }
      });
    });
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** A study as the database holds it, by trial number: what must not depend on crashes or slots. */
function storedStudy(db: string, id: number): unknown {
  const handle = new Database(db, { readonly: true });
  try {
    const trials = handle
      .prepare('SELECT id, number, generation, member, params, status, value, test_value AS testValue FROM trials WHERE study_id = ? ORDER BY number')
      .all(id) as {
      id: number;
      number: number;
      params: string;
    }[];
    const numberOf = new Map(trials.map((t) => [t.id, t.number]));
    const edges = handle
      .prepare(
        'SELECT child_id AS child, parent_id AS parent, kind FROM lineage_edges e JOIN trials t ON t.id = e.child_id WHERE t.study_id = ? ORDER BY child_id, kind',
      )
      .all(id) as {
      child: number;
      parent: number;
      kind: string;
    }[];
    const study = handle.prepare('SELECT status, best_trial AS best FROM studies WHERE id = ?').get(id) as { status: string; best: number };
    return {
      status: study.status,
      winner: numberOf.get(study.best),
      trials: trials.map(({ id: _id, params, ...t }) => ({ ...t, params: JSON.parse(params) as unknown })),
      edges: edges
        .map((e) => ({ child: numberOf.get(e.child), parent: numberOf.get(e.parent), kind: e.kind }))
        .sort((a, b) => (a.child ?? 0) - (b.child ?? 0) || a.kind.localeCompare(b.kind)),
    };
  } finally {
    handle.close();
  }
}

describe.each(studies)('a %s study in evolab serve', (_name, input) => {
  const config = parseStudyConfig(input, () => ({}));
  let expected: unknown;
  beforeAll(async () => {
    expected = await referenceStudy(config);
  });

  it('run in one go through the queue equals the study run in-process', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'evolab-study-')), 'evolab.db');
    const serve = new Serve(db, 2);
    const created = await serve.call<{ id: number }>('createStudy', { config: input });
    await serve.studyEvent(created.id, (s) => s.status === 'done');
    await serve.stop();
    expect(storedStudy(db, created.id)).toEqual(expected);
  });

  it.each([1, 3])('killed with SIGKILL three times, resumes by itself to the same trials (%i slot(s))', async (slots) => {
    const db = join(mkdtempSync(join(tmpdir(), 'evolab-study-kill-')), 'evolab.db');
    let serve = new Serve(db, slots);
    const created = await serve.call<{ id: number; budget: number }>('createStudy', { config: input });
    // Three moments: after about a fifth, a half and four fifths of its trials.
    for (const fraction of [0.2, 0.5, 0.8]) {
      const at = Math.max(1, Math.floor(fraction * created.budget));
      await serve.studyEvent(created.id, (s) => s.finishedTrials >= at);
      await serve.kill();
      serve = new Serve(db, slots); // nothing is asked of it: the study resumes by itself
    }
    await serve.studyEvent(created.id, (s) => s.status === 'done');
    await serve.stop();
    expect(storedStudy(db, created.id)).toEqual(expected);
  });
});
