// The multilayer perceptron's shape and parameters. All parameters live in ONE flat
// Float32Array, layer after layer, each layer as [W (inputs x outputs, row-major), b (outputs)].
// CMA-ES sees the whole vector, layerwise CMA-ES one layer's contiguous slice, and gradient
// optimizers update the same memory in place.

import type { Activation } from '../../../src-shared/config/experiment.ts';
import type { Rng } from '../rng.ts';

export interface LayerLayout {
  readonly index: number;
  readonly inputs: number;
  readonly outputs: number;
  /** Start of this layer's weights in the flat vector; its biases follow the weights. */
  readonly offset: number;
  readonly biasOffset: number;
  /** inputs * outputs + outputs */
  readonly size: number;
}

export interface MlpLayout {
  /** [inputs, ...hidden, classes] */
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly layers: readonly LayerLayout[];
  readonly parameterCount: number;
}

export function mlpLayout(inputs: number, hidden: readonly number[], classes: number, activation: Activation): MlpLayout {
  const sizes = [inputs, ...hidden, classes];
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const size = sizes[l] * sizes[l + 1] + sizes[l + 1];
    layers.push({ index: l, inputs: sizes[l], outputs: sizes[l + 1], offset, biasOffset: offset + sizes[l] * sizes[l + 1], size });
    offset += size;
  }
  return { sizes, activation, layers, parameterCount: offset };
}

/**
 * Seeded initialisation: weights and biases uniform in +-1/sqrt(fan_in), the default of
 * PyTorch's nn.Linear (and of the reference project), so comparisons start from the same law.
 */
export function initParameters(layout: MlpLayout, rng: Rng): Float32Array {
  const params = new Float32Array(layout.parameterCount);
  for (const layer of layout.layers) {
    const bound = 1 / Math.sqrt(layer.inputs);
    for (let i = layer.offset; i < layer.offset + layer.size; i++) params[i] = (2 * rng.uniform() - 1) * bound;
  }
  return params;
}

/** This layer's [W, b] slice of the flat vector (a view: writes go to `params`). */
export function layerSlice(params: Float32Array, layer: LayerLayout): Float32Array {
  return params.subarray(layer.offset, layer.offset + layer.size);
}
