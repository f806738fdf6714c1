// The `webgpu` compute backend: the ComputeBackend contract, answered by the WGSL kernels on a
// WebGPU device that lives on a thread of its own (device-worker.ts). Each call posts one
// request and blocks on an Atomics flag until the device thread has posted the answer, which
// is then taken synchronously from the port (receiveMessageOnPort); the same technique as the
// population threads of parallel-backend.ts. Row losses are summed here in float64, row by
// row, as the JS backend sums them, so only the float32 products differ between the two.

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { workerScript } from '../../../files/worker-script.ts';
import type { MlpLayout } from '../../model/mlp.ts';
import type { Batch, CandidateBatch, ComputeBackend, Evaluation } from '../backend.ts';
import { varyingSize } from '../backend.ts';
import { adapterLabel, type AdapterDescription } from './adapter.ts';
import type { DeviceWorkerData, DeviceWorkerHello, OpenWindowRequest, WebGpuHost } from './device-worker.ts';
import { type KernelAnswer, type KernelRequest, kernelResponseSchema, type NetworkShape } from './requests.ts';

export type { WebGpuHost } from './device-worker.ts';

/** A call that takes longer than this is taken for a lost device (a crashed browser, a hung driver). */
const CALL_TIMEOUT_MS = 10 * 60_000;

export type WebGpuStart = { readonly backend: WebGpuBackend; readonly reason: null } | { readonly backend: null; readonly reason: string };

export class WebGpuBackend implements ComputeBackend {
  readonly name: string;
  readonly adapter: AdapterDescription;
  private readonly flag: Int32Array;
  private readonly worker: Worker;
  private readonly port: MessagePort;

  private constructor(worker: Worker, port: MessagePort, flag: SharedArrayBuffer, hello: { readonly ready: AdapterDescription; readonly where: string }) {
    this.worker = worker;
    this.port = port;
    this.flag = new Int32Array(flag);
    this.adapter = hello.ready;
    this.name = `webgpu (${adapterLabel(hello.ready)}, ${hello.where})`;
  }

  /**
   * Opens a device on `host`; null with the reason when there is none (no adapter, no
   * Chromium, or only a software adapter when `hardwareOnly`). A 'window' host calls
   * `openWindow` with the page the app must load in a hidden window.
   */
  static async create(options: { host: WebGpuHost; hardwareOnly: boolean; openWindow?: (url: string) => void }): Promise<WebGpuStart> {
    const flag = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const data: DeviceWorkerData = { host: options.host, hardwareOnly: options.hardwareOnly, requests: port2, flag };
    const worker = new Worker(workerScript(import.meta.url, 'device-worker'), { workerData: data, transferList: [port2] });
    const hello = await new Promise<DeviceWorkerHello>((resolve) => {
      const onMessage = (message: DeviceWorkerHello | OpenWindowRequest): void => {
        if ('openWindow' in message) {
          if (options.openWindow === undefined) resolve({ failed: 'no way to open a window for WebGPU here' });
          else options.openWindow(message.openWindow);
          return;
        }
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => resolve({ failed: `the WebGPU device thread failed: ${error.message}` }));
      worker.once('exit', (code) => resolve({ failed: `the WebGPU device thread exited (code ${code})` }));
    });
    if ('failed' in hello) {
      port1.close();
      await worker.terminate();
      return { backend: null, reason: hello.failed };
    }
    worker.unref();
    port1.unref();
    return { backend: new WebGpuBackend(worker, port1, flag, hello), reason: null };
  }

  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation {
    const answer = this.call({ op: 'evaluate', shape: shapeOf(layout), params: params.slice(), ...rowsOf(layout, data) });
    return { loss: sumInOrder(answer.rowLosses, 0, data.rows) / data.rows, accuracy: answer.correct / data.rows };
  }

  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation {
    const answer = this.call({ op: 'gradient', shape: shapeOf(layout), params: params.slice(), ...rowsOf(layout, batch) });
    grad.set(answer.grad.subarray(0, grad.length));
    return { loss: sumInOrder(answer.rowLosses, 0, batch.rows) / batch.rows, accuracy: answer.correct / batch.rows };
  }

  populationLosses(scoring: CandidateBatch): void {
    const { layout, base, varying, candidates, count, batch, out } = scoring;
    const dv = varyingSize(layout, varying);
    const answer = this.call({
      op: 'population',
      shape: shapeOf(layout),
      first: varying.first,
      last: varying.last,
      base: base.slice(),
      candidates: candidates.slice(0, count * dv),
      count,
      ...rowsOf(layout, batch),
    });
    for (let c = 0; c < count; c++) out[c] = sumInOrder(answer.rowLosses, c * batch.rows, batch.rows) / batch.rows;
  }

  /** Closes the device (and the browser hosting it). */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // unref'ed while idle; keep the process up until the browser is closed
    this.worker.postMessage('close');
    await exited;
  }

  private call(request: KernelRequest): KernelAnswer {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(request);
    const started = Date.now();
    while (Atomics.load(this.flag, 0) === 0) {
      if (Atomics.wait(this.flag, 0, 0, 1000) === 'timed-out' && Date.now() - started > CALL_TIMEOUT_MS) {
        throw new Error(`the WebGPU device did not answer within ${CALL_TIMEOUT_MS / 60_000} minutes`);
      }
    }
    const received = receiveMessageOnPort(this.port);
    if (received === undefined) throw new Error('the WebGPU device thread signalled an answer but none arrived');
    const response = kernelResponseSchema.parse(received.message);
    if (response.op === 'error') throw new Error(`WebGPU: ${response.message}`);
    return response;
  }
}

function shapeOf(layout: MlpLayout): NetworkShape {
  return { sizes: layout.sizes, activation: layout.activation };
}

/**
 * The batch's rows only, copied: a Batch often views the whole data set, and posting a view
 * would clone all of its buffer.
 */
function rowsOf(layout: MlpLayout, batch: Batch): { x: Float32Array; y: Int32Array; rows: number } {
  return { x: batch.x.slice(0, batch.rows * layout.sizes[0]), y: batch.y.slice(0, batch.rows), rows: batch.rows };
}

function sumInOrder(values: Float32Array, from: number, count: number): number {
  let sum = 0;
  for (let i = from; i < from + count; i++) sum += values[i];
  return sum;
}
