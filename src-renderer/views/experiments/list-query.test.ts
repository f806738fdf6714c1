// The experiments list's view state through the URL query: a round trip keeps everything,
// defaults stay out of the URL, malformed values are dropped.
import { describe, expect, it } from 'vitest';
import { type ListViewState, queryFromState, sameQuery, stateFromQuery } from './list-query.ts';

const full: ListViewState = {
  search: 'adam',
  status: 'done',
  dataset: 'iris',
  optimizer: 'adam',
  tag: 'baseline',
  archived: true,
  includeTrials: true,
  sortBy: 'optimizer.lr',
  direction: 'asc',
  columns: ['name', 'optimizer.lr', 'status'],
  ranges: [
    { key: 'metric.val_acc', min: 0.5, max: null },
    { key: 'optimizer.lr', min: 0.001, max: 0.1 },
  ],
  selected: [3, 7],
  diff: true,
};

describe('list view state in the URL', () => {
  it('round-trips every part of the state', () => {
    const query = queryFromState(full);
    expect(query).toEqual({
      q: 'adam',
      status: 'done',
      dataset: 'iris',
      optimizer: 'adam',
      tag: 'baseline',
      archived: '1',
      trials: '1',
      sort: 'optimizer.lr',
      dir: 'asc',
      cols: 'name,optimizer.lr,status',
      'min.metric.val_acc': '0.5',
      'min.optimizer.lr': '0.001',
      'max.optimizer.lr': '0.1',
      sel: '3,7',
      diff: '1',
    });
    expect(stateFromQuery(query)).toEqual(full);
  });

  it('leaves defaults out, and reads an empty query as the defaults', () => {
    const plain = stateFromQuery({});
    expect(plain).toMatchObject({
      search: '',
      status: '',
      archived: false,
      sortBy: 'created',
      direction: 'desc',
      columns: null,
      ranges: [],
      selected: [],
      diff: false,
    });
    expect(queryFromState(plain)).toEqual({});
  });

  it('drops malformed values', () => {
    const state = stateFromQuery({ status: 'exploded', 'min.optimizer.lr': 'abc', 'max.test_acc': '1', sel: '2,x,-1,5', dir: 'sideways', sort: 'name' });
    expect(state.status).toBe('');
    expect(state.ranges).toEqual([{ key: 'test_acc', min: null, max: 1 }]);
    expect(state.selected).toEqual([2, 5]);
    expect(state.direction).toBe('asc');
  });

  it('compares queries regardless of key order', () => {
    expect(sameQuery({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(sameQuery({ a: '1' }, { a: '2' })).toBe(false);
  });
});
