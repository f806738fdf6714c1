// Mid-ranks (1-based; tied values share the mean of their ranks) and the tie term
// sum(t^3 - t) over groups of t tied values, as both rank tests need them.

export interface Ranking {
  readonly ranks: number[];
  /** sum over tie groups of t^3 - t (0 without ties). */
  readonly tieTerm: number;
  readonly hasTies: boolean;
}

export function midRanks(values: readonly number[]): Ranking {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const mid = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k][1]] = mid;
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    start = end + 1;
  }
  return { ranks, tieTerm, hasTies: tieTerm > 0 };
}
