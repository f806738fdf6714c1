// JobHost: how the service starts a job process, whatever the platform. The Node adapter
// (fork-job-host.ts) uses child_process.fork; the Electron adapter (src-main/app/) will use
// utilityProcess.fork. Both run queue/job-entry.ts and carry the same messages.

import type { JobMessage, StartJob } from './job-messages.ts';

export interface JobExit {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: string | null;
  /** What the process wrote to stderr (its start and end when long): why it died. */
  readonly stderr: string;
}

export interface JobListener {
  /** A message the job sent; `invalid` is set (and message is null) when it failed its schema. */
  onMessage(message: JobMessage | null, invalid?: string): void;
  /** The process has ended; called exactly once, after its last message. */
  onExit(exit: JobExit): void;
}

export interface JobHandle {
  readonly pid: number | undefined;
  /** Ends the process at once (SIGKILL); onExit follows. */
  kill(): void;
}

export interface JobHost {
  start(job: StartJob, listener: JobListener): JobHandle;
}
