// The genealogy of a GPBT/PBT study as a picture, computed without any DOM or chart library
// (so it is unit-tested on its own and costs one pass over the data): every trial is a node
// at x = its generation and y = its rank within that generation (0 = best at the top; trials
// without a value below the ranked ones), the lineage edges become links classified as
// copied weights or inherited hyperparameters, and the winner is traced back through its
// weights parents to generation 0, giving the best lineage and its hyperparameter schedule.

import type { TrialSummary } from '../../../src-shared/api.ts';

export type Direction = 'minimize' | 'maximize';
export type EdgeKind = 'weights' | 'hparams';

/** What the layout reads of a trial. */
export type LayoutTrial = Pick<TrialSummary, 'id' | 'number' | 'generation' | 'member' | 'status' | 'value' | 'params'>;

export interface LayoutEdge {
  readonly childId: number;
  readonly parentId: number;
  readonly kind: EdgeKind;
}

export interface GenealogyNode {
  readonly id: number;
  readonly number: number;
  readonly generation: number;
  readonly member: number;
  readonly status: TrialSummary['status'];
  /** The objective; null when the trial has none (failed, still running). */
  readonly value: number | null;
  /** The generation. */
  readonly x: number;
  /** The row: rank within the generation, best first; unvalued trials follow the ranked ones. */
  readonly y: number;
  /** Rank among the valued trials of its generation (0 = best); null without a value. */
  readonly rank: number | null;
  /** 1 for the best value of the study, 0 for the worst (linear in the value); null without a value. */
  readonly quality: number | null;
  readonly best: boolean;
  readonly onBestLineage: boolean;
}

export interface GenealogyLink {
  readonly parentId: number;
  readonly childId: number;
  readonly kind: EdgeKind;
  /** Indices of the parent and the child in `nodes` (what a graph series' links take). */
  readonly source: number;
  readonly target: number;
  /** Both ends are consecutive members of the best lineage. */
  readonly onBestLineage: boolean;
}

/** A parent or child of a trial, with what passed along the edge. */
export interface Relative {
  readonly id: number;
  readonly weights: boolean;
  readonly hparams: boolean;
}

export interface ScheduleStep {
  readonly generation: number;
  readonly trialId: number;
  readonly number: number;
  readonly params: LayoutTrial['params'];
}

export interface GenealogyLayout {
  /** Ordered by generation, then row. */
  readonly nodes: readonly GenealogyNode[];
  readonly links: readonly GenealogyLink[];
  /** Trial id -> index in `nodes`. */
  readonly indexOf: ReadonlyMap<number, number>;
  readonly parents: ReadonlyMap<number, readonly Relative[]>;
  readonly children: ReadonlyMap<number, readonly Relative[]>;
  readonly bestId: number | null;
  /** Trial ids from generation 0 to the best trial along weights parents. */
  readonly lineage: readonly number[];
  /** The winner's hyperparameters per generation (the lineage, root first). */
  readonly schedule: readonly ScheduleStep[];
  /** Highest generation + 1 (0 without trials). */
  readonly generations: number;
  /** Most trials in one generation (the rows the picture needs). */
  readonly rows: number;
  /** Lowest and highest value over the study; null when no trial has one. */
  readonly valueRange: readonly [number, number] | null;
  /** Edges left out because an end is not a trial of this study, or repeated. */
  readonly droppedEdges: number;
}

const finite = (value: number | null): number | null => (value !== null && Number.isFinite(value) ? value : null);

/** Negative when a is better than b (ties: earlier trial first), for Array.sort. */
export function compareTrials(direction: Direction, a: Pick<LayoutTrial, 'value' | 'number'>, b: Pick<LayoutTrial, 'value' | 'number'>): number {
  const va = finite(a.value);
  const vb = finite(b.value);
  if (va === null || vb === null) {
    if (va !== vb) return va === null ? 1 : -1;
    return a.number - b.number;
  }
  const byValue = direction === 'minimize' ? va - vb : vb - va;
  return byValue !== 0 ? byValue : a.number - b.number;
}

/**
 * The best trial: the best value among finished ('done') trials, as the studies select their
 * winner; when none is done, the best value among all (a study still in its first
 * generation). Null when no trial has a value.
 */
export function bestTrial<T extends LayoutTrial>(trials: readonly T[], direction: Direction): T | null {
  const valued = trials.filter((t) => finite(t.value) !== null);
  const done = valued.filter((t) => t.status === 'done');
  const pool = done.length > 0 ? done : valued;
  let best: T | null = null;
  for (const t of pool) if (best === null || compareTrials(direction, t, best) < 0) best = t;
  return best;
}

export function layoutGenealogy(trials: readonly LayoutTrial[], edges: readonly LayoutEdge[], direction: Direction): GenealogyLayout {
  const byId = new Map<number, LayoutTrial>();
  for (const t of trials) byId.set(t.id, t);

  // Rows: rank within each generation.
  const byGeneration = new Map<number, LayoutTrial[]>();
  for (const t of byId.values()) {
    const cohort = byGeneration.get(t.generation);
    if (cohort === undefined) byGeneration.set(t.generation, [t]);
    else cohort.push(t);
  }
  const generationsSorted = [...byGeneration.keys()].sort((a, b) => a - b);
  const row = new Map<number, { y: number; rank: number | null }>();
  let rows = 0;
  for (const g of generationsSorted) {
    const cohort = (byGeneration.get(g) ?? []).sort((a, b) => compareTrials(direction, a, b));
    cohort.forEach((t, y) => row.set(t.id, { y, rank: finite(t.value) === null ? null : y }));
    rows = Math.max(rows, cohort.length);
  }

  // Edges: keep those between trials of the study, once each; index both directions.
  const parents = new Map<number, Relative[]>();
  const children = new Map<number, Relative[]>();
  const relate = (index: Map<number, Relative[]>, from: number, to: number, kind: EdgeKind): void => {
    const list = index.get(from) ?? [];
    const at = list.findIndex((r) => r.id === to);
    const previous = at >= 0 ? list[at] : { id: to, weights: false, hparams: false };
    const next = { ...previous, [kind]: true };
    if (at >= 0) list[at] = next;
    else list.push(next);
    index.set(from, list);
  };
  const seen = new Set<string>();
  const kept: LayoutEdge[] = [];
  for (const e of edges) {
    const key = `${e.childId}:${e.parentId}:${e.kind}`;
    if (!byId.has(e.childId) || !byId.has(e.parentId) || e.childId === e.parentId || seen.has(key)) continue;
    seen.add(key);
    kept.push(e);
    relate(parents, e.childId, e.parentId, e.kind);
    relate(children, e.parentId, e.childId, e.kind);
  }
  const byNumber = (a: Relative, b: Relative): number => (byId.get(a.id)?.number ?? 0) - (byId.get(b.id)?.number ?? 0);
  for (const list of [...parents.values(), ...children.values()]) list.sort(byNumber);

  // The winner and its lineage through weights parents (the weights it was trained from).
  const best = bestTrial([...byId.values()], direction);
  const lineage: number[] = [];
  const onLineage = new Set<number>();
  for (let current: LayoutTrial | undefined = best ?? undefined; current !== undefined && !onLineage.has(current.id);) {
    lineage.unshift(current.id);
    onLineage.add(current.id);
    // More than one weights parent would be a malformed study; follow the best of them.
    const sources = (parents.get(current.id) ?? [])
      .filter((r) => r.weights)
      .map((r) => byId.get(r.id))
      .filter((t): t is LayoutTrial => t !== undefined);
    current = sources.sort((a, b) => compareTrials(direction, a, b))[0];
  }
  const lineageParent = new Map<number, number>();
  for (let i = 1; i < lineage.length; i++) lineageParent.set(lineage[i], lineage[i - 1]);

  let low = Infinity;
  let high = -Infinity;
  for (const t of byId.values()) {
    const v = finite(t.value);
    if (v === null) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const valueRange: readonly [number, number] | null = low <= high ? [low, high] : null;
  const quality = (value: number | null): number | null => {
    const v = finite(value);
    if (v === null || valueRange === null) return null;
    const [lo, hi] = valueRange;
    if (hi === lo) return 1;
    const q = (v - lo) / (hi - lo);
    return direction === 'minimize' ? 1 - q : q;
  };

  const nodes: GenealogyNode[] = [...byId.values()]
    .map((t) => {
      const place = row.get(t.id) ?? { y: 0, rank: null };
      return {
        id: t.id,
        number: t.number,
        generation: t.generation,
        member: t.member,
        status: t.status,
        value: finite(t.value),
        x: t.generation,
        y: place.y,
        rank: place.rank,
        quality: quality(t.value),
        best: best !== null && t.id === best.id,
        onBestLineage: onLineage.has(t.id),
      };
    })
    .sort((a, b) => a.x - b.x || a.y - b.y);
  const indexOf = new Map<number, number>();
  nodes.forEach((n, i) => indexOf.set(n.id, i));

  const links: GenealogyLink[] = kept.map((e) => ({
    parentId: e.parentId,
    childId: e.childId,
    kind: e.kind,
    source: indexOf.get(e.parentId) ?? -1,
    target: indexOf.get(e.childId) ?? -1,
    onBestLineage: lineageParent.get(e.childId) === e.parentId,
  }));

  const schedule: ScheduleStep[] = lineage.map((trialId) => {
    const t = byId.get(trialId) as LayoutTrial;
    return { generation: t.generation, trialId, number: t.number, params: t.params };
  });

  return {
    nodes,
    links,
    indexOf,
    parents,
    children,
    bestId: best?.id ?? null,
    lineage,
    schedule,
    generations: generationsSorted.length === 0 ? 0 : generationsSorted[generationsSorted.length - 1] + 1,
    rows,
    valueRange,
    droppedEdges: edges.length - kept.length,
  };
}
