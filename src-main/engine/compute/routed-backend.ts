// A GPU for the large products, the CPU for the small ones. Each call to a GPU pays a fixed
// round trip (post, submit, wait, read back; 0.73 ms through Dawn on an NVIDIA H200) that the
// CPU kernels do not, so for the small networks many studies train (196-10-10 at B = 64) a
// gradient step on the GPU is 5x slower than on the WASM kernels, and only larger products
// repay the trip.
// `auto` therefore wraps a hardware WebGPU device with the CPU backend and sends each call by
// its multiply-adds: at or above the threshold of its kind to the GPU, below it to the CPU.
// The thresholds are fixed (not measured at start-up), so the same config and seed take the
// same device for the same call on every run of a machine: runs stay reproducible.

import type { MlpLayout } from '../model/mlp.ts';
import type { Batch, CandidateBatch, ComputeBackend, Evaluation } from './backend.ts';

/** Multiply-adds of one call at or above which it goes to the GPU. */
export interface RoutingThresholds {
  /** One forward and backward pass: about 3 x rows x parameters. */
  readonly gradient: number;
  /** A generation: candidates x rows x parameters. */
  readonly population: number;
  /** An evaluation: rows x parameters. */
  readonly evaluate: number;
}

/**
 * Set from bench/webgpu-crossover.ts on an NVIDIA H200 through Dawn against the WASM kernels
 * (population on 8 threads of its 16 cores; figures in the README), with the pooled buffers of
 * kernels.ts (a round trip of 0.73 ms): the GPU won population calls from the smallest measured,
 * 6.5M multiply-adds (196-10-10, 49 candidates, B = 64: 1.7 against 5.7 ms), evaluations from
 * 5.3M (0.73 against 1.06 ms) and gradient steps from 10–16M (196-100-10 at B = 256: 1.6 against
 * 2.3 ms); below about 4M the CPU won every call (B = 64 gradient of 196-10-10: 0.21 against
 * 1.12 ms). A machine with fewer cores reaches the crossover earlier, a smaller GPU later.
 */
export const DEFAULT_ROUTING: RoutingThresholds = { gradient: 2 ** 23, population: 2 ** 22, evaluate: 2 ** 22 };

interface Closable {
  close(): Promise<void>;
}

function closable(backend: ComputeBackend): backend is ComputeBackend & Closable {
  return typeof (backend as Partial<Closable>).close === 'function';
}

function megaMultiplyAdds(value: number): string {
  return `${Math.round(value / 2 ** 20)}M`;
}

export class RoutedBackend implements ComputeBackend {
  readonly name: string;
  readonly gpu: ComputeBackend;
  readonly cpu: ComputeBackend;
  readonly thresholds: RoutingThresholds;

  constructor(options: { gpu: ComputeBackend; cpu: ComputeBackend; thresholds?: RoutingThresholds }) {
    this.gpu = options.gpu;
    this.cpu = options.cpu;
    this.thresholds = options.thresholds ?? DEFAULT_ROUTING;
    const t = this.thresholds;
    this.name =
      `${this.gpu.name} for calls of at least ${megaMultiplyAdds(t.population)} (population), ` +
      `${megaMultiplyAdds(t.gradient)} (gradient), ${megaMultiplyAdds(t.evaluate)} (evaluation) multiply-adds; ` +
      `smaller calls on ${this.cpu.name}`;
  }

  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation {
    return this.pick(data.rows * layout.parameterCount, this.thresholds.evaluate).evaluate(layout, params, data);
  }

  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation {
    return this.pick(3 * batch.rows * layout.parameterCount, this.thresholds.gradient).lossAndGradient(layout, params, batch, grad);
  }

  populationLosses(scoring: CandidateBatch): void {
    const { layout, count, batch } = scoring;
    this.pick(count * batch.rows * layout.parameterCount, this.thresholds.population).populationLosses(scoring);
  }

  /** Closes both sides (the GPU device's thread, the CPU's population threads). */
  async close(): Promise<void> {
    await Promise.all([this.gpu, this.cpu].filter(closable).map((backend) => backend.close()));
  }

  private pick(multiplyAdds: number, threshold: number): ComputeBackend {
    return multiplyAdds >= threshold ? this.gpu : this.cpu;
  }
}
