// Crash recovery end to end, as a user would live it: `evolab serve` runs a queue, is
// killed with SIGKILL in the middle of a run, and is started again. Every completed run and
// epoch is still there, the interrupted run resumes from its last checkpoint, and its result
// row equals that of an uninterrupted run of the same seed (time aside).
import type { Readable } from 'node:stream';
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent } from '../src-shared/api.ts';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';
import { createBackend } from '../src-main/engine/compute/select.ts';
import { loadSplits } from '../src-main/engine/data/load.ts';
import { trainRun } from '../src-main/engine/train.ts';
import { epochsCsv, runsCsv } from '../src-main/report/result-files.ts';

const root = resolve(import.meta.dirname, '..');
const nodeArgs = ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs')];

const config = {
  name: 'recovery',
  dataset: { name: 'iris' },
  optimizer: { type: 'cmaes', population: 12, sigma0: 0.5 },
  training: { batch_size: 4, max_epochs: 80 },
  compute: { backend: 'js', threads: 1 },
};

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, [...nodeArgs, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`evolab ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** `evolab serve` as a child process, with its stdout lines awaitable. */
class Serve {
  readonly child: ChildProcessByStdio<null, Readable, null>;
  readonly lines: string[] = [];
  private waiters: { match: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  constructor(db: string) {
    this.child = spawn(process.execPath, [...nodeArgs, 'serve', '--db', db, '--port', '0', '--slots', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((done) => this.child.on('exit', (code, signal) => done({ code, signal })));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        const m = line.match(w.match);
        if (m !== null) w.resolve(m);
        return m === null;
      });
    });
  }

  line(match: RegExp): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(match);
      if (m !== null) return Promise.resolve(m);
    }
    return new Promise((resolveLine) => this.waiters.push({ match, resolve: resolveLine }));
  }
}

async function api(port: string, method: string, body: object = {}): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

describe('evolab serve killed with SIGKILL mid-run', () => {
  it('keeps completed work and resumes the interrupted run to the same result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-recovery-'));
    const db = join(dir, 'evolab.db');
    const configPath = join(dir, 'recovery.json');
    writeFileSync(configPath, JSON.stringify(config));
    evolab(['queue', 'add', configPath, '--runs', '3', '--db', db]);
    evolab(['queue', 'pause', '--db', db]); // so nothing starts before we listen

    // 1. Serve, listen to events, resume the queue, kill -9 while run 2 (seed 1) trains.
    const first = new Serve(db);
    const [, port] = await first.line(/serving http:\/\/127\.0\.0\.1:(\d+)/);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`);
    const midRun2 = new Promise<void>((done) => {
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as AppEvent;
        if (event.type === 'run-progress' && event.progress.runId === 2 && event.progress.epoch >= 25) done();
      });
    });
    await new Promise((open) => socket.once('open', open));
    await api(port, 'resumeQueue');
    await midRun2;
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    socket.terminate();

    // 2. What the crash left: run 1 complete, run 2 still "running" with epochs up to its checkpoint.
    const inspect = new Database(db, { readonly: true });
    const runs = inspect.prepare('SELECT id, status, epoch FROM runs ORDER BY id').all() as { id: number; status: string; epoch: number }[];
    expect(runs.map((r) => r.status)).toEqual(['done', 'running', 'pending']);
    const run2Epochs = inspect.prepare("SELECT epoch FROM metrics WHERE run_id = 2 AND name = 'val_loss' ORDER BY epoch").all() as { epoch: number }[];
    const checkpoint = inspect.prepare('SELECT epoch FROM checkpoints WHERE run_id = 2').get() as { epoch: number };
    expect(checkpoint.epoch).toBeGreaterThanOrEqual(25);
    expect(run2Epochs.map((r) => r.epoch)).toEqual(Array.from({ length: checkpoint.epoch }, (_, i) => i + 1));
    expect(runs[1].epoch).toBe(checkpoint.epoch);
    const run1Rows = (inspect.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = 1').get() as { n: number }).n;
    expect(run1Rows).toBe(80 * 7);
    inspect.close();

    // 3. Restart: run 2 is requeued, resumes after its checkpoint epoch, and everything finishes.
    const second = new Serve(db);
    await second.line(/1 run\(s\) interrupted by a crash will resume/);
    await second.line(new RegExp(`run 2 .* running, attempt 2, resuming after epoch ${checkpoint.epoch}$`));
    await second.line(/run 3 .* done test_acc \d\.\d{1,4}$/);
    // Runs start at once, but their lines come after the address, stamped with the time.
    expect(second.lines[0]).toMatch(/^evolab: serving http:/);
    expect(second.lines.filter((l) => / run \d+ /.test(l)).every((l) => /^\d\d:\d\d:\d\d run \d+ \(/.test(l))).toBe(true);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    // 4. The resumed run equals an uninterrupted run of the same seed.
    const out = join(dir, 'export');
    evolab(['export', '1', '--out', out, '--db', db]);
    const { backend } = await createBackend('js', 1);
    const parsed = parseExperimentConfig(config);
    const splits = loadSplits(parsed.dataset);
    const reference = [0, 1, 2].map((seed) => trainRun(parsed, splits, seed, backend));
    const withoutColumn = (text: string, column: number) =>
      text
        .trim()
        .split('\n')
        .map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== column)
            .join(','),
        );
    const exported = readFileSync(join(out, 'iris.cmaes.csv'), 'utf8');
    expect(withoutColumn(exported, 1)).toEqual(withoutColumn(runsCsv(reference), 1)); // column 1: time
    const exportedEpochs = readFileSync(join(out, 'iris.cmaes.epochs.csv'), 'utf8');
    expect(withoutColumn(exportedEpochs, 6)).toEqual(withoutColumn(epochsCsv(reference), 6)); // column 6: elapsed_s
  });
});
