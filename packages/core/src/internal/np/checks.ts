/**
 * Argument checks shared by np's topic modules: counts that size an output
 * (bounded like every shape), lists of arrays, lists of integers. Each failure
 * is a tagged error naming the operation and the argument.
 *
 * @since 0.1.0
 */
import { isComplex, isInteger } from "../../DType.js"
import { ArgumentError, BackendError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { ConcreteTensor, summary } from "../../Tensor.js"
import type { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import { argumentError, checkArg, checkSize, integer, integers } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { toTensor } from "../npHelpers.js"

/**
 * A non-negative integer that sizes an output (at most an array's element limit): `n` elements,
 * `factor` times over, the output of `shape` (by default `[n]`) when it is given.
 *
 * @since 0.1.0
 */
export const count = (
  op: string,
  name: string,
  u: unknown,
  factor = 1,
  shape?: (n: number) => ReadonlyArray<number>
): number => {
  const n = checkArg<number>(op, name, u, integer)
  if (n < 0) throw argumentError(op, name, "a non-negative integer", u)
  checkSize(op, shape?.(n) ?? [n], n * factor)
  return n
}

/**
 * An integer argument (any sign).
 *
 * @since 0.1.0
 */
export const int = (op: string, name: string, u: unknown): number => checkArg<number>(op, name, u, integer)

/**
 * A list of integers.
 *
 * @since 0.1.0
 */
export const intList = (op: string, name: string, u: unknown): ReadonlyArray<number> =>
  checkArg<ReadonlyArray<number>>(op, name, u, integers)

/**
 * A non-empty array (of arrays, checked one by one where they are used), holes
 * made `undefined`.
 *
 * @since 0.1.0
 */
export const list = <A>(op: string, name: string, u: unknown, allowEmpty = false): ReadonlyArray<A> => {
  if (!Array.isArray(u) || (!allowEmpty && u.length === 0)) {
    throw argumentError(op, name, allowEmpty ? "an array" : "a non-empty array", u)
  }
  // a dense copy: a hole reads as `undefined`, and fails where it is used as an explicit one does
  return Array.from(u as ReadonlyArray<A>)
}

/**
 * Integer indices as an int32 tensor, where JAX requires an integer array (`jnp.choose`'s
 * "`a` array must be integer typed", `ravel_multi_index`, `repeat`'s counts): a float or NaN
 * index is an `ArgumentError`, not truncated. diffect's array literals are float32 (JS has one
 * number type), so a float array of whole numbers passes, as a JS integer does; a traced one
 * (whose values cannot be read) or one on a backend that reads only asynchronously is converted
 * unchecked, as before.
 *
 * @since 0.1.0
 */
export const integerIndices = (op: string, name: string, u: TensorLike, expected = "integer indices"): Tensor => {
  const t = toTensor(u)
  if (isInteger(t.dtype) || t.dtype === "bool") return lax.convertElementType(t, "int32")
  if (isComplex(t.dtype)) throw argumentError(op, name, expected, t)
  if (t instanceof ConcreteTensor) {
    let values: ReadonlyArray<number> | undefined
    try {
      values = toJsSync(lax.reshape(t, [t.size])) as ReadonlyArray<number>
    } catch (e) {
      if (!(e instanceof BackendError)) throw e
    }
    const bad = values?.find((v) => !Number.isInteger(v))
    if (bad !== undefined) {
      throw new ArgumentError({
        operation: op,
        argument: name,
        expected,
        got: `${bad} in ${summary(t)}`
      })
    }
  }
  return lax.convertElementType(t, "int32")
}
