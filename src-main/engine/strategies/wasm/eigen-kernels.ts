// The O(n^3) steps of the symmetric eigendecomposition in the WebAssembly SIMD kernels of
// assembly/symmetric-eigen.ts (built by `npm run build:wasm` into out/wasm/symmetric-eigen.wasm):
// the Householder reduction to tridiagonal form, the back-transformation of the tridiagonal's
// eigenvectors, and the matrix product the divide-and-conquer merges use. This file owns the
// module's shared memory: [packing buffers of two threads, control block | A (n x n) | Z (n x n) |
// diag, off, tau | work | scratch for products]. One instance per process, reused by every
// decomposition (the memory only grows), and at most one helper thread (a worker running the
// same module on the same memory) that takes half of each large product.

import { compileWasm, instantiateWasm, sharedWasmMemory, WASM_PAGE_BYTES, type WasmMemory } from '../../wasm-module.ts';
import type { MatrixMultiplyInput } from '../eigen/tridiagonal-eigen.ts';

/** The module's exports; pointers are byte offsets into `memory`. */
interface SymmetricEigenExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  helperReady(): number;
  setHelperOff(off: number): void;
  workBytes(n: number): number;
  gemm(m: number, n: number, k: number, alpha: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number): void;
  tridiagonalize(a: number, n: number, diag: number, off: number, tau: number, work: number): void;
  backTransform(a: number, n: number, tau: number, z: number, work: number): void;
}

/** The divide and conquer's product (c = a b, all contiguous row-major), or with b given n x k. */
export interface ProductInput extends MatrixMultiplyInput {
  /** b is stored n x k and its transpose is used. */
  readonly transposeB?: boolean;
}

/** matrix <- scale matrix + sum_r weights[r] rows[r] rows[r]^T (symmetric n x n, row-major). */
export interface OuterProductsInput {
  readonly matrix: Float64Array;
  readonly n: number;
  readonly scale: number;
  /** count x n, row-major. */
  readonly rows: Float64Array;
  readonly weights: Float64Array;
  readonly count: number;
}

/** A wasm32 memory holds at most 4 GiB (65,536 pages); leave room below it. */
const MAX_BYTES = 3.75 * 2 ** 30;
const MAX_PAGES = 65_536;
/** The packing buffers of both threads (about 8.7 MB) and a little more. */
const INITIAL_PAGES = 160;
const MODULE_FILE = 'symmetric-eigen.wasm';

/** The parts of node:worker_threads and node:os used here, taken at run time (see wasm-module.ts). */
interface WorkerThreads {
  readonly Worker: new (
    code: string,
    options: { eval: true; workerData: unknown },
  ) => { unref(): void; on(event: 'error', listener: (error: Error) => void): void };
}
interface OperatingSystem {
  availableParallelism(): number;
}
const builtin = (id: string): unknown => (globalThis as { readonly process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.(id);

/** The helper's whole program: the module over the shared memory, serving until the process ends. */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { exports } = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
exports.serve();
`;

/**
 * Starts the helper thread when there is a second core and worker_threads; otherwise (or if it
 * fails) the kernels simply run on the calling thread. The worker is unreferenced, so it never
 * keeps a process alive.
 */
function startHelper(memory: WasmMemory): void {
  const workers = builtin('node:worker_threads') as WorkerThreads | undefined;
  const os = builtin('node:os') as OperatingSystem | undefined;
  const { module } = compileWasm(MODULE_FILE);
  if (workers === undefined || os === undefined || module === null || os.availableParallelism() < 2) return;
  try {
    const worker = new workers.Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory } });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // No helper: the caller runs both halves.
  }
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

export class EigenKernels {
  private readonly exports: SymmetricEigenExports;
  /** Order of the matrix the reduction regions are laid out for (0 before the first). */
  private order = 0;
  private at = { a: 0, z: 0, diag: 0, off: 0, tau: 0, work: 0, scratch: 0 };
  private f64: Float64Array;

  private constructor(exports: SymmetricEigenExports) {
    this.exports = exports;
    this.f64 = new Float64Array(exports.memory.buffer);
    // Products asked for before any reduction use the memory right after the packing buffers.
    this.at.scratch = align16(exports.heapBase());
  }

  private static shared: { kernels: EigenKernels | null; note: string } | undefined;

  /**
   * The process's instance; null with the reason when the module is not built or does not load.
   * Where Node's worker_threads exist and there is a second core, a helper thread is started on
   * the same shared memory (it takes half of each large product; it is ready a few milliseconds
   * later, and until then the caller runs both halves, with the same results).
   */
  static load(): { kernels: EigenKernels | null; note: string } {
    if (EigenKernels.shared === undefined) {
      let memory: WasmMemory;
      try {
        memory = sharedWasmMemory(INITIAL_PAGES, MAX_PAGES);
      } catch (error) {
        // A browser page that is not cross-origin isolated has no shared memory.
        EigenKernels.shared = { kernels: null, note: `no shared WebAssembly memory here (${(error as Error).message})` };
        return EigenKernels.shared;
      }
      const { exports, note } = instantiateWasm<SymmetricEigenExports>(MODULE_FILE, { env: { memory } });
      if (exports === null) EigenKernels.shared = { kernels: null, note };
      else {
        startHelper(memory);
        EigenKernels.shared = { kernels: new EigenKernels(exports), note: 'WASM SIMD' };
      }
    }
    return EigenKernels.shared;
  }

  /** Threads the kernels run on: 2 once the helper serves (and is not switched off), else 1. */
  threads(): number {
    return this.exports.helperReady() === 1 && !this.helperOff ? 2 : 1;
  }

  private helperOff = false;

  /** Runs everything on the calling thread (true) or lets the helper take halves again (false). */
  setHelperOff(off: boolean): void {
    this.helperOff = off;
    this.exports.setHelperOff(off ? 1 : 0);
  }

  /** Whether an n x n decomposition fits in a wasm32 memory (A, Z and three product operands). */
  static fits(n: number): boolean {
    return 5 * n * n * 8 + 64 * 6 * n * 8 < MAX_BYTES;
  }

  /**
   * Reduces the symmetric n x n `matrix` (row-major; its upper triangle is read) to tridiagonal
   * form Q^T A Q, keeping Q in the module for backTransform. Returns T's diagonal and off-diagonal.
   */
  reduce(matrix: Float64Array, n: number): { diagonal: Float64Array; offDiagonal: Float64Array } {
    this.layout(n);
    const { at } = this;
    this.f64.set(matrix.subarray(0, n * n), at.a / 8);
    this.exports.tridiagonalize(at.a, n, at.diag, at.off, at.tau, at.work);
    return {
      diagonal: this.f64.slice(at.diag / 8, at.diag / 8 + n),
      offDiagonal: this.f64.slice(at.off / 8, at.off / 8 + Math.max(0, n - 1)),
    };
  }

  /**
   * vectors (n x n row-major, the tridiagonal's eigenvectors as columns) <- Q vectors, with the Q
   * of the last reduce() of this order.
   */
  backTransform(vectors: Float64Array, n: number): void {
    if (n !== this.order) throw new Error(`backTransform of order ${n} after a reduction of order ${this.order}`);
    const { at } = this;
    this.f64.set(vectors.subarray(0, n * n), at.z / 8);
    this.exports.backTransform(at.a, n, at.tau, at.z, at.work);
    vectors.set(this.f64.subarray(at.z / 8, at.z / 8 + n * n));
  }

  /** c = a b through the packed SIMD product (operands copied in and out: O(n^2) against O(n^3)). */
  readonly multiply = ({ a, b, c, m, k, n, transposeB = false }: ProductInput): void => {
    const bytesA = align16(m * k * 8);
    const bytesB = align16(k * n * 8);
    this.ensure(this.at.scratch + bytesA + bytesB + m * n * 8);
    const pa = this.at.scratch;
    const pb = pa + bytesA;
    const pc = pb + bytesB;
    this.f64.set(a.subarray(0, m * k), pa / 8);
    this.f64.set(b.subarray(0, k * n), pb / 8);
    this.f64.fill(0, pc / 8, pc / 8 + m * n);
    if (transposeB) this.exports.gemm(m, n, k, 1, pa, k, 1, pb, 1, k, pc, n);
    else this.exports.gemm(m, n, k, 1, pa, k, 1, pb, n, 1, pc, n);
    c.set(this.f64.subarray(pc / 8, pc / 8 + m * n));
  };

  /**
   * The covariance update's sum of weighted outer products (a rank-`count` update of a symmetric
   * matrix) as one product R^T (W R); the upper triangle is computed and mirrored, so the result
   * is exactly symmetric.
   */
  addWeightedOuterProducts({ matrix, n, scale, rows, weights, count }: OuterProductsInput): void {
    const bytesC = align16(n * n * 8);
    const bytesR = align16(count * n * 8);
    this.ensure(this.at.scratch + bytesC + 2 * bytesR);
    const pc = this.at.scratch;
    const pr = pc + bytesC;
    const pw = pr + bytesR;
    const f64 = this.f64;
    const c0 = pc / 8;
    for (let i = 0; i < n * n; i++) f64[c0 + i] = scale * matrix[i];
    f64.set(rows.subarray(0, count * n), pr / 8);
    for (let r = 0; r < count; r++) {
      const row = pw / 8 + r * n;
      for (let j = 0; j < n; j++) f64[row + j] = weights[r] * rows[r * n + j];
    }
    this.exports.gemm(n, n, count, 1, pr, 1, n, pw, n, 1, pc, n);
    for (let i = 0; i < n; i++) {
      matrix[i * n + i] = f64[c0 + i * n + i];
      for (let j = i + 1; j < n; j++) {
        const value = f64[c0 + i * n + j];
        matrix[i * n + j] = value;
        matrix[j * n + i] = value;
      }
    }
  }

  /** Lays the regions out for order n (the scratch for products starts after them). */
  private layout(n: number): void {
    if (n === this.order) return;
    const a = align16(this.exports.heapBase());
    const z = a + align16(n * n * 8);
    const diag = z + align16(n * n * 8);
    const off = diag + align16(n * 8);
    const tau = off + align16(n * 8);
    const work = tau + align16(n * 8);
    const scratch = work + align16(this.exports.workBytes(n));
    this.ensure(scratch);
    this.at = { a, z, diag, off, tau, work, scratch };
    this.order = n;
  }

  private ensure(bytes: number): void {
    const missing = bytes - this.exports.memory.buffer.byteLength;
    if (missing > 0) {
      this.exports.memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
      this.f64 = new Float64Array(this.exports.memory.buffer);
    }
  }
}
