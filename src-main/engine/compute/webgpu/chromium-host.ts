// A WebGPU device in a headless Chromium, for a Node process without an adapter of its own
// (Dawn for Node finds none on this machine; headless Chromium gives SwiftShader, or the GPU
// where its drivers allow). It serves device-page.ts and its imports on 127.0.0.1 under a random
// path (type-stripped from the sources, zod through an import map), launches the system's
// Chromium with WebGPU enabled, and exchanges binary requests with the page over a WebSocket.
// Runs from the sources (the CLI and `evolab serve`); the built desktop app has no sources and
// answers with a reason instead.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AdapterDescription } from './adapter.ts';
import { decodeMessage, encodeMessage, type KernelRequest, type KernelResponse, kernelResponseSchema } from './requests.ts';

/** Flags for Chromium on a headless machine: WebGPU on, nothing fetched from the network. */
export const CHROMIUM_WEBGPU_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'];

export interface RemoteDevice {
  readonly adapter: AdapterDescription;
  run(request: KernelRequest): Promise<KernelResponse>;
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

function pageHtml(prefix: string): string {
  const imports = { zod: `${prefix}/zod/index.js` };
  return `<!doctype html><meta charset="utf-8"><title>Evolab WebGPU device</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module" src="${prefix}/webgpu/device-page.ts"></script>`;
}

/** The file a request path names, or null: only this folder's modules and zod's files. */
function resolveAsset(path: string, zodRoot: string): { file: string; typescript: boolean } | null {
  const [kind, ...rest] = path.split('/');
  const name = rest.join('/');
  if (kind === 'webgpu' && PAGE_MODULE.test(name)) return { file: join(here, name), typescript: true };
  if (kind === 'zod' && name.endsWith('.js')) {
    const file = normalize(join(zodRoot, name));
    return file.startsWith(zodRoot + sep) ? { file, typescript: false } : null;
  }
  return null;
}

export async function startChromiumDevice(options: { executablePath: string; timeoutMs?: number }): Promise<RemoteDevice> {
  if (!import.meta.url.endsWith('.ts')) throw new Error('the headless-Chromium WebGPU host runs from the sources only (the CLI), not from the built app');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const token = randomBytes(16).toString('hex');
  const prefix = `/${token}`;
  const zodRoot = dirname(createRequire(import.meta.url).resolve('zod/package.json'));
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === `${prefix}/`) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(prefix));
      return;
    }
    const asset = path.startsWith(`${prefix}/`) ? resolveAsset(path.slice(prefix.length + 1), zodRoot) : null;
    if (asset === null) {
      response.writeHead(404).end();
      return;
    }
    try {
      const source = readFileSync(asset.file, 'utf8');
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(asset.typescript ? stripTypeScriptTypes(source) : source);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const sockets = new WebSocketServer({ server, path: `${prefix}/ws` });
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    sockets.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    const connected = new Promise<WebSocket>((resolve) => sockets.once('connection', resolve));
    browser = await chromium.launch({ executablePath: options.executablePath, args: CHROMIUM_WEBGPU_ARGS });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}${prefix}/`);
    const socket = await withTimeout(connected, timeoutMs, () => `the WebGPU page did not connect (${pageErrors.join('; ') || 'no error reported'})`);
    const hello = helloSchema.parse(
      JSON.parse(String(await withTimeout(nextMessage(socket), timeoutMs, () => `the WebGPU page did not answer (${pageErrors.join('; ') || 'no error'})`))),
    );
    if ('failed' in hello) throw new Error(hello.failed);
    let queue: Promise<unknown> = Promise.resolve();
    const run = (request: KernelRequest): Promise<KernelResponse> => {
      const answer = queue.then(async (): Promise<KernelResponse> => {
        if (socket.readyState !== socket.OPEN) return { op: 'error', message: 'the Chromium WebGPU page is gone' };
        const reply = nextMessage(socket);
        socket.send(encodeMessage(request));
        const frame = await reply;
        if (!(frame instanceof Buffer)) return { op: 'error', message: 'the WebGPU page answered with text, not a frame' };
        return kernelResponseSchema.parse(decodeMessage(frame));
      });
      queue = answer.catch(() => undefined);
      return answer.catch((error: unknown) => ({ op: 'error', message: (error as Error).message }));
    };
    return { adapter: hello.ready, run, close };
  } catch (error) {
    await close();
    throw error;
  }
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
      reject(new Error('the Chromium WebGPU page closed its connection'));
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
