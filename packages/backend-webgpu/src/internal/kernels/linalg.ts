/**
 * The linear-algebra kernels on WebGPU: the same algorithms as the CPU
 * backend's (packages/backend-typed-array/src/internal/linalg.ts) in float32
 * WGSL, one invocation per matrix (per right-hand side for triangular solves),
 * so a batch of matrices runs in parallel and one large matrix runs on one
 * GPU thread. Each invocation works in its own slice of one packed output
 * buffer (f32 values and int32 pivots as raw 32-bit words); multi-output
 * primitives then copy their outputs out of it with the strided copy.
 */
import type { AbstractValue, Params } from "@diffect/core"
import { BackendError, Shape } from "@diffect/core"
import type { Runtime, Storage } from "../runtime.js"
import { shader } from "../shader.js"
import { stridedCopy } from "./copy.js"

const NAN_BITS = "0x7fc00000u"

// f32 loads and stores of the packed u32 output.
const decls = `fn ld(i: u32) -> f32 { return bitcast<f32>(out[i]); }
fn st(i: u32, v: f32) { out[i] = bitcast<u32>(v); }`

const batchOf = (a: AbstractValue): number => Shape.sizeOf(a.shape.slice(0, -2))

// Complex decompositions have CPU kernels only (documented in docs/guide/linalg.md).
const realOnly = (op: string, a: AbstractValue): void => {
  if (a.dtype === "complex64") {
    throw new BackendError({
      backend: "webgpu",
      detail: `${op} of complex64 matrices has no WebGPU kernel; run it on the typed-array backend`
    })
  }
}

/**
 * The largest matrices (rows or columns) that eigh and svd, one invocation per
 * matrix with O(n^2) loops per step, compute correctly on a software adapter
 * (measured on Dawn over llvmpipe, float32: eigh right at 130 rows, wrong from
 * 140; svd right at 100, wrong from 110). Larger ones are a BackendError there.
 */
export const softwareLimits = { eigh: 128, svd: 100 } as const

const withinSoftwareLimit = (runtime: Runtime, op: "eigh" | "svd", a: AbstractValue): void => {
  const size = Math.max(a.shape.at(-2)!, a.shape.at(-1)!)
  if (runtime.software && size > softwareLimits[op]) {
    throw new BackendError({
      backend: "webgpu",
      detail: `${op} of a ${a.shape.at(-2)}x${a.shape.at(-1)} matrix: on a software adapter (llvmpipe) the ${op} ` +
        `kernel is exact up to ${softwareLimits[op]} rows and columns (its loops stop after 65535 iterations); ` +
        `run it on the typed-array backend`
    })
  }
}

const kernelOf = (runtime: Runtime, key: string, inputs: number, body: string) =>
  runtime.kernel(`linalg:${key}`, inputs, () =>
    shader({
      inputs: Array.from({ length: inputs }, () => "f32"),
      output: "u32",
      workgroupSize: runtime.workgroupSize,
      decls,
      body
    }))

/** Copies `outs[i]` (a `sizes[i]`-word slice at `offsets[i]` of each `stride`-word block) out of `packed`. */
const unpack = (
  runtime: Runtime,
  packed: Storage,
  count: number,
  stride: number,
  offsets: ReadonlyArray<number>,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<Storage> => {
  const results = outs.map((oa, i) => {
    const words = Shape.sizeOf(oa.shape) / Math.max(count, 1)
    const out = runtime.allocate(Shape.sizeOf(oa.shape) * 4)
    if (out.gpu !== undefined && packed.gpu !== undefined) {
      stridedCopy(runtime, packed.gpu, out.gpu, 1, {
        shape: [count, words],
        srcOffset: offsets[i]!,
        srcStrides: [stride, 1],
        dstOffset: 0,
        dstStrides: [words, 1]
      })
    }
    return out
  })
  runtime.retire(packed)
  return results
}

// Cholesky by columns, two dispatches per column: "diag" (one invocation per matrix: the pivot
// from the row before it, O(n)) and "column" (one invocation per row below it, O(n)), so that
// no invocation loops O(n^2) times (llvmpipe cuts a loop off after 65535 iterations) and the
// rows of one large matrix run in parallel. A non-positive pivot marks the matrix (the word
// after it), and the last step fills a marked matrix with NaN. Params: count, n, j.
const CHOLESKY_ROW_HEAD = `  let n = p(3u);
  if (tid >= p(2u) * n) { return; }
  let j = p(4u);
  let b = tid / n;
  let i = tid % n;
  let base = b * (n * n + 1u);
  let flag = base + n * n;
  let ai = b * n * n;
`

const CHOLESKY_INIT = `${CHOLESKY_ROW_HEAD}
  for (var c = 0u; c < n; c++) { out[base + i * n + c] = 0u; }
  if (i == 0u) { out[flag] = 0u; }`

const CHOLESKY_DIAG = `  if (tid >= p(2u)) { return; }
  let n = p(3u);
  let j = p(4u);
  let base = tid * (n * n + 1u);
  let flag = base + n * n;
  if (out[flag] == 1u) { return; }
  var s = in0[tid * n * n + j * n + j];
  for (var k = 0u; k < j; k++) { let l = ld(base + j * n + k); s = s - l * l; }
  if (!(s > 0.0)) { out[flag] = 1u; return; }
  st(base + j * n + j, sqrt(s));`

const CHOLESKY_COLUMN = `${CHOLESKY_ROW_HEAD}
  if (i <= j || out[flag] == 1u) { return; }
  var t = in0[ai + i * n + j];
  for (var k = 0u; k < j; k++) { t = t - ld(base + i * n + k) * ld(base + j * n + k); }
  st(base + i * n + j, t / ld(base + j * n + j));`

const CHOLESKY_FINISH = `${CHOLESKY_ROW_HEAD}
  if (out[flag] == 1u) { for (var c = 0u; c < n; c++) { out[base + i * n + c] = ${NAN_BITS}; } }`

/** `cholesky`: two dispatches per column (the pivot per matrix, then the column in parallel over rows), NaN where a pivot is not positive. */
export const cholesky = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  oa: AbstractValue
): ReadonlyArray<Storage> => {
  realOnly("cholesky", xa)
  const n = xa.shape.at(-1)!
  const count = batchOf(xa)
  const stride = n * n + 1
  const packed = runtime.allocate(count * stride * 4)
  if (packed.gpu !== undefined) {
    const run = (key: string, body: string, j: number, threads: number) =>
      runtime.dispatch(
        kernelOf(runtime, key, 1, body),
        [runtime.bind(x)],
        packed.gpu!,
        [0, 0, count, n, j],
        Math.ceil(threads / runtime.workgroupSize)
      )
    run("cholesky:init", CHOLESKY_INIT, 0, count * n)
    for (let j = 0; j < n; j++) {
      run("cholesky:diag", CHOLESKY_DIAG, j, count)
      if (j + 1 < n) run("cholesky:column", CHOLESKY_COLUMN, j, count * n)
    }
    run("cholesky:finish", CHOLESKY_FINISH, 0, count * n)
  }
  return unpack(runtime, packed, count, stride, [0], [oa])
}

const TRIANGULAR_SOLVE = `  if (tid >= p(2u)) { return; }
  let m = p(3u);
  let rows = p(4u);
  let cols = p(5u);
  let flags = p(6u);
  let nrhs = p(7u);
  let leftSide = (flags & 1u) != 0u;
  let transposed = (flags & 2u) != 0u;
  let lowerM = (flags & 4u) != 0u;
  let unit = (flags & 8u) != 0u;
  let b = tid / nrhs;
  let r = tid % nrhs;
  let ao = b * m * m;
  let bo = b * rows * cols;
  for (var q = 0u; q < m; q++) {
    let i = select(m - 1u - q, q, lowerM);
    let oi = select(bo + r * cols + i, bo + i * cols + r, leftSide);
    var s = in1[oi];
    for (var k = 0u; k < m; k++) {
      let solved = select(k > i, k < i, lowerM);
      if (solved) {
        let mik = select(in0[ao + i * m + k], in0[ao + k * m + i], transposed);
        let ok = select(bo + r * cols + k, bo + k * cols + r, leftSide);
        s = s - mik * ld(ok);
      }
    }
    st(oi, select(s / in0[ao + i * m + i], s, unit));
  }`

// The same substitution one row per dispatch (row `q` of the order, param 8): each invocation
// loops O(m) times, for matrices whose whole substitution (m^2 steps) would pass llvmpipe's limit.
const TRIANGULAR_SOLVE_ROW = TRIANGULAR_SOLVE.replace(
  "for (var q = 0u; q < m; q++) {",
  "{ let q = p(8u);"
)

/** Up to this size the whole substitution is one dispatch (m^2 <= 16384 loop steps); above it, one dispatch per row. */
const ONE_DISPATCH_SOLVE = 128

/** `triangular_solve`: one invocation per right-hand side of each matrix; one dispatch, or one per row above {@link ONE_DISPATCH_SOLVE}. */
export const triangularSolve = (
  runtime: Runtime,
  a: Storage,
  b: Storage,
  aa: AbstractValue,
  ba: AbstractValue,
  params: Params<"triangular_solve">,
  oa: AbstractValue
): Storage => {
  realOnly("triangular_solve", aa)
  const out = runtime.allocate(Shape.sizeOf(oa.shape) * 4)
  if (out.gpu === undefined) return out
  const { leftSide, lower, transposeA, unitDiagonal } = params
  const m = aa.shape.at(-1)!
  const [rows, cols] = [ba.shape.at(-2)!, ba.shape.at(-1)!]
  const nrhs = leftSide ? cols : rows
  // As on the CPU: M = op(T) (left) or op(T)^T (right), transposed iff transposeA === leftSide.
  const transposed = transposeA === leftSide
  const lowerM = lower !== transposed
  const flags = (leftSide ? 1 : 0) | (transposed ? 2 : 0) | (lowerM ? 4 : 0) | (unitDiagonal ? 8 : 0)
  const total = batchOf(aa) * nrhs
  const run = (key: string, body: string, q: number) =>
    runtime.dispatch(
      kernelOf(runtime, key, 2, body),
      [runtime.bind(a), runtime.bind(b)],
      out.gpu!,
      [0, 0, total, m, rows, cols, flags, nrhs, q],
      Math.ceil(total / runtime.workgroupSize)
    )
  if (m <= ONE_DISPATCH_SOLVE) run("triangular_solve", TRIANGULAR_SOLVE, 0)
  else for (let q = 0; q < m; q++) run("triangular_solve:row", TRIANGULAR_SOLVE_ROW, q)
  return out
}

// LU in steps (one dispatch each, see eigh): "init" copies, "step" j pivots, swaps and
// updates the trailing rows. Per block: the factors (m x n), pivots (k), permutation (m).
const LU_HEAD = `  if (tid >= p(2u)) { return; }
  let m = p(3u);
  let n = p(4u);
  let k = p(5u);
  let stride = p(6u);
  let j = p(7u);
  let base = tid * stride;
  let piv = base + m * n;
  let perm = piv + k;
`

// One invocation per matrix row: its copy and its permutation entry.
const LU_INIT = `  let m = p(3u);
  if (tid >= p(2u) * m) { return; }
  let n = p(4u);
  let k = p(5u);
  let stride = p(6u);
  let b = tid / m;
  let i = tid % m;
  let base = b * stride;
  for (var c = 0u; c < n; c++) { st(base + i * n + c, in0[b * m * n + i * n + c]); }
  out[base + m * n + k + i] = i;`

// Step j in two dispatches: "pivot" (one invocation per matrix: the pivot search, the row swap
// and the scaled column of L, O(m + n)) and "update" (one invocation per matrix row: that row's
// share of the rank-one update, O(n)), so no invocation loops O(n^2) times and the rows of one
// large matrix are updated in parallel.
const LU_PIVOT = `${LU_HEAD}
  var p = j;
  var best = abs(ld(base + j * n + j));
  for (var i = j + 1u; i < m; i++) {
    let v = abs(ld(base + i * n + j));
    if (v > best) { best = v; p = i; }
  }
  out[piv + j] = p;
  if (p != j) {
    for (var c = 0u; c < n; c++) {
      let t = out[base + j * n + c];
      out[base + j * n + c] = out[base + p * n + c];
      out[base + p * n + c] = t;
    }
    let t = out[perm + j];
    out[perm + j] = out[perm + p];
    out[perm + p] = t;
  }
  let d = ld(base + j * n + j);
  if (d != 0.0) { for (var i = j + 1u; i < m; i++) { st(base + i * n + j, ld(base + i * n + j) / d); } }`

const LU_UPDATE = `  let m = p(3u);
  if (tid >= p(2u) * m) { return; }
  let n = p(4u);
  let stride = p(6u);
  let j = p(7u);
  let i = tid % m;
  if (i <= j) { return; }
  let base = (tid / m) * stride;
  let l = ld(base + i * n + j);
  if (l != 0.0) {
    for (var c = j + 1u; c < n; c++) { st(base + i * n + c, ld(base + i * n + c) - l * ld(base + j * n + c)); }
  }`

/** `lu`: per elimination step a pivot dispatch (one invocation per matrix) and a parallel update (one per row); factors, pivots and permutation packed, then copied out. */
export const lu = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<Storage> => {
  realOnly("lu", xa)
  const [m, n] = [xa.shape.at(-2)!, xa.shape.at(-1)!]
  const k = Math.min(m, n)
  const count = batchOf(xa)
  const stride = m * n + k + m
  const packed = runtime.allocate(count * stride * 4)
  if (packed.gpu !== undefined) {
    // `threads`: one per matrix, or one per matrix row (the update)
    const run = (key: string, body: string, j = 0, threads = count) =>
      runtime.dispatch(kernelOf(runtime, key, 1, body), [runtime.bind(x)], packed.gpu!, [
        0,
        0,
        count,
        m,
        n,
        k,
        stride,
        j
      ], Math.ceil(threads / runtime.workgroupSize))
    run("lu:init", LU_INIT, 0, count * m)
    for (let j = 0; j < k; j++) {
      run("lu:pivot", LU_PIVOT, j)
      if (j + 1 < m && j + 1 < n) run("lu:update", LU_UPDATE, j, count * m)
    }
  }
  return unpack(runtime, packed, count, stride, [0, m * n, m * n + k], outs)
}

// Householder QR in steps: "init" copies (one invocation per row), "vector" j builds
// reflection j (one per matrix, O(m)), "reflect" j applies it to R (one per column, O(m)), "q"
// starts Q as the identity (one per row) and "apply" j multiplies reflection j into Q in reverse
// order (one per column of Q): no invocation loops O(n^2) times, and the columns of one large
// matrix run in parallel. Per block: R (m x n), the vectors (m x k), tau (k), Q (m x qc).
// Params: count, m, n, k, qc, stride, j, items (invocations per matrix).
const QR_HEAD = `  if (tid >= p(2u) * p(10u)) { return; }
  let m = p(3u);
  let n = p(4u);
  let k = p(5u);
  let qc = p(6u);
  let stride = p(7u);
  let j = p(8u);
  let b = tid / p(10u);
  let it = tid % p(10u);
  let base = b * stride;
  let vb = base + m * n;
  let tb = vb + m * k;
  let qb = tb + k;
`

const QR_INIT = `${QR_HEAD}
  for (var c = 0u; c < n; c++) { st(base + it * n + c, in0[b * m * n + it * n + c]); }
  for (var c = 0u; c < k; c++) { out[vb + it * k + c] = 0u; }
  if (it == 0u) { for (var c = 0u; c < k; c++) { out[tb + c] = 0u; } }`

const QR_VECTOR = `${QR_HEAD}
  let alpha = ld(base + j * n + j);
  var xnorm2 = 0.0;
  for (var i = j + 1u; i < m; i++) { let v = ld(base + i * n + j); xnorm2 = xnorm2 + v * v; }
  if (xnorm2 == 0.0) { st(tb + j, 0.0); return; }
  let norm = sqrt(alpha * alpha + xnorm2);
  let beta = select(norm, -norm, alpha >= 0.0);
  st(tb + j, (beta - alpha) / beta);
  let scale = 1.0 / (alpha - beta);
  st(vb + j * k + j, 1.0);
  for (var i = j + 1u; i < m; i++) { st(vb + i * k + j, ld(base + i * n + j) * scale); st(base + i * n + j, 0.0); }
  st(base + j * n + j, beta);`

const QR_REFLECT = `${QR_HEAD}
  let c = it;
  let tau = ld(tb + j);
  if (c <= j || tau == 0.0) { return; }
  var dot = 0.0;
  for (var i = j; i < m; i++) { dot = dot + ld(vb + i * k + j) * ld(base + i * n + c); }
  let f = tau * dot;
  for (var i = j; i < m; i++) { st(base + i * n + c, ld(base + i * n + c) - f * ld(vb + i * k + j)); }`

const QR_Q = `${QR_HEAD}
  for (var c = 0u; c < qc; c++) { st(qb + it * qc + c, select(0.0, 1.0, it == c)); }`

const QR_APPLY = `${QR_HEAD}
  let c = it;
  let tau = ld(tb + j);
  if (tau == 0.0) { return; }
  var dot = 0.0;
  for (var i = j; i < m; i++) { dot = dot + ld(vb + i * k + j) * ld(qb + i * qc + c); }
  let f = tau * dot;
  for (var i = j; i < m; i++) { st(qb + i * qc + c, ld(qb + i * qc + c) - f * ld(vb + i * k + j)); }`

/** `qr`: Householder, per reflection a vector dispatch (per matrix) and an update dispatch parallel over columns. */
export const qr = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  { fullMatrices }: Params<"qr">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<Storage> => {
  realOnly("qr", xa)
  const [m, n] = [xa.shape.at(-2)!, xa.shape.at(-1)!]
  const k = Math.min(m, n)
  const qc = fullMatrices ? m : k
  const count = batchOf(xa)
  const stride = m * n + m * k + k + m * qc
  const packed = runtime.allocate(count * stride * 4)
  if (packed.gpu !== undefined) {
    const run = (key: string, body: string, j: number, items: number) =>
      runtime.dispatch(
        kernelOf(runtime, key, 1, body),
        [runtime.bind(x)],
        packed.gpu!,
        [0, 0, count, m, n, k, qc, stride, j, 0, items],
        Math.ceil((count * items) / runtime.workgroupSize)
      )
    run("qr:init", QR_INIT, 0, m)
    for (let j = 0; j < k; j++) {
      run("qr:vector", QR_VECTOR, j, 1)
      if (j + 1 < n) run("qr:reflect", QR_REFLECT, j, n)
    }
    run("qr:q", QR_Q, 0, m)
    for (let j = k - 1; j >= 0; j--) run("qr:apply", QR_APPLY, j, qc)
  }
  // q sits after the work areas; r is the first qc rows of the reduced matrix.
  return unpack(runtime, packed, count, stride, [m * n + m * k + k, 0], outs)
}

// Cyclic Jacobi in steps, each its own dispatch so that no loop runs more than about 3 n^2
// iterations (llvmpipe cuts a loop off at 65535): "init" symmetrizes into S and sets V = I,
// each "row" step rotates the pairs (p, q > p) of one row (the first row of a sweep checks
// convergence first and stops the remaining steps), "finish" sorts. Per block: S (n x n), V (n x n),
// w (n), then two words: the convergence flag and ||A||_F^2.
const EIGH_HEAD = `  if (tid >= p(2u)) { return; }
  let n = p(3u);
  let lower = p(4u) != 0u;
  let stride = p(5u);
  let step = p(6u);
  let row = p(7u);
  let base = tid * stride;
  let vb = base + n * n;
  let wb = vb + n * n;
  let flag = wb + n;
  let ao = tid * n * n;
`

const EIGH_INIT = `${EIGH_HEAD}
  var total = 0.0;
  for (var i = 0u; i < n; i++) {
    for (var j = 0u; j <= i; j++) {
      let v = select(in0[ao + j * n + i], in0[ao + i * n + j], lower);
      st(base + i * n + j, v);
      st(base + j * n + i, v);
      total = total + select(2.0, 1.0, i == j) * v * v;
      st(vb + i * n + j, select(0.0, 1.0, i == j));
      st(vb + j * n + i, select(0.0, 1.0, i == j));
    }
  }
  out[flag] = 0u;
  st(flag + 1u, total);`

const EIGH_ROW = `${EIGH_HEAD}
  if (out[flag] == 1u) { return; }
  if (row == 0u) {
    var off = 0.0;
    for (var pp = 0u; pp < n; pp++) {
      for (var q = pp + 1u; q < n; q++) { let v = ld(base + pp * n + q); off = off + v * v; }
    }
    if (off <= 1.4e-14 * ld(flag + 1u)) { out[flag] = 1u; return; }
  }
  let pp = row;
  for (var q = pp + 1u; q < n; q++) {
    let apq = ld(base + pp * n + q);
    if (apq == 0.0) { continue; }
    let theta = (ld(base + q * n + q) - ld(base + pp * n + pp)) / (2.0 * apq);
    let t = select(-1.0, 1.0, theta >= 0.0) / (abs(theta) + sqrt(theta * theta + 1.0));
    let c = 1.0 / sqrt(t * t + 1.0);
    let s = t * c;
    for (var r = 0u; r < n; r++) {
      let rp = ld(base + r * n + pp);
      let rq = ld(base + r * n + q);
      st(base + r * n + pp, c * rp - s * rq);
      st(base + r * n + q, s * rp + c * rq);
    }
    for (var r = 0u; r < n; r++) {
      let pr = ld(base + pp * n + r);
      let qr = ld(base + q * n + r);
      st(base + pp * n + r, c * pr - s * qr);
      st(base + q * n + r, s * pr + c * qr);
    }
    st(base + pp * n + q, 0.0);
    st(base + q * n + pp, 0.0);
    for (var r = 0u; r < n; r++) {
      let vp = ld(vb + r * n + pp);
      let vq = ld(vb + r * n + q);
      st(vb + r * n + pp, c * vp - s * vq);
      st(vb + r * n + q, s * vp + c * vq);
    }
  }`

const EIGH_FINISH = `${EIGH_HEAD}
  for (var i = 0u; i < n; i++) { st(wb + i, ld(base + i * n + i)); }
  for (var i = 0u; i < n; i++) {
    var best = i;
    for (var j = i + 1u; j < n; j++) { if (ld(wb + j) < ld(wb + best)) { best = j; } }
    if (best != i) {
      let t = out[wb + i];
      out[wb + i] = out[wb + best];
      out[wb + best] = t;
      for (var r = 0u; r < n; r++) {
        let u = out[vb + r * n + i];
        out[vb + r * n + i] = out[vb + r * n + best];
        out[vb + r * n + best] = u;
      }
    }
  }`

/** Jacobi sweeps dispatched: at most this many (each stops at once after convergence). */
const MAX_SWEEPS = 30

/** `eigh`: cyclic Jacobi, one invocation per matrix, one dispatch per row of each sweep. */
export const eigh = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  { lower }: Params<"eigh">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<Storage> => {
  realOnly("eigh", xa)
  withinSoftwareLimit(runtime, "eigh", xa)
  const n = xa.shape.at(-1)!
  const count = batchOf(xa)
  const stride = 2 * n * n + n + 2
  const packed = runtime.allocate(count * stride * 4)
  if (packed.gpu !== undefined) {
    const groups = Math.ceil(count / runtime.workgroupSize)
    const run = (key: string, body: string, row = 0) =>
      runtime.dispatch(
        kernelOf(runtime, key, 1, body),
        [runtime.bind(x)],
        packed.gpu!,
        [0, 0, count, n, lower ? 1 : 0, stride, 0, row],
        groups
      )
    run("eigh:init", EIGH_INIT)
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      for (let row = 0; row < Math.max(n - 1, 1); row++) run("eigh:row", EIGH_ROW, row)
    }
    run("eigh:finish", EIGH_FINISH)
  }
  return unpack(runtime, packed, count, stride, [n * n, 2 * n * n], outs)
}

// One-sided Jacobi on the tall orientation (bigM x bigN, bigM >= bigN), in steps as eigh's:
// "init", one "row" step per row of each sweep (a sweep without a rotation ends the
// iteration), "finish" (norms, descending sort, normalized U rows), one "complete" step per U
// row (the rows of zero singular values and beyond k: the unit vector farthest from the span of
// the others, orthogonalized twice), "output". Regions of each block: s (k), u (m x uc),
// vt (vr x n), W (bigN x bigM), V (bigN x bigN), U rows (uRows x bigM), valid (uRows), cand (bigM),
// then two words: the convergence flag and the rotated-in-this-sweep flag.
const SVD_HEAD = `  if (tid >= p(2u)) { return; }
  let m = p(3u);
  let n = p(4u);
  let tr = p(5u) != 0u;
  let uc = p(6u);
  let vr = p(7u);
  let uRows = p(8u);
  let M = p(9u);
  let N = p(10u);
  let stride = p(11u);
  let row = p(12u);
  let sweep = p(13u);
  let k = N;
  let base = tid * stride;
  let sb = base;
  let ub = sb + k;
  let vtb = ub + m * uc;
  let wb = vtb + vr * n;
  let vb = wb + N * M;
  let urb = vb + N * N;
  let validb = urb + uRows * M;
  let cb = validb + uRows;
  let flag = cb + M;
  let ao = tid * m * n;
`

const SVD_INIT = `${SVD_HEAD}
  for (var j = 0u; j < N; j++) {
    for (var i = 0u; i < M; i++) { st(wb + j * M + i, select(in0[ao + i * n + j], in0[ao + j * n + i], tr)); }
    for (var i = 0u; i < N; i++) { st(vb + j * N + i, select(0.0, 1.0, i == j)); }
  }
  out[flag] = 0u;
  out[flag + 1u] = 0u;`

const SVD_ROW = `${SVD_HEAD}
  if (out[flag] == 1u) { return; }
  if (row == 0u) {
    if (sweep > 0u && out[flag + 1u] == 0u) { out[flag] = 1u; return; }
    out[flag + 1u] = 0u;
  }
  let pp = row;
  for (var q = pp + 1u; q < N; q++) {
    var alpha = 0.0;
    var beta = 0.0;
    var gamma = 0.0;
    for (var i = 0u; i < M; i++) {
      let x = ld(wb + pp * M + i);
      let y = ld(wb + q * M + i);
      alpha = alpha + x * x;
      beta = beta + y * y;
      gamma = gamma + x * y;
    }
    if (gamma == 0.0 || abs(gamma) <= 1.2e-7 * sqrt(alpha * beta)) { continue; }
    out[flag + 1u] = 1u;
    let zeta = (beta - alpha) / (2.0 * gamma);
    let t = select(-1.0, 1.0, zeta >= 0.0) / (abs(zeta) + sqrt(1.0 + zeta * zeta));
    let c = 1.0 / sqrt(1.0 + t * t);
    let s = c * t;
    for (var i = 0u; i < M; i++) {
      let x = ld(wb + pp * M + i);
      let y = ld(wb + q * M + i);
      st(wb + pp * M + i, c * x - s * y);
      st(wb + q * M + i, s * x + c * y);
    }
    for (var i = 0u; i < N; i++) {
      let x = ld(vb + pp * N + i);
      let y = ld(vb + q * N + i);
      st(vb + pp * N + i, c * x - s * y);
      st(vb + q * N + i, s * x + c * y);
    }
  }`

const SVD_FINISH = `${SVD_HEAD}
  for (var j = 0u; j < N; j++) {
    var s = 0.0;
    for (var i = 0u; i < M; i++) { let x = ld(wb + j * M + i); s = s + x * x; }
    st(sb + j, sqrt(s));
  }
  // selection sort, descending: W rows and V rows follow their singular value
  for (var i = 0u; i < N; i++) {
    var best = i;
    for (var j = i + 1u; j < N; j++) { if (ld(sb + j) > ld(sb + best)) { best = j; } }
    if (best != i) {
      let t = out[sb + i];
      out[sb + i] = out[sb + best];
      out[sb + best] = t;
      for (var r = 0u; r < M; r++) {
        let u = out[wb + i * M + r];
        out[wb + i * M + r] = out[wb + best * M + r];
        out[wb + best * M + r] = u;
      }
      for (var r = 0u; r < N; r++) {
        let u = out[vb + i * N + r];
        out[vb + i * N + r] = out[vb + best * N + r];
        out[vb + best * N + r] = u;
      }
    }
  }
  for (var j = 0u; j < uRows; j++) {
    out[validb + j] = 0u;
    for (var i = 0u; i < M; i++) { st(urb + j * M + i, 0.0); }
    if (j < N) {
      let sj = ld(sb + j);
      if (sj > 0.0) {
        for (var i = 0u; i < M; i++) { st(urb + j * M + i, ld(wb + j * M + i) / sj); }
        out[validb + j] = 1u;
      }
    }
  }`

const SVD_COMPLETE = `${SVD_HEAD}
  let j = row;
  if (out[validb + j] == 1u) { return; }
  var bestNorm = -1.0;
  var bestE = 0u;
  for (var e = 0u; e < M; e++) {
    var s = 1.0;
    for (var i = 0u; i < uRows; i++) { if (out[validb + i] == 1u) { let u = ld(urb + i * M + e); s = s - u * u; } }
    if (s > bestNorm) { bestNorm = s; bestE = e; }
  }
  for (var c = 0u; c < M; c++) { st(cb + c, select(0.0, 1.0, c == bestE)); }
  for (var round = 0u; round < 2u; round++) {
    for (var i = 0u; i < uRows; i++) {
      if (out[validb + i] != 1u) { continue; }
      var d = 0.0;
      for (var c = 0u; c < M; c++) { d = d + ld(urb + i * M + c) * ld(cb + c); }
      for (var c = 0u; c < M; c++) { st(cb + c, ld(cb + c) - d * ld(urb + i * M + c)); }
    }
  }
  var norm = 0.0;
  for (var c = 0u; c < M; c++) { norm = norm + ld(cb + c) * ld(cb + c); }
  norm = sqrt(norm);
  for (var c = 0u; c < M; c++) { st(urb + j * M + c, ld(cb + c) / norm); }
  out[validb + j] = 1u;`

// A = U S V^T (tall) or, transposed, A = V S U^T.
const SVD_OUTPUT = `${SVD_HEAD}
  for (var i = 0u; i < m; i++) {
    for (var j = 0u; j < uc; j++) {
      st(ub + i * uc + j, select(ld(urb + j * M + i), ld(vb + j * N + i), tr));
    }
  }
  for (var j = 0u; j < vr; j++) {
    for (var c = 0u; c < n; c++) {
      st(vtb + j * n + c, select(ld(vb + j * N + c), ld(urb + j * M + c), tr));
    }
  }`

/** `svd`: one-sided Jacobi, one invocation per matrix, one dispatch per step. */
export const svd = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  { computeUv, fullMatrices }: Params<"svd">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<Storage> => {
  realOnly("svd", xa)
  withinSoftwareLimit(runtime, "svd", xa)
  const [m, n] = [xa.shape.at(-2)!, xa.shape.at(-1)!]
  const k = Math.min(m, n)
  const tr = m < n
  const [bigM, bigN] = tr ? [n, m] : [m, n]
  const uc = fullMatrices ? m : k
  const vr = fullMatrices ? n : k
  const uRows = tr ? vr : uc
  const count = batchOf(xa)
  const stride = k + m * uc + vr * n + bigN * bigM + bigN * bigN + uRows * bigM + uRows + bigM + 2
  const packed = runtime.allocate(count * stride * 4)
  if (packed.gpu !== undefined) {
    const groups = Math.ceil(count / runtime.workgroupSize)
    const run = (key: string, body: string, row = 0, sweep = 0) =>
      runtime.dispatch(
        kernelOf(runtime, key, 1, body),
        [runtime.bind(x)],
        packed.gpu!,
        [0, 0, count, m, n, tr ? 1 : 0, uc, vr, uRows, bigM, bigN, stride, row, sweep],
        groups
      )
    run("svd:init", SVD_INIT)
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      for (let row = 0; row < Math.max(bigN - 1, 1); row++) run("svd:row", SVD_ROW, row, sweep)
    }
    run("svd:finish", SVD_FINISH)
    for (let row = 0; row < uRows; row++) run("svd:complete", SVD_COMPLETE, row)
    run("svd:output", SVD_OUTPUT)
  }
  const offsets = [0, k, k + m * uc]
  return unpack(runtime, packed, count, stride, computeUv ? offsets : [0], outs)
}
