// Backend selection says something about the GPU only where the user could act on it.
import { describe, expect, it, vi } from 'vitest';

const machine = vi.hoisted(() => ({ gpu: false }));
vi.mock('./gpu.ts', () => ({
  gpuPackageInstalled: () => false,
  nvidiaGpuPresent: () => machine.gpu,
  webGpuPackageInstalled: () => true,
  gpuDevicePresent: () => machine.gpu,
}));
const { createBackend } = await import('./select.ts');

describe('createBackend', () => {
  it('auto without a GPU or its package: the WASM kernels and no note at all', async () => {
    machine.gpu = false;
    const { backend, notes } = await createBackend('auto');
    expect(backend.name).toMatch(/^wasm/);
    expect(notes).toEqual([]);
  });

  it('auto on a machine with an NVIDIA GPU that Dawn cannot open and no GPU package: says why, and how to use it', async () => {
    machine.gpu = true;
    const { backend, notes } = await createBackend('auto');
    expect(backend.name).toMatch(/^wasm/);
    expect(notes).toEqual([
      expect.stringMatching(/^WebGPU was not used: (Dawn for Node found no WebGPU adapter|the webgpu package)/),
      expect.stringMatching(/^this machine has an NVIDIA GPU; to train on it, install the optional package: npm install @tensorflow\/tfjs-node-gpu/),
    ]);
  });

  it('gpu asked for and not startable: says why, trains on the WASM kernels rather than plain JS', async () => {
    machine.gpu = false;
    const { backend, notes } = await createBackend('gpu');
    expect(backend.name).toMatch(/^wasm/);
    expect(notes).toEqual([expect.stringMatching(/^the GPU backend did not start: @tensorflow\/tfjs-node-gpu unavailable \(.+\); training on the CPU$/)]);
  });

  it('js: plain JS, nothing to say', async () => {
    const { backend, notes } = await createBackend('js');
    expect(backend.name).toBe('js (float32)');
    expect(notes).toEqual([]);
  });
});
