/**
 * Argument checks shared by np's topic modules: counts that size an output
 * (bounded like every shape), lists of arrays, lists of integers. Each failure
 * is a tagged error naming the operation and the argument.
 *
 * @since 0.1.0
 */
import { argumentError, checkArg, checkSize, integer, integers } from "../../Validate.js"

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
 * A non-empty array (of arrays, checked one by one where they are used).
 *
 * @since 0.1.0
 */
export const list = <A>(op: string, name: string, u: unknown, allowEmpty = false): ReadonlyArray<A> => {
  if (!Array.isArray(u) || (!allowEmpty && u.length === 0)) {
    throw argumentError(op, name, allowEmpty ? "an array" : "a non-empty array", u)
  }
  return u as ReadonlyArray<A>
}
