// The metric-domain rule: bands and axis bounds stay inside a metric's range.
import { describe, expect, it } from 'vitest';
import { axisBounds, clipToDomain } from './metric-domain.ts';

describe('metric domain', () => {
  it('clips accuracies to [0, 1], losses and times to >= 0, leaves other metrics alone', () => {
    expect(clipToDomain('val_acc', 1.003)).toBe(1);
    expect(clipToDomain('val_acc', -0.2)).toBe(0);
    expect(clipToDomain('train_loss', -20)).toBe(0);
    expect(clipToDomain('time', -0.0093)).toBe(0);
    expect(clipToDomain('elapsed_s', 3)).toBe(3);
    expect(clipToDomain('score', -5)).toBe(-5);
    expect(clipToDomain('val_acc', Number.NaN)).toBeNaN();
  });

  it('gives nice linear bounds inside the domain', () => {
    expect(axisBounds({ metric: 'val_acc', values: [0.9, 0.99, 1] })).toEqual({ min: 0.85, max: 1 });
    expect(axisBounds({ metric: 'val_loss', values: [0.01, 1.2] })).toEqual({ min: 0, max: 1.5 });
    expect(axisBounds({ metric: 'score', values: [-3, 5] })).toEqual({ min: -4, max: 6 });
    expect(axisBounds({ metric: 'val_loss', values: [0.5, 0.5] })).toEqual({ min: 0.45, max: 0.55 });
    expect(axisBounds({ metric: 'val_loss', values: [] })).toBeNull();
  });

  it('gives decades on a log axis, ignoring values <= 0', () => {
    expect(axisBounds({ metric: 'val_loss', values: [0.0031, 2.4], log: true })).toEqual({ min: 0.001, max: 10 });
    expect(axisBounds({ metric: 'val_loss', values: [0, 0.05, 0.2], log: true })).toEqual({ min: 0.01, max: 1 });
    expect(axisBounds({ metric: 'val_loss', values: [1], log: true })).toEqual({ min: 1, max: 10 });
  });
});
