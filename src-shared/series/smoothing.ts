// Smoothing of a learning curve for display, as TensorBoard does it: an exponential moving
// average with weight w in [0, 1), debiased like Adam's moment estimates (Kingma & Ba 2015,
// "Adam", sec. 3) so the curve does not start at 0: s_k = w s_{k-1} + (1 - w) y_k with s_0 = 0,
// shown as s_k / (1 - w^k), k counting the finite values so far. Non-finite values (a NaN
// stored for a diverged epoch) pass through unchanged and do not enter the average. Weight 0
// leaves the curve as it is. (TensorBoard: tensorboard/components/vz_line_chart2, resmoothDataset.)

/** The largest weight the controls offer (at 1 the curve would never move). */
export const MAX_SMOOTHING = 0.99;

export function emaSmooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  const w = Math.min(MAX_SMOOTHING, Math.max(0, weight));
  if (w === 0) return [...values];
  let last = 0;
  let count = 0;
  return values.map((y) => {
    if (y === null || !Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    count++;
    return last / (1 - w ** count);
  });
}
