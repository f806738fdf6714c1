// Worker thread that reads result files for the service (result-reader.ts): one file per
// message, answered with the parsed group or the file's problem. It runs with its own heap
// limit, so a pathological file ends this worker, not the process serving the API.

import { parentPort, workerData } from 'node:worker_threads';
import type { UserFileLimits } from '../files/user-file.ts';
import { readInThisThread } from './read-results.ts';

export interface ReadRequest {
  readonly id: number;
  readonly path: string;
}

const port = parentPort;
if (port === null) throw new Error('result-reader-worker.ts must run as a worker thread');
const read = readInThisThread((workerData as { limits: UserFileLimits }).limits);

port.on('message', (request: ReadRequest) => {
  read(request.path).then(
    (result) => port.postMessage({ id: request.id, result }),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
