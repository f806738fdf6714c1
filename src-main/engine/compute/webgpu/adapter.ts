// What a WebGPU adapter is, in the words recorded on a run, and whether it is a software
// implementation. `auto` never trains on a software adapter: SwiftShader (Chromium's), lavapipe
// and llvmpipe (Mesa's) and WARP (Windows') run the kernels on the CPU, slower than our own CPU
// path. They are still useful, explicitly, to test the kernels without a GPU.

import type { GpuAdapterInfo } from './gpu-types.ts';

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly software: boolean;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

export function describeAdapter(info: GpuAdapterInfo, isFallbackAdapter = false): AdapterDescription {
  const fields = [info.vendor, info.architecture, info.device, info.description];
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: isFallbackAdapter || info.isFallbackAdapter === true || fields.some((field) => SOFTWARE_ADAPTER.test(field)),
  };
}

/** "google swiftshader (software)", "nvidia ada-lovelace NVIDIA GeForce RTX 4090", ... */
export function adapterLabel(adapter: AdapterDescription): string {
  const words = [adapter.vendor, adapter.architecture, adapter.description || adapter.device].filter((word) => word !== '');
  const unique = words.filter((word, i) => words.indexOf(word) === i);
  return `${unique.join(' ') || 'unnamed adapter'}${adapter.software ? ' (software)' : ''}`;
}
