// The GP sampler's numerics and its handling of pending proposals and failed trials: Cholesky
// and the triangular solves against a direct computation, the analytic gradients of the log
// marginal likelihood (R&W eq. 5.9) and of log-EI against central differences, log h(z)
// against the direct formula and across its branches, and the sampler's behaviour on
// consecutive asks without results, failed values and observe().
import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf } from '../../../src-shared/stats/normal.ts';
import { Rng } from '../../engine/rng.ts';
import { type Params, SearchSpace } from '../space.ts';
import { GpSampler } from './gp.ts';
import { maximiseInBox } from './gp/box-ascent.ts';
import { backwardSolveInPlace, cholesky, forwardSolve } from './gp/linear-algebra.ts';
import { logH } from './gp/log-ei.ts';
import { gpLogPosterior, matern52 } from './gp/matern-kernel.ts';
import { GpPosterior } from './gp/posterior.ts';

function randomPoints(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * d }, () => rng.uniform());
}

describe('GP linear algebra', () => {
  it('factors an SPD matrix and solves K x = b', () => {
    const n = 7;
    const d = 3;
    const x = randomPoints(n, d, 1);
    const k = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        let r2 = 0;
        for (let i = 0; i < d; i++) r2 += ((x[a * d + i] - x[b * d + i]) / 0.4) ** 2;
        k[a * n + b] = matern52(Math.sqrt(r2), 1.3) + (a === b ? 1e-3 : 0);
      }
    const l = k.slice();
    expect(cholesky(l, n)).toBe(true);
    const rhs = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const solution = new Float64Array(n);
    forwardSolve(l, n, rhs, solution);
    backwardSolveInPlace(l, n, solution);
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += k[a * n + b] * solution[b];
      expect(s).toBeCloseTo(rhs[a], 9);
    }
  });

  it('rejects an indefinite matrix', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });
});

describe('log marginal likelihood', () => {
  it('has the analytic gradient of R&W eq. 5.9 (central differences)', () => {
    const n = 12;
    const d = 3;
    const x = randomPoints(n, d, 2);
    const y = Float64Array.from({ length: n }, (_, a) => Math.sin(5 * x[a * d]) + x[a * d + 1] ** 2 - 0.5);
    const theta = [Math.log(0.3), Math.log(0.8), Math.log(2), Math.log(1.5), Math.log(0.02)];
    const grad = new Float64Array(theta.length);
    const value = gpLogPosterior(x, y, n, d, theta, grad);
    expect(Number.isFinite(value)).toBe(true);
    for (let j = 0; j < theta.length; j++) {
      const h = 1e-5;
      const up = theta.slice();
      const down = theta.slice();
      up[j] += h;
      down[j] -= h;
      const numeric = (gpLogPosterior(x, y, n, d, up, null) - gpLogPosterior(x, y, n, d, down, null)) / (2 * h);
      expect(grad[j]).toBeCloseTo(numeric, 4);
    }
  });
});

describe('log h(z) for log-EI', () => {
  it('matches log(phi(z) + z Phi(z)) where that is accurate, and its derivatives', () => {
    for (const z of [3, 1, 0, -0.5, -1, -2, -5, -10]) {
      const direct = normalPdf(z) + z * normalCdf(z);
      const { logH: value, a, b } = logH(z);
      expect(value).toBeCloseTo(Math.log(direct), 8);
      expect(a).toBeCloseTo(normalCdf(z) / direct, 6);
      expect(b).toBeCloseTo(normalPdf(z) / direct, 6);
    }
  });

  it('is finite, increasing and continuous far in the lower tail', () => {
    const zs = [-24.99, -25, -25.01, -40, -100, -1e3, -1e6];
    const values = zs.map((z) => logH(z).logH);
    expect(values.every(Number.isFinite)).toBe(true);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    // The series branch (z < -25) joins the Mills-ratio branch: the step across -25 is the slope's.
    const jump = logH(-25.000001).logH - logH(-24.999999).logH;
    expect(Math.abs(jump + 2e-6 * logH(-25).a)).toBeLessThan(1e-8);
    // d log h / dz = Phi / h = a, by central differences in both branches.
    for (const z of [-3, -30]) expect((logH(z + 1e-6).logH - logH(z - 1e-6).logH) / 2e-6).toBeCloseTo(logH(z).a, 4);
  });
});

describe('the posterior', () => {
  const n = 15;
  const d = 2;
  const x = randomPoints(n, d, 3);
  const y = Float64Array.from({ length: n }, (_, a) => Math.cos(4 * x[a * d]) * x[a * d + 1]);
  const theta = [Math.log(0.4), Math.log(0.7), 0, Math.log(1e-4)];
  const posterior = new GpPosterior(x, y, n, d, theta);

  it('interpolates the data when the noise is small', () => {
    for (let a = 0; a < n; a++) {
      const { mean, variance } = posterior.predict(x.subarray(a * d, a * d + d));
      expect(mean).toBeCloseTo(y[a], 2);
      expect(variance).toBeLessThan(1e-3);
    }
  });

  it('has the analytic log-EI gradient (central differences), also where EI is tiny', () => {
    const best = Math.min(...y);
    for (const [point, incumbent] of [
      [[0.37, 0.61], best],
      [[0.9, 0.05], best],
      [[0.5, 0.5], best - 5],
    ] as [number[], number][]) {
      const grad = new Float64Array(d);
      const value = posterior.logEi(point, incumbent, grad);
      expect(Number.isFinite(value)).toBe(true);
      for (let i = 0; i < d; i++) {
        const up = point.slice();
        const down = point.slice();
        up[i] += 1e-6;
        down[i] -= 1e-6;
        const numeric = (posterior.logEi(up, incumbent, null) - posterior.logEi(down, incumbent, null)) / 2e-6;
        expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-4 * (1 + Math.abs(numeric)));
      }
    }
  });
});

describe('box-constrained ascent', () => {
  it('finds the maximum of a concave quadratic on the boundary and keeps fixed coordinates', () => {
    const centre = [0.3, 1.4, 0.5];
    const f = (x: Float64Array, grad: Float64Array) => {
      let v = 0;
      for (let i = 0; i < 3; i++) {
        v -= (i + 1) * (x[i] - centre[i]) ** 2;
        grad[i] = -2 * (i + 1) * (x[i] - centre[i]);
      }
      return v;
    };
    const { x } = maximiseInBox(f, [0.9, 0.1, 0.2], [0, 0, 0.2], [1, 1, 0.2], { iterations: 50, firstStep: 0.1 });
    expect(x[0]).toBeCloseTo(0.3, 6);
    expect(x[1]).toBe(1);
    expect(x[2]).toBe(0.2);
  });
});

// ---- the sampler ---------------------------------------------------------------------------------

const space = new SearchSpace({
  a: { type: 'uniform', low: -5, high: 5 },
  b: { type: 'uniform', low: -5, high: 5 },
  n: { type: 'int', low: 0, high: 6, log: false },
  c: { type: 'categorical', choices: ['x', 'y', 'z'] },
});
const objective = (p: Params) => (Number(p.a) - 1) ** 2 + (Number(p.b) + 2) ** 2 + (Number(p.n) - 4) ** 2 + (p.c === 'y' ? 0 : 3);

function warmedUp(seed: number, trials: number): GpSampler {
  const sampler = new GpSampler(space, seed, { startup: 8 });
  for (let t = 0; t < trials; t++) {
    const p = sampler.ask();
    sampler.tell(p.id, objective(p.params));
  }
  return sampler;
}

describe('GP sampler', () => {
  it('spreads consecutive asks without results over different points', () => {
    const sampler = warmedUp(1, 20);
    const asked = Array.from({ length: 6 }, () => sampler.ask().params);
    const keys = new Set(asked.map((p) => JSON.stringify(p)));
    expect(keys.size).toBe(asked.length);
    // Still sensible: the continuous coordinates stay near the optimum region rather than anywhere.
    expect(asked.filter((p) => Math.abs(Number(p.a) - 1) < 3 && Math.abs(Number(p.b) + 2) < 3).length).toBeGreaterThanOrEqual(4);
  });

  it('converges on a smooth objective with int and categorical parameters', () => {
    const sampler = warmedUp(2, 40);
    const best = Math.min(...sampler.state().observations.map((o) => o.value ?? Number.POSITIVE_INFINITY));
    expect(best).toBeLessThan(0.5);
  });

  it('treats NaN and Infinity as failed trials, keeps them out of the JSON state as null, and goes on proposing', () => {
    const sampler = new GpSampler(space, 3, { startup: 5 });
    for (let t = 0; t < 25; t++) {
      const p = sampler.ask();
      const value = t % 3 === 0 ? Number.NaN : t % 5 === 0 ? Number.POSITIVE_INFINITY : objective(p.params);
      sampler.tell(p.id, value);
    }
    const state = JSON.parse(JSON.stringify(sampler.state())) as ReturnType<GpSampler['state']>;
    expect(state.observations.filter((o) => o.value === null).length).toBe(12);
    expect(state.hyper?.every(Number.isFinite)).toBe(true);
    const restored = GpSampler.restore(space, state);
    expect(restored.ask()).toEqual(sampler.ask());
  });

  it('proposes from the model even when every result failed', () => {
    const sampler = new GpSampler(space, 4, { startup: 3 });
    for (let t = 0; t < 6; t++) sampler.tell(sampler.ask().id, Number.NaN);
    expect(Object.keys(sampler.ask().params).sort()).toEqual(['a', 'b', 'c', 'n']);
  });

  it('uses observations it did not propose (their weight ignored)', () => {
    const rng = new Rng(5);
    const sampler = new GpSampler(space, 5, { startup: 10 });
    for (let t = 0; t < 30; t++) {
      const params = space.sample(rng);
      sampler.observe(params, objective(params), 0.1 + t);
    }
    const proposed = sampler.ask().params;
    // With 30 results the startup is over: the model proposes close to the optimum.
    expect(objective(proposed)).toBeLessThan(10);
    expect(sampler.state().pending).toHaveLength(1);
  });
});
