// `evolab doctor` as a user runs it: a table (or JSON) of every backend with a self-test figure
// for those that load, and one line naming the option when the self-test length is wrong.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateChromium } from '../src-main/files/chromium.ts';

const root = resolve(import.meta.dirname, '..');

function evolab(args: readonly string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/evolab.mjs'), ...args], { encoding: 'utf8', cwd: root });
}

describe('evolab doctor', () => {
  it('prints every backend, measured where it loads', () => {
    const result = evolab(['doctor', '--seconds', '0.1']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^backend\s+loads\s+device\s+self-test\s+detail$/);
    expect(lines.find((l) => l.startsWith('js '))).toMatch(/^js\s+yes\s+-\s+\d+\.\d\d GFLOP\/s\s+js \(float32\)$/);
    expect(lines.find((l) => l.startsWith('wasm '))).toMatch(/^wasm\s+yes\s+-\s+\d+\.\d\d GFLOP\/s\s+wasm /);
    // No GPU here: Dawn finds no adapter; headless Chromium offers SwiftShader, which auto never takes.
    expect(lines.find((l) => l.startsWith('webgpu (Dawn for Node) '))).toMatch(
      /^webgpu \(Dawn for Node\)\s+no\s+-\s+-\s+Dawn for Node found no WebGPU adapter/,
    );
    if (locateChromium().path !== null) {
      expect(lines.find((l) => l.startsWith('webgpu (headless Chromium) '))).toMatch(
        /^webgpu \(headless Chromium\)\s+yes\s+google swiftshader \(software\)\s+\d+\.\d\d GFLOP\/s\s+webgpu \(.*\); a software adapter: auto never picks it$/,
      );
    }
    expect(result.stdout).toContain('self-test: loss and gradient of a 196-100-10 MLP on batches of 256, 0.1 s per backend');
    expect(result.stdout).toMatch(/\nauto trains on: wasm \(WASM SIMD kernels for training steps/);
  });

  it('prints JSON with --json', () => {
    const result = evolab(['doctor', '--seconds', '0.05', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const reports = JSON.parse(result.stdout) as { backend: string; loads: boolean; gflops: number | null }[];
    expect(reports.map((r) => r.backend)).toEqual(['js', 'wasm', 'gpu', 'webgpu', 'webgpu']);
    expect(reports.filter((r) => r.loads).every((r) => (r.gflops ?? 0) > 0)).toBe(true);
  });

  it('refuses a self-test length that is not a positive number of seconds, naming the option', () => {
    const result = evolab(['doctor', '--seconds', 'zero']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('evolab: --seconds: must be a number of seconds in (0, 60], not zero');
  });
});
