// The routed backend sends each call by its multiply-adds: at or above the threshold of its
// kind to the GPU side, below it to the CPU side, and answers exactly what the side it chose
// answers. Both sides here are JS backends that record their calls.
import { describe, expect, it } from 'vitest';
import { initParameters, type MlpLayout, mlpLayout } from '../model/mlp.ts';
import { Rng } from '../rng.ts';
import type { Batch, CandidateBatch, ComputeBackend, Evaluation } from './backend.ts';
import { JsBackend } from './js-backend.ts';
import { RoutedBackend } from './routed-backend.ts';

class Recording implements ComputeBackend {
  readonly calls: string[] = [];
  readonly name: string;
  private readonly inner = new JsBackend(null);
  constructor(name: string) {
    this.name = name;
  }
  evaluate(layout: MlpLayout, params: Float32Array, data: Batch): Evaluation {
    this.calls.push(`evaluate ${data.rows}`);
    return this.inner.evaluate(layout, params, data);
  }
  lossAndGradient(layout: MlpLayout, params: Float32Array, batch: Batch, grad: Float32Array): Evaluation {
    this.calls.push(`gradient ${batch.rows}`);
    return this.inner.lossAndGradient(layout, params, batch, grad);
  }
  populationLosses(scoring: CandidateBatch): void {
    this.calls.push(`population ${scoring.count}x${scoring.batch.rows}`);
    this.inner.populationLosses(scoring);
  }
}

describe('RoutedBackend', () => {
  const layout = mlpLayout(10, [5], 3, 'tanh'); // 73 parameters
  const params = initParameters(layout, new Rng(1));
  const rng = new Rng(2);
  const batchOf = (rows: number): Batch => ({
    x: Float32Array.from({ length: rows * 10 }, () => rng.normal()),
    y: Int32Array.from({ length: rows }, () => rng.integer(3)),
    rows,
  });
  // gradient: 3 x rows x 73 >= 2190 from 10 rows; evaluate: rows x 73 >= 730 from 10 rows;
  // population: count x rows x 73 >= 7300 from 4 candidates x 25 rows.
  const thresholds = { gradient: 3 * 10 * 73, evaluate: 10 * 73, population: 4 * 25 * 73 };

  it('sends calls at or above their threshold to the GPU side, smaller ones to the CPU side', () => {
    const gpu = new Recording('gpu');
    const cpu = new Recording('cpu');
    const routed = new RoutedBackend({ gpu, cpu, thresholds });
    const grad = new Float32Array(layout.parameterCount);
    routed.lossAndGradient(layout, params, batchOf(9), grad);
    routed.lossAndGradient(layout, params, batchOf(10), grad);
    routed.evaluate(layout, params, batchOf(9));
    routed.evaluate(layout, params, batchOf(10));
    const every = { first: 0, last: 1 };
    const candidates = new Float32Array(4 * layout.parameterCount).map(() => rng.normal());
    routed.populationLosses({ layout, base: params, varying: every, candidates, count: 4, batch: batchOf(24), out: new Float64Array(4) });
    routed.populationLosses({ layout, base: params, varying: every, candidates, count: 4, batch: batchOf(25), out: new Float64Array(4) });
    expect(cpu.calls).toEqual(['gradient 9', 'evaluate 9', 'population 4x24']);
    expect(gpu.calls).toEqual(['gradient 10', 'evaluate 10', 'population 4x25']);
  });

  it('answers exactly what the chosen side answers', () => {
    const reference = new JsBackend(null);
    const routed = new RoutedBackend({ gpu: new Recording('gpu'), cpu: new Recording('cpu'), thresholds });
    for (const rows of [5, 40]) {
      const batch = batchOf(rows);
      const grad = new Float32Array(layout.parameterCount);
      const expectedGrad = new Float32Array(layout.parameterCount);
      expect(routed.lossAndGradient(layout, params, batch, grad)).toEqual(reference.lossAndGradient(layout, params, batch, expectedGrad));
      expect(grad).toEqual(expectedGrad);
      expect(routed.evaluate(layout, params, batch)).toEqual(reference.evaluate(layout, params, batch));
    }
  });

  it('names both sides and the thresholds in its name (recorded on every run)', () => {
    const routed = new RoutedBackend({ gpu: new Recording('webgpu (an adapter)'), cpu: new Recording('wasm (kernels)') });
    expect(routed.name).toBe(
      'webgpu (an adapter) for calls of at least 4M (population), 8M (gradient), 4M (evaluation) multiply-adds; smaller calls on wasm (kernels)',
    );
  });
});
