// A stand-in for the `electron` module, for tests only: the built main process
// (out/main/main.js) runs under plain Node with this in place of Electron (the binary cannot
// be downloaded here). It implements what Evolab's main process and preload use, faithfully
// enough to fail when they are wrong:
//   - app: whenReady, getPath('userData'), the single-instance lock (a lock file; a second
//     instance signals the first, which gets 'second-instance'), quit with 'before-quit';
//   - BrowserWindow: loadFile runs the window's preload like a sandboxed page would (a
//     `require` that knows only `electron`), with contextBridge and ipcRenderer wired to
//     ipcMain through structured clones; webContents.send; printToPDF by headless Chromium;
//     loadURL opens the page in headless Chromium with the switches appended through
//     app.commandLine (WebGPU) and the response headers the app sets (its CSP), until destroy();
//   - ipcMain.handle, session.defaultSession.webRequest.onHeadersReceived;
//   - utilityProcess.fork: a real Node child process with Electron's process.parentPort
//     (parent-port-shim.ts), so the job program runs its utility-process code path.
// The test drives the "renderer" (what the preload exposed) through this process's IPC
// channel: { standIn: 'call' | 'subscribe' | 'csp' | 'windows', ... }.

import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const userData = process.env.EVOLAB_STANDIN_USERDATA ?? '';
const lockFile = join(userData, 'SingletonLock');
const SHIM = new URL('./parent-port-shim.ts', import.meta.url).href;

type Handler = (event: { sender: WebContents }, ...args: unknown[]) => unknown;
const handlers = new Map<string, Handler>();
/** What each window's preload exposed (the "main world" of its page). */
const exposed = new Map<BrowserWindow, Record<string, unknown>>();
let headersListener:
  ((details: { responseHeaders: Record<string, string[]> }, callback: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | null = null;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class App extends EventEmitter {
  private quitting = false;
  readonly focused: string[] = [];
  /** Chromium switches the app appended (they apply to the pages loadURL opens). */
  readonly switches: string[] = [];
  readonly commandLine = {
    appendSwitch: (name: string, value?: string): void => {
      this.switches.push(value === undefined ? `--${name}` : `--${name}=${value}`);
    },
  };

  whenReady(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`stand-in: getPath(${name}) is not used by Evolab`);
    return userData;
  }

  requestSingleInstanceLock(): boolean {
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, 'utf8'));
      if (alive(pid)) {
        process.kill(pid, 'SIGUSR2'); // the first instance hears of the second
        return false;
      }
      rmSync(lockFile, { force: true });
    }
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    process.on('SIGUSR2', () => this.emit('second-instance', {}, []));
    process.on('exit', () => rmSync(lockFile, { force: true }));
    return true;
  }

  quit(): void {
    if (this.quitting) return;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.quitting = true;
    setImmediate(() => process.exit(0));
  }
}

export const app = new App();

class WebContents extends EventEmitter {
  readonly window: BrowserWindow;
  /** Listeners the preload registered with ipcRenderer.on. */
  readonly rendererListeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();

  constructor(window: BrowserWindow) {
    super();
    this.window = window;
  }

  send(channel: string, ...args: unknown[]): void {
    for (const listener of this.rendererListeners.get(channel) ?? []) listener({}, ...structuredClone(args));
  }

  async printToPDF(options: { pageSize?: string; printBackground?: boolean; preferCSSPageSize?: boolean }): Promise<Buffer> {
    const file = this.window.loaded;
    if (file === null) throw new Error('stand-in: printToPDF before loadFile');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.EVOLAB_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const context = await browser.newContext({ javaScriptEnabled: this.window.options.webPreferences?.javascript !== false });
      const page = await context.newPage();
      await page.goto(`file://${file}`);
      return await page.pdf({
        format: (options.pageSize ?? 'A4') as 'A4',
        printBackground: options.printBackground ?? false,
        preferCSSPageSize: options.preferCSSPageSize ?? false,
      });
    } finally {
      await browser.close();
    }
  }
}

interface WindowOptions {
  readonly show?: boolean;
  readonly webPreferences?: { preload?: string; contextIsolation?: boolean; sandbox?: boolean; nodeIntegration?: boolean; javascript?: boolean };
}

const windows: BrowserWindow[] = [];

/** A sandboxed preload's `require`: only `electron` (what Electron's sandbox allows that Evolab uses). */
function sandboxRequire(window: BrowserWindow) {
  return (name: string): unknown => {
    if (name !== 'electron') throw new Error(`Error: module not found: ${name} (a sandboxed preload can only require electron)`);
    return {
      contextBridge: {
        exposeInMainWorld(key: string, api: unknown) {
          const world = exposed.get(window) ?? {};
          world[key] = api;
          exposed.set(window, world);
        },
      },
      ipcRenderer: {
        async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
          const handler = handlers.get(channel);
          if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
          return structuredClone(await handler({ sender: window.webContents }, ...structuredClone(args)));
        },
        on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
          const set = window.webContents.rendererListeners.get(channel) ?? new Set();
          set.add(listener);
          window.webContents.rendererListeners.set(channel, set);
        },
        removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
          window.webContents.rendererListeners.get(channel)?.delete(listener);
        },
      },
    };
  };
}

export class BrowserWindow extends EventEmitter {
  readonly options: WindowOptions;
  readonly webContents: WebContents;
  loaded: string | null = null;
  /** The headless Chromium of a loadURL page. */
  private browser: { close(): Promise<void> } | null = null;

  constructor(options: WindowOptions = {}) {
    super();
    this.options = options;
    this.webContents = new WebContents(this);
    windows.push(this);
  }

  static getAllWindows(): BrowserWindow[] {
    return [...windows];
  }

  async loadFile(file: string): Promise<void> {
    this.loaded = file;
    const preload = this.options.webPreferences?.preload;
    if (preload === undefined) return;
    // The page loads: the preload runs in its sandbox, as CommonJS.
    const module = { exports: {} };
    try {
      new Function('require', 'module', 'exports', readFileSync(preload, 'utf8'))(sandboxRequire(this), module, module.exports);
    } catch (error) {
      // As in Electron, a failing preload is reported and the page loads without what it exposes.
      process.stderr.write(`stand-in: the preload failed: ${(error as Error).message}\n`);
    }
    // The test hears that the page loaded, and what its preload exposed.
    process.send?.({ standIn: 'page-loaded', exposed: Object.keys(exposed.get(this) ?? {}) });
  }

  focus(): void {
    app.focused.push(this.loaded ?? '');
  }

  /** A real page in headless Chromium, with the app's switches and response headers. */
  async loadURL(url: string): Promise<void> {
    this.loaded = url;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.EVOLAB_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', ...app.switches],
    });
    this.browser = browser;
    const page = await browser.newPage();
    // What the page reports goes to stderr, as Electron prints a window's console there.
    page.on('pageerror', (error) => process.stderr.write(`stand-in: ${url}: ${error.message}\n`));
    page.on('console', (message) => process.stderr.write(`stand-in: ${url}: console.${message.type()}: ${message.text()}\n`));
    // The app's response headers (its CSP), set on the real response as webRequest does
    // (a fulfilled route would lose the loopback address, and Chromium's local-network checks
    // would then refuse the page's WebSocket to 127.0.0.1, which Electron's page may open).
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Fetch.requestPaused', (event: { requestId: string; responseStatusCode?: number; responseHeaders?: { name: string; value: string }[] }) => {
      let headers: Record<string, string[]> = {};
      for (const { name, value } of event.responseHeaders ?? []) headers[name] = [...(headers[name] ?? []), value];
      headersListener?.({ responseHeaders: headers }, (r) => (headers = r.responseHeaders));
      const responseHeaders = Object.entries(headers).flatMap(([name, values]) => values.map((value) => ({ name, value })));
      void cdp
        .send('Fetch.continueResponse', { requestId: event.requestId, responseCode: event.responseStatusCode ?? 200, responseHeaders })
        .catch((e: unknown) => process.stderr.write(`stand-in: continueResponse: ${(e as Error).message}\n`));
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Response' }] });
    await page.goto(url);
  }

  destroy(): void {
    windows.splice(windows.indexOf(this), 1);
    exposed.delete(this);
    void this.browser?.close();
    this.browser = null;
  }
}

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
};

export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(listener: typeof headersListener) {
        headersListener = listener;
      },
    },
  },
};

class UtilityProcess extends EventEmitter {
  private readonly child: ChildProcess;

  constructor(child: ChildProcess) {
    super();
    this.child = child;
    child.on('spawn', () => this.emit('spawn'));
    child.on('message', (message) => this.emit('message', message));
    // Electron gives the exit code only, after the messages the process posted before it exited
    // (Node's 'exit' can come before them; 'close' comes after).
    child.on('close', (code) => this.emit('exit', code ?? 1));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): NodeJS.ReadableStream | null {
    return this.child.stdout;
  }

  get stderr(): NodeJS.ReadableStream | null {
    return this.child.stderr;
  }

  postMessage(message: unknown): void {
    this.child.send(message as object);
  }

  kill(): boolean {
    return this.child.kill();
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: { stdio?: string; serviceName?: string } = {}): UtilityProcess {
    const child = fork(modulePath, args, {
      stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--disable-warning=ExperimentalWarning', '--import', SHIM],
    });
    return new UtilityProcess(child);
  },
};

// ---- the test's control channel --------------------------------------------------------

interface Control {
  readonly standIn: 'call' | 'subscribe' | 'csp' | 'windows';
  readonly id: number;
  readonly method?: string;
  readonly request?: unknown;
}

function mainWindowApi(): Record<string, (request: unknown) => Promise<unknown>> & { subscribe(l: (e: unknown) => void): () => void } {
  const window = windows.find((w) => w.options.webPreferences?.preload !== undefined);
  const api = window === undefined ? undefined : exposed.get(window)?.evolab;
  if (api === undefined) throw new Error('the page has no window.evolab (the preload did not expose it)');
  return api as ReturnType<typeof mainWindowApi>;
}

process.on('message', (raw: unknown) => {
  const control = raw as Control;
  if (control === null || typeof control !== 'object' || control.standIn === undefined) return;
  const reply = (body: object): void => {
    process.send?.({ standIn: 'reply', id: control.id, ...body });
  };
  void (async () => {
    try {
      if (control.standIn === 'call') {
        const api = mainWindowApi();
        const method = api[control.method ?? ''];
        if (typeof method !== 'function') throw new Error(`window.evolab.${control.method} is not a function`);
        reply({ result: await method(control.request) });
      } else if (control.standIn === 'subscribe') {
        mainWindowApi().subscribe((event) => process.send?.({ standIn: 'event', event }));
        reply({ result: true });
      } else if (control.standIn === 'csp') {
        let headers: Record<string, string[]> = {};
        headersListener?.({ responseHeaders: { 'content-type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
        reply({ result: headers });
      } else {
        reply({ result: { windows: windows.map((w) => ({ loaded: w.loaded, preferences: w.options.webPreferences ?? {} })), focused: app.focused } });
      }
    } catch (error) {
      const e = error as Error & { code?: string; field?: string };
      reply({ error: { name: e.name, message: e.message, code: e.code, field: e.field } });
    }
  })();
});
