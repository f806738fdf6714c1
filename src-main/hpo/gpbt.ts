// Genealogical Population-Based Training (Scardigli et al. 2021, arXiv:2109.14925, §3) as a
// state machine:
//   generation 0: n models with random hyperparameters train T_g epochs from scratch;
//   every next generation (t_max in all): the p = floor(sqrt(n / c)) best models so far are
//   the parents; each parent gets about n / p children that start from a copy of its weights
//   and optimizer state and train T_g more epochs. The first child keeps the parent's
//   hyperparameters; the others get hyperparameters from an inner sampler (TPE or random)
//   fed only with that parent's lineage: 'time' = its ancestors' generations (each
//   observation scored by its rank within its own generation, since later generations have
//   trained longer, and weighted by exp(-(g - g_obs)^2 / 8) so recent generations count
//   more: univariate TPE cannot condition on the generation otherwise), 'no-time' = only
//   the siblings already evaluated in this generation. Optionally a child whose objective
//   after its first epoch is worse than the median of its evaluated siblings' first epochs
//   stops there. The next parents are the best p among this generation's children and the
//   current parents (selection includes parents); ties of the objective are broken by the
//   secondary metric (e.g. val_loss when every member reaches val_acc 1.0), then by the
//   earlier trial.
//
// Determinism (the same trials whatever the slots, timing or restarts): trial numbers are
// generation * n + member; a parent's children form a chain, each planned only once its
// previous sibling is told, so a child's inner sampler sees exactly its earlier siblings; the
// 'time' history is a snapshot of the generations before the current one, fixed when the
// generation starts; seeds come from (study seed, generation, member) (seeds.ts).

import type { GpbtConfig, StudyConfig } from '../../src-shared/config/study.ts';
import { Rng, type RngState } from '../engine/rng.ts';
import {
  type LineageKind,
  median,
  minimisedValue,
  type Ranked,
  ranked,
  selectBest,
  type StudyMethod,
  type TrialPlan,
  type TrialResult,
  type Verdict,
} from './method.ts';
import { RandomSampler } from './samplers/random.ts';
import type { Sampler } from './samplers/sampler.ts';
import { TpeSampler } from './samplers/tpe.ts';
import { memberSeed } from './seeds.ts';
import { type Params, SearchSpace } from './space.ts';

/** A member-generation (a trial) as the method remembers it. */
export interface GpbtMember {
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly params: Params;
  readonly seed: number;
  /** The trial whose weights it started from. */
  readonly source: number | null;
  readonly status: 'running' | TrialResult['status'];
  /** Minimised objective and tie-break (Infinity until done). */
  readonly score: number;
  readonly tie: number;
  /** Minimised objective after its first own epoch, when it had one. */
  readonly firstEpoch: number | null;
}

interface Chain {
  readonly parent: number;
  /** Member index of its first child. */
  readonly first: number;
  readonly count: number;
  /** Children planned so far. */
  readonly planned: number;
}

export interface GpbtState {
  readonly kind: 'gpbt';
  readonly rng: RngState;
  readonly generation: number;
  readonly members: readonly GpbtMember[];
  /** The parents of the current generation (trial numbers), best first. */
  readonly parents: readonly number[];
  readonly chains: readonly Chain[];
  readonly failure: string | null;
}

export function parentCount(gpbt: Pick<GpbtConfig, 'n' | 'c'>): number {
  return Math.max(1, Math.floor(Math.sqrt(gpbt.n / gpbt.c)));
}

/** Children per parent, best parent first: n split as evenly as possible. */
export function childrenPerParent(n: number, parents: number): number[] {
  const base = Math.floor(n / parents);
  return Array.from({ length: parents }, (_, i) => base + (i < n - base * parents ? 1 : 0));
}

function asRanked(m: GpbtMember): Ranked & { readonly member: GpbtMember } {
  return { number: m.number, score: m.score, tie: m.tie, member: m };
}

/**
 * What the inner sampler of a parent's child may see. 'no-time': the parent's children in
 * this generation that are already evaluated. 'time': additionally every member of earlier
 * generations in the parent's lineage (its ancestors and their siblings, i.e. every member
 * whose source is an ancestor), scored by rank within its generation and weighted by recency.
 * `earlier` holds the members of the generations before `generation` only: a snapshot fixed
 * when the generation started, so members of other chains finishing meanwhile never enter.
 */
export function lineageHistory(
  mode: GpbtConfig['mode'],
  parent: GpbtMember,
  generation: number,
  evaluatedSiblings: readonly GpbtMember[],
  earlier: readonly GpbtMember[],
): { params: Params; value: number; weight: number }[] {
  if (mode === 'no-time') return evaluatedSiblings.map((m) => ({ params: m.params, value: m.score, weight: 1 }));
  const byNumber = new Map(earlier.map((m) => [m.number, m]));
  const ancestors = new Set<number>();
  for (let a: GpbtMember | undefined = parent; a !== undefined; a = a.source === null ? undefined : byNumber.get(a.source)) ancestors.add(a.number);
  const inLineage = earlier.filter((m) => ancestors.has(m.number) || (m.source !== null && ancestors.has(m.source)));
  const cohorts = new Map<number, GpbtMember[]>();
  for (const m of earlier) cohorts.set(m.generation, [...(cohorts.get(m.generation) ?? []), m]);
  cohorts.set(generation, [...evaluatedSiblings]);
  const rank = (m: GpbtMember): number => {
    const cohort = cohorts.get(m.generation) ?? [m];
    return cohort.filter((o) => o.score < m.score).length / Math.max(1, cohort.length - 1);
  };
  return [...inLineage, ...evaluatedSiblings].map((m) => ({ params: m.params, value: rank(m), weight: Math.exp(-((generation - m.generation) ** 2) / 8) }));
}

export class GpbtMethod implements StudyMethod<GpbtState> {
  readonly kind = 'gpbt' as const;
  readonly budget: number;
  private readonly study: StudyConfig;
  private readonly gpbt: GpbtConfig;
  private readonly space: SearchSpace;
  private readonly rng: Rng;
  private generation = 0;
  private readonly members = new Map<number, GpbtMember>();
  private parents: number[] = [];
  private chains: Chain[] = [];
  private failed: string | null = null;

  constructor(study: StudyConfig, state?: GpbtState) {
    if (study.gpbt === undefined) throw new Error('not a GPBT study');
    this.study = study;
    this.gpbt = study.gpbt;
    this.budget = this.gpbt.n * this.gpbt.t_max;
    this.space = new SearchSpace(study.space);
    this.rng = new Rng(study.seed, 21);
    if (state !== undefined) {
      this.rng.restore(state.rng);
      this.generation = state.generation;
      for (const m of state.members) this.members.set(m.number, m);
      this.parents = [...state.parents];
      this.chains = [...state.chains];
      this.failed = state.failure;
    }
  }

  get failure(): string | null {
    return this.failed;
  }

  get finished(): boolean {
    return this.failed !== null || (this.generation >= this.gpbt.t_max && [...this.members.values()].every((m) => m.status !== 'running'));
  }

  private number(generation: number, member: number): number {
    return generation * this.gpbt.n + member;
  }

  private done(m: GpbtMember): boolean {
    return m.status === 'done';
  }

  ask(): TrialPlan[] {
    const plans: TrialPlan[] = [];
    if (this.failed !== null || this.generation >= this.gpbt.t_max) return plans;
    if (this.generation === 0) {
      if (this.members.size === 0) {
        for (let m = 0; m < this.gpbt.n; m++) plans.push(this.plan(0, m, this.space.sample(this.rng), null));
        return plans;
      }
      if (![...this.members.values()].every((m) => m.status !== 'running')) return plans;
      this.startGeneration(
        1,
        [...this.members.values()].filter((m) => this.done(m)),
      );
      if (this.failed !== null || this.generation >= this.gpbt.t_max) return plans;
    }
    for (;;) {
      this.chains = this.chains.map((chain) => {
        if (chain.planned >= chain.count) return chain;
        const previous = chain.planned === 0 ? null : this.members.get(this.number(this.generation, chain.first + chain.planned - 1));
        if (previous !== null && (previous === undefined || previous.status === 'running')) return chain;
        plans.push(this.child(chain));
        return { ...chain, planned: chain.planned + 1 };
      });
      // The generation ends when every chain is planned and told.
      const current = [...this.members.values()].filter((m) => m.generation === this.generation);
      const complete = this.chains.every((c) => c.planned >= c.count) && current.every((m) => m.status !== 'running');
      if (!complete) return plans;
      const candidates = [...current.filter((m) => this.done(m)), ...this.parents.map((p) => this.member(p))];
      this.startGeneration(this.generation + 1, candidates);
      if (this.failed !== null || this.generation >= this.gpbt.t_max) return plans;
    }
  }

  /** Selects the parents among `candidates` and lays out the children of `generation`. */
  private startGeneration(generation: number, candidates: readonly GpbtMember[]): void {
    if (candidates.length === 0) {
      this.failed = `every member of generation ${generation - 1} failed`;
      return;
    }
    this.parents = selectBest(candidates.map(asRanked), parentCount(this.gpbt)).map((r) => r.number);
    this.generation = generation;
    if (generation >= this.gpbt.t_max) {
      this.chains = [];
      return;
    }
    const counts = childrenPerParent(this.gpbt.n, this.parents.length);
    let first = 0;
    this.chains = this.parents.map((parent, i) => {
      const chain = { parent, first, count: counts[i], planned: 0 };
      first += counts[i];
      return chain;
    });
  }

  private member(number: number): GpbtMember {
    const m = this.members.get(number);
    if (m === undefined) throw new Error(`GPBT state has no trial ${number}`);
    return m;
  }

  private child(chain: Chain): TrialPlan {
    const g = this.generation;
    const j = chain.planned;
    const parent = this.member(chain.parent);
    const member = chain.first + j;
    if (j === 0) {
      // The first child continues its parent: same hyperparameters, and, for a parent of the
      // previous generation, the same seed (it trains on exactly as the parent would have). A
      // parent kept from an older generation already had that continuation: a new seed.
      return this.plan(g, member, parent.params, {
        trial: parent.number,
        kinds: ['weights', 'hparams'],
        continues: parent.generation === g - 1 ? parent.seed : null,
      });
    }
    const seed = memberSeed(this.study.seed, g, member);
    const sampler: Sampler =
      this.gpbt.sampler === 'tpe' ? new TpeSampler(this.space, seed, { startup: 2, gamma: 0.25, candidates: 24 }) : new RandomSampler(this.space, seed);
    const siblings = this.siblings(chain, j);
    const earlier = [...this.members.values()].filter((m) => m.generation < g && this.done(m));
    for (const o of lineageHistory(this.gpbt.mode, parent, g, siblings, earlier)) sampler.observe(o.params, o.value, o.weight);
    const params = sampler.ask()?.params ?? this.space.sample(new Rng(seed, 23));
    return this.plan(g, member, params, { trial: parent.number, kinds: ['weights'], continues: null });
  }

  /** The chain's children before child j that finished their generation (evaluated siblings). */
  private siblings(chain: Chain, j: number): GpbtMember[] {
    const out: GpbtMember[] = [];
    for (let k = 0; k < j; k++) {
      const sibling = this.members.get(this.number(this.generation, chain.first + k));
      if (sibling !== undefined && this.done(sibling)) out.push(sibling);
    }
    return out;
  }

  private plan(
    generation: number,
    member: number,
    params: Params,
    source: { trial: number; kinds: readonly LineageKind[]; continues: number | null } | null,
  ): TrialPlan {
    const number = this.number(generation, member);
    const seed = source?.continues ?? memberSeed(this.study.seed, generation, member);
    this.members.set(number, {
      number,
      generation,
      member,
      params,
      seed,
      source: source?.trial ?? null,
      status: 'running',
      score: Number.POSITIVE_INFINITY,
      tie: Number.POSITIVE_INFINITY,
      firstEpoch: null,
    });
    return {
      number,
      generation,
      member,
      params,
      seed,
      epochs: this.gpbt.T_g,
      source: source === null ? null : { trial: source.trial, kinds: source.kinds },
      keepCheckpoint: true,
      proposal: null,
    };
  }

  judge(number: number, curve: readonly (readonly [number, number | null])[]): Verdict {
    // Early stop: after its first own epoch, a child (not the first of its chain) worse than the
    // median of its evaluated siblings' first epochs stops. Its siblings are fixed: they were
    // told before it was planned.
    if (!this.gpbt.early_stop || curve.length !== 1) return 'continue';
    const m = this.members.get(number);
    if (m === undefined || m.generation === 0) return 'continue';
    const chain = this.chains.find((c) => m.member >= c.first && m.member < c.first + c.count);
    if (chain === undefined || m.member === chain.first) return 'continue';
    const firsts = this.siblings(chain, m.member - chain.first)
      .map((s) => s.firstEpoch)
      .filter((v): v is number => v !== null);
    if (firsts.length === 0) return 'continue';
    return minimisedValue(this.study.objective.direction, curve[0][1]) > median(firsts) ? 'stop' : 'continue';
  }

  tell(result: TrialResult): void {
    const m = this.member(result.number);
    const r = ranked(this.study, result.number, result.value, result.secondary);
    const first = result.curve.length > 0 ? minimisedValue(this.study.objective.direction, result.curve[0][1]) : null;
    const done = result.status === 'done';
    this.members.set(result.number, {
      ...m,
      status: result.status,
      score: done ? r.score : Number.POSITIVE_INFINITY,
      tie: done ? r.tie : Number.POSITIVE_INFINITY,
      firstEpoch: done ? first : null,
    });
  }

  best(): number | null {
    if (this.generation < this.gpbt.t_max || this.parents.length === 0) return null;
    return this.parents[0];
  }

  state(): GpbtState {
    return {
      kind: 'gpbt',
      rng: this.rng.state(),
      generation: this.generation,
      members: [...this.members.values()].sort((a, b) => a.number - b.number),
      parents: this.parents,
      chains: this.chains,
      failure: this.failed,
    };
  }
}
