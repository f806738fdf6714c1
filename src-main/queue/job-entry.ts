// The program a job process runs: wait for one `start` message, train that run (resuming
// from its checkpoint if one came), and report back after every epoch with the epoch's
// metrics and a checkpoint, then the final metrics. It never touches the database.
// Between epochs it hands control back to the event loop until each message has been
// written, so progress reaches the service live even when checkpoints are large. If the
// service dies (kill -9), the job notices (its parent changes or the channel closes) and
// exits instead of training for nobody.

import { isStrategyOptimizer, parseExperimentConfig } from '../../src-shared/config/experiment.ts';
import { recordToWire } from '../../src-shared/metric-codec.ts';
import { createBackend } from '../engine/compute/select.ts';
import { loadSplits } from '../engine/data/load.ts';
import { checkMemory, thisMachine } from '../engine/preflight.ts';
import { type RunCheckpoint, RunTrainer } from '../engine/train.ts';
import type { JobMessage, StartJob, WebGpuWindowMessage } from './job-messages.ts';

const parentAtStart = process.ppid;

/** In an Electron utilityProcess the channel is process.parentPort instead of process.send. */
interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: JobMessage): Promise<void> {
  if (parentPort !== undefined) {
    parentPort.postMessage(message);
    // A turn of the event loop, so the message leaves before the next epoch blocks this thread
    // (a WebGPU backend waits on an Atomics flag) or before the process exits.
    return new Promise((resolve) => setImmediate(resolve));
  }
  return new Promise((resolve, reject) => {
    if (process.send === undefined || !process.connected) {
      reject(new Error('no connection to the Evolab service'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

function orphaned(): boolean {
  return process.ppid !== parentAtStart || (parentPort === undefined && !process.connected);
}

async function runJob(job: StartJob): Promise<void> {
  const config = parseExperimentConfig(job.config);
  const splits = loadSplits(config.dataset);
  // Now that the data are loaded (a CSV's shape is known) and on the machine that trains:
  // refuse a run that cannot fit in memory rather than be killed half-way.
  const machine = thisMachine();
  const rows = splits.train.size + splits.val.size + splits.test.size;
  const shape = { rows, splitRows: rows, features: splits.train.features, classes: splits.train.classes };
  const problems = checkMemory(config, shape, machine);
  if (problems.length > 0) throw new Error(`out of memory before starting: config.${problems[0].message}`);
  const wanted = config.compute.threads === 'auto' ? job.threads : config.compute.threads;
  // Only evolution strategies share a population out to threads.
  const threads = isStrategyOptimizer(config.optimizer) ? Math.min(wanted, machine.cores) : 1;
  // In the desktop app a job without a WebGPU adapter of its own can borrow a hidden window's.
  const port = parentPort;
  const openWindow = port === undefined ? undefined : (url: string) => port.postMessage({ type: 'webgpu-window', url } satisfies WebGpuWindowMessage);
  const { backend, notes } = await createBackend(config.compute.backend, threads, { openWindow });
  const resume = job.checkpoint === null ? undefined : (JSON.parse(job.checkpoint) as RunCheckpoint);
  if (resume !== undefined && resume.format !== 'evolab-run-checkpoint/1') throw new Error('unknown checkpoint format');
  const trainer = new RunTrainer(config, splits, job.seed, backend, resume);
  await send({ type: 'started', backend: backend.name, optimizer: trainer.description, parameterCount: trainer.parameterCount, notes: [...notes] });
  while (!trainer.finished) {
    const m = trainer.runEpoch();
    if (orphaned()) process.exit(3);
    await send({
      type: 'epoch',
      epoch: m.epoch,
      metrics: recordToWire({
        train_loss: m.train_loss,
        train_acc: m.train_acc,
        val_loss: m.val_loss,
        val_acc: m.val_acc,
        elapsed_s: m.elapsed_s,
        model_evals: m.model_evals,
        grad_evals: m.grad_evals,
      }),
      checkpoint: trainer.finished && !job.keepFinalCheckpoint ? null : JSON.stringify(trainer.checkpoint()),
    });
  }
  const result = trainer.result();
  const f = result.final;
  await send({
    type: 'done',
    time: result.time,
    final: recordToWire(f),
    modelEvals: result.model_evals,
    gradEvals: result.grad_evals,
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
  });
}

/** A failed typed-array allocation is the job running out of memory: say so in words. */
function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && /allocation failed|Invalid (typed )?array length|Invalid string length/i.test(message)) {
    return `job process ran out of memory: ${message}`;
  }
  return message;
}

function start(job: StartJob): void {
  runJob(job).then(
    () => process.exit(0),
    async (error: unknown) => {
      const message = describeError(error);
      try {
        await send({ type: 'error', message });
      } finally {
        process.exit(1);
      }
    },
  );
}

if (parentPort !== undefined) {
  let started = false;
  parentPort.on('message', ({ data }) => {
    if (!started) {
      started = true;
      start(data as StartJob);
    }
  });
} else {
  process.on('disconnect', () => process.exit(3));
  process.once('message', (job: StartJob) => start(job));
}
