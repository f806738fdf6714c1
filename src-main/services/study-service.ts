// The study service: runs hyperparameter studies (tuning, GPBT, PBT) as durable services of
// the process that holds the queue (`evolab serve`, the desktop app, or a CLI command running
// one in-process). A study's method (src-main/hpo) is a pure state machine; this service owns
// everything around it:
//   - create, start, pause (its waiting runs are held), resume, cancel (its runs are
//     cancelled: none trains for nobody), delete;
//   - every trial the method plans becomes an experiment with one run in the queue, stored in
//     ONE transaction with the trial row, its lineage edges, the checkpoint it starts from and
//     the method's new state; every result is stored with the method's state after telling it;
//   - it follows its trials through the queue's run-event port: after each stored epoch it
//     asks the method for a verdict (pruning, GPBT's early stop) and cancels a stopped trial's
//     run; when a run ends it reads the result back from the database and tells the method.
// The store is asynchronous, so what used to be one synchronous step is kept whole by hand:
// a study's work (ask, tell and their transactions) runs in its own chain; lifecycle changes
// and polls run one at a time; run events are handled in order; and a check and the write it
// allows (a study's status, a trial still running) share one transaction.
// After a crash (serve, app or CLI killed at any moment) the next process that holds the
// queue restores each running study from its stored state, replays the verdicts over the
// epochs stored since, tells the method about trials whose runs ended meanwhile, and goes on:
// since a method's decisions depend only on stored data, the study's trials equal those of
// an uninterrupted one.

import type { AppEvent, EpochMetricName, RunSummary } from '../../src-shared/api.ts';
import { ApiError } from '../../src-shared/api-errors.ts';
import { datasetLabel, type ExperimentConfig } from '../../src-shared/config/experiment.ts';
import { parseStudyConfig, type StudyConfig } from '../../src-shared/config/study.ts';
import type { WireValue } from '../../src-shared/metric-codec.ts';
import { perEpochMetric, type TrialPlan, type Verdict } from '../hpo/method.ts';
import { type AnyMethod, createMethod, type MethodState, restoreMethod, studyKind } from '../hpo/methods.ts';
import { SearchSpace } from '../hpo/space.ts';
import { checkpointEpoch, childCheckpoint, trialConfig } from '../hpo/trial-config.ts';
import { trialResult } from '../hpo/trial-result.ts';
import type { RunEvent } from '../queue/run-events.ts';
import type { Scheduler } from '../queue/scheduler.ts';
import type { MetricColumns } from '../store/metrics.ts';
import type { Store } from '../store/store.ts';
import type { StudyRow, StudyStatus, TrialRow } from '../store/studies.ts';
import { studyHash } from './study-hash.ts';
import { studySummary } from './study-summary.ts';

interface ActiveStudy {
  readonly id: number;
  readonly name: string;
  readonly study: StudyConfig;
  method: AnyMethod;
  paused: boolean;
  /** Running trials' stored per-epoch objective values: trial number -> epoch -> value. */
  readonly curves: Map<number, Map<number, WireValue>>;
  /** Trials whose run was told to stop (pruned / stopped by design). */
  readonly stopping: Set<number>;
  /** Work on this study runs one piece at a time (ask, tell and their transactions). */
  chain: Promise<void>;
  /** A catch-up with the store is queued (shared stores: trials train in other processes). */
  catchingUp: boolean;
}

export interface StudyServiceOptions {
  readonly store: Store;
  readonly scheduler: Scheduler;
  /** Sends a UI event (the AppService's publish). */
  readonly publish: (event: AppEvent) => void;
  readonly log?: (line: string) => void;
  /** How often to look for studies changed by other processes (ms). */
  readonly pollMs?: number;
}

const TERMINAL_RUN = new Set(['done', 'failed', 'cancelled']);

/** Throws unless the study has something left to cancel. */
function cancellable(row: StudyRow): void {
  if (row.status === 'done' || row.status === 'failed' || row.status === 'cancelled') {
    throw new ApiError('conflict', `study ${row.id} is ${row.status}; it has nothing left to cancel`, 'id');
  }
}

function now(): string {
  return new Date().toISOString();
}

/** A stored study config (base inline) parsed again, defaults of newer versions filled in. */
export function storedStudyConfig(row: Pick<StudyRow, 'config'>): StudyConfig {
  return parseStudyConfig(row.config, () => {
    throw new Error('a stored study has its base config inline');
  });
}

/** The first verdict over a trial's epochs (its own, in order): what the method decides at each. */
function replayVerdict(method: AnyMethod, number: number, curve: readonly (readonly [number, WireValue])[]): { verdict: Verdict; epoch: number } | null {
  for (let i = 1; i <= curve.length; i++) {
    const verdict = method.judge(number, curve.slice(0, i));
    if (verdict !== 'continue') return { verdict, epoch: curve[i - 1][0] };
  }
  return null;
}

export class StudyService {
  private readonly store: Store;
  private readonly scheduler: Scheduler;
  private readonly publish: (event: AppEvent) => void;
  private readonly log: (line: string) => void;
  private readonly pollMs: number;
  private readonly active = new Map<number, ActiveStudy>();
  /** Studies this process has the right to coordinate (store.tryCoordinate). */
  private readonly coordinated = new Set<number>();
  private unsubscribe: (() => void) | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /**
   * Lifecycle changes (create, start, pause, resume, cancel, delete), polls and stop() run one
   * at a time: each reads the study, decides and changes which studies are active, across
   * awaits, and must not see another's half-done change.
   */
  private lifecycle: Promise<void> = Promise.resolve();
  /** The poll queued or under way, if any (timer ticks meanwhile add none). */
  private polling: Promise<void> | null = null;
  /** The queue's run events, handled one at a time in the order they came (a trial's epochs in order). */
  private runEvents: Promise<void> = Promise.resolve();

  constructor(options: StudyServiceOptions) {
    this.store = options.store;
    this.scheduler = options.scheduler;
    this.publish = options.publish;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.pollMs = options.pollMs ?? 1000;
  }

  /** Whether this process runs studies (it holds the queue). */
  get running(): boolean {
    return this.unsubscribe !== null;
  }

  /** Runs the studies of this database: follows the queue's events and resumes running and paused studies. */
  async start(): Promise<void> {
    if (this.unsubscribe !== null) return;
    this.unsubscribe = this.scheduler.events.subscribe((event) => this.queueRunEvent(event));
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
    await this.poll();
  }

  /** Stops following studies (they stay running in the database and resume next time). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    await this.runEvents;
    await this.exclusively(async () => {
      await Promise.all([...this.active.values()].map((a) => a.chain));
      this.active.clear();
    });
  }

  /** Resolves when the study's queued work so far (and the run events received so far) is done (tests, CLI). */
  async settled(id: number): Promise<void> {
    await this.runEvents;
    await this.active.get(id)?.chain;
  }

  /** Runs `work` after the lifecycle work queued before it (see `lifecycle`). */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lifecycle.then(work);
    this.lifecycle = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  // ---- lifecycle ----------------------------------------------------------------------

  /**
   * Stores a new study (or, with `resume`, finds an unfinished one of the same config) and
   * starts it when asked. Returns its id.
   */
  create(study: StudyConfig, options: { readonly name: string; readonly start: boolean; readonly resume: boolean }): Promise<number> {
    return this.exclusively(async () => {
      const kind = studyKind(study);
      const hash = studyHash(study);
      // Looked for and stored in one transaction: two resuming creations of one config make one study.
      const found = await this.store.write(async () => {
        if (options.resume) {
          const existing = await this.store.studies.findResumable(kind, hash);
          if (existing !== null) {
            const restarted = options.start && existing.status !== 'running';
            if (restarted) await this.writeStatus(existing.id, 'running');
            return { id: existing.id, created: false, restarted };
          }
        }
        const method = createMethod(study);
        const id = await this.store.studies.create({
          name: options.name,
          kind,
          config: study,
          configHash: hash,
          state: method.state(),
          status: options.start ? 'running' : 'created',
          createdAt: now(),
        });
        return { id, created: true, restarted: false };
      });
      if (found.restarted) await this.afterStatus(found.id, 'running');
      if (!found.created) return found.id;
      await this.announce(found.id);
      if (options.start && this.running) await this.activate(await this.requireStudy(found.id));
      return found.id;
    });
  }

  async startStudy(id: number): Promise<void> {
    await this.setStatus(id, 'running', (row) => {
      if (row.status !== 'created')
        throw new ApiError('conflict', `study ${id} is ${row.status}; only a created study can be started (resume a paused one)`, 'id');
    });
  }

  async pause(id: number): Promise<void> {
    await this.setStatus(id, 'paused', (row) => {
      if (row.status !== 'running') throw new ApiError('conflict', `study ${id} is ${row.status}; only a running study can be paused`, 'id');
    });
  }

  async resume(id: number): Promise<void> {
    await this.setStatus(id, 'running', (row) => {
      if (row.status !== 'paused') throw new ApiError('conflict', `study ${id} is ${row.status}; only a paused study can be resumed`, 'id');
    });
  }

  /** Cancels the study and every run of it that has not finished; nothing of it starts again. */
  async cancel(id: number): Promise<void> {
    await this.exclusively(async () => {
      cancellable(await this.requireStudy(id));
      await this.finishCancelled(id, true);
    });
  }

  /** Deletes the study, its trials and their experiments and runs (cancelling what still runs). */
  async delete(id: number): Promise<void> {
    await this.exclusively(async () => {
      const row = await this.requireStudy(id);
      if (row.status === 'created' || row.status === 'running' || row.status === 'paused') await this.finishCancelled(id, false);
      await this.store.write(() => this.store.studies.delete(id));
      this.publish({ type: 'study-deleted', id });
    });
  }

  /** Marks the study and its running trials cancelled (with `unfinished`: only if it has not finished meanwhile) and cancels its runs. */
  private async finishCancelled(id: number, unfinished: boolean): Promise<void> {
    const active = this.active.get(id);
    this.active.delete(id);
    if (active !== undefined) await active.chain;
    const at = now();
    await this.store.write(async () => {
      if (unfinished) cancellable(await this.requireStudy(id));
      await this.store.studies.update(id, { status: 'cancelled', finishedAt: at });
      for (const trial of await this.store.studies.trials(id))
        if (trial.status === 'running') await this.store.studies.updateTrial(trial.id, { status: 'cancelled', finishedAt: at });
      await this.store.runs.setHeldForStudy(id, false);
    });
    for (const run of await this.store.runs.forStudy(id)) {
      if (run.status !== 'pending' && run.status !== 'running' && run.status !== 'interrupted') continue;
      await this.scheduler.cancel(run.id).catch((error: unknown) => {
        // Finished meanwhile: nothing to cancel.
        if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
      });
    }
    await this.announce(id);
  }

  /** Checks the study (`allowed` throws when it may not change) and sets its status, in one transaction. */
  private async setStatus(id: number, status: Extract<StudyStatus, 'running' | 'paused'>, allowed: (row: StudyRow) => void): Promise<void> {
    await this.exclusively(async () => {
      await this.store.write(async () => {
        allowed(await this.requireStudy(id));
        await this.writeStatus(id, status);
      });
      await this.afterStatus(id, status);
    });
  }

  /** Inside the caller's transaction: the study's status, and its waiting runs held while it is paused. */
  private async writeStatus(id: number, status: Extract<StudyStatus, 'running' | 'paused'>): Promise<void> {
    await this.store.studies.update(id, { status });
    await this.store.runs.setHeldForStudy(id, status === 'paused');
  }

  /** After a status change is stored: the study runs (or waits) here accordingly. */
  private async afterStatus(id: number, status: Extract<StudyStatus, 'running' | 'paused'>): Promise<void> {
    const active = this.active.get(id);
    if (active !== undefined) {
      active.paused = status === 'paused';
      if (!active.paused) this.serially(active, () => this.advance(active));
    } else if (this.running) {
      await this.activate(await this.requireStudy(id));
    }
    await this.scheduler.tick();
    await this.announce(id);
  }

  private async requireStudy(id: number): Promise<StudyRow> {
    const row = await this.store.studies.get(id);
    if (row === null) throw ApiError.notFound('study', id);
    return row;
  }

  // ---- running studies ----------------------------------------------------------------

  /** Picks up studies started, paused, resumed or cancelled by other processes. */
  private poll(): Promise<void> {
    this.polling ??= this.exclusively(() => this.pollOnce()).finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (!this.running) return;
    try {
      const rows = await this.store.studies.withStatus(['running', 'paused']);
      const live = new Set(rows.map((r) => r.id));
      for (const [id, active] of this.active) {
        if (!live.has(id))
          this.active.delete(id); // cancelled, deleted or finished elsewhere
        else active.paused = rows.find((r) => r.id === id)?.status === 'paused';
      }
      // Chosen now, from the rows just read: a study active then that finishes while another
      // one is being activated must not come back from its stale row.
      const inactive = rows.filter((row) => !this.active.has(row.id));
      for (const row of inactive) if (this.running) await this.activate(row);
      // Finished, cancelled or deleted: another process may coordinate it if it comes back.
      for (const id of this.coordinated) {
        if (this.active.has(id)) continue;
        this.coordinated.delete(id);
        await this.store.releaseCoordination(id);
      }
      // On a shared store the trials train in workers' processes, whose run events this
      // process does not receive: catch up with what the store holds (reconcile is what a
      // restart does: verdicts replayed over stored epochs, ended runs told, new trials asked).
      if (this.store.kind === 'postgres') {
        for (const active of this.active.values()) {
          if (active.catchingUp || active.paused) continue;
          active.catchingUp = true;
          this.serially(active, async () => {
            try {
              await this.reconcile(active);
            } finally {
              active.catchingUp = false;
            }
          });
        }
      }
    } catch (error) {
      this.log(`evolab: could not look for studies: ${(error as Error).message}`);
    }
  }

  private async activate(row: StudyRow): Promise<void> {
    if (this.active.has(row.id)) return;
    // On a shared store every process may coordinate a study; the one holding its lock does.
    if (!(await this.store.tryCoordinate(row.id))) return;
    this.coordinated.add(row.id);
    let study: StudyConfig;
    let method: AnyMethod;
    try {
      study = storedStudyConfig(row);
      method = row.state === null ? createMethod(study) : restoreMethod(study, row.state as MethodState);
    } catch (error) {
      await this.store.write(() =>
        this.store.studies.update(row.id, { status: 'failed', error: `cannot be resumed: ${(error as Error).message}`, finishedAt: now() }),
      );
      await this.announce(row.id);
      return;
    }
    const active: ActiveStudy = {
      id: row.id,
      name: row.name,
      study,
      method,
      paused: row.status === 'paused',
      curves: new Map(),
      stopping: new Set(),
      chain: Promise.resolve(),
      catchingUp: false,
    };
    this.active.set(row.id, active);
    this.serially(active, () => this.reconcile(active));
    await active.chain;
  }

  /** Runs `work` after the study's earlier work; a failure is logged and retried later from the database. */
  private serially(active: ActiveStudy, work: () => Promise<void>): void {
    active.chain = active.chain.then(work).catch((error: unknown) => {
      this.log(`evolab: study ${active.id}: ${error instanceof Error ? error.message : String(error)}; retrying`);
      this.retryLater(active);
    });
  }

  private retryLater(active: ActiveStudy): void {
    if (this.retryTimer !== null || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.active.get(active.id) !== active) return;
      // Back to what the database holds, then on from there: in the study's chain, so that no
      // work under way sees its method replaced half-way.
      this.serially(active, async () => {
        const row = await this.store.studies.get(active.id);
        if (row === null) return;
        active.method = row.state === null ? createMethod(active.study) : restoreMethod(active.study, row.state as MethodState);
        await this.reconcile(active);
      });
    }, 2000);
    this.retryTimer.unref();
  }

  /**
   * Brings a study in step with the database: verdicts replayed over stored epochs, trials
   * whose runs ended told, then new trials asked for.
   */
  private async reconcile(active: ActiveStudy): Promise<void> {
    const metric = perEpochMetric(active.study.objective.metric);
    for (const trial of await this.store.studies.trials(active.id)) {
      if (trial.status !== 'running') continue;
      const run = trial.runId === null ? null : await this.store.runs.get(trial.runId);
      if (run === null || TERMINAL_RUN.has(run.status)) {
        await this.finishTrial(active, trial, run);
        continue;
      }
      const series = (await this.store.metrics.series(run.id, [metric])).get(metric);
      const curve = new Map<number, WireValue>(series?.epochs.map((e, i) => [e, series.values[i]] as const) ?? []);
      active.curves.set(trial.number, curve);
      if (replayVerdict(active.method, trial.number, [...curve]) !== null) this.stopRun(active, trial.number, run.id);
    }
    await this.advance(active);
  }

  /** The run-event listener: queues the event behind the ones before it (handling it reads the database). */
  private queueRunEvent(event: RunEvent): void {
    if (event.type !== 'epoch-stored' && !(event.type === 'run-status' && TERMINAL_RUN.has(event.run.status))) return;
    this.runEvents = this.runEvents
      .then(() => this.onRunEvent(event))
      .catch((error: unknown) => this.log(`evolab: could not follow a run event: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async onRunEvent(event: RunEvent): Promise<void> {
    if (event.type === 'epoch-stored') {
      const trial = await this.store.studies.trialOfRun(event.progress.runId);
      const active = trial === null ? undefined : this.active.get(trial.studyId);
      if (trial === null || active === undefined || trial.status !== 'running' || active.stopping.has(trial.number)) return;
      const metric: EpochMetricName = perEpochMetric(active.study.objective.metric);
      const curve = active.curves.get(trial.number) ?? new Map<number, WireValue>();
      active.curves.set(trial.number, curve);
      curve.set(event.progress.epoch, event.progress.metrics[metric]);
      const ordered = [...curve].sort((a, b) => a[0] - b[0]);
      // Verdicts depend only on what the method was told before this trial started: asking
      // now, outside the study's work chain, gives the same answer as asking in it.
      if (active.method.judge(trial.number, ordered) !== 'continue') this.stopRun(active, trial.number, event.progress.runId);
      return;
    }
    if (event.type === 'run-status' && TERMINAL_RUN.has(event.run.status)) {
      const trial = await this.store.studies.trialOfRun(event.run.id);
      const active = trial === null ? undefined : this.active.get(trial.studyId);
      if (trial === null || active === undefined) return;
      this.serially(active, async () => {
        const current = await this.store.studies.trial(trial.id);
        if (current !== null && current.status === 'running') await this.finishTrial(active, current, await this.store.runs.get(event.run.id));
      });
    }
  }

  private stopRun(active: ActiveStudy, number: number, runId: number): void {
    if (active.stopping.has(number)) return;
    active.stopping.add(number);
    this.scheduler.cancel(runId).catch(() => {
      // It finished meanwhile: the result still counts as stopped (see trialResult).
    });
  }

  /** Tells the method what became of a trial, stores that with its new state, and asks for more. */
  private async finishTrial(active: ActiveStudy, trial: TrialRow, run: RunSummary | null): Promise<void> {
    const study = active.study;
    const metrics = [...new Set([perEpochMetric(study.objective.metric), perEpochMetric(study.objective.secondary)])];
    const series = run === null ? new Map<string, MetricColumns>() : await this.store.metrics.series(run.id, metrics);
    const epochs = new Map<number, Partial<Record<string, WireValue>>>();
    for (const [name, column] of series) column.epochs.forEach((e, i) => epochs.set(e, { ...epochs.get(e), [name]: column.values[i] }));
    const curve = [...epochs].sort((a, b) => a[0] - b[0]).map(([e, values]) => [e, values[perEpochMetric(study.objective.metric)] ?? null] as const);
    const verdict = replayVerdict(active.method, trial.number, curve);
    const ended = run?.status === 'done' ? 'done' : 'failed';
    const final = run?.final ?? null;
    const result = trialResult(study, trial.number, {
      ended,
      verdict: verdict === null || verdict.verdict === 'continue' ? null : verdict.verdict,
      verdictEpoch: verdict?.epoch ?? null,
      final:
        final === null
          ? null
          : {
              train_loss: final.train_loss,
              train_acc: final.train_acc,
              val_loss: final.val_loss,
              val_acc: final.val_acc,
              test_loss: final.test_loss,
              test_acc: final.test_acc,
            },
      epochs,
    });
    const kept = result.status === 'done' && run !== null && run.keepCheckpoint ? await this.store.checkpoints.latest(run.id) : null;
    const snapshot = active.method.state();
    active.method.tell(result);
    active.curves.delete(trial.number);
    active.stopping.delete(trial.number);
    let plans: TrialPlan[];
    try {
      plans = active.paused ? [] : active.method.ask();
      const stored = await this.store.write(async () => {
        // Read again in the transaction that settles it: a trial is told and stored once.
        if ((await this.store.studies.trial(trial.id))?.status !== 'running') return false;
        await this.store.studies.updateTrial(trial.id, {
          status: result.status,
          value: result.value,
          testValue: result.testValue,
          checkpointId: kept?.id ?? null,
          finishedAt: now(),
        });
        await this.insertPlans(active, plans);
        await this.saveState(active);
        return true;
      });
      if (!stored) {
        active.method = restoreMethod(study, snapshot);
        return;
      }
    } catch (error) {
      active.method = restoreMethod(study, snapshot);
      throw error;
    }
    if (plans.length > 0) await this.scheduler.tick();
    await this.announce(active.id);
  }

  /** Asks the method for trials and stores them (with its state) in one transaction. */
  private async advance(active: ActiveStudy): Promise<void> {
    if (active.paused || this.active.get(active.id) !== active) return;
    const snapshot = active.method.state();
    let plans: TrialPlan[];
    try {
      plans = active.method.ask();
      const finishing = active.method.finished;
      if (plans.length === 0 && !finishing) return;
      await this.store.write(async () => {
        await this.insertPlans(active, plans);
        await this.saveState(active);
      });
    } catch (error) {
      active.method = restoreMethod(active.study, snapshot);
      throw error;
    }
    if (plans.length > 0) await this.scheduler.tick();
    await this.announce(active.id);
  }

  /** Inside the caller's transaction: the method's state; at the end also the winner, the final status and the end time. */
  private async saveState(active: ActiveStudy): Promise<void> {
    const method = active.method;
    if (!method.finished) {
      await this.store.studies.update(active.id, { state: method.state() });
      return;
    }
    const bestNumber = method.best();
    const best = bestNumber === null ? null : await this.store.studies.trialByNumber(active.id, bestNumber);
    await this.store.studies.update(active.id, {
      state: method.state(),
      status: method.failure === null ? 'done' : 'failed',
      error: method.failure,
      bestTrial: best?.id ?? null,
      finishedAt: now(),
    });
    this.active.delete(active.id);
  }

  /** Inside the caller's transaction: each plan as a trial, an experiment, a queued run and its start. */
  private async insertPlans(active: ActiveStudy, plans: readonly TrialPlan[]): Promise<void> {
    const at = now();
    for (const plan of plans) {
      let start: { state: string; epoch: number } | null = null;
      let sourceTrial: TrialRow | null = null;
      if (plan.source !== null) {
        sourceTrial = await this.store.studies.trialByNumber(active.id, plan.source.trial);
        const checkpoint = sourceTrial?.runId == null ? null : await this.store.checkpoints.latest(sourceTrial.runId);
        if (sourceTrial === null || checkpoint === null)
          throw new Error(`trial ${plan.number} starts from trial ${plan.source.trial}, whose weights are not stored`);
        start = { state: checkpoint.state, epoch: checkpointEpoch(checkpoint.state) };
      }
      const config: ExperimentConfig = trialConfig(active.study, plan, start?.epoch ?? 0);
      const label = active.study.tune !== undefined ? `${active.name} trial ${plan.number}` : `${active.name} g${plan.generation} m${plan.member}`;
      const experimentId = await this.store.experiments.insert({
        name: label,
        dataset: datasetLabel(config),
        config,
        tags: [`study:${active.id}`],
        notes: '',
        createdAt: at,
        studyId: active.id,
      });
      const runId = await this.store.runs.insertOne(experimentId, plan.seed, 0, config.training.max_epochs, plan.keepCheckpoint, at);
      if (start !== null) await this.store.checkpoints.save(runId, start.epoch, childCheckpoint(start.state, plan.seed), at);
      const trial = await this.store.studies.addTrial({
        studyId: active.id,
        number: plan.number,
        generation: plan.generation,
        member: plan.member,
        params: plan.params,
        samplerId: plan.proposal,
        createdAt: at,
      });
      await this.store.studies.updateTrial(trial.id, { experimentId, runId });
      if (sourceTrial !== null && plan.source !== null) for (const kind of plan.source.kinds) await this.store.studies.addEdge(trial.id, sourceTrial.id, kind);
    }
  }

  private async announce(id: number): Promise<void> {
    const row = await this.store.studies.get(id);
    if (row !== null) this.publish({ type: 'study', study: await studySummary(this.store, row) });
  }

  /** The config the best trial trained, as a plain experiment (for "queue the best x N seeds"). */
  async bestConfig(id: number): Promise<{ config: ExperimentConfig; trial: TrialRow }> {
    const row = await this.requireStudy(id);
    const study = storedStudyConfig(row);
    const best = row.bestTrial === null ? null : await this.store.studies.trial(row.bestTrial);
    if (best === null) throw new ApiError('conflict', `study ${id} has no best trial yet`, 'id');
    const space = new SearchSpace(study.space);
    if (study.tune !== undefined) return { config: space.apply(study.base, best.params), trial: best };
    // A population's winner trained with its lineage's schedule of hyperparameters; the
    // replication trains its final hyperparameters for as many epochs, from scratch.
    // The winner of generation g trained (g + 1) x T_g epochs along its lineage.
    const population = study.gpbt ?? study.pbt;
    const epochs = (best.generation + 1) * (population?.T_g ?? study.base.training.max_epochs);
    return { config: space.apply({ ...study.base, training: { ...study.base.training, early_stopping: null, max_epochs: epochs } }, best.params), trial: best };
  }
}
