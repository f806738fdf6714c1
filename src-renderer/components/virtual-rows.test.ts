// The window of rendered rows: where it starts and ends for a scroll position, clamped at
// both ends of the list.
import { describe, expect, it } from 'vitest';
import { ROW_HEIGHT, windowRange } from './virtual-rows.ts';

describe('windowRange', () => {
  it('covers the rows in view plus a margin of 20 on each side', () => {
    // 600 px show 19.4 rows; scrolled to row 100.
    expect(windowRange(2000, 100 * ROW_HEIGHT, 600)).toEqual({ start: 80, end: 140 });
  });
  it('is clamped at the top and the bottom', () => {
    expect(windowRange(2000, 0, 600)).toEqual({ start: 0, end: 40 });
    expect(windowRange(2000, 1995 * ROW_HEIGHT, 600)).toEqual({ start: 1960, end: 2000 });
    expect(windowRange(10, 0, 600)).toEqual({ start: 0, end: 10 });
    expect(windowRange(0, 0, 600)).toEqual({ start: 0, end: 0 });
  });
  it('stays on the rows when the list shrank under a deep scroll position', () => {
    expect(windowRange(1, 1999 * ROW_HEIGHT, 600)).toEqual({ start: 0, end: 1 });
    expect(windowRange(100, 1999 * ROW_HEIGHT, 600)).toEqual({ start: 60, end: 100 });
  });
});
