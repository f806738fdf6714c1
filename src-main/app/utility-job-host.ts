// JobHost over Electron's utilityProcess: the desktop app's job processes, carrying the same
// messages as the Node child_process adapter (queue/fork-job-host.ts). Electron-only.

import { join } from 'node:path';
import { utilityProcess } from 'electron';
import type { JobHandle, JobHost, JobListener } from '../queue/job-host.ts';
import { jobMessageSchema, type StartJob } from '../queue/job-messages.ts';

/** Built by electron-vite as a second main-process entry (electron.vite.config.ts). */
const JOB_ENTRY = join(import.meta.dirname, 'job-entry.js');
const STDERR_KEEP = 4000;

export class UtilityJobHost implements JobHost {
  start(job: StartJob, listener: JobListener): JobHandle {
    const child = utilityProcess.fork(JOB_ENTRY, [], { stdio: 'pipe', serviceName: `evolab run ${job.runId}` });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('message', (raw: unknown) => {
      const parsed = jobMessageSchema.safeParse(raw);
      listener.onMessage(parsed.success ? parsed.data : null, parsed.success ? undefined : parsed.error.message);
    });
    let exited = false;
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      listener.onExit({ code, signal: null, stderr: stderr.trim() });
    });
    child.on('spawn', () => child.postMessage(job));
    return {
      pid: child.pid,
      kill: () => {
        if (!exited) child.kill();
      },
    };
  }
}
