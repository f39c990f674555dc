/**
 * customJvp / customVjp under every handler: no transformation, jvp, vjp
 * (linearize + transpose), and nested.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import {
  customJvp,
  CustomRuleError,
  customVjp,
  CustomVjpForwardModeError,
  jvpFlat,
  linearizeFlat,
  vjpFlat,
  vmapFlat
} from "../src/index.js"
import { derivative, grad, scalar, tensor, value, values } from "./finiteDifferencesUtil.js"

const f32 = (v: number) => tensor([v], [], "float32")
const one = (x: Tensor) => lax.full(x.shape, 1, x.dtype)

// JAX's custom_jvp tutorial example: log(1 + e^x), whose naive derivative is
// e^x / (1 + e^x) = inf / inf = NaN for large x in float32.
const log1pexpNaive = (x: Tensor) => lax.log(lax.add(one(x), lax.exp(x)))
const log1pexp = customJvp(log1pexpNaive).defJvp(([x], [t]) => [
  log1pexp(x),
  lax.mul(t, lax.sub(one(x), lax.div(one(x), lax.add(one(x), lax.exp(x)))))
])

describe("customJvp", () => {
  it("runs the primal function outside any transformation", () => {
    assert.closeTo(value(log1pexp(scalar(0.5))), Math.log1p(Math.exp(0.5)), 1e-15)
  })

  it("uses the rule under jvp and grad, where the naive derivative is NaN", () => {
    assert.isNaN(value(grad(log1pexpNaive)(f32(100))))
    assert.strictEqual(value(grad(log1pexp)(f32(100))), 1)
    assert.strictEqual(value(derivative(log1pexp)(f32(100))), 1)
    assert.closeTo(value(grad(log1pexp)(f32(0))), 0.5, 1e-7)
  })

  it("the rule's own body is differentiated for higher order: d2/dx2 at 0 is 1/4", () => {
    assert.closeTo(value(grad(grad(log1pexp))(scalar(0))), 0.25, 1e-15)
    assert.closeTo(value(derivative(grad(log1pexp))(scalar(0))), 0.25, 1e-15)
    assert.closeTo(value(derivative(derivative(log1pexp))(scalar(0))), 0.25, 1e-15)
  })

  it("the rule is what is differentiated (not f's body)", () => {
    const fake = customJvp((x: Tensor) => lax.sin(x)).defJvp(([x], [t]) => [lax.sin(x), lax.mul(t, scalar(10))])
    assert.strictEqual(value(derivative(fake)(scalar(1))), 10)
    assert.strictEqual(value(grad(fake)(scalar(1))), 10)
  })

  it("pytree arguments and outputs, null tangent for a non-tensor leaf", () => {
    const f = customJvp((p: { a: Tensor; k: number }, y: Tensor) => ({ s: lax.mul(p.a, y), d: y }))
    f.defJvp(([p, y], [tp, ty]) => {
      assert.isNull(tp.k as unknown)
      return [{ s: lax.mul(p.a, y), d: y }, { s: lax.add(lax.mul(tp.a, y), lax.mul(p.a, ty)), d: null }]
    })
    const [[s], [ts]] = jvpFlat(([a, y]) => [f({ a: a!, k: 3 }, y!).s], [scalar(2), scalar(5)], [
      scalar(1),
      scalar(0)
    ])
    assert.strictEqual(value(s!), 10)
    assert.strictEqual(value(ts!), 5)
  })

  it("calling it before defJvp fails, as in JAX", () => {
    const f = customJvp((x: Tensor) => lax.sin(x))
    assert.throws(() => f(scalar(1)), CustomRuleError)
    const g = customVjp((x: Tensor) => lax.sin(x))
    assert.throws(() => g(scalar(1)), CustomRuleError)
  })

  it("a rule whose tangent has the wrong shape fails with CustomRuleError", () => {
    const bad = customJvp((x: Tensor) => lax.sin(x)).defJvp(([x], [_t]) => [lax.sin(x), tensor([1, 2])])
    assert.throws(() => derivative(bad)(scalar(1)), CustomRuleError)
  })
})

// JAX's custom_vjp example: identity whose gradient is clipped to [-1, 1].
const clip = (g: Tensor) => lax.max(lax.min(g, one(g)), lax.neg(one(g)))
const clipGradient = customVjp((x: Tensor) => x).defVjp((x) => [x, null], (_res, g) => [clip(g)])

describe("custom rules and vmap", () => {
  const sumOfMapped = (f: (x: Tensor) => Tensor) => (xs: Tensor) =>
    lax.reduceSum(vmapFlat(([x]) => [f(x!)], [xs], [0], [0])[0]!, [0])
  const mappedGrads = (f: (x: Tensor) => Tensor) => (xs: Tensor) => vmapFlat(([x]) => [grad(f)(x!)], [xs], [0], [0])[0]!

  it("grad of vmap keeps the custom JVP rule (no NaN at 100 in float32)", () => {
    const xs = tensor([0, 100], [2], "float32")
    assert.deepStrictEqual(values(grad(sumOfMapped(log1pexp))(xs)), [0.5, 1])
    assert.deepStrictEqual(values(mappedGrads(log1pexp)(xs)), [0.5, 1])
  })

  it("grad of vmap and vmap of grad keep the custom VJP rule", () => {
    const xs = tensor([2, -3])
    const f = (x: Tensor) => lax.mul(scalar(3), clipGradient(x))
    assert.deepStrictEqual(values(grad(sumOfMapped(f))(xs)), [1, 1])
    assert.deepStrictEqual(values(mappedGrads(f)(xs)), [1, 1])
  })
})

describe("customVjp", () => {
  it("runs the primal function outside any transformation", () => {
    assert.strictEqual(value(clipGradient(scalar(4))), 4)
  })

  it("uses bwd under vjp: the gradient of 3 * clip_gradient(x) is clipped to 1", () => {
    assert.strictEqual(value(grad((x) => lax.mul(scalar(3), clipGradient(x)))(scalar(2))), 1)
    assert.strictEqual(value(grad((x) => lax.mul(scalar(0.25), clipGradient(x)))(scalar(2))), 0.25)
    assert.deepStrictEqual(
      values(grad((x) => lax.reduceSum(lax.mul(tensor([-5, 0.5, 2]), clipGradient(x)), [0]))(tensor([1, 1, 1]))),
      [-1, 0.5, 1]
    )
  })

  it("residuals saved by fwd reach bwd", () => {
    // f(x) = x^3 with a hand-written vjp from the residual x
    const cube = customVjp((x: Tensor) => lax.integerPow(x, 3)).defVjp(
      (x) => [lax.integerPow(x, 3), { x }],
      (res, g) => [lax.mul(g, lax.mul(scalar(3), lax.mul(res.x, res.x)))]
    )
    assert.strictEqual(value(grad(cube)(scalar(2))), 12)
    // higher order differentiates fwd and bwd: d2/dx2 x^3 = 6x
    assert.strictEqual(value(grad(grad(cube))(scalar(2))), 12)
  })

  it("forward over reverse differentiates fwd and bwd: d/dx grad(x^3) = 6x", () => {
    const cube = customVjp((x: Tensor) => lax.integerPow(x, 3)).defVjp(
      (x) => [lax.integerPow(x, 3), x],
      (x, g) => [lax.mul(g, lax.mul(scalar(3), lax.mul(x, x)))]
    )
    assert.strictEqual(value(derivative(grad(cube))(scalar(2))), 12)
  })

  it("forward mode fails with CustomVjpForwardModeError", () => {
    assert.throws(() => derivative(clipGradient)(scalar(1)), CustomVjpForwardModeError)
  })

  it("linearize stages one custom_vjp_call equation; evaluating it forwards fails as in JAX", () => {
    const clipped = function clipped(x: Tensor) {
      return x
    }
    const f = customVjp(clipped).defVjp((x) => [x, null], (_res, g) => [clip(g)])
    const [[y], jvpFn, program] = linearizeFlat(([x]) => [lax.mul(scalar(3), f(x!))], [scalar(2)])
    assert.strictEqual(value(y!), 6)
    assert.strictEqual(
      program.toString(),
      "{ lambda a:f64[] ; b:f64[]. let\n    c:f64[] = custom_vjp_call[name=clipped] b\n    d:f64[] = mul a c\n  in (d,) }"
    )
    assert.throws(() => jvpFn([scalar(1)]), CustomVjpForwardModeError)
  })

  it("several arguments; null cotangent is zero", () => {
    const f = customVjp((x: Tensor, y: Tensor) => lax.mul(x, y)).defVjp(
      (x, y) => [lax.mul(x, y), y],
      (y, g) => [lax.mul(g, y), null]
    )
    const [, vjpFn] = vjpFlat(([x, y]) => [f(x!, y!)], [scalar(2), scalar(5)])
    const [gx, gy] = vjpFn([scalar(1)])
    assert.strictEqual(value(gx!), 5)
    assert.strictEqual(value(gy!), 0)
  })

  it("bwd returning the wrong number of cotangents fails with CustomRuleError", () => {
    const f = customVjp((x: Tensor) => x).defVjp((x) => [x, null], (_r, g) => [g, g])
    assert.throws(() => grad(f)(scalar(1)), CustomRuleError)
  })
})
