// What GPBT and PBT share: a member of a population and training it for one generation, as a
// trial that starts from another member's weights (a checkpoint) and records where its
// weights and hyperparameters came from as lineage edges.

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import type { Store } from '../store/store.ts';
import type { EdgeKind, TrialRow } from '../store/studies.ts';
import { checkpointEpoch, childCheckpoint, type TrialExecutor } from './executor.ts';
import type { Params, SearchSpace } from './space.ts';
import { minimised, recordOutcome } from './study-common.ts';

/** A trained member: its trial, how it scored (minimised), its weights and its seed. */
export interface Member {
  readonly trial: TrialRow;
  readonly score: number;
  /** Objective (minimised) after the first epoch of its generation. */
  readonly firstEpoch: number | null;
  readonly checkpoint: string | null;
  readonly seed: number;
  /** The member whose weights it started from. */
  readonly parent: Member | null;
}

export interface PopulationContext {
  readonly store: Store;
  readonly executor: TrialExecutor;
  readonly study: StudyConfig;
  readonly studyId: number;
  readonly name: string;
  readonly space: SearchSpace;
  /** The base config without early stopping (members train exactly T_g epochs). */
  readonly base: ExperimentConfig;
  readonly epochsPerGeneration: number;
  readonly log: (line: string) => void;
}

export interface MemberPlan {
  readonly generation: number;
  readonly member: number;
  readonly params: Params;
  /** The member whose weights (and optimizer state) it starts from, or null for scratch. */
  readonly source: Member | null;
  /** Which lineage edges to `source` to record. */
  readonly edges: readonly EdgeKind[];
  readonly seed: number;
  /** Given the first epoch's objective (minimised), whether to go on. */
  readonly continueAfterFirstEpoch?: (value: number) => boolean;
}

/** The per-epoch counterpart of an objective: test metrics are only known at the end, so their validation twin. */
export function perEpochMetric(metric: StudyConfig['objective']['metric']): 'val_loss' | 'val_acc' | 'train_loss' | 'train_acc' {
  if (metric === 'test_loss') return 'val_loss';
  if (metric === 'test_acc') return 'val_acc';
  return metric;
}

/** Trains one member for one generation; null when it failed or was stopped early. */
export async function trainMember(context: PopulationContext, plan: MemberPlan): Promise<Member | null> {
  const { store, study, studyId, space, base } = context;
  const { generation, member, params, source, seed } = plan;
  const startEpoch = source?.checkpoint != null ? checkpointEpoch(source.checkpoint) : 0;
  const trial = store.transaction(() => {
    const row = store.studies.addTrial({ studyId, generation, member, params, samplerId: null, createdAt: new Date().toISOString() });
    if (source !== null) for (const kind of plan.edges) store.studies.addEdge(row.id, source.trial.id, kind);
    return row;
  });
  // Per-epoch values exist for validation and training metrics only.
  const metric = perEpochMetric(study.objective.metric);
  let firstEpoch: number | null = null;
  const outcome = await context.executor.run({
    label: `${context.name} g${generation} m${member}`,
    tags: [`study:${studyId}`],
    config: space.apply({ ...base, training: { ...base.training, max_epochs: startEpoch + context.epochsPerGeneration } }, params),
    seed,
    checkpoint: source?.checkpoint != null ? childCheckpoint(source.checkpoint, seed) : null,
    keepCheckpoint: true,
    onEpoch: (values) => {
      if (values.epoch !== startEpoch + 1) return true;
      firstEpoch = minimised(study, values[metric]);
      return plan.continueAfterFirstEpoch === undefined || plan.continueAfterFirstEpoch(firstEpoch);
    },
    onQueued: ({ experimentId, runId }) => store.transaction(() => store.studies.updateTrial(trial.id, { experimentId, runId })),
  });
  const recorded = store.transaction(() => recordOutcome(store, study, trial.id, outcome, 'stopped'));
  const origin = source === null ? '' : ` (from trial ${source.trial.number}${plan.edges.includes('hparams') ? ', same HPs' : ''})`;
  context.log(`g${generation} m${member}${origin}: ${recorded.status} ${study.objective.metric} ${recorded.value ?? 'n/a'}`);
  if (recorded.status !== 'done') return null;
  return { trial: store.studies.trial(trial.id) ?? trial, score: minimised(study, recorded.value), firstEpoch, checkpoint: outcome.checkpoint?.state ?? null, seed, parent: source };
}
