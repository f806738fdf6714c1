// Every study method by kind: create one for a study, restore one from its JSON state, and the
// defaults of its settings (what the New study view starts from). The study service and the
// tests go through this registry only.

import { defaultTuneSettings, type GpbtConfig, type PbtConfig, type StudyConfig, type TuneConfig } from '../../src-shared/config/study.ts';
import { GpbtMethod, type GpbtState } from './gpbt.ts';
import { type StudyKind, type StudyMethod, studyKind } from './method.ts';

export { studyKind };
import { PbtMethod, type PbtState } from './pbt.ts';
import { TuneMethod, type TuneState } from './tune.ts';

export type MethodState = TuneState | GpbtState | PbtState;
export type AnyMethod = StudyMethod<MethodState>;

interface MethodEntry {
  readonly title: string;
  readonly create: (study: StudyConfig) => AnyMethod;
  readonly restore: (study: StudyConfig, state: MethodState) => AnyMethod;
}

function stateOf<K extends MethodState['kind']>(state: MethodState, kind: K): Extract<MethodState, { kind: K }> {
  if (state.kind !== kind) throw new Error(`stored state is of a ${state.kind} study, not ${kind}`);
  return state as Extract<MethodState, { kind: K }>;
}

export const methodRegistry: Readonly<Record<StudyKind, MethodEntry>> = {
  tune: {
    title: 'hyperparameter tuning (a sampler, optional pruning)',
    create: (study) => new TuneMethod(study),
    restore: (study, state) => new TuneMethod(study, stateOf(state, 'tune')),
  },
  gpbt: {
    title: 'Genealogical Population-Based Training (Scardigli et al. 2021)',
    create: (study) => new GpbtMethod(study),
    restore: (study, state) => new GpbtMethod(study, stateOf(state, 'gpbt')),
  },
  pbt: {
    title: 'Population-Based Training (Jaderberg et al. 2017)',
    create: (study) => new PbtMethod(study),
    restore: (study, state) => new PbtMethod(study, stateOf(state, 'pbt')),
  },
};

/** The settings each method starts from in the New study view. */
export const METHOD_DEFAULTS: { readonly tune: TuneConfig; readonly gpbt: GpbtConfig; readonly pbt: PbtConfig } = {
  tune: defaultTuneSettings(),
  gpbt: { n: 8, t_max: 5, c: 2, T_g: 1, sampler: 'tpe', mode: 'time', early_stop: true },
  pbt: { n: 8, t_max: 5, T_g: 1, quantile: 0.25, resample_probability: 0.25, factors: [0.8, 1.2] },
};

export function createMethod(study: StudyConfig): AnyMethod {
  return methodRegistry[studyKind(study)].create(study);
}

export function restoreMethod(study: StudyConfig, state: MethodState): AnyMethod {
  return methodRegistry[studyKind(study)].restore(study, state);
}
