// Median stopping rule (Golovin et al. 2017, "Google Vizier: A Service for Black-Box
// Optimization", KDD, automated early stopping), in the simple form of Optuna's MedianPruner
// (its PercentilePruner at the 50th percentile): a trial whose value at an epoch is worse than
// the median of the earlier trials' values at that same epoch stops.
// This is the rule the tuning study applied before pruners were pluggable, kept as it was:
//   - no decision while `epoch <= warmup_epochs` (early epochs are too noisy to judge);
//   - the visible trials' values at this epoch are collected, finite ones only (a diverged or
//     missing epoch of another trial says nothing about where the median lies);
//   - fewer than `startup_trials` of them: no decision (too few to estimate a median);
//   - otherwise stop iff the trial's value is strictly greater than their median (the mean of
//     the two middle values for an even count), so a trial equal to the median goes on.
// A NaN value of the trial itself (diverged) is not "greater than" the median, so this rule
// lets it run on, as before (Optuna would prune it); its sampler is told Infinity at the end.
// Unlike Optuna, the trial's value at this epoch is compared (not its best value so far), and
// startup counts the values at this epoch (not the completed trials): the study's old rule.

import type { Pruner, PruneQuestion } from './pruner.ts';

export interface MedianPrunerOptions {
  /** Finite values of other trials needed at an epoch before anything is pruned there. */
  readonly startupTrials: number;
  /** Epochs 1..warmupEpochs are never judged. */
  readonly warmupEpochs: number;
}

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class MedianPruner implements Pruner {
  readonly kind = 'median' as const;
  private readonly options: MedianPrunerOptions;

  constructor(options: MedianPrunerOptions) {
    this.options = options;
  }

  shouldPrune({ epoch, curve, others }: PruneQuestion): boolean {
    if (epoch <= this.options.warmupEpochs) return false;
    const value = curve.get(epoch);
    // Nothing reported for this epoch: nothing to judge.
    if (value === undefined) return false;
    const peers: number[] = [];
    for (const other of others.values()) {
      const v = other.get(epoch);
      if (v !== undefined && Number.isFinite(v)) peers.push(v);
    }
    if (peers.length < this.options.startupTrials || peers.length === 0) return false;
    // NaN > median is false: a diverged trial is not pruned by this rule (as before; the
    // median rule is kept exactly as it was).
    return value > median(peers);
  }
}
