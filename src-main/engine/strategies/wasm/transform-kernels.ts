// MA-ES's transformation M inside the WebAssembly SIMD kernels of assembly/matrix-adaptation.ts
// (built by `npm run build:wasm` into out/wasm/matrix-adaptation.wasm). The module's memory
// holds M as interleaved row pairs, the samples z_k, the products d_k = M z_k and the small
// vectors of an update; the strategy copies z in and d out (lambda n values, against the
// lambda n^2 multiply-adds of the products). Results are bitwise those of the JS kernels
// (maes.ts, JsTransform): the equivalence test in transform-kernels.test.ts holds it to that.

import type { MatrixTransform, TransformUpdate } from '../maes.ts';
import { instantiateWasm, WASM_PAGE_BYTES, type WasmMemory } from '../../wasm-module.ts';

/** The module's exports; pointers are byte offsets into `memory`. */
interface MatrixAdaptationExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  multiply(m: number, n: number, z: number, count: number, d: number): void;
  update(
    m: number,
    n: number,
    keep: number,
    c1half: number,
    s: number,
    z: number,
    order: number,
    mu: number,
    cw: number,
    d: number,
    coefficients: number,
  ): void;
}

/** A wasm32 memory holds at most 4 GiB; leave room below it. */
const MAX_BYTES = 3.75 * 2 ** 30;

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

export class WasmTransform implements MatrixTransform {
  readonly n: number;
  private readonly lambda: number;
  private readonly exports: MatrixAdaptationExports;
  private readonly paddedN: number;
  private readonly at: { m: number; z: number; d: number; s: number; order: number; cw: number; coefficients: number };
  private f64: Float64Array;
  private i32: Int32Array;

  private constructor(exports: MatrixAdaptationExports, n: number, lambda: number) {
    this.exports = exports;
    this.n = n;
    this.lambda = lambda;
    this.paddedN = n + (n & 1);
    const base = align16(exports.heapBase());
    const m = base;
    const z = m + align16(this.paddedN * n * 8);
    const d = z + align16(lambda * n * 8);
    const s = d + align16(lambda * this.paddedN * 8);
    const order = s + align16(n * 8);
    const cw = order + align16(lambda * 4);
    const coefficients = cw + align16(lambda * 8);
    const end = coefficients + lambda * 32;
    const missing = end - exports.memory.buffer.byteLength;
    if (missing > 0) exports.memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
    this.at = { m, z, d, s, order, cw, coefficients };
    this.f64 = new Float64Array(exports.memory.buffer);
    this.i32 = new Int32Array(exports.memory.buffer);
    this.setIdentity();
  }

  /**
   * M = I for dimension n and up to `lambda` samples; null with the reason when the module is
   * not built, does not load, or M would not fit in a wasm32 memory.
   */
  static create(n: number, lambda: number): { transform: WasmTransform | null; note: string } {
    const paddedN = n + (n & 1);
    const bytes = (paddedN * n + lambda * (n + paddedN + 6) + n) * 8;
    if (bytes > MAX_BYTES) return { transform: null, note: `M (${n} x ${n}) does not fit in a WebAssembly memory` };
    const { exports, note } = instantiateWasm<MatrixAdaptationExports>('matrix-adaptation.wasm');
    if (exports === null) return { transform: null, note };
    return { transform: new WasmTransform(exports, n, lambda), note: 'WASM SIMD' };
  }

  multiply(z: Float64Array, count: number, dirs: Float64Array): void {
    const { n, paddedN, at } = this;
    this.f64.set(z.subarray(0, count * n), at.z / 8);
    this.exports.multiply(at.m, n, at.z, count, at.d);
    const d = at.d / 8;
    if (paddedN === n) dirs.set(this.f64.subarray(d, d + count * n));
    else for (let k = 0; k < count; k++) dirs.set(this.f64.subarray(d + k * paddedN, d + k * paddedN + n), k * n);
  }

  update({ keep, c1half, s, z, order, mu, scaledWeights }: TransformUpdate): void {
    const { n, at } = this;
    // d = M z stays in the module from the last multiply(); the z given here is copied in again
    // (lambda n values, cheap), so the update uses exactly the samples it is passed.
    this.f64.set(z.subarray(0, this.lambda * n), at.z / 8);
    this.f64.set(s, at.s / 8);
    this.i32.set(order.subarray(0, mu), at.order / 4);
    this.f64.set(scaledWeights.subarray(0, mu), at.cw / 8);
    this.exports.update(at.m, n, keep, c1half, at.s, at.z, at.order, mu, at.cw, at.d, at.coefficients);
  }

  toRowMajor(): Float64Array {
    const { n } = this;
    const out = new Float64Array(n * n);
    const m = this.at.m / 8;
    for (let i = 0; i < n; i++) {
      const pair = m + (i >> 1) * n * 2 + (i & 1);
      for (let j = 0; j < n; j++) out[i * n + j] = this.f64[pair + 2 * j];
    }
    return out;
  }

  setRowMajor(values: ArrayLike<number>): void {
    const { n, paddedN } = this;
    const m = this.at.m / 8;
    this.f64.fill(0, m, m + paddedN * n);
    for (let i = 0; i < n; i++) {
      const pair = m + (i >> 1) * n * 2 + (i & 1);
      for (let j = 0; j < n; j++) this.f64[pair + 2 * j] = values[i * n + j];
    }
  }

  private setIdentity(): void {
    const { n, paddedN } = this;
    const m = this.at.m / 8;
    this.f64.fill(0, m, m + paddedN * n);
    for (let i = 0; i < n; i++) this.f64[m + (i >> 1) * n * 2 + (i & 1) + 2 * i] = 1;
  }
}
