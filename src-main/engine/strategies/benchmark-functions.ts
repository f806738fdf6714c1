// Classic test functions for evolution strategies (Hansen & Ostermeier 2001; Hansen 2016):
// each has its global minimum f = 0, so "reached 1e-8" is a plain threshold.

export type TestFunction = (x: ArrayLike<number>) => number;

/** f(x) = sum x_i^2 */
export const sphere: TestFunction = (x) => {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return sum;
};

/** f(x) = sum 10^(6 (i-1)/(n-1)) x_i^2: axis-parallel ellipsoid, condition number 1e6. */
export const ellipsoid: TestFunction = (x) => {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 10 ** ((6 * i) / Math.max(n - 1, 1)) * x[i] * x[i];
  return sum;
};

/** f(x) = sum 100 (x_i^2 - x_{i+1})^2 + (x_i - 1)^2, minimum at (1, ..., 1). */
export const rosenbrock: TestFunction = (x) => {
  let sum = 0;
  for (let i = 0; i + 1 < x.length; i++) sum += 100 * (x[i] * x[i] - x[i + 1]) ** 2 + (x[i] - 1) ** 2;
  return sum;
};
