// The AppApi over HTTP + WebSocket: typed errors naming the field for every kind of bad
// request with the database left unchanged, downsampled series, live events, the token on
// non-loopback addresses, loopback Host/Origin checks, and no file outside the renderer
// folder whatever the path says.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent } from '../../src-shared/api.ts';
import { boot, type Services } from '../services/boot.ts';
import { type RunningServer, startHttpServer } from './http-server.ts';

const iris = {
  dataset: { name: 'iris' },
  optimizer: { type: 'adam', lr: 0.01 },
  training: { batch_size: 16, max_epochs: 100000 },
};

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A raw HTTP request: the path goes out exactly as written (fetch would normalise "..") */
function raw(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function call(
  port: number,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply & { json: { result?: unknown; error?: { code: string; field?: string; message: string } } }> {
  const text = JSON.stringify(body);
  return raw(port, `/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text }).then((r) => ({
    ...r,
    json: JSON.parse(r.body) as { result?: unknown; error?: { code: string; field?: string; message: string } },
  }));
}

describe('AppApi over HTTP on loopback', () => {
  let services: Services;
  let server: RunningServer;
  let port: number;
  const renderer = mkdtempSync(join(tmpdir(), 'evolab-renderer-'));
  const outside = join(renderer, '..', `secret-${process.pid}.txt`);

  beforeAll(async () => {
    services = await boot({ databasePath: join(mkdtempSync(join(tmpdir(), 'evolab-http-')), 'evolab.db') });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Evolab</title>');
    mkdirSync(join(renderer, 'assets'));
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("evolab")');
    writeFileSync(outside, 'TOP SECRET');
    symlinkSync(outside, join(renderer, 'assets', 'link.txt'));
    server = await startHttpServer({ api: services.service, host: '127.0.0.1', port: 0, token: null, rendererDir: renderer, version: 'test' });
    port = server.port;
  });

  afterAll(async () => {
    await server.close();
    await services.shutdown();
  });

  async function snapshot() {
    const { store } = services;
    return {
      integrity: await store.integrityCheck(),
      experiments: await store.experiments.count(),
      runs: await store.runs.count(),
      metrics: await store.metrics.count(),
      checkpoints: await store.checkpoints.count(),
    };
  }

  it('creates, lists and reads experiments', async () => {
    const created = await call(port, 'createExperiment', { config: iris, runs: 3, tags: ['http'], name: 'over http' });
    expect(created.status).toBe(200);
    expect(created.json.result).toMatchObject({ id: 1, name: 'over http', runsTotal: 3, status: 'pending', tags: ['http'] });
    const listed = await call(port, 'listExperiments', { tags: ['http'] });
    expect(listed.json.result).toMatchObject({ total: 1 });
    const runs = await call(port, 'listRuns', { experimentId: 1 });
    expect((runs.json.result as { items: { seed: number }[] }).items.map((r) => r.seed)).toEqual([0, 1, 2]);
  });

  it('answers every kind of bad input with a typed error naming the field, and changes nothing', async () => {
    const before = await snapshot();
    const cases: [string, unknown, number, string, string | undefined][] = [
      ['createExperiment', { config: { ...iris, optimizer: { type: 'adam', lr: 'fast' } } }, 400, 'invalid_input', 'config.optimizer.lr'],
      ['createExperiment', { config: { ...iris, optimizer: { type: 'lbfgs' } } }, 400, 'invalid_input', 'config.optimizer.type'],
      ['createExperiment', { config: iris, runs: 0 }, 400, 'invalid_input', 'runs'],
      ['getExperiment', { id: 4242 }, 404, 'not_found', undefined],
      ['getExperiment', { id: 'one' }, 400, 'invalid_input', 'id'],
      ['listExperiments', { sort: { by: 'colour' } }, 400, 'invalid_input', 'sort.by'],
      ['listExperiments', { limit: -5 }, 400, 'invalid_input', 'limit'],
      ['listExperiments', { status: ['sleeping'] }, 400, 'invalid_input', 'status[0]'],
      ['listExperiments', { createdFrom: 'yesterday' }, 400, 'invalid_input', 'createdFrom'],
      ['listExperiments', { sort: { by: 'metric' } }, 400, 'invalid_input', 'sort.metric'],
      ['listExperiments', { colour: 'red' }, 400, 'invalid_input', 'colour'],
      ['getRunMetrics', { runId: 1, names: ['accuracy'] }, 400, 'invalid_input', 'names[0]'],
      ['getRunMetrics', { runId: 999 }, 404, 'not_found', undefined],
      ['cancelRun', { runId: 999 }, 404, 'not_found', undefined],
      ['retryRun', { runId: 1 }, 409, 'conflict', 'runId'],
      ['moveRun', { runId: 1, to: 'sideways' }, 400, 'invalid_input', 'to'],
      ['setSlots', { slots: 0 }, 400, 'invalid_input', 'slots'],
      ['dropDatabase', {}, 404, 'not_found', 'method'],
    ];
    for (const [method, body, status, code, field] of cases) {
      const reply = await call(port, method, body);
      expect({ method, status: reply.status, code: reply.json.error?.code, field: reply.json.error?.field }).toEqual({ method, status, code, field });
      expect(reply.json.error?.message.length).toBeGreaterThan(5);
    }
    const badJson = await raw(port, '/api/listExperiments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"limit": ' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).error).toMatchObject({ code: 'invalid_input', field: 'body' });
    const notJson = await raw(port, '/api/listExperiments', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(JSON.parse(notJson.body).error).toMatchObject({ code: 'invalid_input', field: 'content-type' });
    const huge = await call(port, 'createExperiment', { config: iris, notes: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatchObject({ code: 'too_large', field: 'body' });
    expect(await snapshot()).toEqual(before);
  });

  it('returns metric series downsampled on the server', async () => {
    const { store } = services;
    await store.transaction(async () => {
      for (let epoch = 1; epoch <= 100_000; epoch++) await store.metrics.insertEpoch(1, epoch, { val_loss: 1 / epoch });
    });
    const reply = await call(port, 'getRunMetrics', { runId: 1, names: ['val_loss'], maxPoints: 1000 });
    const [series] = (reply.json.result as { series: { totalPoints: number; points: [number, number][] }[] }).series;
    expect(series.totalPoints).toBe(100_000);
    expect(series.points).toHaveLength(1000);
    expect(series.points[0]).toEqual([1, 1]);
    expect(series.points[999]).toEqual([100_000, 1e-5]);
  });

  it('pushes events over the WebSocket', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`);
    const events: AppEvent[] = [];
    const hello = new Promise((resolve) => socket.once('message', resolve));
    const experiment = new Promise<AppEvent>((resolve) => {
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as AppEvent;
        events.push(event);
        if (event.type === 'experiment') resolve(event);
      });
    });
    await hello;
    await call(port, 'createExperiment', { config: iris, name: 'announced' });
    expect(await experiment).toMatchObject({ type: 'experiment', experiment: { name: 'announced' } });
    socket.close();
  });

  it('refuses a foreign Host (DNS rebinding) and API calls from another origin', async () => {
    const rebound = await raw(port, '/api/health', { headers: { host: 'evil.example:80' } });
    expect(rebound.status).toBe(403);
    const crossSite = await call(port, 'listExperiments', {}, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const sameSite = await call(port, 'listExperiments', {}, { origin: `http://127.0.0.1:${port}` });
    expect(sameSite.status).toBe(200);
  });

  it('serves the renderer and nothing outside it', async () => {
    expect((await raw(port, '/')).body).toContain('<title>Evolab</title>');
    expect((await raw(port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await raw(port, '/experiments/3')).body).toContain('<title>Evolab</title>'); // client-side route
    const attacks = [
      `/../secret-${process.pid}.txt`,
      `/%2e%2e/secret-${process.pid}.txt`,
      `/..%2fsecret-${process.pid}.txt`,
      `/%2e%2e%2fsecret-${process.pid}.txt`,
      `/assets/../../secret-${process.pid}.txt`,
      `/assets/%2e%2e/%2e%2e/secret-${process.pid}.txt`,
      `/..%5csecret-${process.pid}.txt`,
      '/assets/link.txt',
      '/%00',
      '/index.html%00.js',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/../../../../../../etc/passwd',
      '/%E0%A4%A',
    ];
    for (const path of attacks) {
      const reply = await raw(port, path);
      expect({ path, leaked: reply.body.includes('TOP SECRET') || reply.body.includes('root:') }).toEqual({ path, leaked: false });
      // Either "not found" or, for extension-less paths, the app's own index.html.
      const answer = reply.status === 404 ? 'not found' : reply.body.includes('<title>Evolab</title>') ? 'index.html' : reply.body;
      expect({ path, answer }).toEqual({ path, answer: answer === 'index.html' ? 'index.html' : 'not found' });
    }
  });
});

describe('AppApi over HTTP on a non-loopback address', () => {
  it('requires a token to start, and on every request and socket', async () => {
    const services = await boot({ databasePath: ':memory:' });
    await expect(startHttpServer({ api: services.service, host: '0.0.0.0', port: 0, token: null, rendererDir: null, version: 'test' })).rejects.toMatchObject({
      code: 'invalid_input',
      field: '--host',
    });
    const token = 'a-long-random-token-for-this-test';
    const server = await startHttpServer({ api: services.service, host: '0.0.0.0', port: 0, token, rendererDir: null, version: 'test' });
    try {
      const port = server.port;
      expect((await call(port, 'listExperiments', {})).json.error?.code).toBe('unauthorized');
      expect((await call(port, 'listExperiments', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await call(port, 'listExperiments', {}, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await raw(port, '/api/health')).status).toBe(401);
      const page = await raw(port, `/api/health?token=${token}`);
      expect(page.status).toBe(200);
      const cookie = String(page.headers['set-cookie']).split(';')[0];
      expect((await raw(port, '/api/health', { headers: { cookie } })).status).toBe(200);
      // A malformed cookie is no token, and does not take the server down.
      expect((await raw(port, '/api/health', { headers: { cookie: 'evolab_token=%E0%A4%A' } })).status).toBe(401);
      expect((await call(port, 'listExperiments', {}, { authorization: `Bearer ${token}` })).status).toBe(200);

      const refused = new WebSocket(`ws://127.0.0.1:${port}/api/events`);
      const status = await new Promise<number>((resolve) =>
        refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(-1)),
      );
      expect(status).toBe(401);
      const accepted = new WebSocket(`ws://127.0.0.1:${port}/api/events?token=${token}`);
      const hello = await new Promise<string>((resolve) => accepted.once('message', (data) => resolve(String(data))));
      expect(JSON.parse(hello)).toMatchObject({ type: 'hello' });
      accepted.close();
    } finally {
      await server.close();
      await services.shutdown();
    }
  });

  it('refuses an empty or short token at start', async () => {
    const services = await boot({ databasePath: ':memory:' });
    try {
      for (const token of ['', 'short-token-15ch']) {
        const length = token.length;
        await expect(
          startHttpServer({ api: services.service, host: '0.0.0.0', port: 0, token: token.slice(0, 15), rendererDir: null, version: 'test' }),
        ).rejects.toMatchObject({
          code: 'invalid_input',
          field: '--token',
          message: `the token has ${Math.min(length, 15)} characters; at least 16 are needed (leave --token out to get a random one)`,
        });
      }
    } finally {
      await services.shutdown();
    }
  });

  it('checks Host and Origin with a token too, the WebSocket included', async () => {
    const services = await boot({ databasePath: ':memory:' });
    const token = 'a-long-random-token-for-this-test';
    const server = await startHttpServer({
      api: services.service,
      host: '0.0.0.0',
      port: 0,
      token,
      allowedHosts: ['evolab.lab.example'],
      rendererDir: null,
      version: 'test',
    });
    const auth = { authorization: `Bearer ${token}` };
    try {
      const port = server.port;
      // A DNS-rebinding page names its own host: refused even with the token (e.g. from a cookie).
      expect((await raw(port, '/api/health', { headers: { ...auth, host: `evil.example:${port}` } })).status).toBe(403);
      expect((await raw(port, '/api/health', { headers: { ...auth, host: `evolab.lab.example:${port}` } })).status).toBe(200);
      // A page on another port of this host carries the cookie, but not this origin.
      const cookie = `evolab_token=${token}`;
      const crossPort = await call(port, 'listExperiments', {}, { cookie, origin: 'http://127.0.0.1:9999' });
      expect([crossPort.status, crossPort.json.error?.code]).toEqual([403, 'forbidden']);
      expect((await call(port, 'listExperiments', {}, { cookie, origin: `http://127.0.0.1:${port}` })).status).toBe(200);
      const socketStatus = (headers: Record<string, string>) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events`, { headers });
        return new Promise<number>((resolve) => {
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('error', () => resolve(-1));
        });
      };
      expect(await socketStatus({ cookie, origin: 'http://127.0.0.1:9999' })).toBe(403);
      expect(await socketStatus({ cookie, origin: `http://127.0.0.1:${port}` })).toBe(101);
    } finally {
      await server.close();
      await services.shutdown();
    }
  });
});
