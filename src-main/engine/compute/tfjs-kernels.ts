// The large kernels run on a TensorFlow.js backend: dense products (with bias and activation)
// and the tail of a population's forward pass with its loss. The backend is the WebAssembly
// one (XNNPACK, SIMD, shipped inside its npm package, nothing downloaded), or the CUDA one from
// the optional package @tensorflow/tfjs-node-gpu when it is installed and starts. Plain
// float32 matMul on wasm runs at 17-30 GFLOP/s on one core here against about 1 GFLOP/s for our
// JS loops (bench/engine.ts; ../shared/MEASUREMENTS.md). Single-model products are sent
// untransposed: transposed and batched matMul are slow on the wasm backend.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Activation } from '../../../src-shared/config/experiment.ts';

type TfCore = typeof import('@tensorflow/tfjs-core');
export type TfjsDevice = 'wasm' | 'gpu';

export class TfjsKernels {
  readonly device: TfjsDevice;
  private readonly tf: TfCore;
  private scratch = new Float32Array(0);

  private constructor(tf: TfCore, device: TfjsDevice) {
    this.tf = tf;
    this.device = device;
  }

  /** Starts the backend; null with the reason when it cannot (missing package, no GPU, ...). */
  static async create(device: TfjsDevice): Promise<{ kernels: TfjsKernels | null; reason: string }> {
    try {
      const tf = await import('@tensorflow/tfjs-core');
      let name: string;
      if (device === 'gpu') {
        // Registers the 'tensorflow' backend (libtensorflow with CUDA) on the shared tfjs-core.
        await import(/* optional dependency */ '@tensorflow/tfjs-node-gpu' as string);
        name = 'tensorflow';
      } else {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const require = createRequire(import.meta.url);
        wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
        name = 'wasm';
      }
      if (!(await tf.setBackend(name))) return { kernels: null, reason: `tfjs backend '${name}' did not initialise` };
      const kernels = new TfjsKernels(tf, device);
      // A tiny product proves the backend really computes before any run depends on it.
      const probe = new Float32Array(4);
      kernels.matmulBias(Float32Array.of(1, 2, 3, 4), 0, 2, Float32Array.of(1, 0, 0, 1), Float32Array.of(0, 0), null, probe, 2, 2, 2);
      if (probe[3] !== 4) return { kernels: null, reason: `tfjs backend '${name}' computed a wrong product` };
      return { kernels, reason: `tfjs backend '${name}' for large products` };
    } catch (error) {
      const what = device === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-backend-wasm';
      return { kernels: null, reason: `${what} unavailable (${(error as Error).message.split('\n')[0]})` };
    }
  }

  /**
   * C[M x N] = act(A[M x K] * B[K x N] + bias), A read at aOffset with row stride lda; the
   * activation (none when null) runs inside the backend too, vectorised.
   */
  matmulBias(
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
    const tf = this.tf;
    let contiguous: Float32Array;
    if (lda === k) {
      contiguous = a.subarray(aOffset, aOffset + m * k);
    } else {
      if (this.scratch.length < m * k) this.scratch = new Float32Array(m * k);
      contiguous = this.scratch.subarray(0, m * k);
      for (let i = 0; i < m; i++) contiguous.set(a.subarray(aOffset + i * lda, aOffset + i * lda + k), i * k);
    }
    const result = tf.tidy(() => {
      const z = tf.add(tf.matMul(tf.tensor2d(contiguous, [m, k]), tf.tensor2d(b.subarray(0, k * n), [k, n])), tf.tensor1d(bias.subarray(0, n)));
      if (activation === 'sigmoid') return tf.sigmoid(z);
      if (activation === 'tanh') return tf.tanh(z);
      if (activation === 'relu') return tf.relu(z);
      return z;
    });
    c.set(result.dataSync() as Float32Array);
    result.dispose();
  }

  /**
   * Mean cross-entropy of each of `count` candidates that differ in the last hidden layer
   * and/or the output layer, computed entirely inside the tfjs backend (no lambda logit
   * matrices come back to JavaScript, and the exponentials run vectorised):
   *   Z = act(X Wcat + bcat)               X: rows x k, Wcat: k x (count*width)
   *   output === null:  Z (without act) are the logits, width = classes
   *   output.shared:     logits_c = Z_c W2 + b2, one output layer for all (W2: width x classes):
   *                      one plain product over all rows and candidates
   *   otherwise:         logits_c = Z_c W2_c + b2_c (W2: count x width x classes, b2: count x classes)
   */
  populationLoss(
    x: Float32Array,
    rows: number,
    k: number,
    wcat: Float32Array,
    bcat: Float32Array,
    count: number,
    width: number,
    activation: Activation,
    output: { readonly w: Float32Array; readonly b: Float32Array; readonly shared: boolean } | null,
    labels: Int32Array,
    classes: number,
    out: Float64Array,
  ): void {
    const tf = this.tf;
    const losses = tf.tidy(() => {
      const z = tf.add(
        tf.matMul(tf.tensor2d(x.subarray(0, rows * k), [rows, k]), tf.tensor2d(wcat.subarray(0, k * count * width), [k, count * width])),
        tf.tensor1d(bcat.subarray(0, count * width)),
      );
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels.subarray(0, rows), 'int32'), classes), 'float32');
      let logits: import('@tensorflow/tfjs-core').Tensor3D;
      let rowsAxis: number;
      const activated = () => (activation === 'sigmoid' ? tf.sigmoid(z) : activation === 'tanh' ? tf.tanh(z) : tf.relu(z));
      if (output === null) {
        logits = tf.reshape(z, [rows, count, classes]);
        rowsAxis = 0;
      } else if (output.shared) {
        // Row r, candidate c of H is row r*count + c of a (rows*count) x width matrix.
        const flat = tf.reshape(activated(), [rows * count, width]);
        const product = tf.matMul(flat, tf.tensor2d(output.w.subarray(0, width * classes), [width, classes]));
        logits = tf.reshape(tf.add(product, tf.tensor1d(output.b.subarray(0, classes))), [rows, count, classes]);
        rowsAxis = 0;
      } else {
        const h = activated();
        const perCandidate = tf.transpose(tf.reshape(h, [rows, count, width]), [1, 0, 2]);
        const w2 = tf.tensor3d(output.w.subarray(0, count * width * classes), [count, width, classes]);
        const b2 = tf.tensor3d(output.b.subarray(0, count * classes), [count, 1, classes]);
        logits = tf.add(tf.matMul(perCandidate, w2), b2);
        rowsAxis = 1;
      }
      const picked = tf.sum(tf.mul(logits, tf.expandDims(oneHot, 1 - rowsAxis)), -1);
      return tf.mean(tf.sub(tf.logSumExp(logits, -1), picked), rowsAxis);
    });
    out.set(losses.dataSync() as Float32Array);
    losses.dispose();
  }
}
