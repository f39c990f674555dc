/**
 * Strided views: how an index-mapping primitive (transpose, broadcast_in_dim,
 * rev, slice, pad, reshape) reads its operand, as data. A view maps each
 * position of its shape to one element of a flat source buffer, through an
 * offset and one stride per dimension (0 broadcasts, negative reverses), or to
 * padding. Views compose: the view of `slice(transpose(x))` is built from
 * `x`'s view without touching data, and one strided copy materializes it.
 * Both backends build their copies from this module, so the index arithmetic
 * of every shape primitive is written once.
 *
 * A view's valid positions form a lattice per dimension: `start + k * step`
 * for `0 <= k < count`. Position `start + k * step` reads source element
 * `offset + sum(k * strides)`; every other position is padding, whose value is
 * the consumer's (the `pad` primitive's scalar). Without a mask every position
 * is valid (`start` 0, `step` 1, `count` the size), so position `p` reads
 * `offset + sum(p * strides)`. A lattice rather than a box is what `pad`'s
 * interior padding needs. One view has one padding value: composing two pads
 * with different values needs the first materialized.
 *
 * `reshape` keeps a view when the dimensions it merges or splits are
 * unmasked and mergeable (each stride is the next one times its size, as in a
 * transpose-free slice of the trailing axes); otherwise it returns `undefined`
 * and the caller materializes the view first (a contiguous copy has a trivial
 * reshape).
 *
 * @example
 * import { View } from "diffect/extend"
 * // x: shape [2, 3], row-major; transpose then reverse the new first axis.
 * const v = View.rev(View.transpose(View.contiguous([2, 3]), [1, 0]), [0])
 * // position [0, 1] reads x[1][2], element 5 of the buffer
 * console.log(View.index(v, [0, 1])) // 5
 * console.log(v.strides) // [-1, 3]
 *
 * @since 0.1.0
 */
import { ShapeError } from "./Errors.js"
import type { Shape } from "./Shape.js"
import { normalizeAxis, sizeOf, stridesOf } from "./Shape.js"

/**
 * The valid positions of a padded view, per dimension: `start + k * step` for
 * `0 <= k < count` (`step >= 1`).
 *
 * @since 0.1.0
 */
export interface Mask {
  readonly start: ReadonlyArray<number>
  readonly count: ReadonlyArray<number>
  readonly step: ReadonlyArray<number>
}

/**
 * A view of a flat buffer: `shape` positions reading `offset + sum(k * strides)`
 * (in elements) at the valid positions of `mask`, padding elsewhere; no mask
 * means every position is valid.
 *
 * @since 0.1.0
 */
export interface View {
  readonly shape: Shape
  readonly offset: number
  readonly strides: ReadonlyArray<number>
  readonly mask: Mask | undefined
}

/**
 * One strided copy: for each index `i` of `shape`,
 * `dst[dstOffset + i . dstStrides] = src[srcOffset + i . srcStrides]`.
 *
 * @since 0.1.0
 */
export interface Copy {
  readonly shape: Shape
  readonly srcOffset: number
  readonly srcStrides: ReadonlyArray<number>
  readonly dstOffset: number
  readonly dstStrides: ReadonlyArray<number>
}

/** One dimension in lattice form, the shape every operation works on. */
interface Dim {
  readonly size: number
  readonly stride: number
  readonly start: number
  readonly count: number
  readonly step: number
}

const bad = (operation: string, detail: string): never => {
  throw new ShapeError({ operation, detail })
}

const dimsOf = (v: View): Array<Dim> =>
  v.shape.map((size, d) => {
    const m = v.mask
    const stride = v.strides[d]!
    if (m === undefined) return { size, stride, start: 0, count: size, step: 1 }
    return { size, stride, start: m.start[d]!, count: m.count[d]!, step: m.step[d]! }
  })

const isFull = (d: Dim): boolean => d.count === d.size && d.start === 0 && (d.step === 1 || d.size <= 1)

/** Builds a view, dropping the mask when every position is valid. */
const make = (dims: ReadonlyArray<Dim>, offset: number): View => {
  const shape = dims.map((d) => d.size)
  const strides = dims.map((d) => d.stride)
  if (dims.every(isFull)) return { shape, offset, strides, mask: undefined }
  return {
    shape,
    offset,
    strides,
    mask: {
      start: dims.map((d) => (d.count === 0 ? 0 : d.start)),
      count: dims.map((d) => d.count),
      step: dims.map((d) => (d.count <= 1 ? 1 : d.step))
    }
  }
}

/**
 * The row-major view of a contiguous buffer of shape `shape`.
 *
 * @since 0.1.0
 */
export const contiguous = (shape: Shape): View => ({ shape, offset: 0, strides: stridesOf(shape), mask: undefined })

/**
 * Whether `v` reads a contiguous buffer in row-major order with no padding
 * (its elements are the buffer's, in order).
 *
 * @since 0.1.0
 */
export const isContiguous = (v: View): boolean => {
  if (v.mask !== undefined || v.offset !== 0) return false
  const s = stridesOf(v.shape)
  return v.shape.every((n, d) => n <= 1 || v.strides[d] === s[d])
}

/**
 * Output dimension `d` reads dimension `permutation[d]`.
 *
 * @since 0.1.0
 */
export const transpose = (v: View, permutation: ReadonlyArray<number>): View => {
  const rank = v.shape.length
  const seen = new Set(permutation)
  if (permutation.length !== rank || seen.size !== rank || permutation.some((p) => !(p >= 0 && p < rank))) {
    bad("transpose", `[${permutation.join(", ")}] is not a permutation of ${rank} axes`)
  }
  const dims = dimsOf(v)
  return make(permutation.map((p) => dims[p]!), v.offset)
}

/**
 * Broadcasts to `shape`: dimension `i` of `v` becomes dimension
 * `broadcastDimensions[i]` (of equal size, or of size 1 and repeated); the
 * other dimensions repeat the whole view.
 *
 * @since 0.1.0
 */
export const broadcastInDim = (v: View, shape: Shape, broadcastDimensions: ReadonlyArray<number>): View => {
  if (broadcastDimensions.length !== v.shape.length) {
    bad("broadcast_in_dim", "one broadcast dimension is needed per operand dimension")
  }
  const dims: Array<Dim> = shape.map((size) => ({ size, stride: 0, start: 0, count: size, step: 1 }))
  const old = dimsOf(v)
  broadcastDimensions.forEach((d, i) => {
    const from = old[i]!
    const size = shape[d]
    if (size === undefined) return bad("broadcast_in_dim", `dimension ${d} is out of range for rank ${shape.length}`)
    if (from.size === size) dims[d] = from
    else if (from.size === 1) dims[d] = { size, stride: 0, start: 0, count: from.count === 0 ? 0 : size, step: 1 }
    else bad("broadcast_in_dim", `operand dimension ${i} has size ${from.size}, target has ${size}`)
  })
  return make(dims, v.offset)
}

/**
 * Reverses the listed dimensions (negative ones count from the end).
 *
 * @since 0.1.0
 */
export const rev = (v: View, dimensions: ReadonlyArray<number>): View => {
  const rank = v.shape.length
  const axes = dimensions.map((d) => normalizeAxis(d, rank))
  if (new Set(axes).size !== axes.length) bad("rev", `repeated axis in [${dimensions.join(", ")}]`)
  const dims = dimsOf(v)
  let offset = v.offset
  for (const a of axes) {
    const d = dims[a]!
    if (d.count === 0) continue
    // The last valid position becomes the first: it is (count - 1) lattice steps in.
    offset += (d.count - 1) * d.stride
    dims[a] = { ...d, stride: -d.stride, start: d.size - 1 - (d.start + (d.count - 1) * d.step) }
  }
  return make(dims, offset)
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * `slice` (its params): dimension `d` keeps positions
 * `startIndices[d] + j * strides[d]` below `limitIndices[d]` (strides default to 1).
 *
 * @since 0.1.0
 */
export const slice = (
  v: View,
  { limitIndices, startIndices, strides }: {
    readonly startIndices: ReadonlyArray<number>
    readonly limitIndices: ReadonlyArray<number>
    readonly strides?: ReadonlyArray<number> | null | undefined
  }
): View => {
  const rank = v.shape.length
  if (startIndices.length !== rank || limitIndices.length !== rank || (strides && strides.length !== rank)) {
    bad("slice", "one start, limit (and stride) is needed per dimension")
  }
  let offset = v.offset
  const dims = dimsOf(v).map((d, i): Dim => {
    const b = startIndices[i]!
    const l = limitIndices[i]!
    const t = strides?.[i] ?? 1
    if (!(Number.isInteger(t) && t >= 1 && 0 <= b && b <= l && l <= d.size)) {
      return bad("slice", `dimension ${i} needs 0 <= start <= limit <= ${d.size} and a positive stride`)
    }
    const size = Math.ceil((l - b) / t)
    // New position q is old position b + q t; it is valid when that lies on the
    // lattice start + k step. Find the first such q: the residues of q t modulo
    // step repeat with period step / gcd(step, t), so looking that far suffices.
    const period = d.step / gcd(d.step, t)
    let q = Math.max(0, Math.ceil((d.start - b) / t))
    const q0 = q
    while (q < q0 + period && (b + q * t - d.start) % d.step !== 0) q++
    if (d.count === 0 || q >= q0 + period || q >= size) return { size, stride: d.stride, start: 0, count: 0, step: 1 }
    const k = (b + q * t - d.start) / d.step
    if (k >= d.count) return { size, stride: d.stride, start: 0, count: 0, step: 1 }
    const kStep = (period * t) / d.step
    const count = Math.min(Math.ceil((size - q) / period), Math.ceil((d.count - k) / kStep))
    offset += k * d.stride
    return { size, stride: d.stride * kStep, start: q, count, step: period }
  })
  return make(dims, offset)
}

/**
 * `pad`: per dimension `[low, high, interior]`, `interior` padding positions
 * between elements and `low`/`high` at the ends (negative ones crop).
 *
 * @since 0.1.0
 */
export const pad = (v: View, config: ReadonlyArray<readonly [number, number, number]>): View => {
  if (config.length !== v.shape.length) bad("pad", "one [low, high, interior] is needed per dimension")
  let offset = v.offset
  const dims = dimsOf(v).map((d, i): Dim => {
    const [low, high, interior] = config[i]!
    if (![low, high, interior].every(Number.isInteger) || interior < 0) {
      return bad("pad", `config [${low}, ${high}, ${interior}] of dimension ${i} must be integers with interior >= 0`)
    }
    const size = low + high + d.size + Math.max(0, d.size - 1) * interior
    if (size < 0) return bad("pad", `config [${low}, ${high}, ${interior}] gives negative size for dimension ${i}`)
    // Lattice point k lands at low + (start + k step) (interior + 1); keep those inside [0, size).
    const step = d.step * (interior + 1)
    const first = low + d.start * (interior + 1)
    const kFirst = Math.max(0, Math.ceil(-first / step))
    const kLast = Math.min(d.count - 1, Math.floor((size - 1 - first) / step))
    if (kLast < kFirst) return { size, stride: d.stride, start: 0, count: 0, step: 1 }
    offset += kFirst * d.stride
    return { size, stride: d.stride, start: first + kFirst * step, count: kLast - kFirst + 1, step }
  })
  return make(dims, offset)
}

/**
 * `reshape` to `shape` (of the same size) without moving data, or `undefined`
 * when the view cannot express it: a merged or split group of dimensions that
 * is padded or whose strides do not chain. The caller then materializes `v`
 * (for instance with `copyOf` into a contiguous buffer) and reshapes that.
 *
 * @since 0.1.0
 */
export const reshape = (v: View, shape: Shape): View | undefined => {
  const size = sizeOf(v.shape)
  if (sizeOf(shape) !== size) {
    bad("reshape", `cannot reshape ${v.shape.length === 0 ? "()" : `(${v.shape.join(", ")})`} to (${shape.join(", ")})`)
  }
  if (size === 0) return contiguous(shape)
  const old = dimsOf(v)
  if (old.some((d) => d.count === 0)) {
    // All padding: any shape of padding will do, but a scalar cannot say so.
    if (shape.length === 0) return undefined
    return make(shape.map((n, i) => ({ size: n, stride: 0, start: 0, count: i === 0 ? 0 : n, step: 1 })), 0)
  }
  // Size-1 dimensions carry nothing; match the rest in groups of equal product.
  const from = old.filter((d) => d.size !== 1)
  const to = shape.map((n, i) => ({ n, i })).filter((x) => x.n !== 1)
  const dims: Array<Dim> = shape.map((n) => ({ size: n, stride: 0, start: 0, count: n, step: 1 }))
  let i = 0
  let j = 0
  while (i < from.length) {
    const i0 = i
    const j0 = j
    let a = from[i++]!.size
    let b = to[j++]!.n
    while (a !== b) {
      if (a < b) a *= from[i++]!.size
      else b *= to[j++]!.n
    }
    const group = from.slice(i0, i)
    if (group.length === 1 && j - j0 === 1) {
      dims[to[j0]!.i] = group[0]!
      continue
    }
    // Merging or splitting: only unmasked dimensions whose strides chain.
    for (let k = 0; k < group.length; k++) {
      if (!isFull(group[k]!)) return undefined
      if (k > 0 && group[k - 1]!.stride !== group[k]!.stride * group[k]!.size) return undefined
    }
    let stride = group[group.length - 1]!.stride
    for (let k = j - 1; k >= j0; k--) {
      const t = to[k]!
      dims[t.i] = { size: t.n, stride, start: 0, count: t.n, step: 1 }
      stride *= t.n
    }
  }
  return make(dims, v.offset)
}

/**
 * The source element that position `position` of `v` reads, or `undefined`
 * for padding. The reference semantics of a view, one element at a time.
 *
 * @since 0.1.0
 */
export const index = (v: View, position: ReadonlyArray<number>): number | undefined => {
  let at = v.offset
  for (let d = 0; d < v.shape.length; d++) {
    const p = position[d]!
    if (v.mask === undefined) {
      at += p * v.strides[d]!
      continue
    }
    const rel = p - v.mask.start[d]!
    const step = v.mask.step[d]!
    if (rel < 0 || rel % step !== 0 || rel / step >= v.mask.count[d]!) return undefined
    at += (rel / step) * v.strides[d]!
  }
  return at
}

/**
 * Simplifies a copy: drops size-1 dimensions and merges neighbours that are
 * contiguous in both source and destination, so the inner loop is as long as
 * possible. A copy of nothing has shape `[0]`.
 *
 * @since 0.1.0
 */
export const coalesce = (copy: Copy): Copy => {
  const shape: Array<number> = []
  const src: Array<number> = []
  const dst: Array<number> = []
  for (let d = 0; d < copy.shape.length; d++) {
    const n = copy.shape[d]!
    if (n === 0) return { shape: [0], srcOffset: 0, srcStrides: [0], dstOffset: 0, dstStrides: [0] }
    if (n === 1) continue
    const last = shape.length - 1
    if (last >= 0 && src[last] === copy.srcStrides[d]! * n && dst[last] === copy.dstStrides[d]! * n) {
      shape[last] = shape[last]! * n
      src[last] = copy.srcStrides[d]!
      dst[last] = copy.dstStrides[d]!
    } else {
      shape.push(n)
      src.push(copy.srcStrides[d]!)
      dst.push(copy.dstStrides[d]!)
    }
  }
  return { shape, srcOffset: copy.srcOffset, srcStrides: src, dstOffset: copy.dstOffset, dstStrides: dst }
}

/**
 * The copy that writes the valid elements of `v` into a contiguous row-major
 * buffer of `v.shape` (coalesced). When `v.mask` is set, the other positions
 * are padding: fill the buffer with the padding value first.
 *
 * @since 0.1.0
 */
export const copyOf = (v: View): Copy => {
  const out = stridesOf(v.shape)
  const m = v.mask
  if (m === undefined) {
    return coalesce({ shape: v.shape, srcOffset: v.offset, srcStrides: v.strides, dstOffset: 0, dstStrides: out })
  }
  let dstOffset = 0
  for (let d = 0; d < out.length; d++) dstOffset += m.start[d]! * out[d]!
  return coalesce({
    shape: m.count,
    srcOffset: v.offset,
    srcStrides: v.strides,
    dstOffset,
    dstStrides: out.map((s, d) => s * m.step[d]!)
  })
}

/**
 * The views of `concatenate`'s operands (shapes `shapes`) in the output: each
 * one padded into its block along `dimension`, so that copying every view's
 * valid elements fills the output.
 *
 * @since 0.1.0
 */
export const concatenateParts = (shapes: ReadonlyArray<Shape>, dimension: number): ReadonlyArray<View> => {
  if (shapes.length === 0) return bad("concatenate", "concatenate needs at least one operand")
  const axis = normalizeAxis(dimension, shapes[0]!.length)
  const total = shapes.reduce((n, s) => n + s[axis]!, 0)
  let at = 0
  return shapes.map((s) => {
    const config = s.map((_, d): readonly [number, number, number] =>
      d === axis ? [at, total - at - s[axis]!, 0] : [0, 0, 0]
    )
    at += s[axis]!
    return pad(contiguous(s), config)
  })
}
