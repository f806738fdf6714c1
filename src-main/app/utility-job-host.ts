// JobHost over Electron's utilityProcess: the desktop app's job processes, carrying the same
// messages as the Node child_process adapter (queue/fork-job-host.ts). Electron-only. A job
// whose process has no WebGPU adapter may ask for a hidden window on its device page
// (webgpu-window): the window's Chromium then runs the WGSL kernels on the machine's GPU, and
// goes when the job does.

import { join } from 'node:path';
import { BrowserWindow, utilityProcess } from 'electron';
import type { JobHandle, JobHost, JobListener } from '../queue/job-host.ts';
import { jobMessageSchema, type StartJob, webGpuWindowMessageSchema } from '../queue/job-messages.ts';

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
    let deviceWindow: BrowserWindow | null = null;
    child.on('message', (raw: unknown) => {
      const window = webGpuWindowMessageSchema.safeParse(raw);
      if (window.success) {
        deviceWindow?.destroy();
        deviceWindow = openDeviceWindow(window.data.url);
        return;
      }
      const parsed = jobMessageSchema.safeParse(raw);
      listener.onMessage(parsed.success ? parsed.data : null, parsed.success ? undefined : parsed.error.message);
    });
    let exited = false;
    child.on('exit', (code) => {
      deviceWindow?.destroy();
      deviceWindow = null;
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

/** A hidden, sandboxed window on the job's WebGPU device page; never throttled while hidden. */
function openDeviceWindow(url: string): BrowserWindow {
  const window = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, backgroundThrottling: false },
  });
  void window.loadURL(url);
  return window;
}
