// Wall time of the shipped MNIST GPBT and PBT studies as a user runs them (a benchmark, not
// a test: it prints figures and asserts nothing).
//   node bench/studies.ts [--repeat 1] [--evolab path/to/bin/evolab.mjs] [--slots 2] [--studies mnist_adam_gpbt,mnist_adam_pbt]
// Each study runs through `evolab gpbt|pbt --quiet --slots N` on a fresh database (the queue,
// job processes, and the study service in-process). --evolab points at another checkout's CLI
// (e.g. an older commit in a git worktree) to compare the two side by side on this machine.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '1' },
    evolab: { type: 'string', default: resolve(import.meta.dirname, '../bin/evolab.mjs') },
    slots: { type: 'string', default: '2' },
    studies: { type: 'string', default: 'mnist_adam_gpbt,mnist_adam_pbt' },
  },
});
const folder = resolve(import.meta.dirname, '../resources/studies');

console.log(`| study | evolab | slots | wall time s (each repeat) |\n|---|---|---|---|`);
for (const name of values.studies.split(',')) {
  const kind = name.endsWith('_gpbt') ? 'gpbt' : name.endsWith('_pbt') ? 'pbt' : 'tune';
  const times: string[] = [];
  for (let i = 0; i < Number(values.repeat); i++) {
    const dir = mkdtempSync(join(tmpdir(), 'evolab-bench-study-'));
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', values.evolab, kind, join(folder, `${name}.json`), '--db', join(dir, 'e.db'), '--slots', values.slots],
      {
        encoding: 'utf8',
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    times.push(seconds.toFixed(1));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`| ${name} | ${values.evolab} | ${values.slots} | ${times.join(', ')} |`);
}
