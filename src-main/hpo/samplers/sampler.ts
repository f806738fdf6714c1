// The ask/tell contract every hyperparameter sampler implements (in the style of the cmaes and
// Optuna samplers): ask() proposes parameters (or null when it must wait for results), tell()
// reports the objective of a proposal, observe() feeds a result it did not propose (GPBT's
// lineage history). Objectives are minimised: callers negate what they maximise. Each
// sampler owns a seeded RNG and its state is JSON, so a study resumes where it stopped.

import type { Params } from '../space.ts';
import type { CmaEsSamplerState } from './cmaes.ts';
import type { GpSamplerState } from './gp.ts';
import type { RandomSamplerState } from './random.ts';
import type { TpeSamplerState } from './tpe.ts';

/** Every sampler kind (the registry has exactly these; CLI choices use the list without loading samplers). */
export const SAMPLER_KINDS = ['random', 'tpe', 'cmaes', 'gp'] as const;
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

export interface Proposal {
  /** Identifies the proposal in tell(). */
  readonly id: number;
  readonly params: Params;
}

export interface Sampler {
  readonly kind: SamplerKind;
  ask(): Proposal | null;
  /** The objective of proposal `id` (lower is better; NaN or Infinity for a failed trial). */
  tell(id: number, value: number): void;
  /** A result from elsewhere, with a weight (TPE uses it; the others, GP included, ignore it). */
  observe(params: Params, value: number, weight?: number): void;
  state(): SamplerState;
}

export type SamplerState = RandomSamplerState | TpeSamplerState | CmaEsSamplerState | GpSamplerState;
