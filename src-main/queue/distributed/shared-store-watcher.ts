// On a shared store the runs train in workers' processes, whose run events a UI process
// (`serve`, the desktop app) never receives. This watcher reads the queue from the store once
// a second and publishes a run-status event for every run that appeared, changed status,
// moved to another worker or stored a new epoch, on the same port the local scheduler
// publishes on, so the UI (and the study service of this process) follow as they do locally.

import type { RunSummary } from '../../../src-shared/api.ts';
import type { Store } from '../../store/contract.ts';
import type { RunEventPort } from '../run-events.ts';

export interface SharedStoreWatcherOptions {
  readonly store: Store;
  readonly events: RunEventPort;
  readonly log: (line: string) => void;
  readonly intervalMs?: number;
}

/** What of a run a UI shows changing: its status, its worker, its progress. */
function fingerprint(run: RunSummary): string {
  return `${run.status}:${run.workerId ?? '-'}:${run.epoch}:${run.attempts}`;
}

export class SharedStoreWatcher {
  private readonly options: SharedStoreWatcherOptions;
  private readonly seen = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private first = true;

  constructor(options: SharedStoreWatcherOptions) {
    this.options = options;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 1000);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { runs } = this.options.store;
      const current = [...(await runs.running()), ...(await runs.waiting(1000)), ...(await runs.recentlyFinished(50))];
      for (const run of current) {
        const print = fingerprint(run);
        if (this.seen.get(run.id) === print) continue;
        this.seen.set(run.id, print);
        // The first look only learns what is there: nothing has changed yet.
        if (!this.first) this.options.events.publish({ type: 'run-status', run });
      }
      this.first = false;
      // Forget runs long gone from view, so the map stays small.
      if (this.seen.size > 5000) {
        const ids = new Set(current.map((r) => r.id));
        for (const id of this.seen.keys()) if (!ids.has(id)) this.seen.delete(id);
      }
    } catch (error) {
      this.options.log(`evolab: could not read the shared queue: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
