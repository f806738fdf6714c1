// The queue scheduler: starts waiting runs in job processes while slots are free (priority,
// then first-in first-out), turns the jobs' messages into database writes, and decides what
// became of each run when its process ends. It is the only code that writes job results.
//
// Writes are batched: messages arriving within `flushMs` of each other are written in one
// transaction (an epoch's metrics, progress and checkpoint always in the same one, so the
// stored epochs and the checkpoint agree after any crash). A run's end (done, failed,
// cancelled) is written at once. Progress events go out after their epoch is committed.
//
// Crash recovery: on start, runs still marked running belong to a process that is gone
// (only one service may hold the queue: store/service-lock.ts); they become `interrupted`
// and start again first in line, from their latest checkpoint.

import type { AppEvent, EpochMetricName, QueueState, RunSummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { Store } from '../store/store.ts';
import type { JobExit, JobHandle, JobHost } from './job-host.ts';
import type { DoneMessage, EpochMessage, JobMessage } from './job-messages.ts';
import { defaultSlots, threadsPerJob } from './slots.ts';

export interface SchedulerOptions {
  readonly host: JobHost;
  /** Slots when the database's queue settings do not set them (default: slots.ts). */
  readonly defaultSlots?: number;
  /** How often to look for runs queued, cancelled or settings changed by other processes (ms). */
  readonly pollMs?: number;
  /** Batching window for job messages (ms). */
  readonly flushMs?: number;
  readonly onEvent?: (event: AppEvent) => void;
}

interface ActiveJob {
  readonly run: RunSummary;
  readonly handle: JobHandle;
  /** Epoch the job started from (checkpoint) and when, for the ETA. */
  readonly startEpoch: number;
  readonly startedAt: number;
  cancelled: boolean;
  /** Being stopped by a service shutdown: the run will resume next time. */
  stopping: boolean;
  done: boolean;
  error: string | null;
  exited: Promise<void>;
}

function now(): string {
  return new Date().toISOString();
}

function describeExit(exit: JobExit): string {
  const how = exit.signal !== null ? `killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
  const lines = exit.stderr.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '...');
  const outOfMemory = lines.find((l) => /out of memory|allocation failed|Cannot allocate memory/i.test(l));
  if (outOfMemory !== undefined) return `job process ran out of memory (${how}): ${outOfMemory.trim()}`;
  const last = lines.slice(-3).join(' | ');
  return `job process ${how}${last ? `: ${last}` : ''}`;
}

export class Scheduler {
  private readonly store: Store;
  private readonly host: JobHost;
  private readonly fallbackSlots: number;
  private readonly pollMs: number;
  private readonly flushMs: number;
  private readonly emit: (event: AppEvent) => void;
  private readonly active = new Map<number, ActiveJob>();
  private writes: { readonly runId: number; readonly write: () => void }[] = [];
  /** Events about the queued writes, sent once they are committed (what a UI shows is stored). */
  private afterCommit: AppEvent[] = [];
  /** Latest checkpoint per run since the last flush (older ones would be replaced anyway). */
  private checkpoints = new Map<number, { epoch: number; state: string }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private running = false;
  private paused = false;
  private slots: number;
  /** Slots for this process only (a --slots flag), over the saved setting. */
  private slotsOverride: number | null = null;

  constructor(store: Store, options: SchedulerOptions) {
    this.store = store;
    this.host = options.host;
    this.fallbackSlots = options.defaultSlots ?? defaultSlots();
    this.pollMs = options.pollMs ?? 1000;
    this.flushMs = options.flushMs ?? 25;
    this.emit = options.onEvent ?? (() => {});
    this.slots = this.fallbackSlots;
  }

  /** Takes the queue of this database, recovers interrupted runs and starts work. */
  start(): { interrupted: number } {
    this.store.acquireServiceLock();
    const interrupted = this.store.transaction(() => this.store.runs.interruptRunning());
    this.running = true;
    this.readSettings();
    this.pollTimer = setInterval(() => this.poll(), this.pollMs);
    this.pollTimer.unref();
    this.tick();
    return { interrupted };
  }

  /** Stops every job (their runs become interrupted and resume next time) and releases the queue. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    const exits: Promise<void>[] = [];
    for (const job of this.active.values()) {
      job.stopping = true;
      job.handle.kill();
      exits.push(job.exited);
    }
    await Promise.all(exits);
    this.flush();
    this.store.releaseServiceLock();
  }

  state(): QueueState {
    this.readSettings();
    const running = this.store.runs.running();
    return {
      paused: this.paused,
      slots: this.slots,
      counts: this.store.runs.statusCounts(),
      running,
      waiting: this.store.runs.waiting(1000),
      finished: this.store.runs.recentlyFinished(50),
    };
  }

  setPaused(paused: boolean): void {
    this.store.transaction(() => this.store.settings.setQueue({ paused }));
    this.readSettings();
    this.emit({ type: 'queue', paused: this.paused, slots: this.slots });
    this.tick();
  }

  setSlots(slots: number): void {
    this.store.transaction(() => this.store.settings.setQueue({ slots }));
    this.readSettings();
    this.emit({ type: 'queue', paused: this.paused, slots: this.slots });
    this.tick();
  }

  /** Process id of a running run's job (for tests and diagnostics). */
  jobPid(runId: number): number | undefined {
    return this.active.get(runId)?.handle.pid;
  }

  /** Slots for as long as this process runs the queue, without changing the saved setting. */
  overrideSlots(slots: number): void {
    this.slotsOverride = slots;
    this.readSettings();
    this.emit({ type: 'queue', paused: this.paused, slots: this.slots });
    this.tick();
  }

  /** Cancels a waiting or running run; a running one's process is killed at once. */
  cancel(runId: number): RunSummary {
    const run = this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    if (run.status !== 'pending' && run.status !== 'running' && run.status !== 'interrupted') {
      throw new ApiError('conflict', `run ${runId} is ${run.status}; only pending, interrupted or running runs can be cancelled`, 'runId');
    }
    const job = this.active.get(runId);
    if (job !== undefined) job.cancelled = true;
    this.flush();
    this.store.transaction(() => {
      this.store.runs.markCancelled(runId, now());
      this.store.checkpoints.deleteForRun(runId);
    });
    job?.handle.kill();
    return this.emitStatus(runId);
  }

  /** A failed, cancelled or interrupted run goes back to the queue and starts from scratch. */
  retry(runId: number): RunSummary {
    const run = this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    if (run.status === 'running' || run.status === 'pending' || run.status === 'done') {
      throw new ApiError('conflict', `run ${runId} is ${run.status}; only failed, cancelled or interrupted runs can be retried`, 'runId');
    }
    this.store.transaction(() => {
      this.store.metrics.deleteForRun(runId);
      this.store.checkpoints.deleteForRun(runId);
      this.store.runs.resetForRetry(runId, now());
    });
    const summary = this.emitStatus(runId);
    this.tick();
    return summary;
  }

  /** Runs of an experiment just created (or changed elsewhere): try to start them. */
  tick(): void {
    if (!this.running || this.paused) return;
    while (this.active.size < this.slots) {
      const [next] = this.store.runs.waiting(1);
      if (next === undefined) return;
      this.launch(next);
    }
  }

  private readSettings(): void {
    const settings = this.store.settings.queue();
    this.paused = settings.paused;
    this.slots = this.slotsOverride ?? settings.slots ?? this.fallbackSlots;
  }

  private poll(): void {
    try {
      this.pollOnce();
    } catch (error) {
      process.stderr.write(`evolab: queue poll failed: ${(error as Error).message}\n`);
    }
  }

  private pollOnce(): void {
    const before = { paused: this.paused, slots: this.slots };
    this.readSettings();
    if (before.paused !== this.paused || before.slots !== this.slots) this.emit({ type: 'queue', paused: this.paused, slots: this.slots });
    // Runs cancelled by another process (e.g. `evolab queue cancel`): stop their jobs.
    for (const [runId, job] of this.active) {
      const status = this.store.runs.get(runId)?.status;
      if (status !== 'running' && !job.cancelled) {
        job.cancelled = true;
        job.handle.kill();
      }
    }
    this.tick();
  }

  private launch(run: RunSummary): void {
    const experiment = this.store.experiments.get(run.experimentId);
    // An interrupted run resumes from its latest checkpoint; a new run may start from one
    // (a population member continuing from its parent's weights).
    const checkpoint = this.store.checkpoints.latest(run.id);
    this.store.transaction(() => {
      if (checkpoint === null) {
        // Starting afresh: drop epochs an interrupted attempt stored after no checkpoint.
        this.store.metrics.deleteForRun(run.id);
        this.store.runs.setProgress(run.id, 0);
      }
      this.store.runs.markRunning(run.id, now());
    });
    const summary = this.emitStatus(run.id);
    let resolveExit = (): void => {};
    const exited = new Promise<void>((resolve) => {
      resolveExit = resolve;
    });
    const job: ActiveJob = {
      run: summary,
      startEpoch: checkpoint?.epoch ?? 0,
      startedAt: performance.now(),
      cancelled: false,
      stopping: false,
      done: false,
      error: null,
      exited,
      handle: this.host.start(
        {
          type: 'start',
          runId: run.id,
          config: experiment?.config ?? null,
          seed: run.seed,
          checkpoint: checkpoint?.state ?? null,
          threads: threadsPerJob(this.slots),
          keepFinalCheckpoint: run.keepCheckpoint,
        },
        {
          onMessage: (message, invalid) => this.onMessage(job, message, invalid),
          onExit: (exit) => {
            this.onExit(job, exit);
            resolveExit();
          },
        },
      ),
    };
    this.active.set(run.id, job);
  }

  private onMessage(job: ActiveJob, message: JobMessage | null, invalid?: string): void {
    if (job.cancelled || job.stopping) return;
    if (message === null) {
      job.error = `job sent an invalid message (${invalid ?? 'unknown'})`;
      job.handle.kill();
      return;
    }
    const runId = job.run.id;
    switch (message.type) {
      case 'started':
        this.queueWrite(runId, () => this.store.runs.recordEnvironment(runId, message));
        break;
      case 'epoch':
        this.onEpoch(job, message);
        break;
      case 'done':
        this.onDone(job, message);
        break;
      case 'error':
        job.error = message.message;
        break;
    }
  }

  private onEpoch(job: ActiveJob, message: EpochMessage): void {
    const runId = job.run.id;
    const values: Partial<Record<EpochMetricName, number>> = {};
    for (const [name, value] of Object.entries(message.metrics)) values[name as EpochMetricName] = value ?? Number.NaN;
    this.queueWrite(runId, () => {
      this.store.metrics.insertEpoch(runId, message.epoch, values);
      this.store.runs.setProgress(runId, message.epoch);
    });
    if (message.checkpoint !== null) this.checkpoints.set(runId, { epoch: message.epoch, state: message.checkpoint });
    const seconds = (performance.now() - job.startedAt) / 1000;
    const perEpoch = seconds / Math.max(1, message.epoch - job.startEpoch);
    this.afterCommit.push({
      type: 'run-progress',
      progress: {
        runId,
        experimentId: job.run.experimentId,
        epoch: message.epoch,
        maxEpochs: job.run.maxEpochs,
        metrics: message.metrics,
        etaSeconds: perEpoch * (job.run.maxEpochs - message.epoch),
      },
    });
  }

  private onDone(job: ActiveJob, message: DoneMessage): void {
    const runId = job.run.id;
    const f = message.final;
    const nan = (v: number | null): number => v ?? Number.NaN;
    const keep = job.run.keepCheckpoint;
    if (!keep) this.checkpoints.delete(runId); // a finished run needs none, unless others start from it
    this.queueWrite(runId, () => {
      this.store.runs.markDone(
        runId,
        {
          time: message.time,
          final: {
            train_loss: nan(f.train_loss),
            train_acc: nan(f.train_acc),
            val_loss: nan(f.val_loss),
            val_acc: nan(f.val_acc),
            test_loss: nan(f.test_loss),
            test_acc: nan(f.test_acc),
          },
          modelEvals: message.modelEvals,
          gradEvals: message.gradEvals,
          epochsRun: message.epochsRun,
          bestEpoch: message.bestEpoch,
          stoppedEarly: message.stoppedEarly,
        },
        now(),
      );
      if (!keep) this.store.checkpoints.deleteForRun(runId);
    });
    this.flush();
    job.done = true;
    this.emitStatus(runId);
  }

  private onExit(job: ActiveJob, exit: JobExit): void {
    const runId = job.run.id;
    this.active.delete(runId);
    this.flush();
    try {
      if (job.stopping) {
        this.store.transaction(() => this.store.runs.interruptRunning());
      } else if (!job.done && !job.cancelled) {
        const reason = job.error ?? describeExit(exit);
        // Unless another process cancelled it meanwhile.
        const failed = this.store.transaction(() => {
          if (this.store.runs.get(runId)?.status !== 'running') return false;
          this.store.runs.markFailed(runId, reason, now());
          return true;
        });
        if (failed) this.emitStatus(runId);
      }
    } catch (error) {
      process.stderr.write(`evolab: could not record the end of run ${runId}: ${(error as Error).message}\n`);
    }
    this.tick();
  }

  private queueWrite(runId: number, write: () => void): void {
    this.writes.push({ runId, write });
    if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
  }

  /** Writes every queued job message in one transaction. */
  private flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.writes.length === 0 && this.checkpoints.size === 0) return;
    const writes = this.writes;
    const checkpoints = this.checkpoints;
    const events = this.afterCommit;
    this.writes = [];
    this.checkpoints = new Map();
    this.afterCommit = [];
    const written = now();
    try {
      this.store.transaction(() => {
        // Only runs still marked running take job results: another process (the CLI) may have
        // cancelled or retried one since its message came in.
        const stillRunning = new Map<number, boolean>();
        const running = (runId: number): boolean => {
          let known = stillRunning.get(runId);
          if (known === undefined) {
            known = this.store.runs.get(runId)?.status === 'running';
            stillRunning.set(runId, known);
          }
          return known;
        };
        for (const { runId, write } of writes) if (running(runId)) write();
        for (const [runId, c] of checkpoints) if (running(runId)) this.store.checkpoints.save(runId, c.epoch, c.state, written);
      });
    } catch (error) {
      // A full disk or a database locked for too long must not take the service down; the
      // jobs' next messages are written when it recovers (their checkpoints make up for gaps).
      process.stderr.write(`evolab: could not store job results: ${(error as Error).message}\n`);
      return;
    }
    for (const event of events) this.emit(event);
  }

  private emitStatus(runId: number): RunSummary {
    const run = this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    this.emit({ type: 'run-status', run });
    return run;
  }
}
