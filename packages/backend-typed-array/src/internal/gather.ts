/**
 * `gather` (NumPy's `take` along an axis) and its transpose `scatter_add`.
 * Indices are clamped into `[0, size - 1]`, JAX's default for gathers (the ops
 * API normalizes negative indices before binding).
 */
import { DType } from "@diffect/core"
import type { ScatterCombine, Shape as ShapeNs } from "@diffect/core"
import { complexBeats } from "./reduce.js"
import { splitAtAxis } from "./strided.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

const clamp = (i: number, size: number): number => (i < 0 ? 0 : i >= size ? size - 1 : i)

/**
 * A copy of `operand` in storage from `DType`'s pool: `TypedArray.slice` takes fresh memory
 * every call, which the pool never sees again, and fresh memory costs page faults on first touch
 * (a jitted cross-entropy's scatter of 2048 x 1000 float32 gradients: 1,100 faults, 18 ms a call).
 */
const copyOf = (operand: HostArray, dtype: DType.DType): HostArray => {
  const out = DType.allocHostUnfilled(dtype, operand.length / DType.lanes(dtype))
  ;(out as Float64Array).set(operand)
  return out
}

type GatherLoop = (
  x: HostArray,
  indices: HostArray,
  out: HostArray,
  outer: number,
  size: number,
  inner: number,
  m: number
) => void

type ScatterAddLoop = (
  out: HostArray,
  indices: HostArray,
  updates: HostArray,
  outer: number,
  size: number,
  inner: number,
  m: number
) => void

/**
 * The gather and scatter-add loops, one generated function per (array types, accumulation): a
 * single function serving every dtype reads its arrays through megamorphic element accesses (a
 * 2^20-element `take` took 16 ms, 16 ns an element; monomorphic, it is the memory's time).
 */
const loops = new Map<string, GatherLoop | ScatterAddLoop>()

const loopFor = <L extends GatherLoop | ScatterAddLoop>(key: string, body: string): L => {
  let loop = loops.get(key)
  if (loop === undefined) {
    // oxlint-disable-next-line no-new-func -- one monomorphic loop per array types is the point
    loop = new Function(`"use strict"; return function (a, indices, b, outer, size, inner, m) { ${body} }`)() as L
    loops.set(key, loop)
  }
  return loop as L
}

// the clamped row of index j (JAX's default for gathers and scatters)
const ROW = "let r = indices[j]; r = r < 0 ? 0 : r >= size ? size - 1 : r;"

/** `out = take(x, indices, axis)`: shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. */
export const gather = (
  x: HostArray,
  shape: Shape,
  dtype: DType.DType,
  indices: HostArray,
  axis: number
): HostArray => {
  const [outer, size, after] = splitAtAxis(shape, axis)
  const inner = after * DType.lanes(dtype)
  const m = indices.length
  if (inner === 0 || size === 0) return DType.allocHost(dtype, outer * m * after)
  // every element is written: no clearing
  const out = DType.allocHostUnfilled(dtype, outer * m * after)
  // long rows (a table's rows) as one copy each
  if (inner >= 64 && out.constructor === x.constructor) {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const src = (o * size + clamp(indices[j]!, size)) * inner
        out.set(x.subarray(src, src + inner), (o * m + j) * inner)
      }
    }
    return out
  }
  const loop = loopFor<GatherLoop>(
    `gather ${x.constructor.name} ${indices.constructor.name} ${out.constructor.name} ${inner === 1}`,
    `for (let o = 0; o < outer; o++) {
      const base = o * size, at = o * m;
      for (let j = 0; j < m; j++) {
        ${ROW}
        ${
      inner === 1
        ? "b[at + j] = a[base + r];"
        : "const src = (base + r) * inner, dst = (at + j) * inner; for (let t = 0; t < inner; t++) b[dst + t] = a[src + t];"
    }
      }
    }`
  )
  loop(x, indices, out, outer, size, inner, m)
  return out
}

/** `operand` with `updates` added at `indices` along `axis` (repeated indices accumulate). */
export const scatterAdd = (
  operand: HostArray,
  shape: Shape,
  dtype: DType.DType,
  indices: HostArray,
  updates: HostArray,
  axis: number
): HostArray => {
  const [outer, size, after] = splitAtAxis(shape, axis)
  const inner = after * DType.lanes(dtype)
  const m = indices.length
  const out = copyOf(operand, dtype)
  if (inner === 0 || size === 0) return out
  // int32/uint32 wrap (`| 0`; a Uint32Array stores the bits back), bool is an or, floats add
  const combine = DType.isInteger(dtype)
    ? "a[d] = (a[d] + b[s]) | 0;"
    : dtype === "bool"
    ? "a[d] |= b[s];"
    : "a[d] += b[s];"
  const loop = loopFor<ScatterAddLoop>(
    `scatterAdd ${out.constructor.name} ${indices.constructor.name} ${updates.constructor.name} ${combine}`,
    `for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        ${ROW}
        const dst = (o * size + r) * inner, src = (o * m + j) * inner;
        for (let t = 0; t < inner; t++) { const d = dst + t, s = src + t; ${combine} }
      }
    }`
  )
  loop(out, indices, updates, outer, size, inner, m)
  return out
}

// `scatter`'s combiners on one lane (NaN propagates through min and max, as lax.max/min).
const combiners: { readonly [C in ScatterCombine]: (a: number, b: number, isInt: boolean) => number } = {
  set: (_a, b) => b,
  mul: (a, b, isInt) => (isInt ? Math.imul(a, b) : a * b),
  min: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  max: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b)
}

/** `operand` with each update combined in at `indices` along `axis`, in index order. */
export const scatter = (
  operand: HostArray,
  shape: Shape,
  dtype: DType.DType,
  indices: HostArray,
  updates: HostArray,
  axis: number,
  combine: ScatterCombine
): HostArray => {
  const [outer, size, after] = splitAtAxis(shape, axis)
  const inner = after * DType.lanes(dtype)
  const m = indices.length
  const out = copyOf(operand, dtype)
  if (inner === 0 || size === 0) return out
  const isInt = DType.isInteger(dtype)
  const f = combiners[combine]
  if (combine === "mul" && DType.isComplex(dtype)) {
    // complex products: (a + bi)(c + di), the lanes interleaved re, im
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const dst = (o * size + clamp(indices[j]!, size)) * inner
        const src = (o * m + j) * inner
        for (let t = 0; t < inner; t += 2) {
          const a = out[dst + t]!
          const b = out[dst + t + 1]!
          const c = updates[src + t]!
          const d = updates[src + t + 1]!
          out[dst + t] = a * c - b * d
          out[dst + t + 1] = a * d + b * c
        }
      }
    }
    return out
  }
  if ((combine === "min" || combine === "max") && DType.isComplex(dtype)) {
    // lexicographic (real part, then imaginary part), as lax.max/min on complex; NaN wins
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const dst = (o * size + clamp(indices[j]!, size)) * inner
        const src = (o * m + j) * inner
        for (let t = 0; t < inner; t += 2) {
          if (complexBeats(combine, updates[src + t]!, updates[src + t + 1]!, out[dst + t]!, out[dst + t + 1]!)) {
            out[dst + t] = updates[src + t]!
            out[dst + t + 1] = updates[src + t + 1]!
          }
        }
      }
    }
    return out
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * size + clamp(indices[j]!, size)) * inner
      const src = (o * m + j) * inner
      for (let t = 0; t < inner; t++) out[dst + t] = f(out[dst + t]!, updates[src + t]!, isInt)
    }
  }
  return out
}
