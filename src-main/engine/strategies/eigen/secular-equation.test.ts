// The secular equation's root finder against a closed form (two poles: a quadratic), and the
// property the eigenvectors depend on: d_j - lambda accurate relative to itself for a root a
// few ulps from its pole, where lambda itself rounds to the pole.
import { describe, expect, it } from 'vitest';
import { solveSecularRoot } from './secular-equation.ts';

describe('solveSecularRoot', () => {
  it('finds both roots of 1 + rho (z1^2 / (d1 - x) + z2^2 / (d2 - x)) = 0 as the quadratic gives them', () => {
    // (d1 - x)(d2 - x) + rho z1^2 (d2 - x) + rho z2^2 (d1 - x) = 0.
    const poles = Float64Array.from([1, 3]);
    const squaredWeights = Float64Array.from([0.36, 0.64]);
    const rho = 0.5;
    const b = -(poles[0] + poles[1] + rho * (squaredWeights[0] + squaredWeights[1]));
    const c = poles[0] * poles[1] + rho * (squaredWeights[0] * poles[1] + squaredWeights[1] * poles[0]);
    const expected = [(-b - Math.sqrt(b * b - 4 * c)) / 2, (-b + Math.sqrt(b * b - 4 * c)) / 2];
    for (const index of [0, 1]) {
      const differences = new Float64Array(2);
      const { origin, offset } = solveSecularRoot({ poles, squaredWeights, rho, index, differences });
      const root = poles[origin] + offset;
      expect(Math.abs(root - expected[index])).toBeLessThan(1e-15);
      expect(Math.abs(differences[0] - (poles[0] - expected[index]))).toBeLessThan(1e-15);
      expect(Math.abs(differences[1] - (poles[1] - expected[index]))).toBeLessThan(1e-15);
    }
  });

  it('keeps d_j - lambda accurate for a root about 1e-20 above its pole', () => {
    // Near the pole f(x) ~ 1 + z0^2 / (d0 - x) + c, c the other terms at x = d0, so
    // d0 - lambda ~ -z0^2 / (1 + c): far below the pole's ulp, yet needed to full accuracy.
    const poles = Float64Array.from([1, 2, 4]);
    const squaredWeights = Float64Array.from([1e-20, 0.49, 0.49]);
    const differences = new Float64Array(3);
    const { origin } = solveSecularRoot({ poles, squaredWeights, rho: 1, index: 0, differences });
    expect(origin).toBe(0);
    const rest = 0.49 / (2 - 1) + 0.49 / (4 - 1);
    const expected = -1e-20 / (1 + rest);
    expect(Math.abs(differences[0] - expected) / Math.abs(expected)).toBeLessThan(1e-10);
  });
});
