// Reader for the IDX format of the original MNIST files (LeCun et al.): a big-endian header
// (magic number, dimension sizes) followed by unsigned bytes. Gzipped files are accepted too.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserInputError } from '../../../src-shared/config/errors.ts';

export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseIdx(bytes, path);
}

export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4 || view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) {
    throw new UserInputError(name, 'not an IDX file of unsigned bytes');
  }
  const dims = view.getUint8(3);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * dims;
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength < offset + count) throw new UserInputError(name, 'IDX file is truncated');
  return { shape, data: bytes.subarray(offset, offset + count) };
}
