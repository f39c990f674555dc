/**
 * `ndimage`: JAX's `jax.scipy.ndimage`, `mapCoordinates`: an array sampled
 * at fractional coordinates by nearest-neighbour (order 0) or multilinear
 * (order 1) interpolation, with JAX's boundary modes. The indices are gathers
 * and the weights arithmetic, so the result differentiates in the input and in
 * the coordinates, batches and compiles.
 *
 * @example
 * import { ndimage, np, toJsSync } from "diffect"
 * const input = np.arange(12).reshape([3, 4]).astype("float32")
 * console.log(toJsSync(ndimage.mapCoordinates(input, [np.array([0.5, 1.5]), np.array([1.5, 2.5])], 1))) // [3.5, 8.5]
 *
 * @since 0.1.0
 */
import { isInexact } from "./DType.js"
import { ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import type { Tensor } from "./Tensor.js"
import { argumentError, checkOptions, number, string } from "./Validate.js"

/** How coordinates outside the array are mapped in (JAX's modes; `"constant"` uses `cval`). @since 0.1.0 */
export type MapMode = "constant" | "nearest" | "wrap" | "mirror" | "reflect"

/** Options of `mapCoordinates`: the mode (`"constant"`) and the fill value of `"constant"` (0). @since 0.1.0 */
export interface MapCoordinatesOptions {
  readonly mode?: MapMode | undefined
  readonly cval?: number | undefined
}

// An int32 scalar (a JS number would be a weak float and turn the indices into floats).
const i32 = (v: number): Tensor => lax.full([], v, "int32")

// `i` clamped to [lo, hi].
const clampInt = (i: Tensor, lo: number, hi: number): Tensor => np.minimum(np.maximum(i, i32(lo)), i32(hi))

// Python's % on integer tensors (the sign of the divisor).
const pmod = (i: Tensor, m: number): Tensor => np.mod(i, lax.full([], m, i.dtype))

// The triangle wave of period 2(size - 1): ... 1 0 1 2 ... size-1 size-2 ...
const mirror = (i: Tensor, size: number): Tensor => {
  const s = size - 1
  if (s === 0) return np.zerosLike(i)
  return np.abs(lax.sub(pmod(lax.add(i, lax.full([], s, i.dtype)), 2 * s), lax.full([], s, i.dtype)))
}

const fixers: Record<MapMode, (i: Tensor, size: number) => Tensor> = {
  constant: (i) => i,
  nearest: (i, size) => clampInt(i, 0, size - 1),
  wrap: (i, size) => pmod(i, size),
  mirror,
  // the mirror of the doubled grid with the edges repeated: ... 1 0 0 1 ... size-1 size-1 ...
  reflect: (i, size) => {
    const one = lax.full([], 1, i.dtype)
    return np.floorDivide(
      lax.sub(mirror(lax.add(lax.mul(lax.full([], 2, i.dtype), i), one), 2 * size + 1), one),
      i32(2)
    )
  }
}

/**
 * The values of `input` at `coordinates` (one array per axis of `input`, all
 * of one shape) by interpolation of `order` 0 (nearest, halves rounded away
 * from zero) or 1 (linear) (`jax.scipy.ndimage.map_coordinates`). JAX's modes
 * are SciPy's documented ones: `"constant"` is SciPy's `"grid-constant"` and
 * `"wrap"` its `"grid-wrap"`. Integer input is rounded back to its dtype.
 *
 * @example
 * import { ndimage, np, toJsSync } from "diffect"
 * const x = np.array([0, 10, 20, 30], { dtype: "float32" })
 * console.log(toJsSync(ndimage.mapCoordinates(x, [np.array([-0.5, 1.25, 3.5])], 1))) // [0, 12.5, 15]
 * console.log(toJsSync(ndimage.mapCoordinates(x, [np.array([-0.5, 1.25, 3.5])], 1, { mode: "nearest" }))) // [0, 12.5, 30]
 * console.log(toJsSync(ndimage.mapCoordinates(x, [np.array([-1, 4.4])], 0, { mode: "wrap" }))) // [30, 0]
 *
 * @since 0.1.0
 */
export const mapCoordinates = (
  input: TensorLike,
  coordinates: ReadonlyArray<TensorLike>,
  order: 0 | 1,
  options?: MapCoordinatesOptions
): Tensor => {
  const op = "mapCoordinates"
  checkOptions(op, options, { mode: string, cval: number })
  const x = toTensor(input)
  if (!Array.isArray(coordinates)) throw argumentError(op, "coordinates", "an array of coordinate arrays", coordinates)
  if (coordinates.length !== x.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `coordinates must be a sequence of length input.ndim, but ${coordinates.length} != ${x.ndim}`
    })
  }
  const mode = options?.mode ?? "constant"
  if (!Object.hasOwn(fixers, mode)) {
    throw argumentError(op, "mode", "one of \"constant\", \"nearest\", \"wrap\", \"mirror\", \"reflect\"", mode)
  }
  if (order !== 0 && order !== 1) throw argumentError(op, "order", "0 or 1 (JAX implements order <= 1)", order)
  const coords = coordinates.map((c) => toTensor(c))
  const shape = coords[0]?.shape ?? []
  if (coords.some((c) => c.shape.length !== shape.length || c.shape.some((d, i) => d !== shape[i]))) {
    throw new ShapeError({ operation: op, detail: "the coordinate arrays must all have one shape" })
  }
  if (x.ndim === 0 || x.size === 0) {
    throw new ShapeError({ operation: op, detail: "the input must have at least one dimension and not be empty" })
  }
  const fix = fixers[mode]
  // per axis: the candidate indices with their weights (JAX's nodes)
  const nodes = coords.map((c) => {
    const inexact = isInexact(c.dtype)
    if (order === 0) {
      const idx = inexact ? lax.convertElementType(lax.round(c), "int32") : lax.convertElementType(c, "int32")
      return [{ index: idx, weight: undefined as Tensor | undefined }]
    }
    const cf = inexact ? c : lax.convertElementType(c, "float32")
    const lower = lax.floor(cf)
    const upper = lax.sub(cf, lower)
    const idx = lax.convertElementType(lower, "int32")
    return [
      { index: idx, weight: lax.sub(lax.full([], 1, cf.dtype), upper) as Tensor | undefined },
      { index: lax.add(idx, lax.full([], 1, "int32")), weight: upper as Tensor | undefined }
    ]
  })
  const flatSize = shape.reduce((a, b) => a * b, 1)
  const combos = nodes.reduce<Array<Array<{ index: Tensor; weight: Tensor | undefined }>>>(
    (acc, axisNodes) => acc.flatMap((combo) => axisNodes.map((n) => [...combo, n])),
    [[]]
  )
  const cval = lax.full(shape, options?.cval ?? 0, x.dtype)
  const terms = combos.map((combo) => {
    const fixed = combo.map(({ index }, axis) => fix(index, x.shape[axis]!))
    // one gather from the flattened input at the row-major offset of the fixed indices
    const strides = x.shape.map((_, a) => x.shape.slice(a + 1).reduce((p, d) => p * d, 1))
    const safe = fixed.map((i, a) => clampInt(i, 0, x.shape[a]! - 1))
    const offset = safe.reduce(
      (acc, i, a) => lax.add(acc, lax.mul(i, lax.full([], strides[a]!, "int32"))),
      lax.full(shape, 0, "int32")
    )
    let value = lax.reshape(np.take(lax.reshape(x, [x.size]), lax.reshape(offset, [flatSize])), shape)
    if (mode === "constant") {
      const valid = combo
        .map(({ index }, a) =>
          lax.and(lax.ge(index, lax.full([], 0, "int32")), lax.lt(index, lax.full([], x.shape[a]!, "int32")))
        )
        .reduce((p, q) => lax.and(p, q))
      value = lax.select(valid, value, cval)
    }
    const weights = combo.flatMap(({ weight }) => (weight === undefined ? [] : [weight]))
    if (weights.length === 0) return value
    const w = weights.reduce((p, q) => lax.mul(p, q))
    return np.multiply(w, value)
  })
  const sum = terms.reduce((p, q) => np.add(p, q))
  if (isInexact(x.dtype)) return np.astype(sum, x.dtype)
  return np.astype(isInexact(sum.dtype) ? lax.round(sum) : sum, x.dtype)
}
