// Whether this machine could train on a GPU: the optional package @tensorflow/tfjs-node-gpu
// (CUDA, so NVIDIA only) is installed, and an NVIDIA driver is loaded. Backend selection uses
// both to say something about the GPU only when it matters: when one was asked for, or when
// `auto` could have used one that is there.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function gpuPackageInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    return true;
  } catch {
    return false;
  }
}

/** An NVIDIA driver is loaded (Linux: /proc/driver/nvidia; WSL: /dev/dxg with the CUDA libraries of Windows). */
export function nvidiaGpuPresent(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0') || existsSync('/usr/lib/wsl/lib/libcuda.so');
}
