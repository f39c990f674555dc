/**
 * Ragged matrix products (JAX's `lax.ragged_dot` and `lax.ragged_dot_general`),
 * built as JAX's own reference implementation (`_ragged_dot_general_impl`):
 * the ragged operand is expanded to a leading group axis by a mask from the
 * cumulative group sizes, then one `dot_general` contracts (or keeps) that
 * axis. Being a composition of select and dot_general, it differentiates in
 * lhs and rhs (JAX's jvp and transpose rules are these same products; none for
 * the integer group sizes) and batches under vmap in any argument.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isInteger } from "../../DType.js"
import { ArgumentError, DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import type { Precision } from "../../Primitive.js"
import { formatShape } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkDTypeName, checkOptions } from "../../Validate.js"
import type { Check } from "../../Validate.js"
import { checkPreferred } from "./preferred.js"

type Dims = ReadonlyArray<number>

/**
 * JAX's `RaggedDotDimensionNumbers`: `dot_general`'s dimension numbers
 * `[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]`, the one lhs
 * ragged dimension, and the rhs group dimension (exactly one when the ragged
 * dimension is a non-contracting one, none otherwise).
 *
 * @since 0.1.0
 */
export interface RaggedDotDimensionNumbers {
  readonly dotDimensionNumbers: readonly [readonly [Dims, Dims], readonly [Dims, Dims]]
  readonly lhsRaggedDimensions: Dims
  readonly rhsGroupDimensions: Dims
}

/**
 * Options of `raggedDot` and `raggedDotGeneral`: `dot_general`'s `precision`;
 * `preferredElementType`, the result dtype (operands are converted to it before
 * the product, so it accumulates in it; JAX's compatibility rules); and JAX's
 * `groupOffset`, which every JAX implementation rejects as unimplemented, as
 * diffect does.
 *
 * @since 0.1.0
 */
export interface RaggedDotOptions {
  readonly precision?: Precision | undefined
  readonly preferredElementType?: DType | undefined
  readonly groupOffset?: Tensor | undefined
}

const optionSpec = { precision: anyValue, preferredElementType: anyValue, groupOffset: anyValue }

const dimList: Check = {
  expected: "an array of integers",
  test: (u) => Array.isArray(u) && u.every(Number.isInteger)
}

const tensorArg = (u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError("ragged_dot_general", name, "a Tensor", u)
}

const dimensionNumbers = (u: unknown): RaggedDotDimensionNumbers => {
  const expected = "{ dotDimensionNumbers: [[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]], " +
    "lhsRaggedDimensions, rhsGroupDimensions } with arrays of integers"
  const bad = () => argumentError("ragged_dot_general", "raggedDotDimensionNumbers", expected, u)
  if (typeof u !== "object" || u === null) throw bad()
  const { dotDimensionNumbers: dn, lhsRaggedDimensions: lr, rhsGroupDimensions: rg } = u as Record<string, unknown>
  const pair = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((d) => dimList.test(d))
  if (!Array.isArray(dn) || dn.length !== 2 || !dn.every(pair) || !dimList.test(lr) || !dimList.test(rg)) throw bad()
  return u as RaggedDotDimensionNumbers
}

const remaining = (n: number, ...used: ReadonlyArray<Dims>): Array<number> =>
  Array.from({ length: n }, (_, i) => i).filter((i) => !used.some((u) => u.includes(i)))

type Mode = "noncontracting" | "contracting" | "batch"

// JAX's _ragged_dot_prefix_dims: the lhs dimensions that index group_sizes before its group axis.
const prefixDims = (mode: Mode, rank: number, ragged: number, batch: Dims, contract: Dims): Array<number> => {
  const noncontract = remaining(rank, contract, batch)
  if (mode === "noncontracting") return [...batch, ...noncontract.slice(0, noncontract.indexOf(ragged))]
  if (mode === "contracting") return [...batch, ...contract.slice(0, contract.indexOf(ragged))]
  return batch.slice(0, batch.indexOf(ragged))
}

// `x` broadcast to [g, ...x.shape] and zeroed outside group i's rows of dimension `dim`;
// `gs` is [...x.shape at axes, g] (its prefix axes index x at `axes`, in order).
const expand = (x: Tensor, dim: number, gs: Tensor, axes: Dims): Tensor => {
  const g = gs.shape[gs.ndim - 1]!
  const shape = [g, ...x.shape]
  const ends = lax.cumsum(gs, gs.ndim - 1)
  const starts = lax.sub(ends, gs)
  // broadcastInDim needs increasing target dimensions: order gs's prefix axes as x's
  const order = axes.map((_, i) => i).sort((a, b) => axes[a]! - axes[b]!)
  const spread = (t: Tensor) =>
    lax.broadcastInDim(lax.transpose(t, [axes.length, ...order]), shape, [0, ...order.map((i) => axes[i]! + 1)])
  const position = lax.iota(gs.dtype, shape, dim + 1)
  const mask = lax.and(lax.le(spread(starts), position), lax.lt(position, spread(ends)))
  const wide = lax.broadcastInDim(x, shape, x.shape.map((_, i) => i + 1))
  return lax.select(mask, wide, lax.zerosLike(wide))
}

const shapeError = (detail: string) => new ShapeError({ operation: "ragged_dot_general", detail })

/**
 * Ragged matrix product with general dimension numbers (JAX's
 * `lax.ragged_dot_general`). The lhs has one ragged dimension, cut into `g`
 * consecutive groups by `groupSizes` (an integer tensor `[g]`, or `[b..., x...,
 * g]` with the lhs dimensions that come before the ragged one); three modes, by
 * the kind of that dimension:
 *
 * 1. non-contracting (`[b,m,k] x [g,b,k,n] -> [b,m,n]`): rows of group i multiply
 *    rhs's group i (`rhsGroupDimensions` names that rhs dimension);
 * 2. contracting (`[b,m,k] x [b,k,n] -> [g,b,m,n]`): group i's slice of k
 *    gives output i;
 * 3. batch: an ordinary `dot_general` (the group sizes only have their shapes checked).
 *
 * Positions past the sum of the sizes belong to no group (zero rows in mode 1),
 * as in JAX, which does not check the sum either.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const lhs = np.array([[1, 2], [3, 4], [5, 6]])
 * const rhs = np.array([[[1, 0], [0, 1]], [[2, 0], [0, 2]]])
 * const dims = { dotDimensionNumbers: [[[1], [1]], [[], []]], lhsRaggedDimensions: [0], rhsGroupDimensions: [0] } as const
 * const y = lax.raggedDotGeneral(lhs, rhs, np.array([1, 2], { dtype: "int32" }), dims)
 * console.log(toJsSync(y)) // [[1, 2], [6, 8], [10, 12]]
 *
 * @since 0.1.0
 */
export const raggedDotGeneral = (
  lhs: Tensor,
  rhs: Tensor,
  groupSizes: Tensor,
  raggedDotDimensionNumbers: RaggedDotDimensionNumbers,
  options?: RaggedDotOptions
): Tensor => {
  let l = tensorArg(lhs, "lhs")
  let r = tensorArg(rhs, "rhs")
  let gs = tensorArg(groupSizes, "groupSizes")
  const dn = dimensionNumbers(raggedDotDimensionNumbers)
  checkOptions("ragged_dot_general", options, optionSpec)
  if (options?.groupOffset !== undefined) {
    throw new ArgumentError({
      operation: "ragged_dot_general",
      argument: "groupOffset",
      expected: "undefined (JAX raises NotImplementedError: 'Unimplemented group_offset support.')",
      got: "a value"
    })
  }
  if (!isInteger(gs.dtype)) {
    throw new DTypeError({
      operation: "ragged_dot_general",
      detail: `requires that group_sizes.dtype is an integer type, got ${gs.dtype}`
    })
  }
  if (l.dtype !== r.dtype) {
    throw new DTypeError({
      operation: "ragged_dot_general",
      detail: `lhs and rhs must share a dtype (lax does not promote), got ${l.dtype} and ${r.dtype}`
    })
  }
  const [[lc, rc], [lb, rb]] = dn.dotDimensionNumbers
  if (dn.lhsRaggedDimensions.length !== 1) throw shapeError("expects exactly one lhs ragged dimension")
  const ragged = dn.lhsRaggedDimensions[0]!
  const inRange = (d: number, rank: number, what: string, arg: string) => {
    if (d < 0 || d >= rank) {
      throw shapeError(
        `requires ${what} numbers to be nonnegative and less than the number of axes of the ${arg} value, ` +
          `got ${d} for ${arg} of rank ${rank}`
      )
    }
  }
  inRange(ragged, l.ndim, "lhs ragged dimension", "lhs")
  for (const d of [...lc, ...lb]) inRange(d, l.ndim, "lhs dimension", "lhs")
  for (const d of [...rc, ...rb, ...dn.rhsGroupDimensions]) inRange(d, r.ndim, "rhs dimension", "rhs")
  const mode: Mode = lc.includes(ragged) ? "contracting" : lb.includes(ragged) ? "batch" : "noncontracting"
  if (gs.ndim === 0) throw shapeError("expected rank of group_sizes to be >= 1")
  const lPrefix = prefixDims(mode, l.ndim, ragged, lb, lc)
  const g = gs.shape[gs.ndim - 1]!
  const expected = [...lPrefix.map((i) => l.shape[i]!), g]
  if (gs.ndim !== 1 && formatShape(gs.shape) !== formatShape(expected)) {
    throw shapeError(`expected group_sizes to have shape ${formatShape(expected)}, got ${formatShape(gs.shape)}`)
  }
  const rg = dn.rhsGroupDimensions
  if (mode !== "noncontracting" && rg.length !== 0) {
    throw shapeError("requires zero group dimensions in the rhs when lhs ragged dimension is contracting or batch")
  }
  if (mode === "noncontracting") {
    if (rg.length !== 1) {
      throw shapeError("requires exactly one rhs group dimension when lhs ragged dimension is noncontracting")
    }
    if (rb.includes(rg[0]!) || rc.includes(rg[0]!)) {
      throw shapeError("requires rhs group dimension numbers to be distinct from contracting and batch dimensions")
    }
    if (r.shape[rg[0]!] !== g) {
      throw shapeError(`expected rhs group dimension size to be ${g}, got ${r.shape[rg[0]!]}`)
    }
  }
  const preferred = options?.preferredElementType
  if (preferred !== undefined) {
    const p = checkDTypeName("ragged_dot_general", preferred)
    checkPreferred("ragged_dot_general", l.dtype, p)
    if (p !== l.dtype) {
      l = lax.convertElementType(l, p)
      r = lax.convertElementType(r, p)
    }
  }
  const dotOptions = { precision: options?.precision }
  if (mode === "batch") return lax.dotGeneral(l, r, [lc, rc], [lb, rb], dotOptions)
  if (gs.ndim === 1) gs = lax.broadcastInDim(gs, expected, [expected.length - 1])
  const up = (ds: Dims) => ds.map((d) => d + 1)
  if (mode === "noncontracting") {
    return lax.dotGeneral(
      expand(l, ragged, gs, lPrefix),
      r,
      [[...up(lc), 0], [...rc, rg[0]!]],
      [up(lb), rb],
      dotOptions
    )
  }
  const rRagged = rc[lc.indexOf(ragged)]!
  const rPrefix = prefixDims(mode, r.ndim, rRagged, rb, rc)
  return lax.dotGeneral(
    expand(l, ragged, gs, lPrefix),
    expand(r, rRagged, gs, rPrefix),
    [up(lc), up(rc)],
    [[0, ...up(lb)], [0, ...up(rb)]],
    dotOptions
  )
}

const basic: RaggedDotDimensionNumbers = {
  dotDimensionNumbers: [[[1], [1]], [[], []]],
  lhsRaggedDimensions: [0],
  rhsGroupDimensions: [0]
}

/**
 * Ragged matrix product (JAX's `lax.ragged_dot`): `lhs` `[m, k]`, `rhs` `[g, k,
 * n]`, `groupSizes` an integer `[g]`; the rows of group i (the `groupSizes[i]`
 * rows after those of the groups before it) multiply `rhs[i]`. Rows past the
 * sum of the sizes are zero, as in JAX.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const lhs = np.array([[1, 2], [3, 4], [5, 6]])
 * const rhs = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])
 * // row 0 is group 0 (identity), rows 1 and 2 group 1 (swap)
 * console.log(toJsSync(lax.raggedDot(lhs, rhs, np.array([1, 2], { dtype: "int32" })))) // [[1, 2], [4, 3], [6, 5]]
 *
 * @since 0.1.0
 */
export const raggedDot = (lhs: Tensor, rhs: Tensor, groupSizes: Tensor, options?: RaggedDotOptions): Tensor => {
  const l = tensorArg(lhs, "lhs")
  const r = tensorArg(rhs, "rhs")
  const gs = tensorArg(groupSizes, "groupSizes")
  if (l.ndim !== 2 || r.ndim !== 3 || gs.ndim !== 1 || l.shape[1] !== r.shape[1] || r.shape[0] !== gs.shape[0]) {
    throw new ShapeError({
      operation: "ragged_dot",
      detail: `expects lhs [m, k], rhs [g, k, n] and group_sizes [g], got ${formatShape(l.shape)}, ` +
        `${formatShape(r.shape)} and ${formatShape(gs.shape)}`
    })
  }
  return raggedDotGeneral(l, r, gs, basic, options)
}
