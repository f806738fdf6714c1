// A group's epochs split by run, every metric at the same epochs, long runs thinned evenly.
import { describe, expect, it } from 'vitest';
import { groupRunSeries } from './run-curves.ts';

describe('groupRunSeries', () => {
  it('splits by run, keeps every metric at the same epochs, missing values as null', () => {
    const runs = groupRunSeries(
      {
        dataset: 'iris',
        optimizer: 'adam',
        source: 's',
        runs: [],
        epochs: [
          { run: 2, epoch: 2, metrics: { val_loss: 0.5, elapsed_s: 2 } },
          { run: 1, epoch: 1, metrics: { val_loss: 1, elapsed_s: 1 } },
          { run: 2, epoch: 1, metrics: { val_loss: 0.9 } },
        ],
      },
      ['val_loss', 'elapsed_s'],
    );
    expect(runs).toEqual([
      { run: 1, series: { val_loss: [[1, 1]], elapsed_s: [[1, 1]] } },
      {
        run: 2,
        series: {
          val_loss: [
            [1, 0.9],
            [2, 0.5],
          ],
          elapsed_s: [
            [1, null],
            [2, 2],
          ],
        },
      },
    ]);
  });

  it('thins a long run to evenly spaced epochs, first and last kept', () => {
    const epochs = Array.from({ length: 101 }, (_, i) => ({ run: 1, epoch: i + 1, metrics: { val_loss: i } }));
    const [run] = groupRunSeries({ dataset: 'd', optimizer: 'o', source: 's', runs: [], epochs }, ['val_loss'], 11);
    expect(run.series.val_loss.map((p) => p[0])).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 101]);
  });
});
