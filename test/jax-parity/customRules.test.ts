// JAX parity: jax.custom_jvp and jax.custom_vjp as seen through the public API. Each
// case names the example of JAX's "Custom derivative rules" documentation
// (docs/notebooks/Custom_derivative_rules) or the test of jax/tests/custom_api_test.py
// whose behaviour it pins down.
import {
  customJvp,
  CustomRuleError,
  customVjp,
  CustomVjpForwardModeError,
  grad,
  jvp,
  valueAndGrad,
  vjp,
  vmap
} from "@diffect/ad"
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, provideCpu, run, thrown, value } from "./parity.js"

// f(x, y) = sin(x) * y, with its derivative written by hand.
const fJvp = customJvp((x: Tensor, y: Tensor) => np.multiply(np.sin(x), y))
fJvp.defJvp(([x, y], [dx, dy]) => [
  fJvp(x, y),
  np.add(np.multiply(np.multiply(np.cos(x), dx), y), np.multiply(np.sin(x), dy))
])

const fVjp = customVjp((x: Tensor, y: Tensor) => np.multiply(np.sin(x), y))
fVjp.defVjp(
  (x, y) => [fVjp(x, y), [np.cos(x), np.sin(x), y]] as const,
  ([cosX, sinX, y], g) => [np.multiply(np.multiply(cosX, g), y), np.multiply(sinX, g)]
)

describe("custom rules parity", () => {
  it("custom_jvp: grad(f)(2., 3.) = 3 cos 2 = -1.2484405", () => {
    expect.close(value(grad(fJvp)(np.array(2), np.array(3))), -1.2484405, 1e-6)
    expect.close(value(grad(fJvp, { argnums: 1 })(np.array(2), np.array(3))), Math.sin(2), 1e-6)
  })

  it("custom_jvp: jvp uses the rule (primal out, and cos(x) dx y + sin(x) dy)", () => {
    const out = value(jvp(fJvp, [np.array(2), np.array(3)], [np.array(1), np.array(1)]))
    expect.close(out, [Math.sin(2) * 3, Math.cos(2) * 3 + Math.sin(2)], 1e-6)
  })

  it("custom_vjp: grad(f)(2., 3.) = -1.2484405 through the custom backward pass", () => {
    expect.close(value(grad(fVjp)(np.array(2), np.array(3))), -1.2484405, 1e-6)
    const [, pullback] = run(vjp(fVjp, [np.array(2), np.array(3)]))
    expect.close(value(pullback(np.array(1))), [3 * Math.cos(2), Math.sin(2)], 1e-6)
  })

  it("custom_vjp under forward mode is refused (JAX: can't apply forward-mode autodiff to a custom_vjp function)", () => {
    const e = failure(jvp(fVjp, [np.array(2), np.array(3)], [np.array(1), np.array(0)]))
    expect.error(e, CustomVjpForwardModeError, /forward-mode/)
  })

  it("custom_jvp rules are differentiated again: second derivatives of a cube with a custom rule", () => {
    const cube = customJvp((x: Tensor) => np.multiply(x, np.multiply(x, x)))
    cube.defJvp(([x], [t]) => [cube(x), np.multiply(np.multiply(3, np.square(x)), t)])
    expect.close(value(grad(grad(cube))(np.array(2))), 12)
  })

  it("custom rules under vmap (per-example gradients)", () => {
    const g = vmap(grad(fJvp), { inAxes: [0, null] })
    expect.close(value(g(np.array([0, 2]), np.array(3))), [3, 3 * Math.cos(2)], 1e-6)
    const h = vmap(grad(fVjp), { inAxes: [0, null] })
    expect.close(value(h(np.array([0, 2]), np.array(3))), [3, 3 * Math.cos(2)], 1e-6)
  })

  it.effect("custom rules inside Effect.gen", () =>
    Effect.gen(function*() {
      const g = yield* grad(fVjp)(np.array(0), np.array(5))
      expect.close(value(Effect.succeed(g)), 5)
    }).pipe(provideCpu))

  it("CustomJVPTest.test_python_control_flow: rules branch on concrete primal values", () => {
    const f = customJvp((x: Tensor) => ((toJsSync(x) as number) > 0 ? np.sin(x) : np.cos(x)))
    f.defJvp(([x], [g]) => ((toJsSync(x) as number) > 0 ? [f(x), np.multiply(2, g)] : [f(x), np.multiply(3, g)]))
    expect.close(value(jvp(f, [np.array(2)], [np.array(1)])), [Math.sin(2), 2], 1e-6)
    expect.close(value(jvp(f, [np.array(-2)], [np.array(1)])), [Math.cos(-2), 3], 1e-6)
    expect.close(value(grad(f)(np.array(2))), 2)
    expect.close(value(grad(f)(np.array(-2))), 3)
  })

  it("CustomJVPTest.test_vmap: the rule sees unbatched (scalar) primals and tangents", () => {
    const f = customJvp((x: Tensor) => {
      assert.strictEqual(x.ndim, 0)
      return np.sin(x)
    })
    f.defJvp(([x], [g]) => {
      assert.strictEqual(x.ndim, 0)
      return [f(x), np.multiply(np.multiply(2, np.cos(x)), g)]
    })
    const x = np.array([0, 1, 2])
    const expected = [[0, 1, 2].map(Math.sin), [0, 1, 2].map((v) => 2 * Math.cos(v) * v)]
    expect.close(value(vmap(f)(x)), expected[0], 1e-6)
    expect.close(value(vmap((v: Tensor) => jvp(f, [v], [v]))(x)), expected, 1e-6)
    expect.close(value(jvp((v: Tensor) => vmap(f)(v), [x], [x])), expected, 1e-6)
  })

  it("CustomJVPTest.test_pytrees", () => {
    const f = customJvp((x: { a: Tensor }) => ({ b: np.sin(x.a) }))
    f.defJvp(([x], [g]) => [f(x), { b: np.multiply(np.multiply(2, np.cos(x.a)), g.a) }])
    const x = { a: np.array(3) }
    expect.close(value(jvp(f, [x], [x])), [{ b: Math.sin(3) }, { b: 2 * Math.cos(3) * 3 }], 1e-6)
  })

  it("CustomJVPTest.test_float0: JS-number tangents, float0 for an int output", () => {
    const f = customJvp((x: Tensor, y: Tensor) => [x, y] as const)
    f.defJvp(([x, y]) => [[x, y] as const, [2, np.zeros([], { dtype: "float0" })]])
    const [out, tangents] = run(
      jvp(f, [np.array(2), np.array(3, { dtype: "int32" })], [np.ones([]), np.zeros([], { dtype: "float0" })])
    )
    expect.close(toJsSync(out), [2, 3])
    expect.close(toJsSync(tangents[0]), 2)
    assert.strictEqual(tangents[1].dtype, "float0")
  })

  it("CustomJVPTest: rule errors (missing rule, not a pair, inconsistent structures, tangent type)", () => {
    const foo = customJvp(function foo(x: Tensor) {
      return np.power(x, 2)
    })
    expect.error(thrown(() => foo(np.array(2))), CustomRuleError, /No JVP defined for customJvp function foo/)
    const f = customJvp(function f(x: Tensor) {
      return np.square(x)
    })
    f.defJvp(function foo_jvp(_primals, [t]) {
      return t as never
    })
    expect.error(
      failure(jvp(f, [np.array(2)], [np.array(1)])),
      CustomRuleError,
      /Custom JVP rule foo_jvp for function f must produce a pair \(list or tuple of length two\) representing primal and tangent outputs, but got/
    )
    const g = customJvp(function f(x: Tensor) {
      return [np.square(x)] as const
    })
    g.defJvp(function foo_jvp([x], [t]) {
      return [g(x), [np.multiply(np.multiply(2, x), t), x]] as never
    })
    expect.error(
      failure(jvp(g, [np.array(2)], [np.array(1)])),
      CustomRuleError,
      /Custom JVP rule foo_jvp for function f must produce primal and tangent outputs with equal container \(pytree\) structures/
    )
    const h = customJvp(function f(x: Tensor) {
      return np.square(x)
    })
    h.defJvp(([x], [t]) => [h(x), np.reshape(t, [1])])
    expect.error(
      failure(jvp(h, [np.array(2)], [np.array(1)])),
      CustomRuleError,
      /Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes\. Expected float32\[\] \(tangent type of float32\[\]\) but got float32\[1\]\./
    )
  })

  it("CustomVJPTest.test_python_control_flow", () => {
    const f = customVjp((x: Tensor) => ((toJsSync(x) as number) > 0 ? np.sin(x) : np.cos(x)))
    f.defVjp((x) => [f(x), x], (x, g) => [(toJsSync(x) as number) > 0 ? np.multiply(2, g) : np.multiply(3, g)])
    expect.close(value(valueAndGrad(f)(np.array(2))), [Math.sin(2), 2], 1e-6)
    expect.close(value(valueAndGrad(f)(np.array(-2))), [Math.cos(-2), 3], 1e-6)
  })

  it("CustomVJPTest.test_float0: a JS-number cotangent, and any cotangent of an int argument is a float0 zero", () => {
    const f = customVjp((x: Tensor, _y: Tensor) => x)
    f.defVjp((x, _y) => [x, [2, 1]] as const, () => [2, 1])
    const [gx, gy] = run(grad(f, { allowInt: true, argnums: [0, 1] })(np.array(2), np.array(3, { dtype: "int32" })))
    expect.close(toJsSync(gx), 2)
    assert.strictEqual(gy.dtype, "float0")
  })

  it("CustomVJPTest.test_bwd_nones, _vmap, _pytree, test_float0_bwd_none: null is a zero cotangent", () => {
    const f = customVjp((x: Tensor, y: Tensor) => np.multiply(x, np.sin(y)))
    f.defVjp((x, y) => [f(x, y), np.cos(y)], (cos, g) => [null, np.multiply(np.multiply(2, cos), g)])
    expect.close(value(grad((x: Tensor) => f(x, x))(np.array(3))), 2 * Math.cos(3), 1e-6)
    const xs = np.array([0, 1, 2])
    const summed = (x: Tensor) => Effect.map(vmap(f)(x, x), (v) => np.sum(v))
    expect.close(value(grad(summed)(xs)), [0, 1, 2].map((v) => 2 * Math.cos(v)), 1e-6)
    const p = customVjp((pair: [Tensor, Tensor], y: Tensor) => np.multiply(np.multiply(pair[0], pair[1]), np.sin(y)))
    p.defVjp((pair, y) => [p(pair, y), np.cos(y)], (cos, g) => [null, np.multiply(np.multiply(2, cos), g)])
    expect.close(value(grad((x: Tensor) => p([x, x], x))(np.array(3))), 2 * Math.cos(3), 1e-6)
    const i = customVjp((_i: Tensor, x: Tensor) => np.sin(x))
    i.defVjp((n, x) => [i(n, x), np.cos(x)], (cos, g) => [null, np.multiply(np.multiply(2, cos), g)])
    expect.close(
      value(grad(i, { argnums: 1 })(np.array([1, 2], { dtype: "int32" }), np.array(3))),
      2 * Math.cos(3),
      1e-6
    )
  })

  it("CustomVJPTest.test_nones_representing_zeros_in_subtrees_returned_by_bwd (jax issue 8356)", () => {
    const f = customVjp((x: [Tensor, [Tensor, Tensor | null]]) => x[0])
    f.defVjp((x) => [f(x), null], (_r, z) => [[z, [null, null]]])
    expect.close(value(grad(f)([np.array(1), [np.array(2), np.array(3)]])), [1, [0, 0]])
    expect.close(value(grad(f)([np.array(1), [np.array(2), null]])), [1, [0, null]])
  })

  it("CustomVJPTest: rule errors (missing rule, bwd structure, bwd type, fwd not a pair)", () => {
    const foo = customVjp(function foo(x: Tensor) {
      return np.power(x, 2)
    })
    expect.error(thrown(() => foo(np.array(2))), CustomRuleError, /No VJP defined for customVjp function foo/)
    const f = customVjp((x: Tensor) => x)
    f.defVjp((x) => [x, null], (_r, g) => [g, g])
    expect.error(failure(grad(f)(np.array(2))), CustomRuleError, /Custom VJP bwd rule .*must produce/)
    const nonTuple = customVjp((x: Tensor) => x)
    nonTuple.defVjp((x) => [x, null], (_r, g) => np.multiply(2, g) as never)
    expect.error(failure(grad(nonTuple)(np.array(3))), CustomRuleError, /Custom VJP bwd rule .* must produce a tuple/)
    const shape = customVjp(function foo(x: Tensor, _y: Tensor) {
      return x
    })
    shape.defVjp((x, _y) => [x, null], () => [np.zeros([3]), np.zeros([3])])
    expect.error(
      failure(
        grad((x: Tensor, y: Tensor) => np.sum(shape(x, np.multiply(y, y))), { argnums: 1 })(np.ones([3]), np.ones([4]))
      ),
      CustomRuleError,
      /output\[1\] the bwd rule produced an output of type float32\[3\] corresponding to an input of type float32\[4\]/
    )
    const pairless = customVjp(function f(x: Tensor) {
      return x
    })
    pairless.defVjp(function f_fwd(x: Tensor) {
      return x as never
    }, (_r, g) => [g])
    expect.error(
      failure(grad(pairless)(np.array(1))),
      CustomRuleError,
      /Custom VJP fwd rule f_fwd for function f must produce a pair /
    )
  })

  it("defJvp and defVjp options: symbolicZeros refused (not dropped), optimizeRemat accepted", () => {
    const f = customJvp((x: Tensor, y: Tensor) => np.multiply(x, y))
    assert.include(
      String(thrown(() => f.defJvp(([x, y], [tx]) => [f(x, y), np.multiply(tx, y)], { symbolicZeros: true } as never))),
      "symbolicZeros"
    )
    assert.include(
      String(thrown(() => f.defJvp(([x, y], [tx]) => [f(x, y), tx], { symbolic: true } as never))),
      "unknown key"
    )
    f.defJvp(([x, y], [tx, ty]) => [f(x, y), np.add(np.multiply(tx, y), np.multiply(x, ty))], { symbolicZeros: false })
    expect.close(value(grad(f)(np.array(2), np.array(3))), 3)
    const g = customVjp((x: Tensor) => np.sin(x))
    assert.include(
      String(
        thrown(() =>
          g.defVjp((x) => [np.sin(x), x], (x, ct) => [np.multiply(ct, np.cos(x))], { symbolicZeros: true } as never)
        )
      ),
      "symbolicZeros"
    )
    g.defVjp((x) => [np.sin(x), x], (x: Tensor, ct: Tensor) => [np.multiply(ct, np.cos(x))], { optimizeRemat: true })
    expect.close(value(grad(g)(np.array(0.5))), Math.cos(0.5), 1e-6)
  })
})
