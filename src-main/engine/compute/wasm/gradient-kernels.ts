// Loads the WebAssembly SIMD gradient kernels (built from assembly/gradient.ts by
// `npm run build:wasm` into out/wasm/gradient.wasm) and runs a whole training step or an
// evaluation of an MLP inside them: the JS side only copies the batch and the parameters in
// and the gradient out. One call per layer operation, no per-call allocation, so small batches
// (B = 64) are not dominated by call overhead as the tfjs path is.
//
// Memory layout inside the module (all float32, row-major, 16-byte aligned): the row length of
// every activation, delta and weight matrix is padded to a multiple of 4 ("width"), the batch
// to a multiple of 4 rows; pad rows of the input are zero, pad columns of weights and biases
// are zero, so pad lanes never reach a real output (assembly/gradient.ts relies on this).

import type { Activation } from '../../../../src-shared/config/experiment.ts';
import type { MlpLayout } from '../../model/mlp.ts';
import { instantiateWasm, type WasmMemory } from '../../wasm-module.ts';

/** The module's exports; pointers are byte offsets into `memory`, strides counted in floats. */
interface GradientExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  setScratch(panel: number, steps: number): void;
  correctCount(): number;
  dense(a: number, lda: number, b: number, ldb: number, bias: number, c: number, ldc: number, m: number, k: number, n: number, activation: number): void;
  weightGradient(a: number, lda: number, d: number, ldd: number, g: number, ldg: number, m: number, k: number, n: number): void;
  inputGradient(d: number, ldd: number, wt: number, ldw: number, e: number, h: number, lde: number, m: number, k: number, n: number, activation: number): void;
  biasGradient(d: number, ldd: number, g: number, m: number, n: number): void;
  softmaxCrossEntropy(logits: number, ld: number, labels: number, rows: number, paddedRows: number, classes: number, grad: number): number;
}

const ACTIVATION_CODES: Record<Activation, number> = { sigmoid: 1, tanh: 2, relu: 3 };

/** Byte offsets of one layer's matrices in the module's memory. */
interface LayerRegion {
  readonly inputs: number;
  readonly outputs: number;
  /** outputs rounded up to a multiple of 4: the row stride of w, bias, h, d, g. */
  readonly width: number;
  /** inputs rounded up to a multiple of 4: the row stride of wt, the rows of g. */
  readonly paddedInputs: number;
  readonly w: number;
  /** W transposed (width x paddedInputs), for the input gradient; unused for layer 0. */
  readonly wt: number;
  readonly bias: number;
  /** Post-activation output (logits for the last layer). */
  readonly h: number;
  /** d(mean loss)/d(pre-activation). */
  readonly d: number;
  readonly g: number;
  readonly biasGrad: number;
}

/** Where everything lives for one layout and a row capacity. */
interface MemoryPlan {
  readonly sizesKey: string;
  readonly rowCapacity: number;
  readonly x: number;
  readonly labels: number;
  readonly layers: readonly LayerRegion[];
}

export interface LossSums {
  readonly lossSum: number;
  readonly correct: number;
}

const roundUp4 = (n: number) => (n + 3) & ~3;

export class GradientKernels {
  private readonly exports: GradientExports;
  private f32: Float32Array;
  private i32: Int32Array;
  private plan: MemoryPlan | null = null;

  private constructor(exports: GradientExports) {
    this.exports = exports;
    this.f32 = new Float32Array(exports.memory.buffer);
    this.i32 = new Int32Array(exports.memory.buffer);
  }

  /**
   * Compiles (once per process) and instantiates the module, synchronously so a backend can
   * be built in a constructor. Null with the reason when it is not built or does not run.
   */
  static load(): { kernels: GradientKernels | null; note: string } {
    const { exports, note } = instantiateWasm<GradientExports>('gradient.wasm');
    if (exports === null) return { kernels: null, note: `WASM gradient kernels unavailable: ${note}` };
    const kernels = new GradientKernels(exports);
    if (!kernels.selfTest()) return { kernels: null, note: 'WASM gradient kernels computed a wrong result' };
    return { kernels, note: 'WASM SIMD gradient kernels' };
  }

  /** A 5-row, 3-input, 2-class step against values worked out by hand. */
  private selfTest(): boolean {
    const layout = {
      sizes: [3, 2],
      activation: 'relu',
      parameterCount: 8,
      layers: [{ index: 0, inputs: 3, outputs: 2, offset: 0, biasOffset: 6, size: 8 }],
    } as const;
    // W = identity on the first two inputs, bias 0: the logits are x[:, 0..1].
    const params = Float32Array.of(1, 0, 0, 1, 0, 0, 0, 0);
    const x = Float32Array.of(0, 0, 9, 0, 0, 9, 0, 0, 9, 0, 0, 9, 0, 0, 9);
    const grad = new Float32Array(8);
    const sums = this.lossAndGradient(layout, params, { x, y: new Int32Array(5), rows: 5 }, grad);
    // Equal logits: loss ln 2 per row, dlogits = (0.5 - 1, 0.5) / 5 per row, dW = 0 (x is 0 on
    // the first two inputs), the third input row gets 9 * 5 * dlogits, db = 5 * dlogits.
    const expected = [0, 0, 0, 0, -4.5, 4.5, -0.5, 0.5];
    return Math.abs(sums.lossSum - 5 * Math.LN2) < 1e-6 && expected.every((value, i) => Math.abs(grad[i] - value) < 1e-5);
  }

  /** Sum of the loss over the batch's rows; writes d(mean loss)/d(params) into grad (overwritten). */
  lossAndGradient(
    layout: MlpLayout,
    params: Float32Array,
    batch: { readonly x: Float32Array; readonly y: Int32Array; readonly rows: number },
    grad: Float32Array,
  ): LossSums {
    const plan = this.prepare({ layout, params, x: batch.x, labels: batch.y, rows: batch.rows });
    const paddedRows = roundUp4(batch.rows);
    this.forward(plan, layout.activation, paddedRows);
    const { exports: wasm } = this;
    const { layers } = plan;
    const last = layers[layers.length - 1];
    const lossSum = wasm.softmaxCrossEntropy(last.h, last.width, plan.labels, batch.rows, paddedRows, last.outputs, last.d);
    const correct = wasm.correctCount();
    const activation = ACTIVATION_CODES[layout.activation];
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      const input = l === 0 ? { at: plan.x, ld: layer.inputs } : { at: layers[l - 1].h, ld: layers[l - 1].width };
      wasm.weightGradient(input.at, input.ld, layer.d, layer.width, layer.g, layer.width, paddedRows, layer.inputs, layer.width);
      wasm.biasGradient(layer.d, layer.width, layer.biasGrad, paddedRows, layer.width);
      if (l > 0) {
        const previous = layers[l - 1];
        wasm.inputGradient(
          layer.d,
          layer.width,
          layer.wt,
          layer.paddedInputs,
          previous.d,
          previous.h,
          previous.width,
          paddedRows,
          layer.width,
          previous.width,
          activation,
        );
      }
    }
    this.copyGradientOut(layout, plan, grad);
    return { lossSum, correct };
  }

  /** Loss sum and correct rows of `params` on `rows` rows (no gradient). */
  lossSums(layout: MlpLayout, params: Float32Array, x: Float32Array, labels: Int32Array, rows: number): LossSums {
    const plan = this.prepare({ layout, params, x, labels, rows });
    const paddedRows = roundUp4(rows);
    this.forward(plan, layout.activation, paddedRows);
    const last = plan.layers[plan.layers.length - 1];
    const lossSum = this.exports.softmaxCrossEntropy(last.h, last.width, plan.labels, rows, paddedRows, last.outputs, 0);
    return { lossSum, correct: this.exports.correctCount() };
  }

  private forward(plan: MemoryPlan, activation: Activation, paddedRows: number): void {
    const { layers } = plan;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l];
      const input = l === 0 ? { at: plan.x, ld: layer.inputs } : { at: layers[l - 1].h, ld: layers[l - 1].width };
      const code = l < layers.length - 1 ? ACTIVATION_CODES[activation] : 0;
      this.exports.dense(input.at, input.ld, layer.w, layer.width, layer.bias, layer.h, layer.width, paddedRows, layer.inputs, layer.width, code);
    }
  }

  /** Copies the batch and the parameters in (pad rows of x zeroed), after fitting the memory plan. */
  private prepare(args: { layout: MlpLayout; params: Float32Array; x: Float32Array; labels: Int32Array; rows: number }): MemoryPlan {
    const { layout, params, rows } = args;
    const plan = this.planFor(layout, rows);
    const f32 = this.f32;
    const features = layout.sizes[0];
    const xAt = plan.x >> 2;
    f32.set(args.x.subarray(0, rows * features), xAt);
    f32.fill(0, xAt + rows * features, xAt + roundUp4(rows) * features);
    this.i32.set(args.labels.subarray(0, rows), plan.labels >> 2);
    for (const [l, region] of plan.layers.entries()) {
      const layer = layout.layers[l];
      const { inputs, outputs, width } = region;
      const weights = params.subarray(layer.offset, layer.biasOffset);
      const wAt = region.w >> 2;
      if (width === outputs) f32.set(weights, wAt);
      else for (let p = 0; p < inputs; p++) f32.set(weights.subarray(p * outputs, (p + 1) * outputs), wAt + p * width);
      f32.set(params.subarray(layer.biasOffset, layer.offset + layer.size), region.bias >> 2);
      if (l > 0) {
        // Wt[j, p] = W[p, j]: the input gradient then runs as a plain (untransposed) product.
        const wtAt = region.wt >> 2;
        const ld = region.paddedInputs;
        for (let p = 0; p < inputs; p++) for (let j = 0; j < outputs; j++) f32[wtAt + j * ld + p] = weights[p * outputs + j];
      }
    }
    return plan;
  }

  private copyGradientOut(layout: MlpLayout, plan: MemoryPlan, grad: Float32Array): void {
    const f32 = this.f32;
    for (const [l, region] of plan.layers.entries()) {
      const layer = layout.layers[l];
      const { inputs, outputs, width } = region;
      const gAt = region.g >> 2;
      if (width === outputs) grad.set(f32.subarray(gAt, gAt + inputs * outputs), layer.offset);
      else for (let p = 0; p < inputs; p++) grad.set(f32.subarray(gAt + p * width, gAt + p * width + outputs), layer.offset + p * outputs);
      grad.set(f32.subarray(region.biasGrad >> 2, (region.biasGrad >> 2) + outputs), layer.biasOffset);
    }
  }

  /** The current plan when it fits, else a new one (memory grown, zeroed so every pad is 0). */
  private planFor(layout: MlpLayout, rows: number): MemoryPlan {
    const sizesKey = layout.sizes.join(',');
    if (this.plan !== null && this.plan.sizesKey === sizesKey && this.plan.rowCapacity >= rows) return this.plan;
    const rowCapacity = Math.max(roundUp4(rows), this.plan?.sizesKey === sizesKey ? this.plan.rowCapacity : 0);
    let cursor = (this.exports.heapBase() + 15) & ~15;
    const take = (floats: number) => {
      const at = cursor;
      cursor += (floats * 4 + 15) & ~15;
      return at;
    };
    // +4 floats: the weight gradient reads up to 3 floats past the last row of x.
    const x = take(rowCapacity * layout.sizes[0] + 4);
    const labels = take(rowCapacity);
    const layers = layout.layers.map((layer): LayerRegion => {
      const width = roundUp4(layer.outputs);
      const paddedInputs = roundUp4(layer.inputs);
      return {
        inputs: layer.inputs,
        outputs: layer.outputs,
        width,
        paddedInputs,
        w: take(layer.inputs * width),
        wt: layer.index > 0 ? take(width * paddedInputs) : 0,
        bias: take(width),
        h: take(rowCapacity * width),
        d: take(rowCapacity * width),
        g: take(paddedInputs * width),
        biasGrad: take(width),
      };
    });
    const longest = Math.max(rowCapacity, ...layout.sizes.map(roundUp4));
    const panel = take(4 * longest);
    const steps = take(longest);
    const memory = this.exports.memory;
    if (cursor > memory.buffer.byteLength) memory.grow(Math.ceil((cursor - memory.buffer.byteLength) / 65536));
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    const heapStart = (this.exports.heapBase() + 15) & ~15;
    this.f32.fill(0, heapStart >> 2, cursor >> 2);
    this.exports.setScratch(panel, steps);
    this.plan = { sizesKey, rowCapacity, x, labels, layers };
    return this.plan;
  }
}
