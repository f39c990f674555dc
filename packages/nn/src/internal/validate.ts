/**
 * Checks of array arguments for nn's wrappers: an array whose elements must
 * pass a test, with the first bad element described in the message (`String`
 * of a nested array hid its nesting, `[2, [[[1]]]]` read `2,1`, and recursed
 * until the stack overflowed on a deep one).
 *
 * @since 0.1.0
 */
import { ArgumentError } from "@diffect/core"
import { argumentError, describeValue } from "@diffect/core/Validate"

/**
 * `u` as an array whose every element passes `test`, else an `ArgumentError`
 * naming `argument` and the first bad element (`describe`d, by default with
 * `describeValue`). Holes read as the `undefined`
 * they are (an indexed loop: `every` skips them).
 *
 * @since 0.1.0
 */
export const checkElements = <A>(
  operation: string,
  argument: string,
  u: unknown,
  expected: string,
  test: (element: unknown) => boolean,
  describe: (element: unknown) => string = describeValue
): ReadonlyArray<A> => {
  if (!Array.isArray(u)) throw argumentError(operation, argument, expected, u)
  for (let i = 0; i < u.length; i++) {
    if (!test(u[i])) {
      throw new ArgumentError({
        operation,
        argument,
        expected,
        got: `an array whose element ${i} is ${describe(u[i])}`
      })
    }
  }
  return u as ReadonlyArray<A>
}
