// How many runs run at once by default, and how many threads each gets. CPU jobs: one slot
// per core (at most 8), one population thread each, so slots x threads never oversubscribes
// the machine. With the optional GPU package installed, two slots: GPU jobs share one device,
// and a second job keeps it busy while the first does its CPU-side work (batching, metrics).

import { availableParallelism } from 'node:os';
import { gpuPackageInstalled } from '../engine/compute/gpu.ts';

export function defaultSlots(cores = availableParallelism(), gpu = gpuPackageInstalled()): number {
  return gpu ? Math.min(2, cores) : Math.max(1, Math.min(cores, 8));
}

/** Threads for each job's population evaluation when its config says "auto". */
export function threadsPerJob(slots: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / slots));
}
