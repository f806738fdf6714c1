// Stratified train/val/test split by fractions, from a seed.
//
// Totals are round(fraction * n) for each part (so 0.6/0.2/0.2 of MNIST's 60,000 gives exactly
// 36,000/12,000/12,000), and each total is shared among the classes by the largest-remainder
// method so that every part keeps the class proportions of the whole. Within a class the
// samples are shuffled with the split's own RNG stream.

import { UserInputError } from '../../../src-shared/config/errors.ts';
import { Rng } from '../rng.ts';
import { type Dataset, takeRows } from './dataset.ts';

export interface SplitFractions {
  readonly train: number;
  readonly val: number;
  readonly test: number;
  readonly seed: number;
}

/** Shares `total` among classes in proportion to `classSizes`, never more than a class has. */
function apportion(total: number, classSizes: readonly number[], available: readonly number[]): number[] {
  const n = classSizes.reduce((a, b) => a + b, 0);
  const exact = classSizes.map((size) => (n === 0 ? 0 : (total * size) / n));
  const counts = exact.map((e, c) => Math.min(Math.floor(e), available[c]));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  // Largest remainders first; ties broken by class index so the result is deterministic.
  const order = exact.map((e, c) => ({ c, rest: e - Math.floor(e) })).sort((p, q) => q.rest - p.rest || p.c - q.c);
  while (missing > 0) {
    let progressed = false;
    for (const { c } of order) {
      if (missing === 0) break;
      if (counts[c] < available[c]) {
        counts[c]++;
        missing--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return counts;
}

/** Index lists of a stratified split of `labels` (labels 0 .. classes-1). */
export function stratifiedSplitIndices(labels: Int32Array, classes: number, fractions: SplitFractions): { train: number[]; val: number[]; test: number[] } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const rng = new Rng(fractions.seed, 0x5eed);
  for (const members of byClass) rng.shuffle(members);

  const n = labels.length;
  const sizes = byClass.map((m) => m.length);
  const parts = ['train', 'val', 'test'] as const;
  const taken = new Array<number>(classes).fill(0);
  const result = { train: [] as number[], val: [] as number[], test: [] as number[] };
  for (const part of parts) {
    const total = Math.round(fractions[part] * n);
    const available = sizes.map((s, c) => s - taken[c]);
    const counts = apportion(total, sizes, available);
    for (let c = 0; c < classes; c++) {
      result[part].push(...byClass[c].slice(taken[c], taken[c] + counts[c]));
      taken[c] += counts[c];
    }
  }
  return result;
}

/**
 * Refuses a split that leaves a part empty: no training or validation rows (a run would "finish"
 * with NaN metrics), or no test rows although a test fraction was asked for.
 */
export function checkSplitSizes(rows: number, fractions: SplitFractions): UserInputError[] {
  const problems: UserInputError[] = [];
  for (const part of ['train', 'val', 'test'] as const) {
    if (part === 'test' && fractions.test === 0) continue;
    if (Math.round(fractions[part] * rows) === 0) {
      problems.push(
        new UserInputError(
          `dataset.split.${part}`,
          `${fractions[part]} of ${rows} rows leaves no ${part === 'val' ? 'validation' : part === 'train' ? 'training' : 'test'} rows; expected at least ${(0.5 / rows).toPrecision(2)}`,
        ),
      );
    }
  }
  return problems;
}

/** The three stratified parts of `data`. */
export function stratifiedSplit(data: Dataset, fractions: SplitFractions): { train: Dataset; val: Dataset; test: Dataset } {
  const [problem] = checkSplitSizes(data.size, fractions);
  if (problem !== undefined) throw problem;
  const indices = stratifiedSplitIndices(data.y, data.classes, fractions);
  return { train: takeRows(data, indices.train), val: takeRows(data, indices.val), test: takeRows(data, indices.test) };
}
