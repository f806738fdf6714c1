// AssemblyScript source of the WebAssembly SIMD kernels for the gradient path (dense forward
// with bias and activation, softmax cross-entropy and its gradient, the backward products
// dW = H^T dZ and dH = dZ W^T with the activation derivative fused in, bias gradients).
// Compiled by `npm run build:wasm` into out/wasm/gradient.wasm; loaded by ../gradient-kernels.ts,
// which owns the memory layout: every matrix is row-major float32 with its row length padded
// to a multiple of 4, every row count padded to a multiple of 4 (pad rows and pad columns of
// the weights are zero), so the kernels never need scalar tails.
//
// Not part of the main TypeScript program: this is AssemblyScript (f32, v128, load<T>).
//
// Why it is fast: each 4 x 8 block of the output is accumulated in 8 SIMD registers over the
// whole reduction, and the left operand is first packed into a contiguous panel that keeps
// only the reduction steps where one of its four rows is non-zero (MNIST pixels are mostly
// zero; the JS reference skips zeros too). Plain f32x4 multiply then add (no relaxed FMA):
// the same inputs give bitwise the same outputs on every machine.

/** Activation codes, as ../gradient-kernels.ts passes them. */
const ACT_NONE: i32 = 0;
const ACT_SIGMOID: i32 = 1;
const ACT_TANH: i32 = 2;
const ACT_RELU: i32 = 3;

/** What the micro-kernel does with a finished block. */
const STORE_PLAIN: i32 = 0; // C = sum
const STORE_BIAS_ACTIVATION: i32 = 1; // C = act(sum + bias)
const STORE_TIMES_DERIVATIVE: i32 = 2; // C = sum * act'(H), H read at C's position

/** Scratch for the packed panel (4 floats per step) and its step offsets (bytes). */
let panel: usize = 0;
let steps: usize = 0;
/** Rows whose arg-max logit was the label, from the last softmaxCrossEntropy call. */
let lastCorrect: i32 = 0;

export function heapBase(): usize {
  return __heap_base;
}

/** Where the kernels pack their left operand: 4*n floats and n i32 for a reduction of n. */
export function setScratch(panelPtr: usize, stepsPtr: usize): void {
  panel = panelPtr;
  steps = stepsPtr;
}

export function correctCount(): i32 {
  return lastCorrect;
}

// ---- element-wise functions on 4 lanes ----------------------------------------------------

/** e^x, Cephes' expf (range reduction by ln 2, degree-6 polynomial): about 1 ulp. */
@inline
function exp4(input: v128): v128 {
  // Clamped so that 2^n stays a normal float32 (n in [-126, 127]).
  let x = f32x4.min(f32x4.max(input, f32x4.splat(-87.3)), f32x4.splat(88.0));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375))), f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.987569150e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1.0));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline
function sigmoid4(z: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(z))));
}

/** tanh: Cephes' odd polynomial below |x| = 0.625 (no cancellation near 0), else 1 - 2/(e^2x + 1). */
@inline
function tanh4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(exp4(f32x4.add(x, x)), one)));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, large, f32x4.lt(f32x4.abs(x), f32x4.splat(0.625)));
}

@inline
function activate4(kind: i32, z: v128): v128 {
  if (kind == ACT_SIGMOID) return sigmoid4(z);
  if (kind == ACT_TANH) return tanh4(z);
  // pmax(0, z) = z < 0 ? 0 : z, exactly the JS reference (keeps NaN and -0).
  if (kind == ACT_RELU) return f32x4.pmax(z, f32x4.splat(0.0));
  return z;
}

/** g * act'(z) from the activation's output h (sigmoid: h(1-h), tanh: 1-h^2, relu: [h > 0]). */
@inline
function timesDerivative4(kind: i32, g: v128, h: v128): v128 {
  const one = f32x4.splat(1.0);
  if (kind == ACT_SIGMOID) return f32x4.mul(g, f32x4.mul(h, f32x4.sub(one, h)));
  if (kind == ACT_TANH) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(h, h)));
  if (kind == ACT_RELU) return v128.andnot(g, f32x4.le(h, f32x4.splat(0.0)));
  return g;
}

// ---- packing ---------------------------------------------------------------------------------

/**
 * Packs rows a .. a+3*lda (bytes) over columns 0..k-1: panel[q] = the 4 values of the q-th
 * column with a non-zero among them, steps[q] = that column's index times `stepBytes`.
 * Branch-free: every column is written, the cursor only advances past the non-zero ones.
 */
function packRowBlock(a: usize, ldaBytes: usize, k: i32, stepBytes: i32): i32 {
  let q: i32 = 0;
  for (let p: i32 = 0; p < k; p++) {
    const at = a + (<usize>p << 2);
    const v0 = load<f32>(at);
    const v1 = load<f32>(at + ldaBytes);
    const v2 = load<f32>(at + 2 * ldaBytes);
    const v3 = load<f32>(at + 3 * ldaBytes);
    const slot = panel + (<usize>q << 4);
    store<f32>(slot, v0);
    store<f32>(slot, v1, 4);
    store<f32>(slot, v2, 8);
    store<f32>(slot, v3, 12);
    store<i32>(steps + (<usize>q << 2), p * stepBytes);
    q += i32(v0 != 0) | i32(v1 != 0) | i32(v2 != 0) | i32(v3 != 0);
  }
  return q;
}

/**
 * Packs columns c..c+3 of rows 0..m-1 (a transposed block): panel[q] = A[i, c..c+3] for the
 * q-th row i with a non-zero among them, steps[q] = i times `stepBytes`.
 */
function packColumnBlock(a: usize, ldaBytes: usize, m: i32, stepBytes: i32): i32 {
  let q: i32 = 0;
  for (let i: i32 = 0; i < m; i++) {
    const values = v128.load(a + <usize>i * ldaBytes);
    v128.store(panel + (<usize>q << 4), values);
    store<i32>(steps + (<usize>q << 2), i * stepBytes);
    q += i32(v128.any_true(f32x4.ne(values, f32x4.splat(0.0))));
  }
  return q;
}

// ---- the micro-kernels -------------------------------------------------------------------------

/**
 * C[4 x 8 at c] from the packed panel (count steps) times rows of B (b + steps[q], 8 floats),
 * finished as `store` says. extra: the bias (STORE_BIAS_ACTIVATION) or H (STORE_TIMES_DERIVATIVE,
 * same row stride as C).
 */
function block8(count: i32, b: usize, c: usize, ldcBytes: usize, store: i32, kind: i32, extra: usize): void {
  let c00 = f32x4.splat(0.0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  let a = panel;
  let s = steps;
  const end = steps + (<usize>count << 2);
  while (s < end) {
    const row = b + <usize>load<i32>(s);
    const b0 = v128.load(row);
    const b1 = v128.load(row, 16);
    const a0 = v128.load32_splat(a);
    const a1 = v128.load32_splat(a, 4);
    const a2 = v128.load32_splat(a, 8);
    const a3 = v128.load32_splat(a, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    a += 16;
    s += 4;
  }
  if (store == STORE_BIAS_ACTIVATION) {
    const bias0 = v128.load(extra);
    const bias1 = v128.load(extra, 16);
    c00 = activate4(kind, f32x4.add(c00, bias0));
    c01 = activate4(kind, f32x4.add(c01, bias1));
    c10 = activate4(kind, f32x4.add(c10, bias0));
    c11 = activate4(kind, f32x4.add(c11, bias1));
    c20 = activate4(kind, f32x4.add(c20, bias0));
    c21 = activate4(kind, f32x4.add(c21, bias1));
    c30 = activate4(kind, f32x4.add(c30, bias0));
    c31 = activate4(kind, f32x4.add(c31, bias1));
  } else if (store == STORE_TIMES_DERIVATIVE) {
    c00 = timesDerivative4(kind, c00, v128.load(extra));
    c01 = timesDerivative4(kind, c01, v128.load(extra, 16));
    c10 = timesDerivative4(kind, c10, v128.load(extra + ldcBytes));
    c11 = timesDerivative4(kind, c11, v128.load(extra + ldcBytes, 16));
    c20 = timesDerivative4(kind, c20, v128.load(extra + 2 * ldcBytes));
    c21 = timesDerivative4(kind, c21, v128.load(extra + 2 * ldcBytes, 16));
    c30 = timesDerivative4(kind, c30, v128.load(extra + 3 * ldcBytes));
    c31 = timesDerivative4(kind, c31, v128.load(extra + 3 * ldcBytes, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldcBytes, c10);
  v128.store(c + ldcBytes, c11, 16);
  v128.store(c + 2 * ldcBytes, c20);
  v128.store(c + 2 * ldcBytes, c21, 16);
  v128.store(c + 3 * ldcBytes, c30);
  v128.store(c + 3 * ldcBytes, c31, 16);
}

/** block8 for the last 4 columns when the padded width is 4 mod 8. */
function block4(count: i32, b: usize, c: usize, ldcBytes: usize, store: i32, kind: i32, extra: usize): void {
  let c0 = f32x4.splat(0.0);
  let c1 = c0;
  let c2 = c0;
  let c3 = c0;
  let a = panel;
  let s = steps;
  const end = steps + (<usize>count << 2);
  while (s < end) {
    const b0 = v128.load(b + <usize>load<i32>(s));
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a, 4), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a, 8), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a, 12), b0));
    a += 16;
    s += 4;
  }
  if (store == STORE_BIAS_ACTIVATION) {
    const bias = v128.load(extra);
    c0 = activate4(kind, f32x4.add(c0, bias));
    c1 = activate4(kind, f32x4.add(c1, bias));
    c2 = activate4(kind, f32x4.add(c2, bias));
    c3 = activate4(kind, f32x4.add(c3, bias));
  } else if (store == STORE_TIMES_DERIVATIVE) {
    c0 = timesDerivative4(kind, c0, v128.load(extra));
    c1 = timesDerivative4(kind, c1, v128.load(extra + ldcBytes));
    c2 = timesDerivative4(kind, c2, v128.load(extra + 2 * ldcBytes));
    c3 = timesDerivative4(kind, c3, v128.load(extra + 3 * ldcBytes));
  }
  v128.store(c, c0);
  v128.store(c + ldcBytes, c1);
  v128.store(c + 2 * ldcBytes, c2);
  v128.store(c + 3 * ldcBytes, c3);
}

/** One packed 4-row block of C across all n columns (n a multiple of 4). */
function blockRow(count: i32, b: usize, c: usize, ldcBytes: usize, n: i32, store: i32, kind: i32, extra: usize, extraStepsWithColumns: bool): void {
  let j: i32 = 0;
  for (; j + 8 <= n; j += 8) {
    const column = <usize>j << 2;
    block8(count, b + column, c + column, ldcBytes, store, kind, extraStepsWithColumns ? extra + column : extra);
  }
  if (j < n) {
    const column = <usize>j << 2;
    block4(count, b + column, c + column, ldcBytes, store, kind, extraStepsWithColumns ? extra + column : extra);
  }
}

// ---- the exported layer operations ----------------------------------------------------------------
// Strides are in floats; m and n are multiples of 4.

/** C[m x n] = act(A[m x k] B[k x n] + bias[n]); activation 0 = none. */
export function dense(a: usize, lda: i32, b: usize, ldb: i32, bias: usize, c: usize, ldc: i32, m: i32, k: i32, n: i32, activation: i32): void {
  const ldaBytes = <usize>lda << 2;
  const ldcBytes = <usize>ldc << 2;
  for (let i: i32 = 0; i < m; i += 4) {
    const count = packRowBlock(a + <usize>i * ldaBytes, ldaBytes, k, ldb << 2);
    blockRow(count, b, c + <usize>i * ldcBytes, ldcBytes, n, STORE_BIAS_ACTIVATION, activation, bias, true);
  }
}

/**
 * G[k x n] = A[m x k]^T D[m x n] (overwritten): the weight gradient. k is rounded up to a
 * multiple of 4: G needs those rows and A must be readable 3 floats past each row's k-th.
 */
export function weightGradient(a: usize, lda: i32, d: usize, ldd: i32, g: usize, ldg: i32, m: i32, k: i32, n: i32): void {
  const ldaBytes = <usize>lda << 2;
  const ldgBytes = <usize>ldg << 2;
  for (let p: i32 = 0; p < k; p += 4) {
    const count = packColumnBlock(a + (<usize>p << 2), ldaBytes, m, ldd << 2);
    blockRow(count, d, g + <usize>p * ldgBytes, ldgBytes, n, STORE_PLAIN, ACT_NONE, 0, false);
  }
}

/**
 * E[m x n] = (D[m x k] Wt[k x n]) * act'(H), H[m x n] with E's row stride: the gradient
 * with respect to the previous layer's pre-activation (Wt is that layer's W transposed).
 */
export function inputGradient(d: usize, ldd: i32, wt: usize, ldw: i32, e: usize, h: usize, lde: i32, m: i32, k: i32, n: i32, activation: i32): void {
  const lddBytes = <usize>ldd << 2;
  const ldeBytes = <usize>lde << 2;
  for (let i: i32 = 0; i < m; i += 4) {
    const count = packRowBlock(d + <usize>i * lddBytes, lddBytes, k, ldw << 2);
    const offset = <usize>i * ldeBytes;
    blockRow(count, wt, e + offset, ldeBytes, n, STORE_TIMES_DERIVATIVE, activation, h + offset, true);
  }
}

/** g[n] = column sums of D[m x n] (overwritten): the bias gradient. */
export function biasGradient(d: usize, ldd: i32, g: usize, m: i32, n: i32): void {
  const lddBytes = <usize>ldd << 2;
  for (let j: i32 = 0; j < n; j += 4) {
    let sum = f32x4.splat(0.0);
    let at = d + (<usize>j << 2);
    for (let i: i32 = 0; i < m; i++) {
      sum = f32x4.add(sum, v128.load(at));
      at += lddBytes;
    }
    v128.store(g + (<usize>j << 2), sum);
  }
}

/**
 * Sum over `rows` rows of softmax cross-entropy of the logits (row stride ld), computed in
 * float64 like the JS reference; the rows whose arg-max is the label (first index wins) go to
 * correctCount(). When grad is not 0 it receives d(mean loss)/d(logits) = (softmax - onehot) / rows
 * (same stride; its pad columns and the pad rows up to paddedRows are zeroed).
 */
export function softmaxCrossEntropy(logits: usize, ld: i32, labels: usize, rows: i32, paddedRows: i32, classes: i32, grad: usize): f64 {
  let lossSum: f64 = 0;
  let correct: i32 = 0;
  const scale: f64 = 1.0 / <f64>rows;
  const ldBytes = <usize>ld << 2;
  for (let r: i32 = 0; r < rows; r++) {
    const row = logits + <usize>r * ldBytes;
    let max = <f64>load<f32>(row);
    let arg: i32 = 0;
    for (let c: i32 = 1; c < classes; c++) {
      const v = <f64>load<f32>(row + (<usize>c << 2));
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum: f64 = 0;
    for (let c: i32 = 0; c < classes; c++) sum += Math.exp(<f64>load<f32>(row + (<usize>c << 2)) - max);
    const label = load<i32>(labels + (<usize>r << 2));
    lossSum += Math.log(sum) + max - <f64>load<f32>(row + (<usize>label << 2));
    if (arg == label) correct++;
    if (grad != 0) {
      const out = grad + <usize>r * ldBytes;
      const inv = scale / sum;
      for (let c: i32 = 0; c < classes; c++) {
        let value = Math.exp(<f64>load<f32>(row + (<usize>c << 2)) - max) * inv;
        if (c == label) value -= scale;
        store<f32>(out + (<usize>c << 2), <f32>value);
      }
      for (let c: i32 = classes; c < ld; c++) store<f32>(out + (<usize>c << 2), 0);
    }
  }
  if (grad != 0) memory.fill(grad + <usize>rows * ldBytes, 0, <usize>(paddedRows - rows) * ldBytes);
  lastCorrect = correct;
  return lossSum;
}
