// Seeds derived from a study's seed: one per (generation, member), so a population study is
// reproducible whatever order its parallel members finish in. The derivation
//   seed * 1,000,003 + generation * 10,007 + member + 1
// gives every (generation, member) of a study its own seed as long as member < 10,007
// (the study schema allows n <= 10,000), and stays below 2^53 (where doubles stop being
// exact and neighbouring seeds collide) for study seeds below 2^32 and t_max <= 100,000,
// which the schema also enforces. memberSeed() checks both, so a future change of the
// bounds cannot silently produce equal seeds.

import { STUDY_LIMITS } from '../../src-shared/config/study.ts';

const MAX_STUDY_SEED = STUDY_LIMITS.seed;
const MAX_MEMBERS = STUDY_LIMITS.members;
const MAX_GENERATIONS = STUDY_LIMITS.generations;

export function memberSeed(studySeed: number, generation: number, member: number): number {
  if (!Number.isSafeInteger(studySeed) || studySeed < 0 || studySeed > MAX_STUDY_SEED)
    throw new RangeError(`study seed ${studySeed} is outside [0, ${MAX_STUDY_SEED}]`);
  if (!Number.isInteger(member) || member < 0 || member >= MAX_MEMBERS) throw new RangeError(`member ${member} is outside [0, ${MAX_MEMBERS})`);
  if (!Number.isInteger(generation) || generation < 0 || generation >= MAX_GENERATIONS)
    throw new RangeError(`generation ${generation} is outside [0, ${MAX_GENERATIONS})`);
  return studySeed * 1_000_003 + generation * 10_007 + member + 1;
}
