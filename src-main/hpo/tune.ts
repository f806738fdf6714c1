// A tuning study: ask the sampler, train the proposal as a trial (all trials use the study's
// seed, so they differ only in their hyperparameters), tell the sampler the objective, with
// up to `parallel` trials in flight. Every trial and the sampler's state after each ask and
// tell are stored in one transaction, so a study killed at any point resumes: finished
// trials are kept, trials whose runs were queued are followed again (the queue resumes
// their runs from their checkpoints), and the sampler continues from its stored state.
// Median pruning (optional): a trial whose intermediate objective at an epoch is worse than
// the median of the finished trials' values at that epoch is stopped (Optuna's MedianPruner).

import type { StudyRow, TrialRow } from '../store/studies.ts';
import type { EpochValues, TrialOutcome, TrialSpec } from './executor.ts';
import { createSampler, restoreSampler } from './samplers/registry.ts';
import type { Sampler, SamplerState } from './samplers/sampler.ts';
import { type Params, SearchSpace } from './space.ts';
import { minimised, recordOutcome, type StudyRunOptions, studyHash } from './study-common.ts';

export type TuneOptions = StudyRunOptions;

export interface TuneResult {
  readonly studyId: number;
  readonly resumed: boolean;
  readonly trials: readonly TrialRow[];
  readonly best: TrialRow | null;
}

interface TuneState {
  readonly sampler: SamplerState;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function runTuneStudy(options: TuneOptions): Promise<TuneResult> {
  const { store, executor, study } = options;
  const settings = study.tune;
  if (settings === undefined) throw new Error('not a tuning study');
  const log = options.log ?? (() => {});
  const space = new SearchSpace(study.space);
  const hash = studyHash(study);
  const existing: StudyRow | null = store.studies.findResumable('tune', hash);
  let sampler: Sampler;
  let studyId: number;
  if (existing !== null) {
    studyId = existing.id;
    sampler = restoreSampler((existing.state as TuneState).sampler, space);
    log(`study ${studyId}: resuming (${existing.finishedTrials} of ${settings.trials} trials finished)`);
  } else {
    sampler = createSampler(settings.sampler, space, study.seed);
    studyId = store.transaction(() =>
      store.studies.create({ name: options.name, kind: 'tune', config: study, configHash: hash, state: { sampler: sampler.state() }, createdAt: new Date().toISOString() }),
    );
    log(`study ${studyId}: ${settings.trials} trials, sampler ${settings.sampler.type}, objective ${study.objective.direction} ${study.objective.metric}`);
  }
  const saveState = (): void => store.studies.update(studyId, { state: { sampler: sampler.state() } });

  // Intermediate objective values per finished trial, for median pruning.
  const metric = study.objective.metric;
  const perEpoch = metric === 'val_loss' || metric === 'val_acc' || metric === 'train_loss' || metric === 'train_acc' ? metric : null;
  /** Intermediate objective values by epoch: of finished trials (for pruning), and of trials in flight. */
  const intermediate = new Map<number, Map<number, number>>();
  const running = new Map<number, Map<number, number>>();
  const pruning = settings.pruning;
  const shouldPrune = (values: EpochValues): boolean => {
    if (pruning === null || perEpoch === null || values.epoch <= pruning.warmup_epochs) return false;
    const finished = [...intermediate.values()].map((m) => m.get(values.epoch)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (finished.length < pruning.startup_trials) return false;
    return minimised(study, values[perEpoch]) > minimised(study, median(finished));
  };

  const specFor = (trial: TrialRow, params: Params): TrialSpec => {
    const curve = new Map<number, number>();
    running.set(trial.id, curve);
    return {
      label: `${options.name} trial ${trial.number}`,
      tags: [`study:${studyId}`],
      config: space.apply(study.base, params),
      seed: study.seed,
      checkpoint: null,
      keepCheckpoint: false,
      onEpoch: (values) => {
        if (perEpoch !== null) curve.set(values.epoch, values[perEpoch]);
        return !shouldPrune(values);
      },
      onQueued: ({ experimentId, runId }) => store.transaction(() => store.studies.updateTrial(trial.id, { experimentId, runId })),
    };
  };

  const finishTrial = (trial: TrialRow, outcome: TrialOutcome): void => {
    const recorded = store.transaction(() => {
      const r = recordOutcome(store, study, trial.id, outcome, 'pruned');
      if (trial.samplerId !== null) sampler.tell(trial.samplerId, minimised(study, r.value));
      saveState();
      return r;
    });
    // Keep a finished trial's curve for pruning the next ones (a resumed trial's early
    // epochs were seen by the previous process: they come from the stored metrics).
    const curve = running.get(trial.id) ?? new Map<number, number>();
    running.delete(trial.id);
    if (recorded.status === 'done' && perEpoch !== null) {
      if (trial.runId !== null) {
        const series = store.metrics.series(trial.runId, [perEpoch]).get(perEpoch);
        series?.epochs.forEach((e, i) => curve.set(e, series.values[i] ?? Number.NaN));
      }
      intermediate.set(trial.id, curve);
    }
    log(`trial ${trial.number}: ${recorded.status} ${metric} ${recorded.value ?? 'n/a'}  ${JSON.stringify(trial.params)}`);
  };

  // Resume: reload finished curves, follow trials in flight, queue trials that never got a run.
  const inFlight = new Map<number, Promise<void>>();
  for (const trial of store.studies.trials(studyId)) {
    if (trial.status === 'done' && trial.runId !== null && perEpoch !== null) {
      const series = store.metrics.series(trial.runId, [perEpoch]).get(perEpoch);
      intermediate.set(trial.id, new Map(series?.epochs.map((e, i) => [e, series.values[i] ?? Number.NaN])));
    }
    if (trial.status !== 'running') continue;
    const spec = specFor(trial, trial.params);
    if (trial.runId !== null && executor.attach !== undefined) {
      const tracked: TrialRow = trial;
      inFlight.set(
        trial.id,
        executor.attach(trial.runId, spec).then((outcome) => {
          finishTrial(tracked, outcome);
          inFlight.delete(tracked.id);
        }),
      );
    } else {
      // Stored but never queued (the crash came in between): train it now, same parameters.
      const tracked: TrialRow = trial;
      inFlight.set(
        trial.id,
        executor.run(spec).then((outcome) => {
          finishTrial(store.studies.trial(tracked.id) ?? tracked, outcome);
          inFlight.delete(tracked.id);
        }),
      );
    }
  }

  const finishedCount = (): number => store.studies.trials(studyId).filter((t) => t.status !== 'running').length;
  for (;;) {
    const started = finishedCount() + inFlight.size;
    if (started >= settings.trials && inFlight.size === 0) break;
    let proposal = null;
    if (started < settings.trials && inFlight.size < options.parallel) proposal = sampler.ask();
    if (proposal === null) {
      // At capacity, at the trial count, or the sampler waits for results.
      if (inFlight.size === 0) throw new Error('the sampler is waiting but no trial is running');
      await Promise.race(inFlight.values());
      continue;
    }
    const params = proposal.params;
    const samplerId = proposal.id;
    const trial = store.transaction(() => {
      const row = store.studies.addTrial({ studyId, generation: 0, member: 0, params, samplerId, createdAt: new Date().toISOString() });
      saveState();
      return row;
    });
    const spec = specFor(trial, params);
    inFlight.set(
      trial.id,
      executor.run(spec).then((outcome) => {
        finishTrial(store.studies.trial(trial.id) ?? trial, outcome);
        inFlight.delete(trial.id);
      }),
    );
  }

  const trials = store.studies.trials(studyId);
  const done = trials.filter((t) => t.status === 'done' && t.value !== null);
  const best = done.reduce<TrialRow | null>((b, t) => (b === null || minimised(study, t.value) < minimised(study, b.value) ? t : b), null);
  store.transaction(() => store.studies.update(studyId, { status: 'done', bestTrial: best?.id ?? null, finishedAt: new Date().toISOString() }));
  return { studyId, resumed: existing !== null, trials, best };
}
