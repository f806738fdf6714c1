// `evolab evaluate` on a folder of reference-format result files: the full comparison table of
// two metrics checked against values computed independently with scipy 1.17.1
// (stats.mannwhitneyu(row, column, alternative, method='auto'); Holm by its definition;
// numpy mean, std(ddof=1), median), Markdown by default and JSON with --json; and bad input
// (an empty folder, a missing column, a non-numeric cell, mismatched run counts, one run
// only) answered with messages by file, line and column, the valid files still compared.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComparisonTable } from '../src-shared/stats/comparison.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const data: Record<string, { test_acc: number[]; test_loss: number[] }> = {
  sgd: { test_acc: [0.9, 0.93, 0.87, 0.93, 0.97, 0.9], test_loss: [0.31, 0.25, 0.38, 0.22, 0.12, 0.29] },
  adam: { test_acc: [0.97, 0.93, 1.0, 0.97, 0.97, 0.93], test_loss: [0.08, 0.15, 0.05, 0.11, 0.09, 0.14] },
  cmaes: { test_acc: [0.8, 0.83, 0.77, 0.87, 0.9, 0.73], test_loss: [0.55, 0.48, 0.61, 0.42, 0.39, 0.7] },
};

function resultsCsv(acc: number[], loss: number[], extra = ''): string {
  const header = `,time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals${extra ? ',note' : ''}`;
  const rows = acc.map((a, i) => `${i},${1 + i / 10},${loss[i] / 2},${a},${loss[i]},${a},${loss[i]},${a},${1000 + i}${extra ? `,${extra}` : ''}`);
  return `${[header, ...rows].join('\n')}\n`;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-evaluate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const close = (actual: number | null | undefined, expected: number) => expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThan(1e-9);

describe('evolab evaluate', () => {
  const dir = folder({
    'iris.adam.csv': resultsCsv(data.adam.test_acc, data.adam.test_loss, 'kept'),
    'iris.cmaes.csv': resultsCsv(data.cmaes.test_acc, data.cmaes.test_loss),
    'iris.sgd.csv': resultsCsv(data.sgd.test_acc, data.sgd.test_loss),
  });

  it('produces the full tables, equal to independently computed values (JSON, full precision)', () => {
    const result = evolab(['evaluate', dir, '--json', '--metric', 'test_acc', 'test_loss']);
    expect(result.code).toBe(0);
    const { tables } = JSON.parse(result.stdout) as { tables: ComparisonTable[] };
    expect(tables.map((t) => t.metric)).toEqual(['test_acc', 'test_loss']);
    const [acc, loss] = tables;
    expect(acc.rows.map((r) => r.optimizer)).toEqual(['adam', 'cmaes', 'sgd']);
    // scipy: test_acc has ties -> asymptotic; "row better" = alternative 'greater'.
    const accP = [
      [null, 0.002348848744665035, 0.022954835753028],
      [0.9985987531405696, null, 0.9951922115300578],
      [0.9847130490610901, 0.007601207939054524, null],
    ];
    const accHolm = [
      [null, 0.01409309246799021, 0.091819343012112],
      [1, null, 1],
      [1, 0.03800603969527262, null],
    ];
    // scipy: test_loss has no ties and 6 runs -> exact; "row better" = alternative 'less'.
    const lossP = [
      [null, 0.0010822510822510823, 0.004329004329004329],
      [1, null, 1],
      [0.9978354978354979, 0.0010822510822510823, null],
    ];
    const lossHolm = [
      [null, 0.006493506493506494, 0.017316017316017316],
      [1, null, 1],
      [1, 0.006493506493506494, null],
    ];
    for (const [table, p, holm] of [
      [acc, accP, accHolm],
      [loss, lossP, lossHolm],
    ] as const) {
      p.forEach((row, i) =>
        row.forEach((expected, j) => {
          if (expected === null) expect(table.pValues[i][j]).toBeNull();
          else {
            close(table.pValues[i][j], expected);
            close(table.adjusted[i][j], holm[i][j] ?? Number.NaN);
          }
        }),
      );
    }
    const summaries = {
      adam: [0.9616666666666666, 0.027141603981096347, 0.97],
      cmaes: [0.8166666666666668, 0.06314005596027507, 0.815],
      sgd: [0.9166666666666669, 0.034448028487370164, 0.915],
    };
    acc.rows.forEach((row) => {
      const [mean, std, median] = summaries[row.optimizer as keyof typeof summaries];
      close(row.summary?.mean, mean);
      close(row.summary?.std, std);
      close(row.summary?.median, median);
    });
    // test_loss: adam beats both after Holm -> the one best; test_acc: adam vs sgd not significant -> tied best.
    expect(loss.significantBest).toBe('adam');
    expect(loss.rows.filter((r) => r.best).map((r) => r.optimizer)).toEqual(['adam']);
    expect(acc.significantBest).toBeNull();
    expect(acc.rows.filter((r) => r.best).map((r) => r.optimizer)).toEqual(['adam', 'sgd']);
  });

  it('matches runs by index with --paired (Wilcoxon signed-rank, as scipy.stats.wilcoxon)', () => {
    const result = evolab(['evaluate', dir, '--json', '--paired', '--metric', 'test_acc', 'test_loss']);
    const { tables } = JSON.parse(result.stdout) as { tables: ComparisonTable[] };
    const [acc, loss] = tables;
    expect(acc.test).toBe('wilcoxon');
    // scipy 1.17.1: wilcoxon(adam, sgd, alternative='greater') -> 0.0625 (zero and ties: exact
    // permutation over 2^n sign flips); wilcoxon(adam, cmaes, 'greater') -> 0.015625;
    // wilcoxon(adam_loss, sgd_loss, alternative='less') -> 0.015625 (exact).
    close(acc.pValues[0][2], 0.0625);
    close(acc.pValues[0][1], 0.015625);
    close(loss.pValues[0][2], 0.015625);
  });

  it('prints Markdown by default, every metric of the files', () => {
    const result = evolab(['evaluate', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('### iris: test_acc (higher is better)');
    expect(result.stdout).toContain('### iris: time (lower is better)');
    expect(result.stdout).toMatch(/\| \*\*adam\*\* ★ \| 6 \| 0\.1033 ± 0\.0378 \| 0\.1000 \|/);
    // Holm-adjusted p-values as above (0.006494, 0.01732) with A12 beside them: adam's losses
    // are below all of cmaes' (36/36) and below 34 of the 36 sgd pairs (0.15 and 0.14 > 0.12).
    expect(result.stdout).toContain('| adam |  | **0.0065** (A12 1.00) | **0.017** (A12 0.94) |');
    expect(result.stdout).toContain('★ adam is significantly better than every other (Holm-adjusted p ≤ 0.017, A12 ≥ 0.94).');
    expect(result.stdout).toContain('Mann-Whitney U, one-sided, Holm-adjusted, α = 0.05');
    // Times 1.0 .. 1.5 s carry their unit, every cell in the same decimals: mean 1.25, sd
    // 0.1871, quartiles 1.125 and 1.375, CI 1.25 ± 2.5706 * 0.1871 / sqrt(6).
    expect(result.stdout).toContain('| **adam** ★ | 6 | 1.250 ± 0.187 s | 1.250 s | 0.250 s | [1.054, 1.446] s |');
    // Counts 1000 .. 1005 are integers, spreads included (mean 1002.5, sd 1.87, IQR 2.5).
    expect(result.stdout).toContain('| **adam** ★ | 6 | 1003 ± 2 | 1003 | 3 | [1001, 1004] |');
    // Numeric columns are right-aligned, headers included.
    expect(result.stdout).toContain('| optimizer | n | mean ± std | median | IQR | 95% CI of the mean |\n|---|---:|---:|---:|---:|---:|');
  });

  it('reports malformed files by file, line and column, and compares the valid ones', () => {
    const good = resultsCsv(data.adam.test_acc, data.adam.test_loss);
    const mixed = folder({
      'iris.adam.csv': good,
      'iris.sgd.csv': good.replace(/,test_acc,/, ',test_accuracy,'),
      'iris.cmaes.csv': good.replace('\n3,', '\n3,fast').replace(/^3,fast[^,]*,/m, '3,fast,'),
      'iris.one.csv': resultsCsv([0.9], [0.2]),
      'iris.short.csv': resultsCsv(data.sgd.test_acc.slice(0, 4), data.sgd.test_loss.slice(0, 4)),
    });
    const result = evolab(['evaluate', mixed, '--json', '--metric', 'test_acc', '--paired']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/iris\.sgd\.csv, line 1, column "test_acc": missing column test_acc \(left out\)/);
    expect(result.stderr).toMatch(/iris\.cmaes\.csv, line 5, column "time": not a number: "fast" \(left out\)/);
    const { files, tables } = JSON.parse(result.stdout) as { files: string[]; tables: ComparisonTable[] };
    expect(files).toEqual(['iris.adam.csv', 'iris.one.csv', 'iris.short.csv']);
    const [table] = tables;
    expect(table.test).toBe('wilcoxon');
    expect(table.notes).toEqual(
      expect.arrayContaining([
        'one: one run only, so its tests are undefined',
        'run counts differ: the paired test uses the runs whose index both optimizers have',
      ]),
    );
    const one = table.rows.findIndex((r) => r.optimizer === 'one');
    expect(table.pValues[one].every((p) => p === null)).toBe(true);
  });

  it('answers an empty or missing folder with one line and exit code 2', () => {
    const empty = folder({});
    const result = evolab(['evaluate', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no <dataset>\.<optimizer>\.csv result files in this folder/);
    expect(evolab(['evaluate', join(empty, 'nope')]).stderr).toMatch(/nope: no such folder/);
  });
});
