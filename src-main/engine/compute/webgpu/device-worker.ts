// The WebGPU device thread of webgpu-backend.ts. WebGPU answers asynchronously, while the
// engine's ComputeBackend contract is synchronous; so the engine's thread posts each request
// here and blocks on an Atomics flag, and this thread, whose event loop stays free, runs the
// request on its device and posts the answer back. The device: Dawn for Node; a headless
// Chromium page; or, in the desktop app, a hidden Electron window that the main process opens
// on the device page when this thread asks (through the job process, { openWindow: url }).

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { adapterLabel, type AdapterDescription, describeAdapter } from './adapter.ts';
import { startChromiumDevice } from './chromium-host.ts';
import { startDevicePageServer } from './device-page-server.ts';
import type { Gpu } from './gpu-types.ts';
import { WebGpuKernels } from './kernels.ts';
import { type KernelRequest, kernelRequestSchema, type KernelResponse } from './requests.ts';

export type WebGpuHost = { readonly kind: 'dawn' } | { readonly kind: 'chromium'; readonly executablePath: string } | { readonly kind: 'window' };

export interface DeviceWorkerData {
  readonly host: WebGpuHost;
  /** Refuse a software adapter (what `auto` asks). */
  readonly hardwareOnly: boolean;
  readonly requests: MessagePort;
  /** Int32 set to 1 when an answer has been posted. */
  readonly flag: SharedArrayBuffer;
}

/** Last message on the parent port before requests flow: the device is ready, or why not. */
export type DeviceWorkerHello = { readonly ready: AdapterDescription; readonly where: string } | { readonly failed: string };
/** Asks the job process to have the app open a hidden window on the device page. */
export interface OpenWindowRequest {
  readonly openWindow: string;
}

interface Device {
  readonly adapter: AdapterDescription;
  readonly where: string;
  run(request: KernelRequest): Promise<KernelResponse>;
  close(): Promise<void>;
}

/** Dawn instances in use (see openDawn). */
const keptAlive = new Set<Gpu>();

async function openDawn(): Promise<Device> {
  let module: { create(flags: string[]): Gpu; globals: object };
  try {
    module = (await import(/* optional dependency */ 'webgpu' as string)) as typeof module;
  } catch (error) {
    throw new Error(`the webgpu package (Dawn for Node) is not installed or does not load (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
  Object.assign(globalThis, module.globals);
  // Dawn's instance lives only as long as the object create() returns is referenced: the
  // device keeps it (see `instance` below). Dropped, the garbage collector frees the instance
  // under a live device and the process dies of a segmentation fault at the next dispatch
  // (seen on an NVIDIA H200 through Vulkan).
  const instance = module.create([]);
  keptAlive.add(instance);
  const adapter = await instance.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('Dawn for Node found no WebGPU adapter (no Vulkan, Metal or Direct3D 12 driver it can use)');
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const kernels = await WebGpuKernels.create(device);
  return {
    adapter: describeAdapter(adapter.info, adapter.isFallbackAdapter === true),
    where: 'Dawn for Node',
    run: (request) => kernels.run(request).catch((error: unknown): KernelResponse => ({ op: 'error', message: (error as Error).message })),
    close: () => {
      device.destroy();
      keptAlive.delete(instance);
      return Promise.resolve();
    },
  };
}

async function openChromium(executablePath: string): Promise<Device> {
  const remote = await startChromiumDevice({ executablePath });
  return { adapter: remote.adapter, where: 'headless Chromium', run: (request) => remote.run(request), close: () => remote.close() };
}

async function openWindow(ask: (url: string) => void): Promise<Device> {
  const server = await startDevicePageServer();
  try {
    ask(server.url);
    const remote = await server.device(60_000);
    return { adapter: remote.adapter, where: 'Electron window', run: (request) => remote.run(request), close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

const parent = parentPort;
if (parent === null) throw new Error('device-worker.ts must run as a worker thread');
const data = workerData as DeviceWorkerData;
const flag = new Int32Array(data.flag);

let device: Device | null = null;
try {
  const ask = (url: string): void => parent.postMessage({ openWindow: url } satisfies OpenWindowRequest);
  device = data.host.kind === 'dawn' ? await openDawn() : data.host.kind === 'chromium' ? await openChromium(data.host.executablePath) : await openWindow(ask);
  if (data.hardwareOnly && device.adapter.software) {
    throw new Error(`the only WebGPU adapter is a software one (${adapterLabel(device.adapter)}), slower than the CPU backends`);
  }
  parent.postMessage({ ready: device.adapter, where: device.where } satisfies DeviceWorkerHello);
} catch (error) {
  await device?.close();
  parent.postMessage({ failed: (error as Error).message } satisfies DeviceWorkerHello);
  process.exit(0);
}
const opened: Device = device;

// The backend asks us to close: the browser (or Dawn's device) goes with us.
parent.on('message', () => {
  void opened.close().finally(() => process.exit(0));
});

data.requests.on('message', (message: unknown) => {
  const parsed = kernelRequestSchema.safeParse(message);
  const answer: Promise<KernelResponse> = parsed.success
    ? opened.run(parsed.data)
    : Promise.resolve({
        op: 'error',
        message: `a malformed WebGPU request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      });
  void answer.then((response) => {
    const transfer = response.op === 'answer' ? [response.rowLosses.buffer, response.grad.buffer] : [];
    data.requests.postMessage(response, transfer.filter((buffer, i) => transfer.indexOf(buffer) === i) as ArrayBuffer[]);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
