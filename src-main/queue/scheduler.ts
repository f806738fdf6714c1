// The queue scheduler: starts waiting runs in job processes while slots are free (priority,
// then first-in first-out), turns the jobs' messages into database writes, and decides what
// became of each run when its process ends. It is the only code that writes job results.
//
// Writes are batched: messages arriving within `flushMs` of each other are written in one
// transaction (an epoch's metrics, progress and checkpoint always in the same one, so the
// stored epochs and the checkpoint agree after any crash). A run's end is written at once.
// Progress events go out after their epoch is committed.
//
// Nothing a job sent is dropped because a write failed. A batch that cannot be committed is
// kept, in order, and retried with a bounded backoff; later messages join it. While another
// process holds the write lock the batch simply waits (the connection's busy timeout is a few
// milliseconds, so the event loop, and with it the HTTP API, never freezes). When the storage
// itself fails (disk full, read-only, I/O error) the queue stops by itself with the reason
// visible in its state: running jobs are stopped (everything they sent is kept), no run
// starts, and the kept batch is retried in the background; once it commits, the stopped runs
// become `interrupted` and resume from their checkpoints. A run is marked `done` only in a
// transaction that finds every epoch it reported stored.
//
// Crash recovery: on start, runs still marked running belong to a process that is gone
// (only one service may hold the queue: store/service-lock.ts); they become `interrupted`
// and start again first in line, from their latest checkpoint. A job killed from outside
// (not by a cancel, not out of memory) resumes the same way, a few times at most.
//
// The store is asynchronous, so work that was one synchronous step is now serialised by
// hand: one fill of free slots at a time (fill()), one commit of kept writes at a time
// (flush()); runs being launched count against the slots.

import type { EpochMetricName, QueueState, RunSummary, StorageProblem } from '../../src-shared/api.ts';
import { fromWire, recordFromWire } from '../../src-shared/metric-codec.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { Store } from '../store/contract.ts';
import type { JobExit, JobHandle, JobHost } from './job-host.ts';
import type { DoneMessage, EpochMessage, JobMessage } from './job-messages.ts';
import { oomKillCount } from './oom-kills.ts';
import { type RunEvent, RunEventPort } from './run-events.ts';
import { LocalRunSource, type RunSource } from './run-source.ts';
import { defaultSlots, threadsPerJob } from './slots.ts';

export interface SchedulerOptions {
  readonly host: JobHost;
  /** Where runs come from (default: the local queue, under the database's service lock). */
  readonly source?: RunSource;
  /** Slots when the database's queue settings do not set them (default: slots.ts). */
  readonly defaultSlots?: number;
  /** How often to look for runs queued, cancelled or settings changed by other processes (ms). */
  readonly pollMs?: number;
  /** Batching window for job messages (ms). */
  readonly flushMs?: number;
  /** Longest wait between two tries of a kept batch (ms). */
  readonly maxRetryMs?: number;
  /** Where run and queue events are published (default: a port of its own, see `events`). */
  readonly events?: RunEventPort;
  /** Where problems are logged (default: stderr). */
  readonly log?: (line: string) => void;
}

/** A run whose job was killed from outside resumes at most this many times in all. */
export const MAX_ATTEMPTS_AFTER_KILL = 5;

/** Workers whose heartbeat is this recent are listed in the queue state (ms). */
const WORKERS_SHOWN_MS = 10 * 60_000;

interface ActiveJob {
  readonly run: RunSummary;
  readonly handle: JobHandle;
  /** Epoch the job started from (checkpoint) and when, for the ETA. */
  readonly startEpoch: number;
  readonly startedAt: number;
  /** The kernel's OOM-kill count when the job started (Linux), to word a SIGKILL. */
  readonly oomKillsAtStart: number | null;
  cancelled: boolean;
  /** Being stopped by a service shutdown or a storage failure: the run will resume. */
  stopping: boolean;
  done: boolean;
  error: string | null;
  exited: Promise<void>;
}

/** What to announce once the kept writes are committed: an event, or a run's new status (read then). */
type Announcement = { readonly event: RunEvent } | { readonly statusOf: number };

/** One database write a job message asked for, kept until it is committed. */
interface PendingWrite {
  readonly runId: number;
  readonly write: () => Promise<void>;
}

function now(): string {
  return new Date().toISOString();
}

function describeExit(exit: JobExit, oomKilled: boolean): { reason: string; outOfMemory: boolean } {
  const how = exit.signal !== null ? `killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
  const lines = exit.stderr.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '...');
  const outOfMemory = lines.find((l) => /out of memory|allocation failed|Cannot allocate memory/i.test(l));
  if (outOfMemory !== undefined) return { reason: `job process ran out of memory (${how}): ${outOfMemory.trim()}`, outOfMemory: true };
  if (oomKilled) return { reason: `job process ran out of memory (${how} by the system's out-of-memory killer)`, outOfMemory: true };
  const last = lines.slice(-3).join(' | ');
  return { reason: `job process ${how}${last ? `: ${last}` : ''}`, outOfMemory: false };
}

export class Scheduler {
  private readonly store: Store;
  private readonly host: JobHost;
  private readonly source: RunSource;
  private readonly fallbackSlots: number;
  private readonly pollMs: number;
  private readonly flushMs: number;
  private readonly maxRetryMs: number;
  /** What became of runs (epochs stored, statuses) and of the queue, for every subscriber. */
  readonly events: RunEventPort;
  private readonly log: (line: string) => void;
  private readonly active = new Map<number, ActiveJob>();
  /** Writes not yet committed, in the order their messages came (kept when a commit fails). */
  private writes: PendingWrite[] = [];
  /** Events about the kept writes, sent once they are committed (what a UI shows is stored). */
  private afterCommit: Announcement[] = [];
  /** Latest checkpoint per run not yet committed (older ones would be replaced anyway). */
  private checkpoints = new Map<number, { epoch: number; state: string }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  /** The next try of a kept batch (or of a launch) after a failed commit. */
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = 0;
  /** Since when commits have been failing because the database is busy (logged once). */
  private busySince: number | null = null;
  private busyLogged = false;
  private storage: StorageProblem | null = null;
  private running = false;
  private polling = false;
  private paused = false;
  private slots: number;
  /** Slots for this process only (a --slots flag), over the saved setting. */
  private slotsOverride: number | null = null;
  /** Runs being launched (claimed, not yet in `active`): they hold slots. */
  private readonly launching = new Set<number>();
  /** A fill of free slots is under way; `refill` asks it to look again when it ends. */
  private filling = false;
  private refill = false;
  /** The commit under way, if any (commits never overlap). */
  private flushing: Promise<boolean> | null = null;

  constructor(store: Store, options: SchedulerOptions) {
    this.store = store;
    this.host = options.host;
    this.source = options.source ?? new LocalRunSource(store);
    this.fallbackSlots = options.defaultSlots ?? defaultSlots();
    this.pollMs = options.pollMs ?? 250;
    this.flushMs = options.flushMs ?? 25;
    this.maxRetryMs = options.maxRetryMs ?? 2000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.events = options.events ?? new RunEventPort(this.log);
    this.slots = this.fallbackSlots;
  }

  /** Takes the queue of this database, recovers interrupted runs and starts work. */
  async start(): Promise<{ interrupted: number }> {
    const interrupted = await this.source.open();
    this.running = true;
    await this.readSettings();
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
    this.tick();
    return { interrupted };
  }

  /** Stops every job (their runs become interrupted and resume next time) and releases the queue. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const exits: Promise<void>[] = [];
    for (const job of this.active.values()) {
      job.stopping = true;
      job.handle.kill();
      exits.push(job.exited);
    }
    await Promise.all(exits);
    // A last try; what still cannot be stored is recomputed from the stored checkpoints next
    // time (the runs are still marked running, so the next start interrupts them).
    if (!(await this.flush())) this.log('evolab: results of the last epochs could not be stored; those runs resume from their last stored checkpoint');
    try {
      await this.source.close();
    } catch (error) {
      this.log(`evolab: could not release the queue lock: ${(error as Error).message}`);
    }
  }

  async state(): Promise<QueueState> {
    await this.readSettings();
    const running = await this.store.runs.running();
    return {
      paused: this.paused,
      storage: this.storage,
      slots: this.slots,
      counts: await this.store.runs.statusCounts(),
      stoppedByStudy: await this.store.runs.stoppedByStudyCount(),
      running,
      waiting: await this.store.runs.waiting(1000),
      finished: await this.store.runs.recentlyFinished(50),
      shared: this.store.kind === 'postgres',
      workers: this.store.kind === 'postgres' ? await this.store.workers.list(new Date(Date.now() - WORKERS_SHOWN_MS).toISOString()) : [],
    };
  }

  /** The storage problem that stopped the queue, if any. */
  storageProblem(): StorageProblem | null {
    return this.storage;
  }

  async setPaused(paused: boolean): Promise<void> {
    // Resuming is also how a user says "the disk has room again": try the kept writes now.
    if (!paused && this.storage !== null) this.retryNow();
    await this.store.write(() => this.store.settings.setQueue({ paused }));
    await this.readSettings();
    this.emitQueue();
    this.tick();
  }

  async setSlots(slots: number): Promise<void> {
    await this.store.write(() => this.store.settings.setQueue({ slots }));
    await this.readSettings();
    this.emitQueue();
    this.tick();
  }

  /** Process id of a running run's job (for tests and diagnostics). */
  jobPid(runId: number): number | undefined {
    return this.active.get(runId)?.handle.pid;
  }

  /** Slots for as long as this process runs the queue, without changing the saved setting. */
  async overrideSlots(slots: number): Promise<void> {
    this.slotsOverride = slots;
    await this.readSettings();
    this.emitQueue();
    this.tick();
  }

  /** Cancels a waiting or running run; a running one's process is killed at once. */
  async cancel(runId: number): Promise<RunSummary> {
    const run = await this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    if (run.status !== 'pending' && run.status !== 'running' && run.status !== 'interrupted') {
      throw new ApiError('conflict', `run ${runId} is ${run.status}; only pending, interrupted or running runs can be cancelled`, 'runId');
    }
    const job = this.active.get(runId);
    if (job !== undefined) job.cancelled = true;
    await this.flush(); // epochs already received are kept where possible
    await this.store.write(async () => {
      await this.store.runs.markCancelled(runId, now());
      await this.store.checkpoints.deleteForRun(runId);
    });
    job?.handle.kill();
    return await this.emitStatus(runId);
  }

  /** A failed, cancelled or interrupted run goes back to the queue and starts from scratch. */
  async retry(runId: number): Promise<RunSummary> {
    const run = await this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    if (run.status === 'running' || run.status === 'pending' || run.status === 'done') {
      throw new ApiError('conflict', `run ${runId} is ${run.status}; only failed, cancelled or interrupted runs can be retried`, 'runId');
    }
    if (run.stoppedBy !== null) {
      // Its study decided to stop it and has moved on: a retry would train for nobody.
      throw new ApiError('conflict', `run ${runId} was ${run.stoppedBy} by its study by design; retrying it would train for nobody`, 'runId');
    }
    await this.store.write(async () => {
      await this.store.metrics.deleteForRun(runId);
      await this.store.checkpoints.deleteForRun(runId);
      await this.store.runs.resetForRetry(runId, now());
    });
    const summary = await this.emitStatus(runId);
    this.tick();
    return summary;
  }

  /** Starts waiting runs in free slots, in the background. A database problem delays or stops the queue. */
  tick(): void {
    if (this.filling) {
      this.refill = true;
      return;
    }
    this.filling = true;
    void this.fill().finally(() => {
      this.filling = false;
      if (this.refill) {
        this.refill = false;
        this.tick();
      }
    });
  }

  /** Resolves once the free slots have been filled (for callers that must see runs started). */
  async fillNow(): Promise<void> {
    while (this.filling) await new Promise((resolve) => setImmediate(resolve));
    this.filling = true;
    try {
      await this.fill();
    } finally {
      this.filling = false;
    }
  }

  private async fill(): Promise<void> {
    while (this.running && !this.paused && this.storage === null) {
      const free = this.slots - this.active.size - this.launching.size;
      if (free <= 0) return;
      try {
        const next = await this.source.next(free, new Set([...this.active.keys(), ...this.launching]));
        if (next.length === 0) return;
        let started = 0;
        for (const run of next) {
          if (!this.running || this.paused || this.storage !== null) return;
          if (await this.launch(run)) started++;
        }
        if (started === 0) return;
      } catch (error) {
        this.onWriteFailure(error instanceof ApiError && error.cause !== undefined ? error.cause : error, 'could not start a run');
        return;
      }
    }
  }

  private async readSettings(): Promise<void> {
    try {
      const settings = await this.store.settings.queue();
      this.paused = settings.paused;
      this.slots = this.slotsOverride ?? settings.slots ?? this.fallbackSlots;
    } catch (error) {
      // Reading failed (I/O error): keep the last known settings; a write will say more.
      this.log(`evolab: could not read the queue settings: ${(error as Error).message}`);
    }
  }

  private emitQueue(): void {
    this.events.publish({ type: 'queue', paused: this.paused, slots: this.slots, storage: this.storage });
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // the previous poll is still waiting for the database
    this.polling = true;
    try {
      await this.pollOnce();
    } catch (error) {
      this.log(`evolab: queue poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(): Promise<void> {
    const before = { paused: this.paused, slots: this.slots };
    await this.readSettings();
    if (before.paused !== this.paused || before.slots !== this.slots) this.emitQueue();
    // Runs cancelled by another process (e.g. `evolab queue cancel`, or the UI on another
    // machine when the store is shared): stop their jobs.
    for (const [runId, job] of this.active) {
      const run = await this.store.runs.get(runId);
      const lost = run !== null && this.store.kind === 'postgres' && run.workerId !== job.run.workerId;
      if ((run?.status !== 'running' || lost) && !job.cancelled && !job.stopping) {
        job.cancelled = true;
        job.handle.kill();
      }
    }
    this.tick();
  }

  /** Claims and starts one run; false when it was no longer there to take. */
  private async launch(candidate: RunSummary): Promise<boolean> {
    this.launching.add(candidate.id);
    try {
      const experiment = await this.store.experiments.get(candidate.experimentId);
      // An interrupted run resumes from its latest checkpoint; a new run may start from one
      // (a population member continuing from its parent's weights). Read after the claim, in
      // its transaction: on a shared store another worker may have trained it until now.
      // write(): retried while busy (on a shared store, another worker's claim may conflict).
      const checkpoint = await this.store.write(async () => {
        if (!(await this.source.claim(candidate, now()))) return undefined;
        const latest = await this.store.checkpoints.latest(candidate.id);
        if (latest === null) {
          // Starting afresh: drop epochs an interrupted attempt stored after no checkpoint.
          await this.store.metrics.deleteForRun(candidate.id);
          await this.store.runs.setProgress(candidate.id, 0);
        }
        return latest;
      });
      if (checkpoint === undefined) {
        await this.source.release(candidate.id, true);
        return false;
      }
      const summary = await this.emitStatus(candidate.id);
      this.startJob(summary, experiment?.config ?? null, checkpoint);
      return true;
    } catch (error) {
      // Not started here: hand the run back, so that it is not held by nobody (a shared queue
      // gives it to a worker again; the local queue finds it waiting).
      await this.source
        .release(candidate.id, false)
        .catch((release: unknown) => this.log(`evolab: could not hand run ${candidate.id} back: ${(release as Error).message}`));
      throw error;
    } finally {
      this.launching.delete(candidate.id);
    }
  }

  private startJob(summary: RunSummary, config: unknown, checkpoint: { readonly epoch: number; readonly state: string } | null): void {
    const run = summary;
    let resolveExit = (): void => {};
    const exited = new Promise<void>((resolve) => {
      resolveExit = resolve;
    });
    const job: ActiveJob = {
      run: summary,
      startEpoch: checkpoint?.epoch ?? 0,
      startedAt: performance.now(),
      oomKillsAtStart: oomKillCount(),
      cancelled: false,
      stopping: false,
      done: false,
      error: null,
      exited,
      handle: this.host.start(
        {
          type: 'start',
          runId: run.id,
          config,
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
    for (const [name, value] of Object.entries(message.metrics)) values[name as EpochMetricName] = fromWire(value);
    this.queueWrite(runId, async () => {
      await this.store.metrics.insertEpoch(runId, message.epoch, values);
      await this.store.runs.setProgress(runId, message.epoch);
    });
    if (message.checkpoint !== null) this.checkpoints.set(runId, { epoch: message.epoch, state: message.checkpoint });
    const seconds = (performance.now() - job.startedAt) / 1000;
    const perEpoch = seconds / Math.max(1, message.epoch - job.startEpoch);
    this.afterCommit.push({
      event: {
        type: 'epoch-stored',
        progress: {
          runId,
          experimentId: job.run.experimentId,
          epoch: message.epoch,
          maxEpochs: job.run.maxEpochs,
          metrics: message.metrics,
          etaSeconds: perEpoch * (job.run.maxEpochs - message.epoch),
        },
      },
    });
  }

  private onDone(job: ActiveJob, message: DoneMessage): void {
    const runId = job.run.id;
    const final = recordFromWire(message.final);
    const keep = job.run.keepCheckpoint;
    if (!keep) this.checkpoints.delete(runId); // a finished run needs none, unless others start from it
    this.queueWrite(runId, async () => {
      // Done only with every reported epoch stored: the epochs stored for this run must run
      // without a gap up to the last one the job reported (a run started from a parent's
      // checkpoint stores its own epochs only, so the range may start after epoch 1).
      const stored = await this.store.metrics.epochRange(runId);
      const complete = stored.last === message.epochsRun && stored.first !== null && stored.count === stored.last - stored.first + 1;
      if (!complete) {
        await this.store.runs.markFailed(
          runId,
          `only ${stored.count} of its ${message.epochsRun} epochs are stored (epochs ${stored.first ?? '-'}..${stored.last ?? '-'}); not marked done. Retry it to train it again`,
          now(),
        );
        return;
      }
      await this.store.runs.markDone(
        runId,
        {
          time: message.time,
          final,
          modelEvals: message.modelEvals,
          gradEvals: message.gradEvals,
          epochsRun: message.epochsRun,
          bestEpoch: message.bestEpoch,
          stoppedEarly: message.stoppedEarly,
        },
        now(),
      );
      if (!keep) await this.store.checkpoints.deleteForRun(runId);
    });
    job.done = true;
    this.afterCommit.push({ statusOf: runId });
    void this.flush();
  }

  private onExit(job: ActiveJob, exit: JobExit): void {
    const runId = job.run.id;
    this.active.delete(runId);
    // Settled unless it stops to resume (storage trouble, a service shutdown, killed from outside).
    let final = !job.stopping;
    if (job.stopping) {
      // Stopped because storage failed: after its kept epochs, the run is interrupted and
      // resumes from its last checkpoint once the database can be written again. (At a
      // service shutdown nothing is written: the next start interrupts it.)
      if (this.running) this.queueWrite(runId, () => this.store.runs.markInterrupted(runId, `stopped: ${this.storage?.problem ?? 'storage trouble'}`));
    } else if (!job.done && !job.cancelled) {
      const oomKills = oomKillCount();
      const oomKilled = exit.signal === 'SIGKILL' && job.oomKillsAtStart !== null && oomKills !== null && oomKills > job.oomKillsAtStart;
      const { reason, outOfMemory } = job.error !== null ? { reason: job.error, outOfMemory: false } : describeExit(exit, oomKilled);
      // Killed from outside (no error of its own, not out of memory): resume from the last
      // checkpoint, like a crash of the service, unless it keeps happening.
      const killed = job.error === null && exit.signal !== null && !outOfMemory;
      const resume = killed && job.run.attempts < MAX_ATTEMPTS_AFTER_KILL;
      const attempts = job.run.attempts;
      final = !resume;
      this.queueWrite(runId, async () => {
        if (resume) await this.store.runs.markInterrupted(runId, `${reason}; resuming from its last checkpoint`);
        else await this.store.runs.markFailed(runId, killed ? `${reason} (${attempts} attempts; not resumed again)` : reason, now());
      });
      this.afterCommit.push({ statusOf: runId });
    }
    // The claim is handed back once what the job sent is stored (a shared queue may then give
    // an interrupted run to another worker, which must find every epoch this one stored).
    void this.flush().then(async (stored) => {
      try {
        if (stored || final) await this.source.release(runId, final);
      } catch (error) {
        this.log(`evolab: could not hand run ${runId} back to the queue: ${(error as Error).message}`);
      }
      this.tick();
    });
  }

  private queueWrite(runId: number, write: () => Promise<void>): void {
    this.writes.push({ runId, write });
    if (this.flushTimer === null && this.retryTimer === null) this.flushTimer = setTimeout(() => void this.flush(), this.flushMs);
  }

  /**
   * Writes every kept job message in one transaction. Resolves to whether they are stored
   * (messages arriving meanwhile have their own flush timer); on failure the writes stay kept, in order, and a retry is scheduled.
   * Commits never overlap: a call during one waits for it, then commits what came meanwhile.
   */
  private async flush(): Promise<boolean> {
    while (this.flushing !== null) await this.flushing;
    this.flushing = this.commitKept();
    try {
      return await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async commitKept(): Promise<boolean> {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.writes.length === 0 && this.checkpoints.size === 0) return true;
    // What came in up to now; messages arriving while it commits wait for the next commit.
    const writes = this.writes;
    const checkpoints = this.checkpoints;
    const events = this.afterCommit;
    this.writes = [];
    this.checkpoints = new Map();
    this.afterCommit = [];
    const written = now();
    try {
      await this.store.transaction(async () => {
        // Only runs still marked running (by this worker, on a shared store) take job results:
        // another process (the CLI, the UI elsewhere) may have cancelled or retried one since
        // its message came in.
        const stillRunning = new Map<number, boolean>();
        const running = async (runId: number): Promise<boolean> => {
          let known = stillRunning.get(runId);
          if (known === undefined) {
            known = await this.ownsRun(runId);
            stillRunning.set(runId, known);
          }
          return known;
        };
        for (const { runId, write } of writes) if (await running(runId)) await write();
        for (const [runId, c] of checkpoints) if (await running(runId)) await this.store.checkpoints.save(runId, c.epoch, c.state, written);
      });
    } catch (error) {
      // Keep them, in order, before anything that came meanwhile (a newer checkpoint wins).
      this.writes = [...writes, ...this.writes];
      this.checkpoints = new Map([...checkpoints, ...this.checkpoints]);
      this.afterCommit = [...events, ...this.afterCommit];
      this.onWriteFailure(error instanceof ApiError && error.cause !== undefined ? error.cause : error, 'could not store job results');
      return false;
    }
    this.onWriteSuccess();
    this.announce(events);
    return true;
  }

  /** Whether the run is still running here: marked running, and on a shared store by this worker. */
  private async ownsRun(runId: number): Promise<boolean> {
    const run = await this.store.runs.get(runId);
    if (run === null || run.status !== 'running') return false;
    const job = this.active.get(runId);
    return job === undefined || this.store.kind !== 'postgres' || run.workerId === job.run.workerId;
  }

  /** A commit failed: wait and retry if the database is busy; stop the queue if storage fails. */
  private onWriteFailure(error: unknown, what: string): void {
    const trouble = this.store.trouble(error);
    if (trouble === 'busy') {
      // Normal for a moment (another process's transaction); worth a line when it lasts.
      this.busySince ??= performance.now();
      if (!this.busyLogged && performance.now() - this.busySince > 5000) {
        this.busyLogged = true;
        this.log(`evolab: the database has been busy for 5 s (${this.store.describeTrouble(error)}); ${this.writes.length} write(s) kept and retried`);
      }
    } else if (trouble === 'storage') {
      this.stopForStorage(this.store.describeTrouble(error));
    } else {
      // Not the database's trouble: a bug. Keep going with the writes that can be stored, and
      // fail the runs whose writes cannot (never a run marked done with a gap).
      this.log(`evolab: ${what}: ${(error as Error).message}`);
      this.isolateBadWrites();
      return;
    }
    this.scheduleRetry();
  }

  private onWriteSuccess(): void {
    this.busySince = null;
    this.busyLogged = false;
    this.retryDelay = 0;
    if (this.storage !== null) {
      this.log(`evolab: the database can be written again; the queue resumes (was: ${this.storage.problem})`);
      this.storage = null;
      this.emitQueue();
      this.tick();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || !this.running) return;
    this.retryDelay = Math.min(this.maxRetryMs, this.retryDelay === 0 ? 25 : this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryKeptWrites();
    }, this.retryDelay);
  }

  /** Tries the kept writes again now (a user resumed the queue). */
  private retryNow(): void {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.retryDelay = 0;
    this.retryKeptWrites();
  }

  private retryKeptWrites(): void {
    void this.retryKept().catch((error: unknown) => this.log(`evolab: retrying kept writes failed: ${(error as Error).message}`));
  }

  private async retryKept(): Promise<void> {
    if (this.writes.length > 0 || this.checkpoints.size > 0) {
      if (await this.flush()) this.tick();
      return;
    }
    // Nothing kept (a launch failed): probe with a real write, then start runs again.
    try {
      await this.store.transaction(() => this.store.settings.setQueue({}));
    } catch (error) {
      this.onWriteFailure(error instanceof ApiError && error.cause !== undefined ? error.cause : error, 'could not write to the database');
      return;
    }
    this.onWriteSuccess();
    this.tick();
  }

  /** Storage failed: stop starting runs and stop the running ones; keep everything received. */
  private stopForStorage(problem: string): void {
    if (this.storage !== null) return;
    this.storage = { problem, since: now() };
    this.log(
      `evolab: the queue stopped itself: ${problem}. Running jobs are stopped at their last received epoch; nothing received is lost. It resumes once the database can be written (retried in the background, or: evolab queue resume)`,
    );
    for (const job of this.active.values()) {
      if (job.cancelled || job.done) continue;
      job.stopping = true;
      job.handle.kill();
    }
    this.emitQueue();
  }

  /** Commits the kept writes one run at a time; a run whose writes fail is marked failed. */
  private isolateBadWrites(): void {
    void this.commitRunByRun().catch((error: unknown) => this.log(`evolab: storing results run by run failed: ${(error as Error).message}`));
  }

  private async commitRunByRun(): Promise<void> {
    const runs = [...new Set([...this.writes.map((w) => w.runId), ...this.checkpoints.keys()])];
    const writes = this.writes;
    const checkpoints = this.checkpoints;
    this.writes = [];
    this.checkpoints = new Map();
    for (const runId of runs) {
      try {
        await this.store.transaction(async () => {
          if (!(await this.ownsRun(runId))) return;
          for (const w of writes) if (w.runId === runId) await w.write();
          const c = checkpoints.get(runId);
          if (c !== undefined) await this.store.checkpoints.save(runId, c.epoch, c.state, now());
        });
      } catch (error) {
        const reason = `could not store its results: ${(error as Error).message}`;
        try {
          await this.store.transaction(() => this.store.runs.markFailed(runId, reason, now()));
          this.active.get(runId)?.handle.kill();
        } catch {
          // The database itself fails now: the next write will find out and stop the queue.
        }
      }
    }
    const events = this.afterCommit;
    this.afterCommit = [];
    this.announce(events);
  }

  private announce(announcements: readonly Announcement[]): void {
    for (const a of announcements) {
      // What is stored is stored; a failed read only costs this one event.
      const failed = (error: unknown): void => this.log(`evolab: could not announce a change: ${(error as Error).message}`);
      try {
        if ('event' in a) this.events.publish(a.event);
        else void this.emitStatus(a.statusOf).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  private async emitStatus(runId: number): Promise<RunSummary> {
    const run = await this.store.runs.get(runId);
    if (run === null) throw ApiError.notFound('run', runId);
    this.events.publish({ type: 'run-status', run });
    return run;
  }
}
