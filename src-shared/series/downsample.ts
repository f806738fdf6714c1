// Downsampling of long metric series for display: Largest-Triangle-Three-Buckets
// (Steinarsson 2013, "Downsampling Time Series for Visual Representation", ch. 4.2).
// It keeps the first and last point and, from each of the (n - 2) equal buckets between
// them, the point forming the largest triangle with the point kept from the previous bucket
// and the average of the next bucket, so peaks and dips survive where a stride would drop
// them. Points whose value is null (NaN stored) are kept out of the triangle areas.

export type SeriesPoint = readonly [number, number | null];

export function downsampleLttb(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (maxPoints < 3 || points.length <= maxPoints) return points.slice();
  const out: SeriesPoint[] = [points[0]];
  const bucketSize = (points.length - 2) / (maxPoints - 2);
  let kept = 0; // index of the point kept from the previous bucket
  for (let bucket = 0; bucket < maxPoints - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, points.length - 1);
    // Average of the next bucket (the last point for the final bucket).
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, points.length);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      const y = points[i][1];
      if (y === null) continue;
      avgX += points[i][0];
      avgY += y;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = points[nextStart][0];
      avgY = points[kept][1] ?? 0;
    }
    const [ax, ayRaw] = points[kept];
    const ay = ayRaw ?? avgY;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const y = points[i][1];
      if (y === null) continue;
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - points[i][0]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(points[best]);
    kept = best;
  }
  out.push(points[points.length - 1]);
  return out;
}
