// The genealogy layout on hand-made genealogies: exact rows and ranks (minimize and maximize,
// ties, trials without a value), edge classification, the best trial, its lineage through
// weights parents and its hyperparameter schedule; PBT-like self-continuation and exploit
// edges; a lineage that skips generations; and a 1,500-node study (counts only, no timing).
import { describe, expect, it } from 'vitest';
import { bestTrial, compareTrials, type LayoutEdge, type LayoutTrial, layoutGenealogy } from './genealogy-layout.ts';

type Status = LayoutTrial['status'];

/** A trial: id = number + 1, member = its position in the generation as listed. */
function trial(
  number: number,
  generation: number,
  member: number,
  value: number | null,
  params: LayoutTrial['params'] = {},
  status: Status = 'done',
): LayoutTrial {
  return { id: number + 1, number, generation, member, value, params, status: value === null && status === 'done' ? 'failed' : status };
}

function both(childId: number, parentId: number): LayoutEdge[] {
  return [
    { childId, parentId, kind: 'weights' },
    { childId, parentId, kind: 'hparams' },
  ];
}

const place = (layout: ReturnType<typeof layoutGenealogy>, id: number) => {
  const node = layout.nodes[layout.indexOf.get(id) ?? -1];
  return { x: node.x, y: node.y, rank: node.rank };
};

describe('layoutGenealogy, minimize (GPBT-like)', () => {
  // gen 0: ids 1 (0.5), 2 (0.3), 3 (0.9)
  // gen 1: 4 (0.2, from 2 with its HPs), 5 (0.25, weights of 2), 6 (0.4, from 1 with its HPs)
  // gen 2: 7 (0.1, from 4 with its HPs), 8 (failed, weights of 4), 9 (0.15, weights of 5)
  const trials = [
    trial(0, 0, 0, 0.5, { lr: 0.1 }),
    trial(1, 0, 1, 0.3, { lr: 0.01 }),
    trial(2, 0, 2, 0.9, { lr: 0.5 }),
    trial(3, 1, 0, 0.2, { lr: 0.01 }),
    trial(4, 1, 1, 0.25, { lr: 0.02 }),
    trial(5, 1, 2, 0.4, { lr: 0.1 }),
    trial(6, 2, 0, 0.1, { lr: 0.01 }),
    trial(7, 2, 1, null, { lr: 0.005 }),
    trial(8, 2, 2, 0.15, { lr: 0.03 }),
  ];
  const edges: LayoutEdge[] = [
    ...both(4, 2),
    { childId: 5, parentId: 2, kind: 'weights' },
    ...both(6, 1),
    ...both(7, 4),
    { childId: 8, parentId: 4, kind: 'weights' },
    { childId: 9, parentId: 5, kind: 'weights' },
  ];
  const layout = layoutGenealogy(trials, edges, 'minimize');

  it('puts each trial at (generation, rank) with the best at the top and failed trials below', () => {
    expect(layout.nodes.map((n) => [n.id, n.x, n.y])).toEqual([
      [2, 0, 0],
      [1, 0, 1],
      [3, 0, 2],
      [4, 1, 0],
      [5, 1, 1],
      [6, 1, 2],
      [7, 2, 0],
      [9, 2, 1],
      [8, 2, 2],
    ]);
    expect(place(layout, 8)).toEqual({ x: 2, y: 2, rank: null });
    expect(place(layout, 9)).toEqual({ x: 2, y: 1, rank: 1 });
    expect(layout.generations).toBe(3);
    expect(layout.rows).toBe(3);
  });

  it('finds the best trial, its lineage through weights parents and its schedule', () => {
    expect(layout.bestId).toBe(7);
    expect(layout.lineage).toEqual([2, 4, 7]);
    expect(layout.schedule).toEqual([
      { generation: 0, trialId: 2, number: 1, params: { lr: 0.01 } },
      { generation: 1, trialId: 4, number: 3, params: { lr: 0.01 } },
      { generation: 2, trialId: 7, number: 6, params: { lr: 0.01 } },
    ]);
    expect(layout.nodes.filter((n) => n.onBestLineage).map((n) => n.id)).toEqual([2, 4, 7]);
    expect(layout.nodes.filter((n) => n.best).map((n) => n.id)).toEqual([7]);
  });

  it('classifies the edges and marks those of the best lineage', () => {
    expect(layout.links).toHaveLength(9);
    expect(layout.links.filter((l) => l.kind === 'weights')).toHaveLength(6);
    expect(layout.links.filter((l) => l.kind === 'hparams')).toHaveLength(3);
    expect(layout.links.filter((l) => l.onBestLineage).map((l) => [l.parentId, l.childId, l.kind])).toEqual([
      [2, 4, 'weights'],
      [2, 4, 'hparams'],
      [4, 7, 'weights'],
      [4, 7, 'hparams'],
    ]);
    // source / target index the nodes array.
    for (const l of layout.links) {
      expect(layout.nodes[l.source].id).toBe(l.parentId);
      expect(layout.nodes[l.target].id).toBe(l.childId);
    }
    expect(layout.parents.get(7)).toEqual([{ id: 4, weights: true, hparams: true }]);
    expect(layout.children.get(2)).toEqual([
      { id: 4, weights: true, hparams: true },
      { id: 5, weights: true, hparams: false },
    ]);
    expect(layout.children.get(3)).toBeUndefined();
    expect(layout.droppedEdges).toBe(0);
  });

  it('scores colour linearly from the worst (0) to the best (1) value', () => {
    expect(layout.valueRange).toEqual([0.1, 0.9]);
    const quality = (id: number) => layout.nodes[layout.indexOf.get(id) ?? -1].quality;
    expect(quality(7)).toBe(1);
    expect(quality(3)).toBe(0);
    expect(quality(2)).toBeCloseTo(0.75, 12);
    expect(quality(8)).toBeNull();
  });
});

describe('layoutGenealogy, maximize', () => {
  // Accuracy: higher is better. Ties keep the earlier trial first; a stopped trial scoring
  // higher than every finished one is not the winner (it trained less).
  const trials = [
    trial(0, 0, 0, 0.8, { lr: 0.1, beta1: 0.9 }),
    trial(1, 0, 1, 0.9, { lr: 0.2, beta1: 0.8 }),
    trial(2, 0, 2, 0.9, { lr: 0.3, beta1: 0.7 }),
    trial(3, 1, 0, 0.95, { lr: 0.2, beta1: 0.8 }),
    trial(4, 1, 1, 0.99, { lr: 0.05, beta1: 0.6 }, 'stopped'),
    trial(5, 1, 2, 0.7, { lr: 0.3, beta1: 0.7 }),
  ];
  const edges = [...both(4, 2), { childId: 5, parentId: 2, kind: 'weights' } as const, ...both(6, 3)];
  const layout = layoutGenealogy(trials, edges, 'maximize');

  it('ranks the highest value first, ties by trial number', () => {
    expect(layout.nodes.map((n) => [n.id, n.x, n.y, n.rank])).toEqual([
      [2, 0, 0, 0],
      [3, 0, 1, 1],
      [1, 0, 2, 2],
      [5, 1, 0, 0],
      [4, 1, 1, 1],
      [6, 1, 2, 2],
    ]);
  });

  it('takes the winner among finished trials and traces it back', () => {
    expect(layout.bestId).toBe(4);
    expect(layout.lineage).toEqual([2, 4]);
    expect(layout.schedule.map((s) => [s.generation, s.params.lr])).toEqual([
      [0, 0.2],
      [1, 0.2],
    ]);
    expect(layout.valueRange).toEqual([0.7, 0.99]);
    expect(layout.nodes[layout.indexOf.get(5) ?? -1].quality).toBe(1);
    expect(layout.nodes[layout.indexOf.get(6) ?? -1].quality).toBe(0);
  });

  it('compareTrials and bestTrial follow the direction', () => {
    expect(compareTrials('maximize', { value: 0.9, number: 3 }, { value: 0.8, number: 1 })).toBeLessThan(0);
    expect(compareTrials('minimize', { value: 0.9, number: 3 }, { value: 0.8, number: 1 })).toBeGreaterThan(0);
    expect(compareTrials('minimize', { value: null, number: 0 }, { value: 5, number: 1 })).toBeGreaterThan(0);
    expect(compareTrials('minimize', { value: 1, number: 0 }, { value: 1, number: 1 })).toBeLessThan(0);
    expect(bestTrial(trials, 'minimize')?.id).toBe(6);
    // Only a stopped trial has a value: it is the best there is.
    expect(bestTrial([trial(0, 0, 0, 0.5, {}, 'stopped'), trial(1, 0, 1, null)], 'maximize')?.id).toBe(1);
  });
});

describe('layoutGenealogy, trials without values and malformed edges', () => {
  it('orders unvalued trials by number below the ranked ones, and has no winner when nothing has a value', () => {
    const trials = [trial(0, 0, 0, null, {}, 'running'), trial(1, 0, 1, null), trial(2, 1, 0, null, {}, 'running')];
    const layout = layoutGenealogy(trials, both(3, 1), 'minimize');
    expect(layout.nodes.map((n) => [n.id, n.x, n.y, n.rank, n.quality])).toEqual([
      [1, 0, 0, null, null],
      [2, 0, 1, null, null],
      [3, 1, 0, null, null],
    ]);
    expect(layout.bestId).toBeNull();
    expect(layout.lineage).toEqual([]);
    expect(layout.schedule).toEqual([]);
    expect(layout.valueRange).toBeNull();
  });

  it('keeps ranked trials above unvalued ones within a generation', () => {
    const trials = [trial(0, 0, 0, null, {}, 'running'), trial(1, 0, 1, 2), trial(2, 0, 2, null), trial(3, 0, 3, 1)];
    const layout = layoutGenealogy(trials, [], 'minimize');
    expect(layout.nodes.map((n) => [n.id, n.y, n.rank])).toEqual([
      [4, 0, 0],
      [2, 1, 1],
      [1, 2, null],
      [3, 3, null],
    ]);
    expect(layout.lineage).toEqual([4]);
  });

  it('drops edges to trials of other studies, self loops and repeats', () => {
    const trials = [trial(0, 0, 0, 1), trial(1, 1, 0, 0.5)];
    const edges: LayoutEdge[] = [
      ...both(2, 1),
      { childId: 2, parentId: 1, kind: 'weights' },
      { childId: 2, parentId: 99, kind: 'weights' },
      { childId: 2, parentId: 2, kind: 'hparams' },
    ];
    const layout = layoutGenealogy(trials, edges, 'minimize');
    expect(layout.links).toHaveLength(2);
    expect(layout.droppedEdges).toBe(3);
    expect(layout.lineage).toEqual([1, 2]);
  });

  it('returns an empty picture for an empty study', () => {
    const layout = layoutGenealogy([], [], 'maximize');
    expect(layout.nodes).toEqual([]);
    expect(layout.generations).toBe(0);
    expect(layout.rows).toBe(0);
    expect(layout.bestId).toBeNull();
  });
});

describe('layoutGenealogy, PBT-like and generation-skipping lineages', () => {
  it('follows self-continuation and exploit edges (PBT: weights and HPs from one source)', () => {
    // 3 members, 3 generations. Gen 1: member 0 continues itself, member 1 continues itself,
    // member 2 (worst) exploits member 0. Gen 2: the exploiter of gen 1 wins.
    const trials = [
      trial(0, 0, 0, 0.4, { lr: 0.1 }),
      trial(1, 0, 1, 0.6, { lr: 0.2 }),
      trial(2, 0, 2, 0.9, { lr: 0.3 }),
      trial(3, 1, 0, 0.35, { lr: 0.1 }),
      trial(4, 1, 1, 0.5, { lr: 0.2 }),
      trial(5, 1, 2, 0.3, { lr: 0.12 }),
      trial(6, 2, 0, 0.33, { lr: 0.1 }),
      trial(7, 2, 1, 0.32, { lr: 0.096 }),
      trial(8, 2, 2, 0.2, { lr: 0.144 }),
    ];
    const edges = [...both(4, 1), ...both(5, 2), ...both(6, 1), ...both(7, 4), ...both(8, 5), ...both(9, 6)];
    const layout = layoutGenealogy(trials, edges, 'minimize');
    expect(layout.bestId).toBe(9);
    expect(layout.lineage).toEqual([1, 6, 9]);
    expect(layout.schedule.map((s) => s.params.lr)).toEqual([0.1, 0.12, 0.144]);
    expect(layout.nodes.filter((n) => n.x === 2).map((n) => [n.id, n.y])).toEqual([
      [9, 0],
      [8, 1],
      [7, 2],
    ]);
    expect(layout.children.get(4)).toEqual([{ id: 7, weights: true, hparams: true }]);
    expect(layout.links.filter((l) => l.onBestLineage)).toHaveLength(4);
  });

  it('traces a winner whose parent was kept from an older generation (GPBT selection includes parents)', () => {
    const trials = [
      trial(0, 0, 0, 0.5, { lr: 1 }),
      trial(1, 0, 1, 0.7, { lr: 2 }),
      trial(2, 1, 0, 0.2, { lr: 3 }),
      trial(3, 1, 1, 0.6, { lr: 4 }),
      trial(4, 2, 0, 0.9, { lr: 5 }),
      trial(5, 3, 0, 0.1, { lr: 6 }),
    ];
    const edges: LayoutEdge[] = [
      { childId: 3, parentId: 1, kind: 'weights' },
      ...both(4, 1),
      { childId: 5, parentId: 4, kind: 'weights' },
      { childId: 6, parentId: 3, kind: 'weights' },
    ];
    const layout = layoutGenealogy(trials, edges, 'minimize');
    expect(layout.bestId).toBe(6);
    expect(layout.lineage).toEqual([1, 3, 6]);
    expect(layout.schedule.map((s) => s.generation)).toEqual([0, 1, 3]);
    expect(layout.links.filter((l) => l.onBestLineage).map((l) => [l.parentId, l.childId])).toEqual([
      [1, 3],
      [3, 6],
    ]);
  });
});

describe('layoutGenealogy at 1,500 nodes', () => {
  it('lays out 30 generations of 50 members with every row filled once', () => {
    let state = 12345;
    const random = (): number => {
      // mulberry32: a small seeded generator, so the test data is the same on every run.
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const generations = 30;
    const members = 50;
    const trials: LayoutTrial[] = [];
    const edges: LayoutEdge[] = [];
    for (let g = 0; g < generations; g++) {
      for (let m = 0; m < members; m++) {
        const number = g * members + m;
        // Every tenth trial has no value (failed), the rest improve with the generation.
        const value = m % 10 === 9 ? null : 1 / (1 + g) + random();
        trials.push(trial(number, g, m, value, { lr: random(), beta1: random() }));
        if (g > 0) {
          const parent = (g - 1) * members + Math.floor(random() * members) + 1;
          edges.push({ childId: number + 1, parentId: parent, kind: 'weights' });
          if (m % 3 === 0) edges.push({ childId: number + 1, parentId: parent, kind: 'hparams' });
        }
      }
    }
    const layout = layoutGenealogy(trials, edges, 'minimize');
    expect(layout.nodes).toHaveLength(1500);
    expect(layout.links).toHaveLength(edges.length);
    expect(layout.links.filter((l) => l.kind === 'weights')).toHaveLength(29 * 50);
    expect(layout.generations).toBe(30);
    expect(layout.rows).toBe(50);
    for (let g = 0; g < generations; g++) {
      const column = layout.nodes.filter((n) => n.x === g);
      expect(column.map((n) => n.y)).toEqual([...Array(members).keys()]);
      expect(column.filter((n) => n.rank === null)).toHaveLength(5);
      expect(column.slice(45).every((n) => n.rank === null)).toBe(true);
    }
    const best = layout.nodes.find((n) => n.best);
    expect(best?.id).toBe(layout.bestId);
    expect(best?.y).toBe(0);
    // Every member after generation 0 has a weights parent one generation back.
    expect(layout.lineage).toHaveLength((best?.generation ?? -1) + 1);
    expect(layout.schedule.map((s) => s.generation)).toEqual([...Array((best?.generation ?? -1) + 1).keys()]);
    expect(layout.nodes.filter((n) => n.onBestLineage)).toHaveLength(layout.lineage.length);
  });
});
