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
import { ProgressLine } from './progress.ts';

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
  const services = boot({ databasePath: databasePath(options) });
  let url: string | null;
  try {
    url = services.store.serviceHolder()?.url ?? null;
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

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 90) return `, about ${Math.round(seconds)} s left`;
  return seconds < 5400 ? `, about ${Math.round(seconds / 60)} min left` : `, about ${(seconds / 3600).toFixed(1)} h left`;
}

/** Follows a study until it ends, printing each finished trial (and a progress line on a terminal). */
async function follow(api: AppApi, id: number, quiet: boolean, wait: () => Promise<void>, stopped: Promise<never>): Promise<StudyDetail> {
  const progress = new ProgressLine();
  const reported = new Set<number>();
  for (;;) {
    const study = await api.getStudy({ id });
    for (const trial of study.trialList) {
      if (trial.status === 'running' || reported.has(trial.number)) continue;
      reported.add(trial.number);
      if (quiet) continue;
      progress.clear();
      const where = study.kind === 'tune' ? `trial ${trial.number}` : `trial ${trial.number} (generation ${trial.generation}, member ${trial.member})`;
      process.stdout.write(`${where}: ${trial.status} ${study.objective.metric} ${trial.value ?? 'n/a'}  ${JSON.stringify(trial.params)}\n`);
    }
    if (!quiet) progress.update(`study ${id}: ${study.finishedTrials}/${study.budget} trials, best ${study.bestValue ?? '-'}${duration(study.etaSeconds)}`);
    if (FINISHED.has(study.status)) {
      progress.clear();
      return study;
    }
    await Promise.race([wait(), stopped]);
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
      process.stdout.write(`study ${created.id} runs in the Evolab service at ${url}${options.slots !== undefined ? ' (--slots applies to a study run by this command, not to that service)' : ''}; Ctrl-C stops following it, not the study\n`);
      return await follow(api, created.id, options.quiet ?? false, () => new Promise((resolve) => setTimeout(resolve, 500)), stopped);
    }
    const { boot, SERVING_BUSY_TIMEOUT_MS } = await import('../services/boot.ts');
    const services = boot({ databasePath: databasePath(options), busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS });
    try {
      // The override comes first: start() launches runs at once, up to the slot count.
      if (options.slots !== undefined) services.scheduler.overrideSlots(options.slots);
      services.start();
      await services.studiesReady();
      const api = services.service;
      const created = await api.createStudy({ config: study, ...(options.name !== undefined ? { name: options.name } : {}), start: true, resume: true });
      if (!(options.quiet ?? false)) process.stdout.write(`study ${created.id}: ${created.method}, objective ${created.objective.direction} ${created.objective.metric}${created.finishedTrials > 0 ? ` (continuing: ${created.finishedTrials} of ${created.budget} trials finished)` : ''}\n`);
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
