// Default strategy parameters of CMA-ES, from N. Hansen, "The CMA Evolution Strategy: A
// Tutorial", arXiv:1604.00772 (2016), Table 1: mu = floor(lambda/2) positive recombination
// weights proportional to ln((lambda+1)/2) - ln i, and the lambda - mu negative weights of the
// active covariance update (eqs. 49-53), scaled so that the update stays positive definite.

export interface StrategyParameters {
  readonly dimension: number;
  readonly lambda: number;
  readonly mu: number;
  /** Positive recombination weights, summing to 1. */
  readonly weights: Float64Array;
  /**
   * Negative weights of ranks mu+1..lambda for the active covariance update (Table 1: the raw
   * weights scaled by min(alpha_mu^-, alpha_mueff^-, alpha_posdef^-) / sum |w'^-|), in rank order.
   */
  readonly negativeWeights: Float64Array;
  /** Variance-effective selection mass 1 / sum(w_i^2). */
  readonly muEff: number;
  /** Cumulation for step-size control (c_sigma) and its damping (d_sigma). */
  readonly cSigma: number;
  readonly dSigma: number;
  /** Cumulation for the rank-one update (c_c). */
  readonly cc: number;
  /** Learning rates of the rank-one and rank-mu updates. */
  readonly c1: number;
  readonly cMu: number;
  /** E||N(0, I)||, approximated as in the tutorial (footnote to eq. 31). */
  readonly chiN: number;
}

/** Default population size 4 + floor(3 ln d) (tutorial, Table 1). */
export function defaultPopulationSize(dimension: number): number {
  return 4 + Math.floor(3 * Math.log(dimension));
}

export function strategyParameters(dimension: number, lambda = defaultPopulationSize(dimension)): StrategyParameters {
  const n = dimension;
  const mu = Math.floor(lambda / 2);
  const raw = Float64Array.from({ length: mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const muEff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cMu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  // Table 1: w'_i for i > mu are negative; mu_eff^- is their variance-effective mass.
  const rawNegative = Float64Array.from({ length: lambda - mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(mu + i + 1));
  const negativeTotal = rawNegative.reduce((a, w) => a + Math.abs(w), 0);
  const muEffMinus = negativeTotal === 0 ? 0 : negativeTotal ** 2 / rawNegative.reduce((a, w) => a + w * w, 0);
  const alphaMu = 1 + c1 / cMu;
  const alphaMuEff = 1 + (2 * muEffMinus) / (muEff + 2);
  const alphaPosDef = (1 - c1 - cMu) / (n * cMu);
  const scale = Math.min(alphaMu, alphaMuEff, alphaPosDef) / (negativeTotal === 0 ? 1 : negativeTotal);
  const negativeWeights = rawNegative.map((w) => w * scale);
  return { dimension: n, lambda, mu, weights, negativeWeights, muEff, cSigma, dSigma, cc, c1, cMu, chiN };
}

/** Indices 0..n-1 ordered by ascending fitness (ties by index, so the order is deterministic). */
export function rankByFitness(fitness: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: fitness.length }, (_, i) => i);
  const key = (i: number) => (Number.isNaN(fitness[i]) ? Number.POSITIVE_INFINITY : fitness[i]);
  return order.sort((a, b) => key(a) - key(b) || a - b);
}

/** Cumulative step-size adaptation: sigma * exp((c_sigma / d_sigma) (||p_sigma|| / E||N(0,I)|| - 1)) (tutorial eq. 37). */
export function adaptedSigma(sigma: number, pathNorm: number, p: StrategyParameters): number {
  return sigma * Math.exp((p.cSigma / p.dSigma) * (pathNorm / p.chiN - 1));
}
