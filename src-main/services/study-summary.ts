// A study as the AppApi shows it: status, its method in words, progress (trials created,
// finished, the budget, an ETA at the pace so far) and the best value; and its detail (trials
// and genealogy edges). Read from the database only, so every process shows the same.

import type { StudyDetail, StudySummary } from '../../src-shared/api.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import type { Store } from '../store/store.ts';
import type { StudyRow } from '../store/studies.ts';

interface StoredShape {
  readonly objective?: { readonly metric?: string; readonly direction?: 'minimize' | 'maximize' };
  readonly tune?: StudyConfig['tune'];
  readonly gpbt?: StudyConfig['gpbt'];
  readonly pbt?: StudyConfig['pbt'];
}

/** Short names of the samplers (the registry's titles carry citations; this module stays light). */
const SAMPLER_NAMES: Readonly<Record<NonNullable<StudyConfig['tune']>['sampler']['type'], string>> = {
  random: 'random search',
  tpe: 'TPE',
  cmaes: 'CMA-ES',
  gp: 'GP-BO',
};

function objectiveOf(row: StudyRow): StudySummary['objective'] {
  const objective = (row.config as StoredShape).objective;
  const metric = objective?.metric ?? 'val_loss';
  return { metric, direction: objective?.direction ?? (metric.endsWith('acc') ? 'maximize' : 'minimize') };
}

/** The method and its main settings in words, and the number of trials it makes in all. */
export function describeMethod(config: StoredShape): { text: string; budget: number } {
  if (config.gpbt !== undefined) {
    const g = config.gpbt;
    return { text: `GPBT n ${g.n}, ${g.t_max} generations of ${g.T_g} epoch${g.T_g === 1 ? '' : 's'}, ${g.mode}, ${g.sampler}`, budget: g.n * g.t_max };
  }
  if (config.pbt !== undefined) {
    const p = config.pbt;
    return { text: `PBT n ${p.n}, ${p.t_max} generations of ${p.T_g} epoch${p.T_g === 1 ? '' : 's'}`, budget: p.n * p.t_max };
  }
  const t = config.tune;
  if (t === undefined) return { text: 'tuning', budget: 0 };
  const sampler = SAMPLER_NAMES[t.sampler.type];
  return { text: `${sampler}, ${t.trials} trials${t.pruning !== null && t.pruning !== undefined ? `, ${t.pruning.type} pruning` : ''}`, budget: t.trials };
}

/** The study's best value: its chosen best trial's, else the best of its finished trials. */
async function bestValue(store: Store, row: StudyRow): Promise<number | null> {
  const chosen = row.bestTrial === null ? null : await store.studies.trial(row.bestTrial);
  if (chosen !== null && chosen.value !== null) return chosen.value;
  const sign = objectiveOf(row).direction === 'minimize' ? 1 : -1;
  let best: number | null = null;
  for (const trial of await store.studies.trials(row.id)) {
    if (trial.status !== 'done' || trial.value === null || !Number.isFinite(trial.value)) continue;
    if (best === null || sign * trial.value < sign * best) best = trial.value;
  }
  return best;
}

/** Seconds left at the pace since the study's first trial, when it runs and has finished some. */
async function eta(store: Store, row: StudyRow, budget: number): Promise<number | null> {
  if (row.status !== 'running' || row.finishedTrials === 0 || budget <= row.finishedTrials) return null;
  const trials = await store.studies.trials(row.id);
  const started = Math.min(...trials.map((t) => Date.parse(t.createdAt)));
  const rate = row.finishedTrials / Math.max(1, (Date.now() - started) / 1000);
  return (budget - row.finishedTrials) / rate;
}

export async function studySummary(store: Store, row: StudyRow): Promise<StudySummary> {
  const { text, budget } = describeMethod(row.config as StoredShape);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    objective: objectiveOf(row),
    method: text,
    trials: row.trials,
    finishedTrials: row.finishedTrials,
    budget,
    bestTrial: row.bestTrial === null ? null : ((await store.studies.trial(row.bestTrial))?.number ?? null),
    bestValue: await bestValue(store, row),
    etaSeconds: await eta(store, row, budget),
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

export async function studyDetail(store: Store, row: StudyRow): Promise<StudyDetail> {
  const runs = new Map((await store.runs.forStudy(row.id)).map((r) => [r.id, r]));
  return {
    ...(await studySummary(store, row)),
    config: row.config,
    trialList: (await store.studies.trials(row.id)).map((t) => ({
      id: t.id,
      number: t.number,
      generation: t.generation,
      member: t.member,
      status: t.status,
      params: t.params,
      value: t.value,
      testValue: t.testValue,
      experimentId: t.experimentId,
      runId: t.runId,
      runStatus: t.runId === null ? null : (runs.get(t.runId)?.status ?? null),
      runHeld: t.runId === null ? false : (runs.get(t.runId)?.held ?? false),
      checkpointId: t.checkpointId,
    })),
    edges: await store.studies.edges(row.id),
  };
}
