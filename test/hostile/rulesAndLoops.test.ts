/**
 * Hostile inputs to custom rules, loops, random keys, losses and initializers
 * (a probe's findings): each is a tagged error with JAX's words, or JAX's value.
 */
import { assert, describe, it } from "@effect/vitest"
import { customJvp, customVjp, grad, jit, jvp, lax, losses, nn, np, random, runSync, toJsSync, vjp } from "diffect"
import type { Tensor } from "diffect"
import { caught } from "./hostile.js"

const assertError = (f: () => unknown, tag: string, phrase: RegExp | string): void => {
  const e = caught(f)
  assert.strictEqual(e._tag, tag, e.message)
  if (typeof phrase === "string") assert.include(e.message, phrase)
  else assert.match(e.message, phrase)
}

describe("lax.foriLoop bounds", () => {
  const body = (_i: Tensor, x: Tensor) => np.add(x, 1)
  it("a JS bound outside int32 is an error before the loop runs (JAX: OverflowError)", () => {
    assertError(
      () => lax.foriLoop(2 ** 32, 2 ** 32 + 3, body, np.array(0)),
      "DTypeError",
      "4294967296 too large to convert to int32"
    )
    assertError(
      () => lax.foriLoop(0, 2 ** 31 + 3, body, np.array(0)),
      "DTypeError",
      "upper 2147483651 too large to convert to int32"
    )
    assertError(() => lax.foriLoop(-(2 ** 31) - 1, 0, body, np.array(0)), "DTypeError", "too large to convert to int32")
    // one traced bound: the other, a JS number, is checked too
    assertError(
      () => lax.foriLoop(np.array(0, { dtype: "int32" }), 2 ** 32, body, np.array(0)),
      "DTypeError",
      "upper 4294967296 too large to convert to int32"
    )
    // a bound that is neither (the fuzz: foriLoop() read the dtype of undefined)
    assertError(() => (lax.foriLoop as Function)(), "ArgumentError", "lower must be an integer")
    assertError(() => lax.foriLoop(0, "3" as never, body, np.array(0)), "ArgumentError", "upper must be an integer")
  })
  it("bounds at the ends of the int32 range are accepted", () => {
    assert.strictEqual(toJsSync(lax.foriLoop(2 ** 31 - 3, 2 ** 31 - 1, body, np.array(0))), 2)
    assert.strictEqual(toJsSync(lax.foriLoop(-(2 ** 31), -(2 ** 31) + 2, body, np.array(0))), 2)
  })
})

describe("lax.whileLoop carry types", () => {
  it("a weakly typed float32 carry with an int32 body output is an error (JAX: identical types)", () => {
    assertError(
      () => lax.whileLoop((c: Tensor) => np.less(c, 3), (c: Tensor) => np.astype(np.add(c, 1), "int32"), np.array(2)),
      "ControlFlowError",
      "body_fun output and input must have identical types"
    )
  })
  it("a weak carry still takes a body output of its dtype, or of a dtype it promotes to", () => {
    const same = lax.whileLoop(
      (c: Tensor) => np.less(c, 3),
      (c: Tensor) => np.add(c, np.array(1, { dtype: "float32" })),
      0
    )
    assert.strictEqual(same.dtype, "float32")
    assert.strictEqual(toJsSync(same), 3)
    const wider = lax.whileLoop(
      (c: Tensor) => np.less(c, 3),
      (c: Tensor) => np.add(c, np.array(1, { dtype: "float64" })),
      0
    )
    assert.strictEqual(wider.dtype, "float64")
    assert.strictEqual(toJsSync(wider), 3)
  })
  it("cond_fun or body_fun taking more arguments than the carry is an error", () => {
    assertError(
      () => lax.whileLoop((c: Tensor) => np.less(c, 3), ((c: Tensor, d: Tensor) => np.add(c, d)) as never, np.array(0)),
      "ControlFlowError",
      "body_fun takes 2 arguments, but 1 is given by lax.whileLoop"
    )
  })
})

describe("lax.cond and lax.switch arities", () => {
  it("a branch taking more arguments than the operands is a clear error", () => {
    const x = np.array([1, 2])
    assertError(
      () => lax.cond(true, (a: Tensor, b: Tensor) => np.add(a, b), (a: Tensor) => a, x),
      "ControlFlowError",
      "true_fun takes 2 arguments, but 1 operand was given to lax.cond: 1 required argument is missing"
    )
    assertError(
      () => lax.switch(0, [(a: Tensor) => a, (a: Tensor, b: Tensor) => np.add(a, b)], x),
      "ControlFlowError",
      "branch 1 takes 2 arguments, but 1 operand was given to lax.switch"
    )
    assertError(
      () => lax.switch(0, [(a: Tensor, b: Tensor) => np.add(a, b)], x),
      "ControlFlowError",
      "branch 0 takes 2 arguments"
    )
  })
  it("rest and default parameters pass", () => {
    const x = np.array(2)
    assert.strictEqual(
      toJsSync(lax.cond(true, (...xs: Array<Tensor>) => xs[0]!, (a: Tensor, b = 1) => np.add(a, b), x)),
      2
    )
  })
})

describe("lax.scan options", () => {
  it("an unknown option key is an error, as in the np functions", () => {
    assertError(
      () => lax.scan((c: Tensor, x: Tensor) => [np.add(c, x), x], np.array(0), np.array([1, 2]), { bogus: 1 } as never),
      "ArgumentError",
      "the unknown key \"bogus\""
    )
  })
})

describe("custom rules", () => {
  const x = np.array([1, 2, 3])

  it("defVjp and defJvp refuse non-functions when they are called", () => {
    const f = customVjp((a: Tensor) => np.sin(a))
    assertError(() => f.defVjp(3 as never, (_r, g) => [g]), "NotCallableError", "Expected a callable value, got 3")
    assertError(() => f.defVjp((a: Tensor) => [a, null], 3 as never), "NotCallableError", "(bwd)")
    const g = customJvp((a: Tensor) => np.sin(a))
    assertError(() => g.defJvp(3 as never), "NotCallableError", "Expected a callable value, got 3")
  })

  it("a bwd rule returning a value that is not an array is an error, not a zero gradient", () => {
    for (const bad of ["a", true, () => 1, Symbol("s"), 3n]) {
      const f = customVjp((a: Tensor) => np.sin(a))
      f.defVjp((a: Tensor) => [np.sin(a), a], () => [bad])
      assertError(
        () => runSync(grad((a: Tensor) => np.sum(f(a)))(x)),
        "CustomRuleError",
        "the bwd rule produced"
      )
    }
    // null (JAX's None) and a matching number still stand for a zero / a value
    const f = customVjp((a: Tensor) => np.multiply(a, 2))
    f.defVjp((a: Tensor) => [np.multiply(a, 2), null], () => [null])
    assert.deepStrictEqual(toJsSync(runSync(grad((a: Tensor) => np.sum(f(a)))(x))), [0, 0, 0])
    const s = customVjp((a: Tensor) => np.multiply(a, 2))
    s.defVjp((a: Tensor) => [np.multiply(a, 2), null], () => [5])
    assert.strictEqual(toJsSync(runSync(grad((a: Tensor) => s(a))(np.array(1)))), 5)
  })

  it("a fwd rule's primal output must have f's structure, shapes and dtypes", () => {
    const viaVjp = (fwd: (a: Tensor) => readonly [unknown, unknown]) => {
      const f = customVjp((a: Tensor) => np.sin(a))
      f.defVjp(fwd as never, (_r, g) => [g])
      return () => runSync(vjp(f, [x]))
    }
    assertError(viaVjp((a) => [np.astype(a, "int32"), a]), "CustomRuleError", "shapes/dtypes")
    assertError(viaVjp((a) => [np.astype(a, "int32"), a]), "CustomRuleError", "int32[3]")
    assertError(viaVjp((a) => [np.sin(a).at(0), a]), "CustomRuleError", "float32[]")
    assertError(viaVjp((a) => [[np.sin(a)], a]), "CustomRuleError", "container/pytree structure")
    assertError(
      viaVjp((a) => [{ y: np.sin(a) }, a]),
      "CustomRuleError",
      "Custom VJP fwd rule"
    )
    // under jit and vmap too
    const f = customVjp((a: Tensor) => np.sin(a))
    f.defVjp((a: Tensor) => [np.sin(a.at(0)), a], (_r, g) => [g])
    assertError(() => runSync(jit(grad((a: Tensor) => np.sum(f(a))))(x)), "CustomRuleError", "shapes/dtypes")
  })

  it("a JVP rule's primal output must have f's structure, shapes and dtypes", () => {
    const viaJvp = (rule: (p: [Tensor], t: [Tensor]) => readonly [unknown, unknown]) => {
      const f = customJvp((a: Tensor) => np.sin(a))
      f.defJvp(rule as never)
      return () => runSync(jvp(f, [x], [np.onesLike(x)]))
    }
    assertError(viaJvp(([a], [t]) => [np.sin(a).at(0), t.at(0)]), "CustomRuleError", "Custom JVP rule")
    assertError(viaJvp(([a], [t]) => [np.sin(a).at(0), t.at(0)]), "CustomRuleError", "shapes/dtypes")
    assertError(viaJvp(([a], [t]) => [[np.sin(a)], [t]]), "CustomRuleError", "container/pytree structure")
    // the tangent against the primal, as before
    assertError(
      viaJvp(([a], [t]) => [np.sin(a), t.at(0)]),
      "CustomRuleError",
      "primal and tangent outputs with corresponding shapes and dtypes"
    )
  })

  it("rules whose f reads a value still run (nothing to check against)", () => {
    const f = customVjp((a: Tensor) => (toJsSync(np.sum(a)) as number) > 0 ? np.sin(a) : np.cos(a))
    f.defVjp((a: Tensor) => [np.sin(a), np.cos(a)], (c: Tensor, g: Tensor) => [np.multiply(c, g)])
    const got = toJsSync(runSync(grad((a: Tensor) => np.sum(f(a)))(x))) as Array<number>
    got.forEach((v, i) => assert.closeTo(v, Math.cos(i + 1), 1e-6))
  })
})

describe("random", () => {
  const key = random.key(0)
  it("foldIn refuses JS numbers outside uint32 (JAX: OverflowError) and keeps int32 tensors", () => {
    assertError(() => random.foldIn(key, 2 ** 32 + 1), "DTypeError", "4294967297 is out of bounds for uint32")
    assertError(() => random.foldIn(key, 2 ** 40), "DTypeError", "out of bounds for uint32")
    assertError(() => random.foldIn(key, -1), "DTypeError", "out of bounds for uint32")
    assert.deepStrictEqual(
      toJsSync(random.foldIn(key, 2 ** 32 - 1)),
      toJsSync(random.foldIn(key, np.array(-1, { dtype: "int32" })))
    )
  })
  it("bits takes only an unsigned dtype (JAX)", () => {
    assertError(
      () => random.bits(key, [2], { dtype: "float32" } as never),
      "DTypeError",
      "must be an unsigned int dtype, got float32"
    )
    assertError(() => random.bits(key, [2], { dtype: "uint8" } as never), "InvalidArrayError", "not supported")
    assertError(() => random.bits(key, [2], { bogus: 1 } as never), "ArgumentError", "bogus")
    assert.deepStrictEqual(toJsSync(random.bits(key, [3], { dtype: "uint32" })), toJsSync(random.bits(key, [3])))
  })
})

describe("losses.softmaxCrossEntropyWithIntegerLabels", () => {
  it("an out-of-range label gives NaN, a negative one counts from the end (optax's take_along_axis)", () => {
    const logits = np.array([[1, 2, 3]])
    const at = (label: number) =>
      (toJsSync(losses.softmaxCrossEntropyWithIntegerLabels(logits, np.array([label], { dtype: "int32" }))) as Array<
        number
      >)[0]!
    assert.isNaN(at(5))
    assert.isNaN(at(-4))
    assert.closeTo(at(-1), 0.40760596, 1e-6)
    assert.closeTo(at(-3), 2.40760596, 1e-6)
    assert.closeTo(at(2), 0.40760596, 1e-6)
    const u = losses.softmaxCrossEntropyWithIntegerLabels(logits, np.array([7], { dtype: "uint32" }))
    assert.isNaN((toJsSync(u) as Array<number>)[0]!)
  })
})

describe("nn.initializers", () => {
  it("a zero-size shape gives an empty array", () => {
    const key = random.key(0)
    for (
      const [init, shape] of [[nn.initializers.glorotNormal(), [0, 3]], [nn.initializers.heNormal(), [3, 0]]] as const
    ) {
      const w = init(key, shape)
      assert.deepStrictEqual(w.shape, shape)
      assert.strictEqual(w.dtype, "float32")
    }
    assertError(
      () => nn.initializers.varianceScaling(1, "bogus" as never, "normal")(key, [0, 3]),
      "ShapeError",
      "invalid mode for variance scaling initializer: bogus"
    )
  })
})
