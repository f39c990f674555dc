/**
 * The JVP handler: JAX's derivative conventions at the edges (ties, zeros, kinks),
 * symbolic zeros and float0, nesting without perturbation confusion, escaped tracers.
 */
import { EscapedTracerError, lax, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jvpFlat } from "../src/index.js"
import { derivative, grad, scalar, tensor, value, values } from "./finiteDifferencesUtil.js"

const jvp1 = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor) => {
  const [[y], [ty]] = jvpFlat(([a]) => [f(a!)], [x], [t])
  return [y!, ty!] as const
}

describe("JVP rules at the edges (JAX's conventions)", () => {
  it("max(x, x) splits the tangent half-half (jvp of max(x, x) is t)", () => {
    const [y, t] = jvp1((x) => lax.max(x, x), scalar(2), scalar(1))
    assert.strictEqual(value(y), 2)
    assert.strictEqual(value(t), 1)
    // at a tie between different operands each side gets half
    const [, [tOnlyX]] = jvpFlat(([a, b]) => [lax.max(a!, b!)], [scalar(2), scalar(2)], [scalar(1), scalar(0)])
    assert.strictEqual(value(tOnlyX!), 0.5)
    const [, [tMin]] = jvpFlat(([a, b]) => [lax.min(a!, b!)], [scalar(2), scalar(2)], [scalar(0), scalar(4)])
    assert.strictEqual(value(tMin!), 2)
  })

  it("reduce_max shares the tangent equally among the maximal positions", () => {
    const [y, t] = jvp1((x) => lax.reduceMax(x, [0]), tensor([1, 3, 3]), tensor([5, 2, 4]))
    assert.strictEqual(value(y), 3)
    assert.strictEqual(value(t), 3) // (2 + 4) / 2
    const g = grad((x) => lax.reduceMin(x, [0]))(tensor([1, 3, 1, 1]))
    assert.deepStrictEqual(values(g), [1 / 3, 0, 1 / 3, 1 / 3])
  })

  it("reduce_prod differentiates exactly through zeros", () => {
    assert.deepStrictEqual(values(grad((x) => lax.reduceProd(x, [0]))(tensor([0, 2, 3]))), [6, 0, 0])
    assert.deepStrictEqual(values(grad((x) => lax.reduceProd(x, [0]))(tensor([0, 0, 3]))), [0, 0, 0])
    assert.deepStrictEqual(values(grad((x) => lax.reduceProd(x, [0]))(tensor([2, 3, 5, 7]))), [105, 70, 42, 30])
  })

  it("abs has derivative 1 at 0, sign and floor have derivative 0", () => {
    assert.strictEqual(value(derivative(lax.abs)(scalar(0))), 1)
    assert.strictEqual(value(derivative(lax.abs)(scalar(-2))), -1)
    assert.strictEqual(value(derivative(lax.sign)(scalar(-2))), 0)
    assert.strictEqual(value(derivative(lax.floor)(scalar(1.5))), 0)
  })

  it("pow at x = 0: d/dy 0^y is 0 (not NaN), d/dx x^2 at 0 is 0", () => {
    const [, [tx]] = jvpFlat(([x, y]) => [lax.pow(x!, y!)], [scalar(0), scalar(2)], [scalar(1), scalar(0)])
    assert.strictEqual(value(tx!), 0)
    const [, [dy]] = jvpFlat(([x, y]) => [lax.pow(x!, y!)], [scalar(0), scalar(2)], [scalar(0), scalar(1)])
    assert.strictEqual(value(dy!), 0)
    const [, [both]] = jvpFlat(([x, y]) => [lax.pow(x!, y!)], [scalar(2), scalar(3)], [scalar(1), scalar(1)])
    assert.closeTo(value(both!), 12 + 8 * Math.log(2), 1e-12)
  })

  it("erf, logistic, rsqrt, integer_pow at known points", () => {
    assert.closeTo(value(derivative(lax.erf)(scalar(0))), 2 / Math.sqrt(Math.PI), 1e-15)
    assert.closeTo(value(derivative(lax.logistic)(scalar(0))), 0.25, 1e-15)
    assert.closeTo(value(derivative(lax.rsqrt)(scalar(4))), -0.5 * 4 ** -1.5, 1e-15)
    assert.strictEqual(value(derivative((x) => lax.integerPow(x, 0))(scalar(0))), 0)
    assert.strictEqual(value(derivative((x) => lax.integerPow(x, 3))(scalar(2))), 12)
  })

  it("atan2 and rem partial derivatives", () => {
    const [, [t]] = jvpFlat(([x, y]) => [lax.atan2(x!, y!)], [scalar(1), scalar(2)], [scalar(1), scalar(0)])
    assert.closeTo(value(t!), 2 / 5, 1e-15)
    const [, [r]] = jvpFlat(([x, y]) => [lax.rem(x!, y!)], [scalar(7.5), scalar(2)], [scalar(0), scalar(1)])
    assert.strictEqual(value(r!), -3) // -trunc(7.5 / 2)
  })
})

describe("symbolic zeros and float0", () => {
  it("an output that does not depend on the input has a zero tangent of its dtype", () => {
    const c = tensor([1, 2])
    const [[y], [t]] = jvpFlat(() => [c], [scalar(1)], [scalar(1)])
    assert.strictEqual(y, c)
    assert.strictEqual(t!.dtype, "float64")
    assert.deepStrictEqual(values(t!), [0, 0])
  })

  it("int inputs take float0 tangents; int outputs give float0 tangents", () => {
    const i = tensor([1, 2], [2], "int32")
    const f0 = tensor([], [2], "float0")
    const [[y, z], [ty, tz]] = jvpFlat(
      ([a, x]) => [lax.mul(lax.convertElementType(a!, "float64"), x!), lax.argmax(x!, 0)],
      [i, tensor([3, 4])],
      [f0, tensor([1, 1])]
    )
    assert.deepStrictEqual(values(y!), [3, 8])
    assert.deepStrictEqual(values(ty!), [1, 2])
    assert.strictEqual(value(z!), 1)
    assert.strictEqual(tz!.dtype, "float0")
    assert.deepStrictEqual(tz!.shape, [])
  })

  it("stop_gradient has a zero tangent", () => {
    const [y, t] = jvp1((x) => lax.mul(lax.stopGradient(x), x), scalar(3), scalar(1))
    assert.strictEqual(value(y), 9)
    assert.strictEqual(value(t), 3)
    assert.strictEqual(value(grad((x) => lax.mul(lax.stopGradient(x), x))(scalar(3))), 3)
  })

  it("complex: the tangent of a complex function is complex, of |z| real", () => {
    // d/dt |z + t w| at t = 0 is Re(conj(z) w) / |z|: z = 3 + 4i, w = 1 + 2i gives (3 + 8) / 5
    const z = tensor([3, 4], [], "complex128")
    const w = tensor([1, 2], [], "complex128")
    const [, t] = jvp1(lax.abs, z, w)
    assert.strictEqual(t.dtype, "float64")
    assert.closeTo(value(t), 11 / 5, 1e-15)
  })

  it("checks tangents against primals", () => {
    assert.throws(() => jvpFlat(([x]) => [x!], [tensor([1, 2])], [tensor([1, 2, 3])]), ShapeError)
    assert.throws(() => jvpFlat(([x]) => [x!], [tensor([1, 2])], [tensor([1, 2], [2], "float32")]))
  })
})

describe("nesting", () => {
  it("no perturbation confusion: d/dx [x * d/dy (x + y)] at 1 is 1, not 2", () => {
    const f = (x: Tensor) => {
      const inner = derivative((y) => lax.add(x, y))(scalar(1))
      return lax.mul(x, inner)
    }
    assert.strictEqual(value(derivative(f)(scalar(1))), 1)
    assert.strictEqual(value(grad(f)(scalar(1))), 1)
  })

  it("jvp of jvp: the second and third derivatives of sin", () => {
    const x = scalar(0.7)
    assert.closeTo(value(derivative(derivative(lax.sin))(x)), -Math.sin(0.7), 1e-15)
    assert.closeTo(value(derivative(derivative(derivative(lax.sin)))(x)), -Math.cos(0.7), 1e-15)
  })

  it("forward over reverse and reverse over forward agree on x^3 (6x)", () => {
    const cube = (x: Tensor) => lax.integerPow(x, 3)
    assert.strictEqual(value(derivative(grad(cube))(scalar(2))), 12)
    assert.strictEqual(value(grad(derivative(cube))(scalar(2))), 12)
  })
})

describe("escaped tracers", () => {
  it("a tracer saved out of jvp fails with EscapedTracerError when used", () => {
    let saved: Tensor | undefined
    jvpFlat(
      ([x]) => {
        saved = x
        return [lax.sin(x!)]
      },
      [scalar(1)],
      [scalar(1)]
    )
    assert.throws(() => lax.sin(saved!), EscapedTracerError)
    assert.throws(() => lax.add(saved!, scalar(1)), EscapedTracerError)
  })

  it("a tracer saved out of grad fails too", () => {
    let saved: Tensor | undefined
    grad((x) => {
      saved = lax.mul(x, x)
      return saved
    })(scalar(2))
    assert.throws(() => lax.neg(saved!), EscapedTracerError)
  })
})
