// Time of one ask() of the Gaussian-process sampler (benchmark, not a test: prints figures).
//   node bench/gp-sampler.ts [--sizes 20,100,500] [--repeats 5] [--seed 0]
// On the 6-D shifted sphere of src-main/hpo/samplers/samplers.test.ts (four uniform axes, an
// int axis and a log-scaled axis): the sampler is fed n observations of random points
// (observe()), then asks once untimed (the first hyperparameter fit, from the default start;
// its time is the "cold" column), then `repeats` times ask + tell, timing each ask (the fit
// warm-started from the previous one, as in a study). Prints a Markdown table of the median,
// min and max of the timed asks per n.

import { parseArgs } from 'node:util';
import { Rng } from '../src-main/engine/rng.ts';
import { GpSampler } from '../src-main/hpo/samplers/gp.ts';
import { type Params, SearchSpace } from '../src-main/hpo/space.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20,100,500' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '0' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const repeats = Number(values.repeats);
const seed = Number(values.seed);

/** A shifted sphere over four uniform axes, an int axis and a log-scaled axis; min 0 (as in samplers.test.ts). */
const sphereSpace = new SearchSpace({
  a: { type: 'uniform', low: -5, high: 5 },
  b: { type: 'uniform', low: -5, high: 5 },
  c: { type: 'uniform', low: -5, high: 5 },
  d: { type: 'uniform', low: -5, high: 5 },
  n: { type: 'int', low: -10, high: 10, log: false },
  lr: { type: 'loguniform', low: 1e-5, high: 1 },
});
const shift: Record<string, number> = { a: 1.5, b: -2, c: 0.5, d: 3 };
function shiftedSphere(p: Params): number {
  let sum = 0;
  for (const key of ['a', 'b', 'c', 'd']) sum += (Number(p[key]) - shift[key]) ** 2;
  sum += ((Number(p.n) - 3) / 2) ** 2;
  sum += Math.log10(Number(p.lr) / 1e-2) ** 2; // optimum at lr = 0.01, in log space
  return sum;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const ms = (t: number) => t.toFixed(t < 10 ? 2 : 0);

console.log(`\n## GP sampler: milliseconds per ask() on the 6-D shifted sphere (median of ${repeats}; seed ${seed})\n`);
console.log('| observations | cold ask (first fit) ms | median ask ms | min ms | max ms |');
console.log('|---|---|---|---|---|');
for (const n of sizes) {
  const rng = new Rng(seed, 1);
  const sampler = new GpSampler(sphereSpace, seed, { startup: 10 });
  for (let t = 0; t < n; t++) {
    const params = sphereSpace.sample(rng);
    sampler.observe(params, shiftedSphere(params));
  }
  let start = performance.now();
  const first = sampler.ask();
  const cold = performance.now() - start;
  sampler.tell(first.id, shiftedSphere(first.params));
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    start = performance.now();
    const proposal = sampler.ask();
    times.push(performance.now() - start);
    sampler.tell(proposal.id, shiftedSphere(proposal.params));
  }
  console.log(`| ${n} | ${ms(cold)} | ${ms(median(times))} | ${ms(Math.min(...times))} | ${ms(Math.max(...times))} |`);
}
