/**
 * `sort` (several operands ordered by the first `numKeys`, lexicographically,
 * stable) and `top_k` (the k largest along the last axis). Floats order as
 * JAX's sort: -0 equals 0, NaN after everything; complex numbers by real part,
 * then imaginary part.
 */
import { DType, Shape as ShapeNs } from "@diffect/core"
import { splitAtAxis } from "./strided.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

// JAX's float order: NaN last, -0 and 0 equal; a negative result when a < b.
const compareFloat = (a: number, b: number): number => {
  const an = Number.isNaN(a)
  const bn = Number.isNaN(b)
  if (an || bn) return an === bn ? 0 : an ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

// Compares element i with element j of one key (both offsets into `data`, in elements).
const keyComparator = (data: HostArray, dtype: DType.DType): (i: number, j: number) => number => {
  if (DType.isComplex(dtype)) {
    return (i, j) => compareFloat(data[2 * i]!, data[2 * j]!) || compareFloat(data[2 * i + 1]!, data[2 * j + 1]!)
  }
  if (DType.isFloating(dtype)) return (i, j) => compareFloat(data[i]!, data[j]!)
  return (i, j) => data[i]! - data[j]!
}

/** Sorts every operand along `dimension` by the first `numKeys` operands (stable). */
export const sort = (
  inputs: ReadonlyArray<HostArray>,
  dtypes: ReadonlyArray<DType.DType>,
  shape: Shape,
  dimension: number,
  numKeys: number
): Array<HostArray> => {
  const [outer, n, inner] = splitAtAxis(shape, dimension)
  const keys = inputs.slice(0, numKeys).map((x, k) => keyComparator(x, dtypes[k]!))
  const outs = inputs.map((_, k) => DType.allocHost(dtypes[k]!, outer * n * inner))
  const order = new Array<number>(n)
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const at = (s: number) => (o * n + s) * inner + r
      for (let s = 0; s < n; s++) order[s] = s
      // Array.prototype.sort is stable: equal keys keep their order.
      order.sort((a, b) => {
        for (const cmp of keys) {
          const c = cmp(at(a), at(b))
          if (c !== 0) return c
        }
        return 0
      })
      inputs.forEach((x, k) => {
        const out = outs[k]!
        const lanes = DType.lanes(dtypes[k]!)
        for (let s = 0; s < n; s++) {
          const src = at(order[s]!) * lanes
          const dst = at(s) * lanes
          for (let l = 0; l < lanes; l++) out[dst + l] = x[src + l]!
        }
      })
    }
  }
  return outs
}

/** The `k` largest along the last axis, largest first (ties: the lower index first), and their int32 indices. */
export const topK = (x: HostArray, dtype: DType.DType, shape: Shape, k: number): [HostArray, HostArray] => {
  const n = shape[shape.length - 1]!
  const rows = ShapeNs.sizeOf(shape) / Math.max(n, 1)
  const cmp = keyComparator(x, dtype)
  const values = DType.allocHost(dtype, rows * k)
  const indices = DType.allocHost("int32", rows * k)
  const order = new Array<number>(n)
  for (let row = 0; row < (n === 0 ? 0 : rows); row++) {
    const base = row * n
    for (let s = 0; s < n; s++) order[s] = s
    order.sort((a, b) => cmp(base + b, base + a))
    for (let s = 0; s < k; s++) {
      values[row * k + s] = x[base + order[s]!]!
      indices[row * k + s] = order[s]!
    }
  }
  return [values, indices]
}
