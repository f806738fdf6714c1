// Hand-written typed-array implementation of ComputeBackend: one thread, float32 storage,
// scratch buffers reused across calls. For a population, the first varying layer of every
// candidate is computed as ONE product X[B x in] * Wcat[in x (lambda*out)] (the layout that
// measured fastest, ../shared/MEASUREMENTS.md), then each candidate continues on its own block.
// With the WASM preference, training steps and evaluations run in the WebAssembly SIMD
// gradient kernels (wasm/gradient-kernels.ts) when they are built, else on the path below.

import type { Activation } from '../../../src-shared/config/experiment.ts';
import type { MlpLayout } from '../model/mlp.ts';
import { activateInPlace, multiplyByDerivative } from './activation.ts';
import type { Batch, CandidateBatch, ComputeBackend, Evaluation, VaryingLayers } from './backend.ts';
import { varyingSize } from './backend.ts';
import { accumulateAtB, accumulateColumnSums, matmulABt, matmulBias } from './gemm.ts';
import { crossEntropy, crossEntropyWithGradient, populationOutputLoss } from './loss.ts';
import type { TfjsKernels } from './tfjs-kernels.ts';
import { GradientKernels } from './wasm/gradient-kernels.ts';

const EVALUATION_CHUNK_ROWS = 8192;
/**
 * Steps of at least this many rows x parameters go to the WASM gradient kernels: below it
 * (Iris: 16 rows x 83 parameters) copying in and out costs more than the JS loops.
 */
const GRADIENT_KERNEL_MIN_WORK = 1 << 14;
/** Products of at least this many multiply-adds go to the tfjs kernel when there is one. */
const LARGE_MIN_MULTIPLY_ADDS = 1 << 20;

/**
 * Weights and biases of layer `l` for candidate `c`: its own slice of `candidates` when the
 * layer varies, else the shared model's (views, no copies).
 */
function candidateLayer(
  layout: MlpLayout,
  base: Float32Array,
  varying: VaryingLayers,
  candidates: Float32Array,
  c: number,
  l: number,
): { readonly w: Float32Array; readonly b: Float32Array } {
  const layer = layout.layers[l];
  const varies = l >= varying.first && l <= varying.last;
  const source = varies ? candidates : base;
  const start = varies ? c * varyingSize(layout, varying) + layer.offset - layout.layers[varying.first].offset : layer.offset;
  return { w: source.subarray(start, layer.inputs * layer.outputs + start), b: source.subarray(start + layer.inputs * layer.outputs, start + layer.size) };
}

/** Grow-only named Float32Array buffers, so hot loops never allocate. */
class ScratchBuffers {
  private readonly buffers = new Map<string, Float32Array>();

  get(name: string, length: number): Float32Array {
    let buffer = this.buffers.get(name);
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float32Array(Math.ceil(length * 1.25));
      this.buffers.set(name, buffer);
    }
    return buffer;
  }
}

export interface JsBackendOptions {
  /**
   * Kernels for lossAndGradient and evaluate. Default: loaded when `large` is the WASM
   * backend (null when not built, with a note in the name), none otherwise.
   */
  readonly gradientKernels?: GradientKernels | null;
  /** Smallest rows x parameters sent to them (default GRADIENT_KERNEL_MIN_WORK; tests use 0). */
  readonly gradientKernelMinWork?: number;
}

export class JsBackend implements ComputeBackend {
  readonly name: string;
  /** Why the WASM gradient kernels are not used although the WASM backend was chosen (else null). */
  readonly gradientNote: string | null;
  private readonly scratch = new ScratchBuffers();
  private readonly large: TfjsKernels | null;
  private readonly gradient: GradientKernels | null;
  private readonly gradientMinWork: number;

  /** @param large optional fast kernel for large products (see tfjs-kernels.ts). */
  constructor(large: TfjsKernels | null = null, options: JsBackendOptions = {}) {
    this.large = large;
    let gradient = options.gradientKernels ?? null;
    let note: string | null = null;
    if (options.gradientKernels === undefined && large?.device === 'wasm') {
      const loaded = GradientKernels.load();
      gradient = loaded.kernels;
      if (gradient === null) note = loaded.note;
    }
    this.gradient = gradient;
    this.gradientNote = note;
    this.gradientMinWork = options.gradientKernelMinWork ?? GRADIENT_KERNEL_MIN_WORK;
    const steps = gradient === null ? '' : 'WASM SIMD kernels for training steps and evaluation, ';
    this.name =
      large === null
        ? gradient === null
          ? 'js (float32)'
          : `js (float32; ${steps.slice(0, -2)})`
        : large.device === 'gpu'
          ? `gpu (tfjs-node-gpu for large products, ${steps}js for the rest)`
          : `wasm (${steps}tfjs-backend-wasm SIMD for large products, js for the rest${note === null ? '' : `; ${note}`})`;
  }

  /** C = act(A B + bias) through the fastest kernel for the size (no activation when null). */
  private matmul(
    a: Float32Array,
    aOffset: number,
    lda: number,
    b: Float32Array,
    bias: Float32Array,
    activation: Activation | null,
    c: Float32Array,
    m: number,
    k: number,
    n: number,
  ): void {
    if (this.large !== null && m * k * n >= LARGE_MIN_MULTIPLY_ADDS) {
      this.large.matmulBias(a, aOffset, lda, b, bias, activation, c, m, k, n);
      return;
    }
    matmulBias(a, aOffset, lda, b, bias, c, m, k, n);
    if (activation !== null) activateInPlace(activation, c, 0, m * n);
  }

  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation {
    let lossSum = 0;
    let correct = 0;
    const features = layout.sizes[0];
    for (let start = 0; start < data.rows; start += EVALUATION_CHUNK_ROWS) {
      const rows = Math.min(EVALUATION_CHUNK_ROWS, data.rows - start);
      if (this.gradient !== null && rows * layout.parameterCount >= this.gradientMinWork) {
        const x = data.x.subarray(start * features, (start + rows) * features);
        const sums = this.gradient.lossSums(layout, params, x, data.y.subarray(start, start + rows), rows);
        lossSum += sums.lossSum;
        correct += sums.correct;
        continue;
      }
      const logits = this.forward(layout, params, data.x.subarray(start * features, (start + rows) * features), rows, null);
      const classes = layout.sizes[layout.sizes.length - 1];
      const sums = crossEntropy(logits, 0, classes, rows, classes, data.y.subarray(start, start + rows));
      lossSum += sums.lossSum;
      correct += sums.correct;
    }
    return { loss: lossSum / data.rows, accuracy: correct / data.rows };
  }

  /** Forward pass; when `keep` is given, keep[l] receives layer l's output (post-activation). */
  private forward(layout: MlpLayout, params: Float32Array, x: Float32Array, rows: number, keep: Float32Array[] | null): Float32Array {
    let input = x;
    const { layers } = layout;
    for (const layer of layers) {
      const out = this.scratch.get(`act${layer.index}`, rows * layer.outputs);
      this.matmul(
        input,
        0,
        layer.inputs,
        params.subarray(layer.offset, layer.biasOffset),
        params.subarray(layer.biasOffset, layer.offset + layer.size),
        layer.index < layers.length - 1 ? layout.activation : null,
        out,
        rows,
        layer.inputs,
        layer.outputs,
      );
      if (keep !== null) keep.push(out);
      input = out;
    }
    return input;
  }

  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation {
    const rows = batch.rows;
    if (this.gradient !== null && rows * layout.parameterCount >= this.gradientMinWork) {
      const sums = this.gradient.lossAndGradient(layout, params, batch, grad);
      return { loss: sums.lossSum / rows, accuracy: sums.correct / rows };
    }
    const { layers } = layout;
    const outputs: Float32Array[] = [];
    const logits = this.forward(layout, params, batch.x, rows, outputs);
    const classes = layout.sizes[layout.sizes.length - 1];
    let delta = this.scratch.get('delta0', rows * classes);
    const sums = crossEntropyWithGradient(logits, rows, classes, batch.y, delta);
    grad.fill(0);
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      const input = l === 0 ? batch.x : outputs[l - 1];
      accumulateAtB(input, delta, grad.subarray(layer.offset, layer.biasOffset), rows, layer.inputs, layer.outputs);
      accumulateColumnSums(delta, grad.subarray(layer.biasOffset, layer.offset + layer.size), rows, layer.outputs);
      if (l > 0) {
        const previous = this.scratch.get(`delta${l % 2 === 0 ? 1 : 2}`, rows * layer.inputs);
        matmulABt(delta, params.subarray(layer.offset, layer.biasOffset), previous, rows, layer.inputs, layer.outputs);
        multiplyByDerivative(layout.activation, outputs[l - 1], previous, rows * layer.inputs);
        delta = previous;
      }
    }
    return { loss: sums.lossSum / rows, accuracy: sums.correct / rows };
  }

  populationLosses(scoring: CandidateBatch): void {
    const { layout, base, varying, candidates, count, batch, out } = scoring;
    const { layers, activation } = layout;
    const rows = batch.rows;
    const last = layers.length - 1;
    const dv = varyingSize(layout, varying);
    const firstLayer = layers[varying.first];

    // 1. Layers before the varying ones are the same for every candidate: compute once.
    let shared = batch.x;
    for (let l = 0; l < varying.first; l++) {
      const layer = layers[l];
      const z = this.scratch.get(`shared${l % 2}`, rows * layer.outputs);
      this.matmul(
        shared,
        0,
        layer.inputs,
        base.subarray(layer.offset, layer.biasOffset),
        base.subarray(layer.biasOffset, layer.offset + layer.size),
        activation,
        z,
        rows,
        layer.inputs,
        layer.outputs,
      );
      shared = z;
    }

    // 2. The first varying layer of all candidates side by side: Wcat[k, c*out + j] = W_c[k, j].
    const { inputs, outputs } = firstLayer;
    const wide = count * outputs;
    const wcat = this.scratch.get('wcat', inputs * wide);
    const bcat = this.scratch.get('bcat', wide);
    for (let c = 0; c < count; c++) {
      const w = c * dv;
      for (let k = 0; k < inputs; k++) wcat.set(candidates.subarray(w + k * outputs, w + (k + 1) * outputs), k * wide + c * outputs);
      bcat.set(candidates.subarray(w + inputs * outputs, w + inputs * outputs + outputs), c * outputs);
    }
    const classes = layout.sizes[layout.sizes.length - 1];
    if (this.large !== null && varying.first + 1 >= last) {
      // One or two layers remain: the whole rest of the network and the loss run in tfjs.
      this.largePopulationLoss(this.large, layout, base, varying, candidates, count, shared, rows, wcat, bcat, batch.y, out);
      return;
    }
    const z = this.scratch.get('wideOut', rows * wide);
    if (varying.first === last) {
      this.matmul(shared, 0, inputs, wcat, bcat, null, z, rows, inputs, wide);
      for (let c = 0; c < count; c++) out[c] = crossEntropy(z, c * outputs, wide, rows, classes, batch.y).lossSum / rows;
      return;
    }
    this.matmul(shared, 0, inputs, wcat, bcat, activation, z, rows, inputs, wide);
    if (varying.first + 1 === last) {
      // Only the output layer remains: score every candidate in one fused pass.
      const weightsOf = (c: number) => candidateLayer(layout, base, varying, candidates, c, last);
      populationOutputLoss(z, wide, outputs, count, weightsOf, rows, classes, batch.y, out);
      return;
    }

    // 3. Each candidate continues through the remaining layers with its own (or the shared) weights.
    for (let c = 0; c < count; c++) {
      let input = z;
      let offset = c * outputs;
      let lda = wide;
      for (let l = varying.first + 1; l <= last; l++) {
        const layer = layers[l];
        const { w, b } = candidateLayer(layout, base, varying, candidates, c, l);
        const h = this.scratch.get(`cand${l % 2}`, rows * layer.outputs);
        this.matmul(input, offset, lda, w, b, l < last ? activation : null, h, rows, layer.inputs, layer.outputs);
        input = h;
        offset = 0;
        lda = layer.outputs;
      }
      out[c] = crossEntropy(input, 0, classes, rows, classes, batch.y).lossSum / rows;
    }
  }

  /** populationLosses' tail on the tfjs kernels: layer `varying.first` and, if any, the output layer. */
  private largePopulationLoss(
    large: TfjsKernels,
    layout: MlpLayout,
    base: Float32Array,
    varying: VaryingLayers,
    candidates: Float32Array,
    count: number,
    shared: Float32Array,
    rows: number,
    wcat: Float32Array,
    bcat: Float32Array,
    labels: Int32Array,
    out: Float64Array,
  ): void {
    const { layers } = layout;
    const last = layers.length - 1;
    const firstLayer = layers[varying.first];
    const classes = layout.sizes[layout.sizes.length - 1];
    let output: { w: Float32Array; b: Float32Array; shared: boolean } | null = null;
    if (varying.first < last && varying.last < last) {
      // The output layer is the model's own for every candidate (layerwise CMA-ES).
      output = { ...candidateLayer(layout, base, varying, candidates, 0, last), shared: true };
    } else if (varying.first < last) {
      // The output layer's weights of every candidate, stacked for one batched product.
      const layer = layers[last];
      const weightCount = layer.inputs * layer.outputs;
      const w = this.scratch.get('outW', count * weightCount);
      const b = this.scratch.get('outB', count * layer.outputs);
      for (let c = 0; c < count; c++) {
        const own = candidateLayer(layout, base, varying, candidates, c, last);
        w.set(own.w, c * weightCount);
        b.set(own.b, c * layer.outputs);
      }
      output = { w, b, shared: false };
    }
    large.populationLoss(shared, rows, firstLayer.inputs, wcat, bcat, count, firstLayer.outputs, layout.activation, output, labels, classes, out);
  }
}
