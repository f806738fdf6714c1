// Bilinear image resize with half-pixel centres (align_corners = false, no anti-aliasing),
// the convention of torch.nn.functional.interpolate(mode='bilinear'). Halving 28x28 to 14x14
// with it averages each 2x2 block.

/** Resizes `images` (count x inSize x inSize, values as given) to count x outSize x outSize. */
export function resizeBilinear(images: Float32Array, count: number, inSize: number, outSize: number): Float32Array {
  const out = new Float32Array(count * outSize * outSize);
  const scale = inSize / outSize;
  // Precompute the two source taps and weights per output coordinate (same for rows and columns).
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    lo[o] = Math.min(Math.floor(src), inSize - 1);
    hi[o] = Math.min(lo[o] + 1, inSize - 1);
    frac[o] = src - lo[o];
  }
  const inArea = inSize * inSize;
  const outArea = outSize * outSize;
  for (let n = 0; n < count; n++) {
    const base = n * inArea;
    for (let r = 0; r < outSize; r++) {
      const r0 = base + lo[r] * inSize;
      const r1 = base + hi[r] * inSize;
      const fr = frac[r];
      for (let c = 0; c < outSize; c++) {
        const c0 = lo[c];
        const c1 = hi[c];
        const fc = frac[c];
        const top = images[r0 + c0] * (1 - fc) + images[r0 + c1] * fc;
        const bottom = images[r1 + c0] * (1 - fc) + images[r1 + c1] * fc;
        out[n * outArea + r * outSize + c] = top * (1 - fr) + bottom * fr;
      }
    }
  }
  return out;
}
