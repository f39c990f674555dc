/**
 * `fft` on the GPU: a mixed-radix Stockham FFT (the CPU kernel's algorithm),
 * one dispatch per radix stage and axis, over a complex64 working buffer
 * (`vec2<f32>` words). Inverse transforms use `IFFT(x) = conj(FFT(conj x)) / N`,
 * so the stages are always forward.
 *
 * - The length of each axis is factored into 4s, a 2, and its odd primes; a
 *   stage of radix r does r work per element, so lengths with small prime
 *   factors take O(n log n), and a prime length is one O(n^2) stage (the CPU
 *   kernel's Bluestein path is not ported; documented in docs/backends.md).
 * - Twiddles are a table of `exp(-2 pi i k / n)` computed in float64 on the host
 *   and rounded to f32, so their error is one f32 rounding whatever n.
 * - RFFT transforms the real input as complex and crops the last axis at the
 *   end; IRFFT inverts the other axes, rebuilds each last-axis line's Hermitian
 *   half (as the CPU kernel), inverts it and keeps the real part.
 *
 * Each stage's geometry is compiled into its shader as constants.
 */
import type { AbstractValue, Params } from "@diffect/core"
import { Fft, Shape, UnsupportedDTypeError } from "@diffect/core"
import type { Runtime, Storage } from "../runtime.js"
import { shader } from "../shader.js"

const C = "vec2<f32>"

const factor = Fft.radices

const twiddles = (n: number): Float32Array => {
  const w = new Float32Array(2 * n)
  for (let k = 0; k < n; k++) {
    if ((4 * k) % n === 0) {
      const q = (4 * k) / n
      w[2 * k] = q === 0 ? 1 : q === 2 ? -1 : 0
      w[2 * k + 1] = q === 1 ? -1 : q === 3 ? 1 : 0
    } else {
      const a = (2 * Math.PI * k) / n
      w[2 * k] = Math.cos(a)
      w[2 * k + 1] = -Math.sin(a)
    }
  }
  return w
}

const run = (
  runtime: Runtime,
  key: string,
  inputs: ReadonlyArray<Storage>,
  outWords: number,
  threads: number,
  body: () => string,
  inputTypes: ReadonlyArray<string>,
  outType: string
): Storage => {
  const out = runtime.allocate(outWords * 4)
  if (out.gpu === undefined || threads === 0) return out
  const kernel = runtime.kernel(key, inputs.length, () =>
    shader({
      inputs: inputTypes,
      output: outType,
      workgroupSize: runtime.workgroupSize,
      decls: `fn cmul(a: ${C}, b: ${C}) -> ${C} { return ${C}(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }`,
      body: `  if (tid >= ${threads}u) { return; }\n${body()}`
    }))
  runtime.dispatch(
    kernel,
    inputs.map((s) => runtime.bind(s)),
    out.gpu,
    [0, 0],
    Math.ceil(threads / runtime.workgroupSize)
  )
  return out
}

// One Stockham stage (radix r, stride s, sub-length m = len / r) along an axis of length n with `inner` elements after it.
const stage = (
  runtime: Runtime,
  x: Storage,
  table: Storage,
  size: number,
  n: number,
  inner: number,
  r: number,
  s: number,
  m: number
): Storage => {
  const threads = size / r
  const key = `fft-stage:${size}:${n}:${inner}:${r}:${s}:${m}`
  return run(
    runtime,
    key,
    [x, table],
    2 * size,
    threads,
    () =>
      `  let qs = tid % ${s}u;
  let p = (tid / ${s}u) % ${m}u;
  let line = tid / ${s * m}u;
  let base = (line / ${inner}u) * ${n * inner}u + line % ${inner}u;
  for (var k = 0u; k < ${r}u; k = k + 1u) {
    var acc = ${C}(0.0, 0.0);
    for (var j = 0u; j < ${r}u; j = j + 1u) {
      let a = in0[base + (qs + ${s}u * (p + j * ${m}u)) * ${inner}u];
      acc = acc + cmul(a, in1[${n / r}u * ((j * k) % ${r}u)]);
    }
    out[base + (qs + ${s}u * (${r}u * p + k)) * ${inner}u] = cmul(acc, in1[${s}u * p * k]);
  }`,
    [C, C],
    C
  )
}

// The forward DFT of every line along `axis` of the complex working buffer `x` (shape `shape`).
const alongAxis = (runtime: Runtime, x: Storage, shape: ReadonlyArray<number>, axis: number): Storage => {
  const n = shape[axis]!
  if (n <= 1) return x
  const size = Shape.sizeOf(shape)
  let inner = 1
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!
  const table = runtime.upload(twiddles(n))
  let cur = x
  let s = 1
  let len = n
  for (const r of factor(n)) {
    const m = len / r
    const next = stage(runtime, cur, table, size, n, inner, r, s, m)
    if (cur !== x) runtime.retire(cur)
    cur = next
    s *= r
    len = m
  }
  runtime.retire(table)
  return cur
}

/** `fft(x)`: complex64 / float32 operands (WebGPU has no 64-bit floats). */
export const fft = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  { fftLengths, fftType }: Params<"fft">,
  oa: AbstractValue
): Storage => {
  if (xa.dtype !== "complex64" && xa.dtype !== "float32") {
    throw new UnsupportedDTypeError({ backend: "webgpu", dtype: xa.dtype })
  }
  const rank = xa.shape.length
  const k = fftLengths.length
  const axes = Array.from({ length: k }, (_, i) => rank - k + i)
  const inSize = Shape.sizeOf(xa.shape)
  const outSize = Shape.sizeOf(oa.shape)
  const words = oa.dtype === "complex64" ? 2 * outSize : outSize
  if (outSize === 0) return runtime.allocate(words * 4)
  const total = fftLengths.reduce((a, b) => a * b, 1)
  const conj = fftType === "IFFT" || fftType === "IRFFT"
  // the working buffer: complex, conjugated for the inverse transforms
  const load = fftType === "RFFT"
    ? run(runtime, `fft-load-real:${inSize}`, [x], 2 * inSize, inSize, () => `  out[tid] = ${C}(in0[tid], 0.0);`, [
      "f32"
    ], C)
    : run(
      runtime,
      `fft-load:${inSize}:${conj}`,
      [x],
      2 * inSize,
      inSize,
      () => `  let v = in0[tid];\n  out[tid] = ${conj ? `${C}(v.x, -v.y)` : "v"};`,
      [C],
      C
    )
  let w = load
  const step = (shape: ReadonlyArray<number>, axis: number) => {
    const next = alongAxis(runtime, w, shape, axis)
    if (next !== w) runtime.retire(w)
    w = next
  }
  if (fftType !== "IRFFT") {
    for (const a of axes) step(xa.shape, a)
  } else {
    for (const a of axes.slice(0, -1)) step(xa.shape, a)
    // each last-axis line of h entries rebuilt to n: X[t] (t < h), conj X[n - t] (t >= h)
    const h = xa.shape[rank - 1]!
    const n = oa.shape[rank - 1]!
    const full = run(
      runtime,
      `fft-hermitian:${outSize}:${h}:${n}`,
      [w],
      2 * outSize,
      outSize,
      () =>
        `  let t = tid % ${n}u;
  let line = tid / ${n}u;
  if (t < ${h}u) { out[tid] = in0[line * ${h}u + t]; } else {
    let v = in0[line * ${h}u + ${n}u - t];
    out[tid] = ${C}(v.x, -v.y);
  }`,
      [C],
      C
    )
    runtime.retire(w)
    w = full
    step(oa.shape, rank - 1)
  }
  const scale = conj ? 1 / total : 1
  let result: Storage
  if (fftType === "IRFFT") {
    result = run(
      runtime,
      `fft-store-real:${outSize}:${scale}`,
      [w],
      outSize,
      outSize,
      () => `  out[tid] = in0[tid].x * ${scale.toExponential(17)};`,
      [C],
      "f32"
    )
  } else if (fftType === "RFFT") {
    const n = xa.shape[rank - 1]!
    const h = oa.shape[rank - 1]!
    result = run(
      runtime,
      `fft-store-crop:${outSize}:${n}:${h}`,
      [w],
      2 * outSize,
      outSize,
      () => `  out[tid] = in0[(tid / ${h}u) * ${n}u + tid % ${h}u];`,
      [C],
      C
    )
  } else {
    result = run(
      runtime,
      `fft-store:${outSize}:${scale}:${conj}`,
      [w],
      2 * outSize,
      outSize,
      () => {
        const f = scale.toExponential(17)
        return `  let v = in0[tid];\n  out[tid] = ${conj ? `${C}(v.x * ${f}, -v.y * ${f})` : "v"};`
      },
      [C],
      C
    )
  }
  runtime.retire(w)
  return result
}
