/**
 * Strided copies: the one loop behind broadcast, transpose, rev, slice, pad and
 * concatenate. Each of those is a view of its input (an offset and a stride per
 * output dimension, 0 to broadcast, negative to reverse) copied into a
 * contiguous or strided destination.
 */
import type { DType } from "@diffect/core"
import { Shape as ShapeNs } from "@diffect/core"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

/**
 * `shape` split at `axis` (negative counts from the end): the number of
 * elements before it, its size, and the number of elements after it.
 */
export const splitAtAxis = (shape: Shape, axis: number): readonly [outer: number, size: number, inner: number] => {
  const ax = axis < 0 ? axis + shape.length : axis
  return [ShapeNs.sizeOf(shape.slice(0, ax)), shape[ax]!, ShapeNs.sizeOf(shape.slice(ax + 1))]
}

/**
 * Copies the view `src[sOff + sum(idx * sStr)]` to `dst[dOff + sum(idx * dStr)]`
 * for every index `idx` of `shape`. Offsets and strides are in elements; each
 * element is `lanes` consecutive array entries (2 for complex).
 */
export const stridedCopy = (
  src: HostArray,
  sOff: number,
  sStr: ReadonlyArray<number>,
  dst: HostArray,
  dOff: number,
  dStr: ReadonlyArray<number>,
  shape: Shape,
  lanes: number
): void => {
  if (lanes === 0) return
  // Merge dimensions that are contiguous in both views, and drop size-1 ones, so the
  // inner loop runs as long as possible.
  const dims: Array<number> = []
  const ss: Array<number> = []
  const ds: Array<number> = []
  for (let a = 0; a < shape.length; a++) {
    const n = shape[a]!
    if (n === 0) return
    if (n === 1) continue
    const k = dims.length - 1
    if (k >= 0 && ss[k] === sStr[a]! * n && ds[k] === dStr[a]! * n) {
      dims[k]! *= n
      ss[k] = sStr[a]!
      ds[k] = dStr[a]!
    } else {
      dims.push(n)
      ss.push(sStr[a]!)
      ds.push(dStr[a]!)
    }
  }
  let s = sOff * lanes
  let d = dOff * lanes
  const nd = dims.length
  if (nd === 0) {
    for (let l = 0; l < lanes; l++) dst[d + l] = src[s + l]!
    return
  }
  const inner = dims[nd - 1]!
  const si = ss[nd - 1]! * lanes
  const di = ds[nd - 1]! * lanes
  const counters = new Array<number>(nd).fill(0)
  for (;;) {
    if (lanes === 1) {
      if (si === 1 && di === 1) {
        for (let k = 0; k < inner; k++) dst[d + k] = src[s + k]!
      } else {
        for (let k = 0; k < inner; k++) dst[d + k * di] = src[s + k * si]!
      }
    } else {
      for (let k = 0; k < inner; k++) {
        const sk = s + k * si
        const dk = d + k * di
        dst[dk] = src[sk]!
        dst[dk + 1] = src[sk + 1]!
      }
    }
    let a = nd - 2
    for (; a >= 0; a--) {
      s += ss[a]! * lanes
      d += ds[a]! * lanes
      if (++counters[a]! < dims[a]!) break
      s -= ss[a]! * lanes * dims[a]!
      d -= ds[a]! * lanes * dims[a]!
      counters[a] = 0
    }
    if (a < 0) return
  }
}

/** Copies a strided view of `src` into a new contiguous array `dst` of shape `shape`. */
export const gatherView = (
  src: HostArray,
  offset: number,
  strides: ReadonlyArray<number>,
  dst: HostArray,
  shape: Shape,
  lanes: number
): HostArray => {
  stridedCopy(src, offset, strides, dst, 0, ShapeNs.stridesOf(shape), shape, lanes)
  return dst
}

/** Transposes `src` (shape `shape`) by `perm` into `dst`. */
export const transposeInto = (
  src: HostArray,
  shape: Shape,
  perm: ReadonlyArray<number>,
  dst: HostArray,
  lanes: number
): HostArray => {
  const inStrides = ShapeNs.stridesOf(shape)
  return gatherView(
    src,
    0,
    perm.map((p) => inStrides[p]!),
    dst,
    perm.map((p) => shape[p]!),
    lanes
  )
}

/** Whether `perm` is `[0, 1, ..., n-1]`. */
export const isIdentityPermutation = (perm: ReadonlyArray<number>): boolean => perm.every((p, i) => p === i)
