// In-memory classification data: a row-major Float32Array of features and an Int32Array of
// class indices. Every data source (Iris, MNIST, CSV) produces this one shape.

export interface Dataset {
  /** Number of samples. */
  readonly size: number;
  /** Features per sample. */
  readonly features: number;
  /** Number of classes; labels are 0 .. classes-1. */
  readonly classes: number;
  /** size x features, row-major. */
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** The three splits a run trains, early-stops and reports on, plus where they came from. */
export interface DataSplits {
  readonly train: Dataset;
  readonly val: Dataset;
  readonly test: Dataset;
  readonly classNames: readonly string[];
}

/** Rows `indices` of `data`, copied into a new contiguous data set. */
export function takeRows(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { features } = data;
  const x = new Float32Array(indices.length * features);
  const y = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const source = indices[r];
    x.set(data.x.subarray(source * features, (source + 1) * features), r * features);
    y[r] = data.y[source];
  }
  return { size: indices.length, features, classes: data.classes, x, y };
}
