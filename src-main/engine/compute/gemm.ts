// Dense matrix kernels on row-major Float32Arrays, written for V8: the innermost loop always
// runs over contiguous memory, and four rows of the output are updated per pass over B so
// each loaded element of B is used four times (register blocking; see Goto & van de Geijn,
// "Anatomy of high-performance matrix multiplication", 2008, for the idea at full scale).
// Arithmetic happens in doubles (JavaScript numbers); storage is float32.

/**
 * C[M x N] = A[M x K] * B[K x N] + bias[N] (bias may be null).
 * A is read with row stride `lda` starting at `aOffset`, so a column block of a wider matrix
 * (one candidate's activations inside a population's) can be used without copying.
 */
export function matmulBias(
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bias: Float32Array | null,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let j = 0; j < n; j++) {
      const v = bias === null ? 0 : bias[j];
      c[c0 + j] = v;
      c[c1 + j] = v;
      c[c2 + j] = v;
      c[c3 + j] = v;
    }
    const a0 = aOffset + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const x1 = a[a1 + p];
      const x2 = a[a2 + p];
      const x3 = a[a3 + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        const y = b[bRow + j];
        c[c0 + j] += x0 * y;
        c[c1 + j] += x1 * y;
        c[c2 + j] += x2 * y;
        c[c3 + j] += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = i * n;
    for (let j = 0; j < n; j++) c[c0 + j] = bias === null ? 0 : bias[j];
    const a0 = aOffset + i * lda;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[bRow + j];
    }
  }
}

/** G[K x N] += A[M x K]^T * D[M x N]: the weight gradient of a dense layer. */
export function accumulateAtB(a: Float32Array, d: Float32Array, g: Float32Array, m: number, k: number, n: number): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = i * k;
    const d0 = i * n;
    const d1 = d0 + n;
    const d2 = d1 + n;
    const d3 = d2 + n;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const x1 = a[a0 + k + p];
      const x2 = a[a0 + 2 * k + p];
      const x3 = a[a0 + 3 * k + p];
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue; // zero pixels are common in MNIST
      const gRow = p * n;
      for (let j = 0; j < n; j++) g[gRow + j] += x0 * d[d0 + j] + x1 * d[d1 + j] + x2 * d[d2 + j] + x3 * d[d3 + j];
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    const d0 = i * n;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      if (x0 === 0) continue;
      const gRow = p * n;
      for (let j = 0; j < n; j++) g[gRow + j] += x0 * d[d0 + j];
    }
  }
}

/** E[M x K] = D[M x N] * W[K x N]^T: the gradient with respect to a dense layer's input. */
export function matmulABt(d: Float32Array, w: Float32Array, e: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const d0 = i * n;
    const e0 = i * k;
    for (let p = 0; p < k; p++) {
      const w0 = p * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += d[d0 + j] * w[w0 + j];
      e[e0 + p] = sum;
    }
  }
}

/** Column sums of D[M x N] added into g[N]: the bias gradient. */
export function accumulateColumnSums(d: Float32Array, g: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const d0 = i * n;
    for (let j = 0; j < n; j++) g[j] += d[d0 + j];
  }
}
