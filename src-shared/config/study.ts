// The study config: a base experiment config, a search space over any of its fields, what to
// optimise, and how: a tuning study (random / TPE / CMA-ES sampler, optional median pruning),
// GPBT (Scardigli et al. 2021) or PBT (Jaderberg et al. 2017). One schema validates it; the
// search space is checked against the base config (every path must be a field the experiment
// schema accepts), so a typo fails before anything is queued, naming `space.<path>`.

import { z } from 'zod';
import { describeValue, fromZodError, UserInputError, ValidationError } from './errors.ts';
import { type ExperimentConfig, parseExperimentConfig } from './experiment.ts';
import { choice, fallbackMessage, fraction, integerField, nonEmptyString, numberField, positiveNumber } from './fields.ts';

/**
 * Bounds of a study, so that every member of every generation gets its own seed below 2^53
 * (src-main/hpo/seeds.ts derives them as seed * 1,000,003 + generation * 10,007 + member + 1).
 */
export const STUDY_LIMITS = { seed: 2 ** 32 - 1, members: 10_000, generations: 100_000, trials: 100_000, epochs: 1_000_000 } as const;

const finite = () => numberField('a number', () => true);

export const parameterSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('uniform'), low: finite(), high: finite() }),
      z.strictObject({ type: z.literal('loguniform'), low: positiveNumber(), high: positiveNumber() }),
      z.strictObject({
        type: z.literal('int'),
        low: numberField('an integer', Number.isInteger),
        high: numberField('an integer', Number.isInteger),
        /** Sample on a log scale (low must be >= 1). */
        log: z.boolean({ error: 'expected true or false' }).default(false),
      }),
      z.strictObject({
        type: z.literal('categorical'),
        choices: z
          .array(z.union([z.string(), z.number(), z.boolean()], { error: 'expected strings, numbers or booleans' }), { error: 'expected a list of choices' })
          .min(1, { error: 'needs at least one choice' }),
      }),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? 'expected a parameter of type uniform, loguniform, int or categorical' : undefined) },
  )
  .superRefine((p, context) => {
    if (p.type === 'categorical') return;
    if (p.low === p.high) context.addIssue({ code: 'custom', path: ['high'], message: `empty range: low and high are both ${p.low}` });
    if (p.low > p.high) context.addIssue({ code: 'custom', path: ['high'], message: `inverted range: high (${p.high}) is below low (${p.low})` });
    if (p.type === 'int' && p.log && p.low < 1) context.addIssue({ code: 'custom', path: ['low'], message: 'a log-scaled int range needs low >= 1' });
  });
export type Parameter = z.output<typeof parameterSchema>;

const OBJECTIVE_METRICS = ['val_loss', 'val_acc', 'test_loss', 'test_acc', 'train_loss', 'train_acc'] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];

const samplerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('random') }),
    z.strictObject({
      type: z.literal('tpe'),
      /** Random trials before the Parzen estimators take over. */
      startup_trials: integerField(1).default(10),
      /** Fraction of finished trials that form the "good" group l(x) (at most 25 trials). */
      gamma: numberField('a number in (0, 1)', (n) => n > 0 && n < 1).default(0.1),
      /** Candidates drawn from l(x) per ask; the best l/g ratio wins. */
      candidates: integerField(1).default(24),
    }),
    z.strictObject({
      type: z.literal('cmaes'),
      /** Initial step size on the unit cube [0, 1]^d. */
      sigma0: positiveNumber().default(0.3),
      population: integerField(2).optional(),
    }),
    z.strictObject({
      type: z.literal('gp'),
      /** Random trials before the Gaussian process takes over. */
      startup_trials: integerField(1, 1000).default(10),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected a sampler of type random, tpe, cmaes or gp' : undefined) },
);
export type SamplerConfig = z.output<typeof samplerSchema>;

/** Pruners stop unpromising trials early from their intermediate (per-epoch) objective values. */
const prunerSchema = z.discriminatedUnion(
  'type',
  [
    /** Stop a trial worse than the median of earlier trials at the same epoch (Optuna's MedianPruner). */
    z.strictObject({ type: z.literal('median'), startup_trials: integerField(1).default(5), warmup_epochs: integerField(0).default(2) }),
    /**
     * Asynchronous successive halving (Li et al. 2020): rungs at min_resource * eta^(s + k)
     * epochs; at a rung a trial goes on only if it is in the top 1/eta of the trials there.
     */
    z.strictObject({
      type: z.literal('asha'),
      min_resource: integerField(1, STUDY_LIMITS.epochs).default(1),
      reduction_factor: integerField(2, 100).default(3),
      min_early_stopping_rate: integerField(0, 100).default(0),
    }),
    /** Hyperband (Li et al. 2018): trials spread over brackets of successive halving with different early-stopping rates. */
    z.strictObject({
      type: z.literal('hyperband'),
      min_resource: integerField(1, STUDY_LIMITS.epochs).default(1),
      /** Epochs of a fully trained trial (default: the base config's max_epochs). */
      max_resource: integerField(1, STUDY_LIMITS.epochs).optional(),
      reduction_factor: integerField(2, 100).default(3),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected a pruner of type median, asha or hyperband' : undefined) },
);
export type PrunerConfig = z.output<typeof prunerSchema>;

const tuneSchema = z.strictObject({
  trials: integerField(1, STUDY_LIMITS.trials).default(50),
  sampler: samplerSchema.default({ type: 'tpe', startup_trials: 10, gamma: 0.1, candidates: 24 }),
  /**
   * Trials in flight at most. Trial k is proposed (and judged by the pruner) from the results
   * of trials 1..k - parallel only, so a study's trials never depend on the number of slots or
   * workers, on timing, or on restarts.
   */
  parallel: integerField(1, 1000).default(4),
  pruning: prunerSchema.nullable().default(null),
});

const gpbtSchema = z
  .strictObject({
    /** Models trained per generation. */
    n: integerField(2, STUDY_LIMITS.members),
    /** Generations. */
    t_max: integerField(1, STUDY_LIMITS.generations),
    /** Ratio c: floor(sqrt(n / c)) parents per generation. */
    c: positiveNumber(),
    /** Epochs per generation. */
    T_g: integerField(1, STUDY_LIMITS.epochs),
    /** Inner sampler proposing children's hyperparameters from their lineage's history. */
    sampler: choice(['tpe', 'random']).default('tpe'),
    /** time: the lineage's history across generations; no-time: only the current generation's siblings. */
    mode: choice(['time', 'no-time']).default('time'),
    /** Stop a child after its first epoch when it is worse than the median of its evaluated siblings. */
    early_stop: z.boolean({ error: 'expected true or false' }).default(true),
  })
  .superRefine((g, context) => {
    if (g.n < g.c) context.addIssue({ code: 'custom', path: ['c'], message: `n (${g.n}) must be at least c (${g.c}) so that there is at least one parent` });
  });
export type GpbtConfig = z.output<typeof gpbtSchema>;

const pbtSchema = z.strictObject({
  n: integerField(2, STUDY_LIMITS.members),
  t_max: integerField(1, STUDY_LIMITS.generations),
  T_g: integerField(1, STUDY_LIMITS.epochs),
  /** Bottom and top fractions for truncation selection. */
  quantile: numberField('a number in (0, 0.5]', (q) => q > 0 && q <= 0.5).default(0.25),
  /** Probability of resampling a hyperparameter instead of perturbing it. */
  resample_probability: fraction().default(0.25),
  /** Perturbation factors for numeric hyperparameters. */
  factors: z.array(positiveNumber()).min(1).default([0.8, 1.2]),
});
export type PbtConfig = z.output<typeof pbtSchema>;

export const studyConfigSchema = z
  .strictObject({
    name: z.string({ error: 'expected a string' }).optional(),
    description: z.string({ error: 'expected a string' }).optional(),
    /** The experiment config (object), or its path relative to the study file. */
    base: z.union([nonEmptyString(), z.record(z.string(), z.unknown())], { error: 'expected a config path or a config object' }),
    /** Dotted field paths of the base config -> how to sample them. */
    space: z.record(z.string(), parameterSchema, { error: 'expected an object of field paths' }),
    objective: z
      .strictObject({
        metric: choice(OBJECTIVE_METRICS).default('val_loss'),
        direction: choice(['minimize', 'maximize']).optional(),
        /**
         * Breaks ties of the objective when trials are ranked (selecting GPBT/PBT parents and
         * every study's winner): default the same split's loss for an accuracy and its accuracy
         * for a loss, so that trials all at val_acc 1.0 are told apart by val_loss.
         */
        secondary: choice(OBJECTIVE_METRICS).optional(),
      })
      .default({ metric: 'val_loss' }),
    seed: integerField(0, STUDY_LIMITS.seed).default(0),
    tune: tuneSchema.optional(),
    gpbt: gpbtSchema.optional(),
    pbt: pbtSchema.optional(),
  })
  .superRefine((s, context) => {
    if (Object.keys(s.space).length === 0) context.addIssue({ code: 'custom', path: ['space'], message: 'the search space is empty' });
    const methods = [s.tune, s.gpbt, s.pbt].filter((m) => m !== undefined).length;
    if (methods > 1) context.addIssue({ code: 'custom', path: ['tune'], message: 'give one of tune, gpbt, pbt' });
  });

export type StudyConfigInput = z.input<typeof studyConfigSchema>;

/** A study config with its base experiment config resolved and checked against the space. */
export interface Objective {
  readonly metric: ObjectiveMetric;
  readonly direction: 'minimize' | 'maximize';
  /** The tie-break metric (lower loss, higher accuracy: see metricDirection). */
  readonly secondary: ObjectiveMetric;
}

export type StudyConfig = Omit<z.output<typeof studyConfigSchema>, 'base' | 'objective'> & {
  readonly base: ExperimentConfig;
  readonly objective: Objective;
};

/** Accuracies are maximised, losses minimised. */
export function metricDirection(metric: ObjectiveMetric): 'minimize' | 'maximize' {
  return metric.endsWith('acc') ? 'maximize' : 'minimize';
}

/** The default tie-break of a metric: the loss of the same split for an accuracy, and vice versa. */
export function defaultSecondary(metric: ObjectiveMetric): ObjectiveMetric {
  return (metric.endsWith('_acc') ? metric.replace(/_acc$/, '_loss') : metric.replace(/_loss$/, '_acc')) as ObjectiveMetric;
}

/** Reads a dotted path of a plain object; undefined when any step is missing. */
export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A copy of `object` with the dotted path set (intermediate objects must exist). */
export function setPath(object: unknown, path: string, value: unknown): unknown {
  const [head, ...rest] = path.split('.');
  const source = object !== null && typeof object === 'object' && !Array.isArray(object) ? (object as Record<string, unknown>) : {};
  return { ...source, [head]: rest.length === 0 ? value : setPath(source[head], rest.join('.'), value) };
}

/** A value of the parameter that the experiment schema should accept (for checking paths). */
function representative(parameter: Parameter): unknown {
  return parameter.type === 'categorical' ? parameter.choices[0] : parameter.low;
}

/**
 * Fields a GPBT/PBT study may not vary: members copy weights (so the model and data stay) and
 * optimizer state, which for CMA-ES carries the population size and step size, and is tied
 * to the optimizer type and strategy variant.
 */
const FIXED_FIELDS_FOR_POPULATIONS = [
  'model.',
  'dataset.',
  'optimizer.type',
  'optimizer.population',
  'optimizer.sigma0',
  'optimizer.variant',
  'optimizer.model',
];

/**
 * Validates a study config. `loadBase` turns a `base` path into the parsed JSON of that file.
 * Every space path must name a field of the base config that the experiment schema accepts
 * with values from the range; errors name `space.<path>...`.
 */
export function parseStudyConfig(value: unknown, loadBase: (path: string) => unknown): StudyConfig {
  const result = studyConfigSchema.safeParse(value, { error: fallbackMessage, reportInput: true });
  if (!result.success) throw fromZodError(result.error);
  const study = result.data;
  let base: ExperimentConfig;
  try {
    base = parseExperimentConfig(typeof study.base === 'string' ? loadBase(study.base) : study.base);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.problems.map((p) => new UserInputError(`base.${p.where}`, p.problem)));
    throw error;
  }
  const problems: UserInputError[] = [];
  for (const [path, parameter] of Object.entries(study.space)) {
    const where = `space.${path}`;
    if (path.split('.').some((part) => part === '')) {
      problems.push(new UserInputError(where, 'not a field path'));
      continue;
    }
    if ((study.gpbt !== undefined || study.pbt !== undefined) && FIXED_FIELDS_FOR_POPULATIONS.some((prefix) => path.startsWith(prefix))) {
      problems.push(
        new UserInputError(
          where,
          path.startsWith('optimizer.')
            ? 'GPBT/PBT members inherit optimizer state, which fixes this field'
            : 'GPBT/PBT members share weights, so the model and data set cannot vary',
        ),
      );
      continue;
    }
    const parentPath = path.split('.').slice(0, -1).join('.');
    const parent = parentPath === '' ? base : getPath(base, parentPath);
    if (parent === undefined || parent === null || typeof parent !== 'object' || Array.isArray(parent)) {
      problems.push(new UserInputError(where, `unknown field path (${parentPath || path} is not a section of the base config)`));
      continue;
    }
    try {
      parseExperimentConfig(setPath(base, path, representative(parameter)));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const own = error.problems.find((p) => p.where === path || p.where.startsWith(`${path}.`) || path.startsWith(`${p.where}.`));
      const message =
        own?.problem === 'unknown field'
          ? 'unknown field path'
          : `the base config does not accept ${describeValue(representative(parameter))} here (${own?.problem ?? error.problems[0]?.message ?? 'invalid'})`;
      problems.push(new UserInputError(where, message));
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const metric = study.objective.metric;
  const direction = study.objective.direction ?? metricDirection(metric);
  const secondary = study.objective.secondary ?? defaultSecondary(metric);
  return { ...study, base, objective: { metric, direction, secondary } };
}

/** The reference study's search spaces, used when `evolab tune` gets a plain experiment config. */
export function defaultSpace(config: ExperimentConfig): Record<string, Parameter> {
  switch (config.optimizer.type) {
    case 'sgd':
      return { 'optimizer.lr': { type: 'loguniform', low: 1e-3, high: 30 } };
    case 'adam':
      return { 'optimizer.lr': { type: 'loguniform', low: 1e-4, high: 1 } };
    case 'cmaes':
    case 'layerwise_cmaes':
      return {
        'optimizer.population': { type: 'int', low: 4, high: 100, log: true },
        'optimizer.sigma0': { type: 'loguniform', low: 0.01, high: 20 },
      };
  }
}

export type TuneConfig = z.output<typeof tuneSchema>;

/** The tune section's defaults (50 trials, TPE, no pruning). */
export function defaultTuneSettings(): TuneConfig {
  return tuneSchema.parse({});
}
