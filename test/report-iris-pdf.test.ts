// The PDF report of the four Iris reference experiments (resources/configs/iris_*.json, a few
// runs each, trained by `evolab run`, imported with their configs), read back with poppler:
// the first page says what was compared (the optimizers by type, the experiments by name,
// runs and seeds) and the verdict of every metric with the test named; the boxplots and
// curves follow; no page but the last ends in its upper half (no half-empty pages); and the
// Markdown of `evolab compare` on the same database writes each metric in its format.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../src-main/files/chromium.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[]) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const havePoppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');
const OPTIMIZERS = ['adam', 'sgd', 'cmaes', 'layerwise'] as const;
const METRICS = ['test_acc', 'test_loss', 'val_acc', 'val_loss', 'train_acc', 'train_loss', 'time', 'model_evals'];

describe.skipIf(findChromium() === null || !havePoppler)('the PDF report of the Iris reference experiments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-iris-report-'));
  const db = join(dir, 'evolab.db');
  const pdf = join(dir, 'iris.pdf');

  it('trains, imports and reports the four experiments', () => {
    for (const name of OPTIMIZERS) {
      const run = evolab(['run', join(root, `resources/configs/iris_${name}.json`), '--runs', '5', '--out', join(dir, 'results'), '--quiet']);
      expect(run.code, run.stderr).toBe(0);
    }
    const imported = evolab(['import', join(dir, 'results'), '--name', 'reference', '--db', db]);
    expect(imported.code, imported.stderr).toBe(0);
    const report = evolab(['report', '1', '2', '3', '4', '--pdf', pdf, '--title', 'Iris reference study', '--db', db]);
    expect(report.code, report.stderr).toBe(0);
    // The pages as PNG beside the screenshots, to be looked at (artifacts/report-pages/).
    const pages = join(root, 'artifacts', 'report-pages');
    mkdirSync(pages, { recursive: true });
    if (existsSync('/usr/bin/pdftoppm')) execFileSync('pdftoppm', ['-png', '-r', '60', pdf, join(pages, 'iris-page')]);
  });

  it('says on its first page what was compared and the verdict per metric, with the test named', () => {
    const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-'], { encoding: 'utf8' });
    expect(first).toContain('What was compared');
    // Optimizer types, not experiment names, in the optimizer column; the names beside them.
    for (const type of ['adam', 'sgd', 'cmaes', 'layerwise_cmaes']) expect(first).toMatch(new RegExp(`^\\s*${type}\\s+reference: iris\\.`, 'm'));
    expect(first).toMatch(/4 groups on iris, 5 runs each/);
    expect(first).toContain('Verdict per metric');
    expect(first.replace(/\s+/g, ' ')).toContain('Test: Mann-Whitney U, one-sided, Holm-adjusted, α = 0.05');
    for (const metric of METRICS) expect(first).toMatch(new RegExp(`^\\s*${metric} [↑↓]`, 'm'));
  });

  it('leaves no page but the last half empty', () => {
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const layout = execFileSync('pdftotext', ['-bbox-layout', pdf, '-'], { encoding: 'utf8' });
    const bottoms = layout
      .split('<page ')
      .slice(1)
      .map((page) => {
        const height = Number(/height="([\d.]+)"/.exec(page)?.[1]);
        const lowest = Math.max(...[...page.matchAll(/<block [^>]*yMax="([\d.]+)"/g)].map((m) => Number(m[1])));
        return lowest / height;
      });
    expect(bottoms).toHaveLength(pages);
    for (const [i, bottom] of bottoms.slice(0, -1).entries()) expect(bottom, `page ${i + 1}`).toBeGreaterThan(0.6);
  });

  it('prints the comparison of the same experiments as Markdown in each metric format', () => {
    const compared = evolab(['compare', '1', '2', '3', '4', '--db', db]);
    expect(compared.code, compared.stderr).toBe(0);
    /** The summary row of `name` in the table of `metric` (the first line naming it there). */
    const row = (metric: string, name: string): string => {
      const section = compared.stdout.split('### ').find((s) => s.startsWith(`iris: ${metric} (`)) ?? '';
      return section.split('\n').find((line) => new RegExp(`^\\| (\\*\\*)?reference: iris\\.${name}(\\*\\* ★)? \\|`).test(line)) ?? '';
    };
    // Accuracies with 4 decimals; times with a unit; counts as integers (no decimals, no exponent).
    expect(row('test_acc', 'adam')).toMatch(/\| 5 \| \d\.\d{4} ± \d\.\d{4} \| \d\.\d{4} \|/);
    expect(row('time', 'adam')).toMatch(/\| 5 \| [\d.]+ ± [\d.]+ (ms|s) \| [\d.]+ (ms|s) \|/);
    expect(row('model_evals', 'cmaes')).toMatch(/\| 5 \| [\d\u202f]+ ± [\d\u202f]+ \| [\d\u202f]+ \| [\d\u202f]+ \| \[[\d\u202f]+, [\d\u202f]+\] \|$/);
  });
});
