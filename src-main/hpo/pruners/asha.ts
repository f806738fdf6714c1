// Asynchronous successive halving, ASHA (Li et al. 2020, "A System for Massively Parallel
// Hyperparameter Tuning", MLSys, Algorithm 2), with the promotion rule of Optuna's
// SuccessiveHalvingPruner (optuna/pruners/_successive_halving.py), which turns ASHA's
// "promote a paused trial when it is in the top 1/eta of its rung" into a stop/continue
// decision for a trial that cannot be paused:
//   - rungs k = 0, 1, 2, ... sit at epochs r_k = min_resource * eta^(s + k), where
//     eta = reduction_factor and s = min_early_stopping_rate; at any other epoch the trial
//     continues (a decision needs values that every competitor reported at the same epoch);
//   - at rung epoch r_k the competing values are the value at r_k of every visible trial that
//     reached r_k (finished, or stopped at r_k or later), plus the trial's own value;
//   - if the trial's value is the only one, it continues (nobody to lose to);
//   - otherwise, with n competing values sorted ascending (NaN last: a diverged trial is the
//     worst), the trial continues iff its value <= the value at index
//     i = max(0, floor(n / eta) - 1): it must be among the best floor(n / eta), i.e. the top
//     1/eta; while n < eta that set is empty, and Optuna (which cannot pause a trial until
//     enough competitors arrive) lets the trial on only if it is the best so far (i = 0).
//   - A NaN value of the trial with at least one competitor stops it (NaN is the worst and,
//     as in Optuna, a diverged trial is never promoted); any number beats a NaN threshold.
// The study decides which trials are visible (those finished before this one was proposed), so
// a decision is a pure function of the question. For ASHA's rungs to mean what the paper means,
// `others` should include the curves of pruned trials too (up to the epoch they stopped at):
// in Optuna every trial that reached a rung, pruned or not, stays among its competitors.

import type { Curve, Pruner, PruneQuestion } from './pruner.ts';

export interface SuccessiveHalvingOptions {
  /** Epochs before the first possible rung, r (rungs at r * eta^(s + k)). */
  readonly minResource: number;
  /** eta: a trial goes on from a rung when it is in the top 1/eta there. */
  readonly reductionFactor: number;
  /** s: skips the first s rungs of r * eta^k (Hyperband's bracket index). */
  readonly minEarlyStoppingRate: number;
}

/** True iff `epoch` is a rung epoch min_resource * eta^(s + k) for some k >= 0. */
export function isRungEpoch(epoch: number, options: SuccessiveHalvingOptions): boolean {
  // Integer multiplication, no logarithms: floor(log(9) / log(3)) and the like may round wrongly.
  let rung = options.minResource * options.reductionFactor ** options.minEarlyStoppingRate;
  while (rung < epoch) rung *= options.reductionFactor;
  return rung === epoch;
}

/** Ascending order with NaN last (a diverged value is the worst). */
function ascendingNanLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * The rung decision: true iff `value` continues among `competitors` (the other trials' values
 * at this rung, not including `value`). See the header for the rule.
 */
export function continuesFromRung(value: number, competitors: readonly number[], reductionFactor: number): boolean {
  if (competitors.length === 0) return true;
  if (Number.isNaN(value)) return false;
  const competing = [...competitors, value].sort(ascendingNanLast);
  const index = Math.max(0, Math.floor(competing.length / reductionFactor) - 1);
  const threshold = competing[index];
  return Number.isNaN(threshold) || value <= threshold;
}

/**
 * Successive halving for one trial against the given curves (Hyperband passes only the curves
 * of the trial's bracket): continue at non-rung epochs, else the rung decision.
 */
export function successiveHalvingShouldPrune(epoch: number, curve: Curve, others: Iterable<Curve>, options: SuccessiveHalvingOptions): boolean {
  if (!isRungEpoch(epoch, options)) return false;
  const value = curve.get(epoch);
  // Nothing reported for this epoch: nothing to judge.
  if (value === undefined) return false;
  const competitors: number[] = [];
  for (const other of others) {
    const v = other.get(epoch);
    if (v !== undefined) competitors.push(v);
  }
  return !continuesFromRung(value, competitors, options.reductionFactor);
}

export class AshaPruner implements Pruner {
  readonly kind = 'asha' as const;
  private readonly options: SuccessiveHalvingOptions;

  constructor(options: SuccessiveHalvingOptions) {
    this.options = options;
  }

  shouldPrune({ epoch, curve, others }: PruneQuestion): boolean {
    return successiveHalvingShouldPrune(epoch, curve, others.values(), this.options);
  }
}
