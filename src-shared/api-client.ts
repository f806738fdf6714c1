// An AppApi client over any transport: one method per entry of API_METHODS, each handing
// (method, request) to `call`. The web client (HTTP) and the Electron preload bridge (IPC)
// are this with their own `call` and `subscribe`. Only the method names are loaded here, so
// the sandboxed preload can bundle it (it cannot load the request schemas).

import type { AppApi, AppEvent } from './api.ts';
import { API_METHODS, type ApiMethod } from './api-methods.ts';

export function apiClient(
  call: (method: ApiMethod, request: unknown) => Promise<unknown>,
  subscribe: (listener: (event: AppEvent) => void) => () => void,
): AppApi {
  const methods = Object.fromEntries(API_METHODS.map((method) => [method, (request: unknown) => call(method, request ?? {})]));
  // Each entry answers what its method answers: `call` returns the service's result as it came.
  return { ...(methods as Omit<AppApi, 'subscribe'>), subscribe };
}
