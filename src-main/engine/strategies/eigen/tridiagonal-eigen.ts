// All eigenvalues and eigenvectors of a real symmetric tridiagonal matrix by Cuppen's divide and
// conquer (J. J. M. Cuppen, "A divide and conquer method for the symmetric tridiagonal
// eigenproblem", Numer. Math. 36, 1981), with deflation and the eigenvectors of each rank-one
// merge from Gu and Eisenstat's recomputed weights (M. Gu, S. C. Eisenstat, "A divide-and-conquer
// algorithm for the symmetric tridiagonal eigenproblem", SIAM J. Matrix Anal. Appl. 16(1), 1995)
// — the algorithm of LAPACK's dstedc with compz = 'I', written from its description (Demmel,
// Applied Numerical Linear Algebra, §5.3.3), not from LAPACK's code.
//
// The matrix is split where an off-diagonal is negligible; each unreduced block is scaled to unit
// norm and halved recursively: T = diag(T1, T2) + rho v v^T after |beta| is taken off the two
// diagonal entries beside each cut. Blocks of at most LEAF_SIZE are solved by implicit QL with
// Wilkinson shifts. A merge deflates, solves the secular equation (secular-equation.ts) and
// forms Q = diag(Q1, Q2) U, the only O(n^3) work, through the caller's `multiply` — with the top
// rows multiplied only by the columns that are nonzero there, and the bottom rows likewise, so
// the zero blocks of diag(Q1, Q2) cost nothing (as LAPACK's dlaed3 does).

import { solveSecularRoot } from './secular-equation.ts';

export interface MatrixMultiplyInput {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}
/** c = a b; a is m x k, b is k x n, c is m x n, all row-major and contiguous (c overwritten). */
export type MatrixMultiply = (input: MatrixMultiplyInput) => void;

/** What one merge did (diagnostics for tests and benches). */
export interface MergeReport {
  /** Order of the merged block. */
  readonly size: number;
  /** Eigenpairs taken over without solving the secular equation. */
  readonly deflated: number;
  /** How many of those were deflated by a rotation of two close poles. */
  readonly rotations: number;
  /** Multiply-adds passed to `multiply` by this merge. */
  readonly multiplyAdds: number;
  /** Secular-equation steps summed over the roots. */
  readonly secularIterations: number;
}

export interface TridiagonalEigenInput {
  /** Length n, not modified. */
  readonly diagonal: Float64Array;
  /** Length n - 1, not modified. */
  readonly offDiagonal: Float64Array;
  /** Receives n x n row-major: column j is the eigenvector of eigenvalues[j] (vectors[i * n + j] = component i). */
  readonly vectors: Float64Array;
  /** Receives the eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Default multiplyJs. */
  readonly multiply?: MatrixMultiply;
  /** Called after each merge, innermost first (the last call is the top merge of the largest block). */
  readonly onMerge?: (report: MergeReport) => void;
}

/** Unit roundoff of IEEE double (LAPACK's dlamch('Epsilon')). */
const UNIT_ROUNDOFF = 2 ** -53;
/**
 * Largest block solved directly by QL (n = 2080 halves down to leaves of 32 or 33). The
 * multiply-adds hardly depend on it (the small merges are cheap), so larger leaves mean fewer
 * merges and less per-merge overhead, while QL's O(size^3) per leaf stays small at a few dozen.
 */
const LEAF_SIZE = 40;
/** Columns of c (and b) kept hot per pass of multiplyJs. */
const MULTIPLY_COLUMN_BLOCK = 256;
const SQRT_HALF = Math.SQRT1_2;

/** Where a column of diag(Q1, Q2) (after deflating rotations) can be nonzero. */
const TOP_ROWS = 1;
const BOTTOM_ROWS = 2;

/**
 * c = a b in plain JS: four rows of c at a time so each element of b read serves four
 * multiply-adds, and b's columns in blocks so those rows of c stay in cache.
 */
export const multiplyJs: MatrixMultiply = ({ a, b, c, m, k, n }) => {
  c.fill(0, 0, m * n);
  for (let columnStart = 0; columnStart < n; columnStart += MULTIPLY_COLUMN_BLOCK) {
    const columnEnd = Math.min(n, columnStart + MULTIPLY_COLUMN_BLOCK);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const row0 = i * n;
      const row1 = row0 + n;
      const row2 = row1 + n;
      const row3 = row2 + n;
      for (let p = 0; p < k; p++) {
        const a0 = a[i * k + p];
        const a1 = a[(i + 1) * k + p];
        const a2 = a[(i + 2) * k + p];
        const a3 = a[(i + 3) * k + p];
        const rowB = p * n;
        for (let j = columnStart; j < columnEnd; j++) {
          const bValue = b[rowB + j];
          c[row0 + j] += a0 * bValue;
          c[row1 + j] += a1 * bValue;
          c[row2 + j] += a2 * bValue;
          c[row3 + j] += a3 * bValue;
        }
      }
    }
    for (; i < m; i++) {
      const row = i * n;
      for (let p = 0; p < k; p++) {
        const aValue = a[i * k + p];
        const rowB = p * n;
        for (let j = columnStart; j < columnEnd; j++) c[row + j] += aValue * b[rowB + j];
      }
    }
  }
};

/** State shared by the recursion: working copies of T and the global output. */
interface Solver {
  readonly n: number;
  /** Working diagonal (cut corrections applied), scaled per block. */
  readonly diagonal: Float64Array;
  /** Working off-diagonal, scaled per block. */
  readonly offDiagonal: Float64Array;
  /** n x n row-major; a solved block [start, start + size) keeps its Q in rows and columns start.. */
  readonly vectors: Float64Array;
  /** A solved block's eigenvalues, ascending, at [start, start + size). */
  readonly values: Float64Array;
  readonly multiply: MatrixMultiply;
  readonly onMerge: ((report: MergeReport) => void) | undefined;
  /**
   * Scratch for the merges, n x n each, allocated at the first merge and reused by all: large
   * fresh allocations cost page faults on first touch, which showed in the n = 2080 profile.
   */
  workspace: Workspace | undefined;
}

interface Workspace {
  /** The gathered columns of diag(Q1, Q2): a. */
  readonly left: Float64Array;
  /** The gathered rows of U: b. */
  readonly right: Float64Array;
  /** The new kept columns, top rows then bottom rows: c. */
  readonly product: Float64Array;
  /** The secular equation's differences, one row per root. */
  readonly differences: Float64Array;
  /** One row of the block while it is rewritten in place. */
  readonly row: Float64Array;
}

function workspaceOf(solver: Solver): Workspace {
  const square = solver.n * solver.n;
  solver.workspace ??= {
    left: new Float64Array(square),
    right: new Float64Array(square),
    product: new Float64Array(square),
    differences: new Float64Array(square),
    row: new Float64Array(solver.n),
  };
  return solver.workspace;
}

export function tridiagonalEigen({ diagonal, offDiagonal, vectors, values, multiply = multiplyJs, onMerge }: TridiagonalEigenInput): void {
  const n = diagonal.length;
  if (n > 0 && offDiagonal.length < n - 1) throw new Error(`offDiagonal needs ${n - 1} entries`);
  if (values.length < n || vectors.length < n * n) throw new Error('output arrays too short');
  vectors.fill(0, 0, n * n);
  if (n === 0) return;
  const solver: Solver = {
    n,
    diagonal: Float64Array.from(diagonal),
    offDiagonal: Float64Array.from(offDiagonal.subarray(0, n - 1)),
    vectors,
    values,
    multiply,
    onMerge,
    workspace: undefined,
  };

  // Unreduced blocks: an off-diagonal this small perturbs T by less than rounding already has.
  let blocks = 0;
  let start = 0;
  for (let end = 0; end < n; end++) {
    const last = end === n - 1;
    if (
      last ||
      Math.abs(solver.offDiagonal[end]) <= UNIT_ROUNDOFF * Math.sqrt(Math.abs(solver.diagonal[end])) * Math.sqrt(Math.abs(solver.diagonal[end + 1]))
    ) {
      solveBlock(solver, start, end - start + 1);
      blocks++;
      start = end + 1;
    }
  }
  if (blocks > 1) sortAll(solver);
}

/** One unreduced block: scaled to max-norm about 1 (so nothing over- or underflows), then divided. */
function solveBlock(solver: Solver, start: number, size: number): void {
  const { n, diagonal, offDiagonal, vectors, values } = solver;
  if (size === 1) {
    values[start] = diagonal[start];
    vectors[start * n + start] = 1;
    return;
  }
  let largest = 0;
  for (let i = start; i < start + size; i++) largest = Math.max(largest, Math.abs(diagonal[i]));
  for (let i = start; i < start + size - 1; i++) largest = Math.max(largest, Math.abs(offDiagonal[i]));
  // A power of two near the largest entry: scaling by it is exact.
  const scale = largest === 0 ? 0 : 2 ** Math.round(Math.log2(largest));
  if (scale === 0) {
    for (let i = start; i < start + size; i++) {
      values[i] = 0;
      vectors[i * n + i] = 1;
    }
    return;
  }
  for (let i = start; i < start + size; i++) diagonal[i] /= scale;
  for (let i = start; i < start + size - 1; i++) offDiagonal[i] /= scale;
  divide(solver, start, size);
  for (let i = start; i < start + size; i++) values[i] *= scale;
}

function divide(solver: Solver, start: number, size: number): void {
  if (size <= LEAF_SIZE) {
    solveLeaf(solver, start, size);
    return;
  }
  const topSize = size >> 1;
  const cut = start + topSize - 1;
  const beta = solver.offDiagonal[cut];
  // T = diag(T1, T2) + |beta| v v^T with v = (e_last; sign(beta) e_first).
  solver.diagonal[cut] -= Math.abs(beta);
  solver.diagonal[cut + 1] -= Math.abs(beta);
  divide(solver, start, topSize);
  divide(solver, start + topSize, size - topSize);
  merge(solver, { start, topSize, bottomSize: size - topSize, beta });
}

/**
 * A leaf by implicit QL with Wilkinson shifts, rotations accumulated into its own identity,
 * then sorted ascending into the global arrays.
 */
function solveLeaf(solver: Solver, start: number, size: number): void {
  const { n, vectors, values } = solver;
  const d = solver.diagonal.slice(start, start + size);
  const e = new Float64Array(size);
  for (let i = 0; i < size - 1; i++) e[i] = solver.offDiagonal[start + i];
  const z = new Float64Array(size * size);
  for (let i = 0; i < size; i++) z[i * size + i] = 1;

  for (let l = 0; l < size; l++) {
    let sweeps = 0;
    for (;;) {
      // The first negligible off-diagonal at or after l ends the unreduced part.
      let m = l;
      for (; m < size - 1; m++) {
        if (Math.abs(e[m]) <= Number.EPSILON * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
      }
      if (m === l) break;
      if (++sweeps > 60) throw new Error('tridiagonalEigen: QL did not converge');
      // Wilkinson shift from the leading 2 x 2, folded into the first rotation.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let deflatedEarly = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The bulge vanished: the rest of the chase is unnecessary; retry from the new split.
          d[i + 1] -= p;
          e[m] = 0;
          deflatedEarly = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let row = 0; row < size; row++) {
          const at = row * size + i;
          const left = z[at];
          const right = z[at + 1];
          z[at + 1] = s * left + c * right;
          z[at] = c * left - s * right;
        }
      }
      if (deflatedEarly) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }

  const order = Array.from({ length: size }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  for (let j = 0; j < size; j++) values[start + j] = d[order[j]];
  for (let row = 0; row < size; row++) {
    const target = (start + row) * n + start;
    for (let j = 0; j < size; j++) vectors[target + j] = z[row * size + order[j]];
  }
}

interface MergeInput {
  readonly start: number;
  readonly topSize: number;
  readonly bottomSize: number;
  /** The off-diagonal at the cut (already removed from the diagonal, scaled). */
  readonly beta: number;
}

/**
 * diag(Q1, Q2) and the ascending eigenvalues of T1, T2 (in place in the global arrays) become
 * the eigenpairs of the merged block, ascending.
 */
function merge(solver: Solver, { start, topSize, bottomSize, beta }: MergeInput): void {
  const { n, vectors, values, multiply } = solver;
  const size = topSize + bottomSize;
  /** Index of local (row, column) in the global matrix. */
  const at = (row: number, column: number): number => (start + row) * n + start + column;

  // z = (last row of Q1, sign(beta) first row of Q2) / sqrt(2): unit norm, rho doubled.
  const z = new Float64Array(size);
  const sign = beta < 0 ? -1 : 1;
  for (let j = 0; j < topSize; j++) z[j] = vectors[at(topSize - 1, j)] * SQRT_HALF;
  for (let j = topSize; j < size; j++) z[j] = sign * vectors[at(topSize, j)] * SQRT_HALF;
  const rho = 2 * Math.abs(beta);
  const poles = values.slice(start, start + size);

  // Ascending order of the poles: the two halves are each ascending already.
  const order = new Int32Array(size);
  for (let i = 0, top = 0, bottom = topSize; i < size; i++) {
    order[i] = bottom >= size || (top < topSize && poles[top] <= poles[bottom]) ? top++ : bottom++;
  }

  const support = new Uint8Array(size);
  support.fill(TOP_ROWS, 0, topSize);
  support.fill(BOTTOM_ROWS, topSize);
  let largestPole = 0;
  let largestWeight = 0;
  for (let j = 0; j < size; j++) {
    largestPole = Math.max(largestPole, Math.abs(poles[j]));
    largestWeight = Math.max(largestWeight, Math.abs(z[j]));
  }
  // LAPACK's dlaed2 tolerance: a change this small is a backward error of O(eps |T|).
  const tolerance = 8 * UNIT_ROUNDOFF * Math.max(largestPole, largestWeight);

  // Deflation, walking the poles upwards: a tiny weight leaves its pair as it is; two poles so
  // close that a rotation zeroing one weight leaves an off-diagonal below tolerance keep the
  // rotated pair, the lower one deflated and the upper one still a candidate.
  const kept: number[] = [];
  const deflated: number[] = [];
  let rotations = 0;
  if (rho * largestWeight <= tolerance) {
    for (let i = 0; i < size; i++) deflated.push(order[i]);
  } else {
    let pending = -1;
    for (let i = 0; i < size; i++) {
      const column = order[i];
      if (rho * Math.abs(z[column]) <= tolerance) {
        deflated.push(column);
        continue;
      }
      if (pending < 0) {
        pending = column;
        continue;
      }
      const radius = Math.hypot(z[pending], z[column]);
      const cosine = z[column] / radius;
      const sine = z[pending] / radius;
      if (Math.abs((poles[column] - poles[pending]) * cosine * sine) <= tolerance) {
        // G (z_p, z_c) = (0, radius); the columns become Q G^T.
        rotateColumns(solver, { start, topSize, size, first: pending, second: column, cosine, sine, support });
        z[pending] = 0;
        z[column] = radius;
        const lowerPole = poles[pending];
        const upperPole = poles[column];
        poles[pending] = cosine * cosine * lowerPole + sine * sine * upperPole;
        poles[column] = sine * sine * lowerPole + cosine * cosine * upperPole;
        deflated.push(pending);
        rotations++;
      } else {
        kept.push(pending);
      }
      pending = column;
    }
    if (pending >= 0) kept.push(pending);
  }

  // The secular equation of the kept poles (strictly increasing: equal ones deflate).
  const k = kept.length;
  const keptPoles = new Float64Array(k);
  const squaredWeights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    keptPoles[i] = poles[kept[i]];
    squaredWeights[i] = z[kept[i]] * z[kept[i]];
  }
  // Row j: d_i - lambda_j for all i, accurate relative to each entry.
  const workspace = workspaceOf(solver);
  const differences = workspace.differences.subarray(0, k * k);
  const roots = new Float64Array(k);
  let secularIterations = 0;
  for (let j = 0; j < k; j++) {
    const root = solveSecularRoot({
      poles: keptPoles,
      squaredWeights,
      rho,
      index: j,
      differences: differences.subarray(j * k, (j + 1) * k),
    });
    roots[j] = keptPoles[root.origin] + root.offset;
    secularIterations += root.iterations;
  }

  // Gu–Eisenstat: the weights for which the computed roots are exact (Löwner's formula),
  //   zHat_i^2 = prod_j (lambda_j - d_i) / (rho prod_{j != i} (d_j - d_i)),
  // as products of ratios near one so nothing over- or underflows.
  // rho zHat_i^2 until the square root below.
  const squaredWeight = new Float64Array(k);
  for (let i = 0; i < k; i++) squaredWeight[i] = -differences[i * k + i];
  for (let j = 0; j < k; j++) {
    const row = j * k;
    const pole = keptPoles[j];
    for (let i = 0; i < j; i++) squaredWeight[i] *= differences[row + i] / (keptPoles[i] - pole);
    for (let i = j + 1; i < k; i++) squaredWeight[i] *= differences[row + i] / (keptPoles[i] - pole);
  }
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const magnitude = Math.sqrt(Math.max(0, squaredWeight[i]) / rho);
    weights[i] = z[kept[i]] < 0 ? -magnitude : magnitude;
  }
  // U's column j = (zHat_i / (d_i - lambda_j))_i normalised, formed in place of row j of the
  // differences (so U^T, one root per row); the products gather the rows of U they need.
  for (let j = 0; j < k; j++) {
    const row = j * k;
    let squaredNorm = 0;
    for (let i = 0; i < k; i++) {
      const component = weights[i] / differences[row + i];
      differences[row + i] = component;
      squaredNorm += component * component;
    }
    const inverseNorm = 1 / Math.sqrt(squaredNorm);
    for (let i = 0; i < k; i++) differences[row + i] *= inverseNorm;
  }
  const rankOneTransposed = differences;

  // The new kept columns, top rows and bottom rows apart: each only through the kept columns
  // nonzero in those rows (diag(Q1, Q2)'s zero blocks are never multiplied).
  let multiplyAdds = 0;
  const topProduct = workspace.product.subarray(0, topSize * k);
  const bottomProduct = workspace.product.subarray(topSize * k, size * k);
  for (const [part, rowStart, rowCount, product] of [
    [TOP_ROWS, 0, topSize, topProduct],
    [BOTTOM_ROWS, topSize, bottomSize, bottomProduct],
  ] as const) {
    const usedList: number[] = [];
    for (let i = 0; i < k; i++) if (support[kept[i]] & part) usedList.push(i);
    const used = Int32Array.from(usedList);
    const inner = used.length;
    if (inner === 0) {
      product.fill(0);
      continue;
    }
    const columns = Int32Array.from(used, (i) => kept[i]);
    const left = workspace.left.subarray(0, rowCount * inner);
    for (let row = 0; row < rowCount; row++) {
      const source = at(rowStart + row, 0);
      const target = row * inner;
      for (let q = 0; q < inner; q++) left[target + q] = vectors[source + columns[q]];
    }
    const right = workspace.right.subarray(0, inner * k);
    gatherRows({ transposed: rankOneTransposed, used, right });
    multiply({ a: left, b: right, c: product, m: rowCount, k: inner, n: k });
    multiplyAdds += rowCount * inner * k;
  }

  // All eigenpairs ascending: entries < k are roots, the rest deflated columns (eigenvectors
  // already, read from each row's copy as that row is rewritten).
  const deflatedCount = deflated.length;
  const pairValue = new Float64Array(size);
  for (let j = 0; j < k; j++) pairValue[j] = roots[j];
  for (let q = 0; q < deflatedCount; q++) pairValue[k + q] = poles[deflated[q]];
  const pairs = Array.from({ length: size }, (_, i) => i).sort((x, y) => pairValue[x] - pairValue[y]);
  for (let j = 0; j < size; j++) values[start + j] = pairValue[pairs[j]];
  // Output column j takes its entries from product column source[j] (>= 0) or from block
  // column -1 - source[j] (a deflated one).
  const source = new Int32Array(size);
  for (let j = 0; j < size; j++) source[j] = pairs[j] < k ? pairs[j] : -1 - deflated[pairs[j] - k];
  const rowCopy = workspace.row;
  for (let row = 0; row < size; row++) {
    const target = at(row, 0);
    rowCopy.set(vectors.subarray(target, target + size));
    const fromTop = row < topSize;
    const productRow = fromTop ? topProduct : bottomProduct;
    const productStart = (fromTop ? row : row - topSize) * k;
    for (let j = 0; j < size; j++) {
      const from = source[j];
      vectors[target + j] = from >= 0 ? productRow[productStart + from] : rowCopy[-1 - from];
    }
  }

  solver.onMerge?.({ size, deflated: deflatedCount, rotations, multiplyAdds, secularIterations });
}

interface GatherRowsInput {
  /** k x k row-major: U^T. */
  readonly transposed: Float64Array;
  /** Which rows of U to gather. */
  readonly used: Int32Array;
  /** Receives used.length x k row-major: right[q][j] = U[used[q]][j] = transposed[j][used[q]]. */
  readonly right: Float64Array;
}

/** Rows of U from U^T, in square tiles so both the reads and the writes stay within a few cache lines. */
function gatherRows({ transposed, used, right }: GatherRowsInput): void {
  const inner = used.length;
  const k = inner === 0 ? 0 : right.length / inner;
  const TILE = 32;
  for (let q0 = 0; q0 < inner; q0 += TILE) {
    const q1 = Math.min(inner, q0 + TILE);
    for (let j0 = 0; j0 < k; j0 += TILE) {
      const j1 = Math.min(k, j0 + TILE);
      for (let q = q0; q < q1; q++) {
        const column = used[q];
        const target = q * k;
        for (let j = j0; j < j1; j++) right[target + j] = transposed[j * k + column];
      }
    }
  }
}

interface RotationInput {
  readonly start: number;
  readonly topSize: number;
  readonly size: number;
  readonly first: number;
  readonly second: number;
  readonly cosine: number;
  readonly sine: number;
  /** Updated: both columns become nonzero wherever either was. */
  readonly support: Uint8Array;
}

/** Columns (first, second) of the block become (c q1 - s q2, s q1 + c q2), over the rows where either lives. */
function rotateColumns(solver: Solver, { start, topSize, size, first, second, cosine, sine, support }: RotationInput): void {
  const { n, vectors } = solver;
  const union = support[first] | support[second];
  const rowStart = union & TOP_ROWS ? 0 : topSize;
  const rowEnd = union & BOTTOM_ROWS ? size : topSize;
  for (let row = rowStart; row < rowEnd; row++) {
    const base = (start + row) * n + start;
    const x = vectors[base + first];
    const y = vectors[base + second];
    vectors[base + first] = cosine * x - sine * y;
    vectors[base + second] = sine * x + cosine * y;
  }
  support[first] = union;
  support[second] = union;
}

/** Several unreduced blocks: order all eigenvalues ascending and permute the columns to match. */
function sortAll(solver: Solver): void {
  const { n, vectors, values } = solver;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[x] - values[y]);
  const sortedValues = Float64Array.from(order, (i) => values[i]);
  values.set(sortedValues);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * n;
    row.set(vectors.subarray(base, base + n));
    for (let j = 0; j < n; j++) vectors[base + j] = row[order[j]];
  }
}
