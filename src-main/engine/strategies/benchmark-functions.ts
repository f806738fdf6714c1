// Classic test functions for evolution strategies (Hansen & Ostermeier 2001; Hansen 2016):
// each has its global minimum f = 0, so "reached 1e-8" is a plain threshold.

import type { EvolutionStrategy } from './strategy.ts';

export type TestFunction = (x: ArrayLike<number>) => number;

/** f(x) = sum x_i^2 */
export const sphere: TestFunction = (x) => {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return sum;
};

/** f(x) = sum 10^(6 (i-1)/(n-1)) x_i^2: axis-parallel ellipsoid, condition number 1e6. */
export const ellipsoid: TestFunction = (x) => {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 10 ** ((6 * i) / Math.max(n - 1, 1)) * x[i] * x[i];
  return sum;
};

/** f(x) = sum 100 (x_i^2 - x_{i+1})^2 + (x_i - 1)^2, minimum at (1, ..., 1). */
export const rosenbrock: TestFunction = (x) => {
  let sum = 0;
  for (let i = 0; i + 1 < x.length; i++) sum += 100 * (x[i] * x[i] - x[i + 1]) ** 2 + (x[i] - 1) ** 2;
  return sum;
};

/**
 * Runs `es` on `f` until f < 1e-8 or `budget` evaluations: the best value found and the
 * evaluations used (whole generations). Shared by the strategy test and its benchmark.
 */
export function minimise(es: EvolutionStrategy, f: TestFunction, budget: number): { best: number; evaluations: number } {
  const n = es.dimension;
  const fitness = new Float64Array(es.populationSize);
  let evaluations = 0;
  let best = Number.POSITIVE_INFINITY;
  while (evaluations < budget && best >= 1e-8) {
    const x = es.ask();
    for (let k = 0; k < es.populationSize; k++) {
      fitness[k] = f(x.subarray(k * n, (k + 1) * n));
      best = Math.min(best, fitness[k]);
    }
    evaluations += es.populationSize;
    es.tell(fitness);
  }
  return { best, evaluations };
}
