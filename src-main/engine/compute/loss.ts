// Softmax cross-entropy computed stably from logits: loss = logsumexp(z) - z_label, with the
// maximum subtracted before exponentiating (no softmax is ever applied twice, unlike the
// reference project, whose double softmax floors the Iris loss near 0.55).

export interface LossSum {
  /** Sum over rows of the cross-entropy (divide by rows for the mean). */
  lossSum: number;
  /** Rows whose arg-max logit is the label (first index wins ties). */
  correct: number;
}

/**
 * Loss over `rows` rows of logits read from `logits` at `offset` with row stride `ld`
 * (so one candidate's block inside a population's logits can be scored in place).
 * Row r's label is labels[r].
 */
export function crossEntropy(logits: Float32Array, offset: number, ld: number, rows: number, classes: number, labels: Int32Array): LossSum {
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const base = offset + r * ld;
    let max = logits[base];
    let arg = 0;
    for (let c = 1; c < classes; c++) {
      const v = logits[base + c];
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[base + c] - max);
    lossSum += Math.log(sum) + max - logits[base + labels[r]];
    if (arg === labels[r]) correct++;
  }
  return { lossSum, correct };
}

/**
 * Same loss, and writes d(mean loss)/d(logits) = (softmax - onehot) / rows into `grad`
 * (contiguous rows x classes). `logits` is contiguous here.
 */
export function crossEntropyWithGradient(logits: Float32Array, rows: number, classes: number, labels: Int32Array, grad: Float32Array): LossSum {
  let lossSum = 0;
  let correct = 0;
  const scale = 1 / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = logits[base];
    let arg = 0;
    for (let c = 1; c < classes; c++) {
      const v = logits[base + c];
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[base + c] - max);
      grad[base + c] = e;
      sum += e;
    }
    const label = labels[r];
    lossSum += Math.log(sum) + max - logits[base + label];
    if (arg === label) correct++;
    const inv = scale / sum;
    for (let c = 0; c < classes; c++) grad[base + c] *= inv;
    grad[base + label] -= scale;
  }
  return { lossSum, correct };
}

/**
 * Fused last layer + loss for a whole population: candidate c's hidden activations are the
 * column block [c*hidden, (c+1)*hidden) of `h` (rows x ld), its output weights W_c
 * (hidden x classes) and biases b_c come from `weightsOf(c)`. Writes each candidate's mean
 * loss into out[c]. Fusing avoids materialising lambda logit matrices; W_c is transposed once
 * so each logit is a dot product over contiguous memory, accumulated in a register.
 */
export function populationOutputLoss(
  h: Float32Array,
  ld: number,
  hidden: number,
  count: number,
  weightsOf: (candidate: number) => { readonly w: Float32Array; readonly b: Float32Array },
  rows: number,
  classes: number,
  labels: Int32Array,
  out: Float64Array,
): void {
  const logits = new Float64Array(classes);
  const wt = new Float64Array(hidden * classes);
  for (let c = 0; c < count; c++) {
    const { w, b } = weightsOf(c);
    for (let k = 0; k < hidden; k++) for (let j = 0; j < classes; j++) wt[j * hidden + k] = w[k * classes + j];
    let lossSum = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * ld + c * hidden;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < classes; j++) {
        let s = b[j];
        const wRow = j * hidden;
        for (let k = 0; k < hidden; k++) s += h[base + k] * wt[wRow + k];
        logits[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += Math.exp(logits[j] - max);
      lossSum += Math.log(sum) + max - logits[labels[r]];
    }
    out[c] = lossSum / rows;
  }
}
