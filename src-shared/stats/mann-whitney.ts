// Mann-Whitney U test of two independent samples, with scipy.stats.mannwhitneyu's conventions
// (scipy >= 1.7), so p-values match a user's notebook:
//   - the statistic is U1 = R1 - n1(n1+1)/2 of the first sample, from mid-ranks;
//   - 'greater' uses U1, 'less' uses U2 = n1 n2 - U1, 'two-sided' max(U1, U2) and doubles p;
//   - method 'auto' is 'exact' when a sample has at most 8 values and there are no ties,
//     else 'asymptotic';
//   - exact: P(U >= u) under the null distribution of Mann & Whitney (1947), counted exactly;
//   - asymptotic: normal approximation with the tie-corrected variance
//     n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))) and, by default, a continuity
//     correction of 0.5.

import { normalSf } from './normal.ts';
import { midRanks } from './rank.ts';

export type Alternative = 'two-sided' | 'less' | 'greater';
export type TestMethod = 'auto' | 'exact' | 'asymptotic';

export interface MannWhitneyOptions {
  readonly alternative?: Alternative;
  readonly method?: TestMethod;
  readonly continuity?: boolean;
}

export interface MannWhitneyResult {
  /** U statistic of the first sample. */
  readonly u: number;
  readonly p: number;
  readonly method: 'exact' | 'asymptotic';
}

/**
 * P(U >= u) for the null distribution of U with sample sizes m and n: the number of ways m of
 * the m + n ranks give rank sum u + m(m+1)/2, over C(m+n, m). Counts kept as doubles.
 */
export function mannWhitneyExactSf(u: number, m: number, n: number): number {
  const small = Math.min(m, n);
  const total = m + n;
  const maxU = m * n;
  // ways[j][s]: subsets of size j of the ranks seen so far with U-contribution s, where
  // choosing rank r as the j-th smallest contributes r - j (the count of larger-sample values below it).
  let ways: Float64Array[] = Array.from({ length: small + 1 }, () => new Float64Array(maxU + 1));
  ways[0][0] = 1;
  for (let r = 1; r <= total; r++) {
    const next = ways.map((row) => row.slice());
    for (let j = 1; j <= Math.min(small, r); j++) {
      const contribution = r - j;
      if (contribution > total - small) continue;
      const from = ways[j - 1];
      const to = next[j];
      for (let s = 0; s + contribution <= maxU; s++) if (from[s] !== 0) to[s + contribution] += from[s];
    }
    ways = next;
  }
  const counts = ways[small];
  let all = 0;
  let tail = 0;
  for (let s = 0; s <= maxU; s++) {
    all += counts[s];
    if (s >= u) tail += counts[s];
  }
  return tail / all;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[], options: MannWhitneyOptions | Alternative = {}): MannWhitneyResult {
  const { alternative = 'two-sided', method = 'auto', continuity = true } = typeof options === 'string' ? { alternative: options } : options;
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('both samples need at least one value');
  const n = n1 + n2;
  const { ranks, tieTerm, hasTies } = midRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  const factor = alternative === 'two-sided' ? 2 : 1;
  const chosen = method === 'auto' ? ((n1 <= 8 || n2 <= 8) && !hasTies ? 'exact' : 'asymptotic') : method;
  let p: number;
  if (chosen === 'exact') {
    p = mannWhitneyExactSf(Math.round(u), n1, n2);
  } else {
    const mu = (n1 * n2) / 2;
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    if (sigma === 0) return { u: u1, p: 1, method: chosen };
    const z = (u - mu - (continuity ? 0.5 : 0)) / sigma;
    p = normalSf(z);
  }
  return { u: u1, p: Math.min(1, Math.max(0, p * factor)), method: chosen };
}
