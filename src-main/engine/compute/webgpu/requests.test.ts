// The WebSocket framing of WebGPU requests and answers: a round trip keeps every field and
// array (alignment included), and a truncated or lying frame is refused, never half-read.
// Also which adapters count as software (never taken by `auto`).
import { describe, expect, it } from 'vitest';
import { adapterLabel, describeAdapter } from './adapter.ts';
import { decodeMessage, encodeMessage, kernelRequestSchema, kernelResponseSchema } from './requests.ts';

describe('WebGPU message frames', () => {
  it('round-trip a population request, arrays of odd lengths included', () => {
    const request = {
      op: 'population',
      shape: { sizes: [3, 5, 2], activation: 'tanh' },
      first: 0,
      last: 1,
      base: Float32Array.of(1.5, -2, 3),
      candidates: Float32Array.from({ length: 7 }, (_, i) => i / 3),
      count: 1,
      x: Float32Array.of(0.25),
      y: Int32Array.of(1, 0, -3),
      rows: 1,
    } as const;
    const decoded = kernelRequestSchema.parse(decodeMessage(encodeMessage(request)));
    expect(decoded).toEqual(request);
    expect(decoded.op === 'population' && decoded.candidates).toBeInstanceOf(Float32Array);
  });

  it('round-trip an answer, extreme float32 values included', () => {
    const answer = { op: 'answer', rowLosses: Float32Array.of(0.5, 1e-30, 3e30), correct: 2, grad: new Float32Array(0) } as const;
    expect(kernelResponseSchema.parse(decodeMessage(encodeMessage(answer)))).toEqual(answer);
  });

  it('refuses a frame shorter than its header or its arrays say', () => {
    const frame = encodeMessage({ op: 'answer', rowLosses: Float32Array.of(1, 2, 3, 4), correct: 0, grad: new Float32Array(0) });
    expect(() => decodeMessage(frame.subarray(0, frame.length - 8))).toThrow('a WebGPU message is shorter than its array rowLosses needs');
    expect(() => decodeMessage(frame.subarray(0, 10))).toThrow('a WebGPU message is shorter than its header says');
  });

  it('names the field of a request that breaks the schema', () => {
    const result = kernelRequestSchema.safeParse({
      op: 'evaluate',
      shape: { sizes: [4, 0], activation: 'tanh' },
      params: [],
      x: new Float32Array(0),
      y: new Int32Array(0),
      rows: 0,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['shape.sizes.1', 'params']);
  });
});

describe('WebGPU adapters', () => {
  it('calls SwiftShader, lavapipe, llvmpipe, WARP and fallback adapters software, and GPUs not', () => {
    const info = (vendor: string, architecture: string, description = '') => ({ vendor, architecture, device: '', description });
    expect(describeAdapter(info('google', 'swiftshader')).software).toBe(true);
    expect(describeAdapter(info('mesa', '', 'llvmpipe (LLVM 15.0.6, 256 bits)')).software).toBe(true);
    expect(describeAdapter(info('mesa', '', 'lavapipe')).software).toBe(true);
    expect(describeAdapter(info('microsoft', '', 'Microsoft Basic Render Driver')).software).toBe(true);
    expect(describeAdapter(info('nvidia', 'ampere'), true).software).toBe(true);
    expect(describeAdapter(info('nvidia', 'ampere', 'NVIDIA RTX A4000')).software).toBe(false);
    expect(describeAdapter(info('apple', 'metal-3', 'Apple M2')).software).toBe(false);
    expect(adapterLabel(describeAdapter(info('google', 'swiftshader')))).toBe('google swiftshader (software)');
    expect(adapterLabel(describeAdapter(info('nvidia', 'ampere', 'NVIDIA RTX A4000')))).toBe('nvidia ampere NVIDIA RTX A4000');
  });
});
