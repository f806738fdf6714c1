// What `evolab tune`, `gpbt` and `pbt` do once they have read a study config: they are thin
// clients of the study service. When a process holds the queue of this database and answers
// over HTTP (`evolab serve`, recorded in the database), the study is handed to it and
// followed there; otherwise this process runs the service itself (queue, job processes, the
// study), until the study ends. Either way a study of the same config that did not finish is
// continued rather than started again. Ctrl-C in-process stops here; the study resumes when
// `evolab serve`, the app or the same command runs next.

import type { AppApi, StudyDetail } from '../../src-shared/api.ts';
import { apiClient } from '../../src-shared/api-client.ts';
import { ApiError, type ApiErrorBody } from '../../src-shared/api-errors.ts';
import type { StudyConfig } from '../../src-shared/config/study.ts';
import { databasePath, type DatabaseOptions } from './database-option.ts';
import { Progress, type ProgressBar, timesText } from './progress.ts';
import { formatNumber, paramsText } from './text-table.ts';

export interface StudyRunOptions extends DatabaseOptions {
  readonly slots?: number;
  readonly name?: string;
  readonly quiet?: boolean;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** The AppApi of a serving process at `url` (no events: the client polls). */
export function remoteApi(url: string): AppApi {
  return apiClient(
    async (method, request) => {
      const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      const body = (await response.json().catch(() => null)) as { result?: unknown; error?: ApiErrorBody } | null;
      if (body?.error !== undefined) throw ApiError.fromBody(body.error);
      if (!response.ok || body === null) throw new ApiError('internal', `${url} answered ${response.status}`);
      return body.result;
    },
    () => () => {},
  );
}

/** The address of the live process holding this database's queue, if it answers. */
export async function servingUrl(options: DatabaseOptions): Promise<string | null> {
  const { boot } = await import('../services/boot.ts');
  const services = await boot({ databasePath: databasePath(options) });
  let url: string | null;
  try {
    url = (await services.store.serviceHolder())?.url ?? null;
  } finally {
    await services.shutdown();
  }
  if (url === null) return null;
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? url : null;
  } catch {
    return null;
  }
}

/** The study's pick once it has chosen, else its best finished trial so far. */
function leading(study: StudyDetail): { number: number; value: number } | null {
  const sign = study.objective.direction === 'minimize' ? 1 : -1;
  let best: { number: number; value: number } | null = null;
  for (const t of study.trialList) {
    if (t.value === null || !Number.isFinite(t.value) || t.status !== 'done') continue;
    if (t.number === study.bestTrial) return { number: t.number, value: t.value };
    if (best === null || sign * t.value < sign * best.value) best = { number: t.number, value: t.value };
  }
  return best;
}

/**
 * Follows a study until it ends: a line for each finished trial ("trial 3 done: ... [4/20, 0:42
 * elapsed, ETA 2:10]": its per-study number, then how many are finished) and, on a terminal, a bar with trials k/N, the best so far
 * and the ETA (the service's estimate, which knows how many trials run at once).
 */
async function follow(api: AppApi, id: number, quiet: boolean, wait: () => Promise<void>, stopped: Promise<never>): Promise<StudyDetail> {
  const progress = new Progress({ quiet });
  const reported = new Set<number>();
  let bar: ProgressBar | null = null;
  try {
    for (;;) {
      const study = await api.getStudy({ id });
      bar ??= progress.bar(`study ${id}`, study.budget, 'trials');
      for (const trial of study.trialList) {
        if (trial.status === 'running' || reported.has(trial.number)) continue;
        reported.add(trial.number);
        const where = study.kind === 'tune' ? `trial ${trial.number}` : `trial ${trial.number} (generation ${trial.generation}, member ${trial.member})`;
        const counts = `${reported.size}/${study.budget}, ${timesText(bar.elapsedSeconds(), study.etaSeconds)}`;
        progress.line(`${where} ${trial.status}: ${study.objective.metric} ${formatNumber(trial.value)}  ${paramsText(trial.params)}  [${counts}]`);
      }
      const running = study.trialList.filter((t) => t.status === 'running').length;
      const leader = leading(study);
      const best = leader === null ? 'best -' : `best ${study.objective.metric} ${formatNumber(leader.value)} (trial ${leader.number})`;
      bar.update(reported.size, { detail: `${best}  ${running} running`, etaSeconds: study.etaSeconds });
      if (FINISHED.has(study.status)) return study;
      await Promise.race([wait(), stopped]);
    }
  } finally {
    progress.stop();
  }
}

/** Runs (or hands over) the study and resolves with it once it has ended. */
export async function runStudy(study: StudyConfig, options: StudyRunOptions): Promise<StudyDetail> {
  let stop = (): void => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(new Interrupted());
  });
  stopped.catch(() => undefined);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const url = await servingUrl(options);
    if (url !== null) {
      const api = remoteApi(url);
      const created = await api.createStudy({ config: study, ...(options.name !== undefined ? { name: options.name } : {}), start: true, resume: true });
      process.stdout.write(
        `study ${created.id} runs in the Evolab service at ${url}${options.slots !== undefined ? ' (--slots applies to a study run by this command, not to that service)' : ''}; Ctrl-C stops following it, not the study\n`,
      );
      return await follow(api, created.id, options.quiet ?? false, () => new Promise((resolve) => setTimeout(resolve, 500)), stopped);
    }
    const { boot, SERVING_BUSY_TIMEOUT_MS } = await import('../services/boot.ts');
    const services = await boot({ databasePath: databasePath(options), busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS });
    try {
      // The override comes first: start() launches runs at once, up to the slot count.
      if (options.slots !== undefined) await services.scheduler.overrideSlots(options.slots);
      await services.start();
      await services.studiesReady();
      const api = services.service;
      const created = await api.createStudy({ config: study, ...(options.name !== undefined ? { name: options.name } : {}), start: true, resume: true });
      if (!(options.quiet ?? false))
        process.stdout.write(
          `study ${created.id}: ${created.method}, objective ${created.objective.direction} ${created.objective.metric}${created.finishedTrials > 0 ? ` (continuing: ${created.finishedTrials} of ${created.budget} trials finished)` : ''}\n`,
        );
      // Wake on the study's own events; poll as a fallback.
      let wake = (): void => {};
      const unsubscribe = api.subscribe((event) => {
        if (event.type === 'study' && event.study.id === created.id) wake();
      });
      try {
        return await follow(
          api,
          created.id,
          options.quiet ?? false,
          () =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            }),
          stopped,
        );
      } finally {
        unsubscribe();
      }
    } finally {
      await services.shutdown();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
