// Genealogical Population-Based Training (Scardigli et al. 2021, arXiv:2109.14925, §3):
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
//   current parents (selection includes parents).
// Each member-generation is a trial; its parent (weights, and hyperparameters for the first
// child) is stored as lineage edges, so the genealogy is a DAG in the database.

import type { GpbtConfig } from '../../src-shared/config/study.ts';
import { Rng } from '../engine/rng.ts';
import { memberSeed } from './seeds.ts';
import type { EdgeKind, TrialRow } from '../store/studies.ts';
import { type Member, type PopulationContext, trainMember } from './population-member.ts';
import { RandomSampler } from './samplers/random.ts';
import type { Sampler } from './samplers/sampler.ts';
import { TpeSampler } from './samplers/tpe.ts';
import { type Params, SearchSpace } from './space.ts';
import { abandonUnfinished, pool, type StudyRunOptions, studyHash } from './study-common.ts';

export type PopulationOptions = StudyRunOptions;
export type { Member } from './population-member.ts';

export interface PopulationResult {
  readonly studyId: number;
  readonly best: TrialRow;
  /** Hyperparameters per generation along the best member's lineage (root first). */
  readonly schedule: readonly { readonly generation: number; readonly trial: number; readonly params: Params }[];
  readonly trials: readonly TrialRow[];
}

export function parentCount(gpbt: Pick<GpbtConfig, 'n' | 'c'>): number {
  return Math.max(1, Math.floor(Math.sqrt(gpbt.n / gpbt.c)));
}

/** Children per parent, best parent first: n split as evenly as possible. */
export function childrenPerParent(n: number, parents: number): number[] {
  const base = Math.floor(n / parents);
  return Array.from({ length: parents }, (_, i) => base + (i < n - base * parents ? 1 : 0));
}

/** The best `count` members by score (ties: earlier trial first). */
export function selectBest(members: readonly Member[], count: number): Member[] {
  return [...members].sort((a, b) => a.score - b.score || a.trial.number - b.trial.number).slice(0, count);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * What the inner sampler of a parent's child may see. 'no-time': the parent's children in
 * this generation that are already evaluated. 'time': additionally every member of earlier
 * generations in the parent's lineage (its ancestors and their siblings), scored by rank
 * within its generation and weighted by recency.
 */
export function lineageHistory(
  mode: GpbtConfig['mode'],
  parent: Member,
  generation: number,
  evaluatedSiblings: readonly Member[],
  allMembers: readonly Member[],
): { params: Params; value: number; weight: number }[] {
  if (mode === 'no-time') return evaluatedSiblings.map((m) => ({ params: m.trial.params, value: m.score, weight: 1 }));
  const ancestors = new Set<number>();
  for (let a: Member | null = parent; a !== null; a = a.parent) ancestors.add(a.trial.id);
  // Members of the lineage: the ancestors and every member whose parent is an ancestor.
  const inLineage = allMembers.filter((m) => ancestors.has(m.trial.id) || (m.parent !== null && ancestors.has(m.parent.trial.id)));
  const byGeneration = new Map<number, Member[]>();
  for (const m of allMembers) byGeneration.set(m.trial.generation, [...(byGeneration.get(m.trial.generation) ?? []), m]);
  const rankInGeneration = (m: Member): number => {
    const cohort = byGeneration.get(m.trial.generation) ?? [m];
    return cohort.filter((o) => o.score < m.score).length / Math.max(1, cohort.length - 1);
  };
  // The evaluated siblings are members whose parent is an ancestor: already in the lineage.
  const lineage = new Set(inLineage.map((m) => m.trial.id));
  const members = [...inLineage, ...evaluatedSiblings.filter((m) => !lineage.has(m.trial.id))];
  return members.map((m) => ({ params: m.trial.params, value: rankInGeneration(m), weight: Math.exp(-((generation - m.trial.generation) ** 2) / 8) }));
}

export async function runGpbt(options: PopulationOptions): Promise<PopulationResult> {
  const { store, executor, study } = options;
  const gpbt = study.gpbt;
  if (gpbt === undefined) throw new Error('not a GPBT study');
  const log = options.log ?? (() => {});
  const space = new SearchSpace(study.space);
  const rng = new Rng(study.seed, 21);
  const base = { ...study.base, training: { ...study.base.training, early_stopping: null } };
  const p = parentCount(gpbt);
  const abandoned = abandonUnfinished(store, 'gpbt', studyHash(study));
  if (abandoned > 0) log(`marked ${abandoned} unfinished earlier run(s) of this study failed and cancelled their queued members (GPBT/PBT start over)`);
  const studyId = store.transaction(() =>
    store.studies.create({ name: options.name, kind: 'gpbt', config: study, configHash: studyHash(study), state: null, createdAt: new Date().toISOString() }),
  );
  log(`study ${studyId}: GPBT n ${gpbt.n}, t_max ${gpbt.t_max}, c ${gpbt.c} (${p} parents), T_g ${gpbt.T_g}, ${gpbt.sampler} ${gpbt.mode}`);
  const all: Member[] = [];
  const context: PopulationContext = { store, executor, study, studyId, name: options.name, space, base, epochsPerGeneration: gpbt.T_g, log };
  const train = async (
    generation: number,
    member: number,
    params: Params,
    parent: Member | null,
    inheritsHparams: boolean,
    stopRule: ((firstEpochValue: number) => boolean) | null,
  ): Promise<Member | null> => {
    // Seeds come from (generation, member), so a study is reproducible whatever the order in
    // which parallel chains finish. The first child of a parent trained in the previous
    // generation continues it exactly (same seed); a parent kept from an older generation
    // already had that continuation, so its first child gets its own seed.
    const continues = parent !== null && inheritsHparams && parent.trial.generation === generation - 1;
    const seed = continues ? parent.seed : memberSeed(study.seed, generation, member);
    const edges: EdgeKind[] = parent === null ? [] : inheritsHparams ? ['weights', 'hparams'] : ['weights'];
    const m = await trainMember(context, { generation, member, params, source: parent, edges, seed, ...(stopRule !== null ? { continueAfterFirstEpoch: (v: number) => !stopRule(v) } : {}) });
    if (m !== null) all.push(m);
    return m;
  };

  // Generation 0: n random members from scratch.
  const initial = await pool(
    Array.from({ length: gpbt.n }, (_, i) => () => train(0, i, space.sample(rng), null, false, null)),
    options.parallel,
  );
  let candidates = initial.filter((m): m is Member => m !== null);
  if (candidates.length === 0) throw new Error('every member of generation 0 failed');
  let parents = selectBest(candidates, p);

  for (let generation = 1; generation < gpbt.t_max; generation++) {
    const counts = childrenPerParent(gpbt.n, parents.length);
    let member = 0;
    // One sequential chain per parent (so each child sees its evaluated siblings); chains in parallel.
    const chains = parents.map((parent, index) => {
      const first = member;
      member += counts[index];
      return async (): Promise<Member[]> => {
        const children: Member[] = [];
        const firstEpochs: number[] = [];
        for (let j = 0; j < counts[index]; j++) {
          let params: Params = parent.trial.params;
          if (j > 0) {
            const sampler: Sampler =
              gpbt.sampler === 'tpe'
                ? new TpeSampler(space, study.seed * 7919 + generation * 131 + first + j, { startup: 2, gamma: 0.25, candidates: 24 })
                : new RandomSampler(space, study.seed * 7919 + generation * 131 + first + j);
            for (const o of lineageHistory(gpbt.mode, parent, generation, children, all)) sampler.observe(o.params, o.value, o.weight);
            params = sampler.ask()?.params ?? space.sample(rng);
          }
          const stopRule = gpbt.early_stop && firstEpochs.length > 0 ? (value: number) => value > median(firstEpochs) : null;
          const child = await train(generation, first + j, params, parent, j === 0, stopRule);
          if (child !== null) {
            children.push(child);
            if (child.firstEpoch !== null) firstEpochs.push(child.firstEpoch);
          }
        }
        return children;
      };
    });
    const children = (await pool(chains, options.parallel)).flat();
    candidates = [...children, ...parents];
    parents = selectBest(candidates, p);
  }

  const [best] = selectBest(parents, 1);
  const schedule: { generation: number; trial: number; params: Params }[] = [];
  for (let m: Member | null = best; m !== null; m = m.parent) schedule.unshift({ generation: m.trial.generation, trial: m.trial.number, params: m.trial.params });
  store.transaction(() => store.studies.update(studyId, { status: 'done', bestTrial: best.trial.id, finishedAt: new Date().toISOString() }));
  return { studyId, best: best.trial, schedule, trials: store.studies.trials(studyId) };
}
