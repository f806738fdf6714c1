// Serves the WebGPU device page (device-page.ts) on 127.0.0.1 under a random path, and takes
// the WebSocket it opens back. A browser (headless Chromium, chromium-host.ts) or a hidden
// Electron window (the desktop app) loads the page; over the socket it says which adapter it
// got, then answers binary KernelRequests. Running from the sources (the CLI), the page's
// modules are served type-stripped with zod through an import map; in the built app, the page
// is electron-vite's bundle out/renderer/webgpu-device.html (no inline script, so the app's
// Content-Security-Policy holds).

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AdapterDescription } from './adapter.ts';
import { decodeMessage, encodeMessage, type KernelRequest, type KernelResponse, kernelResponseSchema } from './requests.ts';

/** A WebGPU device in a page: its adapter, a request at a time, and closing. */
export interface RemoteDevice {
  readonly adapter: AdapterDescription;
  run(request: KernelRequest): Promise<KernelResponse>;
}

export interface DevicePageServer {
  /** The page to load: http://127.0.0.1:PORT/TOKEN/... */
  readonly url: string;
  /** Resolves when the page has connected and opened its adapter (rejects with its reason). */
  device(timeoutMs: number, pageErrors?: () => readonly string[]): Promise<RemoteDevice>;
  close(): Promise<void>;
}

const helloSchema = z.union([
  z.object({
    ready: z.object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), software: z.boolean() }),
  }),
  z.object({ failed: z.string() }),
]);

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_MODULE = /^[a-z-]+\.ts$/;
const BUILT_ASSET = /^assets\/[\w.-]+\.js$/;

/** out/renderer of the build, found from the bundled module (out/main or out/main/chunks). */
function builtRendererDir(): string | null {
  for (const candidate of [join(here, '../renderer'), join(here, '../../renderer')]) {
    if (existsSync(join(candidate, 'webgpu-device.html'))) return candidate;
  }
  return null;
}

function sourcePageHtml(prefix: string): string {
  const imports = { zod: `${prefix}/zod/index.js` };
  return `<!doctype html><meta charset="utf-8"><title>Evolab WebGPU device</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module" src="${prefix}/webgpu/device-page.ts"></script>`;
}

interface Asset {
  readonly file: string;
  readonly type: string;
  readonly strip: boolean;
}

/** The file a request path (after the token) names, or null: nothing outside the page's own files. */
function resolveAsset(path: string, built: string | null, zodRoot: string): Asset | null {
  if (built !== null) {
    if (path === 'webgpu-device.html') return { file: join(built, path), type: 'text/html; charset=utf-8', strip: false };
    return BUILT_ASSET.test(path) ? { file: join(built, path), type: 'text/javascript; charset=utf-8', strip: false } : null;
  }
  const [kind, ...rest] = path.split('/');
  const name = rest.join('/');
  if (kind === 'webgpu' && PAGE_MODULE.test(name)) return { file: join(here, name), type: 'text/javascript; charset=utf-8', strip: true };
  if (kind === 'zod' && extname(name) === '.js') {
    const file = normalize(join(zodRoot, name));
    return file.startsWith(zodRoot + sep) ? { file, type: 'text/javascript; charset=utf-8', strip: false } : null;
  }
  return null;
}

export async function startDevicePageServer(): Promise<DevicePageServer> {
  const fromSources = import.meta.url.endsWith('.ts');
  const built = fromSources ? null : builtRendererDir();
  if (!fromSources && built === null) throw new Error('the WebGPU device page is missing from this build (out/renderer/webgpu-device.html)');
  const token = randomBytes(16).toString('hex');
  const prefix = `/${token}`;
  const zodRoot = fromSources ? dirname(createRequire(import.meta.url).resolve('zod/package.json')) : '';
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (fromSources && path === `${prefix}/`) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sourcePageHtml(prefix));
      return;
    }
    const asset = path.startsWith(`${prefix}/`) ? resolveAsset(path.slice(prefix.length + 1), built, zodRoot) : null;
    if (asset === null) {
      response.writeHead(404).end();
      return;
    }
    try {
      const source = readFileSync(asset.file, 'utf8');
      response.writeHead(200, { 'content-type': asset.type }).end(asset.strip ? stripTypeScriptTypes(source) : source);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const sockets = new WebSocketServer({ server, path: `${prefix}/ws` });
  const connected = new Promise<WebSocket>((resolve) => sockets.once('connection', resolve));
  return {
    url: `http://127.0.0.1:${port}${prefix}/${fromSources ? '' : 'webgpu-device.html'}`,
    device: async (timeoutMs, pageErrors = () => []) => {
      const why = (what: string) => () => `${what} (${pageErrors().join('; ') || 'no error reported'})`;
      const socket = await withTimeout(connected, timeoutMs, why('the WebGPU page did not connect'));
      const hello = helloSchema.parse(JSON.parse(String(await withTimeout(nextMessage(socket), timeoutMs, why('the WebGPU page did not answer')))));
      if ('failed' in hello) throw new Error(hello.failed);
      return { adapter: hello.ready, run: serialRunner(socket) };
    },
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One request at a time over the socket (the page answers in order). */
function serialRunner(socket: WebSocket): (request: KernelRequest) => Promise<KernelResponse> {
  let queue: Promise<unknown> = Promise.resolve();
  return (request) => {
    const answer = queue.then(async (): Promise<KernelResponse> => {
      if (socket.readyState !== socket.OPEN) return { op: 'error', message: 'the WebGPU page is gone' };
      const reply = nextMessage(socket);
      socket.send(encodeMessage(request));
      const frame = await reply;
      if (!(frame instanceof Buffer)) return { op: 'error', message: 'the WebGPU page answered with text, not a frame' };
      return kernelResponseSchema.parse(decodeMessage(frame));
    });
    queue = answer.catch(() => undefined);
    return answer.catch((error: unknown) => ({ op: 'error', message: (error as Error).message }));
  };
}

/** The socket's next message, or a rejection when it closes first. */
function nextMessage(socket: WebSocket): Promise<Buffer | string> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer, binary: boolean): void => {
      socket.off('close', onClose);
      resolve(binary ? data : data.toString('utf8'));
    };
    const onClose = (): void => {
      socket.off('message', onMessage);
      reject(new Error('the WebGPU page closed its connection'));
    };
    socket.once('message', onMessage);
    socket.once('close', onClose);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, reason: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(reason())), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
