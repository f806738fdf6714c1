// AssemblyScript source of the WebAssembly SIMD kernels of the full CMA-ES's symmetric
// eigendecomposition (../../eigen/symmetric-eigen.ts): the O(n^3) parts of LAPACK's dsyevd
// path, i.e. a packed matrix product (GEMM), the blocked Householder tridiagonalisation
// (dsytrd/dlatrd) and the blocked back-transformation of the tridiagonal's eigenvectors
// (dormtr with compact WY blocks). The tridiagonal eigenproblem itself (divide and conquer)
// is O(n^2) apart from its own products, which it sends through `gemm`.
// Compiled by `npm run build:wasm` into out/wasm/symmetric-eigen.wasm. Not part of the main
// TypeScript program: this is AssemblyScript (f64, v128, load<T>).
//
// Storage: every matrix is row-major f64. The symmetric input is read from its upper triangle
// (row r, columns >= r); that is LAPACK's lower triangle of the column-major matrix, so the
// algorithms below follow LAPACK's uplo = 'L' variants with "column j" = row j in memory, which
// keeps every Householder vector contiguous.
//
// GEMM: Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS
// 34(3), 2008: B packed in KC x NC panels of 4-column strips, A in MC x KC blocks of 4-row
// strips, a 4 x 4 register tile of eight f64x2 accumulators. Multiply and add are separate
// (no relaxed fused multiply-add), so a result does not depend on the CPU.

const MR: i32 = 4;
const NR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;
/** Bytes of one thread's two packing buffers (and its spill tile) at the start of the heap. */
const PACK_A_BYTES: usize = <usize>(MC * KC) << 3;
const PACK_B_BYTES: usize = <usize>(KC * NC) << 3;
const SPILL_BYTES: usize = 128;
const PACK_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + SPILL_BYTES;

/** Packing buffers of thread 0 (the caller) or 1 (the helper). */
function packBase(thread: i32): usize {
  return ((__heap_base + 15) & ~(<usize>15)) + <usize>thread * PACK_BYTES;
}

/**
 * The control block for the helper thread, after both threads' packing buffers. Not a static
 * data segment: instantiating the module in the helper's worker would write that segment again
 * over a live block.
 */
const CONTROL_BYTES: usize = 128;

/** The first byte the caller may use: after the packing buffers and the control block. */
export function heapBase(): usize {
  return packBase(2) + CONTROL_BYTES;
}

// ---------------------------------------------------------------------------------------------
// The optional helper thread. A second instance of this module over the same shared memory, in a
// worker, runs serve(): it waits for a task in the control block, claims it, runs its half, and
// signals. Tasks are split by output (GEMM: columns of C; the symmetric product: rows of the
// triangle into a second vector), and the split does not depend on whether a helper exists:
// without one, the caller runs both halves itself. So results are the same bits with and
// without it. The caller, done with its half, claims the other half itself when the helper has
// not started it (asleep, or not scheduled on a busy machine), so it never waits for a helper
// that is not working; only for one that is.

const control: usize = packBase(2);
const TASK_SEQUENCE: usize = 0; // i32: incremented by the caller for each task
const DONE_SEQUENCE: usize = 4; // i32: the last task the helper finished
const HELPER_READY: usize = 8; // i32: 1 while a helper serves
const HELPER_OFF: usize = 72; // i32: 1 to run everything on the caller (tests compare both ways)
const CLAIMED: usize = 76; // i32: the last task taken, by the helper or back by the caller
const TASK_KIND: usize = 12; // i32: GEMM_TASK or PRODUCT_TASK
const I32_ARGS: usize = 16; // 12 x i32
const F64_ARGS: usize = 64; // 1 x f64
const GEMM_TASK: i32 = 1;
const PRODUCT_TASK: i32 = 2;
/** Polls of a control word before a thread sleeps on it (about a millisecond). */
const SPINS: i32 = 200_000;

@inline
function arg(i: i32): i32 {
  return load<i32>(control + I32_ARGS + (<usize>i << 2));
}
@inline
function setArg(i: i32, value: i32): void {
  store<i32>(control + I32_ARGS + (<usize>i << 2), value);
}

/** The helper thread's loop; never returns. */
export function serve(): void {
  let seen = atomic.load<i32>(control + TASK_SEQUENCE);
  atomic.store<i32>(control + HELPER_READY, 1);
  while (true) {
    let spins = 0;
    while (atomic.load<i32>(control + TASK_SEQUENCE) == seen) {
      if (++spins > SPINS) {
        atomic.wait<i32>(control + TASK_SEQUENCE, seen, -1);
        spins = 0;
      }
    }
    seen = atomic.load<i32>(control + TASK_SEQUENCE);
    // Task `seen` is ours unless the caller took it back (or it is stale: a later one is posted).
    if (atomic.cmpxchg<i32>(control + CLAIMED, seen - 1, seen) == seen - 1) {
      runTask(1);
      atomic.store<i32>(control + DONE_SEQUENCE, seen);
      atomic.notify(control + DONE_SEQUENCE, 1);
    }
  }
}

/** Whether a helper thread serves tasks (for the caller's report). */
export function helperReady(): i32 {
  return atomic.load<i32>(control + HELPER_READY);
}

function runTask(thread: i32): void {
  if (load<i32>(control + TASK_KIND) == GEMM_TASK) {
    gemmColumns(
      arg(0), arg(1), arg(2), load<f64>(control + F64_ARGS),
      <usize>arg(3), arg(4), arg(5), <usize>arg(6), arg(7), arg(8), <usize>arg(9), arg(10),
      arg(11), arg(1), packBase(thread),
    );
  } else {
    symmetricRows(<usize>arg(0), arg(1), arg(2), <usize>arg(3), <usize>arg(4), arg(5), arg(2));
  }
}

/** Runs every later task on the calling thread (off = 1) or lets the helper take halves (0). */
export function setHelperOff(off: i32): void {
  store<i32>(control + HELPER_OFF, off);
}

/** Hands the posted task to the helper, or returns false when there is none. */
function post(): bool {
  if (atomic.load<i32>(control + HELPER_READY) == 0 || load<i32>(control + HELPER_OFF) != 0) return false;
  atomic.add<i32>(control + TASK_SEQUENCE, 1);
  atomic.notify(control + TASK_SEQUENCE, 1);
  return true;
}

/**
 * After the caller's half: runs the helper's half on the caller when the helper has not claimed
 * it, else waits until the helper is done (spinning briefly, then asleep: Node allows waiting on
 * its main thread, and these kernels only load under Node).
 */
function join(): void {
  const sequence = atomic.load<i32>(control + TASK_SEQUENCE);
  if (atomic.cmpxchg<i32>(control + CLAIMED, sequence - 1, sequence) == sequence - 1) {
    runTask(0);
    return;
  }
  let spins = 0;
  let done = atomic.load<i32>(control + DONE_SEQUENCE);
  while (done != sequence) {
    if (++spins > SPINS) {
      // Asleep until the helper's notify (or a millisecond, against a missed one).
      atomic.wait<i32>(control + DONE_SEQUENCE, done, 1_000_000);
      spins = 0;
    }
    done = atomic.load<i32>(control + DONE_SEQUENCE);
  }
}

@inline
function at(base: usize, row: i32, rowStride: i32, col: i32, colStride: i32): usize {
  return base + ((<usize>row * <usize>rowStride + <usize>col * <usize>colStride) << 3);
}

/** A(ic .. ic+mc, pc .. pc+kc) scaled by alpha into 4-row strips: per p, the strip's 4 values (zero past mc). */
function packABlock(out: usize, a: usize, rsA: i32, csA: i32, ic: i32, mc: i32, pc: i32, kc: i32, alpha: f64): void {
  const step = <usize>csA << 3;
  const rowStep = <usize>rsA << 3;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (rows == MR) {
      // A whole strip: four row pointers walking along p.
      let a0 = at(a, ic + i, rsA, pc, csA);
      for (let p = 0; p < kc; p++) {
        store<f64>(out, alpha * load<f64>(a0));
        store<f64>(out, alpha * load<f64>(a0 + rowStep), 8);
        store<f64>(out, alpha * load<f64>(a0 + 2 * rowStep), 16);
        store<f64>(out, alpha * load<f64>(a0 + 3 * rowStep), 24);
        out += 32;
        a0 += step;
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        store<f64>(out, r < rows ? alpha * load<f64>(at(a, ic + i + r, rsA, pc + p, csA)) : 0.0);
        out += 8;
      }
    }
  }
}

/** B(pc .. pc+kc, jc .. jc+nc) into 4-column strips: per p, the strip's 4 values (zero past nc). */
function packBPanel(out: usize, b: usize, rsB: i32, csB: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (cols == NR && csB == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(at(b, pc + p, rsB, jc + j, 1)));
        v128.store(out, v128.load(at(b, pc + p, rsB, jc + j + 2, 1)), 16);
        out += 32;
      }
    } else if (cols == NR) {
      // A whole strip of a transposed B: four column pointers walking along p.
      const colStep = <usize>csB << 3;
      const step = <usize>rsB << 3;
      let b0 = at(b, pc, rsB, jc + j, csB);
      for (let p = 0; p < kc; p++) {
        store<f64>(out, load<f64>(b0));
        store<f64>(out, load<f64>(b0 + colStep), 8);
        store<f64>(out, load<f64>(b0 + 2 * colStep), 16);
        store<f64>(out, load<f64>(b0 + 3 * colStep), 24);
        out += 32;
        b0 += step;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) {
          store<f64>(out, c < cols ? load<f64>(at(b, pc + p, rsB, jc + j + c, csB)) : 0.0);
          out += 8;
        }
      }
    }
  }
}

/** C(4 x 4 tile at c) += packed A strip x packed B strip over kc; only rows x cols of the tile are stored. */
function tile(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, rows: i32, cols: i32, spill: usize): void {
  let c00 = f64x2.splat(0.0),
    c01 = f64x2.splat(0.0),
    c10 = f64x2.splat(0.0),
    c11 = f64x2.splat(0.0),
    c20 = f64x2.splat(0.0),
    c21 = f64x2.splat(0.0),
    c30 = f64x2.splat(0.0),
    c31 = f64x2.splat(0.0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    pa += 32;
    pb += 32;
  }
  const stride = <usize>ldc << 3;
  if (rows == MR && cols == NR) {
    let row = c;
    v128.store(row, f64x2.add(v128.load(row), c00));
    v128.store(row, f64x2.add(v128.load(row, 16), c01), 16);
    row += stride;
    v128.store(row, f64x2.add(v128.load(row), c10));
    v128.store(row, f64x2.add(v128.load(row, 16), c11), 16);
    row += stride;
    v128.store(row, f64x2.add(v128.load(row), c20));
    v128.store(row, f64x2.add(v128.load(row, 16), c21), 16);
    row += stride;
    v128.store(row, f64x2.add(v128.load(row), c30));
    v128.store(row, f64x2.add(v128.load(row, 16), c31), 16);
    return;
  }
  // A partial tile (the matrix's right or bottom edge): spill to the thread's buffer, add element-wise.
  v128.store(spill, c00);
  v128.store(spill, c01, 16);
  v128.store(spill, c10, 32);
  v128.store(spill, c11, 48);
  v128.store(spill, c20, 64);
  v128.store(spill, c21, 80);
  v128.store(spill, c30, 96);
  v128.store(spill, c31, 112);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const target = c + <usize>r * stride + (<usize>j << 3);
      store<f64>(target, load<f64>(target) + load<f64>(spill + ((<usize>(r * NR + j)) << 3)));
    }
  }
}

/** Products below this many multiply-adds stay on the calling thread. */
const PARALLEL_WORK: i64 = 1 << 18;

/**
 * C += alpha op(A) op(B), C m x n row-major with row stride ldc; op(A)(i, p) is at
 * a + (i rsA + p csA) * 8 and op(B)(p, j) at b + (p rsB + j csB) * 8, so a transposed operand is
 * just swapped strides. Large products are split by columns with the helper thread; each C
 * entry is computed by one thread in the same order either way.
 */
export function gemm(
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  c: usize,
  ldc: i32,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  if (n < 2 * NR || <i64>m * <i64>n * <i64>k < PARALLEL_WORK) {
    gemmColumns(m, n, k, alpha, a, rsA, csA, b, rsB, csB, c, ldc, 0, n, packBase(0));
    return;
  }
  const split = ((n >> 1) + NR - 1) & ~(NR - 1);
  store<i32>(control + TASK_KIND, GEMM_TASK);
  setArg(0, m);
  setArg(1, n);
  setArg(2, k);
  store<f64>(control + F64_ARGS, alpha);
  setArg(3, <i32>a);
  setArg(4, rsA);
  setArg(5, csA);
  setArg(6, <i32>b);
  setArg(7, rsB);
  setArg(8, csB);
  setArg(9, <i32>c);
  setArg(10, ldc);
  setArg(11, split);
  const helped = post();
  gemmColumns(m, n, k, alpha, a, rsA, csA, b, rsB, csB, c, ldc, 0, split, packBase(0));
  if (helped) join();
  else gemmColumns(m, n, k, alpha, a, rsA, csA, b, rsB, csB, c, ldc, split, n, packBase(0));
}

/** Columns j0 .. j1 of the product (Goto's loops), with the packing buffers at `pack`. */
function gemmColumns(
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  c: usize,
  ldc: i32,
  j0: i32,
  j1: i32,
  pack: usize,
): void {
  const pA = pack;
  const pB = pack + PACK_A_BYTES;
  const spill = pB + PACK_B_BYTES;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packBPanel(pB, b, rsB, csB, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packABlock(pA, a, rsA, csA, ic, mc, pc, kc, alpha);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = pB + ((<usize>jr * <usize>kc) << 3);
          const cols = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = pA + ((<usize>ir * <usize>kc) << 3);
            tile(kc, pa, pb, c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 3), ldc, min(MR, mc - ir), cols, spill);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Level-1 and level-2 helpers (f64x2, two accumulators for the sums).

/** sum_i x_i y_i over len values. */
function dot(x: usize, y: usize, len: i32): f64 {
  let s0 = f64x2.splat(0.0);
  let s1 = f64x2.splat(0.0);
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const o = <usize>i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < len; i++) s += load<f64>(x + (<usize>i << 3)) * load<f64>(y + (<usize>i << 3));
  return s;
}

/** y += alpha x over len values. */
function axpy(alpha: f64, x: usize, y: usize, len: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(a, v128.load(x + o))));
  }
  if (i < len) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

function scale(alpha: f64, x: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = x + (<usize>i << 3);
    store<f64>(o, alpha * load<f64>(o));
  }
}

/**
 * y = S v for the symmetric m x m matrix S whose upper triangle is stored row-major at s with
 * row stride ld (S's row r, columns >= r). One pass over the triangle, four rows at a time:
 * each row gives its dot with v (to y_r) and, scaled by v_r, its contribution to y_c for the
 * columns c right of the block, so every y_c load and store serves four rows. This pass is
 * half of the reduction's work and bound by memory bandwidth (it reads the trailing matrix
 * once per column), which is why the row block is as tall as the registers allow; it is split
 * with the helper thread.
 */
function symmetricTimesVector(s: usize, ld: i32, m: i32, v: usize, y: usize, y2: usize): void {
  // Rows split where the triangle's area halves (m (1 - 1/sqrt 2), a multiple of 4), rows below
  // the split into y2; the split depends on m alone (see the helper thread's note above).
  const split = (<i32>(<f64>m * 0.2928932188134524)) & ~3;
  let helped = false;
  if (m >= 256) {
    store<i32>(control + TASK_KIND, PRODUCT_TASK);
    setArg(0, <i32>s);
    setArg(1, ld);
    setArg(2, m);
    setArg(3, <i32>v);
    setArg(4, <i32>y2);
    setArg(5, split);
    helped = post();
  }
  symmetricRows(s, ld, m, v, y, 0, split);
  if (helped) join();
  else symmetricRows(s, ld, m, v, y2, split, m);
  for (let c = split; c < m; c++) {
    const o = <usize>c << 3;
    store<f64>(y + o, load<f64>(y + o) + load<f64>(y2 + o));
  }
}

/** Rows r0 .. r1 of the triangle's product into y (y_r0 .. y_(m-1) are written; nothing before). */
function symmetricRows(s: usize, ld: i32, m: i32, v: usize, y: usize, r0: i32, r1: i32): void {
  memory.fill(y + (<usize>r0 << 3), 0, <usize>(m - r0) << 3);
  const stride = <usize>ld << 3;
  let r = r0;
  for (; r + 3 < r1; r += 4) {
    const row0 = s + ((<usize>r * <usize>ld + <usize>r) << 3); // at the diagonal entry (r, r)
    const row1 = row0 + stride;
    const row2 = row1 + stride;
    const row3 = row2 + stride;
    const vb = v + (<usize>r << 3);
    const yb = y + (<usize>r << 3);
    const v0 = load<f64>(vb);
    const v1 = load<f64>(vb, 8);
    const v2 = load<f64>(vb, 16);
    const v3 = load<f64>(vb, 24);
    // The 4 x 4 diagonal block (upper triangle: row q holds columns r + q .. r + 3).
    const a01 = load<f64>(row0, 8);
    const a02 = load<f64>(row0, 16);
    const a03 = load<f64>(row0, 24);
    const a12 = load<f64>(row1, 16);
    const a13 = load<f64>(row1, 24);
    const a23 = load<f64>(row2, 24);
    let y0 = load<f64>(row0) * v0 + a01 * v1 + a02 * v2 + a03 * v3;
    let y1 = a01 * v0 + load<f64>(row1, 8) * v1 + a12 * v2 + a13 * v3;
    let y2 = a02 * v0 + a12 * v1 + load<f64>(row2, 16) * v2 + a23 * v3;
    let y3 = a03 * v0 + a13 * v1 + a23 * v2 + load<f64>(row3, 24) * v3;
    // Columns right of the block.
    const len = m - r - 4;
    const p0 = row0 + 32;
    const p1 = row1 + 32;
    const p2 = row2 + 32;
    const p3 = row3 + 32;
    const vr = vb + 32;
    const yr = yb + 32;
    const s0 = f64x2.splat(v0);
    const s1 = f64x2.splat(v1);
    const s2 = f64x2.splat(v2);
    const s3 = f64x2.splat(v3);
    let d0 = f64x2.splat(0.0);
    let d1 = f64x2.splat(0.0);
    let d2 = f64x2.splat(0.0);
    let d3 = f64x2.splat(0.0);
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const o = <usize>i << 3;
      const x = v128.load(vr + o);
      const b0 = v128.load(p0 + o);
      const b1 = v128.load(p1 + o);
      const b2 = v128.load(p2 + o);
      const b3 = v128.load(p3 + o);
      d0 = f64x2.add(d0, f64x2.mul(b0, x));
      d1 = f64x2.add(d1, f64x2.mul(b1, x));
      d2 = f64x2.add(d2, f64x2.mul(b2, x));
      d3 = f64x2.add(d3, f64x2.mul(b3, x));
      const sum = f64x2.add(f64x2.add(f64x2.mul(b0, s0), f64x2.mul(b1, s1)), f64x2.add(f64x2.mul(b2, s2), f64x2.mul(b3, s3)));
      v128.store(yr + o, f64x2.add(v128.load(yr + o), sum));
    }
    y0 += f64x2.extract_lane(d0, 0) + f64x2.extract_lane(d0, 1);
    y1 += f64x2.extract_lane(d1, 0) + f64x2.extract_lane(d1, 1);
    y2 += f64x2.extract_lane(d2, 0) + f64x2.extract_lane(d2, 1);
    y3 += f64x2.extract_lane(d3, 0) + f64x2.extract_lane(d3, 1);
    if (i < len) {
      const o = <usize>i << 3;
      const x = load<f64>(vr + o);
      const b0 = load<f64>(p0 + o);
      const b1 = load<f64>(p1 + o);
      const b2 = load<f64>(p2 + o);
      const b3 = load<f64>(p3 + o);
      y0 += b0 * x;
      y1 += b1 * x;
      y2 += b2 * x;
      y3 += b3 * x;
      store<f64>(yr + o, load<f64>(yr + o) + (b0 * v0 + b1 * v1 + (b2 * v2 + b3 * v3)));
    }
    store<f64>(yb, load<f64>(yb) + y0);
    store<f64>(yb, load<f64>(yb, 8) + y1, 8);
    store<f64>(yb, load<f64>(yb, 16) + y2, 16);
    store<f64>(yb, load<f64>(yb, 24) + y3, 24);
  }
  // The last rows one at a time.
  for (; r < r1; r++) {
    const row = s + ((<usize>r * <usize>ld + <usize>r) << 3);
    const vr = load<f64>(v + (<usize>r << 3));
    let sum = load<f64>(row) * vr;
    for (let c = r + 1; c < m; c++) {
      const x = load<f64>(row + (<usize>(c - r) << 3));
      sum += x * load<f64>(v + (<usize>c << 3));
      const yc = y + (<usize>c << 3);
      store<f64>(yc, load<f64>(yc) + vr * x);
    }
    const yr = y + (<usize>r << 3);
    store<f64>(yr, load<f64>(yr) + sum);
  }
}

// ---------------------------------------------------------------------------------------------
// Householder tridiagonalisation (LAPACK dsytrd + dlatrd, uplo = 'L'; Golub & Van Loan,
// "Matrix Computations", 4th ed., §8.3.1 and the blocked form of Dongarra, Sorensen &
// Hammarling, J. Comput. Appl. Math. 27, 1989).

/** Panel width: reflectors per blocked step in both the reduction and the back-transformation. */
const NB: i32 = 64;

/** Bytes of `work` that tridiagonalize and backTransform need for order n. */
export function workBytes(n: i32): usize {
  // tridiagonalize: W (NB x n) and the two (2 NB x n) operands of the trailing update;
  // backTransform: V^T, T and two NB x n products.
  return (<usize>(5 * NB * n + n + NB * NB)) << 3;
}

/**
 * Reduces the symmetric n x n matrix at a (row-major, upper triangle read) to tridiagonal T =
 * Q^T A Q with Q = H(0) ... H(n-2), H(i) = I - tau_i v_i v_i^T. Writes T's diagonal to diag
 * (n) and off-diagonal to off (n - 1), tau (n - 1); v_i is 0 before entry i + 1, 1 at i + 1,
 * and row i of a at columns i + 2 .. n - 1 after it (row i's column i + 1 holds 1).
 */
export function tridiagonalize(a: usize, n: i32, diag: usize, off: usize, tau: usize, work: usize): void {
  const w = work;
  const vw = w + ((<usize>(NB * n)) << 3);
  const wv = vw + ((<usize>(2 * NB * n)) << 3);
  const y2 = wv + ((<usize>(2 * NB * n)) << 3);
  for (let j0 = 0; j0 < n - 1; j0 += NB) {
    const nb = min(NB, n - 1 - j0);
    reducePanel(a, n, j0, nb, diag, off, tau, w, y2);
    const t0 = j0 + nb;
    const m2 = n - t0;
    if (m2 > 0) {
      // A22 -= V W^T + W V^T as one product with k = 2 nb: [V | W] [W | V]^T, upper triangle only.
      for (let q = 0; q < nb; q++) {
        memory.copy(vw + ((<usize>(q * m2)) << 3), a + ((<usize>(j0 + q) * <usize>n + <usize>t0) << 3), <usize>m2 << 3);
        memory.copy(vw + ((<usize>((nb + q) * m2)) << 3), w + ((<usize>q * <usize>n + <usize>t0) << 3), <usize>m2 << 3);
        memory.copy(wv + ((<usize>(q * m2)) << 3), w + ((<usize>q * <usize>n + <usize>t0) << 3), <usize>m2 << 3);
        memory.copy(wv + ((<usize>((nb + q) * m2)) << 3), a + ((<usize>(j0 + q) * <usize>n + <usize>t0) << 3), <usize>m2 << 3);
      }
      const c = a + ((<usize>t0 * <usize>n + <usize>t0) << 3);
      for (let rb = 0; rb < m2; rb += MC) {
        const rows = min(MC, m2 - rb);
        gemm(rows, m2 - rb, 2 * nb, -1.0, vw + (<usize>rb << 3), 1, m2, wv + (<usize>rb << 3), m2, 1, c + ((<usize>rb * <usize>n + <usize>rb) << 3), n);
      }
    }
  }
  store<f64>(diag + (<usize>(n - 1) << 3), load<f64>(a + ((<usize>(n - 1) * <usize>n + <usize>(n - 1)) << 3)));
}

/** One panel of nb reflectors from column j0 (dlatrd): columns reduced, W built, A22 untouched. */
function reducePanel(a: usize, n: i32, j0: i32, nb: i32, diag: usize, off: usize, tau: usize, w: usize, y2: usize): void {
  for (let c = 0; c < nb; c++) {
    const i = j0 + c;
    const col = a + (<usize>i * <usize>n << 3); // "column" i: row i of the storage
    // (a) Bring column i (entries i .. n-1) up to date with the panel's earlier reflectors.
    for (let q = 0; q < c; q++) {
      const v = a + (<usize>(j0 + q) * <usize>n << 3);
      const wq = w + (<usize>q * <usize>n << 3);
      const len = n - i;
      const o = <usize>i << 3;
      axpy(-load<f64>(wq + o), v + o, col + o, len);
      axpy(-load<f64>(v + o), wq + o, col + o, len);
    }
    store<f64>(diag + (<usize>i << 3), load<f64>(col + (<usize>i << 3)));
    // (b) The reflector annihilating entries i + 2 .. n - 1 (dlarfg).
    const m = n - i - 1;
    const x = col + (<usize>(i + 1) << 3);
    const alpha = load<f64>(x);
    const xnorm = m > 1 ? Math.sqrt(dot(x + 8, x + 8, m - 1)) : 0.0;
    let t = 0.0;
    let beta = alpha;
    if (xnorm != 0.0) {
      beta = -Math.sqrt(alpha * alpha + xnorm * xnorm);
      if (alpha < 0) beta = -beta;
      t = (beta - alpha) / beta;
      scale(1.0 / (alpha - beta), x + 8, m - 1);
    }
    store<f64>(off + (<usize>i << 3), beta);
    store<f64>(tau + (<usize>i << 3), t);
    store<f64>(x, 1.0);
    // (c) w_c = tau (A22 v - V (W^T v) - W (V^T v)), then w_c += -tau/2 (w_c . v) v.
    const wc = w + (<usize>c * <usize>n << 3);
    const wcRest = wc + (<usize>(i + 1) << 3);
    if (t == 0.0) {
      memory.fill(wc, 0, <usize>n << 3);
      continue;
    }
    symmetricTimesVector(a + ((<usize>(i + 1) * <usize>n + <usize>(i + 1)) << 3), n, m, x, wcRest, y2);
    for (let q = 0; q < c; q++) {
      const v = a + ((<usize>(j0 + q) * <usize>n + <usize>(i + 1)) << 3);
      const wq = w + ((<usize>q * <usize>n + <usize>(i + 1)) << 3);
      const t1 = dot(wq, x, m);
      const t2 = dot(v, x, m);
      axpy(-t1, v, wcRest, m);
      axpy(-t2, wq, wcRest, m);
    }
    scale(t, wcRest, m);
    axpy(-0.5 * t * dot(wcRest, x, m), x, wcRest, m);
  }
}

// ---------------------------------------------------------------------------------------------
// Back-transformation Z <- Q Z (LAPACK dormtr/dormql through dlarft + dlarfb): the reflectors in
// blocks of NB, each block applied as I - V T V^T (the compact WY form of Schreiber & Van Loan,
// SIAM J. Sci. Stat. Comput. 10(1), 1989), from the last block to the first.

/**
 * Z (n x n row-major at z, any number of columns = n) <- H(0) ... H(n-2) Z, with the reflectors
 * that tridiagonalize left in a and tau. `work` as for tridiagonalize (workBytes(n)).
 */
export function backTransform(a: usize, n: i32, tau: usize, z: usize, work: usize): void {
  const reflectors = n - 1;
  if (reflectors <= 0) return;
  const vt = work; // nb x m, row-major: the block's reflectors as rows
  const t = vt + ((<usize>(NB * n)) << 3); // nb x nb, upper triangular
  const wk = t + ((<usize>(NB * NB)) << 3); // nb x n: V^T Z, then T V^T Z
  const wk2 = wk + ((<usize>(NB * n)) << 3);
  const lastBlock = ((reflectors - 1) / NB) * NB;
  for (let j0 = lastBlock; j0 >= 0; j0 -= NB) {
    const nb = min(NB, reflectors - j0);
    const m = n - j0 - 1; // the block acts on rows j0 + 1 .. n - 1
    // V^T with its zeros and unit entries written out.
    for (let q = 0; q < nb; q++) {
      const row = vt + ((<usize>(q * m)) << 3);
      memory.fill(row, 0, <usize>q << 3);
      store<f64>(row + (<usize>q << 3), 1.0);
      const len = m - q - 1;
      if (len > 0) memory.copy(row + (<usize>(q + 1) << 3), a + ((<usize>(j0 + q) * <usize>n + <usize>(j0 + q + 2)) << 3), <usize>len << 3);
    }
    // T (dlarft, forward, columnwise): T_qq = tau_q, T(0:q, q) = -tau_q T(0:q, 0:q) V(:, 0:q)^T v_q.
    memory.fill(t, 0, (<usize>(NB * NB)) << 3);
    for (let q = 0; q < nb; q++) {
      const tq = load<f64>(tau + (<usize>(j0 + q) << 3));
      store<f64>(t + ((<usize>(q * NB + q)) << 3), tq);
      if (tq == 0.0) continue;
      const vq = vt + ((<usize>(q * m)) << 3);
      // s_p = v_p . v_q (v_q is zero before entry q), into column q of T above the diagonal.
      for (let p = 0; p < q; p++) {
        const vp = vt + ((<usize>(p * m)) << 3);
        store<f64>(t + ((<usize>(p * NB + q)) << 3), -tq * dot(vp + (<usize>q << 3), vq + (<usize>q << 3), m - q));
      }
      // Column q <- T(0:q, 0:q) column q (upper triangular, in place from the top row down).
      for (let p = 0; p < q; p++) {
        let sum = 0.0;
        for (let r = p; r < q; r++) sum += load<f64>(t + ((<usize>(p * NB + r)) << 3)) * load<f64>(t + ((<usize>(r * NB + q)) << 3));
        store<f64>(t + ((<usize>(p * NB + q)) << 3), sum);
      }
    }
    const zs = z + ((<usize>(j0 + 1) * <usize>n) << 3);
    memory.fill(wk, 0, (<usize>(nb * n)) << 3);
    gemm(nb, n, m, 1.0, vt, m, 1, zs, n, 1, wk, n);
    memory.fill(wk2, 0, (<usize>(nb * n)) << 3);
    gemm(nb, n, nb, 1.0, t, NB, 1, wk, n, 1, wk2, n);
    gemm(m, n, nb, -1.0, vt, 1, m, wk2, n, 1, zs, n);
  }
}
