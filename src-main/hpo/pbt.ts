// Population-Based Training (Jaderberg et al. 2017, arXiv:1711.09846, §3 and §4.1 "truncation
// selection", "perturb", "resample") as a state machine: n members train together, T_g epochs
// per generation, t_max generations. After each generation the bottom `quantile` of the
// members copy the weights and hyperparameters of a member drawn from the top `quantile`
// (exploit), then each copied hyperparameter is resampled from the space with probability
// `resample_probability` or else multiplied by a factor drawn from `factors` (explore). The
// others continue with their own weights and hyperparameters; a member whose trial failed
// restarts from a top member. Every member-generation is a trial (number generation * n +
// member) with lineage edges to the trial it took its weights and hyperparameters from.
// Generations are synchronous and the random draws are made in member order once a
// generation is complete, so the trials never depend on slots, timing or restarts.

import type { Parameter, PbtConfig, StudyConfig } from '../../src-shared/config/study.ts';
import { Rng, type RngState } from '../engine/rng.ts';
import { type Ranked, ranked, selectBest, type StudyMethod, type TrialPlan, type TrialResult, type Verdict } from './method.ts';
import { memberSeed } from './seeds.ts';
import { fromInternal, internalRange, type ParamValue, type Params, SearchSpace, toInternal } from './space.ts';

/** Explore: resample or perturb each hyperparameter (categoricals: resample or keep). */
export function explore(space: SearchSpace, params: Params, rng: Rng, resampleProbability: number, factors: readonly number[]): Params {
  const fresh = space.sample(rng);
  const out: Record<string, ParamValue> = {};
  for (const { path, parameter } of space.dimensions) {
    const resample = rng.uniform() < resampleProbability;
    if (resample || parameter.type === 'categorical') {
      out[path] = resample ? fresh[path] : params[path];
      continue;
    }
    const factor = factors[rng.integer(factors.length)];
    out[path] = perturb(parameter, Number(params[path]), factor);
  }
  return out;
}

function perturb(parameter: Exclude<Parameter, { type: 'categorical' }>, value: number, factor: number): number {
  const [lo, hi] = internalRange(parameter);
  const scaled = value * factor;
  // Clamp into the range; ints move by at least one step when the factor would round away.
  // Log-scaled parameters are positive (the schema requires it); uniform ones keep their sign.
  const logScaled = parameter.type === 'loguniform' || (parameter.type === 'int' && parameter.log);
  let next = fromInternal(parameter, Math.min(hi, Math.max(lo, toInternal(parameter, logScaled ? Math.max(scaled, Number.MIN_VALUE) : scaled))));
  if (parameter.type === 'int' && next === value && factor !== 1) next = Math.min(parameter.high, Math.max(parameter.low, value + (factor > 1 ? 1 : -1)));
  return next;
}

export interface PbtMember {
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly params: Params;
  readonly status: 'running' | TrialResult['status'];
  readonly score: number;
  readonly tie: number;
}

export interface PbtState {
  readonly kind: 'pbt';
  readonly rng: RngState;
  /** The generation whose members are planned (or -1 before the first). */
  readonly generation: number;
  readonly members: readonly PbtMember[];
  readonly failure: string | null;
}

export class PbtMethod implements StudyMethod<PbtState> {
  readonly kind = 'pbt' as const;
  readonly budget: number;
  private readonly study: StudyConfig;
  private readonly pbt: PbtConfig;
  private readonly space: SearchSpace;
  private readonly rng: Rng;
  private generation = -1;
  private readonly members = new Map<number, PbtMember>();
  private failed: string | null = null;

  constructor(study: StudyConfig, state?: PbtState) {
    if (study.pbt === undefined) throw new Error('not a PBT study');
    this.study = study;
    this.pbt = study.pbt;
    this.budget = this.pbt.n * this.pbt.t_max;
    this.space = new SearchSpace(study.space);
    this.rng = new Rng(study.seed, 22);
    if (state !== undefined) {
      this.rng.restore(state.rng);
      this.generation = state.generation;
      for (const m of state.members) this.members.set(m.number, m);
      this.failed = state.failure;
    }
  }

  get failure(): string | null {
    return this.failed;
  }

  get finished(): boolean {
    return this.failed !== null || (this.generation === this.pbt.t_max - 1 && this.current().every((m) => m.status !== 'running'));
  }

  private current(): PbtMember[] {
    return [...this.members.values()].filter((m) => m.generation === this.generation).sort((a, b) => a.member - b.member);
  }

  ask(): TrialPlan[] {
    if (this.failed !== null) return [];
    if (this.generation < 0) {
      this.generation = 0;
      return Array.from({ length: this.pbt.n }, (_, i) => this.plan(i, this.space.sample(this.rng), null));
    }
    const population = this.current();
    if (this.generation >= this.pbt.t_max - 1 || population.some((m) => m.status === 'running')) return [];
    const alive = population.filter((m) => m.status === 'done');
    if (alive.length === 0) {
      this.failed = `every member of generation ${this.generation} failed`;
      return [];
    }
    const cut = Math.max(1, Math.floor(this.pbt.quantile * this.pbt.n));
    const order = selectBest(
      alive.map((m) => ({ number: m.number, score: m.score, tie: m.tie, m })),
      alive.length,
    );
    const top = order.slice(0, cut).map((r) => r.m);
    const bottom = new Set(order.slice(-cut).map((r) => r.m.number));
    this.generation++;
    // Random draws in member order: the same plans whatever order the results came in.
    return population.map((m) => {
      if (m.status !== 'done' || (bottom.has(m.number) && !top.includes(m))) {
        const donor = top[this.rng.integer(top.length)];
        return this.plan(m.member, explore(this.space, donor.params, this.rng, this.pbt.resample_probability, this.pbt.factors), donor.number);
      }
      return this.plan(m.member, m.params, m.number);
    });
  }

  private plan(member: number, params: Params, source: number | null): TrialPlan {
    const number = this.generation * this.pbt.n + member;
    this.members.set(number, {
      number,
      generation: this.generation,
      member,
      params,
      status: 'running',
      score: Number.POSITIVE_INFINITY,
      tie: Number.POSITIVE_INFINITY,
    });
    return {
      number,
      generation: this.generation,
      member,
      params,
      // A member slot keeps its seed, so a member that continues itself trains on exactly.
      seed: memberSeed(this.study.seed, 0, member),
      epochs: this.pbt.T_g,
      source: source === null ? null : { trial: source, kinds: ['weights', 'hparams'] },
      keepCheckpoint: true,
      proposal: null,
    };
  }

  judge(): Verdict {
    return 'continue';
  }

  tell(result: TrialResult): void {
    const m = this.members.get(result.number);
    if (m === undefined) throw new Error(`PBT state has no trial ${result.number}`);
    const r: Ranked = ranked(this.study, result.number, result.value, result.secondary);
    const done = result.status === 'done';
    this.members.set(result.number, {
      ...m,
      status: result.status,
      score: done ? r.score : Number.POSITIVE_INFINITY,
      tie: done ? r.tie : Number.POSITIVE_INFINITY,
    });
  }

  best(): number | null {
    if (!this.finished || this.failed !== null) return null;
    const alive = this.current().filter((m) => m.status === 'done');
    if (alive.length === 0) return null;
    return selectBest(
      alive.map((m) => ({ number: m.number, score: m.score, tie: m.tie })),
      1,
    )[0].number;
  }

  state(): PbtState {
    return {
      kind: 'pbt',
      rng: this.rng.state(),
      generation: this.generation,
      members: [...this.members.values()].sort((a, b) => a.number - b.number),
      failure: this.failed,
    };
  }
}
