/**
 * `interpolate`: JAX's `jax.scipy.interpolate`, `RegularGridInterpolator`:
 * linear or nearest interpolation on a rectangular grid. JAX's is a class (a
 * pytree); here it is a factory returning the interpolating function, which
 * carries `grid`, `values`, `method` and `fillValue`. The cell search is
 * `np.searchsorted` and the weights arithmetic, so the result differentiates
 * in the values and in the query points, batches and compiles.
 *
 * @example
 * import { interpolate, np, toJsSync } from "diffect"
 * const f = interpolate.RegularGridInterpolator(
 *   [np.array([1, 2, 3]), np.array([4, 5, 6])],
 *   np.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]])
 * )
 * console.log(toJsSync(f(np.array([[1.5, 4.5], [2.2, 5.8]])))) // [30, 64]
 *
 * @since 0.1.0
 */
import { ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { toTensor } from "./internal/npHelpers.js"
import { promoteInexact } from "./internal/signal/common.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import { formatShape } from "./Shape.js"
import { ConcreteTensor, Tensor } from "./Tensor.js"
import { toJsSync } from "./ToJs.js"
import { anyValue, argumentError, checkOptions, number } from "./Validate.js"

/** The interpolation method. @since 0.1.0 */
export type InterpolationMethod = "linear" | "nearest"

/** Options of `RegularGridInterpolator`: the method (`"linear"`), `boundsError` (only false, as JAX), the value outside the grid (NaN; `null` extrapolates). @since 0.1.0 */
export interface RegularGridInterpolatorOptions {
  readonly method?: InterpolationMethod | undefined
  readonly boundsError?: false | undefined
  readonly fillValue?: number | null | undefined
}

/** The interpolating function of `RegularGridInterpolator`, with what it was built from. @since 0.1.0 */
export interface RegularGridInterpolatorFn {
  /**
   * The interpolated values at `xi`: an array of points `[..., ndim]`, or one
   * array of coordinates per grid axis (an array of tensors, broadcast together).
   */
  (xi: TensorLike | ReadonlyArray<Tensor>, method?: InterpolationMethod): Tensor
  readonly grid: ReadonlyArray<Tensor>
  readonly values: Tensor
  readonly method: InterpolationMethod
  readonly fillValue: number | null
}

// An int32 scalar (a JS number would be a weak float and turn the indices into floats).
const i32 = (v: number): Tensor => lax.full([], v, "int32")

const checkMethod = (op: string, m: unknown): InterpolationMethod => {
  if (m !== "linear" && m !== "nearest") throw argumentError(op, "method", "\"linear\" or \"nearest\"", m)
  return m
}

// SciPy's `_ndim_coords_from_arrays`: separate coordinate arrays stacked last, or a points array.
const pointsOf = (op: string, xi: TensorLike | ReadonlyArray<Tensor>, ndim: number): Tensor => {
  // a one-element list is its element (SciPy's and JAX's `_ndim_coords_from_arrays`), so a 1-D
  // coordinate array in it becomes points of the grid's dimension below
  const one = Array.isArray(xi) && xi.length === 1 && xi[0] instanceof Tensor
  if (!one && Array.isArray(xi) && xi.length > 0 && xi.every((c) => c instanceof Tensor)) {
    return np.stack(promoteInexact(op, ...np.broadcastArrays(...(xi as ReadonlyArray<Tensor>))), { axis: -1 })
  }
  const p = one ? (xi as ReadonlyArray<Tensor>)[0]! : toTensor(xi as TensorLike)
  if (p.ndim !== 1) return p
  if (p.size % ndim !== 0) {
    throw new ShapeError({ operation: op, detail: `${p.size} coordinates cannot be points of dimension ${ndim}` })
  }
  return lax.reshape(p, [p.size / ndim, ndim])
}

/**
 * Builds the interpolant of `values` given on the rectangular grid `points`
 * (one increasing 1-d array per leading axis of `values`; trailing axes of
 * `values` are carried along) (`jax.scipy.interpolate.RegularGridInterpolator`).
 * Points outside the grid get `fillValue` (NaN), or are extrapolated from the
 * edge cells when it is `null`.
 *
 * @example
 * import { interpolate, np, toJsSync } from "diffect"
 * const f = interpolate.RegularGridInterpolator([np.array([0, 1, 2])], np.array([0, 10, 40]), { fillValue: -1 })
 * console.log(toJsSync(f(np.array([0.5, 1.75, 3])))) // [5, 32.5, -1]
 * console.log(toJsSync(f(np.array([0.4, 1.6]), "nearest"))) // [0, 40]
 *
 * @since 0.1.0
 */
export const RegularGridInterpolator = (
  points: ReadonlyArray<TensorLike>,
  values: TensorLike,
  options?: RegularGridInterpolatorOptions
): RegularGridInterpolatorFn => {
  const op = "RegularGridInterpolator"
  checkOptions(op, options, { method: anyValue, boundsError: anyValue, fillValue: anyValue })
  const method0 = checkMethod(op, options?.method ?? "linear")
  if (options?.boundsError !== undefined && options.boundsError !== false) {
    throw argumentError(op, "boundsError", "false (JAX cannot raise under jit)", options.boundsError)
  }
  const fillValue = options?.fillValue === undefined ? NaN : options.fillValue
  if (fillValue !== null && !number.test(fillValue)) throw argumentError(op, "fillValue", "a number or null", fillValue)
  if (!Array.isArray(points)) throw argumentError(op, "points", "an array of 1-d grid arrays", points)
  const [vals] = promoteInexact(op, values) as [Tensor]
  if (points.length > vals.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `there are ${points.length} point arrays, but values has ${vals.ndim} dimensions`
    })
  }
  if (points.length === 0) throw new ShapeError({ operation: op, detail: "points must have at least one grid axis" })
  const grid = points.map((p) => toTensor(p))
  grid.forEach((g, a) => {
    if (g.ndim !== 1 || g.shape[0] !== vals.shape[a] || g.shape[0]! < 2) {
      throw new ShapeError({
        operation: op,
        detail: `points[${a}] must be 1-d with at least 2 points, as many as values has along axis ${a} (${
          vals.shape[a]
        }), got ${formatShape(g.shape)}`
      })
    }
    // a grid known now must be strictly ascending (SciPy's check; JAX's interpolant, which checks
    // nothing, would search a descending grid and return wrong numbers); a traced one is trusted
    if (g instanceof ConcreteTensor && !g.released) {
      const v = toJsSync(g) as Array<number>
      for (let i = 1; i < v.length; i++) {
        if (!(v[i]! > v[i - 1]!)) {
          throw new ShapeError({
            operation: op,
            detail: `the points in dimension ${a} must be strictly ascending, got ${v[i - 1]} then ${v[i]}`
          })
        }
      }
    }
  })
  const n = grid.length
  const trailing = vals.shape.slice(n)
  const cells = vals.shape.slice(0, n).reduce((a, b) => a * b, 1)
  const flat = lax.reshape(vals, [cells, ...trailing])
  const strides = grid.map((_, a) => vals.shape.slice(a + 1, n).reduce((p, d) => p * d, 1))
  // values[i0, i1, ...] for index arrays of one shape [m]
  const at = (idx: ReadonlyArray<Tensor>): Tensor => {
    const offset = idx.map((i, a) => np.multiply(i, i32(strides[a]!))).reduce((p, q) => np.add(p, q))
    return np.take(flat, offset, { axis: 0 })
  }
  const column = (w: Tensor): Tensor => lax.reshape(w, [w.shape[0]!, ...trailing.map(() => 1)])
  const interpolant = (xi: TensorLike | ReadonlyArray<Tensor>, method?: InterpolationMethod): Tensor => {
    const how = checkMethod(op, method ?? method0)
    const p = pointsOf(op, xi, n)
    if (p.ndim === 0 || p.shape[p.ndim - 1] !== n) {
      throw new ShapeError({
        operation: op,
        detail: `the requested sample points xi have dimension ${
          p.shape[p.ndim - 1] ?? 0
        }, but this RegularGridInterpolator has dimension ${n}`
      })
    }
    const outer = p.shape.slice(0, -1)
    const m = outer.reduce((a, b) => a * b, 1)
    const rows = lax.reshape(p, [m, n])
    const indices: Array<Tensor> = []
    const dists: Array<Tensor> = []
    let outside = lax.full([m], 0, "bool")
    grid.forEach((g, a) => {
      const x = lax.reshape(sliceColumn(rows, a), [m])
      const size = g.shape[0]!
      const i = np.minimum(np.maximum(np.subtract(np.searchsorted(g, x), i32(1)), i32(0)), i32(size - 2))
      const lo = np.take(g, i)
      const hi = np.take(g, np.add(i, i32(1)))
      indices.push(i)
      dists.push(np.divide(np.subtract(x, lo), np.subtract(hi, lo)))
      outside = lax.or(outside, lax.or(np.less(x, np.index(g, 0)), np.greater(x, np.index(g, size - 1))))
    })
    let result: Tensor
    if (how === "nearest") {
      result = at(indices.map((i, a) => np.where(np.lessEqual(dists[a]!, 0.5), i, np.add(i, i32(1)))))
    } else {
      const corners = indices.reduce<Array<Array<boolean>>>(
        (acc) => acc.flatMap((c) => [[...c, false], [...c, true]]),
        [[]]
      )
      result = corners
        .map((upper) => {
          const weight = upper
            .map((u, a) => (u ? dists[a]! : np.subtract(1, dists[a]!)))
            .reduce((x, y) => np.multiply(x, y))
          return np.multiply(at(upper.map((u, a) => (u ? np.add(indices[a]!, i32(1)) : indices[a]!))), column(weight))
        })
        .reduce((x, y) => np.add(x, y))
    }
    if (fillValue !== null) {
      result = np.where(column(outside), np.astype(fillValue, result.dtype), result)
    }
    return lax.reshape(result, [...outer, ...trailing])
  }
  return Object.assign(interpolant, { grid, values: vals, method: method0, fillValue })
}

const sliceColumn = (rows: Tensor, a: number): Tensor => lax.slice(rows, [0, a], [rows.shape[0]!, a + 1])
