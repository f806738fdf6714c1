# LAPACK reference for bench/engine.ts --strategies: seconds for numpy.linalg.eigh (LAPACK
# syevd through numpy's BLAS/LAPACK) on a random symmetric positive definite d x d matrix,
# median of 3. The matrix is built as in bench/engine.ts: a Wigner matrix (symmetric, N(0, 1/d)
# entries, spectrum on [-2, 2]) plus 3 I, so its eigenvalues lie in about [1, 5].
# Usage: python3 bench/lapack-eigh.py [d]   (default d = 2080)
import sys
import time

import numpy as np

d = int(sys.argv[1]) if len(sys.argv) > 1 else 2080
rng = np.random.default_rng(1)
g = np.tril(rng.standard_normal((d, d)) / np.sqrt(d))
a = g + np.tril(g, -1).T + 3 * np.eye(d)
times = []
for _ in range(3):
    started = time.perf_counter()
    np.linalg.eigh(a)
    times.append(time.perf_counter() - started)
print(f"{sorted(times)[1]:.3f}")
