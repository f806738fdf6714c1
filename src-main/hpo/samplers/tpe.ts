// Tree-structured Parzen Estimator, univariate (Bergstra et al. 2011, "Algorithms for
// Hyper-Parameter Optimization", §4; as in hyperopt and Optuna's independent TPE):
//   - the first `startup` proposals are random;
//   - then the finished trials are split by objective into the best ceil(gamma n) (at most 25)
//     and the rest; for each parameter a Parzen estimator l(x) is fitted to the good group and
//     g(x) to the rest, in internal coordinates (log scale for log-uniform and log-int);
//   - `candidates` draws from l(x) are scored by l(x)/g(x), which maximises expected
//     improvement (§4.1, eq. 3), and the best draw is proposed.
// Numeric estimators are mixtures of truncated normals with a prior component (centre of
// the range, width of the range); each component's width is the larger distance to its
// neighbours, clipped to [range / min(100, n + 1), range] (hyperopt's adaptive Parzen).
// Categorical estimators are smoothed, weighted choice frequencies. Observations carry
// weights, so a caller (GPBT's "time" mode) can make some count more than others.

import type { Parameter } from '../../../src-shared/config/study.ts';
import { normalCdf, normalQuantile } from '../../../src-shared/stats/normal.ts';
import { Rng, type RngState } from '../../engine/rng.ts';
import { fromInternal, internalRange, type ParamValue, type Params, type SearchSpace, toInternal } from '../space.ts';
import type { Proposal, Sampler } from './sampler.ts';

export interface TpeOptions {
  readonly startup: number;
  readonly gamma: number;
  readonly candidates: number;
}

interface Observation {
  readonly params: Params;
  readonly value: number;
  readonly weight: number;
}

export interface TpeSamplerState {
  readonly kind: 'tpe';
  readonly options: TpeOptions;
  readonly rng: RngState;
  readonly nextId: number;
  readonly observations: Observation[];
  readonly pending: Proposal[];
}

const PRIOR_WEIGHT = 1;
const MAX_GOOD = 25;

interface Mixture {
  readonly mus: number[];
  readonly sigmas: number[];
  readonly weights: number[];
  readonly lo: number;
  readonly hi: number;
}

function parzen(points: readonly number[], weights: readonly number[], lo: number, hi: number): Mixture {
  const range = hi - lo;
  const mus = [...points, (lo + hi) / 2];
  const ws = [...weights, PRIOR_WEIGHT];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sigmas = new Array<number>(mus.length);
  const minSigma = range / Math.min(100, points.length + 1);
  order.forEach((index, k) => {
    const left = k > 0 ? mus[index] - mus[order[k - 1]] : mus[index] - lo;
    const right = k < order.length - 1 ? mus[order[k + 1]] - mus[index] : hi - mus[index];
    sigmas[index] = Math.min(range, Math.max(minSigma, left, right));
  });
  sigmas[mus.length - 1] = range; // the prior spans the whole range
  return { mus, sigmas, weights: ws, lo, hi };
}

function logDensity(m: Mixture, x: number): number {
  const total = m.weights.reduce((a, b) => a + b, 0);
  let best = Number.NEGATIVE_INFINITY;
  const terms = m.mus.map((mu, k) => {
    const s = m.sigmas[k];
    const mass = Math.max(1e-300, normalCdf((m.hi - mu) / s) - normalCdf((m.lo - mu) / s));
    const z = (x - mu) / s;
    const term = Math.log(m.weights[k] / total) - 0.5 * z * z - Math.log(s * Math.sqrt(2 * Math.PI) * mass);
    best = Math.max(best, term);
    return term;
  });
  if (!Number.isFinite(best)) return best;
  return best + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - best), 0));
}

function sampleMixture(m: Mixture, rng: Rng): number {
  const total = m.weights.reduce((a, b) => a + b, 0);
  let pick = rng.uniform() * total;
  let k = 0;
  while (k < m.weights.length - 1 && pick >= m.weights[k]) pick -= m.weights[k++];
  const mu = m.mus[k];
  const s = m.sigmas[k];
  // Inverse-CDF sampling of the normal truncated to [lo, hi].
  const a = normalCdf((m.lo - mu) / s);
  const b = normalCdf((m.hi - mu) / s);
  if (!(b - a > 1e-12)) return Math.min(m.hi, Math.max(m.lo, mu));
  return Math.min(m.hi, Math.max(m.lo, mu + s * normalQuantile(a + rng.uniform() * (b - a))));
}

function choiceLogProbabilities(choices: readonly ParamValue[], picked: readonly ParamValue[], weights: readonly number[]): number[] {
  const counts = choices.map(() => PRIOR_WEIGHT / choices.length);
  picked.forEach((value, i) => {
    const index = choices.indexOf(value);
    if (index >= 0) counts[index] += weights[i];
  });
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => Math.log(c / total));
}

export class TpeSampler implements Sampler {
  readonly kind = 'tpe' as const;
  private readonly space: SearchSpace;
  private readonly options: TpeOptions;
  private readonly rng: Rng;
  private nextId = 0;
  private observations: Observation[] = [];
  private pending: Proposal[] = [];

  constructor(space: SearchSpace, seed: number, options: TpeOptions) {
    this.space = space;
    this.options = options;
    this.rng = new Rng(seed, 13);
  }

  static restore(space: SearchSpace, state: TpeSamplerState): TpeSampler {
    const sampler = new TpeSampler(space, 0, state.options);
    sampler.rng.restore(state.rng);
    sampler.nextId = state.nextId;
    sampler.observations = state.observations.slice();
    sampler.pending = state.pending.slice();
    return sampler;
  }

  ask(): Proposal {
    const finished = this.observations;
    const params = finished.length < this.options.startup ? this.space.sample(this.rng) : this.proposeFromModel(finished);
    const proposal = { id: this.nextId++, params };
    this.pending.push(proposal);
    return proposal;
  }

  tell(id: number, value: number): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index < 0) return;
    const [proposal] = this.pending.splice(index, 1);
    this.observe(proposal.params, value);
  }

  observe(params: Params, value: number, weight = 1): void {
    // A failed trial is the worst possible: it lands in g(x).
    this.observations.push({ params, value: Number.isNaN(value) ? Number.POSITIVE_INFINITY : value, weight });
  }

  private proposeFromModel(observations: readonly Observation[]): Params {
    const sorted = [...observations].sort((a, b) => a.value - b.value);
    const nGood = Math.min(MAX_GOOD, Math.max(1, Math.ceil(this.options.gamma * sorted.length)));
    const good = sorted.slice(0, nGood);
    const bad = sorted.slice(nGood);
    const params: Record<string, ParamValue> = {};
    for (const { path, parameter } of this.space.dimensions) params[path] = this.proposeOne(path, parameter, good, bad);
    return params;
  }

  private proposeOne(path: string, parameter: Parameter, good: readonly Observation[], bad: readonly Observation[]): ParamValue {
    if (parameter.type === 'categorical') {
      const logL = choiceLogProbabilities(
        parameter.choices,
        good.map((o) => o.params[path]),
        good.map((o) => o.weight),
      );
      const logG = choiceLogProbabilities(
        parameter.choices,
        bad.map((o) => o.params[path]),
        bad.map((o) => o.weight),
      );
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < this.options.candidates; c++) {
        // Draw from l: inverse CDF over the choice probabilities.
        let u = this.rng.uniform();
        let index = 0;
        while (index < logL.length - 1 && u >= Math.exp(logL[index])) u -= Math.exp(logL[index++]);
        const score = logL[index] - logG[index];
        if (score > bestScore) {
          bestScore = score;
          best = index;
        }
      }
      return parameter.choices[best];
    }
    const [lo, hi] = internalRange(parameter);
    const internal = (o: Observation) => toInternal(parameter, Number(o.params[path]));
    const l = parzen(
      good.map(internal),
      good.map((o) => o.weight),
      lo,
      hi,
    );
    const g = parzen(
      bad.map(internal),
      bad.map((o) => o.weight),
      lo,
      hi,
    );
    let best = l.mus[0];
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < this.options.candidates; c++) {
      const x = sampleMixture(l, this.rng);
      // Ints are scored at the value they will take.
      const scoredAt = parameter.type === 'int' ? toInternal(parameter, fromInternal(parameter, x)) : x;
      const score = logDensity(l, scoredAt) - logDensity(g, scoredAt);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return fromInternal(parameter, best);
  }

  state(): TpeSamplerState {
    return {
      kind: 'tpe',
      options: this.options,
      rng: this.rng.state(),
      nextId: this.nextId,
      observations: this.observations.slice(),
      pending: this.pending.slice(),
    };
  }
}
