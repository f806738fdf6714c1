// Hyperband (Li et al. 2018, "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
// Optimization", JMLR 18(185), Algorithm 1), asynchronous as Optuna's HyperbandPruner
// (optuna/pruners/_hyperband.py): several successive-halving brackets that trade the number
// of trials against how early they are judged, each trial assigned to one bracket.
//   - Brackets s = 0 .. S with S = floor(log_eta(max_resource / min_resource)), computed with
//     integers as the largest S with min_resource * eta^S <= max_resource (S = 0 when
//     max_resource < min_resource). Bracket s is successive halving (asha.ts) with
//     min_early_stopping_rate s: its rungs sit at min_resource * eta^(s + k). Bracket 0 is the
//     most aggressive (first judged at min_resource); bracket S is first judged at
//     min_resource * eta^S (= max_resource when max / min is a power of eta), so its trials
//     train in full, like the paper's bracket without early stopping.
//   - Each bracket gets a share of the trials proportional to its budget, the paper's number of
//     starting configurations n = ceil((S + 1) eta^(S - s) / (S - s + 1)), exactly as Optuna
//     computes it (_calculate_trial_allocation_budget); e.g. min 1, max 9, eta 3: 9, 5, 3.
//   - Optuna picks the bracket as crc32("<study name>_<trial number>") mod the total budget,
//     a hash. Here the bracket comes from the trial number alone, by a deterministic smooth
//     weighted round-robin (the interleaved weighted round-robin of nginx): keep a counter per
//     bracket, all 0 before trial 1; for trial t = 1, 2, ... add each bracket's budget to its
//     counter, give trial t the bracket with the largest counter (the lowest s on a tie), and
//     subtract the total budget from that bracket's counter. Every run of `total` consecutive
//     trials from trial 1 then holds exactly budget_s trials of bracket s, spread evenly rather
//     than in blocks, so a short study still samples every bracket. For 9, 5, 3 the trials
//     1..17 get brackets 0 1 0 2 0 1 0 2 0 1 0 1 0 2 0 1 0, and trial 18 starts the cycle again.
//   - Within its bracket a trial competes only with the visible trials of the same bracket
//     (their bracket is recomputed from their trial numbers), as Optuna's _BracketStudy does.
// max_resource is the epochs of a fully trained trial; the registry passes the base config's
// max_epochs when the study config leaves it out.

import { type SuccessiveHalvingOptions, successiveHalvingShouldPrune } from './asha.ts';
import type { Curve, Pruner, PruneQuestion } from './pruner.ts';

export interface HyperbandOptions {
  readonly minResource: number;
  readonly maxResource: number;
  readonly reductionFactor: number;
}

/** S: the largest integer with minResource * eta^S <= maxResource (0 when none is). */
export function largestBracket(options: HyperbandOptions): number {
  let s = 0;
  let resource = options.minResource * options.reductionFactor;
  while (resource <= options.maxResource) {
    s++;
    resource *= options.reductionFactor;
  }
  return s;
}

/** Budget of each bracket s = 0..S: ceil((S + 1) eta^(S - s) / (S - s + 1)) (Optuna's allocation). */
export function bracketBudgets(options: HyperbandOptions): number[] {
  const top = largestBracket(options);
  const budgets: number[] = [];
  for (let s = 0; s <= top; s++) {
    const rounds = top - s;
    budgets.push(Math.ceil(((top + 1) * options.reductionFactor ** rounds) / (rounds + 1)));
  }
  return budgets;
}

export class HyperbandPruner implements Pruner {
  readonly kind = 'hyperband' as const;
  /** Budget (share of trials) of each bracket s = 0..S. */
  readonly budgets: readonly number[];
  private readonly options: HyperbandOptions;
  private readonly total: number;
  /** Round-robin counters after `assigned.length` trials, and the bracket of each such trial. */
  private readonly counters: number[];
  private readonly assigned: number[] = [];

  constructor(options: HyperbandOptions) {
    this.options = options;
    this.budgets = bracketBudgets(options);
    this.total = this.budgets.reduce((sum, b) => sum + b, 0);
    this.counters = this.budgets.map(() => 0);
  }

  /**
   * The bracket of trial number `trial` (1-based): smooth weighted round-robin over the
   * budgets (see the header). Memoised: the answer depends on the trial number only.
   */
  bracketOf(trial: number): number {
    if (!Number.isInteger(trial) || trial < 1) throw new RangeError(`trial numbers start at 1 (got ${trial})`);
    while (this.assigned.length < trial) {
      let best = 0;
      for (let s = 0; s < this.budgets.length; s++) {
        this.counters[s] += this.budgets[s];
        if (this.counters[s] > this.counters[best]) best = s;
      }
      this.counters[best] -= this.total;
      this.assigned.push(best);
    }
    return this.assigned[trial - 1];
  }

  shouldPrune({ trial, epoch, curve, others }: PruneQuestion): boolean {
    const bracket = this.bracketOf(trial);
    const sameBracket: Curve[] = [];
    for (const [number, other] of others) if (this.bracketOf(number) === bracket) sameBracket.push(other);
    const halving: SuccessiveHalvingOptions = {
      minResource: this.options.minResource,
      reductionFactor: this.options.reductionFactor,
      minEarlyStoppingRate: bracket,
    };
    return successiveHalvingShouldPrune(epoch, curve, sameBracket, halving);
  }
}
