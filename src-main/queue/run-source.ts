// Where the scheduler gets its runs. The local source is the embedded queue: this process
// holds the database's service lock and starts waiting runs in priority then FIFO order. The
// distributed source (distributed/pg-boss-source.ts) takes runs from a job queue library
// shared by any number of workers. The scheduler does the rest the same way for both: job
// processes, batched writes of their results, cancel, storage trouble.

import type { RunSummary } from '../../src-shared/api.ts';
import type { Store } from '../store/contract.ts';

export interface RunSource {
  /**
   * Takes over what this process owns at start; returns how many runs it found left running
   * by a process that is gone (they become interrupted and resume from their checkpoints).
   */
  open(): Promise<number>;
  close(): Promise<void>;
  /** Up to `count` runs due to start now, in start order, none of `exclude` (already starting here). */
  next(count: number, exclude: ReadonlySet<number>): Promise<RunSummary[]>;
  /**
   * Marks the run running for this process, inside the scheduler's launch transaction;
   * false when it is no longer there to take (cancelled, held, taken by another worker).
   */
  claim(run: RunSummary, now: string): Promise<boolean>;
  /**
   * The run's job ended here. `final`: its status is settled (done, failed, cancelled);
   * otherwise it is interrupted and should resume, here or elsewhere.
   */
  release(runId: number, final: boolean): Promise<void>;
}

/** The embedded queue: one process per database runs it (store/service-lock.ts). */
export class LocalRunSource implements RunSource {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async open(): Promise<number> {
    await this.store.acquireServiceLock();
    return await this.store.transaction(() => this.store.runs.interruptRunning());
  }

  async close(): Promise<void> {
    await this.store.releaseServiceLock();
  }

  async next(count: number, exclude: ReadonlySet<number>): Promise<RunSummary[]> {
    const waiting = await this.store.runs.waiting(count + exclude.size);
    return waiting.filter((run) => !exclude.has(run.id)).slice(0, count);
  }

  async claim(run: RunSummary, now: string): Promise<boolean> {
    await this.store.runs.markRunning(run.id, now);
    return true;
  }

  async release(): Promise<void> {
    // Nothing to hand back: the run's status in the database is the whole story.
  }
}
