// The page of the headless-Chromium WebGPU host (chromium-host.ts): it opens the browser's
// WebGPU adapter, says which one it got over a WebSocket back to the host, then answers each
// binary KernelRequest with the kernels. Runs in the browser (served type-stripped), so it
// reaches the page's globals through the small interface below rather than the DOM library.

import { describeAdapter } from './adapter.ts';
import type { Gpu } from './gpu-types.ts';
import { WebGpuKernels } from './kernels.ts';
import { decodeMessage, encodeMessage, kernelRequestSchema, type KernelResponse } from './requests.ts';

interface PageSocket {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string | Uint8Array): void;
}

interface PageGlobals {
  readonly navigator: { readonly gpu?: Gpu };
  readonly location: { readonly href: string };
  readonly WebSocket: new (url: string) => PageSocket;
}

const page = globalThis as unknown as PageGlobals;
const socket = new page.WebSocket(new URL('ws', page.location.href).href.replace(/^http/, 'ws'));
socket.binaryType = 'arraybuffer';

async function open(): Promise<WebGpuKernels> {
  const gpu = page.navigator.gpu;
  if (gpu === undefined) throw new Error('this Chromium exposes no WebGPU (navigator.gpu is missing; it needs --enable-unsafe-webgpu on Linux)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('Chromium found no WebGPU adapter');
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const kernels = await WebGpuKernels.create(device);
  socket.send(JSON.stringify({ ready: describeAdapter(adapter.info, adapter.isFallbackAdapter === true) }));
  return kernels;
}

const opening = new Promise<void>((resolve) => (socket.onopen = resolve)).then(open);
opening.catch((error: unknown) => socket.send(JSON.stringify({ failed: (error as Error).message })));

// Requests arrive one at a time (the engine waits for each answer), in order.
let previous: Promise<unknown> = Promise.resolve();
socket.onmessage = (event) => {
  previous = previous.then(async () => {
    let response: KernelResponse;
    try {
      const kernels = await opening;
      if (!(event.data instanceof ArrayBuffer)) throw new Error('a WebGPU request must be a binary frame');
      response = await kernels.run(kernelRequestSchema.parse(decodeMessage(new Uint8Array(event.data))));
    } catch (error) {
      response = { op: 'error', message: (error as Error).message };
    }
    socket.send(encodeMessage(response));
  });
};
