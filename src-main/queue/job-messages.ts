// The messages between the service and a job process, and their schemas. A job process is
// a separate program, so what it sends is checked like any other input before the service
// writes it. Checkpoints travel as JSON text, stored as they come.

import { z } from 'zod';
import { EPOCH_METRICS } from '../../src-shared/api.ts';

/** Service -> job: the one message a job receives. */
export interface StartJob {
  readonly type: 'start';
  readonly runId: number;
  /** The experiment config as stored (validated again in the job). */
  readonly config: unknown;
  readonly seed: number;
  /** RunCheckpoint JSON to resume from, or null to start afresh. */
  readonly checkpoint: string | null;
  /** Threads for population evaluation in this job. */
  readonly threads: number;
  /** Send a checkpoint after the last epoch too (its weights seed other runs). */
  readonly keepFinalCheckpoint: boolean;
}

const finiteOrNull = z.number().nullable();

const epochMetrics = z.strictObject(
  Object.fromEntries(EPOCH_METRICS.map((name) => [name, finiteOrNull])) as Record<(typeof EPOCH_METRICS)[number], typeof finiteOrNull>,
);

export const jobMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('started'),
    backend: z.string(),
    optimizer: z.string(),
    parameterCount: z.number().int().nonnegative(),
    notes: z.array(z.string()),
  }),
  z.strictObject({
    type: z.literal('epoch'),
    epoch: z.number().int().positive(),
    metrics: epochMetrics,
    /** null after the last epoch (the run is finishing). */
    checkpoint: z.string().nullable(),
  }),
  z.strictObject({
    type: z.literal('done'),
    time: z.number(),
    final: z.strictObject({
      train_loss: finiteOrNull,
      train_acc: finiteOrNull,
      val_loss: finiteOrNull,
      val_acc: finiteOrNull,
      test_loss: finiteOrNull,
      test_acc: finiteOrNull,
    }),
    modelEvals: z.number().int().nonnegative(),
    gradEvals: z.number().int().nonnegative(),
    epochsRun: z.number().int().nonnegative(),
    bestEpoch: z.number().int().nonnegative(),
    stoppedEarly: z.boolean(),
  }),
  z.strictObject({ type: z.literal('error'), message: z.string() }),
]);

/** Job -> service. */
export type JobMessage = z.infer<typeof jobMessageSchema>;
export type EpochMessage = Extract<JobMessage, { type: 'epoch' }>;
export type DoneMessage = Extract<JobMessage, { type: 'done' }>;

/**
 * Job -> desktop app, outside the run's messages: open a hidden window on this WebGPU device
 * page (a page the job's device thread serves on 127.0.0.1 under a random path) because the
 * job process has no WebGPU adapter of its own. Only the Electron job host acts on it.
 */
export const webGpuWindowMessageSchema = z.strictObject({
  type: z.literal('webgpu-window'),
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}\/[0-9a-f]{32}\/webgpu-device\.html$/, 'expected the local WebGPU device page'),
});
export type WebGpuWindowMessage = z.infer<typeof webGpuWindowMessageSchema>;
