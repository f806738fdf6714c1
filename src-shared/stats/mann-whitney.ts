// Mann-Whitney U test of two independent samples, with scipy.stats.mannwhitneyu's
// conventions for the asymptotic method: U1 = R1 - n1(n1+1)/2 from mid-ranks, a normal
// approximation with the tie-corrected variance and a continuity correction of 0.5.
// (The exact distribution for small samples without ties comes with the statistics module.)

import { normalSf } from './normal.ts';

export type Alternative = 'two-sided' | 'less' | 'greater';

export interface MannWhitneyResult {
  /** U statistic of the first sample. */
  readonly u: number;
  readonly p: number;
}

/** Mid-ranks (1-based) of the concatenation, and the tie term sum(t^3 - t). */
function rank(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const mid = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k][1]] = mid;
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    start = end + 1;
  }
  return { ranks, tieTerm };
}

/**
 * 'less': the first sample tends to be smaller than the second; 'greater': larger.
 * Matches scipy.stats.mannwhitneyu(x, y, alternative, use_continuity=True, method='asymptotic').
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('both samples need at least one value');
  const n = n1 + n2;
  const { ranks, tieTerm } = rank([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  if (sigma === 0) return { u: u1, p: 1 };
  const z = (u - mu - 0.5) / sigma;
  const p = alternative === 'two-sided' ? Math.min(1, 2 * normalSf(z)) : normalSf(z);
  return { u: u1, p };
}
