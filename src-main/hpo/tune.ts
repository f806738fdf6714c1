// A tuning study as a state machine: the sampler proposes trials, each trains the base config
// with the proposed hyperparameters and the study's seed (so trials differ only in their
// hyperparameters), a pruner may stop a trial early from its per-epoch objective.
//
// What makes it independent of slots, timing and restarts: trial k is proposed only once
// trials 0 .. k - parallel have finished, and the sampler is told results strictly in trial
// order, exactly those (and, when it must wait, like CMA-ES at the end of a generation, one
// more at a time). The pruner judges trial k only against trials 0 .. k - parallel. So the
// sequence of asks and tells the sampler sees is fixed by the trial numbers alone: with one
// slot or many, and after a crash, a study proposes the same trials.

import type { StudyConfig } from '../../src-shared/config/study.ts';
import { compareRanked, minimisedValue, type Ranked, ranked, type StudyMethod, type TrialPlan, type TrialResult, type Verdict } from './method.ts';
import type { Pruner } from './pruners/pruner.ts';
import { createPruner } from './pruners/registry.ts';
import { createSampler, restoreSampler } from './samplers/registry.ts';
import type { Sampler, SamplerState } from './samplers/sampler.ts';
import { SearchSpace } from './space.ts';

interface TunedTrial {
  readonly status: TrialResult['status'];
  readonly value: number | null;
  readonly secondary: number | null;
  /** Minimised per-epoch values (what pruners compare). */
  readonly curve: readonly (readonly [number, number])[];
}

export interface TuneState {
  readonly kind: 'tune';
  readonly sampler: SamplerState;
  /** The next trial number to propose. */
  readonly next: number;
  /** Trials 0 .. told - 1 have been told to the sampler. */
  readonly told: number;
  /** The sampler's proposal id of each proposed trial. */
  readonly proposals: Readonly<Record<string, number>>;
  /** Results received, by trial number (told to the sampler only in order). */
  readonly results: Readonly<Record<string, TunedTrial>>;
}

function settingsOf(study: StudyConfig): NonNullable<StudyConfig['tune']> {
  if (study.tune === undefined) throw new Error('not a tuning study');
  return study.tune;
}

export class TuneMethod implements StudyMethod<TuneState> {
  readonly kind = 'tune' as const;
  readonly budget: number;
  readonly failure = null;
  private readonly study: StudyConfig;
  private readonly parallel: number;
  private readonly sampler: Sampler;
  private readonly pruner: Pruner | null;
  private next = 0;
  private told = 0;
  private readonly proposals = new Map<number, number>();
  private readonly results = new Map<number, TunedTrial>();

  constructor(study: StudyConfig, state?: TuneState) {
    const settings = settingsOf(study);
    this.study = study;
    this.budget = settings.trials;
    this.parallel = settings.parallel;
    const space = new SearchSpace(study.space);
    this.sampler = state === undefined ? createSampler(settings.sampler, space, study.seed) : restoreSampler(state.sampler, space);
    this.pruner = settings.pruning === null ? null : createPruner(settings.pruning, { maxEpochs: study.base.training.max_epochs });
    if (state !== undefined) {
      this.next = state.next;
      this.told = state.told;
      for (const [k, v] of Object.entries(state.proposals)) this.proposals.set(Number(k), v);
      for (const [k, v] of Object.entries(state.results)) this.results.set(Number(k), v);
    }
  }

  get finished(): boolean {
    return this.next >= this.budget && this.results.size >= this.budget;
  }

  ask(): TrialPlan[] {
    const plans: TrialPlan[] = [];
    while (this.next < this.budget) {
      // Trials 0 .. next - parallel must be told first, and no others.
      while (this.told <= this.next - this.parallel) {
        if (!this.tellNext()) return plans;
      }
      let proposal = this.sampler.ask();
      // The sampler waits (a CMA-ES generation is handed out): tell it one more result, in order.
      while (proposal === null) {
        if (this.told >= this.next) throw new Error('the sampler waits for results, but no trial is running');
        if (!this.tellNext()) return plans;
        proposal = this.sampler.ask();
      }
      this.proposals.set(this.next, proposal.id);
      plans.push({
        number: this.next,
        generation: 0,
        member: 0,
        params: proposal.params,
        seed: this.study.seed,
        epochs: this.study.base.training.max_epochs,
        source: null,
        keepCheckpoint: false,
        proposal: proposal.id,
      });
      this.next++;
    }
    // Everything proposed: the remaining results only complete the record.
    while (this.tellNext());
    return plans;
  }

  /** Tells the sampler the next result in trial order; false when it has not come yet. */
  private tellNext(): boolean {
    const result = this.results.get(this.told);
    if (result === undefined || this.told >= this.next) return false;
    const id = this.proposals.get(this.told);
    if (id !== undefined) this.sampler.tell(id, minimisedValue(this.study.objective.direction, result.value));
    this.told++;
    return true;
  }

  judge(number: number, curve: readonly (readonly [number, number | null])[]): Verdict {
    if (this.pruner === null || curve.length === 0) return 'continue';
    const direction = this.study.objective.direction;
    const own = new Map(curve.map(([e, v]) => [e, minimisedValue(direction, v)] as const));
    const others = new Map<number, ReadonlyMap<number, number>>();
    // Only trials that had finished before this one was proposed: the same whenever it is asked.
    for (let j = 0; j <= number - this.parallel; j++) {
      const r = this.results.get(j);
      // The median pruner compares with completed trials (as Optuna's does); the others with every trial that reached a rung.
      if (r === undefined || (this.pruner.kind === 'median' && r.status !== 'done')) continue;
      others.set(j + 1, new Map(r.curve));
    }
    const epoch = curve[curve.length - 1][0];
    // Pruners number trials from 1 (Hyperband's bracket allocation starts there).
    return this.pruner.shouldPrune({ trial: number + 1, epoch, curve: own, others }) ? 'prune' : 'continue';
  }

  tell(result: TrialResult): void {
    const direction = this.study.objective.direction;
    this.results.set(result.number, {
      status: result.status,
      value: result.value,
      secondary: result.secondary,
      curve: result.curve.map(([e, v]) => [e, minimisedValue(direction, v)] as const),
    });
  }

  best(): number | null {
    let best: Ranked | null = null;
    for (const [number, r] of this.results) {
      if (r.status !== 'done' || r.value === null || !Number.isFinite(r.value)) continue;
      const candidate = ranked(this.study, number, r.value, r.secondary);
      if (best === null || compareRanked(candidate, best) < 0) best = candidate;
    }
    return best?.number ?? null;
  }

  state(): TuneState {
    return {
      kind: 'tune',
      sampler: this.sampler.state(),
      next: this.next,
      told: this.told,
      proposals: Object.fromEntries(this.proposals),
      results: Object.fromEntries(this.results),
    };
  }
}
