// The study methods as pure state machines, driven by a scripted objective (no engine, no
// database): the same trials whatever the order in which results come back and however many
// trials train at once, the same after a JSON round trip of the state at any point; tuning
// proposes trial k only from trials 0..k-parallel and prunes by the median rule; GPBT's
// genealogy (parents, children per parent, the first child inheriting weights, HPs and seed,
// selection among children and parents, the early-stop rule, lineage isolation, ties broken by
// the secondary metric); PBT's truncation selection.
import { describe, expect, it } from 'vitest';
import { parseStudyConfig, type StudyConfig } from '../../src-shared/config/study.ts';
import { Rng } from '../engine/rng.ts';
import { childrenPerParent, type GpbtMember, lineageHistory, parentCount } from './gpbt.ts';
import type { TrialPlan, TrialResult } from './method.ts';
import { type AnyMethod, createMethod, type MethodState, restoreMethod } from './methods.ts';

const base = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 6 } };
const space = { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } };

function study(method: object, objective: object = {}): StudyConfig {
  return parseStudyConfig({ base, space, seed: 3, objective, ...method }, () => ({}));
}

/** Scripted training: val_loss at (absolute) epoch e = (log10 lr + 2)^2 + 1 / e (+ penalty for children). */
type Script = (plan: TrialPlan, epoch: number) => number;
const lossOf: Script = (plan, epoch) => (Math.log10(Number(plan.params['optimizer.lr'])) + 2) ** 2 + 1 / epoch;

interface Driven {
  readonly plans: TrialPlan[];
  readonly results: TrialResult[];
  readonly method: AnyMethod;
}

/**
 * Drives a method to its end: at most `slots` trials train at once, and `pick` chooses which
 * of them finishes next (the order results come back in). With `restartEvery`, the method is
 * rebuilt from a JSON copy of its state every that many results (a crash and resume).
 */
function drive(
  config: StudyConfig,
  options: { slots: number; pick: (inFlight: readonly TrialPlan[], rng: Rng) => number; restartEvery?: number; script?: Script; seed?: number },
): Driven {
  let method = createMethod(config);
  const script = options.script ?? lossOf;
  const rng = new Rng(options.seed ?? 1, 99);
  const plans: TrialPlan[] = [];
  const results: TrialResult[] = [];
  const ends = new Map<number, number>(); // trial -> last absolute epoch
  const waiting: TrialPlan[] = [];
  const inFlight: TrialPlan[] = [];
  for (let step = 0; step < 100_000; step++) {
    const fresh = method.ask();
    plans.push(...fresh);
    waiting.push(...fresh);
    while (inFlight.length < options.slots && waiting.length > 0) inFlight.push(waiting.shift() as TrialPlan);
    if (inFlight.length === 0) break;
    const [plan] = inFlight.splice(options.pick(inFlight, rng), 1);
    const start = plan.source === null ? 0 : (ends.get(plan.source.trial) ?? 0);
    const curve: [number, number][] = [];
    let verdict: 'prune' | 'stop' | null = null;
    for (let e = start + 1; e <= start + plan.epochs; e++) {
      curve.push([e, script(plan, e)]);
      const v = method.judge(plan.number, curve);
      if (v !== 'continue') {
        verdict = v;
        break;
      }
    }
    ends.set(plan.number, curve[curve.length - 1][0]);
    const last = curve[curve.length - 1][1];
    const result: TrialResult = {
      number: plan.number,
      status: verdict === null ? 'done' : verdict === 'prune' ? 'pruned' : 'stopped',
      value: last,
      secondary: null,
      curve,
    };
    results.push(result);
    method.tell(result);
    if (options.restartEvery !== undefined && results.length % options.restartEvery === 0) {
      method = restoreMethod(config, JSON.parse(JSON.stringify(method.state())) as MethodState);
    }
  }
  expect(method.finished).toBe(true);
  return { plans, results, method };
}

const fifo = (): number => 0;
const lifo = (inFlight: readonly TrialPlan[]): number => inFlight.length - 1;
const random = (inFlight: readonly TrialPlan[], rng: Rng): number => rng.integer(inFlight.length);

/** What a study is: its trials by number (params, seed, where they start) and their outcomes. */
function trialsOf(run: Driven): unknown {
  const byNumber = [...run.plans].sort((a, b) => a.number - b.number);
  const status = new Map(run.results.map((r) => [r.number, r.status]));
  return { trials: byNumber.map((p) => ({ ...p, status: status.get(p.number) })), best: run.method.best() };
}

const methods: [string, StudyConfig][] = [
  [
    'tune (TPE, median pruning)',
    study({ tune: { trials: 14, parallel: 3, sampler: { type: 'tpe', startup_trials: 4 }, pruning: { type: 'median', startup_trials: 2, warmup_epochs: 1 } } }),
  ],
  ['tune (CMA-ES, which waits for its generations)', study({ tune: { trials: 14, parallel: 3, sampler: { type: 'cmaes', sigma0: 0.3, population: 5 } } })],
  [
    'tune (GP, ASHA)',
    study({ tune: { trials: 12, parallel: 2, sampler: { type: 'gp', startup_trials: 4 }, pruning: { type: 'asha', min_resource: 1, reduction_factor: 2 } } }),
  ],
  ['GPBT time', study({ gpbt: { n: 8, t_max: 4, c: 2, T_g: 2, mode: 'time', early_stop: true } })],
  ['GPBT no-time', study({ gpbt: { n: 8, t_max: 4, c: 2, T_g: 2, mode: 'no-time', early_stop: true } })],
  ['PBT', study({ pbt: { n: 6, t_max: 4, T_g: 2 } })],
];

describe.each(methods)('%s', (_name, config) => {
  const reference = trialsOf(drive(config, { slots: 1, pick: fifo }));

  it('makes the same trials with 1 slot or many, whatever order results come back in', () => {
    for (const [slots, pick] of [
      [3, fifo],
      [3, lifo],
      [8, random],
      [100, random],
    ] as const) {
      expect(trialsOf(drive(config, { slots, pick, seed: slots }))).toEqual(reference);
    }
  });

  it('continues identically from a JSON copy of its state at any point', () => {
    expect(trialsOf(drive(config, { slots: 4, pick: random, restartEvery: 1 }))).toEqual(reference);
    expect(trialsOf(drive(config, { slots: 2, pick: lifo, restartEvery: 3 }))).toEqual(reference);
  });
});

describe('tuning', () => {
  it('proposes trial k only once trials 0..k-parallel have finished', () => {
    const config = study({ tune: { trials: 10, parallel: 3, sampler: { type: 'random' } } });
    const method = createMethod(config);
    expect(method.ask().map((p) => p.number)).toEqual([0, 1, 2]);
    expect(method.ask()).toEqual([]);
    // Trial 1 finishing first does not let trial 3 start: it waits for trial 0.
    method.tell({ number: 1, status: 'done', value: 1, secondary: null, curve: [] });
    expect(method.ask()).toEqual([]);
    method.tell({ number: 0, status: 'done', value: 2, secondary: null, curve: [] });
    expect(method.ask().map((p) => p.number)).toEqual([3, 4]);
  });

  it('prunes by the median of the trials visible to it, after the warm-up', () => {
    const config = study({ tune: { trials: 10, parallel: 1, sampler: { type: 'random' }, pruning: { type: 'median', startup_trials: 2, warmup_epochs: 1 } } });
    const method = createMethod(config);
    const finish = (curve: number[]) => {
      const [plan] = method.ask();
      method.tell({ number: plan.number, status: 'done', value: curve[curve.length - 1], secondary: null, curve: curve.map((v, i) => [i + 1, v] as const) });
    };
    finish([5, 4, 3]);
    finish([7, 6, 5]);
    const [third] = method.ask();
    // Epoch 1 is in the warm-up; at epoch 2 the median of 4 and 6 is 5.
    expect(method.judge(third.number, [[1, 100]])).toBe('continue');
    expect(
      method.judge(third.number, [
        [1, 100],
        [2, 5],
      ]),
    ).toBe('continue');
    expect(
      method.judge(third.number, [
        [1, 100],
        [2, 5.01],
      ]),
    ).toBe('prune');
  });
});

describe('GPBT', () => {
  const config = study({ gpbt: { n: 10, t_max: 4, c: 2, T_g: 2, mode: 'no-time', early_stop: false } });

  it('has floor(sqrt(n/c)) parents and splits n children among them, best parent first', () => {
    expect(parentCount({ n: 10, c: 2 })).toBe(2);
    expect(parentCount({ n: 16, c: 1 })).toBe(4);
    expect(parentCount({ n: 3, c: 3 })).toBe(1);
    expect(childrenPerParent(10, 3)).toEqual([4, 3, 3]);
    expect(childrenPerParent(8, 2)).toEqual([4, 4]);
  });

  it("numbers trials generation * n + member; each child starts from one parent's weights; the first keeps its HPs and seed", () => {
    const { plans } = drive(config, { slots: 5, pick: random });
    expect(plans.map((p) => p.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const byNumber = new Map(plans.map((p) => [p.number, p]));
    for (const plan of plans) {
      expect(plan.number).toBe(plan.generation * 10 + plan.member);
      if (plan.generation === 0) {
        expect(plan.source).toBeNull();
        continue;
      }
      const parent = byNumber.get(plan.source?.trial ?? -1);
      expect(parent?.generation).toBeLessThan(plan.generation);
      if (plan.source?.kinds.includes('hparams')) {
        expect(plan.params).toEqual(parent?.params);
        if (parent?.generation === plan.generation - 1) expect(plan.seed).toBe(parent.seed);
      }
    }
    // p = 2 parents per generation, n / p = 5 children each.
    for (let g = 1; g < 4; g++) {
      const children = plans.filter((p) => p.generation === g);
      const perParent = new Map<number, number>();
      for (const c of children) perParent.set(c.source?.trial ?? -1, (perParent.get(c.source?.trial ?? -1) ?? 0) + 1);
      expect([...perParent.values()].sort()).toEqual([5, 5]);
      expect(children.filter((c) => c.source?.kinds.includes('hparams'))).toHaveLength(2);
    }
  });

  it('keeps parents that no child beats (selection includes parents)', () => {
    // Children are much worse than their parents: the generation-0 parents stay parents.
    const script: Script = (plan, epoch) => lossOf(plan, epoch) + (plan.generation > 0 ? 10 : 0);
    const { plans, method } = drive(config, { slots: 4, pick: random, script });
    const roots = new Set(plans.filter((p) => p.generation === 3).map((p) => p.source?.trial));
    expect([...roots].every((t) => (t ?? 99) < 10)).toBe(true);
    expect(method.best()).toBeLessThan(10);
  });

  it('stops a child whose first epoch is worse than the median of its evaluated siblings', () => {
    const withStop = study({ gpbt: { n: 10, t_max: 2, c: 2, T_g: 3, mode: 'no-time', early_stop: true } });
    const { results } = drive(withStop, { slots: 3, pick: random });
    const stopped = results.filter((r) => r.status === 'stopped');
    expect(stopped.length).toBeGreaterThan(0);
    // A stopped child trained exactly one epoch (its first).
    for (const r of stopped) expect(r.curve).toHaveLength(1);
  });

  it('breaks ties of the objective with the secondary metric (val_acc ties at 1.0 are told apart by val_loss)', () => {
    const acc = study({ gpbt: { n: 4, t_max: 2, c: 4, T_g: 1, mode: 'no-time', early_stop: false } }, { metric: 'val_acc' });
    expect(acc.objective).toEqual({ metric: 'val_acc', direction: 'maximize', secondary: 'val_loss' });
    const method = createMethod(acc);
    const first = method.ask();
    // Every member reaches val_acc 1.0; member 2 has the lowest val_loss.
    for (const plan of first) method.tell({ number: plan.number, status: 'done', value: 1, secondary: [0.3, 0.2, 0.05, 0.4][plan.member], curve: [[1, 1]] });
    const children = method.ask();
    expect(children.every((c) => c.source?.trial === 2)).toBe(true);
  });

  it("feeds the inner sampler only the parent's own lineage, from generations before the current one", () => {
    const member = (number: number, generation: number, source: number | null, score: number): GpbtMember => ({
      number,
      generation,
      member: number % 4,
      params: { 'optimizer.lr': number / 100 },
      seed: number,
      source,
      status: 'done',
      score,
      tie: 0,
      firstEpoch: null,
    });
    // Generation 0: 0..3; generation 1: 4, 5 from 0 and 6, 7 from 1.
    const earlier = [
      member(0, 0, null, 1),
      member(1, 0, null, 2),
      member(2, 0, null, 3),
      member(3, 0, null, 4),
      member(4, 1, 0, 1),
      member(5, 1, 0, 2),
      member(6, 1, 1, 3),
      member(7, 1, 1, 4),
    ];
    const history = lineageHistory('time', earlier[4], 2, [], earlier);
    // The lineage of trial 4: its ancestors 4 and 0, and the members whose source is one of them (5).
    expect(history.map((h) => h.params['optimizer.lr']).sort()).toEqual([0, 0.04, 0.05]);
    expect(lineageHistory('no-time', earlier[4], 2, [member(8, 2, 4, 1)], earlier)).toEqual([{ params: { 'optimizer.lr': 0.08 }, value: 1, weight: 1 }]);
  });
});

describe('PBT', () => {
  it('replaces the bottom quantile with explored copies of top members and lets the others continue', () => {
    const config = study({ pbt: { n: 8, t_max: 2, T_g: 1, quantile: 0.25 } });
    const method = createMethod(config);
    const first = method.ask();
    // Member i scores i: members 0 and 1 are the top quarter, 6 and 7 the bottom one.
    for (const plan of first) method.tell({ number: plan.number, status: 'done', value: plan.member, secondary: null, curve: [[1, plan.member]] });
    const next = method.ask();
    for (const plan of next) {
      if (plan.member < 6) expect([plan.source?.trial, plan.params]).toEqual([plan.member, first[plan.member].params]);
      else expect([0, 1]).toContain(plan.source?.trial);
      expect(plan.seed).toBe(first[plan.member].seed);
    }
  });
});
