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
import { foldChannelsWasm, selectChannelsWasm } from "./wasmWindow.js"

type HostArray = DType.HostArray

/**
 * Calls `row(outBase, inBase, outOff, inOff, n)` for every tap of the window, in row-major tap
 * order, and every combination of output coordinates but the last: element `i < n` of the row
 * pairs output offset `outBase + outOff[i]` with operand offset `inBase + inOff[i]`, where that
 * tap falls on a real element (padding and the holes of a base dilation are skipped). Each window
 * thus sees its taps in row-major order, as a loop per window would, while the inner loop runs
 * along a row instead of listing every window's taps (a 2 x 2 max pool of 8 x 32 x 32 x 64:
 * 13 ms per window list, under 1 ms by rows).
 */
const forEachTap = (
  shape: ReadonlyArray<number>,
  params: WindowParams,
  out: ReadonlyArray<number>,
  row: (outBase: number, inBase: number, outOff: Int32Array, inOff: Int32Array, n: number) => void
): void => {
  if (Shape.sizeOf(out) === 0) return
  const nd = shape.length
  if (nd === 0) return row(0, 0, Int32Array.of(0), Int32Array.of(0), 1)
  const inStrides = Shape.stridesOf(shape)
  const outStrides = Shape.stridesOf(out)
  // per dimension and tap: the output and operand offsets of the coordinates where the tap is real
  const lists = out.map((size, d) =>
    Array.from({ length: params.windowDimensions[d]! }, (_, t) => {
      const outOff: Array<number> = []
      const inOff: Array<number> = []
      const dil = params.baseDilation[d]!
      for (let o = 0; o < size; o++) {
        const q = o * params.windowStrides[d]! + t * params.windowDilation[d]! - params.padding[d]![0]
        if (q >= 0 && q % dil === 0 && q / dil < shape[d]!) {
          outOff.push(o * outStrides[d]!)
          inOff.push((q / dil) * inStrides[d]!)
        }
      }
      return { outOff: Int32Array.from(outOff), inOff: Int32Array.from(inOff) }
    })
  )
  const taps = params.windowDimensions.reduce((a, b) => a * b, 1)
  const tap = new Array<number>(nd).fill(0)
  const pos = new Array<number>(nd).fill(0)
  for (let k = 0; k < taps; k++) {
    const here = lists.map((l, d) => l[tap[d]!]!)
    if (here.every((l) => l.outOff.length > 0)) {
      const last = here[nd - 1]!
      // an odometer over the real coordinates of every dimension but the last
      pos.fill(0)
      for (;;) {
        let outBase = 0
        let inBase = 0
        for (let d = 0; d < nd - 1; d++) {
          outBase += here[d]!.outOff[pos[d]!]!
          inBase += here[d]!.inOff[pos[d]!]!
        }
        row(outBase, inBase, last.outOff, last.inOff, last.outOff.length)
        let d = nd - 2
        for (; d >= 0; d--) {
          if (++pos[d]! < here[d]!.outOff.length) break
          pos[d] = 0
        }
        if (d < 0) break
      }
    }
    for (let d = nd - 1; d >= 0; d--) {
      if (++tap[d]! < params.windowDimensions[d]!) break
      tap[d] = 0
    }
  }
}

const identity = (kind: "sum" | "max" | "min", dtype: DType.DType): number => {
  if (kind === "sum") return 0
  if (dtype === "int32") return kind === "max" ? -2147483648 : 2147483647
  if (dtype === "uint32") return kind === "max" ? 0 : 4294967295
  return kind === "max" ? -Infinity : Infinity
}

// float32 window sums accumulate in float64 here (reused: a fresh array's pages cost more than the sum)
let sumScratch = new Float64Array(0)

/**
 * When a row's output offsets are `first, first + 1, ...` and its input offsets step evenly
 * (`first, first + s, ...`, s >= 1), the step `s`; else 0.
 */
const evenStep = (outOff: Int32Array, inOff: Int32Array, n: number): number => {
  if (n === 0 || outOff[n - 1]! - outOff[0]! !== n - 1) return 0
  if (n === 1) return 1
  const s = inOff[1]! - inOff[0]!
  if (s < 1) return 0
  for (let i = 2; i < n; i++) if (inOff[i]! - inOff[i - 1]! !== s) return 0
  return s
}

/**
 * When the last dimension is not windowed (size, stride and dilations 1, no padding: the channels
 * of a pooling layout), the windows of the other dimensions, each as the operand offsets of its
 * real taps in row-major order (`taps[w * k ...]`, `count[w]` of them), with `channels` the last
 * dimension's size: an output's value folds `x[taps[...] + c]` over them, in registers. Else
 * `undefined`.
 */
const channelWindows = (
  shape: ReadonlyArray<number>,
  params: WindowParams,
  outShape: ReadonlyArray<number>
): { taps: Int32Array; count: Int32Array; k: number; windows: number; channels: number } | undefined => {
  const last = shape.length - 1
  if (
    last < 1 || shape[last]! < 4 || params.windowDimensions[last] !== 1 || params.windowStrides[last] !== 1 ||
    params.padding[last]![0] !== 0 || params.padding[last]![1] !== 0 || params.baseDilation[last] !== 1 ||
    params.windowDilation[last] !== 1
  ) return undefined
  const channels = shape[last]!
  const outer = <A>(xs: ReadonlyArray<A>): Array<A> => xs.slice(0, last)
  const outerParams: WindowParams = {
    windowDimensions: outer(params.windowDimensions),
    windowStrides: outer(params.windowStrides),
    padding: outer(params.padding),
    baseDilation: outer(params.baseDilation),
    windowDilation: outer(params.windowDilation)
  }
  const outerOut = outer(outShape)
  const windows = Shape.sizeOf(outerOut)
  const k = Shape.sizeOf(outerParams.windowDimensions)
  const taps = new Int32Array(windows * k)
  const count = new Int32Array(windows)
  // forEachTap visits the taps in row-major order: each window's list comes out in that order
  forEachTap(outer(shape), outerParams, outerOut, (outBase, inBase, outOff, inOff, n) => {
    for (let i = 0; i < n; i++) {
      const w = outBase + outOff[i]!
      taps[w * k + count[w]!++] = (inBase + inOff[i]!) * channels
    }
  })
  return { taps, count, k, windows, channels }
}

// The selected offsets of the channel path (reused between calls: read before the next)
let bestScratch = new Int32Array(0)

// The two candidates of a branch-free max or min (by index: 0 keeps, 1 takes)
const pair = new Float64Array(2)

// A window's running sums over its channels, in float64 (reused between calls)
let rowScratch = new Float64Array(0)

/**
 * The channel-window path of `reduceWindow`: each window's output row (`channels` values) starts
 * from its first tap's row and folds the others' rows in tap order, so the inner loops run along
 * contiguous channels; float max and min run in WebAssembly SIMD (wasmWindow.ts) but for the
 * channels past the last whole vector. The fold is the one-accumulator fold from the identity: `0 +` makes a sum of
 * negative zeros +0, the first of equal maxima stays (a later value replaces it only when larger)
 * and the first NaN stays; sums accumulate in float64 and are rounded once.
 */
const foldChannels = (
  kind: "sum" | "max" | "min",
  x: HostArray,
  out: HostArray,
  init: number,
  { channels, count, k, taps, windows }: NonNullable<ReturnType<typeof channelWindows>>
): void => {
  // float max and min: whole vectors of channels in WebAssembly SIMD, the rest here
  const c0 = kind !== "sum" && (x instanceof Float32Array || x instanceof Float64Array) &&
      (out instanceof Float32Array || out instanceof Float64Array) && x.constructor === out.constructor
    ? foldChannelsWasm(kind, x, out, taps, count, k, windows, channels)
    : 0
  if (c0 === channels) return
  if (kind === "sum" && rowScratch.length < channels) rowScratch = new Float64Array(channels)
  const row = rowScratch
  for (let w = 0; w < windows; w++) {
    const first = w * k
    const n = count[w]!
    const o = w * channels
    if (n === 0) {
      out.fill(init, o, o + channels)
      continue
    }
    const b0 = taps[first]!
    if (kind === "sum") {
      for (let c = 0; c < channels; c++) row[c] = 0 + x[b0 + c]!
      for (let t = 1; t < n; t++) {
        const b = taps[first + t]!
        for (let c = 0; c < channels; c++) row[c] = row[c]! + x[b + c]!
      }
      for (let c = 0; c < channels; c++) out[o + c] = row[c]!
    } else {
      for (let c = c0; c < channels; c++) out[o + c] = x[b0 + c]!
      for (let t = 1; t < n; t++) {
        const b = taps[first + t]!
        if (kind === "max") {
          for (let c = c0; c < channels; c++) {
            const a = out[o + c]!
            const v = x[b + c]!
            if (a === a && (v > a || v !== v)) out[o + c] = v
          }
        } else {
          for (let c = c0; c < channels; c++) {
            const a = out[o + c]!
            const v = x[b + c]!
            if (a === a && (v < a || v !== v)) out[o + c] = v
          }
        }
      }
    }
  }
}

/** `reduce_window_{sum,max,min}(x)`: each window folded from the identity in row-major tap order. */
export const reduceWindow = (
  kind: "sum" | "max" | "min",
  x: HostArray,
  shape: ReadonlyArray<number>,
  dtype: DType.DType,
  params: WindowParams,
  outShape: ReadonlyArray<number>
): HostArray => {
  const total = Shape.sizeOf(outShape)
  const out = DType.allocHost(dtype, total)
  const byChannel = channelWindows(shape, params, outShape)
  if (byChannel !== undefined) {
    foldChannels(kind, x, out, identity(kind, dtype), byChannel)
    return out
  }
  // max and min hold exact values of the dtype, and integer sums wrap as the JS sum would once
  // stored; float32 sums are JS numbers (float64), as one accumulator per window, rounded once
  const f32Sum = kind === "sum" && dtype === "float32"
  if (f32Sum && sumScratch.length < total) sumScratch = new Float64Array(total)
  const acc: HostArray = f32Sum ? sumScratch : out
  acc.fill(identity(kind, dtype), 0, total)
  // a tap's offsets along the last dimension are one list for every row: its input step, once
  let seen: Int32Array | undefined
  let step = 0
  forEachTap(shape, params, outShape, (outBase, inBase, outOff, inOff, n) => {
    if (inOff !== seen) {
      seen = inOff
      step = evenStep(outOff, inOff, n)
    }
    if (step > 0) {
      // consecutive outputs reading every `step`-th input (a pooling's stride along the last dimension)
      const o0 = outBase + outOff[0]!
      const i0 = inBase + inOff[0]!
      const s = step
      if (kind === "sum") { for (let i = 0; i < n; i++) acc[o0 + i] = acc[o0 + i]! + x[i0 + i * s]! }
      else if (kind === "max") {
        for (let i = 0; i < n; i++) {
          const a = acc[o0 + i]!
          const v = x[i0 + i * s]!
          // the first NaN stays; chosen by index, not by a branch that random data mispredicts
          pair[0] = a
          pair[1] = v
          acc[o0 + i] = pair[(+(v > a) | +(v !== v)) & +(a === a)]!
        }
      } else {
        for (let i = 0; i < n; i++) {
          const a = acc[o0 + i]!
          const v = x[i0 + i * s]!
          pair[0] = a
          pair[1] = v
          acc[o0 + i] = pair[(+(v < a) | +(v !== v)) & +(a === a)]!
        }
      }
      return
    }
    if (kind === "sum") {
      for (let i = 0; i < n; i++) acc[outBase + outOff[i]!] = acc[outBase + outOff[i]!]! + x[inBase + inOff[i]!]!
    } else {
      const max = kind === "max"
      for (let i = 0; i < n; i++) {
        const o = outBase + outOff[i]!
        const a = acc[o]!
        const v = x[inBase + inOff[i]!]!
        pair[0] = a
        pair[1] = v
        acc[o] = pair[(+(max ? v > a : v < a) | +(v !== v)) & +(a === a)]!
      }
    }
  })
  if (f32Sum) { for (let w = 0; w < total; w++) out[w] = acc[w]! }
  return out
}

/**
 * The channel-window path of `selectedOffsets`: float channels of whole vectors in WebAssembly
 * SIMD (wasmWindow.ts), the rest here, each window's taps in order with the same rule.
 */
const selectChannels = (
  x: HostArray,
  total: number,
  ge: boolean,
  { channels, count, k, taps, windows }: NonNullable<ReturnType<typeof channelWindows>>
): Int32Array => {
  if (bestScratch.length < total) bestScratch = new Int32Array(total)
  const best = bestScratch.subarray(0, total)
  const c0 = x instanceof Float32Array || x instanceof Float64Array
    ? selectChannelsWasm(ge ? "ge" : "le", x, best, taps, count, k, windows, channels)
    : 0
  for (let w = 0; w < windows; w++) {
    const first = w * k
    const n = count[w]!
    const o = w * channels
    for (let c = c0; c < channels; c++) {
      if (n === 0) {
        best[o + c] = -1
        continue
      }
      let at = taps[first]! + c
      let kept = x[at]!
      for (let t = 1; t < n; t++) {
        const here = taps[first + t]! + c
        const v = x[here]!
        if (!(ge ? kept >= v : kept <= v)) {
          kept = v
          at = here
        }
      }
      best[o + c] = at
    }
  }
  return best
}

/**
 * The operand offset `select` picks in each window (-1 where no tap is real): the first tap,
 * replaced by a later one unless the kept one is `>=` it ("ge": the first maximum, as XLA's select
 * iterates) or `<=` it ("le"), in row-major tap order.
 */
const selectedOffsets = (
  x: HostArray,
  shape: ReadonlyArray<number>,
  params: WindowParams,
  outShape: ReadonlyArray<number>,
  ge: boolean
): Int32Array => {
  const total = Shape.sizeOf(outShape)
  const byChannel = channelWindows(shape, params, outShape)
  if (byChannel !== undefined) return selectChannels(x, total, ge, byChannel)
  const best = new Int32Array(total).fill(-1)
  const value = new Float64Array(total)
  forEachTap(shape, params, outShape, (outBase, inBase, outOff, inOff, n) => {
    for (let i = 0; i < n; i++) {
      const w = outBase + outOff[i]!
      const at = inBase + inOff[i]!
      const v = x[at]!
      if (best[w]! < 0 || !(ge ? value[w]! >= v : value[w]! <= v)) {
        best[w] = at
        value[w] = v
      }
    }
  })
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
  const best = selectedOffsets(x, shape, params, outShape, params.selectPrim === "ge")
  for (let w = 0; w < best.length; w++) if (best[w]! >= 0) out[w] = t[best[w]!]!
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
  const outShape = Window.outputShape("reduce_window", shape, params)
  const best = selectedOffsets(x, shape, params, outShape, params.selectPrim === "ge")
  // each window's source added at its selected element, in window order
  for (let w = 0; w < best.length; w++) {
    const at = best[w]!
    if (at >= 0) out[at] = out[at]! + source[w]!
  }
  return out
}
