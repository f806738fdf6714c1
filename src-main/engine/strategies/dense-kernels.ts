// Dense row-major kernels shared by the full CMA-ES and MA-ES: the products with an n x n
// matrix that dominate their cost per generation. Plain JavaScript over Float64Array,
// register-blocked 4 x 4 (each loaded element feeds four multiply-adds; Goto & van de Geijn,
// "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 34(3), 2008, Sect. 5, the
// micro-kernel idea without packing). Every output is still one sum taken in index order with
// a single accumulator, so results are bit-identical to the naive loops they replace.

export interface RowProductInput {
  /** `rows` x n, row-major (e.g. the matrix M or B). */
  readonly matrix: Float64Array;
  readonly rows: number;
  /** `count` x n, row-major (e.g. the lambda samples z_k). */
  readonly vectors: Float64Array;
  readonly count: number;
  /** Row length n. */
  readonly n: number;
  /** Receives count x rows: out[k * rows + i] = sum_j matrix[i][j] vectors[k][j]. */
  readonly out: Float64Array;
}

/** Columns per pass: a 4-row strip of the matrix (16 KB) stays in L1, the vectors' strip in L2. */
const STRIP = 512;

/**
 * out_k = matrix vectors_k for every k, i.e. out = vectors matrix^T. The j range is cut into
 * strips; each output's running sum is carried from strip to strip (kept in `out`), so it is
 * still accumulated in j order.
 */
export function multiplyRows({ matrix, rows, vectors, count, n, out }: RowProductInput): void {
  out.fill(0, 0, rows * count);
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = Math.min(n, j0 + STRIP);
    for (let i = 0; i < rows; i += 4) {
      // Past the last row or vector, the block repeats the last one and drops its results.
      const r0 = i * n;
      const r1 = Math.min(i + 1, rows - 1) * n;
      const r2 = Math.min(i + 2, rows - 1) * n;
      const r3 = Math.min(i + 3, rows - 1) * n;
      const o1 = Math.min(i + 1, rows - 1);
      const o2 = Math.min(i + 2, rows - 1);
      const o3 = Math.min(i + 3, rows - 1);
      for (let k = 0; k < count; k += 4) {
        const v0 = k * n;
        const v1 = Math.min(k + 1, count - 1) * n;
        const v2 = Math.min(k + 2, count - 1) * n;
        const v3 = Math.min(k + 3, count - 1) * n;
        const w0 = k * rows;
        const w1 = Math.min(k + 1, count - 1) * rows;
        const w2 = Math.min(k + 2, count - 1) * rows;
        const w3 = Math.min(k + 3, count - 1) * rows;
        // s_ab: row a of the block times vector b. Aliased duplicates compute the same value as
        // the entry they alias, so writing them all back is harmless.
        let s00 = out[w0 + i],
          s01 = out[w1 + i],
          s02 = out[w2 + i],
          s03 = out[w3 + i];
        let s10 = out[w0 + o1],
          s11 = out[w1 + o1],
          s12 = out[w2 + o1],
          s13 = out[w3 + o1];
        let s20 = out[w0 + o2],
          s21 = out[w1 + o2],
          s22 = out[w2 + o2],
          s23 = out[w3 + o2];
        let s30 = out[w0 + o3],
          s31 = out[w1 + o3],
          s32 = out[w2 + o3],
          s33 = out[w3 + o3];
        for (let j = j0; j < j1; j++) {
          const a0 = matrix[r0 + j];
          const a1 = matrix[r1 + j];
          const a2 = matrix[r2 + j];
          const a3 = matrix[r3 + j];
          const b0 = vectors[v0 + j];
          const b1 = vectors[v1 + j];
          const b2 = vectors[v2 + j];
          const b3 = vectors[v3 + j];
          s00 += a0 * b0;
          s01 += a0 * b1;
          s02 += a0 * b2;
          s03 += a0 * b3;
          s10 += a1 * b0;
          s11 += a1 * b1;
          s12 += a1 * b2;
          s13 += a1 * b3;
          s20 += a2 * b0;
          s21 += a2 * b1;
          s22 += a2 * b2;
          s23 += a2 * b3;
          s30 += a3 * b0;
          s31 += a3 * b1;
          s32 += a3 * b2;
          s33 += a3 * b3;
        }
        out[w0 + i] = s00;
        out[w1 + i] = s01;
        out[w2 + i] = s02;
        out[w3 + i] = s03;
        out[w0 + o1] = s10;
        out[w1 + o1] = s11;
        out[w2 + o1] = s12;
        out[w3 + o1] = s13;
        out[w0 + o2] = s20;
        out[w1 + o2] = s21;
        out[w2 + o2] = s22;
        out[w3 + o2] = s23;
        out[w0 + o3] = s30;
        out[w1 + o3] = s31;
        out[w2 + o3] = s32;
        out[w3 + o3] = s33;
      }
    }
  }
}
