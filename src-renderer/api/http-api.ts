// The AppApi in web mode: every method is a POST to /api/<method> of the server that served
// this page, events come over the /api/events WebSocket (reconnecting when the server comes
// back). Errors come back as ApiErrors, so views can show them beside the field at fault.

import type { AppApi, AppEvent } from '../../src-shared/api.ts';
import { apiClient } from '../../src-shared/api-client.ts';
import type { ApiMethod } from '../../src-shared/api-methods.ts';
import { ApiError, type ApiErrorBody } from '../../src-shared/api-errors.ts';

async function call(method: ApiMethod, request: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  } catch {
    throw new ApiError('internal', 'the Evolab server cannot be reached (is `evolab serve` still running?)');
  }
  const body = (await response.json().catch(() => null)) as { result?: unknown; error?: ApiErrorBody } | null;
  if (body?.error !== undefined) throw ApiError.fromBody(body.error);
  if (!response.ok || body === null) throw new ApiError('internal', `the server answered ${response.status}`);
  return body.result;
}

export function createHttpApi(): AppApi {
  const listeners = new Set<(event: AppEvent) => void>();
  let socket: WebSocket | null = null;
  const connect = (): void => {
    const url = new URL('api/events', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as AppEvent | { type: 'hello' };
      if (event.type === 'hello') return;
      for (const listener of listeners) listener(event);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, 1000);
    };
  };
  return apiClient(call, (listener) => {
    listeners.add(listener);
    if (socket === null) connect();
    return () => listeners.delete(listener);
  });
}

/** The desktop app's bridge when present, else HTTP. */
export function createApi(): AppApi {
  return window.evolab ?? createHttpApi();
}
