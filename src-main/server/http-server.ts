// Web mode: the AppApi over HTTP + WebSocket, and the built renderer as static files.
//   POST /api/<method>   JSON request body -> 200 { "result": ... } or { "error": ApiErrorBody }
//   GET  /api/events     WebSocket; every AppEvent as one JSON text message
//   GET  /api/health     { "ok": true, "version": ... }
//   GET  /*              the renderer (when a renderer folder is given)
// Bound to 127.0.0.1 by default. Bound to any other address, every request must carry the
// token (Authorization: Bearer <token>, ?token=<token>, or the cookie set by a page loaded
// with ?token=); a token shorter than MIN_TOKEN_LENGTH is refused at start. In every mode,
// and for the WebSocket too: the Host header must name this server (loopback names, and when
// bound elsewhere the bound address, this machine's names and addresses, and --allow-host
// names), so a DNS-rebinding page cannot reach it; and a request that carries an Origin must
// come from this server's own origin, so a page on another site, or on another port of this
// host (which would carry the token cookie), is refused.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type AppApi, isApiMethod } from '../../src-shared/api.ts';
import { ApiError, type ApiErrorCode, toApiError } from '../../src-shared/api-errors.ts';
import { isLoopback, MIN_TOKEN_LENGTH } from './loopback.ts';
import { serveStatic } from './static-files.ts';

export interface HttpServerOptions {
  readonly api: AppApi;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required unless host is a loopback address; at least MIN_TOKEN_LENGTH characters. */
  readonly token: string | null;
  /** Extra names the Host header may carry (a DNS name or a reverse proxy's), beyond this machine's. */
  readonly allowedHosts?: readonly string[];
  /** Folder of the built renderer, or null. */
  readonly rendererDir: string | null;
  readonly version: string;
  /** Largest accepted request body (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  database: 503,
  internal: 500,
};

const TOKEN_COOKIE = 'evolab_token';

export { isLoopback, MIN_TOKEN_LENGTH };

/** The host name of a Host header, without port and IPv6 brackets, lower case. */
function hostOf(header: string): string {
  const withoutPort = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '');
  return withoutPort.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Names a request's Host may carry when the server is bound to `bound`. */
function acceptedHostNames(bound: string, extra: readonly string[]): (name: string) => boolean {
  const names = new Set(extra.map((h) => hostOf(h)));
  if (!isLoopback(bound)) {
    names.add(hostOf(bound));
    const machine = hostname().toLowerCase();
    names.add(machine);
    names.add(`${machine}.local`);
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return (name) => isLoopback(name) || names.has(name);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

function sendError(response: ServerResponse, error: ApiError): void {
  // After refusing an oversized body, close the connection rather than read the rest.
  if (error.code === 'too_large') response.setHeader('connection', 'close');
  sendJson(response, STATUS[error.code], { error: error.toBody() });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null; // a malformed cookie counts as none
    }
  }
  return null;
}

/** The request's path and query, taken literally ("//x" is a path, not a host); null if malformed. */
function requestUrl(request: IncomingMessage): URL | null {
  const target = request.url ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return null;
  }
}

/** Reads a JSON body of at most `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new ApiError('too_large', `request body is ${declared} bytes; the limit is ${limit}`, 'body'));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new ApiError('too_large', `request body is over the limit of ${limit} bytes`, 'body'));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({});
        return;
      }
      try {
        resolve(JSON.parse(text) as unknown);
      } catch (error) {
        reject(new ApiError('invalid_input', `body: invalid JSON (${(error as Error).message})`, 'body'));
      }
    });
    request.on('error', reject);
  });
}

export function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { api, token, rendererDir } = options;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  if (!isLoopback(options.host) && token === null) {
    return Promise.reject(new ApiError('invalid_input', `binding to ${options.host} (not loopback) requires a token`, '--host'));
  }
  if (token !== null && token.length < MIN_TOKEN_LENGTH) {
    return Promise.reject(
      new ApiError(
        'invalid_input',
        `the token has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (leave --token out to get a random one)`,
        '--token',
      ),
    );
  }
  const hostAccepted = acceptedHostNames(options.host, options.allowedHosts ?? []);
  let port = options.port;

  /** Null when the request may proceed, else the error to answer with. */
  function guard(request: IncomingMessage, url: URL): ApiError | null {
    const host = request.headers.host ?? '';
    if (!hostAccepted(hostOf(host))) return new ApiError('forbidden', `host ${JSON.stringify(host)} is not this server (see evolab serve --allow-host)`);
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return new ApiError('forbidden', `requests from ${origin} are not allowed`);
    if (token !== null) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? cookie(request, TOKEN_COOKIE) ?? '');
      if (!sameSecret(given, token)) return new ApiError('unauthorized', 'missing or wrong token (printed by `evolab serve` at start)');
    }
    return null;
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, method: string): Promise<void> {
    if (method === 'health' && request.method === 'GET') {
      sendJson(response, 200, { ok: true, version: options.version });
      return;
    }
    if (request.method !== 'POST') throw new ApiError('invalid_input', `use POST for /api/${method}`, 'method');
    if (!isApiMethod(method)) throw new ApiError('not_found', `no API method ${JSON.stringify(method)}`, 'method');
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) throw new ApiError('invalid_input', 'expected Content-Type: application/json', 'content-type');
    const body = await readBody(request, limit);
    const handler = api[method] as (request: unknown) => Promise<unknown>;
    const result = await handler.call(api, body);
    sendJson(response, 200, { result });
  }

  const server = createServer((request, response) => {
    const url = requestUrl(request);
    if (url === null) {
      sendError(response, new ApiError('invalid_input', 'malformed request path', 'path'));
      return;
    }
    const refused = guard(request, url);
    if (refused !== null) {
      sendError(response, refused);
      request.resume();
      return;
    }
    if (token !== null && url.searchParams.get('token') === token) {
      response.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/')) {
      handleApi(request, response, url.pathname.slice(5)).catch((error: unknown) => {
        const apiError = toApiError(error);
        if (apiError.code === 'internal') process.stderr.write(`evolab serve: internal error: ${apiError.message}\n`);
        sendError(response, apiError);
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, new ApiError('invalid_input', `${request.method ?? ''} is not allowed here`, 'method'));
      return;
    }
    if (rendererDir !== null && serveStatic(rendererDir, request, response, url.pathname)) return;
    sendError(response, new ApiError('not_found', rendererDir === null ? 'no renderer is being served (build it first)' : `no file ${url.pathname}`));
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(request);
    let refused: ApiError | null;
    if (url === null) refused = new ApiError('invalid_input', 'malformed request path');
    else if (url.pathname !== '/api/events') refused = new ApiError('not_found', 'no such socket');
    else refused = guard(request, url);
    if (refused !== null || url === null) {
      const code = refused?.code ?? 'invalid_input';
      socket.end(`HTTP/1.1 ${STATUS[code]} ${code}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const unsubscribe = api.subscribe((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      });
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
      ws.send(JSON.stringify({ type: 'hello', version: options.version }));
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ApiError('invalid_input', `port ${options.port} is already in use`, '--port') : error);
    });
    server.listen(options.port, options.host, () => {
      port = (server.address() as AddressInfo).port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const client of sockets.clients) client.terminate();
            sockets.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
