// A search space over fields of an experiment config: sampling, the unit-cube coordinates the
// CMA-ES sampler works in, the internal coordinates TPE models (log scale for log-uniform and
// log-int parameters), and applying sampled values to a config (validated again).

import type { ExperimentConfig } from '../../src-shared/config/experiment.ts';
import { parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { type Parameter, setPath } from '../../src-shared/config/study.ts';
import type { Rng } from '../engine/rng.ts';

export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

export interface SpaceDimension {
  readonly path: string;
  readonly parameter: Parameter;
}

/** Bounds of a numeric parameter in internal coordinates (ints widened by 0.5 so each value gets the same width). */
export function internalRange(parameter: Exclude<Parameter, { type: 'categorical' }>): [number, number] {
  switch (parameter.type) {
    case 'uniform':
      return [parameter.low, parameter.high];
    case 'loguniform':
      return [Math.log(parameter.low), Math.log(parameter.high)];
    case 'int':
      return parameter.log ? [Math.log(parameter.low - 0.5), Math.log(parameter.high + 0.5)] : [parameter.low - 0.5, parameter.high + 0.5];
  }
}

/** A parameter's value from an internal coordinate (clamped into range). */
export function fromInternal(parameter: Exclude<Parameter, { type: 'categorical' }>, x: number): number {
  const [lo, hi] = internalRange(parameter);
  const clamped = Math.min(hi, Math.max(lo, x));
  switch (parameter.type) {
    case 'uniform':
      return clamped;
    case 'loguniform':
      return Math.min(parameter.high, Math.max(parameter.low, Math.exp(clamped)));
    case 'int': {
      const raw = parameter.log ? Math.exp(clamped) : clamped;
      return Math.min(parameter.high, Math.max(parameter.low, Math.round(raw)));
    }
  }
}

export function toInternal(parameter: Exclude<Parameter, { type: 'categorical' }>, value: number): number {
  return parameter.type === 'loguniform' || (parameter.type === 'int' && parameter.log) ? Math.log(value) : value;
}

export class SearchSpace {
  readonly dimensions: readonly SpaceDimension[];

  constructor(space: Readonly<Record<string, Parameter>>) {
    this.dimensions = Object.keys(space)
      .sort()
      .map((path) => ({ path, parameter: space[path] }));
  }

  get size(): number {
    return this.dimensions.length;
  }

  sample(rng: Rng): Params {
    const params: Record<string, ParamValue> = {};
    for (const { path, parameter } of this.dimensions) {
      if (parameter.type === 'categorical') params[path] = parameter.choices[rng.integer(parameter.choices.length)];
      else {
        const [lo, hi] = internalRange(parameter);
        params[path] = fromInternal(parameter, lo + (hi - lo) * rng.uniform());
      }
    }
    return params;
  }

  /** Unit-cube coordinates (categorical: the middle of its choice's cell). */
  toUnit(params: Params): number[] {
    return this.dimensions.map(({ path, parameter }) => {
      const value = params[path];
      if (parameter.type === 'categorical') return (Math.max(0, parameter.choices.indexOf(value)) + 0.5) / parameter.choices.length;
      const [lo, hi] = internalRange(parameter);
      return (toInternal(parameter, Number(value)) - lo) / (hi - lo);
    });
  }

  /** Values from unit-cube coordinates (clipped into the cube). */
  fromUnit(unit: ArrayLike<number>): Params {
    const params: Record<string, ParamValue> = {};
    this.dimensions.forEach(({ path, parameter }, i) => {
      const u = Math.min(1, Math.max(0, unit[i]));
      if (parameter.type === 'categorical') {
        params[path] = parameter.choices[Math.min(parameter.choices.length - 1, Math.floor(u * parameter.choices.length))];
      } else {
        const [lo, hi] = internalRange(parameter);
        params[path] = fromInternal(parameter, lo + u * (hi - lo));
      }
    });
    return params;
  }

  /** The base config with these values set, validated. */
  apply(base: ExperimentConfig, params: Params): ExperimentConfig {
    let config: unknown = base;
    for (const { path } of this.dimensions) if (Object.hasOwn(params, path)) config = setPath(config, path, params[path]);
    return parseExperimentConfig(config);
  }
}
