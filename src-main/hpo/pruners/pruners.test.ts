// One parametrised test over every pruner of the registry: decisions are deterministic (the
// same question gets the same answer, from the same or a fresh pruner, whatever the order of
// `others`), a trial is never pruned at epoch 1 when no other trial is visible, and a trial
// that is the best at every epoch is never pruned. Then, per pruner, a scripted study whose
// every stop/continue decision is worked out by hand in the comments and asserted.
import { describe, expect, it } from 'vitest';
import { type PrunerConfig, studyConfigSchema } from '../../../src-shared/config/study.ts';
import { continuesFromRung, isRungEpoch } from './asha.ts';
import { bracketBudgets, HyperbandPruner, largestBracket } from './hyperband.ts';
import type { Curve, Pruner, PruneQuestion } from './pruner.ts';
import { createPruner, prunerKinds, prunerRegistry } from './registry.ts';

/** A curve from its values at epochs 1, 2, ... */
function curveOf(values: readonly number[]): Curve {
  return new Map(values.map((v, i) => [i + 1, v]));
}

/** The curve up to and including `epoch`. */
function upTo(curve: Curve, epoch: number): Curve {
  return new Map([...curve].filter(([e]) => e <= epoch));
}

/**
 * A 9-epoch curve for the successive-halving examples (rung epochs 1, 3, 9 when min_resource
 * is 1 and eta 3): v1 at epoch 1, v3 at 3, v9 at 9, and an awful 100 at every other epoch,
 * which no decision may look at.
 */
function rungCurve(v1: number, v3: number, v9: number): Curve {
  return curveOf([v1, 100, v3, 100, 100, 100, 100, 100, v9]);
}

type Outcome = { readonly stoppedAt: number } | 'finished';

/**
 * Runs trials 1..n one after the other: trial k sees the curves of trials 1..k-1 as they were
 * recorded (a stopped trial's curve ends at the epoch it stopped at), and is asked after each
 * of its epochs. Returns how each trial ended.
 */
function simulate(pruner: Pruner, curves: readonly Curve[], maxEpochs: number): Outcome[] {
  const recorded = new Map<number, Curve>();
  const outcomes: Outcome[] = [];
  curves.forEach((full, index) => {
    const trial = index + 1;
    let outcome: Outcome = 'finished';
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      if (pruner.shouldPrune({ trial, epoch, curve: upTo(full, epoch), others: new Map(recorded) })) {
        outcome = { stoppedAt: epoch };
        break;
      }
    }
    recorded.set(trial, upTo(full, outcome === 'finished' ? maxEpochs : outcome.stoppedAt));
    outcomes.push(outcome);
  });
  return outcomes;
}

/** mulberry32: a small deterministic generator for synthetic curves. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n noisy, decreasing learning curves over `epochs` epochs, in (0.5, 3); some diverge to NaN. */
function syntheticCurves(n: number, epochs: number, seed: number): Curve[] {
  const random = generator(seed);
  return Array.from({ length: n }, () => {
    const floor = 0.5 + random();
    const diverges = random() < 0.1 ? 1 + Math.floor(random() * epochs) : Number.POSITIVE_INFINITY;
    return curveOf(Array.from({ length: epochs }, (_, i) => (i + 1 >= diverges ? Number.NaN : floor + 1.5 / (i + 1) + 0.1 * random())));
  });
}

const MAX_EPOCHS = 27;

describe.each(prunerKinds)('%s pruner', (kind) => {
  const config: PrunerConfig = prunerRegistry[kind].defaults;
  const fresh = (): Pruner => createPruner(config, { maxEpochs: MAX_EPOCHS });

  it('has the kind it is registered under', () => {
    expect(fresh().kind).toBe(kind);
  });

  it('decides deterministically: same question, same answer, whatever the order of the other trials', () => {
    const curves = syntheticCurves(40, MAX_EPOCHS, 3);
    const first = simulate(fresh(), curves, MAX_EPOCHS);
    expect(simulate(fresh(), curves, MAX_EPOCHS)).toEqual(first);
    // Something is pruned, so the comparison is not vacuous.
    expect(first.some((o) => o !== 'finished')).toBe(true);
    // Ask every question of trial 40 (seeing trials 1..39 in full) twice on one pruner, on a
    // fresh one, and with `others` in reverse order.
    const pruner = fresh();
    const others = new Map(curves.slice(0, 39).map((c, i) => [i + 1, c]));
    const reversed = new Map([...others].reverse());
    for (let epoch = 1; epoch <= MAX_EPOCHS; epoch++) {
      const question: PruneQuestion = { trial: 40, epoch, curve: upTo(curves[39], epoch), others };
      const answer = pruner.shouldPrune(question);
      expect(pruner.shouldPrune(question)).toBe(answer);
      expect(fresh().shouldPrune(question)).toBe(answer);
      expect(fresh().shouldPrune({ ...question, others: reversed })).toBe(answer);
    }
  });

  it('never prunes at epoch 1 when no other trial is visible', () => {
    const pruner = fresh();
    for (let trial = 1; trial <= 40; trial++) {
      for (const value of [0.1, 1, 1e9, Number.POSITIVE_INFINITY, Number.NaN]) {
        expect(pruner.shouldPrune({ trial, epoch: 1, curve: curveOf([value]), others: new Map() })).toBe(false);
      }
    }
  });

  it('never prunes a trial that is the best at every epoch', () => {
    const curves = syntheticCurves(60, MAX_EPOCHS, 11);
    // Every synthetic value is above 0.5; the best trial is below it at every epoch.
    const best = curveOf(Array.from({ length: MAX_EPOCHS }, (_, i) => 0.4 - 0.01 * i));
    const pruner = fresh();
    // As trial k, after k - 1 visible trials (k = 61 sees all 60), for every k.
    for (let trial = 1; trial <= 61; trial++) {
      const others = new Map(curves.slice(0, trial - 1).map((c, i) => [i + 1, c]));
      for (let epoch = 1; epoch <= MAX_EPOCHS; epoch++) {
        expect(pruner.shouldPrune({ trial, epoch, curve: upTo(best, epoch), others })).toBe(false);
      }
    }
  });
});

describe('pruner registry', () => {
  it('has the study schema defaults for every pruner', () => {
    for (const kind of prunerKinds) {
      const parsed = studyConfigSchema.parse({ base: {}, space: { 'optimizer.lr': { type: 'uniform', low: 0, high: 1 } }, tune: { pruning: { type: kind } } });
      expect(parsed.tune?.pruning).toEqual(prunerRegistry[kind].defaults);
    }
  });

  it("gives Hyperband the base config's max_epochs when the config has no max_resource", () => {
    const implicit = createPruner({ type: 'hyperband', min_resource: 1, reduction_factor: 3 }, { maxEpochs: 9 });
    const explicit = createPruner({ type: 'hyperband', min_resource: 1, reduction_factor: 3, max_resource: 9 }, { maxEpochs: 100 });
    expect(implicit).toBeInstanceOf(HyperbandPruner);
    expect((implicit as HyperbandPruner).budgets).toEqual([9, 5, 3]);
    expect((explicit as HyperbandPruner).budgets).toEqual([9, 5, 3]);
  });
});

describe('median pruner: a hand-worked study', () => {
  // Trials 1..6 are visible (finished before the judged trial 7 was proposed):
  //   trial:    1   2    3    4    5    6
  //   epoch 1:  9   8    7    6    5    4
  //   epoch 2:  5   7   NaN   9    -   Inf     (- : trial 5 stopped after epoch 1)
  //   epoch 3:  4   6   NaN   8    -    2
  // Finite values at epoch 2: 5, 7, 9 (NaN, Inf and the missing epoch left out) -> median 7.
  // Finite values at epoch 3: 2, 4, 6, 8 -> median (4 + 6) / 2 = 5.
  // Finite values at epoch 1: 4, 5, 6, 7, 8, 9 -> median (6 + 7) / 2 = 6.5.
  const others = new Map<number, Curve>([
    [1, curveOf([9, 5, 4])],
    [2, curveOf([8, 7, 6])],
    [3, curveOf([7, Number.NaN, Number.NaN])],
    [4, curveOf([6, 9, 8])],
    [5, curveOf([5])],
    [6, curveOf([4, Number.POSITIVE_INFINITY, 2])],
  ]);
  const pruner = createPruner({ type: 'median', startup_trials: 3, warmup_epochs: 1 }, { maxEpochs: 3 });
  /** Trial 7's decision at `epoch` when its value there is `value` (earlier epochs: 0). */
  const prunes = (epoch: number, value: number, visible: ReadonlyMap<number, Curve> = others, p: Pruner = pruner): boolean =>
    p.shouldPrune({ trial: 7, epoch, curve: curveOf([...Array.from({ length: epoch - 1 }, () => 0), value]), others: visible });

  it('never judges the warmup epochs', () => {
    // warmup_epochs 1: epoch 1 is not judged, however bad (6 values there, median 6.5).
    expect(prunes(1, 100)).toBe(false);
    expect(prunes(1, Number.NaN)).toBe(false);
  });

  it('stops a trial strictly above the median (odd count at epoch 2: median 7)', () => {
    expect(prunes(2, 7)).toBe(false); // equal to the median: goes on
    expect(prunes(2, 7.5)).toBe(true);
    expect(prunes(2, 1)).toBe(false);
  });

  it('uses the mean of the two middle values for an even count (epoch 3: median 5)', () => {
    expect(prunes(3, 5)).toBe(false);
    expect(prunes(3, 5.5)).toBe(true);
    expect(prunes(3, 4.5)).toBe(false);
    // With warmup_epochs 0, epoch 1 is judged: median of 4..9 is 6.5.
    const eager = createPruner({ type: 'median', startup_trials: 3, warmup_epochs: 0 }, { maxEpochs: 3 });
    expect(prunes(1, 6.5, others, eager)).toBe(false);
    expect(prunes(1, 7, others, eager)).toBe(true);
  });

  it('waits for startup_trials finite values at the epoch', () => {
    // Only trials 1, 3 and 5 visible: at epoch 2 their finite values are just trial 1's 5
    // (trial 3 diverged, trial 5 stopped): 1 < 3 startup trials, so nothing is pruned.
    const few = new Map([...others].filter(([t]) => t === 1 || t === 3 || t === 5));
    expect(prunes(2, 100, few)).toBe(false);
    expect(prunes(2, Number.NaN, few)).toBe(false);
    // Trials 1, 2, 3 visible: epoch 2 has 5 and 7, still 2 < 3; epoch 3 has 4 and 6, 2 < 3.
    const three = new Map([...others].filter(([t]) => t <= 3));
    expect(prunes(2, 100, three)).toBe(false);
    expect(prunes(3, 100, three)).toBe(false);
  });

  it('keeps the earlier rule for a NaN value (never "greater than" the median); Infinity is', () => {
    expect(prunes(2, Number.NaN)).toBe(false);
    expect(prunes(3, Number.POSITIVE_INFINITY)).toBe(true);
  });
});

describe('ASHA pruner: a hand-worked study', () => {
  it('places rungs at min_resource * eta^(s + k)', () => {
    const rungs = (minResource: number, reductionFactor: number, minEarlyStoppingRate: number): number[] =>
      Array.from({ length: 40 }, (_, i) => i + 1).filter((e) => isRungEpoch(e, { minResource, reductionFactor, minEarlyStoppingRate }));
    expect(rungs(1, 3, 0)).toEqual([1, 3, 9, 27]);
    expect(rungs(1, 3, 1)).toEqual([3, 9, 27]);
    expect(rungs(2, 2, 1)).toEqual([4, 8, 16, 32]);
    expect(rungs(5, 4, 0)).toEqual([5, 20]);
  });

  it('keeps the top 1/eta of a rung (index max(0, floor(n / eta) - 1), NaN last)', () => {
    // Alone: continues, whatever its value.
    expect(continuesFromRung(5, [], 3)).toBe(true);
    expect(continuesFromRung(Number.NaN, [], 3)).toBe(true);
    // n = 2 < eta = 3: index 0, the trial must be the best.
    expect(continuesFromRung(1, [1], 3)).toBe(true);
    expect(continuesFromRung(1.5, [1], 3)).toBe(false);
    // n = 6, eta 3: index 1, the best two go on. Sorted: 1 2 3 4 5 NaN.
    expect(continuesFromRung(2, [1, 3, 4, 5, Number.NaN], 3)).toBe(true);
    expect(continuesFromRung(3, [1, 2, 4, 5, Number.NaN], 3)).toBe(false);
    // n = 4, eta 2: index 1. Sorted: 1 NaN NaN (+ the trial): a number beats a NaN threshold,
    // a NaN trial with competitors never goes on.
    expect(continuesFromRung(7, [1, Number.NaN, Number.NaN], 2)).toBe(true);
    expect(continuesFromRung(Number.NaN, [1, Number.NaN, Number.NaN], 2)).toBe(false);
    expect(continuesFromRung(Number.NaN, [Number.NaN], 2)).toBe(false);
  });

  it('stops the scripted trials at rung epochs 1, 3 and 9 (reduction_factor 3, min_resource 1)', () => {
    // Rungs at 1, 3, 9; epochs 2, 4..8 hold an awful 100 that no decision looks at. Trials run
    // one after the other; a trial that stops keeps its values up to that epoch, so it still
    // competes at the rungs it reached. n = competing values (the trial's own included),
    // i = max(0, floor(n / 3) - 1); continue iff value <= sorted[i].
    //   trial (v1, v3, v9)
    //   1 (.50, .40, .30)  e1 alone; e3 alone; e9 alone                           -> finishes
    //   2 (.60, .50, .40)  e1 n=2 i=0 [.50 .60]: .60 > .50                        -> stops at 1
    //   3 (.45, .35, .25)  e1 n=3 i=0 [.45 .50 .60]: best, goes on;
    //                      e3 n=2 (1: .40) .35 best; e9 n=2 (1: .30) .25 best     -> finishes
    //   4 (.55, .45, .35)  e1 n=4 i=0 [.45 .50 .55 .60]: .55 > .45               -> stops at 1
    //   5 (.40, .38, .30)  e1 n=5 i=0: .40 is the best, goes on;
    //                      e3 reached by 1 (.40), 3 (.35): n=3 i=0, .38 > .35     -> stops at 3
    //   6 (.44, .30, .28)  e1 n=6 i=1 [.40 .44 .45 .50 .55 .60]: .44 <= .44, on;
    //                      e3 (1 .40, 3 .35, 5 .38) n=4 i=0: .30 best, on;
    //                      e9 (1 .30, 3 .25) n=3 i=0: .28 > .25                   -> stops at 9
    //   7 (NaN ...)        e1 n=7 i=1 [.40 .44 .45 .50 .55 .60 NaN]: NaN stops    -> stops at 1
    //   8 (.42, .29, .20)  e1 n=8 i=1 [.40 .42 .44 .45 .50 .55 .60 NaN]: .42 <= .42, on;
    //                      e3 (1 .40, 3 .35, 5 .38, 6 .30) n=5 i=0: .29 best, on;
    //                      e9 (1 .30, 3 .25, 6 .28) n=4 i=0: .20 best             -> finishes
    //   9 (.41, .295, .22) e1 n=9 i=2 [.40 .41 .42 .44 .45 .50 .55 .60 NaN]: .41 <= .42, on;
    //                      e3 (1 .40, 3 .35, 5 .38, 6 .30, 8 .29) n=6 i=1
    //                         [.29 .295 .30 .35 .38 .40]: .295 <= .295, on;
    //                      e9 (1 .30, 3 .25, 6 .28, 8 .20) n=5 i=0: .22 > .20    -> stops at 9
    // Rung 1 stops 2, 4, 7 (of 9); rung 3 stops 5 (of 6 there); rung 9 stops 6, 9 (of 5 there).
    const curves = [
      rungCurve(0.5, 0.4, 0.3),
      rungCurve(0.6, 0.5, 0.4),
      rungCurve(0.45, 0.35, 0.25),
      rungCurve(0.55, 0.45, 0.35),
      rungCurve(0.4, 0.38, 0.3),
      rungCurve(0.44, 0.3, 0.28),
      rungCurve(Number.NaN, Number.NaN, Number.NaN),
      rungCurve(0.42, 0.29, 0.2),
      rungCurve(0.41, 0.295, 0.22),
    ];
    const pruner = createPruner({ type: 'asha', min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 0 }, { maxEpochs: 9 });
    expect(simulate(pruner, curves, 9)).toEqual([
      'finished',
      { stoppedAt: 1 },
      'finished',
      { stoppedAt: 1 },
      { stoppedAt: 3 },
      { stoppedAt: 9 },
      { stoppedAt: 1 },
      'finished',
      { stoppedAt: 9 },
    ]);
  });

  it('skips the first rungs with min_early_stopping_rate', () => {
    // Rate 1: rungs at 3 and 9. Trial 2's epoch 1 (.60 against trial 1's .50) is not judged;
    // at epoch 3 it is compared with trial 1 (.50 vs .40): .50 > .40 stops it there.
    const pruner = createPruner({ type: 'asha', min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 1 }, { maxEpochs: 9 });
    expect(simulate(pruner, [rungCurve(0.5, 0.4, 0.3), rungCurve(0.6, 0.5, 0.4)], 9)).toEqual(['finished', { stoppedAt: 3 }]);
  });
});

describe('Hyperband pruner: a hand-worked study', () => {
  it('has S + 1 brackets with the budgets of Hyperband / Optuna', () => {
    // S = floor(log_eta(max / min)); budget_s = ceil((S + 1) eta^(S - s) / (S - s + 1)).
    // min 1, max 9, eta 3: S = 2; budgets ceil(3*9/3) = 9, ceil(3*3/2) = 5, ceil(3*1/1) = 3.
    expect(largestBracket({ minResource: 1, maxResource: 9, reductionFactor: 3 })).toBe(2);
    expect(bracketBudgets({ minResource: 1, maxResource: 9, reductionFactor: 3 })).toEqual([9, 5, 3]);
    // min 1, max 8, eta 3: 3^2 = 9 > 8, so S = 1; budgets ceil(2*3/2) = 3, ceil(2*1/1) = 2.
    expect(bracketBudgets({ minResource: 1, maxResource: 8, reductionFactor: 3 })).toEqual([3, 2]);
    // min 1, max 81, eta 3 (the paper's Table 1 for R = 81): S = 4; n = 81, 34, 15, 8, 5.
    expect(bracketBudgets({ minResource: 1, maxResource: 81, reductionFactor: 3 })).toEqual([81, 34, 15, 8, 5]);
    // min 10, max 1000, eta 10: S = 2 (exactly, no floating log); 3*100/3 = 100, 3*10/2 = 15, 3.
    expect(bracketBudgets({ minResource: 10, maxResource: 1000, reductionFactor: 10 })).toEqual([100, 15, 3]);
    // max below min: one bracket.
    expect(bracketBudgets({ minResource: 20, maxResource: 9, reductionFactor: 3 })).toEqual([1]);
  });

  it('assigns trial numbers to brackets by smooth weighted round-robin over the budgets', () => {
    // Budgets 9, 5, 3 (total 17). Counters start at 0; each trial adds the budgets, takes the
    // largest counter (lowest s on ties) and subtracts 17 from it:
    //   t  counters+budgets  pick  after
    //   1  [ 9,  5,  3]      0     [-8,  5,  3]
    //   2  [ 1, 10,  6]      1     [ 1, -7,  6]
    //   3  [10, -2,  9]      0     [-7, -2,  9]
    //   4  [ 2,  3, 12]      2     [ 2,  3, -5]
    //   5  [11,  8, -2]      0     [-6,  8, -2]
    //   6  [ 3, 13,  1]      1     [ 3, -4,  1]
    //   7  [12,  1,  4]      0     [-5,  1,  4]
    //   8  [ 4,  6,  7]      2     [ 4,  6,-10]
    //   9  [13, 11, -7]      0     [-4, 11, -7]
    //  10  [ 5, 16, -4]      1     [ 5, -1, -4]
    //  11  [14,  4, -1]      0     [-3,  4, -1]
    //  12  [ 6,  9,  2]      1     [ 6, -8,  2]
    //  13  [15, -3,  5]      0     [-2, -3,  5]
    //  14  [ 7,  2,  8]      2     [ 7,  2, -9]
    //  15  [16,  7, -6]      0     [-1,  7, -6]
    //  16  [ 8, 12, -3]      1     [ 8, -5, -3]
    //  17  [17,  0,  0]      0     [ 0,  0,  0]   back to the start: trial 18 is trial 1 again.
    const pruner = new HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
    const brackets = Array.from({ length: 34 }, (_, i) => pruner.bracketOf(i + 1));
    const cycle = [0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 1, 0, 2, 0, 1, 0];
    expect(brackets).toEqual([...cycle, ...cycle]);
    // Asked out of order, from a fresh pruner: the same brackets.
    const other = new HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
    expect(other.bracketOf(30)).toBe(brackets[29]);
    expect(other.bracketOf(4)).toBe(2);
  });

  it('gives each bracket exactly its budget in every cycle of total-budget trials', () => {
    for (const [minResource, maxResource, reductionFactor] of [
      [1, 9, 3],
      [1, 27, 3],
      [1, 16, 2],
      [2, 100, 2],
      [1, 625, 5],
      [1, 1, 3],
    ]) {
      const pruner = new HyperbandPruner({ minResource, maxResource, reductionFactor });
      const total = pruner.budgets.reduce((a, b) => a + b, 0);
      for (let cycle = 0; cycle < 3; cycle++) {
        const counts = pruner.budgets.map(() => 0);
        for (let t = cycle * total + 1; t <= (cycle + 1) * total; t++) counts[pruner.bracketOf(t)]++;
        expect(counts).toEqual(pruner.budgets);
      }
    }
  });

  it('runs successive halving within each bracket only (min 1, max 9, eta 3)', () => {
    // Brackets of trials 1..9: 0 1 0 2 0 1 0 2 0 (above). Bracket s judges at 3^(s + k):
    // bracket 0 at epochs 1, 3, 9; bracket 1 at 3, 9; bracket 2 at 9 only. A trial competes
    // with the visible trials of its own bracket; n and i = max(0, floor(n / 3) - 1) as in ASHA.
    //   trial [bracket] (v1, v3, v9)
    //   1 [0] (.50, .40, .30)    e1, e3, e9: alone in bracket 0                    -> finishes
    //   2 [1] (.90, .80, .70)    e1 is no rung of bracket 1 (.90 would lose to trial 1's
    //                            .50 in bracket 0); e3, e9: no other bracket-1 trial -> finishes
    //   3 [0] (.60, .50, .40)    e1 (1: .50) n=2 i=0: .60 > .50                      -> stops at 1
    //   4 [2] (1.0, 1.0, .60)    only e9 is judged: alone in bracket 2              -> finishes
    //   5 [0] (.45, .42, .35)    e1 (1 .50, 3 .60) n=3 i=0: .45 best, on;
    //                            e3 (1 .40) n=2: .42 > .40                         -> stops at 3
    //   6 [1] (.95, .85, .75)    e3 (2 .80) n=2: .85 > .80                         -> stops at 3
    //   7 [0] (.40, .35, .32)    e1 (1 .50, 3 .60, 5 .45) n=4 i=0: .40 best, on;
    //                            e3 (1 .40, 5 .42) n=3 i=0: .35 best, on;
    //                            e9 (1 .30) n=2: .32 > .30                         -> stops at 9
    //   8 [2] (1.0, 1.0, .55)    e9 (4 .60) n=2: .55 best                           -> finishes
    //                            (pooled with every trial at e9: 1 .30, 2 .70, 4 .60, 7 .32
    //                            and .55, n=5 i=0, it would stop: brackets are separate)
    //   9 [0] (.48, .45, .40)    e1 (1 .50, 3 .60, 5 .45, 7 .40) n=5 i=0: .48 > .40  -> stops at 1
    const curves = [
      rungCurve(0.5, 0.4, 0.3),
      rungCurve(0.9, 0.8, 0.7),
      rungCurve(0.6, 0.5, 0.4),
      rungCurve(1, 1, 0.6),
      rungCurve(0.45, 0.42, 0.35),
      rungCurve(0.95, 0.85, 0.75),
      rungCurve(0.4, 0.35, 0.32),
      rungCurve(1, 1, 0.55),
      rungCurve(0.48, 0.45, 0.4),
    ];
    const pruner = createPruner({ type: 'hyperband', min_resource: 1, max_resource: 9, reduction_factor: 3 }, { maxEpochs: 9 });
    expect(simulate(pruner, curves, 9)).toEqual([
      'finished',
      'finished',
      { stoppedAt: 1 },
      'finished',
      { stoppedAt: 3 },
      { stoppedAt: 3 },
      { stoppedAt: 9 },
      'finished',
      { stoppedAt: 1 },
    ]);
    // The pooled alternative of trial 8's last decision: plain ASHA over all trials stops it.
    const asha = createPruner({ type: 'asha', min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 0 }, { maxEpochs: 9 });
    const atNine = new Map<number, Curve>([
      [1, curves[0]],
      [2, curves[1]],
      [4, curves[3]],
      [7, curves[6]],
    ]);
    expect(asha.shouldPrune({ trial: 8, epoch: 9, curve: curves[7], others: atNine })).toBe(true);
    expect(pruner.shouldPrune({ trial: 8, epoch: 9, curve: curves[7], others: atNine })).toBe(false);
  });
});
