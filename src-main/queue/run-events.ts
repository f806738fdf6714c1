// The one port through which the queue announces what became of runs: an epoch stored (after
// its transaction committed, so what a subscriber sees is in the database), a run's status
// changed (started, done, failed, cancelled, interrupted, queued again), the queue's settings
// or storage state changed. The service turns these into the UI's events; the study service
// follows its trials through them. Subscribers cannot break the queue: an exception in one is
// logged and the others still get the event.

import type { RunProgress, RunSummary, StorageProblem } from '../../src-shared/api.ts';

export type RunEvent =
  | { readonly type: 'epoch-stored'; readonly progress: RunProgress }
  | { readonly type: 'run-status'; readonly run: RunSummary }
  | { readonly type: 'queue'; readonly paused: boolean; readonly slots: number; readonly storage: StorageProblem | null };

export type RunEventListener = (event: RunEvent) => void;

export class RunEventPort {
  private readonly listeners = new Set<RunEventListener>();
  private readonly log: (line: string) => void;

  constructor(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.log = log;
  }

  /** Calls `listener` for every event from now on, until the returned function is called. */
  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(`evolab: a run-event subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
