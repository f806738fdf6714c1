// How fast the command line answers (a benchmark, not a test: it prints figures and asserts
// nothing).
//   node bench/cli.ts [--repeat 5] [--evolab path/to/bin/evolab.mjs]
// Medians of `--repeat` runs of: `evolab --version`, `evolab --help`, `evolab queue add` (an
// Iris config into a fresh database), and a tiny run through the queue: with `evolab serve`
// running, the time from starting `evolab queue add` (a 3-epoch Iris run) until serve reports
// the run done. --evolab points at another checkout's CLI to compare the two.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    evolab: { type: 'string', default: resolve(import.meta.dirname, '../bin/evolab.mjs') },
  },
});
const repeat = Number(values.repeat);
const cli = ['--disable-warning=ExperimentalWarning', values.evolab];
const dir = mkdtempSync(join(tmpdir(), 'evolab-bench-cli-'));
const config = join(dir, 'tiny.json');
writeFileSync(
  config,
  JSON.stringify({
    dataset: { name: 'iris' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 16, max_epochs: 3 },
    compute: { backend: 'js', threads: 1 },
  }),
);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function timed(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...cli, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`evolab ${args.join(' ')}: ${result.stderr}`);
  return performance.now() - started;
}

const rows: [string, number[]][] = [];
rows.push(['evolab --version', Array.from({ length: repeat }, () => timed(['--version']))]);
rows.push(['evolab --help', Array.from({ length: repeat }, () => timed(['--help']))]);
rows.push(['evolab queue add (fresh database)', Array.from({ length: repeat }, (_, i) => timed(['queue', 'add', config, '--db', join(dir, `add-${i}.db`)]))]);

// A tiny run through the queue, serve already running.
const db = join(dir, 'serve.db');
const serve = spawn(process.execPath, [...cli, 'serve', '--db', db, '--port', '0', '--slots', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: serve.stdout });
const waiters: { match: RegExp; resolve: () => void }[] = [];
lines.on('line', (line) => {
  for (const w of [...waiters]) {
    if (w.match.test(line)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }
});
const line = (match: RegExp): Promise<void> => new Promise((done) => waiters.push({ match, resolve: done }));
await line(/serving http/);
const throughQueue: number[] = [];
for (let i = 1; i <= repeat; i++) {
  const started = performance.now();
  const done = line(new RegExp(`^\\d\\d:\\d\\d:\\d\\d run ${i} .* done`));
  const add = spawn(process.execPath, [...cli, 'queue', 'add', config, '--db', db], { stdio: 'ignore' });
  await Promise.all([done, new Promise((r) => add.once('exit', r))]);
  throughQueue.push(performance.now() - started);
}
serve.kill('SIGTERM');
await new Promise((r) => serve.once('exit', r));
rows.push(['a 3-epoch Iris run through the queue (queue add -> done)', throughQueue]);
rmSync(dir, { recursive: true, force: true });

console.log(`\n${values.evolab}, median of ${repeat} (ms)\n\n| command | median ms | all |\n|---|---|---|`);
for (const [name, times] of rows) console.log(`| ${name} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(', ')} |`);
