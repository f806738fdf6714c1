// Function evaluations each evolution strategy needs to reach f < 1e-8 on the classic test
// functions (not a test: it prints medians over seeds and asserts nothing). Used to set the
// budgets of strategies.test.ts from measured counts, and to compare strategy variants.
//   node bench/strategy-evaluations.ts [--seeds 5] [--kinds full,maes,sep] [--dims 10,40]

import { parseArgs } from 'node:util';
import { ellipsoid, minimise, rosenbrock, sphere, type TestFunction } from '../src-main/engine/strategies/benchmark-functions.ts';
import { createStrategy } from '../src-main/engine/strategies/registry.ts';
import type { StrategyKind } from '../src-main/engine/strategies/strategy.ts';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '5' }, kinds: { type: 'string', default: 'full,maes,sep' }, dims: { type: 'string', default: '10,40' } },
});
const SEEDS = Number(values.seeds);
const FUNCTIONS: Record<string, { f: TestFunction; x0: number; sigma0: number }> = {
  sphere: { f: sphere, x0: 1, sigma0: 1 },
  ellipsoid: { f: ellipsoid, x0: 1, sigma0: 1 },
  rosenbrock: { f: rosenbrock, x0: 0, sigma0: 0.1 },
};

function evaluationsToTarget(kind: StrategyKind, f: TestFunction, n: number, x0: number, sigma0: number, seed: number): number {
  return minimise(createStrategy(kind, { mean: new Array<number>(n).fill(x0), sigma0, seed }), f, 1_000_000).evaluations;
}

for (const kind of (values.kinds ?? '').split(',') as StrategyKind[]) {
  for (const [name, { f, x0, sigma0 }] of Object.entries(FUNCTIONS)) {
    for (const n of (values.dims ?? '').split(',').map(Number)) {
      const counts = Array.from({ length: SEEDS }, (_, s) => evaluationsToTarget(kind, f, n, x0, sigma0, s + 1)).sort((a, b) => a - b);
      console.log(`${kind} ${name} ${n}-D: median ${counts[counts.length >> 1]} evaluations (${counts.join(', ')})`);
    }
  }
}
