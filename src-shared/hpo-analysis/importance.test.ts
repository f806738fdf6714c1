// PED-ANOVA importance on synthetic studies whose answer is known: only the parameters the
// objective depends on may rank first, the others must sit near zero (issue 14, acceptance 6).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engine/rng.ts';
import { type ImportanceParameter, type ImportanceTrial, MIN_TRIALS, pearsonDivergence, pedAnovaImportance, scottBandwidth } from './importance.ts';

const numeric = (path: string, type: 'uniform' | 'loguniform', low: number, high: number): ImportanceParameter => ({
  path,
  type,
  log: type === 'loguniform',
  low,
  high,
  choices: [],
});

const SPACE: ImportanceParameter[] = [
  numeric('x1', 'uniform', 0, 1),
  numeric('x2', 'loguniform', 1e-4, 1),
  numeric('x3', 'uniform', -5, 5),
  numeric('x4', 'loguniform', 1, 1000),
  { path: 'x5', type: 'int', log: false, low: 1, high: 8, choices: [] },
];

/** 200 random trials where only x1 and x2 matter: (x1 − 0.3)² + 3 (ln x2 − ln 0.01)² / 100 + tiny noise. */
function syntheticTrials(seed: number, count = 200): ImportanceTrial[] {
  const rng = new Rng(seed);
  const trials: ImportanceTrial[] = [];
  for (let i = 0; i < count; i++) {
    const params = {
      x1: rng.uniform(),
      x2: Math.exp(Math.log(1e-4) + rng.uniform() * (Math.log(1) - Math.log(1e-4))),
      x3: -5 + 10 * rng.uniform(),
      x4: Math.exp(rng.uniform() * Math.log(1000)),
      x5: 1 + rng.integer(8),
    };
    const value = (params.x1 - 0.3) ** 2 + (3 * (Math.log(params.x2) - Math.log(0.01)) ** 2) / 100 + 1e-4 * rng.normal();
    trials.push({ params, value });
  }
  return trials;
}

describe('PED-ANOVA importance', () => {
  it('ranks the two parameters the objective depends on first, the other three near zero', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = pedAnovaImportance({ trials: syntheticTrials(seed), space: SPACE, direction: 'minimize' });
      if (!result.ok) throw new Error(result.reason);
      expect(result.trials).toBe(200);
      expect(result.topTrials).toBe(20);
      expect(new Set(result.importances.slice(0, 2).map((i) => i.path))).toEqual(new Set(['x1', 'x2']));
      const sum = result.importances.reduce((s, i) => s + i.importance, 0);
      expect(sum).toBeCloseTo(1, 12);
      const relevant = result.importances.filter((i) => i.path === 'x1' || i.path === 'x2');
      const irrelevant = result.importances.filter((i) => i.path !== 'x1' && i.path !== 'x2');
      expect(relevant.reduce((s, i) => s + i.importance, 0)).toBeGreaterThan(0.75);
      // Near zero: what is left is the sampling noise of 20 top trials (an 8-valued int is the noisiest).
      expect(irrelevant.reduce((s, i) => s + i.importance, 0)).toBeLessThan(0.2);
      for (const i of irrelevant) expect(i.importance).toBeLessThan(0.15);
      // Sorted, most important first.
      for (let k = 1; k < result.importances.length; k++) expect(result.importances[k - 1].importance).toBeGreaterThanOrEqual(result.importances[k].importance);
    }
  });

  it('reads the direction: maximising the negated objective gives the same importances', () => {
    const trials = syntheticTrials(7);
    const min = pedAnovaImportance({ trials, space: SPACE, direction: 'minimize' });
    const max = pedAnovaImportance({ trials: trials.map((t) => ({ ...t, value: -t.value })), space: SPACE, direction: 'maximize' });
    if (!min.ok || !max.ok) throw new Error('expected a result');
    expect(max.importances.map((i) => i.path)).toEqual(min.importances.map((i) => i.path));
    max.importances.forEach((i, k) => expect(i.importance).toBeCloseTo(min.importances[k].importance, 12));
    // Maximising the un-negated objective puts the worst trials on top: still x1/x2 (far from the optimum), but a different answer.
    const wrong = pedAnovaImportance({ trials, space: SPACE, direction: 'maximize' });
    if (!wrong.ok) throw new Error(wrong.reason);
    expect(wrong.importances[0].importance).not.toBeCloseTo(min.importances[0].importance, 3);
  });

  it('weighs a categorical parameter by its choice frequencies', () => {
    const rng = new Rng(11);
    const space: ImportanceParameter[] = [
      { path: 'optimizer', type: 'categorical', log: false, low: null, high: null, choices: ['adam', 'sgd', 'rmsprop'] },
      numeric('noise', 'uniform', 0, 1),
      { path: 'flag', type: 'categorical', log: false, low: null, high: null, choices: [true, false] },
    ];
    const trials: ImportanceTrial[] = Array.from({ length: 150 }, () => {
      const optimizer = ['adam', 'sgd', 'rmsprop'][rng.integer(3)];
      const params = { optimizer, noise: rng.uniform(), flag: rng.uniform() < 0.5 };
      return { params, value: (optimizer === 'adam' ? 0.9 : 0.5) + 0.05 * rng.uniform() };
    });
    const result = pedAnovaImportance({ trials, space, direction: 'maximize' });
    if (!result.ok) throw new Error(result.reason);
    expect(result.importances[0].path).toBe('optimizer');
    expect(result.importances[0].importance).toBeGreaterThan(0.8);
  });

  it('answers no result, with a reason, for too few trials or nothing to tell apart', () => {
    const few = pedAnovaImportance({ trials: syntheticTrials(1, MIN_TRIALS - 1), space: SPACE, direction: 'minimize' });
    expect(few).toEqual({ ok: false, reason: `needs at least ${MIN_TRIALS} finished trials with a value (has ${MIN_TRIALS - 1})` });
    const nan = pedAnovaImportance({ trials: syntheticTrials(1, 30).map((t) => ({ ...t, value: Number.NaN })), space: SPACE, direction: 'minimize' });
    expect(nan.ok).toBe(false);
    expect(pedAnovaImportance({ trials: syntheticTrials(1), space: [], direction: 'minimize' })).toEqual({ ok: false, reason: 'the search space is empty' });
    const constant = pedAnovaImportance({
      trials: Array.from({ length: 20 }, (_, i) => ({ params: { x1: 0.5 }, value: i })),
      space: [numeric('x1', 'uniform', 0.5, 0.5)],
      direction: 'minimize',
    });
    expect(constant.ok).toBe(false);
  });

  it('computes the Pearson divergence and Scott bandwidth by their formulas', () => {
    // Σ q (p/q − 1)²: p = (0.5, 0.5), q = (0.25, 0.75) -> 0.25·1 + 0.75·(1/9) = 1/3.
    expect(pearsonDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(1 / 3, 9);
    expect(pearsonDivergence([0.2, 0.8], [0.2, 0.8])).toBeCloseTo(0, 9);
    // Positions 0..9: std = 3.0277, IQR = 4.5 -> min(3.0277, 3.3582) · 1.059 · 10^(−0.2) = 2.0230.
    expect(scottBandwidth(Array.from({ length: 10 }, (_, i) => i))).toBeCloseTo(1.059 * Math.sqrt(82.5 / 9) * 10 ** -0.2, 9);
    expect(scottBandwidth([3, 3, 3])).toBeCloseTo(0.5 / 1.64, 12);
  });
});
