// Vargha-Delaney A12 effect size (Vargha & Delaney 2000, "A critique and improvement of the CL
// common language effect size statistics of McGraw and Wong", J. Educ. Behav. Stat. 25:101-132,
// eq. 14): A12 = P(X > Y) + 0.5 P(X = Y) = U1 / (n1 n2). 0.5 means no effect; their
// thresholds for |A12 - 0.5|: 0.06 small, 0.14 medium, 0.21 large.

import { midRanks } from './rank.ts';

export function varghaDelaneyA12(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) return Number.NaN;
  const { ranks } = midRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < x.length; i++) r1 += ranks[i];
  return (r1 - (x.length * (x.length + 1)) / 2) / (x.length * y.length);
}

export type EffectMagnitude = 'negligible' | 'small' | 'medium' | 'large';

export function a12Magnitude(a12: number): EffectMagnitude {
  const distance = Math.abs(a12 - 0.5);
  if (distance < 0.06) return 'negligible';
  if (distance < 0.14) return 'small';
  if (distance < 0.21) return 'medium';
  return 'large';
}
