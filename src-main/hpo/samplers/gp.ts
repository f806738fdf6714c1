// Gaussian-process Bayesian optimisation as a hyperparameter sampler (GP-EI, as in Jones et al.
// 1998, "Efficient Global Optimization of Expensive Black-Box Functions", and Optuna's
// GPSampler), on the unit cube [0,1]^d of the space (space.toUnit / fromUnit; int and
// categorical parameters occupy cells, as for the CMA-ES sampler):
//   - the first `startup` proposals are uniform on the cube (seeded);
//   - then the observed objectives are standardised (failed trials count as the worst finite
//     value) and a zero-mean GP with a Matérn-5/2 ARD kernel is fitted to them, warm-started
//     from the last fit (gp/matern-kernel.ts; the posterior in gp/posterior.ts);
//   - the acquisition is log expected improvement (gp/log-ei.ts), maximised over seeded random
//     candidates (uniform, plus perturbations of the best points) and then by projected L-BFGS
//     (gp/box-ascent.ts) from the best few, cells of discrete parameters held fixed;
//   - proposals asked but not told yet (pending) enter as a "kriging believer" (Ginsbourger,
//     Le Riche & Carraro 2010, "Kriging is well-suited to parallelize optimization"): they are
//     added to the GP with its posterior mean as their value, which leaves the mean unchanged,
//     shrinks the variance around them, and counts towards the incumbent, so that consecutive
//     asks without results spread out instead of repeating the same point.
// Everything is deterministic given the seed; the state (observations, pending proposals,
// RNG, last hyperparameters) is JSON, so a restored sampler proposes exactly what the
// original would have.

import { toWire } from '../../../src-shared/metric-codec.ts';
import { Rng, type RngState } from '../../engine/rng.ts';
import { fromInternal, internalRange, type Params, type SearchSpace, toInternal } from '../space.ts';
import { maximiseInBox } from './gp/box-ascent.ts';
import { fitHyperparameters } from './gp/matern-kernel.ts';
import { GpPosterior } from './gp/posterior.ts';
import type { Proposal, Sampler } from './sampler.ts';

export interface GpOptions {
  /** Proposals drawn uniformly before the GP takes over. */
  readonly startup: number;
}

interface GpObservation {
  readonly params: Params;
  /** The objective; null for a failed trial (NaN or +-Infinity, which JSON cannot hold anyway). */
  readonly value: number | null;
}

export interface GpSamplerState {
  readonly kind: 'gp';
  readonly options: GpOptions;
  readonly rng: RngState;
  readonly nextId: number;
  readonly observations: GpObservation[];
  readonly pending: Proposal[];
  /** Last fitted log-hyperparameters [log l_1 .. log l_d, log signal variance, log noise variance]; null before the first fit. */
  readonly hyper: number[] | null;
}

/** Acquisition search. */
const UNIFORM_CANDIDATES = 1024;
const LOCAL_CANDIDATES = 256;
const LOCAL_CENTRES = 3;
const LOCAL_SCALES = [0.01, 0.05, 0.2];
const REFINE_STARTS = 5;
const REFINE_ITERATIONS = 15;

/** Maps a unit coordinate to the middle of its cell for int and categorical parameters (what toUnit(fromUnit(u)) gives). */
function cellSnapper(parameter: SearchSpace['dimensions'][number]['parameter']): ((u: number) => number) | null {
  if (parameter.type === 'categorical') {
    const count = parameter.choices.length;
    return (u) => (Math.min(count - 1, Math.floor(Math.min(1, Math.max(0, u)) * count)) + 0.5) / count;
  }
  if (parameter.type === 'int') {
    const [lo, hi] = internalRange(parameter);
    return (u) => (toInternal(parameter, fromInternal(parameter, lo + Math.min(1, Math.max(0, u)) * (hi - lo))) - lo) / (hi - lo);
  }
  return null;
}

export class GpSampler implements Sampler {
  readonly kind = 'gp' as const;
  private readonly space: SearchSpace;
  private readonly options: GpOptions;
  private readonly rng: Rng;
  private readonly snappers: (((u: number) => number) | null)[];
  private nextId = 0;
  private observations: GpObservation[] = [];
  private pending: Proposal[] = [];
  private hyper: number[] | null = null;

  constructor(space: SearchSpace, seed: number, options: GpOptions) {
    this.space = space;
    this.options = options;
    this.rng = new Rng(seed, 17);
    this.snappers = space.dimensions.map(({ parameter }) => cellSnapper(parameter));
  }

  static restore(space: SearchSpace, state: GpSamplerState): GpSampler {
    const sampler = new GpSampler(space, 0, state.options);
    sampler.rng.restore(state.rng);
    sampler.nextId = state.nextId;
    sampler.observations = state.observations.slice();
    sampler.pending = state.pending.slice();
    sampler.hyper = state.hyper === null ? null : state.hyper.slice();
    return sampler;
  }

  /** Never null: pending proposals are accounted for by the kriging believer. */
  ask(): Proposal {
    const d = this.space.size;
    // The first `startup` proposals (counting those still pending) are random; a GP also needs two results.
    const modelled = d > 0 && this.observations.length >= 2 && this.observations.length + this.pending.length >= this.options.startup;
    const unit = modelled ? this.proposeFromModel() : Array.from({ length: d }, () => this.rng.uniform());
    const proposal = { id: this.nextId++, params: this.space.fromUnit(unit) };
    this.pending.push(proposal);
    return proposal;
  }

  tell(id: number, value: number): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index < 0) return;
    const [proposal] = this.pending.splice(index, 1);
    this.observe(proposal.params, value);
  }

  /** A result this sampler did not propose; the weight is ignored (the GP weighs every observation alike). */
  observe(params: Params, value: number, _weight?: number): void {
    this.observations.push({ params, value: toWire(value) });
  }

  state(): GpSamplerState {
    return {
      kind: 'gp',
      options: this.options,
      rng: this.rng.state(),
      nextId: this.nextId,
      observations: this.observations.slice(),
      pending: this.pending.slice(),
      hyper: this.hyper === null ? null : this.hyper.slice(),
    };
  }

  /** Unit-cube coordinates of parameters (a missing or non-numeric value goes to the middle). */
  private unitOf(params: Params, out: Float64Array, offset: number): void {
    this.space.toUnit(params).forEach((u, i) => {
      out[offset + i] = Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : 0.5;
    });
  }

  private snap(x: Float64Array): void {
    for (let i = 0; i < x.length; i++) {
      const snapper = this.snappers[i];
      x[i] = snapper === null ? Math.min(1, Math.max(0, x[i])) : snapper(x[i]);
    }
  }

  private proposeFromModel(): number[] {
    const d = this.space.size;
    const n = this.observations.length;
    const x = new Float64Array(n * d);
    this.observations.forEach((o, a) => this.unitOf(o.params, x, a * d));
    // Failed trials count as the worst finite result: bad, but not so extreme that the
    // standardisation squashes every other difference. With no finite result y is flat.
    const finite = this.observations.flatMap((o) => (o.value === null ? [] : [o.value]));
    const worst = finite.length > 0 ? Math.max(...finite) : 0;
    const raw = this.observations.map((o) => o.value ?? worst);
    const mean = raw.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
    const y = Float64Array.from(raw, (v) => (v - mean) / scale);

    const theta = fitHyperparameters(x, y, n, d, this.hyper);
    this.hyper = Array.from(theta);
    let posterior = new GpPosterior(x, y, n, d, theta);
    let best = Math.min(...y);

    if (this.pending.length > 0) {
      // Kriging believer: pending points join the data with the posterior mean as their value.
      const m = this.pending.length;
      const xAll = new Float64Array((n + m) * d);
      xAll.set(x);
      const yAll = new Float64Array(n + m);
      yAll.set(y);
      const point = new Float64Array(d);
      this.pending.forEach((p, j) => {
        this.unitOf(p.params, point, 0);
        xAll.set(point, (n + j) * d);
        yAll[n + j] = posterior.predict(point).mean;
        best = Math.min(best, yAll[n + j]);
      });
      posterior = new GpPosterior(xAll, yAll, n + m, d, theta);
    }

    // Candidates: uniform on the cube, and perturbations of the best observed points.
    const order = y.length > 0 ? Array.from(y.keys()).sort((a, b) => y[a] - y[b]) : [];
    const centres = order.slice(0, Math.min(LOCAL_CENTRES, n));
    const total = UNIFORM_CANDIDATES + LOCAL_CANDIDATES;
    const candidates = new Float64Array(total * d);
    const scores = new Float64Array(total);
    const point = new Float64Array(d);
    for (let c = 0; c < total; c++) {
      if (c < UNIFORM_CANDIDATES) for (let i = 0; i < d; i++) point[i] = this.rng.uniform();
      else {
        const local = c - UNIFORM_CANDIDATES;
        const centre = centres[local % centres.length];
        const spread = LOCAL_SCALES[Math.floor(local / centres.length) % LOCAL_SCALES.length];
        for (let i = 0; i < d; i++) point[i] = x[centre * d + i] + spread * this.rng.normal();
      }
      this.snap(point);
      candidates.set(point, c * d);
      scores[c] = posterior.logEi(point, best, null);
    }

    // Local refinement from the best few candidates; discrete coordinates stay in their cell.
    const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    let bestPoint: Float64Array = candidates.slice(ranked[0] * d, ranked[0] * d + d);
    let bestScore = scores[ranked[0]];
    const lo = new Float64Array(d);
    const hi = new Float64Array(d);
    for (const c of ranked.slice(0, REFINE_STARTS)) {
      const start = candidates.subarray(c * d, c * d + d);
      for (let i = 0; i < d; i++) {
        const fixed = this.snappers[i] !== null;
        lo[i] = fixed ? start[i] : 0;
        hi[i] = fixed ? start[i] : 1;
      }
      const refined = maximiseInBox((p, grad) => posterior.logEi(p, best, grad), start, lo, hi, { iterations: REFINE_ITERATIONS, firstStep: 0.05 });
      if (refined.value > bestScore) {
        bestScore = refined.value;
        bestPoint = refined.x;
      }
    }
    return Array.from(bestPoint);
  }
}
