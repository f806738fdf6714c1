// The preload bridge: exposes the AppApi to the renderer as window.evolab, one wrapper per
// method (ipcRenderer itself is never exposed), and the event subscription. Built as
// CommonJS because sandboxed preloads cannot be ES modules.

import { contextBridge, ipcRenderer } from 'electron';
import type { AppEvent } from '../../src-shared/api.ts';
import { API_METHODS } from '../../src-shared/api-methods.ts';
import { ApiError, type ApiErrorBody } from '../../src-shared/api-errors.ts';

const bridge: Record<string, unknown> = {};
for (const method of API_METHODS) {
  bridge[method] = async (request: unknown): Promise<unknown> => {
    const answer = (await ipcRenderer.invoke(`evolab:${method}`, request)) as { result?: unknown; error?: ApiErrorBody };
    if (answer.error !== undefined) throw new ApiError(answer.error.code, answer.error.message, answer.error.field, answer.error.problems ?? []);
    return answer.result;
  };
}
bridge.subscribe = (listener: (event: AppEvent) => void): (() => void) => {
  const handler = (_event: unknown, event: AppEvent): void => listener(event);
  ipcRenderer.on('evolab:event', handler);
  return () => ipcRenderer.removeListener('evolab:event', handler);
};

contextBridge.exposeInMainWorld('evolab', bridge);
