// Member seeds: distinct for every (generation, member) of a study up to the schema's bounds,
// and exact (below 2^53) for the largest study seed; out-of-bounds inputs are refused.
import { describe, expect, it } from 'vitest';
import { STUDY_LIMITS } from '../../src-shared/config/study.ts';
import { memberSeed } from './seeds.ts';

describe('member seeds', () => {
  it('never repeat within a study, at the edges of the bounds', () => {
    const seen = new Set<number>();
    const generations = [0, 1, 2, STUDY_LIMITS.generations - 2, STUDY_LIMITS.generations - 1];
    const members = [0, 1, 2, STUDY_LIMITS.members - 2, STUDY_LIMITS.members - 1];
    for (const g of generations) for (const m of members) seen.add(memberSeed(7, g, m));
    expect(seen.size).toBe(generations.length * members.length);
    // A whole small study, every pair.
    const all = new Set<number>();
    for (let g = 0; g < 200; g++) for (let m = 0; m < 200; m++) all.add(memberSeed(3, g, m));
    expect(all.size).toBe(200 * 200);
  });

  it('stay exact doubles for the largest study seed', () => {
    const largest = memberSeed(STUDY_LIMITS.seed, STUDY_LIMITS.generations - 1, STUDY_LIMITS.members - 1);
    expect(Number.isSafeInteger(largest)).toBe(true);
    expect(memberSeed(STUDY_LIMITS.seed, STUDY_LIMITS.generations - 1, STUDY_LIMITS.members - 2)).toBe(largest - 1);
  });

  it('refuse inputs outside the bounds rather than collide', () => {
    expect(() => memberSeed(2 ** 40, 0, 0)).toThrow(/study seed/);
    expect(() => memberSeed(1, 0, STUDY_LIMITS.members)).toThrow(/member/);
    expect(() => memberSeed(1, STUDY_LIMITS.generations, 0)).toThrow(/generation/);
  });
});
