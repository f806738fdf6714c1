// The comparison of optimizers on one data set and one metric, from their runs' final values:
// a row per optimizer (n, mean ± std, median, IQR, 95% CI), the pairwise matrix of one-sided
// p-values "row better than column" (better = higher for accuracies, lower for losses, time
// and evaluation counts) by Mann-Whitney U, or by the Wilcoxon signed-rank test over runs
// matched by index (seed) when paired; Holm's correction over the table's comparisons; the
// Vargha-Delaney A12 of each pair; and the best marks: the optimizer significantly better than
// every other (after Holm), or when there is none, every optimizer that no other is
// significantly better than (tied best).

import { DEFAULT_METRICS } from '../api-names.ts';
import { holmAdjust } from './holm.ts';
import { varghaDelaneyA12 } from './effect-size.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { type Summary, summarize } from './summary.ts';
import { wilcoxonSignedRank } from './wilcoxon.ts';

export interface ResultRun {
  /** Run index (the reference CSV's first column; the seed offset of Evolab's runs). */
  readonly index: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Extra non-numeric columns of a result file, kept as text. */
  readonly extra?: Readonly<Record<string, string>>;
}

export interface ResultEpoch {
  readonly run: number;
  readonly epoch: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The runs of one optimizer on one data set. */
export interface ResultGroup {
  readonly dataset: string;
  readonly optimizer: string;
  /** Where they came from (a file name, an experiment). */
  readonly source: string;
  readonly runs: readonly ResultRun[];
  readonly epochs: readonly ResultEpoch[] | null;
}

export type Better = 'higher' | 'lower';

export function betterDirection(metric: string): Better {
  return /acc/.test(metric) ? 'higher' : 'lower';
}

export interface ComparisonRow {
  readonly optimizer: string;
  readonly n: number;
  readonly summary: Summary | null;
  readonly best: boolean;
}

export interface ComparisonTable {
  readonly dataset: string;
  readonly metric: string;
  readonly better: Better;
  readonly test: 'mann-whitney' | 'wilcoxon';
  readonly alpha: number;
  readonly rows: readonly ComparisonRow[];
  /** p[i][j]: one-sided p-value that row i is better than column j; null on the diagonal or when undefined. */
  readonly pValues: readonly (readonly (number | null)[])[];
  /** The same, Holm-adjusted over every p-value of this table. */
  readonly adjusted: readonly (readonly (number | null)[])[];
  /** A12 of row i over column j, oriented so that > 0.5 means row i tends to be better. */
  readonly a12: readonly (readonly (number | null)[])[];
  /** The optimizer significantly better than every other, if any. */
  readonly significantBest: string | null;
  readonly notes: readonly string[];
}

export interface CompareOptions {
  readonly metrics?: readonly string[];
  readonly paired?: boolean;
  readonly alpha?: number;
}

export { DEFAULT_METRICS };

function finiteValues(group: ResultGroup, metric: string): { index: number; value: number }[] {
  return group.runs
    .map((r) => ({ index: r.index, value: r.metrics[metric] }))
    .filter((v): v is { index: number; value: number } => v.value !== undefined && Number.isFinite(v.value));
}

function compareOne(dataset: string, metric: string, groups: readonly ResultGroup[], paired: boolean, alpha: number): ComparisonTable {
  const better = betterDirection(metric);
  const alternative = better === 'higher' ? 'greater' : 'less';
  const notes: string[] = [];
  const values = groups.map((g) => finiteValues(g, metric));
  groups.forEach((g, i) => {
    const dropped = g.runs.length - values[i].length;
    if (dropped > 0) notes.push(`${g.optimizer}: ${dropped} run(s) without a finite ${metric} left out`);
    if (values[i].length === 1) notes.push(`${g.optimizer}: one run only, so its tests are undefined`);
  });
  const k = groups.length;
  const pValues: (number | null)[][] = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  const a12: (number | null)[][] = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const row = values[i];
      const col = values[j];
      if (row.length < 2 || col.length < 2) continue;
      const rowValues = row.map((v) => v.value);
      const colValues = col.map((v) => v.value);
      a12[i][j] = better === 'higher' ? varghaDelaneyA12(rowValues, colValues) : varghaDelaneyA12(colValues, rowValues);
      if (paired) {
        const byIndex = new Map(col.map((v) => [v.index, v.value]));
        const pairs = row.filter((v) => byIndex.has(v.index));
        if (pairs.length < 2) continue;
        const result = wilcoxonSignedRank(
          pairs.map((v) => v.value),
          pairs.map((v) => byIndex.get(v.index) ?? Number.NaN),
          { alternative },
        );
        pValues[i][j] = Number.isNaN(result.p) ? null : result.p;
      } else {
        pValues[i][j] = mannWhitneyU(rowValues, colValues, { alternative }).p;
      }
    }
  }
  if (paired) {
    const counts = new Set(values.map((v) => v.length));
    if (counts.size > 1) notes.push('run counts differ: the paired test uses the runs whose index both optimizers have');
  }
  // Holm over every p-value of the table.
  const flat: number[] = [];
  for (const row of pValues) for (const p of row) flat.push(p ?? Number.NaN);
  const flatAdjusted = holmAdjust(flat);
  const adjusted = pValues.map((row, i) => row.map((p, j) => (p === null ? null : flatAdjusted[i * k + j])));
  const significantlyBetter = (i: number, j: number): boolean => {
    const p = adjusted[i][j];
    return p !== null && p < alpha;
  };
  let significantBest: string | null = null;
  for (let i = 0; i < k && k > 1; i++) {
    if (groups.every((_, j) => j === i || significantlyBetter(i, j))) significantBest = groups[i].optimizer;
  }
  const rows = groups.map((g, i) => ({
    optimizer: g.optimizer,
    n: values[i].length,
    summary: values[i].length > 0 ? summarize(values[i].map((v) => v.value)) : null,
    best:
      significantBest !== null
        ? significantBest === g.optimizer
        : values[i].length > 0 && groups.every((_, j) => j === i || !significantlyBetter(j, i)) && k > 0,
  }));
  return { dataset, metric, better, test: paired ? 'wilcoxon' : 'mann-whitney', alpha, rows, pValues, adjusted, a12, significantBest, notes };
}

/** One table per data set and metric, optimizers in the order given. */
export function compareGroups(groups: readonly ResultGroup[], options: CompareOptions = {}): ComparisonTable[] {
  const paired = options.paired ?? false;
  const alpha = options.alpha ?? 0.05;
  const datasets = [...new Set(groups.map((g) => g.dataset))].sort();
  const tables: ComparisonTable[] = [];
  for (const dataset of datasets) {
    const members = groups.filter((g) => g.dataset === dataset);
    const available = new Set(members.flatMap((g) => g.runs.flatMap((r) => Object.keys(r.metrics))));
    const metrics = (options.metrics ?? DEFAULT_METRICS).filter((m) => available.has(m));
    for (const metric of metrics) tables.push(compareOne(dataset, metric, members, paired, alpha));
  }
  return tables;
}
