/**
 * Shared helpers of the JAX-parity suite: run a transformation on the CPU backend,
 * read values back, compare with JAX's documented results (@diffect/test-utils).
 */
import { toJsSync } from "@diffect/core"
import type { Backend } from "@diffect/core"
import { assertError, Backends, Close } from "@diffect/test-utils"
import type { Effect } from "effect"

export { thrown } from "@diffect/test-utils"

/** Runs a transformation's Effect on the CPU backend; failures are thrown. */
export const run = Backends.run

/** The typed failure of an Effect run on the CPU backend. */
export const failure = Backends.failure

export const provideCpu = Backends.provideCpu

/** Runs and reads every tensor of the result as nested JS arrays. */
export const value = <A, E>(effect: Effect.Effect<A, E, Backend>): unknown => toJsSync(run(effect))

/**
 * The assertions of the suite (named `expect` for the linter's expect-expect rule):
 * `expect.close(actual, expected, tol = 1e-5)` on nested numbers, `tol` relative and
 * absolute; `expect.error(e, Class, messageOrPattern)`.
 */
export const expect = {
  close: (actual: unknown, expected: unknown, tol = 1e-5): void => Close.assertClose(actual, expected, tol),
  error: assertError
}
