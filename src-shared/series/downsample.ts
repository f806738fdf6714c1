// Downsampling of long metric series for display: Largest-Triangle-Three-Buckets
// (Steinarsson 2013, "Downsampling Time Series for Visual Representation", ch. 4.2).
// It keeps the first and last point and, from each of the (n - 2) equal buckets between
// them, the point forming the largest triangle with the point kept from the previous bucket
// and the average of the next bucket, so peaks and dips survive where a stride would drop
// them. Points whose value is null (NaN stored) are kept out of the triangle areas.

export type SeriesPoint = readonly [number, number | null];

/** Indices of the points LTTB keeps (all of them when there are at most maxPoints). */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number | null>, maxPoints: number): number[] {
  const n = xs.length;
  if (maxPoints < 3 || n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const kept: number[] = [0];
  const bucketSize = (n - 2) / (maxPoints - 2);
  let previous = 0; // index of the point kept from the previous bucket
  for (let bucket = 0; bucket < maxPoints - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, n - 1);
    // Average of the next bucket (the last point for the final bucket).
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let i = end; i < nextEnd; i++) {
      const y = ys[i];
      if (y === null) continue;
      avgX += xs[i];
      avgY += y;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = xs[end];
      avgY = ys[previous] ?? 0;
    }
    const ax = xs[previous];
    const ay = ys[previous] ?? avgY;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (y === null) continue;
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - xs[i]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    kept.push(best);
    previous = best;
  }
  kept.push(n - 1);
  return kept;
}

export function downsampleLttb(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  const indices = lttbIndices(
    points.map((p) => p[0]),
    points.map((p) => p[1]),
    maxPoints,
  );
  return indices.map((i) => points[i]);
}
