// GPBT through the queue as a user runs it (`evolab gpbt`), then the study commands: ls, show,
// best (a valid experiment config), genealogy (JSON and CSV). Children really continue from
// their parents' weights (their first stored epoch follows the parent's last). Bad input:
// one line, exit code 2, nothing stored changes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../src-shared/config/experiment.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const study = {
  base: {
    dataset: { name: 'iris' },
    optimizer: { type: 'adam', lr: 0.01 },
    training: { batch_size: 16, max_epochs: 100 },
    compute: { backend: 'js', threads: 1 },
  },
  space: { 'optimizer.lr': { type: 'loguniform', low: 0.001, high: 0.5 } },
  objective: { metric: 'val_acc' },
  seed: 1,
  gpbt: { n: 4, t_max: 3, c: 1, T_g: 2, mode: 'time' },
};

describe('evolab gpbt and evolab study', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-study-'));
  const db = join(dir, 'evolab.db');
  const path = join(dir, 'gpbt.json');
  writeFileSync(path, JSON.stringify(study));
  const run = evolab(['gpbt', path, '--db', db]);

  it('trains the population through the queue, children continuing their parents', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/hyperparameter schedule:\n {2}generation 0 \(trial \d+\)/);
    const handle = new Database(db, { readonly: true });
    const rows = handle
      .prepare(
        `SELECT t.generation, (SELECT min(epoch) FROM metrics m WHERE m.run_id = t.run_id) AS first,
           (SELECT max(epoch) FROM metrics m WHERE m.run_id = p.run_id) AS parent_last
         FROM trials t LEFT JOIN lineage_edges e ON e.child_id = t.id AND e.kind = 'weights'
         LEFT JOIN trials p ON p.id = e.parent_id ORDER BY t.number`,
      )
      .all() as { generation: number; first: number; parent_last: number | null }[];
    handle.close();
    expect(rows).toHaveLength(12);
    for (const r of rows) expect(r.first).toBe(r.generation === 0 ? 1 : (r.parent_last ?? 0) + 1);
  });

  it('lists, shows, exports the best config and the genealogy', () => {
    expect(evolab(['study', 'ls', '--db', db]).stdout).toMatch(/^1 +gpbt +gpbt +done +12\/12/m);
    expect(evolab(['study', 'show', '1', '--db', db]).stdout.trim().split('\n')).toHaveLength(2 + 2 + 12);
    const out = join(dir, 'best.json');
    const best = evolab(['study', 'best', '1', '--out', out, '--db', db]);
    expect(best.stdout).toMatch(/hyperparameter schedule along its lineage/);
    const config = parseExperimentConfig(JSON.parse(readFileSync(out, 'utf8')));
    expect(config.optimizer.type).toBe('adam');
    const genealogy = JSON.parse(evolab(['study', 'genealogy', '1', '--db', db]).stdout) as {
      nodes: { trial: number; generation: number }[];
      edges: { child: number; parent: number; kind: string }[];
    };
    // Per-study trial numbers, 0..11, as in `study show`; a child is a generation after its parent.
    expect(genealogy.nodes.map((n) => n.trial)).toEqual([...Array(12).keys()]);
    expect(genealogy.edges.filter((e) => e.kind === 'weights')).toHaveLength(8);
    const generation = new Map(genealogy.nodes.map((n) => [n.trial, n.generation]));
    for (const e of genealogy.edges) expect(generation.get(e.child)).toBe((generation.get(e.parent) ?? -2) + 1);
    const withIds = JSON.parse(evolab(['study', 'genealogy', '1', '--ids', '--db', db]).stdout) as { nodes: { ids: { trial: number; run: number } }[] };
    expect(withIds.nodes[0].ids.run).toBeGreaterThan(0);
    const csv = evolab(['study', 'genealogy', '1', '--format', 'csv', '--db', db]).stdout.trim().split('\n');
    expect(csv[0]).toBe('child,parent,kind,child_generation,parent_generation,child_value,parent_value');
    expect(csv).toHaveLength(1 + genealogy.edges.length);
    expect(csv[1]).toBe(
      `${genealogy.edges[0].child},${genealogy.edges[0].parent},${genealogy.edges[0].kind},${generation.get(genealogy.edges[0].child)},${generation.get(genealogy.edges[0].parent)},`.concat(
        csv[1].split(',').slice(5).join(','),
      ),
    );
  });

  it('answers bad input with one line and exit code 2, storing nothing', () => {
    const counts = () => {
      const handle = new Database(db, { readonly: true });
      const n = (table: string) => (handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      const result = { studies: n('studies'), trials: n('trials'), runs: n('runs') };
      handle.close();
      return result;
    };
    const before = counts();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...study, space: { 'optimizer.lr': { type: 'uniform', low: 1, high: 0.1 } }, gpbt: { ...study.gpbt, t_max: 0 } }));
    const cases: [string[], RegExp][] = [
      [
        ['gpbt', bad, '--db', db],
        /bad\.json: space\.optimizer\.lr\.high: inverted range: high \(0\.1\) is below low \(1\); .*bad\.json: gpbt\.t_max: expected a positive integer, got 0/,
      ],
      [['pbt', path, '--db', db], /gpbt\.json: has no "pbt" section/],
      [['tune', path, '--db', db], /gpbt\.json: is a GPBT\/PBT study: run it with evolab gpbt or evolab pbt/],
      [['tune', path, '--sampler', 'grid', '--db', db], /^evolab: --sampler: expected one of .*, got "grid" \(see evolab tune --help\)$/m],
      [['study', 'best', '99', '--db', db], /study 99 does not exist/],
      [['study', 'show', '99', '--db', db], /study 99 does not exist/],
      [['study', 'genealogy', '1', '--format', 'xml', '--db', db], /^evolab: --format: expected one of json, csv, got "xml" \(see evolab study --help\)$/m],
    ];
    for (const [args, message] of cases) {
      const result = evolab(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(counts()).toEqual(before);
  });
});
