// Hyperparameter importance of a study by PED-ANOVA (Watanabe, Bansal & Hutter, "PED-ANOVA:
// Efficiently Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), the
// method of Optuna's PedAnovaImportanceEvaluator. Pure: trials and search space in, one
// normalised importance per parameter out; the study views draw it.
//
// The paper's Theorem 1: for the indicator b(x) = 1[f(x) <= f^γ] of the top-γ quantile of the
// trials inside the top-γ' region (γ < γ'; here γ' = 1, i.e. all trials), the variance of b's
// marginal along dimension d is
//
//   v_d = (γ / γ')² · D_P(p_d^γ ‖ p_d^γ'),   D_P(p ‖ q) = ∫ q(x) (p(x) / q(x) − 1)² dx,
//
// the Pearson χ² divergence between the 1-D density of dimension d among the top-γ trials
// (p^γ) and among the top-γ' trials (p^γ'). A parameter whose good values are spread like all
// values has v_d ≈ 0; one where the good trials cluster has a large v_d. The importances are
// v_d / Σ v_d (the constant (γ/γ')² cancels).
//
// Densities, as Optuna estimates them: a numeric parameter is put on its (log-)scaled unit
// interval, discretised to a grid of 50 points (an int with at most 50 values keeps one grid
// point per value); each density is a Gaussian KDE on the grid with Scott's rule bandwidth
// h = 1.059 · min(σ, IQR / 1.34) · n^(−1/5) (at least 0.5 / 1.64 grid steps, so 90% of a
// kernel's mass covers its own grid cell), plus a uniform prior of weight one observation,
// normalised over the grid. A categorical parameter's density is its choice frequencies plus
// the same prior. The integral is the sum over the grid.

/** One parameter of the search space (the shape the study views read from a study config). */
export interface ImportanceParameter {
  readonly path: string;
  readonly type: 'uniform' | 'loguniform' | 'int' | 'categorical';
  /** Sampled on a log scale (loguniform, or int with log). */
  readonly log: boolean;
  /** The search range; null where the config does not give it (then the trials' range). */
  readonly low: number | null;
  readonly high: number | null;
  readonly choices: readonly (string | number | boolean)[];
}

export interface ImportanceTrial {
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly value: number;
}

export interface ImportanceOptions {
  readonly trials: readonly ImportanceTrial[];
  readonly space: readonly ImportanceParameter[];
  readonly direction: 'minimize' | 'maximize';
  /** γ: the fraction of best trials whose density is compared (Optuna's default 0.1). */
  readonly targetQuantile?: number;
  /** γ': the region they are compared within (1 = all trials, Optuna's default). */
  readonly regionQuantile?: number;
}

export interface ParameterImportance {
  readonly path: string;
  /** v_d / Σ v: the importances sum to 1. */
  readonly importance: number;
  /** The unnormalised Pearson divergence D_P(p^γ ‖ p^γ'). */
  readonly divergence: number;
}

export type ImportanceResult =
  | {
      readonly ok: true;
      /** Most important first. */
      readonly importances: readonly ParameterImportance[];
      readonly trials: number;
      readonly topTrials: number;
      readonly regionTrials: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Trials with a finite value below which importance is not estimated (2 top trials at γ = 0.1 need ~20; fewer still rank, coarsely). */
export const MIN_TRIALS = 10;
const GRID_POINTS = 50;
const MIN_SIGMA = 0.5 / 1.64;
const PRIOR_WEIGHT = 1;

/** Grid position of every observation and the grid size, for a numeric parameter. */
function numericPositions(p: ImportanceParameter, values: readonly number[]): { positions: number[]; size: number } {
  const scale = (v: number): number => (p.log ? Math.log(Math.max(v, Number.MIN_VALUE)) : v);
  const observedLow = Math.min(...values);
  const observedHigh = Math.max(...values);
  const low = p.low !== null && (!p.log || p.low > 0) ? Math.min(p.low, observedLow) : observedLow;
  const high = p.high !== null ? Math.max(p.high, observedHigh) : observedHigh;
  if (p.type === 'int' && !p.log && high - low + 1 <= GRID_POINTS) {
    return { positions: values.map((v) => Math.round(v) - Math.round(low)), size: Math.round(high) - Math.round(low) + 1 };
  }
  const [a, b] = [scale(low), scale(high)];
  const span = b - a;
  // A range of one value has one grid point: nothing to tell apart.
  if (!(span > 0)) return { positions: values.map(() => 0), size: 1 };
  return { positions: values.map((v) => ((scale(v) - a) / span) * (GRID_POINTS - 1)), size: GRID_POINTS };
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const i = Math.floor(at);
  const f = at - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/** Scott's rule bandwidth (Scott 1992), in grid steps, with Optuna's floor. */
export function scottBandwidth(positions: readonly number[]): number {
  const n = positions.length;
  if (n === 0) return MIN_SIGMA;
  const mean = positions.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(positions.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, n - 1));
  const sorted = [...positions].sort((x, y) => x - y);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(std, iqr / 1.34) : std;
  return Math.max(MIN_SIGMA, 1.059 * spread * n ** -0.2);
}

/** A KDE of grid positions evaluated on the grid 0..size-1, with a uniform prior, summing to 1. */
function gridDensity(positions: readonly number[], size: number): number[] {
  const sigma = scottBandwidth(positions);
  const density = new Array<number>(size).fill(0);
  for (const x of positions) {
    // Each kernel is truncated to the grid: normalised over it, so it has weight one observation.
    const kernel = density.map((_, g) => Math.exp(-0.5 * ((g - x) / sigma) ** 2));
    const mass = kernel.reduce((s, k) => s + k, 0);
    if (mass > 0) kernel.forEach((k, g) => (density[g] += k / mass));
  }
  return normalise(density.map((d) => d + PRIOR_WEIGHT / size));
}

function categoricalDensity(values: readonly string[], categories: readonly string[]): number[] {
  const counts = categories.map((c) => values.filter((v) => v === c).length);
  return normalise(counts.map((c) => c + PRIOR_WEIGHT / categories.length));
}

function normalise(weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

/** Pearson χ² divergence Σ q (p/q − 1)² of two densities on the same grid. */
export function pearsonDivergence(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < q.length; i++) {
    const [pi, qi] = [p[i] + 1e-12, q[i] + 1e-12];
    sum += qi * (pi / qi - 1) ** 2;
  }
  return sum;
}

/** D_P between the top and region densities of one parameter. */
function divergenceOf(p: ImportanceParameter, top: readonly ImportanceTrial[], region: readonly ImportanceTrial[]): number {
  const present = (t: ImportanceTrial): boolean => t.params[p.path] !== undefined;
  const regionTrials = region.filter(present);
  const topTrials = top.filter(present);
  if (topTrials.length === 0 || regionTrials.length === 0) return 0;
  const numeric = p.type !== 'categorical' && regionTrials.every((t) => typeof t.params[p.path] === 'number');
  if (numeric) {
    const values = regionTrials.map((t) => t.params[p.path] as number);
    const { positions, size } = numericPositions(p, [...values, ...topTrials.map((t) => t.params[p.path] as number)]);
    if (size <= 1) return 0;
    const regionDensity = gridDensity(positions.slice(0, values.length), size);
    const topDensity = gridDensity(positions.slice(values.length), size);
    return pearsonDivergence(topDensity, regionDensity);
  }
  const categories = [...new Set([...p.choices.map(String), ...regionTrials.map((t) => String(t.params[p.path]))])];
  if (categories.length <= 1) return 0;
  return pearsonDivergence(
    categoricalDensity(
      topTrials.map((t) => String(t.params[p.path])),
      categories,
    ),
    categoricalDensity(
      regionTrials.map((t) => String(t.params[p.path])),
      categories,
    ),
  );
}

/**
 * PED-ANOVA importance of every parameter of `space` over `trials` (give only finished trials:
 * a pruned trial's value is from fewer epochs). Fails, with a reason, on too few trials.
 */
export function pedAnovaImportance(options: ImportanceOptions): ImportanceResult {
  const gamma = options.targetQuantile ?? 0.1;
  const gammaRegion = options.regionQuantile ?? 1;
  if (!(gamma > 0 && gamma < gammaRegion && gammaRegion <= 1)) {
    return { ok: false, reason: `needs 0 < target quantile (${gamma}) < region quantile (${gammaRegion}) <= 1` };
  }
  if (options.space.length === 0) return { ok: false, reason: 'the search space is empty' };
  const finite = options.trials.filter((t) => Number.isFinite(t.value));
  if (finite.length < MIN_TRIALS) {
    return { ok: false, reason: `needs at least ${MIN_TRIALS} finished trials with a value (has ${finite.length})` };
  }
  const sign = options.direction === 'minimize' ? 1 : -1;
  const sorted = [...finite].sort((a, b) => sign * (a.value - b.value));
  const regionCount = Math.max(2, Math.round(gammaRegion * sorted.length));
  // At least 2 top trials (a density from one point is only its kernel), and fewer than the region.
  const topCount = Math.min(regionCount - 1, Math.max(2, Math.round(gamma * sorted.length)));
  const region = sorted.slice(0, regionCount);
  const top = sorted.slice(0, topCount);
  const divergences = options.space.map((p) => ({ path: p.path, divergence: divergenceOf(p, top, region) }));
  const total = divergences.reduce((s, d) => s + d.divergence, 0);
  if (!(total > 0)) return { ok: false, reason: 'the best trials are spread like all trials along every parameter' };
  const importances = divergences.map((d) => ({ ...d, importance: d.divergence / total })).sort((a, b) => b.importance - a.importance);
  return { ok: true, importances, trials: finite.length, topTrials: topCount, regionTrials: regionCount };
}
