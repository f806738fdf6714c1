// Studies as rows of the experiments list: filtered by search and status, hidden by filters a
// study cannot match, merged by date or name in the list's order, else on top.
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary, StudySummary } from '../../src-shared/api.ts';
import { listRows, type RowQuery, rowKeyOf } from './experiment-rows.ts';

function experiment(id: number, name: string, createdAt: string): ExperimentSummary {
  return {
    id,
    name,
    createdAt,
    dataset: 'iris',
    optimizer: 'adam',
    tags: [],
    notes: '',
    configHash: '',
    studyId: null,
    status: 'done',
    runsTotal: 1,
    runsDone: 1,
    runsFailed: 0,
    runsRunning: 0,
    bestTestAcc: null,
    meanTestAcc: null,
  };
}

function study(id: number, name: string, createdAt: string, status: StudySummary['status'] = 'running'): StudySummary {
  return {
    id,
    name,
    createdAt,
    status,
    kind: 'gpbt',
    objective: { metric: 'val_loss', direction: 'minimize' },
    method: 'GPBT n 4, 3 generations of 3 epochs, time, tpe',
    trials: 4,
    finishedTrials: 2,
    budget: 12,
    bestTrial: null,
    bestValue: null,
    etaSeconds: null,
    error: null,
    finishedAt: null,
  };
}

const query: RowQuery = { search: '', status: '', otherFilter: false, sortBy: 'created', direction: 'desc' };
const experiments = [experiment(3, 'c', '2026-01-03T00:00:00Z'), experiment(1, 'a', '2026-01-01T00:00:00Z')];
const studies = [study(1, 'b study', '2026-01-02T00:00:00Z'), study(2, 'z study', '2026-01-04T00:00:00Z', 'paused')];

describe('experiment list rows', () => {
  it('puts studies among the experiments by date, newest first', () => {
    expect(listRows(experiments, studies, query).map(rowKeyOf)).toEqual(['s2', 'e3', 's1', 'e1']);
    expect(
      listRows(experiments, studies, { ...query, direction: 'asc' })
        .map(rowKeyOf)
        .slice(0, 1),
    ).toEqual(['s1']);
  });

  it('sorts them by name with the experiments, and on top for other sorts', () => {
    const byName = [experiment(1, 'a', ''), experiment(3, 'c', '')];
    expect(listRows(byName, studies, { ...query, sortBy: 'name', direction: 'asc' }).map(rowKeyOf)).toEqual(['e1', 's1', 'e3', 's2']);
    expect(listRows(experiments, studies, { ...query, sortBy: 'runs' }).map(rowKeyOf)).toEqual(['s1', 's2', 'e3', 'e1']);
  });

  it('follows the search and the status filter, and hides studies under other filters', () => {
    expect(listRows([], studies, { ...query, search: 'Z STU' }).map(rowKeyOf)).toEqual(['s2']);
    expect(listRows([], studies, { ...query, search: 'gpbt' })).toHaveLength(2);
    expect(listRows([], studies, { ...query, status: 'pending' }).map(rowKeyOf)).toEqual(['s2']);
    expect(listRows(experiments, studies, { ...query, otherFilter: true }).map(rowKeyOf)).toEqual(['e3', 'e1']);
  });
});
