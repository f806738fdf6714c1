// The Electron main process: one window (context isolation, sandbox, no Node in the renderer,
// a strict Content-Security-Policy), the AppApi served over IPC (one handler per method, every
// request validated by the service), the queue run in utilityProcess jobs, the database in the
// user-data folder, and a single-instance lock. Electron-only: no test loads this file.

import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { API_REQUESTS, type ApiMethod } from '../../src-shared/api.ts';
import { toApiError } from '../../src-shared/api-errors.ts';
import { boot, type Services } from '../services/boot.ts';
import { UtilityJobHost } from './utility-job-host.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

let services: Services | null = null;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Evolab',
    webPreferences: { preload: join(import.meta.dirname, '../preload/preload.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
    services = boot({ databasePath: join(app.getPath('userData'), 'evolab.db'), host: new UtilityJobHost() });
    services.start();
    const api = services.service;
    for (const method of Object.keys(API_REQUESTS) as ApiMethod[]) {
      ipcMain.handle(`evolab:${method}`, async (_event, request: unknown) => {
        try {
          return { result: await (api[method] as (r: unknown) => Promise<unknown>).call(api, request) };
        } catch (error) {
          return { error: toApiError(error).toBody() };
        }
      });
    }
    api.subscribe((event) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send('evolab:event', event);
    });
    createWindow();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (services === null) return;
    event.preventDefault();
    const stopping = services;
    services = null;
    void stopping.shutdown().finally(() => app.quit());
  });
}
