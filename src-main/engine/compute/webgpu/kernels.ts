// The WebGPU side of the backend: answers a KernelRequest (population losses, one model's
// loss, or its loss and gradient) with the WGSL kernels of shaders.ts on a GPUDevice, from Dawn
// in Node or from a Chromium page. Everything a request needs goes into one command buffer; the
// answers are read back in one map. Buffers come from a pool kept between requests: on a
// hardware adapter a call's fixed cost, not its arithmetic, decides whether the GPU is worth
// it for the small networks most studies train (bench/webgpu-crossover.ts).
// Imports nothing from Node: it also runs in the browser.

import {
  BUFFER_USAGE,
  type GpuBindGroupLayout,
  type GpuBuffer,
  type GpuCommandEncoder,
  type GpuComputePipeline,
  type GpuDevice,
  MAP_MODE_READ,
} from './gpu-types.ts';
import type { KernelAnswer, KernelRequest, ModelRequest, NetworkShape, PopulationRequest } from './requests.ts';
import { ACTIVATION_CODE, CROSS_ENTROPY_SHADER, CROSS_ENTROPY_UNIFORM_FIELDS, DENSE_SHADER, DENSE_UNIFORM_FIELDS, EPILOGUE, TILE } from './shaders.ts';

type DenseUniforms = Record<(typeof DENSE_UNIFORM_FIELDS)[number], number>;
type CrossEntropyUniforms = Record<(typeof CROSS_ENTROPY_UNIFORM_FIELDS)[number], number>;

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of W (inputs x outputs, row-major) in the flat vector; b follows it. */
  readonly offset: number;
  readonly biasOffset: number;
  readonly size: number;
}

/** The flat parameter layout of model/mlp.ts, rebuilt from the sizes (no engine import). */
function layersOf(shape: NetworkShape): Layer[] {
  const layers: Layer[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < shape.sizes.length; l++) {
    const inputs = shape.sizes[l];
    const outputs = shape.sizes[l + 1];
    layers.push({ inputs, outputs, offset, biasOffset: offset + inputs * outputs, size: inputs * outputs + outputs });
    offset += inputs * outputs + outputs;
  }
  return layers;
}

/** Rows per chunk when evaluating a whole data set (as the JS backend). */
const EVALUATION_CHUNK_ROWS = 8192;

/** Buffers at or below this size are kept between requests (rounded up to a power of two). */
const POOLED_MAX_BYTES = 64 * 2 ** 20;
/** Most bytes the pool keeps; beyond it, returned buffers are destroyed. */
const POOL_CAPACITY_BYTES = 512 * 2 ** 20;

/**
 * Buffers kept between requests by usage and size. Measured on an NVIDIA H200 through Dawn:
 * creating and destroying a buffer costs about 0.06 ms, and a small request needs some fifteen,
 * so without the pool buffer creation was half of a small call's time. Large buffers (above
 * POOLED_MAX_BYTES) are created at their exact size and destroyed after the request, so that
 * rounding never pushes one past the device's binding limit.
 */
class BufferPool {
  private readonly free = new Map<string, GpuBuffer[]>();
  private bytes = 0;
  private readonly device: GpuDevice;

  constructor(device: GpuDevice) {
    this.device = device;
  }

  take(usage: number, bytes: number): GpuBuffer {
    const size = bytes > POOLED_MAX_BYTES ? Math.ceil(bytes / 16) * 16 : Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
    const kept = this.free.get(`${usage}:${size}`)?.pop();
    if (kept !== undefined) {
      this.bytes -= size;
      return kept;
    }
    return this.device.createBuffer({ size, usage });
  }

  give(buffer: GpuBuffer, usage: number): void {
    if (buffer.size > POOLED_MAX_BYTES || this.bytes + buffer.size > POOL_CAPACITY_BYTES) {
      buffer.destroy();
      return;
    }
    const key = `${usage}:${buffer.size}`;
    const list = this.free.get(key);
    if (list === undefined) this.free.set(key, [buffer]);
    else list.push(buffer);
    this.bytes += buffer.size;
  }
}

const STORAGE_USAGE = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | BUFFER_USAGE.COPY_SRC;
const UNIFORM_USAGE = BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST;
const READBACK_USAGE = BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST;

/** A range of the request's one readback, in floats. */
interface Readback {
  readonly offset: number;
  readonly length: number;
}

/**
 * The buffers of one request, taken from the pool and given back when it is answered. Every
 * result the request reads back is copied into one staging buffer, mapped once: each map is a
 * wait on the device.
 */
class RequestBuffers {
  private readonly taken: { readonly buffer: GpuBuffer; readonly usage: number }[] = [];
  private readonly reads: { readonly source: GpuBuffer; readonly offset: number; readonly length: number }[] = [];
  private readLength = 0;
  private staging: GpuBuffer | null = null;
  private readonly device: GpuDevice;
  private readonly pool: BufferPool;

  constructor(device: GpuDevice, pool: BufferPool) {
    this.device = device;
    this.pool = pool;
  }

  upload(data: Float32Array | Int32Array): GpuBuffer {
    const buffer = this.storage(data.length);
    if (data.length > 0) this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /**
   * Float storage for `length` values. Not zeroed (a pooled buffer holds an earlier request's
   * values): every kernel writes each element of its output before any read.
   */
  storage(length: number): GpuBuffer {
    return this.take(STORAGE_USAGE, length * 4);
  }

  uniform(values: readonly number[]): GpuBuffer {
    const data = Uint32Array.from(values);
    const buffer = this.take(UNIFORM_USAGE, data.byteLength);
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /** Marks `length` floats of `source` to be read back after the submit. */
  read(source: GpuBuffer, length: number): Readback {
    const read = { source, offset: this.readLength, length };
    this.reads.push(read);
    this.readLength += length;
    return { offset: read.offset, length };
  }

  /** Encodes the copies into the staging buffer: the last commands before the submit. */
  encodeReads(encoder: GpuCommandEncoder): void {
    if (this.readLength === 0) return;
    const staging = this.take(READBACK_USAGE, this.readLength * 4);
    for (const read of this.reads) if (read.length > 0) encoder.copyBufferToBuffer(read.source, 0, staging, read.offset * 4, read.length * 4);
    this.staging = staging;
  }

  /** After the submit: every marked range, in one map of the staging buffer. */
  async mapReads(): Promise<Float32Array> {
    if (this.staging === null) return new Float32Array(0);
    await this.staging.mapAsync(MAP_MODE_READ);
    const values = new Float32Array(this.staging.getMappedRange().slice(0, this.readLength * 4));
    this.staging.unmap();
    return values;
  }

  /** Gives every buffer back to the pool. */
  release(): void {
    for (const { buffer, usage } of this.taken) this.pool.give(buffer, usage);
    this.taken.length = 0;
  }

  private take(usage: number, bytes: number): GpuBuffer {
    const buffer = this.pool.take(usage, Math.max(16, bytes));
    this.taken.push({ buffer, usage });
    return buffer;
  }
}

export class WebGpuKernels {
  private readonly device: GpuDevice;
  private readonly dense: GpuComputePipeline;
  private readonly crossEntropy: GpuComputePipeline;
  private readonly pool: BufferPool;
  private readonly layouts = new Map<GpuComputePipeline, GpuBindGroupLayout>();

  private constructor(device: GpuDevice, dense: GpuComputePipeline, crossEntropy: GpuComputePipeline) {
    this.device = device;
    this.pool = new BufferPool(device);
    this.dense = dense;
    this.crossEntropy = crossEntropy;
  }

  static async create(device: GpuDevice): Promise<WebGpuKernels> {
    const pipeline = (code: string): Promise<GpuComputePipeline> =>
      device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    return new WebGpuKernels(device, await pipeline(DENSE_SHADER), await pipeline(CROSS_ENTROPY_SHADER));
  }

  /** Answers one request; WebGPU validation and out-of-memory errors become exceptions. */
  async run(request: KernelRequest): Promise<KernelAnswer> {
    const buffers = new RequestBuffers(this.device, this.pool);
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    try {
      const answer = request.op === 'population' ? await this.population(request, buffers) : await this.model(request, buffers);
      // Both scopes popped before either is awaited: one wait on the device, not two.
      const [validation, memory] = await Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
      const error = validation ?? memory;
      if (error !== null) throw new Error(`WebGPU: ${error.message}`);
      return answer;
    } finally {
      buffers.release();
    }
  }

  private async population(request: PopulationRequest, buffers: RequestBuffers): Promise<KernelAnswer> {
    const { shape, first, last, rows, count } = request;
    const layers = layersOf(shape);
    const classes = shape.sizes[shape.sizes.length - 1];
    const dv = layers[last].offset + layers[last].size - layers[first].offset;
    const widest = Math.max(...layers.slice(first).map((layer) => layer.outputs));
    // Candidates per submission, so that one group's activations of every candidate fit in a binding.
    const perChunk = Math.max(1, Math.min(count, Math.floor(this.device.limits.maxStorageBufferBindingSize / (4 * rows * widest))));
    const rowLosses = new Float32Array(count * rows);
    const x = buffers.upload(request.x.subarray(0, rows * shape.sizes[0]));
    const y = buffers.upload(request.y.subarray(0, rows));
    const base = buffers.upload(request.base);
    const encoder = this.device.createCommandEncoder();
    // Layers before the varying ones are the same for every candidate: computed once.
    let shared = x;
    for (let l = 0; l < first; l++)
      shared = this.forwardLayer({ encoder, buffers, shape, layer: layers[l], hidden: true, input: shared, weights: base, rows, groups: 1 });
    const reads: { readonly read: Readback; readonly from: number }[] = [];
    for (let from = 0; from < count; from += perChunk) {
      const groups = Math.min(perChunk, count - from);
      const candidates = buffers.upload(request.candidates.subarray(from * dv, (from + groups) * dv));
      let input = shared;
      let inputShared = true;
      for (let l = first; l < layers.length; l++) {
        const varies = l <= last;
        input = this.forwardLayer({
          encoder,
          buffers,
          shape,
          layer: layers[l],
          hidden: l < layers.length - 1,
          input,
          inputGroupStride: inputShared ? 0 : rows * layers[l].inputs,
          weights: varies ? candidates : base,
          weightShift: varies ? -layers[first].offset : 0,
          weightGroupStride: varies ? dv : 0,
          rows,
          groups,
        });
        inputShared = false;
      }
      const losses = buffers.storage(groups * rows);
      this.crossEntropyPass({ encoder, buffers, logits: input, labels: y, losses, correct: buffers.storage(groups * rows), grad: null, rows, classes, groups });
      reads.push({ read: buffers.read(losses, groups * rows), from });
    }
    buffers.encodeReads(encoder);
    this.device.queue.submit([encoder.finish()]);
    const values = await buffers.mapReads();
    for (const { read, from } of reads) rowLosses.set(values.subarray(read.offset, read.offset + read.length), from * rows);
    return { op: 'answer', rowLosses, correct: 0, grad: new Float32Array(0) };
  }

  private async model(request: ModelRequest, buffers: RequestBuffers): Promise<KernelAnswer> {
    const { shape } = request;
    const layers = layersOf(shape);
    const features = shape.sizes[0];
    const classes = shape.sizes[shape.sizes.length - 1];
    const params = buffers.upload(request.params);
    const labels = buffers.upload(request.y.subarray(0, request.rows));
    const chunk = request.op === 'gradient' ? request.rows : EVALUATION_CHUNK_ROWS;
    const encoder = this.device.createCommandEncoder();
    const reads: { readonly losses: Readback; readonly correct: Readback; readonly start: number }[] = [];
    let gradRead: Readback | null = null;
    for (let start = 0; start < request.rows; start += chunk) {
      const rows = Math.min(chunk, request.rows - start);
      const x = buffers.upload(request.x.subarray(start * features, (start + rows) * features));
      const y = start === 0 && rows === request.rows ? labels : buffers.upload(request.y.subarray(start, start + rows));
      const outputs: GpuBuffer[] = [];
      let input = x;
      for (let l = 0; l < layers.length; l++) {
        input = this.forwardLayer({ encoder, buffers, shape, layer: layers[l], hidden: l < layers.length - 1, input, weights: params, rows, groups: 1 });
        outputs.push(input);
      }
      const losses = buffers.storage(rows);
      const correct = buffers.storage(rows);
      const delta = request.op === 'gradient' ? buffers.storage(rows * classes) : null;
      this.crossEntropyPass({ encoder, buffers, logits: input, labels: y, losses, correct, grad: delta, rows, classes, groups: 1 });
      reads.push({ losses: buffers.read(losses, rows), correct: buffers.read(correct, rows), start });
      if (delta !== null) gradRead = this.backward({ encoder, buffers, shape, layers, params, x, outputs, delta, rows });
    }
    buffers.encodeReads(encoder);
    this.device.queue.submit([encoder.finish()]);
    const values = await buffers.mapReads();
    const range = (read: Readback): Float32Array => values.subarray(read.offset, read.offset + read.length);
    const rowLosses = new Float32Array(request.rows);
    let correct = 0;
    for (const read of reads) {
      rowLosses.set(range(read.losses), read.start);
      for (const hit of range(read.correct)) correct += hit;
    }
    const grad = gradRead === null ? new Float32Array(0) : range(gradRead).slice();
    return { op: 'answer', rowLosses, correct, grad };
  }

  /**
   * Backpropagation (the JS backend's order): for each layer from the last, dW = H^T delta,
   * db = 1^T delta (a product with a row of ones), and delta <- (delta W^T) * act'(H).
   */
  private backward(options: {
    encoder: GpuCommandEncoder;
    buffers: RequestBuffers;
    shape: NetworkShape;
    layers: readonly Layer[];
    params: GpuBuffer;
    x: GpuBuffer;
    outputs: readonly GpuBuffer[];
    delta: GpuBuffer;
    rows: number;
  }): Readback {
    const { encoder, buffers, shape, layers, params, x, outputs, rows } = options;
    const parameterCount = layers[layers.length - 1].offset + layers[layers.length - 1].size;
    const grad = buffers.storage(parameterCount);
    const ones = buffers.upload(new Float32Array(rows).fill(1));
    const unused = buffers.storage(4);
    let delta = options.delta;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      const input = l === 0 ? x : outputs[l - 1];
      const plain = { epilogue: EPILOGUE.none, activation: 0, biasOffset: 0, biasGroupStride: 0, auxOffset: 0, auxGroupStride: 0 };
      const single = { aGroupStride: 0, bGroupStride: 0, cGroupStride: 0, aOffset: 0, bOffset: 0 };
      // dW[in x out] = H^T[in x rows] * delta[rows x out]
      this.densePass(encoder, buffers, { a: input, b: delta, bias: unused, aux: unused, c: grad }, 1, {
        ...plain,
        ...single,
        m: layer.inputs,
        n: layer.outputs,
        k: rows,
        transA: 1,
        transB: 0,
        lda: layer.inputs,
        ldb: layer.outputs,
        ldc: layer.outputs,
        cOffset: layer.offset,
      });
      // db[1 x out] = 1[1 x rows] * delta[rows x out]
      this.densePass(encoder, buffers, { a: ones, b: delta, bias: unused, aux: unused, c: grad }, 1, {
        ...plain,
        ...single,
        m: 1,
        n: layer.outputs,
        k: rows,
        transA: 0,
        transB: 0,
        lda: rows,
        ldb: layer.outputs,
        ldc: layer.outputs,
        cOffset: layer.biasOffset,
      });
      if (l === 0) break;
      // delta'[rows x in] = (delta[rows x out] * W^T[out x in]) * act'(H)
      const previous = buffers.storage(rows * layer.inputs);
      this.densePass(encoder, buffers, { a: delta, b: params, bias: unused, aux: outputs[l - 1], c: previous }, 1, {
        ...plain,
        ...single,
        m: rows,
        n: layer.inputs,
        k: layer.outputs,
        transA: 0,
        transB: 1,
        lda: layer.outputs,
        ldb: layer.outputs,
        ldc: layer.inputs,
        bOffset: layer.offset,
        cOffset: 0,
        epilogue: EPILOGUE.derivative,
        activation: ACTIVATION_CODE[shape.activation],
      });
      delta = previous;
    }
    return buffers.read(grad, parameterCount);
  }

  /** act(input * W + b) of one layer for `groups` models; W and b read from `weights`. */
  private forwardLayer(options: {
    encoder: GpuCommandEncoder;
    buffers: RequestBuffers;
    shape: NetworkShape;
    layer: Layer;
    hidden: boolean;
    input: GpuBuffer;
    inputGroupStride?: number;
    weights: GpuBuffer;
    /** Added to the layer's offsets (a candidate's slice starts at the first varying layer). */
    weightShift?: number;
    weightGroupStride?: number;
    rows: number;
    groups: number;
  }): GpuBuffer {
    const { layer, rows, groups } = options;
    const shift = options.weightShift ?? 0;
    const output = options.buffers.storage(groups * rows * layer.outputs);
    const unused = options.buffers.storage(4);
    this.densePass(options.encoder, options.buffers, { a: options.input, b: options.weights, bias: options.weights, aux: unused, c: output }, groups, {
      m: rows,
      n: layer.outputs,
      k: layer.inputs,
      transA: 0,
      transB: 0,
      lda: layer.inputs,
      ldb: layer.outputs,
      ldc: layer.outputs,
      aOffset: 0,
      bOffset: layer.offset + shift,
      cOffset: 0,
      aGroupStride: options.inputGroupStride ?? 0,
      bGroupStride: options.weightGroupStride ?? 0,
      cGroupStride: rows * layer.outputs,
      biasOffset: layer.biasOffset + shift,
      biasGroupStride: options.weightGroupStride ?? 0,
      epilogue: EPILOGUE.biasActivation,
      activation: options.hidden ? ACTIVATION_CODE[options.shape.activation] : ACTIVATION_CODE.none,
      auxOffset: 0,
      auxGroupStride: 0,
    });
    return output;
  }

  private densePass(
    encoder: GpuCommandEncoder,
    buffers: RequestBuffers,
    bound: { a: GpuBuffer; b: GpuBuffer; bias: GpuBuffer; aux: GpuBuffer; c: GpuBuffer },
    groups: number,
    uniforms: DenseUniforms,
  ): void {
    const entries = [buffers.uniform(DENSE_UNIFORM_FIELDS.map((field) => uniforms[field])), bound.a, bound.b, bound.bias, bound.aux, bound.c];
    this.dispatch(encoder, this.dense, entries, [Math.ceil(uniforms.n / TILE), Math.ceil(uniforms.m / TILE), groups]);
  }

  private crossEntropyPass(options: {
    encoder: GpuCommandEncoder;
    buffers: RequestBuffers;
    logits: GpuBuffer;
    labels: GpuBuffer;
    losses: GpuBuffer;
    correct: GpuBuffer;
    grad: GpuBuffer | null;
    rows: number;
    classes: number;
    groups: number;
  }): void {
    const { buffers, rows, classes, groups } = options;
    const uniforms: CrossEntropyUniforms = { rows, classes, groups, withGradient: options.grad === null ? 0 : 1 };
    const entries = [
      buffers.uniform(CROSS_ENTROPY_UNIFORM_FIELDS.map((field) => uniforms[field])),
      options.logits,
      options.labels,
      options.losses,
      options.correct,
      options.grad ?? buffers.storage(4),
    ];
    this.dispatch(options.encoder, this.crossEntropy, entries, [Math.ceil((rows * groups) / 64), 1, 1]);
  }

  /** One compute pass per dispatch: WebGPU orders passes, so each sees the previous one's writes. */
  private dispatch(
    encoder: GpuCommandEncoder,
    pipeline: GpuComputePipeline,
    entries: readonly GpuBuffer[],
    workgroups: readonly [number, number, number],
  ): void {
    let layout = this.layouts.get(pipeline);
    if (layout === undefined) {
      layout = pipeline.getBindGroupLayout(0);
      this.layouts.set(pipeline, layout);
    }
    const group = this.device.createBindGroup({
      layout,
      entries: entries.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...workgroups);
    pass.end();
  }
}
