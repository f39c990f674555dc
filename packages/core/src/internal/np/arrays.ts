/**
 * `np`'s array manipulation beyond the core set: diagonals and triangles,
 * the stacking shorthands, `meshgrid`, `roll`, taking and putting along an
 * axis, `atleast*`, `append`, `arraySplit`, `diff`, index conversions and the
 * other structural functions a JAX user expects. All are compositions of
 * `lax` structural primitives.
 *
 * @since 0.1.0
 */
import { isInexact } from "../../DType.js"
import type { DType } from "../../DType.js"
import { IndexError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import { broadcastShapes } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import {
  anyValue,
  argumentError,
  boolean,
  checkArg,
  checkAxis,
  checkOptions,
  everyElement,
  inplaceFalse,
  integer,
  string
} from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { concreteValues } from "../concrete.js"
import { defaultFill, fillOf, inBounds, normalizeIndex } from "../indexing.js"
import type { IndexMode } from "../indexing.js"
import { promoteAll, toTensor } from "../npHelpers.js"
import { addAlong, takeAlong } from "./along.js"
import { count, int, integerIndices, intList, list } from "./checks.js"
import { jitted } from "./jitted.js"

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

// A bool mask of shape [n, m]: true where column - row >= k (upper) or <= k (lower).
const triMask = (n: number, m: number, k: number, upper: boolean): Tensor => {
  const rows = lax.iota("int32", [n, m], 0)
  const cols = lax.iota("int32", [n, m], 1)
  const d = lax.sub(cols, rows)
  const kk = lax.full([n, m], k, "int32")
  return upper ? lax.ge(d, kk) : lax.le(d, kk)
}

/**
 * Ones at and below the `k`-th diagonal of an `n x m` matrix (`jnp.tri`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.tri(2, { m: 3, k: 1 }))) // [[1, 1, 0], [1, 1, 1]]
 *
 * @since 0.1.0
 */
export const tri = (
  n: number,
  options?: { readonly m?: number | undefined; readonly k?: number | undefined; readonly dtype?: DType | undefined }
): Tensor => {
  checkOptions("tri", options, { m: integer, k: integer, dtype: anyValue })
  count("tri", "n", n)
  count("tri", "m", options?.m ?? n, Math.max(n, 1), (m) => [n, m])
  return lax.convertElementType(triMask(n, options?.m ?? n, options?.k ?? 0, false), options?.dtype ?? "float32")
}

const triangle =
  (op: string, upper: boolean) => (x: TensorLike, options?: { readonly k?: number | undefined }): Tensor => {
    checkOptions(op, options, { k: integer })
    const t = toTensor(x)
    if (t.ndim < 2) {
      throw new ShapeError({ operation: op, detail: `input must be at least 2-D, got shape (${t.shape})` })
    }
    const n = t.shape[t.ndim - 2]!
    const m = t.shape[t.ndim - 1]!
    const k = options?.k ?? 0
    // compiled when eager, as JAX's jitted `jnp.triu`/`jnp.tril` (the mask's iotas, comparison and
    // select were four passes and four fresh outputs: 10 ms for 1024 x 1024)
    return jitted(op, `${k}`, [t], (t) => {
      // triu keeps column - row >= k; tril keeps column - row <= k
      const mask = lax.broadcastInDim(triMask(n, m, k, upper), t!.shape, [t!.ndim - 2, t!.ndim - 1])
      return lax.select(mask, t!, lax.full(t!.shape, 0, t!.dtype, t!.weakType))
    })
  }

/**
 * The upper triangle of the last two axes, zeros below the `k`-th diagonal.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.triu(np.array([[1, 2], [3, 4]])))) // [[1, 2], [0, 4]]
 *
 * @since 0.1.0
 */
export const triu = triangle("triu", true)

/**
 * The lower triangle of the last two axes, zeros above the `k`-th diagonal.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.tril(np.array([[1, 2], [3, 4]]), { k: -1 }))) // [[0, 0], [3, 0]]
 *
 * @since 0.1.0
 */
export const tril = triangle("tril", false)

const triIndices = (op: string, n: number, k: number, m: number, upper: boolean): ReadonlyArray<Tensor> => {
  count(op, "n", n)
  int(op, "k", k)
  count(op, "m", m, Math.max(n, 1), (cols) => [n, cols])
  const rows: Array<number> = []
  const cols: Array<number> = []
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (upper ? j - i >= k : j - i <= k) {
        rows.push(i)
        cols.push(j)
      }
    }
  }
  return [np.array(rows, { dtype: "int32" }), np.array(cols, { dtype: "int32" })]
}

/**
 * The row and column indices of the upper triangle of an `n x m` matrix
 * (`jnp.triu_indices`; static, made on the host).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [r, c] = np.triuIndices(3, { k: 1 })
 * console.log(toJsSync([r!, c!])) // [[0, 0, 1], [1, 2, 2]]
 *
 * @since 0.1.0
 */
export const triuIndices = (
  n: number,
  options?: { readonly k?: number | undefined; readonly m?: number | undefined }
): ReadonlyArray<Tensor> => {
  checkOptions("triuIndices", options, { k: integer, m: integer })
  return triIndices("triuIndices", n, options?.k ?? 0, options?.m ?? n, true)
}

/**
 * The row and column indices of the lower triangle (`jnp.tril_indices`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [r, c] = np.trilIndices(2)
 * console.log(toJsSync([r!, c!])) // [[0, 1, 1], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const trilIndices = (
  n: number,
  options?: { readonly k?: number | undefined; readonly m?: number | undefined }
): ReadonlyArray<Tensor> => {
  checkOptions("trilIndices", options, { k: integer, m: integer })
  return triIndices("trilIndices", n, options?.k ?? 0, options?.m ?? n, false)
}

/**
 * `triuIndices` for the shape of a given 2-D array (`jnp.triu_indices_from`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.triuIndicesFrom(np.ones([2, 2]))[1]!)) // [0, 1, 1]
 *
 * @since 0.1.0
 */
export const triuIndicesFrom = (
  x: TensorLike,
  options?: { readonly k?: number | undefined }
): ReadonlyArray<Tensor> => {
  checkOptions("triuIndicesFrom", options, { k: integer })
  const t = toTensor(x)
  if (t.ndim !== 2) throw new ShapeError({ operation: "triuIndicesFrom", detail: "input array must be 2-d" })
  return triuIndices(t.shape[0]!, { k: options?.k ?? 0, m: t.shape[1]! })
}

/**
 * `trilIndices` for the shape of a given 2-D array (`jnp.tril_indices_from`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trilIndicesFrom(np.ones([2, 2]))[0]!)) // [0, 1, 1]
 *
 * @since 0.1.0
 */
export const trilIndicesFrom = (
  x: TensorLike,
  options?: { readonly k?: number | undefined }
): ReadonlyArray<Tensor> => {
  checkOptions("trilIndicesFrom", options, { k: integer })
  const t = toTensor(x)
  if (t.ndim !== 2) throw new ShapeError({ operation: "trilIndicesFrom", detail: "input array must be 2-d" })
  return trilIndices(t.shape[0]!, { k: options?.k ?? 0, m: t.shape[1]! })
}

/** Options of `diagonal`/`trace`: the diagonal's offset and the two axes (0 and 1 by default). @since 0.1.0 */
export interface DiagonalOptions {
  readonly offset?: number | undefined
  readonly axis1?: number | undefined
  readonly axis2?: number | undefined
}

/**
 * The `offset` diagonal of the `axis1`/`axis2` plane, as a new last axis
 * (`jnp.diagonal`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([[1, 2, 3], [4, 5, 6]])
 * console.log(toJsSync(np.diagonal(a))) // [1, 5]
 * console.log(toJsSync(np.diagonal(a, { offset: 1 }))) // [2, 6]
 *
 * @since 0.1.0
 */
export const diagonal = (x: TensorLike, options?: DiagonalOptions): Tensor => {
  checkOptions("diagonal", options, { offset: integer, axis1: integer, axis2: integer })
  const t = toTensor(x)
  if (t.ndim < 2) {
    throw new ShapeError({ operation: "diagonal", detail: "diag requires an array of at least two dimensions" })
  }
  const a1 = checkAxis("diagonal", options?.axis1 ?? 0, t.ndim, "axis1")
  const a2 = checkAxis("diagonal", options?.axis2 ?? 1, t.ndim, "axis2")
  if (a1 === a2) throw new ShapeError({ operation: "diagonal", detail: "axis1 and axis2 cannot be the same" })
  const offset = options?.offset ?? 0
  // The plane's axes last: [..., n, m]; then row i pairs with column i + offset.
  const rest = range(t.ndim).filter((i) => i !== a1 && i !== a2)
  const moved = lax.transpose(t, [...rest, a1, a2])
  const n = t.shape[a1]!
  const m = t.shape[a2]!
  const len = Math.max(0, Math.min(n + Math.min(offset, 0), m - Math.max(offset, 0)))
  const lead = rest.map((i) => t.shape[i]!)
  if (len === 0) return lax.full([...lead, 0], 0, t.dtype, t.weakType)
  const r0 = Math.max(-offset, 0)
  const c0 = Math.max(offset, 0)
  // Flatten the plane and take every (m + 1)-th element starting at r0 * m + c0.
  const flat = lax.reshape(moved, [...lead, n * m])
  const start = r0 * m + c0
  const stop = start + (len - 1) * (m + 1) + 1
  return lax.slice(
    flat,
    [...lead.map(() => 0), start],
    [...lead, stop],
    [...lead.map(() => 1), m + 1]
  )
}

/**
 * The sum along a diagonal (`jnp.trace`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trace(np.array([[1, 2], [3, 4]])))) // 5
 *
 * @since 0.1.0
 */
export const trace = (x: TensorLike, options?: DiagonalOptions): Tensor => {
  const d = diagonal(x, options)
  return np.sum(d, { axis: -1 })
}

/**
 * `jnp.diag`: a 1-D input becomes the `k`-th diagonal of a square matrix; a
 * 2-D input gives its `k`-th diagonal.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.diag(np.array([1, 2])))) // [[1, 0], [0, 2]]
 * console.log(toJsSync(np.diag(np.array([[1, 2], [3, 4]]), { k: 1 }))) // [2]
 *
 * @since 0.1.0
 */
export const diag = (v: TensorLike, options?: { readonly k?: number | undefined }): Tensor => {
  checkOptions("diag", options, { k: integer })
  const t = toTensor(v)
  const k = int("diag", "k", options?.k ?? 0)
  if (t.ndim === 2) return diagonal(t, { offset: k })
  if (t.ndim !== 1) throw new ShapeError({ operation: "diag", detail: "input must be 1- or 2-d" })
  const n = t.shape[0]!
  const size = n + Math.abs(k)
  count("diag", "k", size, size, () => [size, size])
  // Interior padding spreads the entries m + 1 apart in the flattened matrix.
  const flat = lax.pad(t, lax.full([], 0, t.dtype, t.weakType), [[0, 0, size]])
  const start = k >= 0 ? k : -k * size
  const total = size * size
  const placed = lax.pad(flat, lax.full([], 0, t.dtype, t.weakType), [[start, total - start - flat.shape[0]!, 0]])
  return lax.reshape(placed, [size, size])
}

/**
 * `jnp.diagflat`: the flattened input on the `k`-th diagonal of a square matrix.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.diagflat(np.array([[1, 2]])))) // [[1, 0], [0, 2]]
 *
 * @since 0.1.0
 */
export const diagflat = (v: TensorLike, options?: { readonly k?: number | undefined }): Tensor =>
  diag(np.ravel(v), options)

const atleast = (op: string, x: TensorLike, rank: number): Tensor => {
  const t = toTensor(x)
  if (t.ndim >= rank) return t
  // NumPy's placements: 1-D (n) -> (1, n) -> (1, n, 1); 0-D -> (1) -> (1, 1) -> (1, 1, 1)
  if (rank === 1) return lax.reshape(t, [1])
  if (rank === 2) return lax.reshape(t, t.ndim === 0 ? [1, 1] : [1, t.shape[0]!])
  if (t.ndim === 0) return lax.reshape(t, [1, 1, 1])
  if (t.ndim === 1) return lax.reshape(t, [1, t.shape[0]!, 1])
  void op
  return lax.reshape(t, [...t.shape, 1])
}

/**
 * The input with at least one dimension (`jnp.atleast_1d`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.atleast1d(np.array(3)).shape) // [1]
 *
 * @since 0.1.0
 */
export const atleast1d = (x: TensorLike): Tensor => atleast("atleast1d", x, 1)

/**
 * The input with at least two dimensions (`jnp.atleast_2d`: a vector becomes a row).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.atleast2d(np.array([1, 2])).shape) // [1, 2]
 *
 * @since 0.1.0
 */
export const atleast2d = (x: TensorLike): Tensor => atleast("atleast2d", x, 2)

/**
 * The input with at least three dimensions (`jnp.atleast_3d`: a vector `(n)` becomes `(1, n, 1)`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.atleast3d(np.array([1, 2])).shape) // [1, 2, 1]
 *
 * @since 0.1.0
 */
export const atleast3d = (x: TensorLike): Tensor => atleast("atleast3d", x, 3)

/**
 * Stacks along the first axis after `atleast2d` (`jnp.vstack`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.vstack([np.array([1, 2]), np.array([3, 4])]))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const vstack = (xs: ReadonlyArray<TensorLike>): Tensor =>
  np.concatenate(stackList("vstack", xs).map(atleast2d), { axis: 0 })

/**
 * `jnp.row_stack`, the same as `vstack`.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.rowStack([np.ones([2]), np.ones([2])]).shape) // [2, 2]
 *
 * @since 0.1.0
 */
export const rowStack = vstack

/**
 * Stacks along the second axis (the first for 1-D inputs) (`jnp.hstack`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.hstack([np.array([1, 2]), np.array([3])]))) // [1, 2, 3]
 *
 * @since 0.1.0
 */
export const hstack = (xs: ReadonlyArray<TensorLike>): Tensor => {
  const ts = stackList("hstack", xs).map(atleast1d)
  return np.concatenate(ts, { axis: ts[0]!.ndim === 1 ? 0 : 1 })
}

/**
 * Stacks along the third axis after `atleast3d` (`jnp.dstack`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.dstack([np.ones([2]), np.ones([2])]).shape) // [1, 2, 2]
 *
 * @since 0.1.0
 */
export const dstack = (xs: ReadonlyArray<TensorLike>): Tensor =>
  np.concatenate(stackList("dstack", xs).map(atleast3d), { axis: 2 })

/**
 * Stacks 1-D inputs as columns of a matrix (`jnp.column_stack`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.columnStack([np.array([1, 2]), np.array([3, 4])]))) // [[1, 3], [2, 4]]
 *
 * @since 0.1.0
 */
export const columnStack = (xs: ReadonlyArray<TensorLike>): Tensor =>
  np.concatenate(
    stackList("columnStack", xs).map((x) => {
      const t = toTensor(x)
      return t.ndim < 2 ? lax.reshape(t, [t.ndim === 0 ? 1 : t.shape[0]!, 1]) : t
    }),
    { axis: 1 }
  )

const stackList = (op: string, xs: ReadonlyArray<TensorLike>): ReadonlyArray<TensorLike> => list(op, "xs", xs)

/** Options of `meshgrid`: `"xy"` (Cartesian, the default) or `"ij"` (matrix) indexing, `sparse` grids. @since 0.1.0 */
export interface MeshgridOptions {
  readonly indexing?: "xy" | "ij" | undefined
  readonly sparse?: boolean | undefined
}

/**
 * Coordinate grids from 1-D coordinate vectors (`jnp.meshgrid`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [x, y] = np.meshgrid([np.array([1, 2, 3]), np.array([4, 5])])
 * console.log(toJsSync(x!)) // [[1, 2, 3], [1, 2, 3]]
 * console.log(toJsSync(y!)) // [[4, 4, 4], [5, 5, 5]]
 *
 * @since 0.1.0
 */
export const meshgrid = (xs: ReadonlyArray<TensorLike>, options?: MeshgridOptions): ReadonlyArray<Tensor> => {
  checkOptions("meshgrid", options, { indexing: string, sparse: boolean })
  const indexing = options?.indexing ?? "xy"
  if (indexing !== "xy" && indexing !== "ij") {
    throw argumentError("meshgrid", "indexing", "\"xy\" or \"ij\"", indexing)
  }
  const ts = list<TensorLike>("meshgrid", "xs", xs, true).map((x) => np.ravel(toTensor(x)))
  const n = ts.length
  const shape = ts.map((t) => t.shape[0]!)
  // xy swaps the first two axes of the output.
  const position = (i: number) => (indexing === "xy" && n >= 2 && i < 2 ? 1 - i : i)
  const outShape = range(n).map((d) => shape[indexing === "xy" && n >= 2 && d < 2 ? 1 - d : d]!)
  return ts.map((t, i) => {
    const p = position(i)
    if (options?.sparse === true) return lax.reshape(t, outShape.map((d, j) => (j === p ? d : 1)))
    return lax.broadcastInDim(t, outShape, [p])
  })
}

/**
 * Elements shifted by `shift` along `axis` (the flattened array when
 * omitted), wrapping around (`jnp.roll`). `shift` may be a tensor, traced
 * too (a scalar, or one shift per axis): the roll is then a window of the
 * array concatenated with itself, as JAX's is.
 *
 * @example
 * import { jit, np, runSync, toJsSync, type Tensor } from "diffect"
 * console.log(toJsSync(np.roll(np.array([1, 2, 3, 4]), 1))) // [4, 1, 2, 3]
 * console.log(toJsSync(np.roll(np.array([[1, 2], [3, 4]]), -1, { axis: 1 }))) // [[2, 1], [4, 3]]
 * const rollBy = jit((s: Tensor) => np.roll(np.array([1, 2, 3, 4]), s))
 * console.log(toJsSync(runSync(rollBy(np.array(-1, { dtype: "int32" }))))) // [2, 3, 4, 1]
 *
 * @since 0.1.0
 */
export const roll = (
  x: TensorLike,
  shift: number | ReadonlyArray<number> | Tensor,
  options?: { readonly axis?: number | ReadonlyArray<number> | undefined }
): Tensor => {
  checkOptions("roll", options, { axis: anyValue })
  const t0 = toTensor(x)
  if (options?.axis === undefined) {
    if (shift instanceof Tensor) return lax.reshape(rollDynamic(np.ravel(t0), shift, [0]), t0.shape)
    if (!Number.isInteger(shift)) throw argumentError("roll", "shift", "an integer when no axis is given", shift)
    return lax.reshape(roll(np.ravel(t0), shift, { axis: 0 }), t0.shape)
  }
  const axes = typeof options.axis === "number" ? [options.axis] : intList("roll", "axis", options.axis)
  if (shift instanceof Tensor) return rollDynamic(t0, shift, axes.map((a) => checkAxis("roll", a, t0.ndim)))
  const shifts = typeof shift === "number" ? axes.map(() => shift) : intList("roll", "shift", shift)
  if (shifts.length !== axes.length) {
    throw new ShapeError({ operation: "roll", detail: "shift and axis must have the same length" })
  }
  let t = t0
  axes.forEach((a0, i) => {
    const a = checkAxis("roll", a0, t.ndim)
    const n = t.shape[a]!
    checkArg("roll", "shift", shifts[i], integer)
    if (n === 0) return
    const s = ((shifts[i]! % n) + n) % n
    if (s === 0) return
    const at = (lo: number, hi: number) =>
      lax.slice(t, t.shape.map((_, d) => (d === a ? lo : 0)), t.shape.map((m, d) => (d === a ? hi : m)))
    t = lax.concatenate([at(n - s, n), at(0, n - s)], a)
  })
  return t
}

// A roll by shifts known only at run time (JAX's `_roll_dynamic`): the shifts broadcast against the
// axes, and each is a window of n elements of the axis doubled, from n - (shift mod n).
const rollDynamic = (t: Tensor, shift: Tensor, axes: ReadonlyArray<number>): Tensor => {
  if (shift.ndim > 1) {
    throw new ShapeError({
      operation: "roll",
      detail: `'shift' and 'axis' arguments to roll must be scalars or 1D arrays, got a shift of shape (${
        shift.shape.join(", ")
      })`
    })
  }
  if (shift.dtype !== "int32" && shift.dtype !== "uint32" && shift.dtype !== "bool") {
    throw argumentError("roll", "shift", "an integer tensor", `a ${shift.dtype} tensor`)
  }
  const k = shift.ndim === 0 ? 1 : shift.shape[0]!
  if (k !== 1 && axes.length !== 1 && k !== axes.length) {
    throw new ShapeError({
      operation: "roll",
      detail: `incompatible shapes for broadcasting: shift (${k},) and axis (${axes.length},)`
    })
  }
  const shifts = lax.convertElementType(shift, "int32")
  const i32 = (v: number) => np.array(v, { dtype: "int32" })
  let out = t
  for (let j = 0; j < Math.max(k, axes.length); j++) {
    const a = axes[axes.length === 1 ? 0 : j]!
    const s = shifts.ndim === 0 ? shifts : lax.reshape(lax.slice(shifts, [k === 1 ? 0 : j], [k === 1 ? 1 : j + 1]), [])
    const n = out.shape[a]!
    const start = lax.sub(i32(n), np.remainder(s, i32(Math.max(n, 1))))
    out = lax.dynamicSliceInDim(lax.concatenate([out, out], a), start, n, a)
  }
  return out
}

// putAlongAxis's indices along an axis of length n: negatives counted from the end (the scatter
// clamps the rest).
const normalizeIndices = (idx: Tensor, n: number): Tensor => {
  if (idx.dtype !== "int32" && idx.dtype !== "uint32") {
    throw new ShapeError({ operation: "putAlongAxis", detail: `indices must be integers, got ${idx.dtype}` })
  }
  const i = lax.convertElementType(idx, "int32")
  return lax.select(lax.lt(i, lax.full(i.shape, 0, "int32")), lax.add(i, lax.full(i.shape, n, "int32")), i)
}

// Broadcasts arr and indices against each other on every axis but `axis` (NumPy's rule).
const alongShapes = (op: string, arr: Tensor, idx: Tensor, axis: number): readonly [Tensor, Tensor] => {
  if (idx.ndim !== arr.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `indices and arr must have the same number of dimensions; got ${idx.ndim} vs ${arr.ndim}`
    })
  }
  const shape = arr.shape.map((d, i) => (i === axis ? d : Math.max(d, idx.shape[i]!)))
  const ishape = idx.shape.map((d, i) => (i === axis ? d : shape[i]!))
  for (let i = 0; i < arr.ndim; i++) {
    if (i === axis) continue
    if ((arr.shape[i] !== shape[i] && arr.shape[i] !== 1) || (idx.shape[i] !== shape[i] && idx.shape[i] !== 1)) {
      throw new ShapeError({ operation: op, detail: `shapes (${arr.shape}) and (${idx.shape}) do not broadcast` })
    }
  }
  return [np.broadcastTo(arr, shape), np.broadcastTo(idx, ishape)]
}

/** Options of `takeAlongAxis`: JAX's out-of-bounds `mode` and `fill_value`. @since 0.1.0 */
export interface TakeAlongAxisOptions {
  /**
   * `"fill"` (default: negative indices count from the end, others out of
   * range read `fillValue`), `"clip"` (negative indices count from the end,
   * then clamped into range) or `"promise_in_bounds"` (the caller promises
   * in-range indices; negative ones are not wrapped, and here they clamp).
   */
  readonly mode?: IndexMode | undefined
  /** The value read out of bounds in `"fill"` mode: NaN for inexact dtypes, the most negative int32, the largest uint32, `true` for bool by default (JAX's gather fill). */
  readonly fillValue?: number | undefined
  /**
   * Whether negative indices count from the end (NumPy's rule). Default: yes,
   * except in `"promise_in_bounds"` mode (JAX's legacy default); `false` makes
   * them out of range (read `fillValue`, or clamped to 0 with `"clip"`).
   */
  readonly wrapNegativeIndices?: boolean | undefined
}

/**
 * `jnp.take_along_axis`: picks from `arr` along `axis` at `indices`, which has
 * `arr`'s rank (other axes broadcast). Negative indices count from the end; in
 * the default mode `"fill"` (JAX's) those still out of range read `fillValue`
 * (NaN for floats), `"clip"` clamps them into range.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([[10, 30, 20], [60, 40, 50]])
 * console.log(toJsSync(np.takeAlongAxis(a, np.argsort(a, { axis: 1 }), 1))) // [[10, 20, 30], [40, 50, 60]]
 * const idx = np.array([-1, 3, -4], { dtype: "int32" })
 * console.log(toJsSync(np.takeAlongAxis(np.array([10, 30, 20]), idx, 0))) // [20, NaN, NaN]
 * console.log(toJsSync(np.takeAlongAxis(np.array([10, 30, 20]), idx, 0, { mode: "clip" }))) // [20, 20, 10]
 * console.log(toJsSync(np.takeAlongAxis(np.array([10, 30, 20]), idx, 0, { fillValue: -1 }))) // [20, -1, -1]
 *
 * @since 0.1.0
 */
export const takeAlongAxis = (
  arr: TensorLike,
  indices: TensorLike,
  axis: number | null,
  options?: TakeAlongAxisOptions
): Tensor => {
  checkOptions("takeAlongAxis", options, { mode: anyValue, fillValue: anyValue, wrapNegativeIndices: boolean })
  const mode = options?.mode ?? "fill"
  if (mode !== "fill" && mode !== "clip" && mode !== "promise_in_bounds") {
    throw argumentError("takeAlongAxis", "mode", "\"fill\", \"clip\" or \"promise_in_bounds\"", mode)
  }
  const fillValue = options?.fillValue
  if (fillValue !== undefined && typeof fillValue !== "number") {
    throw argumentError("takeAlongAxis", "fillValue", "a number", fillValue)
  }
  let a = toTensor(arr)
  let idx = toTensor(indices)
  if (axis === null) {
    a = np.ravel(a)
    idx = np.ravel(idx)
  }
  if (axis !== null && !Number.isInteger(axis)) throw argumentError("takeAlongAxis", "axis", "an integer or null", axis)
  const ax = checkAxis("takeAlongAxis", axis ?? 0, a.ndim)
  if (idx.dtype !== "int32" && idx.dtype !== "uint32") {
    throw new ShapeError({ operation: "takeAlongAxis", detail: `indices must be integers, got ${idx.dtype}` })
  }
  const [ab, ib] = alongShapes("takeAlongAxis", a, idx, ax)
  const n = a.shape[ax]!
  if (n === 0) return takeAlong(ab, lax.convertElementType(ib, "int32"), ax)
  // JAX's _normalize_index: signed indices in [-n, 0) count from the end (not with
  // "promise_in_bounds"); unsigned ones above n stay out of range (capped at n to fit int32)
  let i = ib.dtype === "uint32"
    ? lax.convertElementType(lax.min(ib, lax.full(ib.shape, n, "uint32")), "int32")
    : ib
  const wrap = options?.wrapNegativeIndices ?? mode !== "promise_in_bounds"
  if (ib.dtype === "int32" && wrap) i = normalizeIndex(i, n)
  // known in range (concrete indices): no clamp or fill needed
  if (inBounds(i, n) === undefined) return takeAlong(ab, i, ax)
  // takeAlong needs in-range indices (it offsets them by their row)
  const clamped = lax.min(lax.max(i, lax.full(i.shape, 0, "int32")), lax.full(i.shape, n - 1, "int32"))
  const out = takeAlong(ab, clamped, ax)
  if (mode !== "fill") return out
  // JAX's gather fill: out-of-range reads give fillValue (by default NaN, INT_MIN, UINT_MAX, true)
  return lax.select(lax.eq(i, clamped), out, fillOf(out.shape, fillValue ?? defaultFill(out.dtype), out.dtype))
}

/**
 * `jnp.put_along_axis` (functional, JAX's `inplace=False`): `arr` with
 * `values` written at `indices` along `axis`. Negative indices count from the
 * end; out-of-range ones are dropped (JAX's scatter). Where an index repeats,
 * the values written there are summed (JAX leaves the winner unspecified).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([[1, 2], [3, 4]])
 * console.log(toJsSync(np.putAlongAxis(a, np.array([[1], [0]], { dtype: "int32" }), 0, 1))) // [[1, 0], [0, 4]]
 *
 * @since 0.1.0
 */
export const putAlongAxis = (
  arr: TensorLike,
  indices: TensorLike,
  values: TensorLike,
  axis: number | null,
  options?: { readonly inplace?: false | undefined }
): Tensor => {
  checkOptions("putAlongAxis", options, { inplace: inplaceFalse })
  const a0 = toTensor(arr)
  let a = a0
  let idx = toTensor(indices)
  if (axis === null) {
    a = np.ravel(a)
    idx = np.ravel(idx)
  }
  if (axis !== null && !Number.isInteger(axis)) throw argumentError("putAlongAxis", "axis", "an integer or null", axis)
  const ax = checkAxis("putAlongAxis", axis ?? 0, a.ndim)
  if (idx.ndim !== a.ndim) {
    throw new ShapeError({
      operation: "putAlongAxis",
      detail: "indices and arr must have the same number of dimensions"
    })
  }
  const n = a.shape[ax]!
  const wide = np.broadcastTo(idx, a.shape.map((d, k) => (k === ax ? idx.shape[k]! : d)))
  const i = normalizeIndices(wide, n)
  // JAX's scatter drops out-of-range writes (addAlong offsets by the row: they would land in
  // another row); unsigned indices never count from the end
  const valid = wide.dtype === "uint32"
    ? lax.lt(wide, lax.full(wide.shape, n, "uint32"))
    : lax.and(lax.ge(i, lax.full(i.shape, 0, "int32")), lax.lt(i, lax.full(i.shape, n, "int32")))
  const safe = lax.select(valid, i, lax.full(i.shape, 0, "int32"))
  const v = np.astype(np.broadcastTo(values, i.shape), a.dtype)
  const hit = lax.gt(
    addAlong(
      lax.full(a.shape, 0, "int32"),
      safe,
      lax.select(valid, lax.full(i.shape, 1, "int32"), lax.full(i.shape, 0, "int32")),
      ax
    ),
    lax.full(a.shape, 0, "int32")
  )
  const written = addAlong(lax.full(a.shape, 0, a.dtype), safe, lax.select(valid, v, lax.full(v.shape, 0, v.dtype)), ax)
  const out = lax.select(hit, written, a)
  return axis === null ? lax.reshape(out, a0.shape) : out
}

/**
 * `values` appended to `arr` along `axis` (both flattened when omitted) (`jnp.append`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.append(np.array([1, 2]), np.array([[3], [4]])))) // [1, 2, 3, 4]
 *
 * @since 0.1.0
 */
export const append = (
  arr: TensorLike,
  values: TensorLike,
  options?: { readonly axis?: number | undefined }
): Tensor => {
  checkOptions("append", options, { axis: integer })
  if (options?.axis === undefined) return np.concatenate([np.ravel(arr), np.ravel(values)])
  return np.concatenate([arr, values], { axis: options.axis })
}

/**
 * Splits into `sections` nearly equal parts (the first ones one longer), or
 * at the given indices (`jnp.array_split`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(np.arraySplit(np.arange(5), 3).map((t) => toJsSync(t))) // [[0, 1], [2, 3], [4]]
 *
 * @since 0.1.0
 */
export const arraySplit = (
  x: TensorLike,
  sections: number | ReadonlyArray<number>,
  options?: { readonly axis?: number | undefined }
): Array<Tensor> => {
  checkOptions("arraySplit", options, { axis: integer })
  if (typeof sections !== "number") return np.split(x, intList("arraySplit", "sections", sections), options)
  count("arraySplit", "sections", sections)
  if (sections <= 0) throw argumentError("arraySplit", "sections", "a positive number of sections", sections)
  const t = toTensor(x)
  const a = checkAxis("arraySplit", options?.axis ?? 0, t.ndim)
  const n = t.shape[a]!
  const each = Math.floor(n / sections)
  const extra = n % sections
  const cuts: Array<number> = []
  let at = 0
  for (let i = 0; i < sections - 1; i++) {
    at += each + (i < extra ? 1 : 0)
    cuts.push(at)
  }
  return np.split(t, cuts, { axis: a })
}

const fixedSplit =
  (op: string, axis: (t: Tensor) => number) =>
  (x: TensorLike, sections: number | ReadonlyArray<number>): Array<Tensor> => {
    const t = toTensor(x)
    if (t.ndim === 0) {
      throw new ShapeError({ operation: op, detail: "only arrays of 1 or more dimensions can be split" })
    }
    const parts = typeof sections === "number" ? count(op, "sections", sections) : intList(op, "sections", sections)
    return np.split(t, parts, { axis: axis(t) })
  }

/**
 * `split` along axis 1 (axis 0 for 1-D) (`jnp.hsplit`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.hsplit(np.ones([2, 4]), 2).map((t) => t.shape)) // [[2, 2], [2, 2]]
 *
 * @since 0.1.0
 */
export const hsplit = fixedSplit("hsplit", (t) => (t.ndim === 1 ? 0 : 1))

/**
 * `split` along axis 0 (`jnp.vsplit`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.vsplit(np.ones([4, 2]), [1]).map((t) => t.shape)) // [[1, 2], [3, 2]]
 *
 * @since 0.1.0
 */
export const vsplit = fixedSplit("vsplit", () => 0)

/**
 * `split` along axis 2 (`jnp.dsplit`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.dsplit(np.ones([1, 1, 4]), 2).map((t) => t.shape)) // [[1, 1, 2], [1, 1, 2]]
 *
 * @since 0.1.0
 */
export const dsplit = fixedSplit("dsplit", () => 2)

/** Options of `diff`: the order `n`, the axis (-1), and values to put before or after. @since 0.1.0 */
export interface DiffOptions {
  readonly n?: number | undefined
  readonly axis?: number | undefined
  readonly prepend?: TensorLike | undefined
  readonly append?: TensorLike | undefined
}

/**
 * The `n`-th discrete difference along `axis` (`jnp.diff`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.diff(np.array([1, 2, 4, 7, 0])))) // [1, 2, 3, -7]
 * console.log(toJsSync(np.diff(np.array([1, 2, 4, 7, 0]), { n: 2 }))) // [1, 1, -10]
 *
 * @since 0.1.0
 */
export const diff = (x: TensorLike, options?: DiffOptions): Tensor => {
  checkOptions("diff", options, { n: integer, axis: integer, prepend: anyValue, append: anyValue })
  let t = toTensor(x)
  if (t.ndim === 0) {
    throw new ShapeError({ operation: "diff", detail: "the input must be at least one-dimensional" })
  }
  const axis = checkAxis("diff", options?.axis ?? -1, t.ndim)
  const n = count("diff", "n", options?.n ?? 1)
  const edge = (v: TensorLike) => {
    const e = toTensor(v)
    return e.ndim === 0 ? np.broadcastTo(e, t.shape.map((d, i) => (i === axis ? 1 : d))) : e
  }
  const parts = [
    ...(options?.prepend === undefined ? [] : [edge(options.prepend)]),
    t,
    ...(options?.append === undefined ? [] : [edge(options.append)])
  ]
  if (parts.length > 1) t = np.concatenate(parts, { axis })
  // compiled when eager, as JAX's jitted `jnp.diff` (n differences, one pass)
  return jitted("diff", `${axis}|${n}`, [t], (x) => {
    let y = x!
    const boolean = y.dtype === "bool"
    for (let k = 0; k < n; k++) {
      const len = y.shape[axis]!
      if (len === 0) break
      const from = y
      const at = (lo: number, hi: number) =>
        lax.slice(
          from,
          from.shape.map((_, d) => (d === axis ? lo : 0)),
          from.shape.map((m, d) => (d === axis ? hi : m))
        )
      y = boolean ? lax.ne(at(1, len), at(0, len - 1)) : lax.sub(at(1, len), at(0, len - 1))
    }
    return y
  })
}

/**
 * The differences of the flattened array, with optional values before and after (`jnp.ediff1d`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.ediff1d(np.array([1, 2, 4]), { toBegin: -9 }))) // [-9, 1, 2]
 *
 * @since 0.1.0
 */
export const ediff1d = (
  x: TensorLike,
  options?: { readonly toEnd?: TensorLike | undefined; readonly toBegin?: TensorLike | undefined }
): Tensor => {
  checkOptions("ediff1d", options, { toEnd: anyValue, toBegin: anyValue })
  const d = diff(np.ravel(x))
  const parts = [
    ...(options?.toBegin === undefined ? [] : [np.astype(np.ravel(options.toBegin), d.dtype)]),
    d,
    ...(options?.toEnd === undefined ? [] : [np.astype(np.ravel(options.toEnd), d.dtype)])
  ]
  return parts.length === 1 ? d : np.concatenate(parts)
}

/**
 * `jnp.unravel_index`: flat indices into a shape as one index array per
 * dimension (negative indices count from the end; out-of-range ones are
 * clipped, as JAX does).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [r, c] = np.unravelIndex(np.array([5, 1], { dtype: "int32" }), [2, 3])
 * console.log(toJsSync([r!, c!])) // [[1, 0], [2, 1]]
 *
 * @since 0.1.0
 */
export const unravelIndex = (indices: TensorLike, shape: ReadonlyArray<number>): ReadonlyArray<Tensor> => {
  checkArg("unravelIndex", "shape", shape, {
    expected: "an array of non-negative integers",
    test: (u) => Array.isArray(u) && everyElement(u, (d) => Number.isInteger(d) && (d as number) >= 0)
  })
  const idx = lax.convertElementType(toTensor(indices), "int32")
  const total = shape.reduce((a, b) => a * b, 1)
  const zero = lax.full(idx.shape, 0, "int32")
  const normalized = lax.select(lax.lt(idx, zero), lax.add(idx, lax.full(idx.shape, total, "int32")), idx)
  const clipped = lax.max(lax.min(normalized, lax.full(idx.shape, Math.max(total - 1, 0), "int32")), zero)
  const out: Array<Tensor> = []
  let stride = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!
    out.unshift(
      lax.rem(lax.div(clipped, lax.full(idx.shape, stride, "int32")), lax.full(idx.shape, Math.max(n, 1), "int32"))
    )
    stride *= n
  }
  return out
}

/** Options of `np.ravelMultiIndex` (JAX's keyword arguments). @since 0.1.0 */
export interface RavelMultiIndexOptions {
  /**
   * Out-of-bounds indices: `"raise"` (the default) is a typed error, checked on concrete indices
   * only (under `jit` or another transformation it is a `ConcretizationError`, as in JAX);
   * `"clip"` clips them, `"wrap"` wraps them, `"ignore"` leaves them (the result is then
   * meaningless).
   */
  readonly mode?: "raise" | "clip" | "wrap" | "ignore" | undefined
  /** Row-major `"C"` (the default) or column-major `"F"` flattening. */
  readonly order?: "C" | "F" | undefined
  /** The result's integer dtype (default: the indices' promoted type). */
  readonly dtype?: "int32" | "uint32" | undefined
}

/**
 * `jnp.ravel_multi_index`: per-dimension indices to flat indices. Out-of-bounds
 * indices are an error by default (`mode: "raise"`, on concrete indices: under
 * `jit` use `"clip"` or `"wrap"`), and `order: "F"` flattens column-major.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const i32 = (v: Array<number>) => np.array(v, { dtype: "int32" })
 * console.log(toJsSync(np.ravelMultiIndex([i32([1, 0]), i32([2, 1])], [2, 3]))) // [5, 1]
 * console.log(toJsSync(np.ravelMultiIndex([i32([1, 0]), i32([2, 1])], [2, 3], { order: "F" }))) // [5, 2]
 * console.log(toJsSync(np.ravelMultiIndex([i32([3]), i32([-1])], [2, 3], { mode: "wrap" }))) // [5]
 *
 * @since 0.1.0
 */
export const ravelMultiIndex = (
  multiIndex: ReadonlyArray<TensorLike>,
  dims: ReadonlyArray<number>,
  options?: RavelMultiIndexOptions
): Tensor => {
  checkOptions("ravelMultiIndex", options, { mode: string, order: string, dtype: string })
  const mode = options?.mode ?? "raise"
  if (mode !== "raise" && mode !== "clip" && mode !== "wrap" && mode !== "ignore") {
    throw argumentError("ravelMultiIndex", "mode", "\"raise\", \"clip\", \"wrap\" or \"ignore\"", mode)
  }
  const order = options?.order ?? "C"
  if (order !== "C" && order !== "F") throw argumentError("ravelMultiIndex", "order", "\"C\" or \"F\"", order)
  const dtype = options?.dtype
  if (dtype !== undefined && dtype !== "int32" && dtype !== "uint32") {
    throw argumentError("ravelMultiIndex", "dtype", "an integer dtype (\"int32\" or \"uint32\")", dtype)
  }
  intList("ravelMultiIndex", "dims", dims)
  if (!Array.isArray(multiIndex) || multiIndex.length !== dims.length) {
    throw new ShapeError({
      operation: "ravelMultiIndex",
      detail: `parameter multi_index must be a sequence of length ${dims.length}`
    })
  }
  const idx = multiIndex.length === 0 ? [] : promoteAll(
    "ravelMultiIndex",
    Array.from(multiIndex, (m) => integerIndices("ravelMultiIndex", "multiIndex", m))
  )
  const outType: DType = dtype ?? idx[0]?.dtype ?? "int32"
  const largest = outType === "uint32" ? 2 ** 32 - 1 : 2 ** 31 - 1
  if (dims.reduce((a, b) => a * b, 1) - 1 > largest) {
    throw argumentError(
      "ravelMultiIndex",
      "dtype",
      `large enough to hold a flat index for dims [${dims.join(", ")}] (JAX's dtype argument)`,
      outType
    )
  }
  // no dimensions: the one element of a 0-d array, index 0 (JAX's result)
  if (dims.length === 0) return lax.full([], 0, outType)
  if (mode === "raise") {
    idx.forEach((t, d) => {
      const values = concreteValues(
        np.ravel(t),
        "The error occurred because ravel_multi_index was jit-compiled with mode='raise'. " +
          "Use mode='wrap' or mode='clip' instead."
      ) as Array<number>
      const bad = values.find((i) => i < 0 || i >= dims[d]!)
      if (bad !== undefined) throw new IndexError({ index: bad, axis: d, size: dims[d]! })
    })
  }
  const shape = broadcastShapes(...idx.map((t) => t.shape))
  // C order: the last dimension varies fastest; F order: the first
  const strides = dims.map((_, d) => (order === "C" ? dims.slice(d + 1) : dims.slice(0, d)).reduce((a, b) => a * b, 1))
  let flat = lax.full(shape, 0, outType)
  dims.forEach((n, d) => {
    let i = np.astype(np.broadcastTo(idx[d]!, shape), outType === "uint32" ? "int32" : outType)
    const nn = lax.full(shape, n, "int32")
    if (mode === "clip") i = lax.max(lax.min(i, lax.full(shape, n - 1, "int32")), lax.full(shape, 0, "int32"))
    else if (mode === "wrap") i = lax.rem(lax.add(lax.rem(i, nn), nn), nn)
    flat = lax.add(flat, lax.mul(np.astype(i, outType), lax.full(shape, strides[d]!, outType)))
  })
  return flat
}
void isInexact
