// `evolab report --folder`: a self-contained HTML report (no script, inline SVG charts) and
// the same as an A4 PDF from headless Chromium, read back with poppler: A4 pages, the table
// values in the text, the pages render to images, and no table is cut by a page break. Also
// the message when no Chromium can be found.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../src-main/files/chromium.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Three optimizers x 8 runs with per-epoch files (runs of different lengths). */
function resultFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-report-'));
  const optimizers = { adam: 0.95, sgd: 0.9, cmaes: 0.82 };
  Object.entries(optimizers).forEach(([name, level], k) => {
    const runs = ['run,time,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,model_evals'.replace(/^run/, '')];
    const epochs = ['run,epoch,train_loss,train_acc,val_loss,val_acc,elapsed_s'];
    for (let r = 0; r < 8; r++) {
      const acc = level + ((r * 7 + k) % 5) / 100;
      runs.push([r, 1 + r / 10 + k, 0.3 - acc / 4, acc, 0.35 - acc / 4, acc, 0.4 - acc / 4, acc, 1000 * (k + 1) + r].join(','));
      const length = 5 + ((r + k) % 4);
      for (let e = 1; e <= length; e++) epochs.push([r, e, 1 / e, acc - 0.2 / e, 1.1 / e + r / 100, acc - 0.25 / e, e / 10].join(','));
    }
    writeFileSync(join(dir, `iris.${name}.csv`), `${runs.join('\n')}\n`);
    writeFileSync(join(dir, `iris.${name}.epochs.csv`), `${epochs.join('\n')}\n`);
  });
  return dir;
}

const havePoppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdftoppm');

describe('evolab report', () => {
  const dir = resultFolder();
  const html = join(dir, 'report.html');
  const pdf = join(dir, 'report.pdf');

  it('writes a self-contained HTML report with tables and SVG charts', () => {
    const result = evolab(['report', '--folder', dir, '--html', html, '--title', 'Test report']);
    expect(result.code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/(src|href)="http/);
    expect((text.match(/<svg/g) ?? []).length).toBe(4 + 3); // 4 boxplots + 3 curve charts
    expect(text).toContain('<h3>iris: test_acc <span class="dim">(higher is better)</span></h3>');
    expect(text).toMatch(/<b>adam<\/b> ★/);
  });

  it.skipIf(findChromium() === null || !havePoppler)('prints the same as an A4 PDF that keeps tables whole', () => {
    const result = evolab(['report', '--folder', dir, '--pdf', pdf]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*report\.pdf in \d+\.\d+ s/);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    // Table values are in the text (adam's test_acc: mean of 0.95 + {0, 0.02, 0.04, 0.01, 0.03, 0, 0.02, 0.04}).
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('0.9700 ± 0.0160'); // std: sqrt(0.0018 / 7)
    // Each page's text on its own: a table's title, its rows and its p-value caption share a page.
    const perPage = text.split('\f');
    for (const metric of ['test_acc', 'test_loss', 'val_acc', 'time']) {
      const page = perPage.find((p) => p.includes(`iris: ${metric} (`));
      expect(page, metric).toBeDefined();
      const after = page?.slice(page.indexOf(`iris: ${metric} (`)) ?? '';
      for (const name of ['adam', 'cmaes', 'sgd']) expect(after).toContain(name);
      expect(after).toContain('One-sided p-values');
    }
    // Every page renders.
    const prefix = join(dir, 'page');
    execFileSync('pdftoppm', ['-r', '40', '-png', pdf, prefix]);
    const images = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(images).toHaveLength(pages);
    expect(images.every((f) => statSync(join(dir, f)).size > 2000)).toBe(true);
  });

  it('says so when no Chromium can be found, and writes nothing', () => {
    const missing = join(dir, 'none.pdf');
    const result = evolab(['report', '--folder', dir, '--pdf', missing], { EVOLAB_CHROMIUM: join(dir, 'no-such-chromium') });
    expect(result.code).toBe(2);
    // It names only where it looked: with $EVOLAB_CHROMIUM set, that path and nothing else.
    expect(result.stderr.trim()).toBe(
      `evolab: --pdf: no Chromium found (looked at $EVOLAB_CHROMIUM (${join(dir, 'no-such-chromium')})); install Chromium or Chrome (Debian: apt-get install chromium), or set $EVOLAB_CHROMIUM to its executable, or write --html only`,
    );
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a report of nothing', () => {
    expect(evolab(['report', '--folder', dir]).stderr).toMatch(/--pdf: give --pdf FILE and\/or --html FILE/);
    expect(evolab(['report', '--html', html]).stderr).toMatch(/give experiment ids or --folder, not both or neither/);
  });
});
