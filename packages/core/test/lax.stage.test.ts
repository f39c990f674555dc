// lax.stage (JAX's lax.stage): the identity that lifts a value into the active trace.
import { assert, describe, it } from "@effect/vitest"
import { jit, lax, makeProgram, np, runSync, toJsSync } from "diffect"

describe("lax.stage", () => {
  it("outside staging: a tensor of the value (JS values as np.asarray makes them)", () => {
    const t = lax.stage([1.5, 2])
    assert.strictEqual(t.dtype, "float32")
    assert.deepStrictEqual(toJsSync(t), [1.5, 2])
    const x = np.array([1, 2, 3], { dtype: "int32" })
    assert.deepStrictEqual(toJsSync(lax.stage(x)), [1, 2, 3])
  })

  it("under staging: a value of the program, so what is computed from it is staged too", () => {
    const program = runSync(makeProgram(() => np.sin(lax.stage(np.array([1, 2]))))())
    // the lifted value is the program's constant input, and sin an equation on it
    assert.strictEqual(program.inputs.length, 0)
    assert.strictEqual(program.consts.length, 1)
    assert.strictEqual(program.equations.length, 1)
    assert.strictEqual(program.equations[0]!.inputs[0], program.constVars[0])
    assert.deepStrictEqual(
      toJsSync(runSync(jit((v: ReturnType<typeof np.array>) => np.add(v, lax.stage(10)))(np.array([1, 2])))),
      [11, 12]
    )
  })
})
