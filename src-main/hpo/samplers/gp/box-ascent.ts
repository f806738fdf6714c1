// A box-constrained maximiser for smooth functions of a few variables: projected L-BFGS with
// Armijo backtracking (Nocedal & Wright 2006, "Numerical Optimization", Algorithm 7.4). The GP
// sampler uses it twice: for the hyperparameter fit (matern-kernel.ts, in log-parameter space)
// and to refine the acquisition's best candidates on the unit cube (gp.ts).

export interface BoxAscentOptions {
  readonly iterations: number;
  /** Largest coordinate change of a steepest-ascent step (the first, and after a reset). */
  readonly firstStep: number;
}

/**
 * Maximises f over the box [lo, hi] by projected L-BFGS (Nocedal & Wright 2006, Algorithm 7.4,
 * memory 6) with Armijo backtracking along the projected path: coordinates at a bound whose
 * gradient points outwards, and fixed coordinates (lo = hi), are frozen for the step. A simple
 * stand-in for L-BFGS-B (Byrd et al. 1995) that suffices for a few smooth dimensions.
 * `fg(x, grad)` returns f(x) and writes its gradient. Deterministic.
 */
export function maximiseInBox(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  options: BoxAscentOptions,
): { x: Float64Array; value: number } {
  const dim = x0.length;
  const memory = 6;
  const clip = (v: number, i: number) => Math.min(hi[i], Math.max(lo[i], v));
  let x = Float64Array.from(x0, clip);
  let g = new Float64Array(dim);
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { x, value: f };
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const coefficients = new Float64Array(memory);
  const projected = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const xNew = new Float64Array(dim);
  let gNew = new Float64Array(dim);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let largest = 0;
    for (let i = 0; i < dim; i++) {
      const frozen = !(lo[i] < hi[i]) || (x[i] <= lo[i] && g[i] < 0) || (x[i] >= hi[i] && g[i] > 0);
      projected[i] = frozen || !Number.isFinite(g[i]) ? 0 : g[i];
      largest = Math.max(largest, Math.abs(projected[i]));
    }
    if (largest < 1e-9) break;
    // Two-loop recursion: direction = H * projected gradient (H approximates the inverse Hessian of -f).
    direction.set(projected);
    for (let m = ss.length - 1; m >= 0; m--) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += ss[m][i] * direction[i];
      coefficients[m] = rhos[m] * dot;
      for (let i = 0; i < dim; i++) direction[i] -= coefficients[m] * ys[m][i];
    }
    let gamma = options.firstStep / largest;
    if (ss.length > 0) {
      const last = ss.length - 1;
      let yy = 0;
      for (let i = 0; i < dim; i++) yy += ys[last][i] * ys[last][i];
      gamma = 1 / (rhos[last] * yy);
    }
    for (let i = 0; i < dim; i++) direction[i] *= gamma;
    for (let m = 0; m < ss.length; m++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += ys[m][i] * direction[i];
      const beta = rhos[m] * dot;
      for (let i = 0; i < dim; i++) direction[i] += ss[m][i] * (coefficients[m] - beta);
    }
    let slope = 0;
    for (let i = 0; i < dim; i++) {
      if (projected[i] === 0) direction[i] = 0;
      slope += g[i] * direction[i];
    }
    if (!(slope > 0)) {
      // Not an ascent direction (curvature pairs gone stale at the bounds): restart from steepest ascent.
      ss.length = 0;
      ys.length = 0;
      rhos.length = 0;
      for (let i = 0; i < dim; i++) direction[i] = (projected[i] * options.firstStep) / largest;
    }
    let step = 1;
    let accepted = false;
    let fNew = f;
    for (let attempt = 0; attempt < 20; attempt++) {
      let predicted = 0;
      let moved = false;
      for (let i = 0; i < dim; i++) {
        xNew[i] = clip(x[i] + step * direction[i], i);
        predicted += g[i] * (xNew[i] - x[i]);
        if (xNew[i] !== x[i]) moved = true;
      }
      if (!moved) break;
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew >= f + 1e-4 * predicted) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(dim);
    const yv = new Float64Array(dim);
    let sy = 0;
    for (let i = 0; i < dim; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = g[i] - gNew[i]; // gradient difference of -f
      sy += s[i] * yv[i];
    }
    if (sy > 1e-12) {
      if (ss.length === memory) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(yv);
      rhos.push(1 / sy);
    }
    const gain = fNew - f;
    x = Float64Array.from(xNew);
    [g, gNew] = [gNew, g];
    f = fNew;
    if (gain <= 1e-9 * (1 + Math.abs(f))) break;
  }
  return { x, value: f };
}
