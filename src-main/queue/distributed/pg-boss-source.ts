// Runs from a job queue shared by every worker of a PostgreSQL store, through pg-boss
// (https://github.com/timgit/pg-boss): each waiting run becomes one pg-boss job (singleton
// key `run-<id>` under the `exclusive` policy: at most one queued or active job per run, so
// any number of workers may publish the same run). A worker fetches jobs for its free slots,
// claims their runs in the store (runs.claim) and touches the jobs it holds; when a worker
// dies (kill -9, power loss, network cut) its jobs miss their heartbeat, pg-boss's monitor
// fails them, and they are retried: another worker fetches the job, claims the run (still
// marked running by the dead worker) and resumes it from its last stored checkpoint.
//
// Why pg-boss rather than graphile-worker: per-job heartbeats with automatic retry (a dead
// worker's run moves on within seconds, where graphile-worker holds a lock for 4 hours),
// priorities, a pull API (fetch N jobs for N free slots) that fits the scheduler, and no
// code generation or task files.
//
// Order: the store keeps the queue order (priority, then position). Workers publish the
// first waiting runs in that order, twice as many as all live workers have slots, so the job
// queue's order (priority, then creation) follows it; a reorder applies to the runs not yet
// published.

import { hostname } from 'node:os';
import { PgBoss } from 'pg-boss';
import type { Job } from 'pg-boss';
import type { RunSummary } from '../../../src-shared/api.ts';
import type { Store } from '../../store/contract.ts';
import type { RunSource } from '../run-source.ts';

export const RUN_QUEUE = 'evolab-runs';

/** How often a worker records that it is alive (for the queue view; claims use pg-boss's own heartbeat). */
const WORKER_BEAT_MS = 5000;

/** Workers that beat this recently count as live when sizing the published window. */
const LIVE_WORKER_MS = 30_000;

export interface PgBossSourceOptions {
  readonly store: Store;
  /** The store's PostgreSQL URL (pg-boss keeps its tables in its own schema there). */
  readonly url: string;
  /** What this worker tells the others about itself (workers table). */
  readonly slots: number;
  readonly backend: string;
  /** A held job whose worker has not touched it for this long is failed and retried elsewhere (>= 10 s, pg-boss's minimum). */
  readonly heartbeatSeconds?: number;
  readonly log: (line: string) => void;
}

interface RunJobData {
  readonly runId: number;
}

export class PgBossRunSource implements RunSource {
  private readonly options: PgBossSourceOptions;
  private readonly boss: PgBoss;
  private readonly heartbeatSeconds: number;
  /** The job behind each run this worker holds. */
  private readonly held = new Map<number, Job<RunJobData>>();
  /** Runs this worker has published, by run id and attempt (a retried run is published again). */
  private readonly published = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  /** This worker's id in the workers table, once open. */
  workerId = 0;
  private lastPublish = 0;

  constructor(options: PgBossSourceOptions) {
    this.options = options;
    this.heartbeatSeconds = Math.max(10, options.heartbeatSeconds ?? 10);
    this.boss = new PgBoss({
      connectionString: options.url,
      max: 4,
      // The monitor fails jobs whose heartbeat lapsed: look often, so a dead worker's run moves on soon.
      monitorIntervalSeconds: 1,
      superviseIntervalSeconds: 1,
      schedule: false,
    });
    this.boss.on('error', (error: Error) => options.log(`evolab: job queue: ${error.message}`));
  }

  /** Registers this worker, starts its heartbeats, and joins (or creates) the job queue. */
  async open(): Promise<number> {
    const store = this.options.store;
    this.workerId = await store.transaction(() =>
      store.workers.register({ host: hostname(), pid: process.pid, slots: this.options.slots, backend: this.options.backend, now: new Date().toISOString() }),
    );
    this.beatTimer = setInterval(() => {
      store.workers.heartbeat(this.workerId, new Date().toISOString()).catch((error: unknown) => {
        this.options.log(`evolab: could not record this worker's heartbeat: ${(error as Error).message}`);
      });
    }, WORKER_BEAT_MS);
    this.beatTimer.unref();
    await this.boss.start();
    if ((await this.boss.getQueue(RUN_QUEUE)) === null) {
      try {
        await this.boss.createQueue(RUN_QUEUE, {
          policy: 'exclusive',
          heartbeatSeconds: this.heartbeatSeconds,
          // A run's job fails only when its worker died or stopped: always retry (resume).
          retryLimit: 1_000_000,
          retryDelay: 0,
          // pg-boss's longest: a run still training after 24 hours is handed to another
          // worker (the first one sees the claim move and stops), resuming from its checkpoint.
          expireInSeconds: 24 * 3600,
        });
      } catch (error) {
        // Another worker created it at the same moment.
        if ((await this.boss.getQueue(RUN_QUEUE)) === null) throw error;
      }
    }
    this.touchTimer = setInterval(() => void this.touchHeld(), (this.heartbeatSeconds * 1000) / 3);
    this.touchTimer.unref();
    return 0;
  }

  async close(): Promise<void> {
    if (this.touchTimer !== null) clearInterval(this.touchTimer);
    if (this.beatTimer !== null) clearInterval(this.beatTimer);
    // Jobs still held (a clean stop with runs in flight): fail them so another worker resumes them now.
    const jobs = [...this.held.values()];
    this.held.clear();
    if (jobs.length > 0)
      await this.boss.fail(
        RUN_QUEUE,
        jobs.map((j) => ({ id: j.id, retryCount: j.retryCount })),
        { reason: 'worker stopped' },
      );
    await this.boss.stop({ graceful: false, close: true });
    await this.options.store.workers.stop(this.workerId, new Date().toISOString());
  }

  async next(count: number, exclude: ReadonlySet<number>): Promise<RunSummary[]> {
    // Publish once a second, or at once when the job queue has nothing for this worker.
    if (performance.now() - this.lastPublish > 1000) await this.publishWaiting();
    let jobs = await this.boss.fetch<RunJobData>(RUN_QUEUE, { batchSize: count, priority: true });
    if (jobs.length === 0 && performance.now() - this.lastPublish > 200) {
      await this.publishWaiting();
      jobs = await this.boss.fetch<RunJobData>(RUN_QUEUE, { batchSize: count, priority: true });
    }
    const runs: RunSummary[] = [];
    for (const job of jobs) {
      const run = typeof job.data?.runId === 'number' ? await this.options.store.runs.get(job.data.runId) : null;
      if (run === null || exclude.has(run.id)) {
        // A run that is gone (purged) or already here: nothing to train for this job.
        await this.boss.complete(RUN_QUEUE, { id: job.id, retryCount: job.retryCount });
        continue;
      }
      this.held.set(run.id, job);
      runs.push(run);
    }
    return runs;
  }

  claim(run: RunSummary, now: string): Promise<boolean> {
    return this.options.store.runs.claim(run.id, this.workerId, now);
  }

  async release(runId: number, final: boolean): Promise<void> {
    // Whatever became of it, a run that waits again later is published again.
    for (const key of this.published) if (key.startsWith(`${runId}:`)) this.published.delete(key);
    const job = this.held.get(runId);
    if (job === undefined) return;
    this.held.delete(runId);
    const attempt = { id: job.id, retryCount: job.retryCount };
    if (final) await this.boss.complete(RUN_QUEUE, attempt);
    else await this.boss.fail(RUN_QUEUE, attempt, { reason: 'interrupted; resumes from its checkpoint' });
  }

  /** Publishes the first waiting runs, in queue order: twice as many as the live workers have slots. */
  private async publishWaiting(): Promise<void> {
    this.lastPublish = performance.now();
    const store = this.options.store;
    const live = await store.workers.list(new Date(Date.now() - LIVE_WORKER_MS).toISOString());
    const slots = live.filter((w) => w.stoppedAt === null).reduce((sum, w) => sum + w.slots, 0);
    const waiting = await store.runs.waiting(2 * Math.max(slots, this.options.slots));
    for (const run of waiting) {
      const key = `${run.id}:${run.queuedAt}`;
      if (this.published.has(key)) continue;
      // One statement per run, in order: pg-boss orders equal priorities by creation time.
      await this.boss.send(RUN_QUEUE, { runId: run.id }, { singletonKey: `run-${run.id}`, priority: run.priority });
      this.published.add(key);
    }
  }

  private async touchHeld(): Promise<void> {
    const jobs = [...this.held.values()];
    if (jobs.length === 0) return;
    try {
      await this.boss.touch(
        RUN_QUEUE,
        jobs.map((j) => ({ id: j.id, retryCount: j.retryCount })),
      );
    } catch (error) {
      this.options.log(`evolab: could not refresh the job queue heartbeat: ${(error as Error).message}`);
    }
  }
}
