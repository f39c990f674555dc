/**
 * Windowed reductions (`reduce_window_sum` / `_max` / `_min`) and the pooling
 * gradients (`select_and_gather_add`, `select_and_scatter_add`) on host arrays.
 * Each output window lists the operand offsets of its taps that fall on real
 * elements (padding and the holes of a base dilation hold the reduction's
 * identity, so they are skipped), in row-major tap order: "the first maximum"
 * is the first in that order, as XLA's select iterates.
 */
import { DType, Shape, Window } from "@diffect/core"
import type { WindowParams } from "@diffect/core"

type HostArray = DType.HostArray

/** Calls `visit(w, offsets, count)` for every output window `w` with its taps' operand offsets. */
const forEachWindow = (
  shape: ReadonlyArray<number>,
  params: WindowParams,
  visit: (w: number, offsets: Int32Array, count: number) => void
): void => {
  const out = Window.outputShape("reduce_window", shape, params)
  const total = Shape.sizeOf(out)
  if (total === 0) return
  const nd = shape.length
  const strides = Shape.stridesOf(shape)
  // per dimension and output coordinate: the valid taps' contributions to the offset
  const perDim = out.map((size, d) => {
    const lists: Array<Array<number>> = []
    const k = params.windowDimensions[d]!
    const dil = params.baseDilation[d]!
    for (let o = 0; o < size; o++) {
      const list: Array<number> = []
      for (let t = 0; t < k; t++) {
        const q = o * params.windowStrides[d]! + t * params.windowDilation[d]! - params.padding[d]![0]
        if (q >= 0 && q % dil === 0 && q / dil < shape[d]!) list.push((q / dil) * strides[d]!)
      }
      lists.push(list)
    }
    return lists
  })
  const taps = params.windowDimensions.reduce((a, b) => a * b, 1)
  let buf = new Int32Array(Math.max(taps, 1))
  let next = new Int32Array(Math.max(taps, 1))
  const coord = new Array<number>(nd).fill(0)
  for (let w = 0; w < total; w++) {
    let count = 1
    buf[0] = 0
    for (let d = 0; d < nd && count > 0; d++) {
      const list = perDim[d]![coord[d]!]!
      let m = 0
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < list.length; j++) next[m++] = buf[i]! + list[j]!
      }
      const swap = buf
      buf = next
      next = swap
      count = m
    }
    visit(w, buf, count)
    for (let d = nd - 1; d >= 0; d--) {
      if (++coord[d]! < out[d]!) break
      coord[d] = 0
    }
  }
}

const identity = (kind: "sum" | "max" | "min", dtype: DType.DType): number => {
  if (kind === "sum") return 0
  if (dtype === "int32") return kind === "max" ? -2147483648 : 2147483647
  if (dtype === "uint32") return kind === "max" ? 0 : 4294967295
  return kind === "max" ? -Infinity : Infinity
}

/** `reduce_window_{sum,max,min}(x)`. */
export const reduceWindow = (
  kind: "sum" | "max" | "min",
  x: HostArray,
  shape: ReadonlyArray<number>,
  dtype: DType.DType,
  params: WindowParams,
  outShape: ReadonlyArray<number>
): HostArray => {
  const out = DType.allocHost(dtype, Shape.sizeOf(outShape))
  const init = identity(kind, dtype)
  forEachWindow(shape, params, (w, offsets, count) => {
    let acc = init
    if (kind === "sum") { for (let i = 0; i < count; i++) acc += x[offsets[i]!]! }
    else if (kind === "max") {
      for (let i = 0; i < count; i++) {
        const v = x[offsets[i]!]!
        if (v > acc || v !== v) acc = v
        if (acc !== acc) break
      }
    } else {
      for (let i = 0; i < count; i++) {
        const v = x[offsets[i]!]!
        if (v < acc || v !== v) acc = v
        if (acc !== acc) break
      }
    }
    out[w] = acc
  })
  return out
}

// The offset `select` picks among the window's taps: the first maximum ("ge") or minimum ("le").
const selected = (x: HostArray, offsets: Int32Array, count: number, ge: boolean): number => {
  let best = offsets[0]!
  for (let i = 1; i < count; i++) {
    const o = offsets[i]!
    const keep = ge ? x[best]! >= x[o]! : x[best]! <= x[o]!
    if (!keep) best = o
  }
  return best
}

/** `select_and_gather_add(tangents, operand)`: per window, the tangent at the selected element. */
export const selectAndGatherAdd = (
  t: HostArray,
  x: HostArray,
  shape: ReadonlyArray<number>,
  dtype: DType.DType,
  params: WindowParams & { readonly selectPrim: "ge" | "le" },
  outShape: ReadonlyArray<number>
): HostArray => {
  const out = DType.allocHost(dtype, Shape.sizeOf(outShape))
  const ge = params.selectPrim === "ge"
  forEachWindow(shape, params, (w, offsets, count) => {
    if (count > 0) out[w] = t[selected(x, offsets, count, ge)]!
  })
  return out
}

/** `select_and_scatter_add(source, operand)`: each window's source added at its selected element. */
export const selectAndScatterAdd = (
  source: HostArray,
  x: HostArray,
  shape: ReadonlyArray<number>,
  dtype: DType.DType,
  params: WindowParams & { readonly selectPrim: "ge" | "le" }
): HostArray => {
  const out = DType.allocHost(dtype, Shape.sizeOf(shape))
  const ge = params.selectPrim === "ge"
  forEachWindow(shape, params, (w, offsets, count) => {
    if (count > 0) {
      const at = selected(x, offsets, count, ge)
      out[at] = out[at]! + source[w]!
    }
  })
  return out
}
