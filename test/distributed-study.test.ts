// A GPBT study on a shared PostgreSQL store, coordinated by whichever process holds the
// study's advisory lock: `evolab serve` creates it and two `evolab worker` processes train
// its members. Mid-study the coordinator is killed with SIGKILL; another process takes the
// lock over and finishes the study from what the store holds, and the study's trials
// (parameters, statuses, values, lineage, winner) equal the same study run in one process.
// Skipped (with the reason) where PostgreSQL cannot start, unless EVOLAB_REQUIRE_POSTGRES=1.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../src-shared/config/study.ts';
import type { Store } from '../src-main/store/contract.ts';
import { openAnyStore } from '../src-main/store/open-store.ts';
import { type PostgresCluster, requirePostgres, startPostgresCluster } from './support/postgres-cluster.ts';
import { referenceStudy } from './support/study-reference.ts';
import { waitFor } from './support/wait-for.ts';

const root = resolve(import.meta.dirname, '..');
const cli = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

const input = {
  name: 'gpbt over workers',
  base: {
    dataset: { name: 'iris' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 16, max_epochs: 4 },
    compute: { backend: 'js', threads: 1 },
  },
  space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } },
  seed: 5,
  objective: { metric: 'val_acc' },
  gpbt: { n: 6, t_max: 4, c: 2, T_g: 2, mode: 'time', early_stop: true },
};

/** An Evolab process (serve or worker) in a folder of its own. */
function evolab(args: readonly string[]): { child: ChildProcess; exited: Promise<void>; line: (match: RegExp) => Promise<RegExpExecArray> } {
  const cwd = mkdtempSync(join(tmpdir(), 'evolab-node-'));
  const child = spawn(process.execPath, [...cli, ...args], { cwd, env: { ...process.env, EVOLAB_DB: '', HOME: cwd }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const line = (match: RegExp): Promise<RegExpExecArray> =>
    new Promise((found) =>
      lines.on('line', (text) => {
        const m = match.exec(text);
        if (m !== null) found(m);
      }),
    );
  return { child, exited, line };
}

/** The study as the store holds it, by trial number (what must not depend on who coordinated). */
async function storedStudy(store: Store, id: number): Promise<unknown> {
  const trials = await store.studies.trials(id);
  const numberOf = new Map(trials.map((t) => [t.id, t.number]));
  const study = await store.studies.get(id);
  const edges = await store.studies.edges(id);
  return {
    status: study?.status,
    winner: numberOf.get(study?.bestTrial ?? -1),
    trials: [...trials]
      .sort((a, b) => a.number - b.number)
      .map((t) => ({
        number: t.number,
        generation: t.generation,
        member: t.member,
        status: t.status,
        value: t.value,
        testValue: t.testValue,
        params: t.params,
      })),
    edges: edges
      .map((e) => ({ child: numberOf.get(e.childId), parent: numberOf.get(e.parentId), kind: e.kind }))
      .sort((a, b) => (a.child ?? 0) - (b.child ?? 0) || a.kind.localeCompare(b.kind)),
  };
}

const cluster = await startPostgresCluster();
const skipped = 'skipped' in cluster ? cluster.skipped : null;
if (skipped !== null) requirePostgres(skipped);

describe.skipIf(skipped !== null)('a GPBT study over two workers on PostgreSQL', () => {
  const pgCluster = cluster as PostgresCluster;
  const processes: { child: ChildProcess; exited: Promise<void> }[] = [];

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await pgCluster.stop();
  });

  it('survives its coordinator killed mid-study, to the trials of a single-machine study', async () => {
    const expected = await referenceStudy(parseStudyConfig(input, () => ({})));

    const url = await pgCluster.createDatabase('study');
    const store = await openAnyStore(url);
    const serve = evolab(['serve', '--db', url, '--port', '0', '--quiet']);
    processes.push(serve);
    const port = Number((await serve.line(/serving http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    for (let i = 0; i < 2; i++) processes.push(evolab(['worker', '--db', url, '--slots', '2', '--quiet']));
    const response = await fetch(`http://127.0.0.1:${port}/api/createStudy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: input }),
    });
    const created = ((await response.json()) as { result: { id: number; budget: number } }).result;

    // Mid-study: kill whichever process coordinates it (named in its lock connection).
    await waitFor(async () => ((await store.studies.get(created.id))?.finishedTrials ?? 0) >= Math.floor(created.budget / 3), {
      timeoutMs: 120_000,
      what: 'a third of the trials',
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const holder = await client.query<{ application_name: string }>(
      "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1",
      [created.id],
    );
    await client.end();
    const coordinatorPid = Number(/pid (\d+)/.exec(holder.rows[0]?.application_name ?? '')?.[1]);
    const coordinator = processes.find((p) => p.child.pid === coordinatorPid);
    expect(coordinator).toBeDefined();
    coordinator?.child.kill('SIGKILL');
    await coordinator?.exited;

    await waitFor(async () => (await store.studies.get(created.id))?.status === 'done', { timeoutMs: 240_000, what: 'the study done' });
    const runs = await store.runs.forStudy(created.id);
    const machines = new Set(runs.map((r) => r.workerId));
    const role = coordinator === serve ? 'evolab serve' : 'a worker';
    console.log(`coordinator killed: ${role} (pid ${coordinatorPid}); members trained by workers ${[...machines].join(', ')}`);
    expect(machines.size).toBeGreaterThanOrEqual(2);
    expect(await storedStudy(store, created.id)).toEqual(expected);
    await store.close();
  }, 400_000);
});
