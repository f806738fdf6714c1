// Reads result files off the service's main thread: a worker thread (result-reader-worker.ts)
// streams and parses one file at a time under its own heap limit. If a file makes the worker
// die (out of memory), that file is reported with the reason and a fresh worker reads the
// rest, so one bad file never stops the valid ones beside it.

import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UserFileLimits } from '../files/user-file.ts';
import { formatBytes } from '../files/user-file.ts';
import { workerScript } from '../files/worker-script.ts';
import { type ReadResult, type ResultFileReader, type ResultFolder, type ResultProblem, readResultFolder } from './read-results.ts';
import type { ReadRequest } from './result-reader-worker.ts';

/** Heap of the reading worker: far above what a result file within the size cap needs. */
const WORKER_HEAP_MB = 1024;

interface Answer {
  readonly id: number;
  readonly result?: ReadResult | ResultProblem;
  readonly error?: string;
}

export class WorkerResultReader {
  private readonly limits: UserFileLimits;
  private worker: Worker | null = null;
  private nextId = 1;
  private pending: { id: number; path: string; resolve: (r: ReadResult | ResultProblem) => void; reject: (e: Error) => void } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(limits: UserFileLimits) {
    this.limits = limits;
  }

  /** The reader to hand to readResultFolder: one file at a time, in the worker. */
  readonly read: ResultFileReader = (path) => {
    const next = this.queue.then(() => this.readOne(path));
    this.queue = next.catch(() => undefined);
    return next;
  };

  private start(): Worker {
    const worker = new Worker(workerScript(import.meta.url, 'result-reader-worker'), {
      workerData: { limits: this.limits },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.on('message', (answer: Answer) => {
      const pending = this.pending;
      if (pending === null || answer.id !== pending.id) return;
      this.pending = null;
      if (answer.result !== undefined) pending.resolve(answer.result);
      else pending.reject(new Error(answer.error ?? 'the result reader failed'));
    });
    const died = (reason: string): void => {
      if (this.worker === worker) this.worker = null;
      const pending = this.pending;
      this.pending = null;
      pending?.resolve({ file: basename(pending.path), problem: reason });
    };
    worker.on('error', (error: Error & { code?: string }) => {
      died(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `reading it needs more than ${formatBytes(WORKER_HEAP_MB * 1024 * 1024)} of memory; left out`
          : `could not be read (${error.message})`,
      );
    });
    worker.on('exit', (code) => died(`could not be read (the reader stopped with code ${code})`));
    worker.unref();
    return worker;
  }

  private readOne(path: string): Promise<ReadResult | ResultProblem> {
    this.worker ??= this.start();
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, path, resolve, reject };
      worker.ref();
      worker.postMessage({ id, path } satisfies ReadRequest);
    }).finally(() => worker.unref()) as Promise<ReadResult | ResultProblem>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker !== null) await worker.terminate();
  }
}

/** Every result file of a folder, read in a worker thread (see readResultFolder). */
export async function readResultFolderInWorker(folder: string, limits: UserFileLimits): Promise<ResultFolder> {
  const reader = new WorkerResultReader(limits);
  try {
    return await readResultFolder(folder, reader.read);
  } finally {
    await reader.close();
  }
}
