// evolab doctor's report: every backend listed in the order configs know them, the ones that
// load here measured (a positive throughput), the ones that cannot load said why, never
// measured. The self-test counts 6 x batch x weights operations per training step.
import { describe, expect, it } from 'vitest';
import type { ComputeBackend } from './backend.ts';
import { autoChoice, type BackendReport, diagnoseBackends, selfTest } from './doctor.ts';
import { gpuPackageInstalled } from './gpu.ts';
import { JsBackend } from './js-backend.ts';

describe('evolab doctor', () => {
  it('lists js, wasm, gpu and webgpu (Dawn, Chromium); measures those that load; says why the others do not', async () => {
    const reports = await diagnoseBackends(0.05);
    expect(reports.map((r) => r.backend)).toEqual(['js', 'wasm', 'gpu', 'webgpu', 'webgpu']);
    expect(reports.map((r) => r.host)).toEqual([null, null, null, 'Dawn for Node', 'headless Chromium']);
    for (const report of reports) {
      if (report.loads) expect(report.gflops).toBeGreaterThan(0);
      else expect(report.gflops).toBeNull();
      expect(report.detail.length).toBeGreaterThan(0);
    }
    expect(reports[0]).toMatchObject({ loads: true, detail: 'js (float32)' });
    // The WebAssembly kernels are a dependency: they load wherever Evolab installs.
    expect(reports[1]).toMatchObject({ loads: true });
    if (!gpuPackageInstalled()) expect(reports[2].detail).toContain('@tensorflow/tfjs-node-gpu is not installed');
    // This machine has no GPU: Dawn finds no adapter, and Chromium's SwiftShader is never auto's.
    expect(reports[3]).toMatchObject({ loads: false, autoEligible: false });
    expect(reports[3].detail).toMatch(/^Dawn for Node found no WebGPU adapter|^the webgpu package/);
    if (reports[4].loads) expect(reports[4]).toMatchObject({ device: 'google swiftshader (software)', autoEligible: false });
    expect(autoChoice(reports)?.backend).toBe('wasm');
  });

  it('lets auto take a hardware WebGPU adapter first, never a software one', () => {
    const report = (backend: BackendReport['backend'], loads: boolean, autoEligible: boolean): BackendReport => ({
      backend,
      host: null,
      loads,
      autoEligible,
      detail: backend,
      device: null,
      gflops: loads ? 1 : null,
    });
    const cpu = [report('js', true, true), report('wasm', true, true), report('gpu', false, true)];
    expect(autoChoice([...cpu, report('webgpu', true, true)])?.backend).toBe('webgpu');
    expect(autoChoice([...cpu, report('webgpu', true, false)])?.backend).toBe('wasm');
    expect(autoChoice([report('js', true, true), report('gpu', true, true), report('wasm', true, true)])?.backend).toBe('gpu');
  });

  it('counts 6 x batch x weights operations per timed step of a 196-100-10 MLP', () => {
    const js = new JsBackend(null);
    let calls = 0;
    const counting: ComputeBackend = {
      name: 'counting',
      evaluate: (...args) => js.evaluate(...args),
      populationLosses: (...args) => js.populationLosses(...args),
      lossAndGradient: (...args) => {
        calls++;
        return js.lossAndGradient(...args);
      },
    };
    const result = selfTest(counting, 0.02);
    expect(result.steps).toBe(calls - 1); // one warm-up step, not timed
    expect(result.flopsPerStep).toBe(6 * 256 * (196 * 100 + 100 * 10));
    expect(result.gflops).toBeCloseTo((result.flopsPerStep * result.steps) / result.seconds / 1e9, 9);
  });
});
