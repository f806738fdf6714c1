// The experiment config: what to train (data set, model), how (optimizer, batches, early
// stopping) and where (compute backend). One schema validates every config that crosses a
// boundary (a JSON file, an API request, the UI form); defaults are filled in here so the
// rest of the code only ever sees a complete, valid config.

import { z } from 'zod';
import { describeValue, fromZodError } from './errors.ts';
import { choice, fallbackMessage, fraction, integerField, nonEmptyString, nonNegativeNumber, numberField, openUnitInterval, positiveNumber } from './fields.ts';

/**
 * Upper bounds on every size a config can ask for, so that a typo (hidden: [1e7]) is refused
 * at the field before anything is stored instead of exhausting a job's memory. They are far
 * above what the networks Evolab trains need; the service also checks a memory estimate
 * against the machine before queueing (src-main/engine/preflight.ts).
 */
export const CONFIG_LIMITS = {
  layers: 16,
  layerWidth: 16_384,
  population: 10_000,
  batchSize: 1_000_000,
  maxEpochs: 1_000_000,
  threads: 256,
  nameLength: 200,
  descriptionLength: 100_000,
  pathLength: 4096,
} as const;

const boundedString = (max: number) => z.string({ error: 'expected a string' }).max(max, { error: `at most ${max} characters` });

const split = z
  .strictObject({
    train: fraction().default(0.6),
    val: fraction().default(0.2),
    test: fraction().default(0.2),
    /** Seed of the stratified split (the same for every run of an experiment). */
    seed: integerField(0).default(42),
  })
  .refine((s) => s.train > 0 && s.val > 0, { error: 'train and val fractions must both be > 0', path: ['train'] })
  .refine((s) => s.train + s.val + s.test <= 1 + 1e-9, { error: 'train + val + test must be at most 1', path: ['test'] });

const mnistLike = {
  split: split.default({ train: 0.6, val: 0.2, test: 0.2, seed: 42 }),
  /** Images are downscaled from 28x28 to size x size by bilinear interpolation. */
  image_size: integerField(2, 28).default(14),
  /** Use the official 10k test file as the test set instead of a split of the 60k file. */
  official_test: z.boolean({ error: 'expected true or false' }).default(false),
};

const dataset = z.discriminatedUnion(
  'name',
  [
    z.strictObject({ name: z.literal('iris'), split: split.default({ train: 0.6, val: 0.2, test: 0.2, seed: 42 }) }),
    z.strictObject({ name: z.literal('mnist'), ...mnistLike }),
    z.strictObject({ name: z.literal('fashion_mnist'), ...mnistLike }),
    z.strictObject({
      name: z.literal('csv'),
      /** Path of the CSV file, relative to the config file's folder when not absolute. */
      path: nonEmptyString().max(CONFIG_LIMITS.pathLength, { error: `at most ${CONFIG_LIMITS.pathLength} characters` }),
      /** Header name of the label column; every other column is a numeric feature. */
      label: nonEmptyString().max(CONFIG_LIMITS.nameLength, { error: `at most ${CONFIG_LIMITS.nameLength} characters` }),
      split: split.default({ train: 0.6, val: 0.2, test: 0.2, seed: 42 }),
      standardize: z.boolean({ error: 'expected true or false' }).default(true),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'expected one of iris, mnist, fashion_mnist, csv' : undefined) },
);

const model = z.strictObject({
  hidden: z
    .array(integerField(1, CONFIG_LIMITS.layerWidth), { error: 'expected a list of layer sizes, e.g. [10]' })
    .max(CONFIG_LIMITS.layers, { error: `at most ${CONFIG_LIMITS.layers} hidden layers` })
    .default([10]),
  activation: choice(['sigmoid', 'relu', 'tanh']).default('sigmoid'),
});

const strategyFields = {
  /** Population size lambda; default 4 + floor(3 ln d) (Hansen 2016, Table 1). */
  population: integerField(2, CONFIG_LIMITS.population).optional(),
  sigma0: positiveNumber().default(0.5),
  /** full: classic CMA-ES; maes: matrix adaptation ES (no eigendecomposition); sep: diagonal. */
  variant: choice(['auto', 'full', 'maes', 'sep']).default('auto'),
  /** Which point becomes the model after each generation. */
  model: choice(['mean', 'best']).default('mean'),
};

const optimizer = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('sgd'),
      lr: positiveNumber(),
      momentum: fraction().default(0),
    }),
    z.strictObject({
      type: z.literal('adam'),
      lr: positiveNumber().default(0.001),
      beta1: openUnitInterval().default(0.9),
      beta2: openUnitInterval().default(0.999),
      eps: positiveNumber().default(1e-8),
    }),
    z.strictObject({ type: z.literal('cmaes'), ...strategyFields }),
    z.strictObject({ type: z.literal('layerwise_cmaes'), ...strategyFields }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? // The input is the whole optimizer object; its `type` is what is unknown.
          `unknown optimizer type ${describeValue((issue.input as { type?: unknown } | undefined)?.type)}: expected one of sgd, adam, cmaes, layerwise_cmaes`
        : undefined,
  },
);

const earlyStopping = z.strictObject({
  patience: integerField(1, CONFIG_LIMITS.maxEpochs),
  /** Improvement means val_loss < best - min_delta. */
  min_delta: nonNegativeNumber().default(0),
});

const training = z.strictObject({
  batch_size: integerField(1, CONFIG_LIMITS.batchSize),
  max_epochs: integerField(1, CONFIG_LIMITS.maxEpochs),
  /** Omit (or null) to train for max_epochs; the best weights are restored when present. */
  early_stopping: earlyStopping.nullable().default(null),
});

const compute = z.strictObject({
  /**
   * auto: a hardware WebGPU adapter, else tfjs-node-gpu when installed and working, else WASM
   * kernels, else plain JS. webgpu: WebGPU by name (software adapters and a headless Chromium too).
   */
  backend: choice(['auto', 'js', 'wasm', 'gpu', 'webgpu']).default('auto'),
  /** Threads that share each generation's population: 'auto' (the machine's cores, at most 8) or a count. */
  threads: z
    .union(
      [
        z.literal('auto'),
        numberField(`"auto" or an integer in [1, ${CONFIG_LIMITS.threads}]`, (n) => Number.isInteger(n) && n >= 1 && n <= CONFIG_LIMITS.threads),
      ],
      { error: (issue) => `expected "auto" or an integer in [1, ${CONFIG_LIMITS.threads}], got ${describeValue(issue.input)}` },
    )
    .default('auto'),
});

export const experimentConfigSchema = z.strictObject({
  /** Optional human name; results are named <dataset>.<optimizer>. */
  name: boundedString(CONFIG_LIMITS.nameLength).optional(),
  /** Free text: where the settings come from, what changed and why. */
  description: boundedString(CONFIG_LIMITS.descriptionLength).optional(),
  dataset,
  model: model.default({ hidden: [10], activation: 'sigmoid' }),
  optimizer,
  training,
  compute: compute.default({ backend: 'auto', threads: 'auto' }),
});

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type DatasetConfig = ExperimentConfig['dataset'];
export type SplitConfig = DatasetConfig['split'];
export type ModelConfig = ExperimentConfig['model'];
export type OptimizerConfig = ExperimentConfig['optimizer'];
export type OptimizerType = OptimizerConfig['type'];
export type StrategyOptimizerConfig = Extract<OptimizerConfig, { type: 'cmaes' | 'layerwise_cmaes' }>;

/** Evolution strategies evaluate a population per step (what compute.threads shares out); gradient methods do not. */
export function isStrategyOptimizer(optimizer: OptimizerConfig): optimizer is StrategyOptimizerConfig {
  return optimizer.type === 'cmaes' || optimizer.type === 'layerwise_cmaes';
}
export type TrainingConfig = ExperimentConfig['training'];
export type Activation = ModelConfig['activation'];
export type StrategyVariant = StrategyOptimizerConfig['variant'];

/** Validates an experiment config (already parsed from JSON); throws ValidationError naming each bad field. */
export function parseExperimentConfig(value: unknown): ExperimentConfig {
  const result = experimentConfigSchema.safeParse(value, { error: fallbackMessage, reportInput: true });
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

/** The name results are filed under: `<dataset>` of `<dataset>.<optimizer>.csv`. */
export function datasetLabel(config: ExperimentConfig): string {
  if (config.dataset.name !== 'csv') return config.dataset.name;
  const file = config.dataset.path.split(/[\\/]/).pop() ?? 'csv';
  return file.replace(/\.[^.]*$/, '') || 'csv';
}
