/**
 * The block-scaled matrix product (JAX's `lax.scaled_dot`): `(lhs * lhsScale) @ (rhs * rhsScale)`
 * as `dot_general`, each scale repeated over blocks of its operand's contracting dimensions.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isFloating } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkDTypeName, checkOptions } from "../../Validate.js"

type Dims = ReadonlyArray<number>

/**
 * Options of `scaledDot`: the scales (default: ones, no scaling), `dimensionNumbers`
 * (`[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]`; default: the last axis of `lhs`
 * with the second to last of `rhs`, the leading axes batched) and `preferredElementType` (the
 * result dtype, a float; default float32).
 *
 * @since 0.1.0
 */
export interface ScaledDotOptions {
  readonly lhsScale?: Tensor | undefined
  readonly rhsScale?: Tensor | undefined
  readonly dimensionNumbers?: readonly [readonly [Dims, Dims], readonly [Dims, Dims]] | undefined
  readonly preferredElementType?: DType | undefined
}

const op = "scaled_dot"
const shapeError = (detail: string) => new ShapeError({ operation: op, detail })

const tensorArg = (u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

const dimsArg = (u: unknown): readonly [readonly [Dims, Dims], readonly [Dims, Dims]] => {
  const list = (d: unknown) => Array.isArray(d) && d.every(Number.isInteger)
  const pair = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every(list)
  if (!Array.isArray(u) || u.length !== 2 || !u.every(pair)) {
    throw argumentError(op, "dimensionNumbers", "[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]", u)
  }
  return u as never
}

// JAX's _validate_operand_scale: equal sizes, except the contracting ones, which the scale divides
// into blocks of at least 2.
const checkScale = (side: string, operand: Tensor, scale: Tensor, contracting: Dims): void => {
  operand.shape.forEach((size, i) => {
    const s = scale.shape[i]!
    if (contracting.includes(i)) {
      if (s === 0 || size % s !== 0) {
        throw shapeError(`${side} contracting dim ${i} of size ${size} must be divisible by its scale's dim size ${s}.`)
      }
      if (size / s < 2) {
        throw shapeError(
          `The ratio of ${side} contracting dim ${i} to its scale's dim size (${size / s}) must be at least 2.`
        )
      }
    } else if (s !== size) {
      throw shapeError(`${side} dim ${i} of size ${size} does not match scale dim size ${s}.`)
    }
  })
}

// Each scale entry repeated over its block of the contracting dimensions (JAX's _scale_broadcast).
const spread = (scale: Tensor, shape: ReadonlyArray<number>, contracting: Dims): Tensor => {
  let s = scale
  for (const i of contracting) {
    const blocks = s.shape[i]!
    const size = shape[i]!
    if (blocks === size) continue
    const wide = [...s.shape.slice(0, i + 1), size / blocks, ...s.shape.slice(i + 1)]
    const dims = s.shape.map((_, k) => (k <= i ? k : k + 1))
    s = lax.reshape(lax.broadcastInDim(s, wide, dims), [...s.shape.slice(0, i), size, ...s.shape.slice(i + 1)])
  }
  return s
}

/**
 * The block-scaled product (JAX's `lax.scaled_dot`): `(lhs * lhsScale) @ (rhs * rhsScale)` in
 * `preferredElementType`, where a scale has its operand's shape except along the contracting
 * dimensions, which it divides into blocks (subchannels) of at least 2 elements, each block
 * multiplied by one scale entry. JAX's formats are 8-bit floats with 8-bit power-of-two scales
 * (MXFP8), computed through bfloat16; diffect has neither, so the operands and scales are floats
 * of any width, and the products are exact in float32 (the result's default) where JAX rounds to
 * bfloat16 first. A composition of `mul` and `dot_general`: it differentiates and batches (JAX's
 * has no transpose rule).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // one row of 4 times one column of 4, each in two blocks of 2 with their own scale
 * const lhs = np.array([[1, 1, 1, 1]])
 * const rhs = np.array([[1], [1], [1], [1]])
 * const out = lax.scaledDot(lhs, rhs, { lhsScale: np.array([[2, 3]]), rhsScale: np.array([[1], [10]]) })
 * console.log(toJsSync(out)) // [[64]]
 *
 * @since 0.1.0
 */
export const scaledDot = (lhs: Tensor, rhs: Tensor, options?: ScaledDotOptions): Tensor => {
  checkOptions(op, options, {
    lhsScale: anyValue,
    rhsScale: anyValue,
    dimensionNumbers: anyValue,
    preferredElementType: anyValue
  })
  const l = tensorArg(lhs, "lhs")
  const r = tensorArg(rhs, "rhs")
  let dn = options?.dimensionNumbers
  if (dn === undefined) {
    if (l.ndim < 2) {
      throw shapeError(
        "0-rank and 1-rank operands are not supported without dimensionNumbers (the default contracts lhs's last axis with rhs's second to last)."
      )
    }
    const n = l.ndim
    const batch = Array.from({ length: n - 2 }, (_, i) => i)
    dn = [[[n - 1], [n - 2]], [batch, batch]]
  }
  const [[lc, rc], [lb, rb]] = dimsArg(dn)
  const ls = options?.lhsScale === undefined ? undefined : tensorArg(options.lhsScale, "lhsScale")
  const rs = options?.rhsScale === undefined ? undefined : tensorArg(options.rhsScale, "rhsScale")
  const ranks = [l.ndim, r.ndim, ...(ls === undefined ? [] : [ls.ndim]), ...(rs === undefined ? [] : [rs.ndim])]
  if (Math.max(...ranks) !== Math.min(...ranks)) {
    throw shapeError(
      `All input tensors must have the same rank. Got lhs rank: ${l.ndim} rhs rank: ${r.ndim} lhs_scale rank: ${
        ls?.ndim ?? "N/A"
      } rhs_scale rank: ${rs?.ndim ?? "N/A"}.`
    )
  }
  if (lb.length !== rb.length) {
    throw shapeError(
      `LHS and RHS must have the same number of batch dimensions, got ${lb.length} and ${rb.length}.`
    )
  }
  if (lc.length !== rc.length) {
    throw shapeError(
      `LHS and RHS must have the same number of contracting dimensions, got ${lc.length} and ${rc.length}.`
    )
  }
  lb.forEach((i, k) => {
    const sizes = [l.shape[i], r.shape[rb[k]!], ls?.shape[i], rs?.shape[rb[k]!]].filter((v) => v !== undefined)
    if (Math.max(...(sizes as Array<number>)) !== Math.min(...(sizes as Array<number>))) {
      throw shapeError(`All input tensors must have the same batch dimension size for batch dims (${i}, ${rb[k]}).`)
    }
  })
  lc.forEach((i, k) => {
    if (l.shape[i] !== r.shape[rc[k]!]) {
      throw shapeError(
        `LHS contracting dim ${i} of size ${l.shape[i]} does not match RHS contracting dim ${rc[k]} of size ${
          r.shape[rc[k]!]
        }.`
      )
    }
  })
  if (ls !== undefined) checkScale("LHS", l, ls, lc)
  if (rs !== undefined) checkScale("RHS", r, rs, rc)
  const dtype = checkDTypeName(op, options?.preferredElementType ?? "float32")
  if (!isFloating(dtype)) {
    throw new DTypeError({ operation: op, detail: `preferredElementType must be a float dtype, got ${dtype}.` })
  }
  const scaled = (x: Tensor, s: Tensor | undefined, contracting: Dims) => {
    const v = lax.convertElementType(x, dtype)
    return s === undefined ? v : lax.mul(v, lax.convertElementType(spread(s, x.shape, contracting), dtype))
  }
  return lax.dotGeneral(scaled(l, ls, lc), scaled(r, rs, rc), [lc, rc], [lb, rb])
}
