// What the engine asks of a WebGPU device and what it answers, as plain data (typed arrays
// and numbers), so the same messages travel between threads (structured clone) and over the
// WebSocket to a Chromium page (encodeMessage / decodeMessage below). Row losses come back per
// row and are summed on the CPU in float64, in row order, as the JS backend sums them.

import { z } from 'zod';

export type ActivationName = 'sigmoid' | 'tanh' | 'relu';

/** The network: [inputs, ...hidden, classes] and the hidden layers' activation. */
export interface NetworkShape {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
}

/** Mean loss of `count` candidates: layers first..last come from `candidates` (dv values each). */
export interface PopulationRequest {
  readonly op: 'population';
  readonly shape: NetworkShape;
  readonly first: number;
  readonly last: number;
  readonly base: Float32Array;
  readonly candidates: Float32Array;
  readonly count: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
}

/** Loss and accuracy of one model (`gradient` also answers d(mean loss)/d(params)). */
export interface ModelRequest {
  readonly op: 'evaluate' | 'gradient';
  readonly shape: NetworkShape;
  readonly params: Float32Array;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
}

export type KernelRequest = PopulationRequest | ModelRequest;

export interface KernelAnswer {
  readonly op: 'answer';
  /** Loss of every (candidate, row), candidate-major; one model: rows values. */
  readonly rowLosses: Float32Array;
  /** Rows whose arg-max logit is the label (one model only; 0 for a population). */
  readonly correct: number;
  /** The gradient (gradient requests only; empty otherwise). */
  readonly grad: Float32Array;
}

export interface KernelFailure {
  readonly op: 'error';
  readonly message: string;
}

export type KernelResponse = KernelAnswer | KernelFailure;

// ---- Binary framing for the WebSocket: [u32 header length][header JSON][pad to 8][arrays] ----

const ARRAY_KINDS = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
type ArrayKind = keyof typeof ARRAY_KINDS;
type TypedArray = Float32Array | Float64Array | Int32Array;

const headerSchema = z.object({
  fields: z.record(z.string(), z.unknown()),
  arrays: z.array(z.object({ name: z.string(), kind: z.enum(['f32', 'f64', 'i32']), length: z.number().int().nonnegative() })),
});

function kindOf(value: unknown): ArrayKind | null {
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Int32Array) return 'i32';
  return null;
}

/** One message (an object whose typed-array fields travel as raw bytes) as one binary frame. */
export function encodeMessage(message: object): Uint8Array<ArrayBuffer> {
  const fields: Record<string, unknown> = {};
  const arrays: { name: string; kind: ArrayKind; length: number; data: TypedArray }[] = [];
  for (const [name, value] of Object.entries(message)) {
    const kind = kindOf(value);
    if (kind === null) fields[name] = value;
    else arrays.push({ name, kind, length: (value as TypedArray).length, data: value as TypedArray });
  }
  const header = new TextEncoder().encode(JSON.stringify({ fields, arrays: arrays.map(({ name, kind, length }) => ({ name, kind, length })) }));
  let offset = align8(4 + header.length);
  const total = arrays.reduce((end, array) => align8(end + array.data.byteLength), offset);
  const frame = new Uint8Array(total);
  new DataView(frame.buffer).setUint32(0, header.length, true);
  frame.set(header, 4);
  for (const array of arrays) {
    frame.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), offset);
    offset = align8(offset + array.data.byteLength);
  }
  return frame;
}

/** The inverse of encodeMessage; throws on a frame that does not describe itself correctly. */
export function decodeMessage(frame: Uint8Array): Record<string, unknown> {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.length) throw new Error('a WebGPU message is shorter than its header says');
  const header = headerSchema.parse(JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerLength))));
  const message: Record<string, unknown> = { ...header.fields };
  let offset = align8(4 + headerLength);
  for (const { name, kind, length } of header.arrays) {
    const type = ARRAY_KINDS[kind];
    const bytes = length * type.BYTES_PER_ELEMENT;
    if (offset + bytes > frame.length) throw new Error(`a WebGPU message is shorter than its array ${name} needs`);
    // Copied out so the array is aligned and owns its memory.
    const copy = new Uint8Array(bytes);
    copy.set(frame.subarray(offset, offset + bytes));
    message[name] = new type(copy.buffer);
    offset = align8(offset + bytes);
  }
  return message;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

// ---- Schemas: a message decoded from a frame or a thread is trusted only after these ----

const shapeSchema = z.object({
  sizes: z.array(z.number().int().positive()).min(2),
  activation: z.enum(['sigmoid', 'tanh', 'relu']),
});
const f32 = z.instanceof(Float32Array);
const i32 = z.instanceof(Int32Array);
const count = z.number().int().nonnegative();

export const kernelRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('population'), shape: shapeSchema, first: count, last: count, base: f32, candidates: f32, count, x: f32, y: i32, rows: count }),
  z.object({ op: z.enum(['evaluate', 'gradient']), shape: shapeSchema, params: f32, x: f32, y: i32, rows: count }),
]);

export const kernelResponseSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('answer'), rowLosses: f32, correct: count, grad: f32 }),
  z.object({ op: z.literal('error'), message: z.string() }),
]);
