// Builds the train/val/test splits an experiment config asks for: the source, the stratified
// split from the config's seed, and standardisation fitted on the training split (Iris, CSV).

import { isAbsolute, resolve } from 'node:path';
import type { DatasetConfig } from '../../../src-shared/config/experiment.ts';
import type { DataSplits, Dataset } from './dataset.ts';
import { loadCsvDataset } from './csv.ts';
import { loadIris } from './iris.ts';
import { FASHION_CLASS_NAMES, MNIST_CLASS_NAMES, loadMnist } from './mnist.ts';
import { stratifiedSplit } from './split.ts';
import { applyStandardizer, fitStandardizer } from './standardize.ts';

function standardized(parts: { train: Dataset; val: Dataset; test: Dataset }): { train: Dataset; val: Dataset; test: Dataset } {
  const s = fitStandardizer(parts.train);
  return { train: applyStandardizer(parts.train, s), val: applyStandardizer(parts.val, s), test: applyStandardizer(parts.test, s) };
}

/** @param baseDir folder that relative CSV paths are resolved against (the config file's folder). */
export function loadSplits(config: DatasetConfig, baseDir = process.cwd()): DataSplits {
  switch (config.name) {
    case 'iris': {
      const { data, classNames } = loadIris();
      return { ...standardized(stratifiedSplit(data, config.split)), classNames };
    }
    case 'csv': {
      const path = isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
      const { data, classNames } = loadCsvDataset(path, config.label);
      const parts = stratifiedSplit(data, config.split);
      return { ...(config.standardize ? standardized(parts) : parts), classNames };
    }
    case 'mnist':
    case 'fashion_mnist': {
      const classNames = config.name === 'mnist' ? MNIST_CLASS_NAMES : FASHION_CLASS_NAMES;
      const full = loadMnist(config.name, 'train', config.image_size);
      if (!config.official_test) return { ...stratifiedSplit(full, config.split), classNames };
      // The official test file replaces the test part; train/val still come from the 60k file.
      const parts = stratifiedSplit(full, { ...config.split, test: 0 });
      return { train: parts.train, val: parts.val, test: loadMnist(config.name, 'test', config.image_size), classNames };
    }
  }
}
