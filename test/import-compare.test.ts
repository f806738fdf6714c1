// `evolab import` then `evolab compare` / `evolab report` on the imported experiments: every
// valid file becomes one experiment with its runs and per-epoch metrics (a malformed file is
// reported and not imported at all), and the database comparison equals the offline one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ComparisonTable } from '../src-shared/stats/comparison.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-import-'));
  const header = ',time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals';
  const levels: Record<string, number> = { adam: 0.95, sgd: 0.9 };
  for (const [name, level] of Object.entries(levels)) {
    const rows = Array.from({ length: 7 }, (_, r) => {
      const acc = level + ((r * 3) % 4) / 100;
      return [r, 1 + r, 0.2, acc, 0.3 - acc / 10, acc, 0.35 - acc / 10, acc, 500 + r].join(',');
    });
    writeFileSync(join(dir, `iris.${name}.csv`), `${[header, ...rows].join('\n')}\n`);
    const epochs = ['run,epoch,train_loss,train_acc,val_loss,val_acc,elapsed_s'];
    for (let r = 0; r < 7; r++) for (let e = 1; e <= 3 + (r % 2); e++) epochs.push([r, e, 1 / e, level - 0.1 / e, 1.2 / e, level - 0.2 / e, e / 10].join(','));
    writeFileSync(join(dir, `iris.${name}.epochs.csv`), `${epochs.join('\n')}\n`);
  }
  writeFileSync(join(dir, 'iris.broken.csv'), `${header}\n0,1,2,3,4,5,6,7\n`);
  return dir;
}

describe('evolab import, compare and report', () => {
  const dir = folder();
  const db = join(dir, 'evolab.db');
  const imported = evolab(['import', dir, '--name', 'offline', '--db', db]);

  it('imports each valid file as one experiment, runs and epochs included, and skips the broken one whole', () => {
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/iris\.broken\.csv, line 2: expected 9 cells, got 8 \(not imported\)/);
    expect(imported.stdout).toMatch(/experiment 1: iris\.adam\.csv \(7 runs, per-epoch metrics\)\nexperiment 2: iris\.sgd\.csv/);
    const handle = new Database(db, { readonly: true });
    const n = (sql: string) => (handle.prepare(sql).get() as { n: number }).n;
    expect(n('SELECT count(*) AS n FROM experiments')).toBe(2);
    expect(n("SELECT count(*) AS n FROM runs WHERE status = 'done'")).toBe(14);
    expect(n("SELECT count(*) AS n FROM metrics WHERE name = 'val_loss'")).toBe(2 * (4 * 3 + 3 * 4));
    expect(n("SELECT count(*) AS n FROM experiment_tags WHERE tag = 'import:offline'")).toBe(2);
    handle.close();
  });

  it('compares the imported experiments exactly as the offline files', () => {
    const online = JSON.parse(evolab(['compare', '1', '2', '--metric', 'test_acc', '--json', '--db', db]).stdout) as { tables: ComparisonTable[] };
    const offline = JSON.parse(evolab(['evaluate', dir, '--metric', 'test_acc', '--json']).stdout) as { tables: ComparisonTable[] };
    expect(online.tables[0].pValues).toEqual(offline.tables[0].pValues);
    expect(online.tables[0].rows.map((r) => r.summary)).toEqual(offline.tables[0].rows.map((r) => r.summary));
    expect(online.tables[0].rows.map((r) => r.optimizer)).toEqual(['offline: iris.adam', 'offline: iris.sgd']);
  });

  it('reports imported experiments with their learning curves', () => {
    const html = join(dir, 'db-report.html');
    expect(evolab(['report', '1', '2', '--html', html, '--db', db]).code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('>val_loss per epoch</text>');
    expect(text).toContain('val_loss of iris: mean over the runs against the epoch');
    expect(text).toContain('experiment 1');
    // The optimizer column holds the optimizer (the imported file's), the experiment its name.
    const compared = /<table class="compared">[\s\S]*?<\/table>/.exec(text)?.[0] ?? '';
    expect(compared).toContain('<th>optimizer and settings</th><th>experiment</th>');
    expect(compared).toMatch(/<b>adam<\/b><\/td><td>offline: iris\.adam <span class="dim">\(experiment 1\)<\/span>/);
    expect(compared).toMatch(/<b>sgd<\/b><\/td><td>offline: iris\.sgd <span class="dim">\(experiment 2\)<\/span>/);
  });

  it('answers unknown experiments and empty folders with one line and exit code 2', () => {
    const unknown = evolab(['compare', '1', '99', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/experiment 99 does not exist/);
    const empty = mkdtempSync(join(tmpdir(), 'evolab-empty-'));
    const nothing = evolab(['import', empty, '--name', 'x', '--db', db]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/no valid result file to import/);
    const exported = evolab(['export', '1', '--out', join(dir, 'out'), '--db', db]);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toMatch(/experiment 1 has no experiment config \(imported from result files without \.meta\.json\)/);
  });
});
