// Waiting on AppApi events in tests without sleeping: records every event from the moment
// of subscribing and resolves a wait as soon as a recorded event matches.

import type { AppApi, AppEvent } from '../../src-shared/api.ts';

export class EventLog {
  readonly events: AppEvent[] = [];
  private waiters: { match: (e: AppEvent) => boolean; resolve: (e: AppEvent) => void }[] = [];
  readonly unsubscribe: () => void;

  constructor(api: Pick<AppApi, 'subscribe'>) {
    this.unsubscribe = api.subscribe((event) => this.push(event));
  }

  push(event: AppEvent): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /** The first event (already seen or still to come) that matches. */
  next(match: (e: AppEvent) => boolean): Promise<AppEvent> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves when run `runId` reaches `status`. */
  status(runId: number, status: string): Promise<AppEvent> {
    return this.next((e) => e.type === 'run-status' && e.run.id === runId && e.run.status === status);
  }

  /** Resolves at the first progress event of `runId` at or after `epoch`. */
  progress(runId: number, epoch: number): Promise<AppEvent> {
    return this.next((e) => e.type === 'run-progress' && e.progress.runId === runId && e.progress.epoch >= epoch);
  }
}
