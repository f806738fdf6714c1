// Feature standardisation (zero mean, unit variance) fitted on the training split only, so no
// information from validation or test data leaks into training.

import type { Dataset } from './dataset.ts';

export interface Standardizer {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

export function fitStandardizer(train: Dataset): Standardizer {
  const { features, size, x } = train;
  const mean = new Float64Array(features);
  const scale = new Float64Array(features);
  for (let i = 0; i < size; i++) for (let f = 0; f < features; f++) mean[f] += x[i * features + f];
  for (let f = 0; f < features; f++) mean[f] /= Math.max(size, 1);
  for (let i = 0; i < size; i++) {
    for (let f = 0; f < features; f++) {
      const d = x[i * features + f] - mean[f];
      scale[f] += d * d;
    }
  }
  // Population standard deviation, as scikit-learn's StandardScaler; constant features keep scale 1.
  for (let f = 0; f < features; f++) {
    const sd = Math.sqrt(scale[f] / Math.max(size, 1));
    scale[f] = sd > 1e-12 ? sd : 1;
  }
  return { mean, scale };
}

export function applyStandardizer(data: Dataset, s: Standardizer): Dataset {
  const x = new Float32Array(data.x.length);
  const { features } = data;
  for (let i = 0; i < data.size; i++) {
    for (let f = 0; f < features; f++) x[i * features + f] = (data.x[i * features + f] - s.mean[f]) / s.scale[f];
  }
  return { ...data, x };
}
