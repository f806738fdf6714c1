// GPBT and PBT invariants, with a scripted executor (scores from a formula, checkpoints that
// say whose weights they hold) and the real store, so the genealogy is checked in the
// database: parent count, children per parent, the first child inheriting hyperparameters
// and weights, selection among children and parents, lineage isolation of the inner
// sampler's history, the early-stop rule, and PBT's truncation selection.
import { describe, expect, it } from 'vitest';
import { parseStudyConfig, type StudyConfig } from '../../src-shared/config/study.ts';
import { boot } from '../services/boot.ts';
import { openStore, type Store } from '../store/store.ts';
import type { EpochValues, TrialExecutor, TrialOutcome, TrialSpec } from './executor.ts';
import { childrenPerParent, lineageHistory, type Member, parentCount, runGpbt, selectBest } from './gpbt.ts';
import { runPbt } from './pbt.ts';
import { studyHash } from './study-common.ts';

const base = { dataset: { name: 'iris' }, optimizer: { type: 'adam', lr: 0.01 }, training: { batch_size: 16, max_epochs: 100 } };
const space = { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } };

interface FakeCheckpoint {
  format: 'evolab-run-checkpoint/1';
  seed: number;
  epoch: number;
  /** Label of the trial whose training produced these weights. */
  weightsOf: string;
}

/** Scores a trial from its learning rate; `childPenalty` makes every non-root trial worse. */
class ScriptedExecutor implements TrialExecutor {
  readonly specs: TrialSpec[] = [];
  readonly firstEpochs = new Map<string, number>();
  private readonly childPenalty: number;

  constructor(childPenalty = 0) {
    this.childPenalty = childPenalty;
  }

  async run(spec: TrialSpec): Promise<TrialOutcome> {
    this.specs.push(spec);
    const lr = spec.config.optimizer.type === 'adam' ? spec.config.optimizer.lr : 0;
    const start = spec.checkpoint === null ? 0 : (JSON.parse(spec.checkpoint) as FakeCheckpoint).epoch;
    const first = (Math.log10(lr) + 2) ** 2 + (start > 0 ? this.childPenalty : 0);
    const epoch: EpochValues = { epoch: start + 1, train_loss: first, train_acc: 0, val_loss: first, val_acc: 0 };
    this.firstEpochs.set(spec.label, first);
    if (spec.onEpoch !== undefined && !spec.onEpoch(epoch)) return { status: 'stopped', final: null, lastEpoch: epoch, checkpoint: null, error: null };
    const end = spec.config.training.max_epochs;
    const loss = first - 0.001 * end;
    const checkpoint: FakeCheckpoint = { format: 'evolab-run-checkpoint/1', seed: spec.seed, epoch: end, weightsOf: spec.label };
    return {
      status: 'done',
      final: { train_loss: loss, train_acc: 0, val_loss: loss, val_acc: 0, test_loss: loss + 0.1, test_acc: 0 },
      lastEpoch: { ...epoch, epoch: end, val_loss: loss },
      checkpoint: { id: null, state: JSON.stringify(checkpoint) },
      error: null,
    };
  }
}

function gpbtStudy(overrides: object = {}): StudyConfig {
  return parseStudyConfig({ base, space, seed: 3, gpbt: { n: 10, t_max: 4, c: 2, T_g: 2, mode: 'no-time', early_stop: false, ...overrides } }, () => ({}));
}

function genealogy(store: Store, studyId: number) {
  const trials = store.studies.trials(studyId);
  const edges = store.studies.edges(studyId);
  const byId = new Map(trials.map((t) => [t.id, t]));
  const weightsParent = (id: number) => edges.filter((e) => e.childId === id && e.kind === 'weights').map((e) => byId.get(e.parentId));
  return { trials, edges, byId, weightsParent };
}

describe('GPBT', () => {
  it('has floor(sqrt(n/c)) parents and splits n children among them, best parent first', () => {
    expect(parentCount({ n: 10, c: 2 })).toBe(2);
    expect(parentCount({ n: 16, c: 1 })).toBe(4);
    expect(parentCount({ n: 3, c: 3 })).toBe(1);
    expect(childrenPerParent(10, 3)).toEqual([4, 3, 3]);
    expect(childrenPerParent(8, 2)).toEqual([4, 4]);
  });

  it('records a consistent genealogy: every child has one weights-parent from an earlier generation, p parents per generation, n/p children each', async () => {
    const store = openStore(':memory:');
    const executor = new ScriptedExecutor();
    const study = gpbtStudy();
    const result = await runGpbt({ store, executor, study, name: 'g', parallel: 2 });
    const { trials, weightsParent } = genealogy(store, result.studyId);
    const p = parentCount({ n: 10, c: 2 });
    expect(trials).toHaveLength(10 * 4);
    for (let g = 0; g < 4; g++) {
      const members = trials.filter((t) => t.generation === g);
      expect(members).toHaveLength(10);
      if (g === 0) {
        expect(members.every((t) => weightsParent(t.id).length === 0)).toBe(true);
        continue;
      }
      const parents = members.map((t) => weightsParent(t.id));
      expect(parents.every((list) => list.length === 1 && (list[0]?.generation ?? g) < g)).toBe(true);
      // Each parent was a candidate after generation g-1: a member of g-1, or a parent of g-1 kept by selection.
      const previous = trials.filter((t) => t.generation === g - 1);
      const candidates = new Set([...previous.map((t) => t.id), ...previous.flatMap((t) => weightsParent(t.id).map((x) => x?.id))]);
      expect(parents.every(([parent]) => candidates.has(parent?.id))).toBe(true);
      const distinct = new Map<number, number>();
      for (const [parent] of parents) distinct.set(parent?.id ?? -1, (distinct.get(parent?.id ?? -1) ?? 0) + 1);
      expect(distinct.size).toBe(p);
      expect([...distinct.values()].sort()).toEqual([5, 5]);
    }
    expect(result.schedule.map((s) => s.generation)).toEqual([0, 1, 2, 3]);
  });

  it('gives the same study whatever the number of members trained at once', async () => {
    const summary = async (parallel: number) => {
      const store = openStore(':memory:');
      const result = await runGpbt({ store, executor: new ScriptedExecutor(), study: gpbtStudy({ early_stop: true }), name: 'g', parallel });
      // Trial numbers follow the order trials start in, which parallel chains interleave.
      const rows = result.trials.map((t) => [t.generation, t.member, t.status, t.value, t.params['optimizer.lr']] as const);
      return [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    };
    expect(await summary(3)).toEqual(await summary(1));
  });

  it('abandons an unfinished earlier run of the same study and cancels its queued members', async () => {
    const store = openStore(':memory:');
    const study = gpbtStudy();
    const now = new Date().toISOString();
    const stale = store.transaction(() => {
      const id = store.studies.create({ name: 'g', kind: 'gpbt', config: study, configHash: studyHash(study), state: null, createdAt: now });
      const trial = store.studies.addTrial({ studyId: id, generation: 0, member: 0, params: { 'optimizer.lr': 0.01 }, samplerId: null, createdAt: now });
      const experiment = store.experiments.insert({ name: 'g g0 m0', dataset: 'iris', config: study.base, tags: [], notes: '', createdAt: now });
      const run = store.runs.insertOne(experiment, 1, 0, 2, true, now);
      store.studies.updateTrial(trial.id, { runId: run });
      return { id, run };
    });
    await runGpbt({ store, executor: new ScriptedExecutor(), study, name: 'g', parallel: 2 });
    expect(store.studies.get(stale.id)?.status).toBe('failed');
    expect(store.runs.get(stale.run)?.status).toBe('cancelled');
    expect(store.studies.list().map((s) => s.status)).toEqual(['failed', 'done']);
  });

  it("starts each parent's first child from the parent's weights with the parent's hyperparameters and seed", async () => {
    const store = openStore(':memory:');
    const executor = new ScriptedExecutor();
    const result = await runGpbt({ store, executor, study: gpbtStudy(), name: 'g', parallel: 1 });
    const { trials, edges, byId } = genealogy(store, result.studyId);
    const specOf = (t: { generation: number; member: number }) => executor.specs.find((s) => s.label === `g g${t.generation} m${t.member}`);
    const inheriting = edges.filter((e) => e.kind === 'hparams');
    expect(inheriting.length).toBe(3 * 2); // one first child per parent per generation
    for (const edge of inheriting) {
      const child = byId.get(edge.childId);
      const parent = byId.get(edge.parentId);
      if (child === undefined || parent === undefined) throw new Error('dangling edge');
      expect(child.params).toEqual(parent.params);
      const childSpec = specOf(child);
      const parentSpec = specOf(parent);
      const start = JSON.parse(childSpec?.checkpoint ?? 'null') as FakeCheckpoint;
      expect(start.weightsOf).toBe(parentSpec?.label);
      // An exact continuation of a parent trained in the previous generation (a parent kept
      // from an older generation already had that continuation: its first child gets a new seed).
      if (parent.generation === child.generation - 1) expect(childSpec?.seed).toBe(parentSpec?.seed);
      else expect(childSpec?.seed).not.toBe(parentSpec?.seed);
    }
    // The other children start from the parent's weights with a new seed and sampled HPs.
    const others = trials.filter((t) => t.generation > 0 && !inheriting.some((e) => e.childId === t.id));
    expect(others.every((t) => JSON.parse(specOf(t)?.checkpoint ?? '{}').seed === specOf(t)?.seed)).toBe(true);
  });

  it('keeps parents that no child beats (selection includes parents)', async () => {
    const store = openStore(':memory:');
    const result = await runGpbt({ store, executor: new ScriptedExecutor(100), study: gpbtStudy(), name: 'g', parallel: 2 });
    const { trials, weightsParent } = genealogy(store, result.studyId);
    const generation0Best = selectBest(
      trials.filter((t) => t.generation === 0).map((t) => ({ trial: t, score: t.value ?? Infinity, firstEpoch: null, checkpoint: null, seed: 0, parent: null })),
      2,
    ).map((m) => m.trial.id);
    for (let g = 1; g < 4; g++) {
      const parents = new Set(trials.filter((t) => t.generation === g).map((t) => weightsParent(t.id)[0]?.id));
      expect([...parents].sort()).toEqual([...generation0Best].sort());
    }
    expect(generation0Best).toContain(result.best.id);
  });

  it('stops a child whose first epoch is worse than the median of its evaluated siblings', async () => {
    const store = openStore(':memory:');
    const executor = new ScriptedExecutor();
    const result = await runGpbt({ store, executor, study: gpbtStudy({ early_stop: true }), name: 'g', parallel: 1 });
    const { trials, weightsParent } = genealogy(store, result.studyId);
    const first = (t: { generation: number; member: number }) => executor.firstEpochs.get(`g g${t.generation} m${t.member}`) ?? Number.NaN;
    let stopped = 0;
    for (const child of trials.filter((t) => t.generation > 0)) {
      const parent = weightsParent(child.id)[0];
      // Siblings evaluated before it: same parent, same generation, lower member index, not stopped.
      const earlier = trials.filter((t) => t.generation === child.generation && t.member < child.member && weightsParent(t.id)[0]?.id === parent?.id && t.status === 'done');
      const values = earlier.map(first).sort((a, b) => a - b);
      const median = values.length === 0 ? Infinity : values.length % 2 ? values[values.length >> 1] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
      expect({ member: child.member, stopped: child.status === 'stopped' }).toEqual({ member: child.member, stopped: first(child) > median });
      if (child.status === 'stopped') stopped++;
    }
    expect(stopped).toBeGreaterThan(0);
  });

  it("feeds the inner sampler only the parent's own lineage", () => {
    const member = (id: number, generation: number, parent: Member | null, score: number): Member => ({
      trial: { id, studyId: 1, number: id, generation, member: id, params: { 'optimizer.lr': id / 100 }, status: 'done', value: score, testValue: null, experimentId: null, runId: null, samplerId: null, checkpointId: null, createdAt: '', finishedAt: null },
      score,
      firstEpoch: null,
      checkpoint: null,
      seed: id,
      parent,
    });
    const rootA = member(1, 0, null, 1);
    const rootB = member(2, 0, null, 2);
    const childA = member(3, 1, rootA, 0.5);
    const childB = member(4, 1, rootB, 0.7);
    const siblingA = member(5, 2, childA, 0.4);
    const cousinB = member(6, 2, childB, 0.3);
    const all = [rootA, rootB, childA, childB, siblingA, cousinB];
    const lrs = (history: { params: Record<string, unknown> }[]) => history.map((h) => h.params['optimizer.lr']).sort();
    // no-time: exactly the evaluated siblings, nothing of lineage B.
    expect(lrs(lineageHistory('no-time', childA, 2, [siblingA], all))).toEqual([0.05]);
    // time: lineage A across generations (root, its child, the sibling), never B's members.
    const history = lineageHistory('time', childA, 2, [siblingA], all);
    expect(lrs(history)).toEqual([0.01, 0.03, 0.05]);
    expect(history.every((h) => h.weight > 0 && h.weight <= 1)).toBe(true);
  });
});

describe('studies through the AppApi', () => {
  it('lists a study and returns its trials and genealogy; bad ids are typed errors', async () => {
    const services = boot({ databasePath: ':memory:' });
    const result = await runGpbt({ store: services.store, executor: new ScriptedExecutor(), study: gpbtStudy(), name: 'api', parallel: 2 });
    const [summary] = await services.service.listStudies({});
    expect(summary).toMatchObject({ id: result.studyId, kind: 'gpbt', status: 'done', trials: 40, finishedTrials: 40, bestTrial: result.best.id });
    expect(summary.objective).toEqual({ metric: 'val_loss', direction: 'minimize' });
    const detail = await services.service.getStudy({ id: result.studyId });
    expect(detail.trialList).toHaveLength(40);
    expect(detail.edges).toEqual(services.store.studies.edges(result.studyId));
    expect(detail.edges.filter((e) => e.kind === 'weights')).toHaveLength(30);
    await expect(services.service.getStudy({ id: 99 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(services.service.getStudy({ id: 'x' as unknown as number })).rejects.toMatchObject({ where: 'id' });
    await services.shutdown();
  });
});

describe('PBT', () => {
  it('replaces the bottom quantile with explored copies of top members and lets the others continue', async () => {
    const store = openStore(':memory:');
    const executor = new ScriptedExecutor();
    const study = parseStudyConfig({ base, space, seed: 5, pbt: { n: 8, t_max: 3, T_g: 2, quantile: 0.25 } }, () => ({}));
    const result = await runPbt({ store, executor, study, name: 'p', parallel: 2 });
    const { trials, weightsParent } = genealogy(store, result.studyId);
    expect(trials).toHaveLength(24);
    for (let g = 1; g < 3; g++) {
      const previous = trials.filter((t) => t.generation === g - 1).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
      const top = new Set(previous.slice(0, 2).map((t) => t.id));
      const bottom = new Set(previous.slice(-2).map((t) => t.member));
      for (const t of trials.filter((x) => x.generation === g)) {
        const [source] = weightsParent(t.id);
        if (bottom.has(t.member)) {
          expect(top.has(source?.id ?? -1)).toBe(true);
        } else {
          expect(source?.member).toBe(t.member); // continues its own weights and HPs
          expect(t.params).toEqual(source?.params);
        }
      }
    }
  });
});
