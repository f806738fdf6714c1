// `evolab queue add|ls|cancel|retry|move|pause|resume|slots`: put experiments in the queue
// and manage it. These commands only edit the database; the queue runs in `evolab serve` or
// the desktop app, which pick the changes up within a second.

import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { describeCommand } from './commands.ts';
import type { QueueState, RunSummary } from '../../src-shared/api.ts';
import { databaseOption, type DatabaseOptions, withServices, withServicesCreating } from './database-option.ts';
import { integerOption, nonNegativeInteger, positiveInteger } from './options.ts';
import { formatNumber, textTable } from './text-table.ts';

interface AddOptions extends DatabaseOptions {
  readonly runs: number;
  readonly name?: string;
  readonly tag: string[];
  readonly notes?: string;
  readonly priority: number;
  readonly firstSeed: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** Progress of a running run, with an ETA from its pace since it started. */
function progress(run: RunSummary): string {
  if (run.status === 'done') return `${run.epoch}/${run.maxEpochs}`;
  const percent = run.maxEpochs > 0 ? Math.floor((100 * run.epoch) / run.maxEpochs) : 0;
  let eta = '';
  if (run.status === 'running' && run.startedAt !== null && run.epoch > 0) {
    const elapsed = (Date.now() - Date.parse(run.startedAt)) / 1000;
    eta = ` eta ${duration((elapsed / run.epoch) * (run.maxEpochs - run.epoch))}`;
  }
  return `${run.epoch}/${run.maxEpochs} (${percent}%)${eta}`;
}

export function queueTable(runs: readonly RunSummary[]): string {
  const rows = runs.map((r) => [
    String(r.id),
    `${r.experimentName} #${r.index}`,
    r.status,
    String(r.seed),
    String(r.priority),
    progress(r),
    formatNumber(r.final?.test_acc),
    (r.backend ?? '-').split(' ')[0],
    (r.error ?? '').slice(0, 60),
  ]);
  return textTable(['run', 'experiment', 'status', 'seed', 'prio', 'epoch', 'test_acc', 'backend', 'error'], rows, 3);
}

function queueSummary(state: QueueState): string {
  const c = state.counts;
  const status = state.storage !== null ? 'STOPPED' : state.paused ? 'PAUSED' : 'active';
  const line = `queue ${status}, ${state.slots} slot(s): ${c.running} running, ${c.pending + c.interrupted} waiting (${c.interrupted} interrupted), ${c.done} done, ${c.failed} failed, ${c.cancelled} cancelled`;
  if (state.storage === null) return line;
  return `${line}\nstopped since ${state.storage.since}: ${state.storage.problem}. Nothing received is lost; the queue resumes once the database can be written (or: evolab queue resume)`;
}

/**
 * The queue as the process running it sees it (a storage problem lives in that process: it
 * cannot be written into the database), asked over its HTTP API; null when no service
 * answers (none runs, it wants a token, or it runs a study from the CLI).
 */
async function liveQueueState(url: string): Promise<QueueState | null> {
  try {
    const response = await fetch(`${url}/api/getQueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return null;
    return ((await response.json()) as { result: QueueState }).result;
  } catch {
    return null;
  }
}

export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description(describeCommand('queue'));

  queue
    .command('add')
    .description('create an experiment from a config and queue its runs')
    .argument('<config>', 'experiment config (JSON)')
    .option('-n, --runs <n>', 'number of runs (run i uses seed first-seed + i)', positiveInteger, 1)
    .option('--name <name>', 'experiment name (default: the config\'s name, else "<dataset> <optimizer>")')
    .option('--tag <tag>', 'a tag (repeat for several)', collect, [])
    .option('--notes <text>', 'free-text notes')
    .option('--priority <p>', 'higher starts first; equal priorities first-in first-out', integerOption, 0)
    .option('--first-seed <seed>', 'seed of the first run', nonNegativeInteger, 0)
    .addOption(databaseOption())
    .addHelpText('after', '\nExample:\n  evolab queue add resources/configs/iris_adam.json --runs 25 --name "iris adam baseline" --tag baseline')
    .action(async (configPath: string, options: AddOptions) => {
      const { readExperimentConfig, withAbsoluteDatasetPath } = await import('./read-config.ts');
      const config = withAbsoluteDatasetPath(readExperimentConfig(configPath), dirname(resolve(configPath)));
      await withServicesCreating(options, async ({ service, store }) => {
        const experiment = await service.createExperiment({
          config,
          runs: options.runs,
          tags: options.tag,
          priority: options.priority,
          firstSeed: options.firstSeed,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.notes !== undefined ? { notes: options.notes } : {}),
        });
        process.stdout.write(`experiment ${experiment.id} "${experiment.name}": ${experiment.runsTotal} run(s) queued\n`);
        process.stdout.write(
          store.kind === 'postgres'
            ? 'runs start when an `evolab worker` of this store takes them\n'
            : 'runs start while `evolab serve` (or the desktop app) is running\n',
        );
      });
    });

  queue
    .command('ls')
    .description('running runs (with progress), waiting runs in start order, and recently finished ones')
    .option('--finished <n>', 'how many recently finished runs to show', nonNegativeInteger, 10)
    .addOption(databaseOption())
    .action(async (options: DatabaseOptions & { finished: number }) => {
      await withServices(options, async ({ service, store }) => {
        const url = (await store.serviceHolder())?.url ?? null;
        const state = (url !== null ? await liveQueueState(url) : null) ?? (await service.getQueue({}));
        const finished = await store.runs.recentlyFinished(options.finished);
        process.stdout.write(`${queueSummary(state)}\n\n`);
        const runs = [...state.running, ...state.waiting, ...finished];
        process.stdout.write(runs.length === 0 ? 'the queue is empty\n' : `${queueTable(runs)}\n`);
      });
    });

  const runAction = (name: 'cancel' | 'retry', description: string): void => {
    queue
      .command(name)
      .description(description)
      .argument('<run-id>', 'run id (see evolab queue ls)', positiveInteger)
      .addOption(databaseOption())
      .action(async (runId: number, options: DatabaseOptions) => {
        await withServices(options, async ({ service }) => {
          const run = name === 'cancel' ? await service.cancelRun({ runId }) : await service.retryRun({ runId });
          process.stdout.write(`run ${run.id}: ${run.status}\n`);
        });
      });
  };
  runAction('cancel', 'cancel a waiting or running run (a running job is stopped at once)');
  runAction('retry', 'queue a failed, cancelled or interrupted run again, from scratch');

  queue
    .command('move')
    .description('reorder a waiting run: to the top, the bottom, or before another run')
    .argument('<run-id>', 'run id', positiveInteger)
    .option('--top', 'start it next')
    .option('--bottom', 'start it last')
    .option('--before <run-id>', 'start it just before this run', positiveInteger)
    .addOption(databaseOption())
    .action(async (runId: number, options: DatabaseOptions & { top?: boolean; bottom?: boolean; before?: number }) => {
      const to = options.before !== undefined ? { before: options.before } : options.bottom ? 'bottom' : 'top';
      await withServices(options, async ({ service }) => {
        const state = await service.moveRun({ runId, to });
        process.stdout.write(`${queueTable(state.waiting)}\n`);
      });
    });

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    queue
      .command(name)
      .description(paused ? 'start no new runs (running ones finish)' : 'start runs again')
      .addOption(databaseOption())
      .action(async (options: DatabaseOptions) => {
        await withServicesCreating(options, async ({ service }) => {
          const state = paused ? await service.pauseQueue({}) : await service.resumeQueue({});
          process.stdout.write(`${queueSummary(state)}\n`);
        });
      });
  }

  queue
    .command('slots')
    .description('how many runs may run at once')
    .argument('<n>', 'number of slots', positiveInteger)
    .addOption(databaseOption())
    .action(async (slots: number, options: DatabaseOptions) => {
      await withServicesCreating(options, async ({ service }) => {
        process.stdout.write(`${queueSummary(await service.setSlots({ slots }))}\n`);
      });
    });
}
