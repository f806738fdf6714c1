// Population evaluation on several cores: the candidates of a generation are split into
// contiguous shares; worker threads (population-worker.ts) score theirs while the calling
// thread scores the first share, all reading the batch and the candidates from shared memory.
// The call stays synchronous (the caller blocks on an Atomics flag per worker), so optimizers
// see the same ComputeBackend contract. Each candidate is scored by the same code whichever
// thread takes it, so results do not depend on the thread count beyond float32 rounding of the
// WASM products. Single-model work (evaluation, gradients) stays on the calling thread.

import { Worker } from 'node:worker_threads';
import { workerScript } from '../../files/worker-script.ts';
import type { Activation } from '../../../src-shared/config/experiment.ts';
import type { MlpLayout } from '../model/mlp.ts';
import type { Batch, CandidateBatch, ComputeBackend, Evaluation, VaryingLayers } from './backend.ts';
import { varyingSize } from './backend.ts';
import type { BackendPreference } from './select.ts';

/** One worker's share of a generation; buffers are SharedArrayBuffers. */
export interface PopulationJob {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly varying: VaryingLayers;
  readonly base: SharedArrayBuffer;
  readonly candidates: SharedArrayBuffer;
  /** Index (in floats) of this share's first candidate value. */
  readonly candidateOffset: number;
  readonly candidateSize: number;
  readonly count: number;
  readonly x: SharedArrayBuffer;
  readonly y: SharedArrayBuffer;
  readonly rows: number;
  readonly losses: SharedArrayBuffer;
  /** Int32 set by the worker: 1 done, 2 failed. */
  readonly flag: SharedArrayBuffer;
}

/** Below this many candidates x rows a generation is too small to be worth splitting. */
const MIN_PARALLEL_WORK = 20_000;

function sharedFloat32(existing: SharedArrayBuffer | null, length: number): SharedArrayBuffer {
  if (existing !== null && existing.byteLength >= length * 4) return existing;
  return new SharedArrayBuffer(Math.ceil(length * 1.25) * 4);
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly flag: SharedArrayBuffer;
  readonly losses: SharedArrayBuffer;
}

export class ParallelBackend implements ComputeBackend {
  readonly name: string;
  private readonly local: ComputeBackend;
  private readonly slots: WorkerSlot[];
  private base: SharedArrayBuffer | null = null;
  private candidates: SharedArrayBuffer | null = null;
  private x: SharedArrayBuffer | null = null;
  private y: SharedArrayBuffer | null = null;

  private constructor(local: ComputeBackend, slots: WorkerSlot[]) {
    this.local = local;
    this.slots = slots;
    this.name = `${local.name}; population on ${slots.length + 1} threads`;
  }

  /** Starts `threads - 1` workers, each with a backend of the same preference. */
  static async create(local: ComputeBackend, preference: BackendPreference, threads: number): Promise<ParallelBackend> {
    const slots = await Promise.all(
      Array.from({ length: threads - 1 }, async () => {
        const worker = new Worker(workerScript(import.meta.url, 'population-worker'), { workerData: { preference } });
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        });
        worker.unref(); // an idle worker never keeps the process alive
        return { worker, flag: new SharedArrayBuffer(4), losses: new SharedArrayBuffer(8 * 4096) };
      }),
    );
    return new ParallelBackend(local, slots);
  }

  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation {
    return this.local.evaluate(layout, params, data);
  }

  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation {
    return this.local.lossAndGradient(layout, params, batch, grad);
  }

  populationLosses(scoring: CandidateBatch): void {
    const { layout, base, varying, candidates, count, batch, out } = scoring;
    const shares = Math.min(this.slots.length + 1, Math.floor(count / 2));
    if (shares < 2 || count * batch.rows < MIN_PARALLEL_WORK || count > 4096) {
      this.local.populationLosses(scoring);
      return;
    }
    const dv = varyingSize(layout, varying);
    const features = layout.sizes[0];
    this.base = sharedFloat32(this.base, base.length);
    new Float32Array(this.base).set(base);
    this.candidates = sharedFloat32(this.candidates, count * dv);
    new Float32Array(this.candidates).set(candidates.subarray(0, count * dv));
    this.x = sharedFloat32(this.x, batch.rows * features);
    new Float32Array(this.x).set(batch.x.subarray(0, batch.rows * features));
    this.y = sharedFloat32(this.y, batch.rows);
    new Int32Array(this.y).set(batch.y.subarray(0, batch.rows));

    // Contiguous shares; the calling thread takes the first.
    const bounds = Array.from({ length: shares + 1 }, (_, s) => Math.round((s * count) / shares));
    const started: { slot: WorkerSlot; from: number; to: number }[] = [];
    for (let s = 1; s < shares; s++) {
      const slot = this.slots[s - 1];
      const from = bounds[s];
      const to = bounds[s + 1];
      Atomics.store(new Int32Array(slot.flag), 0, 0);
      const job: PopulationJob = {
        sizes: layout.sizes,
        activation: layout.activation,
        varying,
        base: this.base,
        candidates: this.candidates,
        candidateOffset: from * dv,
        candidateSize: dv,
        count: to - from,
        x: this.x,
        y: this.y,
        rows: batch.rows,
        losses: slot.losses,
        flag: slot.flag,
      };
      slot.worker.postMessage(job);
      started.push({ slot, from, to });
    }
    this.local.populationLosses({ ...scoring, count: bounds[1], out: out.subarray(0, bounds[1]) });
    for (const { slot, from, to } of started) {
      const flag = new Int32Array(slot.flag);
      while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
      if (Atomics.load(flag, 0) === 2) throw new Error('a population worker failed to score its candidates');
      out.set(new Float64Array(slot.losses, 0, to - from), from);
    }
  }

  /** Stops the workers (they are unref'ed, so this is only needed to free them early). */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
