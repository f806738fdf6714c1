// The Electron main process: one window (context isolation, sandbox, no Node in the renderer,
// a strict Content-Security-Policy), the AppApi served over IPC (one handler per method, every
// request validated by the service), the queue run in utilityProcess jobs, the database in the
// user-data folder, and a single-instance lock. Electron-only: no test loads this file.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { API_METHODS } from '../../src-shared/api-methods.ts';
import { toApiError } from '../../src-shared/api-errors.ts';
import { SERVING_BUSY_TIMEOUT_MS, boot, type Services } from '../services/boot.ts';
import { UtilityJobHost } from './utility-job-host.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

let services: Services | null = null;

/**
 * The store the app opens: $EVOLAB_DB (a file or a postgres:// URL), else the first line of
 * `database-url` in the app's data folder (where a lab's shared PostgreSQL URL is kept, so
 * the password is in neither the command line nor the logs), else evolab.db there.
 */
function appDatabase(): string {
  const fromEnv = process.env.EVOLAB_DB?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const urlFile = join(app.getPath('userData'), 'database-url');
  if (existsSync(urlFile)) {
    const url = readFileSync(urlFile, 'utf8').split('\n')[0].trim();
    if (url !== '') return url;
  }
  return join(app.getPath('userData'), 'evolab.db');
}

/** Report PDFs by Chromium's own printToPDF: the report HTML in a hidden, script-less window. */
async function printToPdf(html: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'evolab-report-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const window = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, javascript: false } });
  try {
    await window.loadFile(file);
    return await window.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    window.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

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

// WebGPU for the jobs' device windows: Chromium enables it by default on Windows and macOS,
// on Linux only with this switch (Vulkan drivers).
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-unsafe-webgpu');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  void app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
    services = await boot({
      databasePath: appDatabase(),
      host: new UtilityJobHost(),
      renderPdf: printToPdf,
      busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS,
    });
    await services.start();
    const api = services.service;
    for (const method of API_METHODS) {
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
