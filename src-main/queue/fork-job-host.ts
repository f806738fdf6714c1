// JobHost over Node's child_process.fork: each job is a Node process running job-entry.ts
// with an IPC channel. stderr is kept (its tail explains crashes: out of memory, native
// aborts); stdout is discarded.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerScript } from '../files/worker-script.ts';
import { jobMessageSchema } from './job-messages.ts';
import type { JobHandle, JobHost, JobListener } from './job-host.ts';
import type { StartJob } from './job-messages.ts';

const STDERR_KEEP = 4000;

export interface ForkJobHostOptions {
  /** Extra Node flags for every job, e.g. ["--max-old-space-size=4096"]. */
  readonly execArgv?: readonly string[];
  /** Extra environment for every job. */
  readonly env?: NodeJS.ProcessEnv;
  /** The job program (default: job-entry.ts beside this file; tests pass the built bundle). */
  readonly entry?: string;
}

export class ForkJobHost implements JobHost {
  private readonly options: ForkJobHostOptions;

  constructor(options: ForkJobHostOptions = {}) {
    this.options = options;
  }

  start(job: StartJob, listener: JobListener): JobHandle {
    const child = fork(this.options.entry ?? fileURLToPath(workerScript(import.meta.url, 'job-entry')), [], {
      execArgv: ['--disable-warning=ExperimentalWarning', ...(this.options.execArgv ?? [])],
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // The first and the last few KB: a fatal error's message comes first, then a long
    // native stack; an exception's message comes last.
    let stderrHead = '';
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderrHead.length < STDERR_KEEP) stderrHead += chunk.slice(0, STDERR_KEEP - stderrHead.length);
      stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP);
    });
    let exited = false;
    const finish = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      const stderr = stderrHead.length < STDERR_KEEP ? stderrHead : `${stderrHead}\n...\n${stderrTail}`;
      listener.onExit({ code, signal, stderr: stderr.trim() });
    };
    child.on('message', (raw: unknown) => {
      const parsed = jobMessageSchema.safeParse(raw);
      if (parsed.success) listener.onMessage(parsed.data);
      else listener.onMessage(null, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    });
    // 'close' comes after the last message and after stdio ends, so the stderr tail is complete.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('error', (error) => {
      stderrTail = `${stderrTail}\n${error.message}`.slice(-STDERR_KEEP);
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) finish(child.exitCode ?? 1, child.signalCode);
    });
    child.send(job);
    return {
      pid: child.pid,
      kill: () => {
        if (!exited) child.kill('SIGKILL');
      },
    };
  }
}
