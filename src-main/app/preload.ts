// The preload bridge: exposes the AppApi to the renderer as window.evolab, one wrapper per
// method (ipcRenderer itself is never exposed), and the event subscription. Built as
// CommonJS because sandboxed preloads cannot be ES modules; it may load only `electron`, so
// everything else it uses is bundled (api-client.ts loads the method names, not the schemas).

import { contextBridge, ipcRenderer } from 'electron';
import type { AppApi, AppEvent } from '../../src-shared/api.ts';
import { apiClient } from '../../src-shared/api-client.ts';
import { ApiError, type ApiErrorBody } from '../../src-shared/api-errors.ts';

const bridge: AppApi = apiClient(
  async (method, request) => {
    const answer = (await ipcRenderer.invoke(`evolab:${method}`, request)) as { result?: unknown; error?: ApiErrorBody };
    if (answer.error !== undefined) throw ApiError.fromBody(answer.error);
    return answer.result;
  },
  (listener) => {
    const handler = (_event: unknown, event: AppEvent): void => listener(event);
    ipcRenderer.on('evolab:event', handler);
    return () => ipcRenderer.removeListener('evolab:event', handler);
  },
);

contextBridge.exposeInMainWorld('evolab', bridge);
