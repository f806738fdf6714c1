// Wilcoxon signed-rank test of paired samples (runs matched by seed), with
// scipy.stats.wilcoxon's defaults (scipy >= 1.13): d = x - y, zero differences dropped
// (zero_method 'wilcox'), the statistic is R+ (the rank sum of positive differences), no
// continuity correction unless asked, and method 'auto':
//   - more than 50 pairs: asymptotic (normal, tie-corrected variance);
//   - otherwise, without ties or zeros: the exact null distribution of R+;
//   - otherwise, at most 13 pairs: the exact permutation distribution over all 2^n sign
//     flips (what scipy's PermutationMethod computes deterministically for n <= 13);
//   - otherwise asymptotic.
// Exact p-values round a non-integral R+ conservatively (up for 'less', down for 'greater').

import { normalCdf, normalSf } from './normal.ts';
import type { Alternative } from './mann-whitney.ts';
import { midRanks } from './rank.ts';

export interface WilcoxonOptions {
  readonly alternative?: Alternative;
  readonly method?: 'auto' | 'exact' | 'asymptotic';
  readonly correction?: boolean;
}

export interface WilcoxonResult {
  /** R+ for one-sided tests, min(R+, R-) for two-sided (scipy's convention). */
  readonly statistic: number;
  readonly p: number;
  readonly method: 'exact' | 'permutation' | 'asymptotic';
}

/** Counts of subsets of {1..n} by their sum: the null distribution of R+ times 2^n. */
function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = max; s >= k; s--) counts[s] += counts[s - k];
  return counts;
}

function tailProbabilities(nullValues: (value: number) => { le: number; ge: number }, statistic: number, alternative: Alternative): number {
  const { le, ge } = nullValues(statistic);
  if (alternative === 'less') return le;
  if (alternative === 'greater') return ge;
  return Math.min(1, 2 * Math.min(le, ge));
}

export function wilcoxonSignedRank(x: readonly number[], y: readonly number[] | null, options: WilcoxonOptions = {}): WilcoxonResult {
  const { alternative = 'two-sided', method = 'auto', correction = false } = options;
  if (y !== null && y.length !== x.length) throw new Error('paired samples need the same length');
  const all = x.map((v, i) => v - (y === null ? 0 : y[i]));
  const d = all.filter((v) => v !== 0);
  const zeros = all.length - d.length;
  const n = d.length;
  if (n === 0) return { statistic: 0, p: Number.NaN, method: 'asymptotic' };
  const { ranks, tieTerm, hasTies } = midRanks(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  d.forEach((v, i) => {
    if (v > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  });
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;

  let chosen: WilcoxonResult['method'];
  if (method === 'auto') {
    if (all.length > 50) chosen = 'asymptotic';
    else if (!hasTies && zeros === 0) chosen = 'exact';
    else if (all.length <= 13) chosen = 'permutation';
    else chosen = 'asymptotic';
  } else chosen = method;

  if (chosen === 'exact') {
    const counts = signedRankCounts(n);
    const total = 2 ** n;
    const cdf = (k: number) => counts.slice(0, Math.max(0, Math.min(counts.length, k + 1))).reduce((a, b) => a + b, 0) / total;
    const p = tailProbabilities((s) => ({ le: cdf(Math.ceil(s)), ge: 1 - cdf(Math.floor(s) - 1) }), rPlus, alternative);
    return { statistic, p, method: chosen };
  }
  if (chosen === 'permutation') {
    // Every sign assignment of the non-zero differences is equally likely under the null.
    const sums: number[] = [];
    for (let mask = 0; mask < 2 ** n; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) if (mask & (1 << i)) s += ranks[i];
      sums.push(s);
    }
    const tolerance = 1e-12 * Math.max(1, Math.abs(rPlus));
    const p = tailProbabilities(
      (s) => ({ le: sums.filter((v) => v <= s + tolerance).length / sums.length, ge: sums.filter((v) => v >= s - tolerance).length / sums.length }),
      rPlus,
      alternative,
    );
    return { statistic, p, method: chosen };
  }
  const mean = (n * (n + 1)) / 4;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  let z = (rPlus - mean) / se;
  if (correction) {
    const sign = alternative === 'greater' ? 1 : alternative === 'less' ? -1 : Math.sign(z);
    z -= (sign * 0.5) / se;
  }
  const p = alternative === 'less' ? normalCdf(z) : alternative === 'greater' ? normalSf(z) : Math.min(1, 2 * normalSf(Math.abs(z)));
  return { statistic, p, method: chosen };
}
