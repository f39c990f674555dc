/**
 * `debugNans` and `debugInfs` (JAX's jax_debug_nans, jax_debug_infs): the first
 * NaN or infinity an operation produces is a FloatingPointError naming it,
 * eagerly, in the passes of grad, and in jitted functions (by the op-by-op
 * rerun); nothing is checked outside them.
 */
import { grad, jit } from "@diffect/ad"
import { debugInfs, debugNans, eager, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { js, provideCpu } from "./gradHelpers.js"

const failureOf = <A>(program: Effect.Effect<A, unknown, never>): { readonly _tag: string; readonly message: string } =>
  Effect.runSync(Effect.flip(program)) as { readonly _tag: string; readonly message: string }

describe("debugNans and debugInfs", () => {
  it("eagerly: the operation that made the NaN (log of a negative), not the ones after it", () => {
    // (eager: an eager operation's tagged error as a failure, not a defect)
    const program = eager(() => np.sum(np.multiply(np.log(np.subtract(np.array([1, 2]), 2)), 3)))
    const e = failureOf(provideCpu(debugNans(program)))
    assert.strictEqual(e._tag, "FloatingPointError")
    assert.strictEqual(e.message, "invalid value (nan) encountered in log")
    // without the check, the NaN flows on (NumPy's and JAX's default)
    assert.isNaN(js(Effect.runSync(provideCpu(program))) as number)
    // infinities are not NaNs: log(0) passes debugNans, fails debugInfs
    const zero = eager(() => np.log(np.array([0, 1])))
    assert.deepStrictEqual(js(Effect.runSync(provideCpu(debugNans(zero)))), [-Infinity, 0])
    assert.strictEqual(failureOf(provideCpu(debugInfs(zero))).message, "invalid value (inf) encountered in log")
    assert.strictEqual(
      failureOf(provideCpu(debugNans(debugInfs(eager(() => np.divide(np.array(1), np.array(0))))))).message,
      "invalid value (inf) encountered in div"
    )
  })

  it("in grad's backward pass: sqrt at 0 has an infinite derivative, 0 * inf a NaN", () => {
    // d/dx sqrt(x) = 0.5 / sqrt(x): inf at 0 (JAX gives inf too; debug_infs names the operation)
    const g = grad((x: Tensor) => np.sqrt(x))(np.array(0))
    assert.strictEqual(js(Effect.runSync(provideCpu(g))), Infinity)
    assert.strictEqual(failureOf(provideCpu(debugInfs(g))).message, "invalid value (inf) encountered in div")
  })

  it("a jitted function: its results checked, the op-by-op rerun names the operation", () => {
    const f = jit((x: Tensor) => np.multiply(np.arccos(x), 2))
    const ok = Effect.runSync(provideCpu(debugNans(f(np.array([0.5, 1])))))
    assert.deepStrictEqual(js(ok), [Math.fround(2 * Math.fround(Math.acos(0.5))), 0])
    const e = failureOf(provideCpu(debugNans(f(np.array([0.5, 2])))))
    assert.strictEqual(e.message, "invalid value (nan) encountered in acos")
    // a NaN input through an add: the add is named
    const identity = jit(function passThrough(x: Tensor) {
      return np.add(x, 0)
    })
    const literal = failureOf(provideCpu(debugNans(identity(np.array([NaN, 1])))))
    assert.strictEqual(literal._tag, "FloatingPointError")
    assert.include(literal.message, "invalid value (nan) encountered in add")
    // returned as it came: no operation makes it, so the rerun finds none and the jitted function is named
    const same = jit(function returnsIt(x: Tensor) {
      return x
    })
    const named = failureOf(provideCpu(debugNans(same(np.array([NaN, 1])))))
    assert.include(named.message, "invalid value (nan) encountered in jit(returnsIt). Because debugNans")
  })
})
