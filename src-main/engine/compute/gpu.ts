// Whether this machine could train on a GPU: the optional packages @tensorflow/tfjs-node-gpu
// (CUDA, so NVIDIA only) and webgpu (Dawn for Node) are installed, and a GPU driver is loaded. Backend selection uses
// both to say something about the GPU only when it matters: when one was asked for, or when
// `auto` could have used one that is there.

import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

function packageInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

export function gpuPackageInstalled(): boolean {
  return packageInstalled('@tensorflow/tfjs-node-gpu');
}

/** An NVIDIA driver is loaded (Linux: /proc/driver/nvidia; WSL: /dev/dxg with the CUDA libraries of Windows). */
export function nvidiaGpuPresent(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0') || existsSync('/usr/lib/wsl/lib/libcuda.so');
}

export function webGpuPackageInstalled(): boolean {
  return packageInstalled('webgpu');
}

/**
 * A GPU that Dawn could drive may be here: always on macOS and Windows (Metal, Direct3D 12);
 * on Linux a DRM render node or the NVIDIA driver. Without one, `auto` does not start Dawn at
 * all (it would only find no adapter, or a software one, after a few hundred milliseconds).
 */
export function gpuDevicePresent(platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  try {
    if (readdirSync('/dev/dri').some((name) => name.startsWith('renderD'))) return true;
  } catch {
    // no /dev/dri: no DRM driver loaded
  }
  return nvidiaGpuPresent();
}
