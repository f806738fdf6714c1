// Worker thread of the parallel population evaluation (parallel-backend.ts): it owns its own
// compute backend (with its own WASM instance), takes a share of the candidates of each
// generation from shared memory, and signals completion through an Atomics flag so that the
// main thread can wait for it synchronously.

import { parentPort, workerData } from 'node:worker_threads';
import { mlpLayout } from '../model/mlp.ts';
import { type BackendPreference, createBackend } from './select.ts';
import type { PopulationJob } from './parallel-backend.ts';

interface WorkerOptions {
  readonly preference: BackendPreference;
}

const port = parentPort;
if (port === null) throw new Error('population-worker.ts must run as a worker thread');
const { preference } = workerData as WorkerOptions;
const { backend } = await createBackend(preference);

port.on('message', (job: PopulationJob) => {
  const layout = mlpLayout(job.sizes[0], job.sizes.slice(1, -1), job.sizes[job.sizes.length - 1], job.activation);
  const out = new Float64Array(job.losses, 0, job.count);
  let status = 1;
  try {
    backend.populationLosses({
      layout,
      base: new Float32Array(job.base, 0, layout.parameterCount),
      varying: job.varying,
      candidates: new Float32Array(job.candidates, job.candidateOffset * 4, job.count * job.candidateSize),
      count: job.count,
      batch: { x: new Float32Array(job.x, 0, job.rows * job.sizes[0]), y: new Int32Array(job.y, 0, job.rows), rows: job.rows },
      out,
    });
  } catch {
    status = 2; // the main thread turns this into an error it can report
  }
  const flag = new Int32Array(job.flag);
  Atomics.store(flag, 0, status);
  Atomics.notify(flag, 0);
});
port.postMessage({ ready: true, name: backend.name });
