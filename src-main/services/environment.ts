// Facts about the machine and installation the service runs on: the Evolab version (from
// package.json, two folders up from both the sources and the built bundle), Node, the
// machine, and which compute backend "auto" runs use. Shown in the UI and in reports.

import { readFileSync } from 'node:fs';
import { availableParallelism, hostname, platform, totalmem } from 'node:os';
import type { EnvironmentInfo } from '../../src-shared/api.ts';
import { gpuPackageInstalled } from '../engine/compute/gpu.ts';

export function evolabVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function environmentInfo(databasePath: string): EnvironmentInfo {
  const cores = availableParallelism();
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  const gpuPackage = gpuPackageInstalled();
  return {
    evolab: evolabVersion(),
    node: process.version,
    platform: platform(),
    machine: `${hostname()} (${platform()}, ${cores} cores, ${memoryGiB} GiB)`,
    cores,
    memoryGiB,
    gpuPackage,
    defaultBackend: gpuPackage
      ? 'GPU (tfjs-node-gpu) when libtensorflow loads, else CPU'
      : 'CPU (js / wasm): the optional GPU package @tensorflow/tfjs-node-gpu is not installed',
    databasePath,
  };
}
