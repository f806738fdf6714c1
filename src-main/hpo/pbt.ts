// Population-Based Training (Jaderberg et al. 2017, arXiv:1711.09846, §3 and §4.1 "truncation
// selection", "perturb", "resample"): n members train together, T_g epochs per generation,
// t_max generations. After each generation the bottom `quantile` of the members copy the
// weights and hyperparameters of a member drawn from the top `quantile` (exploit), then each
// copied hyperparameter is resampled from the space with probability `resample_probability`
// or else multiplied by a factor drawn from `factors` (explore). The others continue with
// their own weights and hyperparameters. Every member-generation is a trial with lineage
// edges to the trial it took its weights (and hyperparameters) from.

import type { Parameter } from '../../src-shared/config/study.ts';
import { Rng } from '../engine/rng.ts';
import { memberSeed } from './seeds.ts';
import type { PopulationOptions, PopulationResult } from './gpbt.ts';
import { type Member, type PopulationContext, trainMember } from './population-member.ts';
import { selectBest } from './gpbt.ts';
import { fromInternal, internalRange, type ParamValue, type Params, SearchSpace, toInternal } from './space.ts';
import { abandonUnfinished, pool, studyHash } from './study-common.ts';

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

export async function runPbt(options: PopulationOptions): Promise<PopulationResult> {
  const { store, executor, study } = options;
  const pbt = study.pbt;
  if (pbt === undefined) throw new Error('not a PBT study');
  const log = options.log ?? (() => {});
  const space = new SearchSpace(study.space);
  const rng = new Rng(study.seed, 22);
  const base = { ...study.base, training: { ...study.base.training, early_stopping: null } };
  const abandoned = abandonUnfinished(store, 'pbt', studyHash(study));
  if (abandoned > 0) log(`marked ${abandoned} unfinished earlier run(s) of this study failed and cancelled their queued members (GPBT/PBT start over)`);
  const studyId = store.transaction(() =>
    store.studies.create({ name: options.name, kind: 'pbt', config: study, configHash: studyHash(study), state: null, createdAt: new Date().toISOString() }),
  );
  log(`study ${studyId}: PBT n ${pbt.n}, t_max ${pbt.t_max}, T_g ${pbt.T_g}, quantile ${pbt.quantile}`);
  const cut = Math.max(1, Math.floor(pbt.quantile * pbt.n));

  const context: PopulationContext = { store, executor, study, studyId, name: options.name, space, base, epochsPerGeneration: pbt.T_g, log };
  // A member takes both its weights and its hyperparameters from its source (itself or a donor).
  const train = (generation: number, member: number, params: Params, source: Member | null, seed: number): Promise<Member | null> =>
    trainMember(context, { generation, member, params, source, edges: ['weights', 'hparams'], seed });

  const seeds = Array.from({ length: pbt.n }, (_, i) => memberSeed(study.seed, 0, i));
  let population = await pool(
    seeds.map((seed, i) => () => train(0, i, space.sample(rng), null, seed)),
    options.parallel,
  );
  for (let generation = 1; generation < pbt.t_max; generation++) {
    const alive = population.filter((m): m is Member => m !== null);
    if (alive.length === 0) throw new Error(`every member of generation ${generation - 1} failed`);
    const ranked = selectBest(alive, alive.length);
    const top = ranked.slice(0, cut);
    const bottom = new Set(ranked.slice(-cut).map((m) => m.trial.id));
    const plans = population.map((m, i) => {
      if (m === null) {
        // A failed member restarts from a top member, like an exploited one.
        const donor = top[rng.integer(top.length)];
        return { params: explore(space, donor.trial.params, rng, pbt.resample_probability, pbt.factors), source: donor, seed: seeds[i] };
      }
      if (bottom.has(m.trial.id) && !top.includes(m)) {
        const donor = top[rng.integer(top.length)];
        return { params: explore(space, donor.trial.params, rng, pbt.resample_probability, pbt.factors), source: donor, seed: seeds[i] };
      }
      return { params: m.trial.params, source: m, seed: seeds[i] };
    });
    population = await pool(
      plans.map((plan, i) => () => train(generation, i, plan.params, plan.source, plan.seed)),
      options.parallel,
    );
  }
  const alive = population.filter((m): m is Member => m !== null);
  if (alive.length === 0) throw new Error('every member of the last generation failed');
  const [best] = selectBest(alive, 1);
  const schedule: { generation: number; trial: number; params: Params }[] = [];
  for (let m: Member | null = best; m !== null; m = m.parent) schedule.unshift({ generation: m.trial.generation, trial: m.trial.number, params: m.trial.params });
  store.transaction(() => store.studies.update(studyId, { status: 'done', bestTrial: best.trial.id, finishedAt: new Date().toISOString() }));
  return { studyId, best: best.trial, schedule, trials: store.studies.trials(studyId) };
}
