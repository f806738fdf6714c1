// AssemblyScript source of the WebAssembly SIMD kernels of MA-ES (../../maes.ts): the products
// with the n x n transformation M that are all of its cost per generation at large n,
//   d_k = M z_k for the lambda samples, and
//   M <- keep M + (c1/2) (M s) s^T + sum_r (c_mu/2) w_r d_r z_r^T  (Beyer & Sendhoff 2017, Fig. 3).
// Compiled by `npm run build:wasm` into out/wasm/matrix-adaptation.wasm and loaded by
// ../transform-kernels.ts, which owns the memory layout. Not part of the main TypeScript
// program: this is AssemblyScript (f64, v128, load<T>).
//
// Layout: M is kept as row pairs, interleaved: entry (i, j) at ((i >> 1) * n + j) * 2 + (i & 1)
// (in f64), so one 128-bit load gives rows 2p and 2p+1 at column j. Both lanes then take the
// same operations in the same order as the scalar JS kernels (dense-kernels.ts, maes.ts): every
// sum over j is accumulated in j order from 0, every update is element-wise, and f64x2 multiply
// and add round exactly as scalar ones (no fused multiply-add). So the results are bitwise those
// of the JS path, which is what makes this a drop-in for it. An odd n gets a zero pad row.

/** Columns per pass: a strip of two row pairs (16 KB) stays in L1 while every sample passes over it. */
const STRIP: i32 = 512;

export function heapBase(): usize {
  return __heap_base;
}

@inline
function pairAt(m: usize, n: i32, pair: i32, j: i32): usize {
  return m + (((<usize>pair * <usize>n + <usize>j) << 4));
}

/**
 * d[k * paddedN + i] = sum_j M[i][j] z[k * n + j] for k < count, i < paddedN (paddedN = n
 * rounded up to even). Two row pairs x four samples per block: eight accumulators, each loaded
 * M pair feeding four multiply-adds and each z value two.
 */
export function multiply(m: usize, n: i32, z: usize, count: i32, d: usize): void {
  const pairs = (n + 1) >> 1;
  const paddedN = pairs << 1;
  memory.fill(d, 0, <usize>count * <usize>paddedN * 8);
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = min(n, j0 + STRIP);
    let p = 0;
    for (; p + 1 < pairs; p += 2) {
      let k = 0;
      for (; k + 3 < count; k += 4) block2x4(m, n, z, d, paddedN, p, k, j0, j1);
      for (; k < count; k++) block2x1(m, n, z, d, paddedN, p, k, j0, j1);
    }
    for (; p < pairs; p++) for (let k = 0; k < count; k++) block1x1(m, n, z, d, paddedN, p, k, j0, j1);
  }
}

@inline
function block2x4(m: usize, n: i32, z: usize, d: usize, paddedN: i32, p: i32, k: i32, j0: i32, j1: i32): void {
  const o0 = d + ((<usize>k * <usize>paddedN + <usize>(p << 1)) << 3);
  const o1 = o0 + (<usize>paddedN << 3);
  const o2 = o1 + (<usize>paddedN << 3);
  const o3 = o2 + (<usize>paddedN << 3);
  let a00 = v128.load(o0);
  let a01 = v128.load(o1);
  let a02 = v128.load(o2);
  let a03 = v128.load(o3);
  let a10 = v128.load(o0, 16);
  let a11 = v128.load(o1, 16);
  let a12 = v128.load(o2, 16);
  let a13 = v128.load(o3, 16);
  const z0 = z + ((<usize>k * <usize>n) << 3);
  const z1 = z0 + (<usize>n << 3);
  const z2 = z1 + (<usize>n << 3);
  const z3 = z2 + (<usize>n << 3);
  let m0 = pairAt(m, n, p, j0);
  let m1 = pairAt(m, n, p + 1, j0);
  for (let j = j0; j < j1; j++) {
    const r0 = v128.load(m0);
    const r1 = v128.load(m1);
    const off = <usize>j << 3;
    const b0 = f64x2.splat(load<f64>(z0 + off));
    const b1 = f64x2.splat(load<f64>(z1 + off));
    const b2 = f64x2.splat(load<f64>(z2 + off));
    const b3 = f64x2.splat(load<f64>(z3 + off));
    a00 = f64x2.add(a00, f64x2.mul(r0, b0));
    a01 = f64x2.add(a01, f64x2.mul(r0, b1));
    a02 = f64x2.add(a02, f64x2.mul(r0, b2));
    a03 = f64x2.add(a03, f64x2.mul(r0, b3));
    a10 = f64x2.add(a10, f64x2.mul(r1, b0));
    a11 = f64x2.add(a11, f64x2.mul(r1, b1));
    a12 = f64x2.add(a12, f64x2.mul(r1, b2));
    a13 = f64x2.add(a13, f64x2.mul(r1, b3));
    m0 += 16;
    m1 += 16;
  }
  v128.store(o0, a00);
  v128.store(o1, a01);
  v128.store(o2, a02);
  v128.store(o3, a03);
  v128.store(o0, a10, 16);
  v128.store(o1, a11, 16);
  v128.store(o2, a12, 16);
  v128.store(o3, a13, 16);
}

@inline
function block2x1(m: usize, n: i32, z: usize, d: usize, paddedN: i32, p: i32, k: i32, j0: i32, j1: i32): void {
  const o = d + ((<usize>k * <usize>paddedN + <usize>(p << 1)) << 3);
  let a0 = v128.load(o);
  let a1 = v128.load(o, 16);
  const zk = z + ((<usize>k * <usize>n) << 3);
  let m0 = pairAt(m, n, p, j0);
  let m1 = pairAt(m, n, p + 1, j0);
  for (let j = j0; j < j1; j++) {
    const b = f64x2.splat(load<f64>(zk + (<usize>j << 3)));
    a0 = f64x2.add(a0, f64x2.mul(v128.load(m0), b));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(m1), b));
    m0 += 16;
    m1 += 16;
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
}

@inline
function block1x1(m: usize, n: i32, z: usize, d: usize, paddedN: i32, p: i32, k: i32, j0: i32, j1: i32): void {
  const o = d + ((<usize>k * <usize>paddedN + <usize>(p << 1)) << 3);
  let a = v128.load(o);
  const zk = z + ((<usize>k * <usize>n) << 3);
  let m0 = pairAt(m, n, p, j0);
  for (let j = j0; j < j1; j++) {
    a = f64x2.add(a, f64x2.mul(v128.load(m0), f64x2.splat(load<f64>(zk + (<usize>j << 3)))));
    m0 += 16;
  }
  v128.store(o, a);
}

/**
 * The M update, two row pairs (four rows) at a time: (M s) of the rows with their old values,
 * then for each strip of columns m <- keep m + a s_j (a = c1half (M s)) and the mu rank terms in
 * order, m <- m + c_r z_rj with c_r = cw[r] d[order[r]] of the row; four rank terms per pass over
 * the strip, the first pass also doing the keep step, so each entry is loaded and stored once
 * per four terms. Per entry the operations and their order are those of the JS kernels.
 * `order` (i32) lists the selected samples best first, `cw` (f64) holds (c_mu / 2) w_r.
 */
export function update(m: usize, n: i32, keep: f64, c1half: f64, s: usize, z: usize, order: usize, mu: i32, cw: usize, d: usize, coefficients: usize): void {
  const pairs = (n + 1) >> 1;
  const paddedN = pairs << 1;
  let p = 0;
  for (; p + 1 < pairs; p += 2) updatePairs(m, n, paddedN, 2, p, keep, c1half, s, z, order, mu, cw, d, coefficients);
  if (p < pairs) updatePairs(m, n, paddedN, 1, p, keep, c1half, s, z, order, mu, cw, d, coefficients);
}

/** Rows of pairs p..p+count-1 (count 1 or 2); a single pair runs the same code on both slots. */
@inline
function updatePairs(m: usize, n: i32, paddedN: i32, count: i32, p: i32, keep: f64, c1half: f64, s: usize, z: usize, order: usize, mu: i32, cw: usize, d: usize, coefficients: usize): void {
  const q = count == 2 ? p + 1 : p; // the second slot; with one pair it repeats the first and is not stored
  const row0 = pairAt(m, n, p, 0);
  const row1 = pairAt(m, n, q, 0);
  let ms0 = f64x2.splat(0);
  let ms1 = f64x2.splat(0);
  for (let j = 0; j < n; j++) {
    const sj = f64x2.splat(load<f64>(s + (<usize>j << 3)));
    ms0 = f64x2.add(ms0, f64x2.mul(v128.load(row0 + (<usize>j << 4)), sj));
    ms1 = f64x2.add(ms1, f64x2.mul(v128.load(row1 + (<usize>j << 4)), sj));
  }
  const a0 = f64x2.mul(f64x2.splat(c1half), ms0);
  const a1 = f64x2.mul(f64x2.splat(c1half), ms1);
  // coefficients[r] = (c_r of pair p, c_r of pair q): 32 bytes per rank term.
  for (let r = 0; r < mu; r++) {
    const w = f64x2.splat(load<f64>(cw + (<usize>r << 3)));
    const dr = d + ((<usize>load<i32>(order + (<usize>r << 2)) * <usize>paddedN) << 3);
    v128.store(coefficients + (<usize>r << 5), f64x2.mul(w, v128.load(dr + (<usize>(p << 1) << 3))));
    v128.store(coefficients + (<usize>r << 5), f64x2.mul(w, v128.load(dr + (<usize>(q << 1) << 3))), 16);
  }
  const keepV = f64x2.splat(keep);
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = min(n, j0 + STRIP);
    let r = 0;
    // The keep step, fused with the first four rank terms when there are four.
    if (mu >= 4) {
      r = 4;
      const c = coefficients;
      const c00 = v128.load(c), c01 = v128.load(c, 16);
      const c10 = v128.load(c, 32), c11 = v128.load(c, 48);
      const c20 = v128.load(c, 64), c21 = v128.load(c, 80);
      const c30 = v128.load(c, 96), c31 = v128.load(c, 112);
      const z0 = zRow(z, order, n, 0), z1 = zRow(z, order, n, 1), z2 = zRow(z, order, n, 2), z3 = zRow(z, order, n, 3);
      for (let j = j0; j < j1; j++) {
        const at0 = row0 + (<usize>j << 4);
        const at1 = row1 + (<usize>j << 4);
        const off = <usize>j << 3;
        const sj = f64x2.splat(load<f64>(s + off));
        const b0 = f64x2.splat(load<f64>(z0 + off));
        const b1 = f64x2.splat(load<f64>(z1 + off));
        const b2 = f64x2.splat(load<f64>(z2 + off));
        const b3 = f64x2.splat(load<f64>(z3 + off));
        let t0 = f64x2.add(f64x2.mul(keepV, v128.load(at0)), f64x2.mul(a0, sj));
        let t1 = f64x2.add(f64x2.mul(keepV, v128.load(at1)), f64x2.mul(a1, sj));
        t0 = f64x2.add(f64x2.add(f64x2.add(f64x2.add(t0, f64x2.mul(c00, b0)), f64x2.mul(c10, b1)), f64x2.mul(c20, b2)), f64x2.mul(c30, b3));
        t1 = f64x2.add(f64x2.add(f64x2.add(f64x2.add(t1, f64x2.mul(c01, b0)), f64x2.mul(c11, b1)), f64x2.mul(c21, b2)), f64x2.mul(c31, b3));
        v128.store(at0, t0);
        if (count == 2) v128.store(at1, t1);
      }
    } else {
      for (let j = j0; j < j1; j++) {
        const at0 = row0 + (<usize>j << 4);
        const at1 = row1 + (<usize>j << 4);
        const sj = f64x2.splat(load<f64>(s + (<usize>j << 3)));
        const t0 = f64x2.add(f64x2.mul(keepV, v128.load(at0)), f64x2.mul(a0, sj));
        const t1 = f64x2.add(f64x2.mul(keepV, v128.load(at1)), f64x2.mul(a1, sj));
        v128.store(at0, t0);
        if (count == 2) v128.store(at1, t1);
      }
    }
    for (; r + 3 < mu; r += 4) {
      const c = coefficients + (<usize>r << 5);
      const c00 = v128.load(c), c01 = v128.load(c, 16);
      const c10 = v128.load(c, 32), c11 = v128.load(c, 48);
      const c20 = v128.load(c, 64), c21 = v128.load(c, 80);
      const c30 = v128.load(c, 96), c31 = v128.load(c, 112);
      const z0 = zRow(z, order, n, r), z1 = zRow(z, order, n, r + 1), z2 = zRow(z, order, n, r + 2), z3 = zRow(z, order, n, r + 3);
      for (let j = j0; j < j1; j++) {
        const at0 = row0 + (<usize>j << 4);
        const at1 = row1 + (<usize>j << 4);
        const off = <usize>j << 3;
        const b0 = f64x2.splat(load<f64>(z0 + off));
        const b1 = f64x2.splat(load<f64>(z1 + off));
        const b2 = f64x2.splat(load<f64>(z2 + off));
        const b3 = f64x2.splat(load<f64>(z3 + off));
        const t0 = f64x2.add(f64x2.add(f64x2.add(f64x2.add(v128.load(at0), f64x2.mul(c00, b0)), f64x2.mul(c10, b1)), f64x2.mul(c20, b2)), f64x2.mul(c30, b3));
        const t1 = f64x2.add(f64x2.add(f64x2.add(f64x2.add(v128.load(at1), f64x2.mul(c01, b0)), f64x2.mul(c11, b1)), f64x2.mul(c21, b2)), f64x2.mul(c31, b3));
        v128.store(at0, t0);
        if (count == 2) v128.store(at1, t1);
      }
    }
    for (; r < mu; r++) {
      const c = coefficients + (<usize>r << 5);
      const c0 = v128.load(c);
      const c1 = v128.load(c, 16);
      const zr = zRow(z, order, n, r);
      for (let j = j0; j < j1; j++) {
        const at0 = row0 + (<usize>j << 4);
        const at1 = row1 + (<usize>j << 4);
        const b = f64x2.splat(load<f64>(zr + (<usize>j << 3)));
        const t0 = f64x2.add(v128.load(at0), f64x2.mul(c0, b));
        const t1 = f64x2.add(v128.load(at1), f64x2.mul(c1, b));
        v128.store(at0, t0);
        if (count == 2) v128.store(at1, t1);
      }
    }
  }
}

/** Address of z_(order[r]). */
@inline
function zRow(z: usize, order: usize, n: i32, r: i32): usize {
  return z + ((<usize>load<i32>(order + (<usize>r << 2)) * <usize>n) << 3);
}
