// Seeded pseudo-random number generator used everywhere randomness enters a run
// (initialisation, batch order, data split, evolution-strategy sampling).
//
// xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021)
// on four 32-bit words: fast with Math.imul, period 2^128 - 1. Seeds are expanded with
// splitmix32 so that nearby integer seeds give unrelated streams. The whole state, including
// the spare Box-Muller normal, is a plain JSON value so that a run can checkpoint and resume
// with bit-identical random draws.

export interface RngState {
  readonly words: [number, number, number, number];
  /** The second normal of the last Box-Muller pair, not yet handed out. */
  readonly spareNormal: number | null;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_MINUS_32 = 2 ** -32;
const TWO_POW_MINUS_53 = 2 ** -53;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /**
   * @param seed any integer; `stream` selects an independent sequence for the same seed
   *   (e.g. one stream for initialisation, another for batch order).
   */
  constructor(seed: number, stream = 0) {
    const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0);
    // Also fold in the high bits of large seeds so that seeds above 2^32 differ too.
    const high = Math.floor(Math.trunc(seed) / 2 ** 32) >>> 0;
    this.a = mix() ^ high;
    this.b = mix();
    this.c = mix();
    this.d = mix();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // all-zero state is a fixed point
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.restore(state);
    return rng;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) * TWO_POW_MINUS_53;
  }

  /** Uniform double in [0, 1) with 32 random bits: cheaper, enough for shuffles. */
  uniform32(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform integer in [0, n). Rejection sampling keeps it exactly uniform. */
  integer(n: number): number {
    if (!(n > 0 && n <= 2 ** 32)) throw new RangeError(`integer(n): n must be in (0, 2^32], got ${n}`);
    const limit = Math.floor(2 ** 32 / n) * n;
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal by the Box-Muller transform (pairs; the spare is kept in the state). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float64Array | Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  state(): RngState {
    return { words: [this.a, this.b, this.c, this.d], spareNormal: this.spare };
  }

  restore(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.words.map((w) => w >>> 0) as [number, number, number, number];
    this.spare = state.spareNormal;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
