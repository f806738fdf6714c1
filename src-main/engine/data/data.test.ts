// Data sources and preparation: exact stratified split sizes, standardisation fitted on the
// training split only, the bilinear downscale, IDX parsing, and CSV errors that name the place.
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src-shared/config/errors.ts';
import { parseCsvDataset } from './csv.ts';
import { parseIdx } from './idx.ts';
import { loadSplits } from './load.ts';
import { resizeBilinear } from './resize.ts';
import { stratifiedSplitIndices } from './split.ts';

const split = { train: 0.6, val: 0.2, test: 0.2, seed: 42 };

function classCounts(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of y) counts[label]++;
  return counts;
}

describe('stratified split', () => {
  it('gives Iris 90/30/30 with 30/10/10 of each class, disjoint', () => {
    const s = loadSplits({ name: 'iris', split });
    expect([s.train.size, s.val.size, s.test.size]).toEqual([90, 30, 30]);
    expect(classCounts(s.train.y, 3)).toEqual([30, 30, 30]);
    expect(classCounts(s.val.y, 3)).toEqual([10, 10, 10]);
  });

  it('gives MNIST exactly 36000/12000/12000 of 14x14 images in [0, 1]', () => {
    const s = loadSplits({ name: 'mnist', split, image_size: 14, official_test: false });
    expect([s.train.size, s.val.size, s.test.size]).toEqual([36000, 12000, 12000]);
    expect(s.train.features).toBe(196);
    let min = Infinity;
    let max = -Infinity;
    for (const v of s.train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    // Class proportions kept: every class within one sample of 60% of its total.
    const total = classCounts(Int32Array.from([...s.train.y, ...s.val.y, ...s.test.y]), 10);
    classCounts(s.train.y, 10).forEach((n, c) => expect(Math.abs(n - 0.6 * total[c])).toBeLessThanOrEqual(1));
  });

  it('uses the official 10k test file when asked', () => {
    const s = loadSplits({ name: 'mnist', split: { ...split, test: 0 }, image_size: 14, official_test: true });
    expect(s.test.size).toBe(10000);
    expect(s.train.size).toBe(36000);
  });

  it('is a function of the seed, and indices never repeat across parts', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => i % 4);
    const a = stratifiedSplitIndices(labels, 4, split);
    expect(stratifiedSplitIndices(labels, 4, split)).toEqual(a);
    expect(stratifiedSplitIndices(labels, 4, { ...split, seed: 1 })).not.toEqual(a);
    const all = [...a.train, ...a.val, ...a.test];
    expect(new Set(all).size).toBe(all.length);
    expect([a.train.length, a.val.length, a.test.length]).toEqual([62, 21, 20]);
  });
});

describe('standardisation', () => {
  it('is fitted on the training split only (train has mean 0 and sd 1, val does not exactly)', () => {
    const s = loadSplits({ name: 'iris', split });
    for (let f = 0; f < 4; f++) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < s.train.size; i++) sum += s.train.x[i * 4 + f];
      const mean = sum / s.train.size;
      for (let i = 0; i < s.train.size; i++) sq += (s.train.x[i * 4 + f] - mean) ** 2;
      expect(mean).toBeCloseTo(0, 5);
      expect(Math.sqrt(sq / s.train.size)).toBeCloseTo(1, 5);
    }
    let valSum = 0;
    for (let i = 0; i < s.val.size; i++) valSum += s.val.x[i * 4];
    expect(Math.abs(valSum / s.val.size)).toBeGreaterThan(1e-4);
  });
});

describe('bilinear resize', () => {
  it('halving averages each 2x2 block (align_corners = false)', () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4: rows 0..3
    expect(Array.from(resizeBilinear(image, 1, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
  it('keeps a constant image constant', () => {
    expect(Array.from(resizeBilinear(new Float32Array(28 * 28).fill(0.5), 1, 28, 14)).every((v) => v === 0.5)).toBe(true);
  });
});

describe('IDX files', () => {
  it('reads shape and data', () => {
    const bytes = Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6);
    const idx = parseIdx(bytes);
    expect(idx.shape).toEqual([2, 3]);
    expect(Array.from(idx.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('rejects truncated and foreign files', () => {
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1, 2))).toThrow(/truncated/);
    expect(() => parseIdx(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toThrow(/not an IDX file/);
  });
});

describe('CSV data sets', () => {
  const good = 'a,b,species\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n';
  it('reads numeric features and any label text, classes sorted', () => {
    const { data, classNames } = parseCsvDataset(good, 'd.csv', 'species');
    expect(classNames).toEqual(['x', 'y']);
    expect(Array.from(data.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(data.y)).toEqual([0, 1, 0, 1]);
  });
  it('names file, line and column of a non-numeric cell', () => {
    const bad = 'a,b,species\n1,2,x\n3,oops,y\n';
    expect(() => parseCsvDataset(bad, 'd.csv', 'species')).toThrow('d.csv:3, column "b": expected a number, got "oops"');
    expect(() => parseCsvDataset(bad, 'd.csv', 'species')).toThrow(UserInputError);
  });
  it('names a missing label column and ragged rows', () => {
    expect(() => parseCsvDataset(good, 'd.csv', 'label')).toThrow(/no column named "label"/);
    expect(() => parseCsvDataset('a,b,c\n1,2\n', 'd.csv', 'c')).toThrow(/d.csv/);
  });
});
