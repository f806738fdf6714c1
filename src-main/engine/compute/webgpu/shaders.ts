// WGSL compute shaders of the WebGPU backend. Two kernels cover every product the engine needs:
//
// - `dense`: C_g = epilogue(op(A_g) * op(B_g)) for groups g (the candidates of a population, or
//   one model), a 16 x 16 tiled product with workgroup memory (the classic shared-memory GEMM,
//   e.g. Kirk & Hwu, "Programming Massively Parallel Processors", ch. 5). Element offsets and
//   group strides address the flat parameter vector and the candidates buffer directly, so no
//   layer is ever copied out; a stride of 0 shares an operand across groups. Epilogues: bias and
//   activation (forward), none (weight gradient), or times the activation's derivative
//   expressed through its output h (backward through a hidden layer, as activation.ts does).
// - `cross_entropy`: one invocation per (group, row): the softmax cross-entropy of a row of
//   logits, computed stably as logsumexp(z) - z_label (loss.ts), whether the arg-max is the label
//   (first index wins ties), and optionally d(mean loss)/dz = (softmax - onehot) / rows.
//
// Every output element is produced by one invocation that sums in a fixed order (no atomics),
// so the same device and inputs give the same bits on every call. Row losses are read back and
// summed on the CPU in float64, row by row, as the JS backend sums them.

/** Workgroup tile edge of `dense` (16 x 16 = 256 invocations, the WebGPU default limit). */
export const TILE = 16;

/** Epilogue codes of `dense`. */
export const EPILOGUE = { biasActivation: 0, none: 1, derivative: 2 } as const;
/** Activation codes shared by both epilogues (none = identity). */
export const ACTIVATION_CODE = { none: 0, sigmoid: 1, tanh: 2, relu: 3 } as const;

/** Uniform block of `dense`: 20 u32 fields (80 bytes). Order matters: see DenseUniforms. */
export const DENSE_UNIFORM_FIELDS = [
  'm',
  'n',
  'k',
  'transA',
  'transB',
  'lda',
  'ldb',
  'ldc',
  'aOffset',
  'bOffset',
  'cOffset',
  'aGroupStride',
  'bGroupStride',
  'cGroupStride',
  'biasOffset',
  'biasGroupStride',
  'epilogue',
  'activation',
  'auxOffset',
  'auxGroupStride',
] as const;

export const DENSE_SHADER = /* wgsl */ `
struct Dense {
  m: u32, n: u32, k: u32, transA: u32, transB: u32, lda: u32, ldb: u32, ldc: u32,
  aOffset: u32, bOffset: u32, cOffset: u32, aGroupStride: u32, bGroupStride: u32, cGroupStride: u32,
  biasOffset: u32, biasGroupStride: u32, epilogue: u32, activation: u32, auxOffset: u32, auxGroupStride: u32,
}

@group(0) @binding(0) var<uniform> p: Dense;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> c: array<f32>;

var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;

// op(A)[i, q]: A is m x k (or k x m when transposed), row stride lda.
fn loadA(group: u32, i: u32, q: u32) -> f32 {
  if (i >= p.m || q >= p.k) { return 0.0; }
  let base = p.aOffset + group * p.aGroupStride;
  if (p.transA == 1u) { return a[base + q * p.lda + i]; }
  return a[base + i * p.lda + q];
}

// op(B)[q, j]: B is k x n (or n x k when transposed), row stride ldb.
fn loadB(group: u32, q: u32, j: u32) -> f32 {
  if (q >= p.k || j >= p.n) { return 0.0; }
  let base = p.bOffset + group * p.bGroupStride;
  if (p.transB == 1u) { return b[base + j * p.ldb + q]; }
  return b[base + q * p.ldb + j];
}

fn activate(z: f32) -> f32 {
  switch p.activation {
    case 1u: { return 1.0 / (1.0 + exp(-z)); }
    case 2u: { return tanh(clamp(z, -15.0, 15.0)); } // some drivers' tanh overflows to NaN far out
    case 3u: { return max(z, 0.0); }
    default: { return z; }
  }
}

// act'(z) through h = act(z): sigmoid h(1-h), tanh 1-h^2, relu [h > 0].
fn derivative(h: f32) -> f32 {
  switch p.activation {
    case 1u: { return h * (1.0 - h); }
    case 2u: { return 1.0 - h * h; }
    case 3u: { return select(0.0, 1.0, h > 0.0); }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(${TILE}, ${TILE}, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let group = wid.z;
  let row = gid.y;
  let col = gid.x;
  var sum = 0.0;
  let tiles = (p.k + ${TILE - 1}u) / ${TILE}u;
  for (var t = 0u; t < tiles; t++) {
    tileA[lid.y][lid.x] = loadA(group, row, t * ${TILE}u + lid.x);
    tileB[lid.y][lid.x] = loadB(group, t * ${TILE}u + lid.y, col);
    workgroupBarrier();
    for (var q = 0u; q < ${TILE}u; q++) {
      sum = sum + tileA[lid.y][q] * tileB[q][lid.x];
    }
    workgroupBarrier();
  }
  if (row >= p.m || col >= p.n) { return; }
  var value = sum;
  if (p.epilogue == ${EPILOGUE.biasActivation}u) {
    value = activate(value + bias[p.biasOffset + group * p.biasGroupStride + col]);
  } else if (p.epilogue == ${EPILOGUE.derivative}u) {
    value = value * derivative(aux[p.auxOffset + group * p.auxGroupStride + row * p.ldc + col]);
  }
  c[p.cOffset + group * p.cGroupStride + row * p.ldc + col] = value;
}
`;

/** Uniform block of `cross_entropy`: 4 u32 fields. */
export const CROSS_ENTROPY_UNIFORM_FIELDS = ['rows', 'classes', 'groups', 'withGradient'] as const;

export const CROSS_ENTROPY_SHADER = /* wgsl */ `
struct CrossEntropy { rows: u32, classes: u32, groups: u32, withGradient: u32 }

@group(0) @binding(0) var<uniform> p: CrossEntropy;
// Logits of group g, row r, class j at (g * rows + r) * classes + j.
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
// Per (group, row): the loss and 1.0 when the arg-max is the label.
@group(0) @binding(3) var<storage, read_write> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> correct: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = gid.x;
  if (index >= p.rows * p.groups) { return; }
  let r = index % p.rows;
  let base = index * p.classes;
  let label = u32(labels[r]);
  var top = logits[base];
  var arg = 0u;
  for (var j = 1u; j < p.classes; j++) {
    let v = logits[base + j];
    if (v > top) { top = v; arg = j; }
  }
  var sum = 0.0;
  for (var j = 0u; j < p.classes; j++) { sum = sum + exp(logits[base + j] - top); }
  losses[index] = log(sum) + top - logits[base + label];
  correct[index] = select(0.0, 1.0, arg == label);
  if (p.withGradient == 1u) {
    let scale = 1.0 / (f32(p.rows) * sum);
    for (var j = 0u; j < p.classes; j++) {
      grad[base + j] = exp(logits[base + j] - top) * scale;
    }
    grad[base + label] = grad[base + label] - 1.0 / f32(p.rows);
  }
}
`;
