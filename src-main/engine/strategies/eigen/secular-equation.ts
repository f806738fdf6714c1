// The root finder for the secular equation of a rank-one update D + rho z z^T of a diagonal
// matrix, the inner step of Cuppen's divide and conquer (tridiagonal-eigen.ts):
//
//   f(lambda) = 1 + rho * sum_j z_j^2 / (d_j - lambda) = 0,   d strictly increasing, rho > 0.
//
// Root i lies in (d_i, d_{i+1}), the last one in (d_k, d_k + rho |z|^2]. It is returned as the
// nearer pole (the origin) plus an offset tau, and the differences d_j - lambda are formed as
// (d_j - d_origin) - tau: both terms are exact or nearly so, which keeps every difference
// accurate to a few ulps *relative to itself*, even the tiny one next to the origin. That
// relative accuracy is what lets the Gu–Eisenstat formula produce orthogonal eigenvectors.
//
// Method: Li's "middle way" (R.-C. Li, "Solving secular equations stably and efficiently",
// LAPACK Working Note 89, 1993): each step solves a model with the two poles bracketing the
// root, the nearer pole's term kept exact and the rest fitted to f and f' at the iterate
// (a quadratic in the correction); for the last root both poles lie to its left and the
// "fixed weight" model of Bunch, Nielsen & Sorensen ("Rank-one modification of the symmetric
// eigenproblem", Numer. Math. 31, 1978) fits each group of terms by value and derivative. The
// iterates are safeguarded by a bracket kept from the signs of f: a step that leaves it, or
// points the wrong way, is replaced by Newton's step or by bisection, and after
// MODEL_ITERATIONS steps the solver only bisects, so it always ends. See also Demmel, Applied
// Numerical Linear Algebra, §5.3.3.

/** Unit roundoff of IEEE double (LAPACK's dlamch('Epsilon')). */
const UNIT_ROUNDOFF = 2 ** -53;
/** Model steps before falling back to plain bisection; the model needs 2–5 in practice. */
const MODEL_ITERATIONS = 40;
/** Hard cap on all steps; bisection halves the bracket each time, 300 is far beyond needed. */
const MAX_ITERATIONS = 300;

export interface SecularRootInput {
  /** The poles d, strictly increasing (length k). */
  readonly poles: Float64Array;
  /** The squared weights z_j^2 (length k), none zero. */
  readonly squaredWeights: Float64Array;
  /** rho > 0. */
  readonly rho: number;
  /** Which root, 0 <= index < k. */
  readonly index: number;
  /** Receives d_j - lambda for j < k, accurate relative to each value. */
  readonly differences: Float64Array;
}

export interface SecularRoot {
  /** The pole the root is measured from (index or index + 1; k - 1 for the last root). */
  readonly origin: number;
  /** lambda = poles[origin] + offset. */
  readonly offset: number;
  /** Steps taken (diagnostics). */
  readonly iterations: number;
}

/** The root of c x^2 - a x + b = 0 that is (a - sqrt(a^2 - 4bc)) / (2c), formed without cancellation. */
function lowerFormRoot(a: number, b: number, c: number): number {
  if (c === 0) return b / a;
  const root = Math.sqrt(Math.max(0, a * a - 4 * b * c));
  return a <= 0 ? (a - root) / (2 * c) : (2 * b) / (a + root);
}

/** The root of c x^2 - a x + b = 0 that is (a + sqrt(a^2 - 4bc)) / (2c), formed without cancellation. */
function upperFormRoot(a: number, b: number, c: number): number {
  if (c === 0) return b / a;
  const root = Math.sqrt(Math.max(0, a * a - 4 * b * c));
  return a >= 0 ? (a + root) / (2 * c) : (2 * b) / (a - root);
}

/**
 * One root of the secular equation; fills `differences` with d_j - lambda at the returned root.
 * Cost O(k) per step.
 */
export function solveSecularRoot({ poles, squaredWeights, rho, index, differences }: SecularRootInput): SecularRoot {
  const k = poles.length;
  const rhoInverse = 1 / rho;
  if (k === 1) {
    // D + rho z z^T is 1 x 1: the root is explicit.
    const offset = rho * squaredWeights[0];
    differences[0] = -offset;
    return { origin: 0, offset, iterations: 0 };
  }

  const isLast = index === k - 1;
  // The two poles of the local model: those bracketing an interior root, or the last two.
  const lowerPole = isLast ? k - 2 : index;
  const upperPole = lowerPole + 1;
  const gap = poles[upperPole] - poles[lowerPole];
  const lowerWeight = squaredWeights[lowerPole];
  const upperWeight = squaredWeights[upperPole];

  let origin: number;
  let lower: number; // bracket on the offset: the root lies in (lower, upper]
  let upper: number;
  let offset: number;

  if (!isLast) {
    // f at the midpoint of the interval decides the nearer pole (f increases across it).
    const half = gap / 2;
    let valueAtHalf = rhoInverse;
    let othersAtHalf = rhoInverse;
    for (let j = 0; j < k; j++) {
      const term = squaredWeights[j] / (poles[j] - poles[lowerPole] - half);
      valueAtHalf += term;
      if (j !== lowerPole && j !== upperPole) othersAtHalf += term;
    }
    // Initial guess: the two bracketing terms exact, the others frozen at the midpoint.
    if (valueAtHalf >= 0) {
      origin = lowerPole;
      lower = 0;
      upper = half;
      offset = lowerFormRoot(othersAtHalf * gap + lowerWeight + upperWeight, lowerWeight * gap, othersAtHalf);
    } else {
      origin = upperPole;
      lower = -half;
      upper = 0;
      offset = lowerFormRoot(lowerWeight + upperWeight - othersAtHalf * gap, -upperWeight * gap, othersAtHalf);
    }
  } else {
    origin = upperPole;
    let weightSum = 0;
    for (let j = 0; j < k; j++) weightSum += squaredWeights[j];
    // f >= 0 at d_k + rho |z|^2, so the root is at most that far above the last pole.
    lower = 0;
    upper = rho * weightSum;
    const half = upper / 2;
    let valueAtHalf = rhoInverse;
    let othersAtHalf = rhoInverse;
    for (let j = 0; j < k; j++) {
      const term = squaredWeights[j] / (poles[j] - poles[origin] - half);
      valueAtHalf += term;
      if (j < lowerPole) othersAtHalf += term;
    }
    if (valueAtHalf >= 0) upper = half;
    else lower = half;
    // The two last terms exact, the others frozen: the model's root above the last pole.
    offset = othersAtHalf > 0 ? upperFormRoot(lowerWeight + upperWeight - othersAtHalf * gap, -upperWeight * gap, othersAtHalf) : Number.NaN;
  }
  if (!(offset > lower && offset <= upper)) offset = (lower + upper) / 2;

  const originPole = poles[origin];
  let iterations = 0;
  for (;;) {
    // f / rho and its derivative at the iterate, with every difference formed from the origin.
    // The poles up to lowerPole lie below the root (negative terms), the rest above it (positive
    // terms) or, for the last root, also below: each group has one sign, so |terms| sums cheaply.
    // This loop is most of the solver's time, hence one division per term and no branches.
    let lowerGroup = 0;
    let lowerGroupDerivative = 0;
    for (let j = 0; j <= lowerPole; j++) {
      const difference = poles[j] - originPole - offset;
      differences[j] = difference;
      const reciprocal = 1 / difference;
      const term = squaredWeights[j] * reciprocal;
      lowerGroup += term;
      lowerGroupDerivative += term * reciprocal;
    }
    let upperGroup = 0;
    let upperGroupDerivative = 0;
    for (let j = lowerPole + 1; j < k; j++) {
      const difference = poles[j] - originPole - offset;
      differences[j] = difference;
      const reciprocal = 1 / difference;
      const term = squaredWeights[j] * reciprocal;
      upperGroup += term;
      upperGroupDerivative += term * reciprocal;
    }
    const value = rhoInverse + lowerGroup + upperGroup;
    const derivative = lowerGroupDerivative + upperGroupDerivative;
    const absoluteSum = Math.abs(upperGroup) - lowerGroup;
    // Rounding in forming f: each term's error is a few ulps, plus what tau's own rounding moves.
    const errorBound = UNIT_ROUNDOFF * (8 * (absoluteSum + rhoInverse) + 3 * Math.abs(value) + Math.abs(offset) * derivative);
    if (Math.abs(value) <= errorBound || iterations >= MAX_ITERATIONS) break;
    iterations++;

    if (value > 0) upper = Math.min(upper, offset);
    else lower = Math.max(lower, offset);

    let next: number;
    if (iterations <= MODEL_ITERATIONS) {
      const lowerDifference = differences[lowerPole];
      const upperDifference = differences[upperPole];
      let constant: number;
      if (isLast) {
        // Fixed weight: each group (up to lowerPole, the last pole) fitted by its derivative.
        constant = value - lowerDifference * lowerGroupDerivative - upperDifference * (derivative - lowerGroupDerivative);
      } else if (origin === lowerPole) {
        // Middle way: the nearer pole's term exact, the rest fitted at the other pole.
        constant = value - upperDifference * derivative - (lowerDifference - upperDifference) * (lowerWeight / (lowerDifference * lowerDifference));
      } else {
        constant = value - lowerDifference * derivative - (upperDifference - lowerDifference) * (upperWeight / (upperDifference * upperDifference));
      }
      const a = (lowerDifference + upperDifference) * value - lowerDifference * upperDifference * derivative;
      const b = lowerDifference * upperDifference * value;
      let step = isLast ? upperFormRoot(a, b, constant) : lowerFormRoot(a, b, constant);
      // The root is below the iterate when f > 0: a step the other way is the model failing.
      if (!Number.isFinite(step) || step * value > 0) step = -value / derivative;
      next = offset + step;
      if (!(next > lower && next < upper)) next = (lower + upper) / 2;
    } else {
      next = (lower + upper) / 2;
    }
    if (next === offset) break;
    offset = next;
  }
  return { origin, offset, iterations };
}
