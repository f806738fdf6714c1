// `evolab run` end to end, as a user runs it: result files in the reference format,
// identical numbers for identical seeds, and one-line errors with exit code 2 (and no output
// folder) for every kind of bad input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, EVOLAB_DEBUG: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'evolab-cli-'));
}

const quickIris = {
  dataset: { name: 'iris', split: { train: 0.6, val: 0.2, test: 0.2, seed: 42 } },
  model: { hidden: [10], activation: 'sigmoid' },
  optimizer: { type: 'cmaes', sigma0: 1, population: 12 },
  training: { batch_size: 16, max_epochs: 6, early_stopping: { patience: 3, min_delta: 0.001 } },
};

describe('evolab run', () => {
  const dir = tempDir();
  const configPath = join(dir, 'quick.json');
  writeFileSync(configPath, JSON.stringify(quickIris));
  const first = evolab(['run', configPath, '--runs', '3', '--out', join(dir, 'a')]);
  const second = evolab(['run', configPath, '--runs', '3', '--out', join(dir, 'b'), '--backend', 'js']);

  it('succeeds and prints a summary table', () => {
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/test_acc\s+\d/);
  });

  it('reports progress as plain lines when stderr is not a terminal, and says nothing of a GPU', () => {
    const lines = first.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^evolab: iris\.cmaes: 3 run\(s\), train\/val\/test 90\/30\/30, backend wasm .*; population on \d+ threads$/);
    expect(lines.slice(1)).toEqual(
      [1, 2, 3].map((k) =>
        expect.stringMatching(
          new RegExp(
            `^evolab: run ${k}/3 done in \\d+:\\d\\d: \\d+ epochs.*, val_loss [\\d.]+, val_acc [\\d.]+; all runs \\d+:\\d\\d elapsed, ETA \\d+:\\d\\d$`,
          ),
        ),
      ),
    );
    // No carriage returns and no escape sequences (ESC, character 27): nothing for a terminal.
    expect([...first.stderr].filter((c) => c === '\r' || c.charCodeAt(0) === 27)).toEqual([]);
    expect(first.stderr).not.toMatch(/GPU|gpu/);
  });

  it('writes the reference-format CSV and the per-epoch CSV', () => {
    const runs = readFileSync(join(dir, 'a', 'iris.cmaes.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(runs[0]).toBe(',time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals');
    expect(runs.slice(1).map((line) => line.split(',')[0])).toEqual(['0', '1', '2']);
    const epochs = readFileSync(join(dir, 'a', 'iris.cmaes.epochs.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(epochs[0]).toBe('run,epoch,train_loss,train_acc,val_loss,val_acc,elapsed_s');
    const meta = JSON.parse(readFileSync(join(dir, 'a', 'iris.cmaes.meta.json'), 'utf8')) as { runs: { seed: number; backend: string }[] };
    expect(meta.runs.map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(meta.runs[0].backend).toMatch(/wasm|js|gpu/);
  });

  it('gives identical rows for identical seeds (time aside), also across backends on this small model', () => {
    const strip = (file: string, dropColumn: number) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== dropColumn)
            .join(','),
        );
    expect(second.code).toBe(0);
    expect(strip(join(dir, 'b', 'iris.cmaes.csv'), 1)).toEqual(strip(join(dir, 'a', 'iris.cmaes.csv'), 1));
    expect(strip(join(dir, 'b', 'iris.cmaes.epochs.csv'), 6)).toEqual(strip(join(dir, 'a', 'iris.cmaes.epochs.csv'), 6));
  });
});

describe('evolab run on a CSV data set', () => {
  it('trains on numeric features and a text label and names the results after the file', () => {
    const dir = tempDir();
    const rng = (i: number) => Math.sin(i * 12.9898) * 0.5;
    const rows = ['width,height,kind'];
    for (let i = 0; i < 90; i++) {
      const kind = ['small', 'medium', 'large'][i % 3];
      const centre = (i % 3) * 3;
      rows.push(`${centre + rng(i)},${centre + rng(i + 1000)},${kind}`);
    }
    writeFileSync(join(dir, 'boxes.csv'), `${rows.join('\n')}\n`);
    writeFileSync(
      join(dir, 'boxes.json'),
      JSON.stringify({
        dataset: { name: 'csv', path: 'boxes.csv', label: 'kind' },
        optimizer: { type: 'adam', lr: 0.05 },
        training: { batch_size: 8, max_epochs: 40 },
      }),
    );
    const result = evolab(['run', join(dir, 'boxes.json'), '--out', join(dir, 'out'), '--quiet']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const [, row] = readFileSync(join(dir, 'out', 'boxes.adam.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(Number(row.split(',')[7])).toBeGreaterThan(0.9); // test_acc on well-separated classes
  });
});

describe('evolab run with bad input', () => {
  const dir = tempDir();
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [string, () => string[], RegExp][] = [
    ['a missing config file', () => ['run', join(dir, 'nope.json')], /nope\.json: no such config file$/],
    ['invalid JSON', () => ['run', write('broken.json', '{"dataset": ')], /broken\.json: invalid JSON/],
    [
      'a wrong type',
      () => ['run', write('type.json', JSON.stringify({ ...quickIris, optimizer: { type: 'sgd', lr: 'fast' } }))],
      /type\.json: optimizer\.lr: expected a positive number, got "fast"$/,
    ],
    [
      'an unknown optimizer',
      () => ['run', write('opt.json', JSON.stringify({ ...quickIris, optimizer: { type: 'rmsprop' } }))],
      /opt\.json: optimizer\.type: unknown optimizer/,
    ],
    [
      'a CSV data set with a non-numeric cell',
      () => {
        const rows = ['f1,f2,label', ...Array.from({ length: 20 }, (_, i) => `${i},${i % 3 === 0 && i === 9 ? 'n/a' : i * 2},${i % 2 ? 'a' : 'b'}`)];
        write('data.csv', `${rows.join('\n')}\n`);
        return ['run', write('csv.json', JSON.stringify({ ...quickIris, dataset: { name: 'csv', path: 'data.csv', label: 'label' } }))];
      },
      /data\.csv:11, column "f2": expected a number, got "n\/a"$/,
    ],
    ['a bad --runs value', () => ['run', join(root, 'resources/configs/iris_adam.json'), '--runs', '0'], /--runs.*expected a positive integer, got "0"/],
  ];

  it.each(cases)('%s: one line on stderr, exit code 2, nothing written', (_, args, pattern) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const result = evolab([...args(), '--out', out]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  it('prints help and the version with exit code 0', () => {
    expect(evolab(['--help']).stdout).toMatch(/Usage: evolab/);
    const version = evolab(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
