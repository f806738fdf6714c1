// Drives the built desktop app under the stand-in Electron (register.ts): forks a main
// bundle with the stand-in loaded, and calls window.evolab in its page over the fork's IPC
// channel. Shared by the app test (out/) and the packaging test (the packed app.asar).
import { type ChildProcess, fork } from 'node:child_process';
import { join, resolve } from 'node:path';

const register = join(resolve(import.meta.dirname), 'register.ts');
export const chromium = process.env.EVOLAB_CHROMIUM ?? '/usr/bin/chromium';

export interface Reply {
  readonly standIn: string;
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: { name: string; message: string; code?: string; field?: string };
  readonly event?: { type: string; run?: { id: number; status: string } };
  readonly exposed?: string[];
}

/** The built main process under the stand-in, and a way to call window.evolab in its page. */
export class App {
  readonly child: ChildProcess;
  /** The main window's page loaded: what its preload exposed. */
  readonly ready: Promise<string[]>;
  readonly exited: Promise<number | null>;
  readonly events: NonNullable<Reply['event']>[] = [];
  readonly called = new Set<string>();
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private eventWaiters: { match: (e: NonNullable<Reply['event']>) => boolean; resolve: () => void }[] = [];

  constructor(userData: string, main: string) {
    this.child = fork(main, [], {
      execArgv: ['--disable-warning=ExperimentalWarning', '--import', register],
      env: { ...process.env, EVOLAB_STANDIN_USERDATA: userData, EVOLAB_CHROMIUM: chromium },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    this.ready = new Promise((done, fail) => {
      this.child.on('message', (raw: Reply) => {
        if (raw.standIn === 'page-loaded') done(raw.exposed ?? []);
        if (raw.standIn === 'reply' && raw.id !== undefined) this.pending.get(raw.id)?.(raw);
        if (raw.standIn === 'event' && raw.event !== undefined) {
          const event = raw.event;
          this.events.push(event);
          this.eventWaiters = this.eventWaiters.filter((w) => !(w.match(event) && (w.resolve(), true)));
        }
      });
      void this.exited.then((code) => fail(new Error(`the app exited (${code}) before its page was ready`)));
    });
  }

  private control(body: object): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((done) => {
      this.pending.set(id, done);
      this.child.send({ ...body, id });
    });
  }

  /** window.evolab[method](request) in the page; rejects with the ApiError's fields. */
  async call<T>(method: string, request: object = {}): Promise<T> {
    this.called.add(method);
    const reply = await this.control({ standIn: 'call', method, request });
    if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), reply.error);
    return reply.result as T;
  }

  async controlResult<T>(standIn: 'subscribe' | 'csp' | 'windows'): Promise<T> {
    return (await this.control({ standIn })).result as T;
  }

  event(match: (e: NonNullable<Reply['event']>) => boolean): Promise<void> {
    if (this.events.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.eventWaiters.push({ match, resolve }));
  }

  async quit(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
