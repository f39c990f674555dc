/**
 * Strided copies: the one loop behind broadcast, transpose, rev, slice, pad and
 * concatenate. Each of those is a view of its input (core's `View`: an offset
 * and a stride per output dimension, 0 to broadcast, negative to reverse, and a
 * mask for padding) copied into a contiguous or strided destination.
 */
import { DType, Shape as ShapeNs, View } from "@diffect/core"

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
 * Runs one strided copy (core's `View.Copy`: offsets and strides in elements,
 * coalesced by `View.coalesce`). Each element is `lanes` consecutive array
 * entries (2 for complex).
 */
export const stridedCopy = (src: HostArray, dst: HostArray, copy: View.Copy, lanes: number): void => {
  if (lanes === 0) return
  const { shape: dims, srcStrides: ss, dstStrides: ds } = View.coalesce(copy)
  const nd = dims.length
  if (dims.includes(0)) return
  let s = copy.srcOffset * lanes
  let d = copy.dstOffset * lanes
  if (nd === 0) {
    for (let l = 0; l < lanes; l++) dst[d + l] = src[s + l]!
    return
  }
  const inner = dims[nd - 1]!
  const si = ss[nd - 1]! * lanes
  const di = ds[nd - 1]! * lanes
  // contiguous runs (of either lane count) are one native copy each
  const block = si === lanes && di === lanes && inner * lanes >= 16 && src.constructor === dst.constructor
  const counters = new Array<number>(nd).fill(0)
  for (;;) {
    if (block) {
      dst.set((src as Float64Array).subarray(s, s + inner * lanes), d)
    } else if (lanes === 1) {
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

/**
 * Materializes `view` of `src` into a new contiguous array of dtype `dtype`:
 * padding positions (a masked view) hold `fill`'s one element.
 */
export const materialize = (src: HostArray, view: View.View, dtype: DType.DType, fill?: HostArray): HostArray => {
  const lanes = DType.lanes(dtype)
  const dst = DType.allocHost(dtype, ShapeNs.sizeOf(view.shape))
  if (view.mask !== undefined && fill !== undefined) fillWith(dst, fill, lanes)
  stridedCopy(src, dst, View.copyOf(view), lanes)
  return dst
}

/** Sets every element of `dst` to `value`'s one element (`lanes` entries). */
export const fillWith = (dst: HostArray, value: HostArray, lanes: number): void => {
  if (lanes === 1) {
    if (!Object.is(value[0], 0)) dst.fill(value[0]!)
    return
  }
  for (let i = 0; i < dst.length; i += lanes) {
    for (let l = 0; l < lanes; l++) dst[i + l] = value[l]!
  }
}

/** Transposes `src` (shape `shape`) by `perm` into `dst`. */
export const transposeInto = (
  src: HostArray,
  shape: Shape,
  perm: ReadonlyArray<number>,
  dst: HostArray,
  lanes: number
): HostArray => {
  stridedCopy(src, dst, View.copyOf(View.transpose(View.contiguous(shape), perm)), lanes)
  return dst
}

/** Whether `perm` is `[0, 1, ..., n-1]`. */
export const isIdentityPermutation = (perm: ReadonlyArray<number>): boolean => perm.every((p, i) => p === i)
