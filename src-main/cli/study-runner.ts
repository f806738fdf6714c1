// Runs a study from the CLI: this process takes the database's queue (as `evolab serve`
// does), so trials run as job processes in parallel slots. Ctrl-C stops the jobs; a tuning
// study resumes when the same command runs again (GPBT/PBT start a new study: see
// study-common.ts abandonUnfinished).

import { QueueExecutor } from '../hpo/queue-executor.ts';
import type { TrialExecutor } from '../hpo/executor.ts';
import { boot, SERVING_BUSY_TIMEOUT_MS, type Services } from '../services/boot.ts';
import { databasePath, type DatabaseOptions } from './database-option.ts';

export interface StudyRunOptions extends DatabaseOptions {
  readonly slots?: number;
  readonly quiet?: boolean;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export async function withQueue<T>(options: StudyRunOptions, work: (services: Services, executor: TrialExecutor, parallel: number) => Promise<T>): Promise<T> {
  const services = boot({ databasePath: databasePath(options), busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS });
  let stop = (): void => {};
  const interrupted = new Promise<never>((_, reject) => {
    stop = () => reject(new Interrupted());
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // The override comes first: start() launches runs at once, up to the slot count.
    if (options.slots !== undefined) services.scheduler.overrideSlots(options.slots);
    services.start();
    const parallel = services.scheduler.state().slots;
    const executor = new QueueExecutor(services.store, services.scheduler, services.service);
    return await Promise.race([work(services, executor, parallel), interrupted]);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await services.shutdown();
  }
}
