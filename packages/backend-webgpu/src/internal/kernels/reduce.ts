/**
 * Reductions (sum, prod, max, min over any axes), argmax/argmin and the
 * cumulative reductions (sum, prod, max, min, logsumexp).
 *
 * The reduced axes, when they form one block, let the input be read in place as
 * `[outer, R, inner]`; otherwise it is first transposed into `[kept, reduced]`.
 * Short rows are folded by one thread each. Long rows are split into chunks:
 * a workgroup folds each chunk (a few elements per thread, then a tree in
 * workgroup memory), and the chunk partials are reduced again, so float32 sums
 * are pairwise-accurate and every row is spread over many threads.
 */
import type { AbstractValue, DType, Params } from "@diffect/core"
import { DTypeError, Kernel as K, Shape, View } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { emitExprs, Helpers } from "../wgsl.js"
import { stridedCopy } from "./copy.js"

/** The monoids of the reductions. */
export type Monoid = "sum" | "prod" | "max" | "min"

interface Ops {
  readonly acc: string
  readonly identity: string
  readonly combine: (a: string, b: string) => string
  readonly load: (index: string, buffer?: string) => string
  readonly store: (index: string, value: string) => string
  readonly helpers: Helpers
}

const ops = (monoid: Monoid, dtype: DType.DType): Ops => {
  const helpers = new Helpers()
  const scalarLoad = (i: string, buf = "in0") => `${buf}[${i}]`
  const scalarStore = (i: string, v: string) => `out[${i}] = ${v};`
  if (dtype === "complex64") {
    const load = (i: string, buf = "in0") => `vec2<f32>(${buf}[2u * (${i})], ${buf}[2u * (${i}) + 1u])`
    const store = (i: string, v: string) => `out[2u * (${i})] = ${v}.x; out[2u * (${i}) + 1u] = ${v}.y;`
    if (monoid === "sum") {
      return {
        acc: "vec2<f32>",
        identity: "vec2<f32>(0.0, 0.0)",
        combine: (a, b) => `(${a} + ${b})`,
        load,
        store,
        helpers
      }
    }
    if (monoid === "prod") {
      return {
        acc: "vec2<f32>",
        identity: "vec2<f32>(1.0, 0.0)",
        combine: (a, b) => `vec2<f32>(${a}.x * ${b}.x - ${a}.y * ${b}.y, ${a}.x * ${b}.y + ${a}.y * ${b}.x)`,
        load,
        store,
        helpers
      }
    }
    // lexicographic (lax.max/min on complex), from (-inf, -inf) or (inf, inf)
    helpers.use(monoid === "max" ? "cmax" : "cmin")
    helpers.use("consts")
    const bound = monoid === "max" ? "bitcast<f32>(NINF_BITS)" : "bitcast<f32>(INF_BITS)"
    return {
      acc: "vec2<f32>",
      identity: `vec2<f32>(${bound}, ${bound})`,
      combine: (a, b) => `c${monoid}_c64(${a}, ${b})`,
      load,
      store,
      helpers
    }
  }
  const t = storageType(dtype)
  const base = { acc: t, load: scalarLoad, store: scalarStore, helpers }
  if (dtype === "bool") {
    const combine = monoid === "sum" || monoid === "max"
      ? (a: string, b: string) => `(${a} | ${b})`
      : (a: string, b: string) => `(${a} & ${b})`
    return { ...base, identity: monoid === "sum" || monoid === "max" ? "0u" : "1u", combine }
  }
  if (dtype === "int32") {
    switch (monoid) {
      case "sum":
        return { ...base, identity: "0i", combine: (a, b) => `(${a} + ${b})` }
      case "prod":
        return { ...base, identity: "1i", combine: (a, b) => `(${a} * ${b})` }
      case "max":
        return { ...base, identity: "(-2147483647i - 1i)", combine: (a, b) => `max(${a}, ${b})` }
      case "min":
        return { ...base, identity: "2147483647i", combine: (a, b) => `min(${a}, ${b})` }
    }
  }
  if (dtype === "uint32") {
    switch (monoid) {
      case "sum":
        return { ...base, identity: "0u", combine: (a, b) => `(${a} + ${b})` }
      case "prod":
        return { ...base, identity: "1u", combine: (a, b) => `(${a} * ${b})` }
      case "max":
        return { ...base, identity: "0u", combine: (a, b) => `max(${a}, ${b})` }
      case "min":
        return { ...base, identity: "0xffffffffu", combine: (a, b) => `min(${a}, ${b})` }
    }
  }
  switch (monoid) {
    case "sum":
      return { ...base, identity: "0.0", combine: (a, b) => `(${a} + ${b})` }
    case "prod":
      return { ...base, identity: "1.0", combine: (a, b) => `(${a} * ${b})` }
    case "max":
      helpers.use("max")
      return { ...base, identity: "bitcast<f32>(NINF_BITS)", combine: (a, b) => `max_f32(${a}, ${b})` }
    case "min":
      helpers.use("min")
      helpers.use("consts")
      return { ...base, identity: "bitcast<f32>(INF_BITS)", combine: (a, b) => `min_f32(${a}, ${b})` }
  }
}

// Rows of at most this length are folded by one thread.
const SHORT_ROW = 64
// Elements each thread folds per chunk in the workgroup kernel.
const PER_THREAD = 8

const rowKernel = (runtime: Runtime, monoid: Monoid, dtype: DType.DType) =>
  runtime.kernel(`reduce-row:${monoid}:${dtype}`, 1, () => {
    const o = ops(monoid, dtype)
    return shader({
      inputs: [storageType(dtype)],
      output: storageType(dtype),
      workgroupSize: runtime.workgroupSize,
      helpers: o.helpers,
      body: `  if (tid >= p(2u)) { return; }
  let len = p(3u);
  let inner = p(4u);
  let base = (tid / inner) * len * inner + tid % inner;
  var acc: ${o.acc} = ${o.identity};
  for (var r = 0u; r < len; r = r + 1u) {
    acc = ${o.combine("acc", o.load("base + r * inner"))};
  }
  ${o.store("tid", "acc")}`
    })
  })

const chunkKernel = (runtime: Runtime, monoid: Monoid, dtype: DType.DType) =>
  runtime.kernel(`reduce-chunk:${monoid}:${dtype}`, 1, () => {
    const o = ops(monoid, dtype)
    const w = runtime.workgroupSize
    return shader({
      inputs: [storageType(dtype)],
      output: storageType(dtype),
      workgroupSize: w,
      helpers: o.helpers,
      decls: `var<workgroup> sh: array<${o.acc}, ${w}>;`,
      body: `  let rows = p(2u);
  let len = p(3u);
  let inner = p(4u);
  let chunks = p(5u);
  let chunkLen = p(6u);
  let valid = wid < rows * chunks;
  var acc: ${o.acc} = ${o.identity};
  if (valid) {
    let row = wid / chunks;
    let base = (row / inner) * len * inner + row % inner;
    let start = (wid % chunks) * chunkLen;
    let end = min(len, start + chunkLen);
    for (var r = start + lid; r < end; r = r + ${w}u) {
      acc = ${o.combine("acc", o.load("base + r * inner"))};
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${w / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${o.combine("sh[lid]", "sh[lid + s]")}; }
    workgroupBarrier();
  }
  if (valid && lid == 0u) { ${o.store("wid", "sh[0]")} }`
    })
  })

const bytesPer = (dtype: DType.DType): number => wordsPerElement(dtype) * 4

/**
 * Reduces `x` viewed as `[outer, len, inner]` over its middle axis into `out`
 * (`outer * inner` elements).
 */
export const reduceView = (
  runtime: Runtime,
  monoid: Monoid,
  dtype: DType.DType,
  x: GPUBuffer,
  out: GPUBuffer,
  outer: number,
  len: number,
  inner: number
): void => {
  const rows = outer * inner
  const w = runtime.workgroupSize
  if (len <= SHORT_ROW || (rows >= 16384 && len <= 1024)) {
    runtime.dispatch(rowKernel(runtime, monoid, dtype), [x], out, [0, 0, rows, len, inner], Math.ceil(rows / w))
    return
  }
  const chunks = Math.ceil(len / (w * PER_THREAD))
  const chunkLen = Math.ceil(len / chunks)
  const kernel = chunkKernel(runtime, monoid, dtype)
  if (chunks === 1) {
    runtime.dispatch(kernel, [x], out, [0, 0, rows, len, inner, 1, chunkLen], rows, w)
    return
  }
  const partials = runtime.allocate(rows * chunks * bytesPer(dtype))
  runtime.dispatch(kernel, [x], partials.gpu!, [0, 0, rows, len, inner, chunks, chunkLen], rows * chunks, w)
  // Partials are [rows, chunks]: reduce their rows.
  reduceView(runtime, monoid, dtype, partials.gpu!, out, rows, chunks, 1)
  runtime.retire(partials)
}

/** Reduces `x` over `axes` with `monoid` (into `into` when given: a fused kernel's output). */
export const reduce = (
  runtime: Runtime,
  monoid: Monoid,
  x: Storage,
  xa: AbstractValue,
  axes: ReadonlyArray<number>,
  oa: AbstractValue,
  into?: Storage
): Storage => {
  const dtype = xa.dtype
  const size = Shape.sizeOf(oa.shape)
  const out = into ?? runtime.allocate(size * bytesPer(dtype))
  if (out.gpu === undefined) return out
  const shape = xa.shape
  const sorted = [...axes].sort((a, b) => a - b)
  const contiguous = sorted.every((a, i) => i === 0 || a === sorted[i - 1]! + 1)
  if (sorted.length === 0) {
    stridedCopy(runtime, runtime.bind(x), out.gpu, wordsPerElement(dtype), {
      shape,
      srcOffset: 0,
      srcStrides: Shape.stridesOf(shape),
      dstOffset: 0,
      dstStrides: Shape.stridesOf(shape)
    })
    return out
  }
  if (contiguous) {
    const first = sorted[0]!
    const last = sorted[sorted.length - 1]!
    reduceView(
      runtime,
      monoid,
      dtype,
      runtime.bind(x),
      out.gpu,
      Shape.sizeOf(shape.slice(0, first)),
      Shape.sizeOf(shape.slice(first, last + 1)),
      Shape.sizeOf(shape.slice(last + 1))
    )
    return out
  }
  // Move the reduced axes last, then reduce contiguous rows.
  const kept = shape.map((_, d) => d).filter((d) => !sorted.includes(d))
  const perm = [...kept, ...sorted]
  const moved = runtime.allocate(Shape.sizeOf(shape) * bytesPer(dtype))
  stridedCopy(
    runtime,
    runtime.bind(x),
    moved.gpu!,
    wordsPerElement(dtype),
    View.copyOf(View.transpose(View.contiguous(shape), perm))
  )
  reduceView(
    runtime,
    monoid,
    dtype,
    moved.gpu!,
    out.gpu,
    Shape.sizeOf(kept.map((d) => shape[d]!)),
    Shape.sizeOf(sorted.map((d) => shape[d]!)),
    1
  )
  runtime.retire(moved)
  return out
}

// Lines longer than this (when there are few) are searched in chunks.
const SERIAL_ARG = 1024
const ARG_CHUNK = 256

/**
 * `argmax`/`argmin` along `axis`: the first extreme (NaN counts as the extreme,
 * like NumPy). One thread per line; few long lines are searched in chunks first,
 * each chunk leaving its best (value bits, index) pair, and the pairs of a line
 * are then compared in chunk order (which keeps the first occurrence).
 */
export const argReduce = (
  runtime: Runtime,
  which: "max" | "min",
  x: Storage,
  xa: AbstractValue,
  axis: number,
  oa: AbstractValue
): Storage => {
  const dtype = xa.dtype
  if (dtype === "complex64") {
    throw new DTypeError({ operation: `arg${which}`, detail: "complex numbers have no order" })
  }
  const size = Shape.sizeOf(oa.shape)
  const out = runtime.allocate(size * 4)
  if (out.gpu === undefined) return out
  const t = storageType(dtype)
  const cmp = which === "max" ? ">" : "<"
  const helpers = new Helpers()
  let better = `v ${cmp} best`
  if (dtype === "float32") {
    helpers.use("isnan")
    better = `(isnan_f32(v) && !isnan_f32(best)) || v ${cmp} best`
  }
  // Word 5 is the mode: 0 searches whole lines, 1 writes each chunk's best
  // (value bits, index) pair, 2 compares a line's pairs (in1, word 8 per line)
  // in chunk order.
  const kernel = runtime.kernel(`arg${which}:${dtype}`, 2, () =>
    shader({
      inputs: [t, "u32"],
      output: "u32",
      workgroupSize: runtime.workgroupSize,
      helpers,
      body: `  let chunks = p(6u);
  if (tid >= p(2u) * chunks) { return; }
  let len = p(3u);
  let inner = p(4u);
  let mode = p(5u);
  if (mode == 2u) {
    let pairsPerLine = p(8u);
    let first = tid * pairsPerLine;
    var best = bitcast<${t}>(in1[2u * first]);
    var at = in1[2u * first + 1u];
    for (var c = 1u; c < pairsPerLine; c = c + 1u) {
      let v = bitcast<${t}>(in1[2u * (first + c)]);
      if (${better}) { best = v; at = in1[2u * (first + c) + 1u]; }
    }
    out[tid] = at;
    return;
  }
  let line = tid / chunks;
  let chunkLen = p(7u);
  let start = (tid % chunks) * chunkLen;
  let end = min(len, start + chunkLen);
  let base = (line / inner) * len * inner + line % inner;
  if (len == 0u) { out[tid] = 0u; return; }
  var best = in0[base + start * inner];
  var at = start;
  for (var k = start + 1u; k < end; k = k + 1u) {
    let v = in0[base + k * inner];
    if (${better}) { best = v; at = k; }
  }
  if (mode == 1u) {
    out[2u * tid] = bitcast<u32>(best);
    out[2u * tid + 1u] = at;
  } else {
    out[tid] = at;
  }`
    }))
  const len = xa.shape[axis]!
  const inner = Shape.sizeOf(xa.shape.slice(axis + 1))
  const w = runtime.workgroupSize
  const input = runtime.bind(x)
  if (len <= SERIAL_ARG || size >= 4096) {
    runtime.dispatch(kernel, [input, input], out.gpu, [0, 0, size, len, inner, 0, 1, len], Math.ceil(size / w))
    return out
  }
  const chunks = Math.ceil(len / ARG_CHUNK)
  const pairs = runtime.allocate(size * chunks * 8)
  runtime.dispatch(
    kernel,
    [input, input],
    pairs.gpu!,
    [0, 0, size, len, inner, 1, chunks, ARG_CHUNK],
    Math.ceil((size * chunks) / w)
  )
  runtime.dispatch(
    kernel,
    [input, pairs.gpu!],
    out.gpu,
    [0, 0, size, len, inner, 2, 1, len, chunks],
    Math.ceil(size / w)
  )
  runtime.retire(pairs)
  return out
}

// Lines at most this long (or this many lines) are scanned by one thread each.
const SERIAL_SCAN = 1024
const SCAN_CHUNK = 256

/** The cumulative reductions: the monoids and log-sum-exp. */
export type ScanMonoid = Monoid | "logsumexp"

// log(e^a + e^b) on f32 as a WGSL function, from the kernel IR (exp and log1p decomposed as
// in every elementwise kernel); equal infinities give themselves, NaN propagates through max.
const logaddexpF32 = (helpers: Helpers): string => {
  const a = K.input(0, "f32")
  const b = K.input(1, "f32")
  const m = K.max(a, b)
  const inf = K.constant(Infinity, "f32")
  const infinite = K.or(K.eq(m, inf), K.eq(m, K.neg(inf)))
  const r = K.select(infinite, m, K.add(m, K.log1p(K.exp(K.neg(K.abs(K.sub(a, b)))))))
  const { body, results } = emitExprs([r], (i) => (i.index === 0 ? "a" : "b"), helpers, "  ")
  return `fn logaddexp_f32(a: f32, b: f32) -> f32 {\n${body}\n  return ${results[0]};\n}`
}

const scanOps = (monoid: ScanMonoid, dtype: DType.DType): Ops & { readonly decls: string } => {
  if (monoid !== "logsumexp") return { ...ops(monoid, dtype), decls: "" }
  const base = ops("max", dtype)
  return {
    ...base,
    combine: (a, b) => `logaddexp_f32(${a}, ${b})`,
    decls: logaddexpF32(base.helpers)
  }
}

const scanKernel = (runtime: Runtime, monoid: ScanMonoid, dtype: DType.DType) =>
  runtime.kernel(`cum${monoid}:${dtype}`, 2, () => {
    const o = scanOps(monoid, dtype)
    return shader({
      inputs: [storageType(dtype), storageType(dtype)],
      output: storageType(dtype),
      workgroupSize: runtime.workgroupSize,
      helpers: o.helpers,
      decls: o.decls,
      // One invocation scans one chunk of one line, starting from the chunk
      // offsets in in1 (word 6 = 1) or from zero; word 7 = 1 writes only the
      // chunk's total (the first pass of a blocked scan).
      body: `  let chunks = p(8u);
  if (tid >= p(2u) * chunks) { return; }
  let len = p(3u);
  let inner = p(4u);
  let reverse = p(5u) == 1u;
  let line = tid / chunks;
  let c = tid % chunks;
  let chunkLen = p(9u);
  let base = (line / inner) * len * inner + line % inner;
  var acc: ${o.acc} = ${o.identity};
  if (p(6u) == 1u && c > 0u) { acc = ${o.load("line * chunks + c - 1u", "in1")}; }
  let end = min(len, (c + 1u) * chunkLen);
  for (var k = c * chunkLen; k < end; k = k + 1u) {
    let i = base + select(k, len - 1u - k, reverse) * inner;
    acc = ${o.combine("acc", o.load("i"))};
    if (p(7u) == 0u) { ${o.store("i", "acc")} }
  }
  if (p(7u) == 1u) { ${o.store("tid", "acc")} }`
    })
  })

/**
 * Inclusive scans of `lines` lines of `len` elements (stride `inner`) from `src`
 * into `dst`. Long lines are scanned in chunks: chunk totals, a scan of the
 * totals (recursively), then each chunk again from its offset.
 */
const scanLines = (
  runtime: Runtime,
  monoid: ScanMonoid,
  dtype: DType.DType,
  src: GPUBuffer,
  dst: GPUBuffer,
  lines: number,
  len: number,
  inner: number,
  reverse: boolean
): void => {
  const kernel = scanKernel(runtime, monoid, dtype)
  const w = runtime.workgroupSize
  const rev = reverse ? 1 : 0
  if (len <= SERIAL_SCAN || lines >= 4096) {
    runtime.dispatch(kernel, [src, src], dst, [0, 0, lines, len, inner, rev, 0, 0, 1, len], Math.ceil(lines / w))
    return
  }
  const chunks = Math.ceil(len / SCAN_CHUNK)
  const bytes = lines * chunks * wordsPerElement(dtype) * 4
  const totals = runtime.allocate(bytes)
  const offsets = runtime.allocate(bytes)
  const threads = lines * chunks
  runtime.dispatch(
    kernel,
    [src, src],
    totals.gpu!,
    [0, 0, lines, len, inner, rev, 0, 1, chunks, SCAN_CHUNK],
    Math.ceil(threads / w)
  )
  scanLines(runtime, monoid, dtype, totals.gpu!, offsets.gpu!, lines, chunks, 1, false)
  runtime.dispatch(
    kernel,
    [src, offsets.gpu!],
    dst,
    [0, 0, lines, len, inner, rev, 1, 0, chunks, SCAN_CHUNK],
    Math.ceil(threads / w)
  )
  runtime.retire(totals)
  runtime.retire(offsets)
}

/** A cumulative reduction along `axis` (from the end when `reverse`). */
export const cumulative = (
  runtime: Runtime,
  monoid: ScanMonoid,
  x: Storage,
  xa: AbstractValue,
  params: Params<"cumsum">,
  oa: AbstractValue
): Storage => {
  const dtype = xa.dtype
  const out = runtime.allocate(Shape.sizeOf(oa.shape) * bytesPer(dtype))
  if (out.gpu === undefined) return out
  const len = xa.shape[params.axis]!
  const inner = Shape.sizeOf(xa.shape.slice(params.axis + 1))
  const lines = Shape.sizeOf(xa.shape) / len
  scanLines(runtime, monoid, dtype, runtime.bind(x), out.gpu, lines, len, inner, params.reverse)
  return out
}
