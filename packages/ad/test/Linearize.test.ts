/**
 * Linearize: primal work runs eagerly, only the tangent computation is staged;
 * the linear program's constants may be outer tracers (higher order).
 */
import { EscapedTracerError, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, linearizeFlat } from "../src/index.js"
import { derivative, scalar, tensor, value, values } from "./finiteDifferencesUtil.js"

const primitivesOf = (program: { readonly equations: ReadonlyArray<{ readonly _tag: string }> }) =>
  program.equations.map((e) => (e as { primitive?: string }).primitive ?? "custom")

describe("linearizeFlat", () => {
  it("stages only the linear part: sin(sin(x)) gives two muls by constants", () => {
    const [[y], jvpFn, program] = linearizeFlat(([x]) => [lax.sin(lax.sin(x!))], [scalar(1)])
    assert.closeTo(value(y!), Math.sin(Math.sin(1)), 1e-15)
    assert.deepStrictEqual(primitivesOf(program), ["mul", "mul"])
    assert.strictEqual(
      program.toString(),
      "{ lambda a:f64[] b:f64[] ; c:f64[]. let\n    d:f64[] = mul c a\n    e:f64[] = mul d b\n  in (e,) }"
    )
    // consts are cos(x) and cos(sin(x)), computed eagerly
    assert.closeTo(value(program.consts[0]!), Math.cos(1), 1e-15)
    assert.closeTo(value(program.consts[1]!), Math.cos(Math.sin(1)), 1e-15)
    const [t] = jvpFn([scalar(2)])
    assert.closeTo(value(t!), 2 * Math.cos(1) * Math.cos(Math.sin(1)), 1e-15)
  })

  it("drops tangent work that no output depends on", () => {
    const [, , program] = linearizeFlat(([x]) => {
      lax.exp(lax.mul(x!, x!)) // computed, not returned
      return [lax.sin(x!)]
    }, [scalar(1)])
    assert.deepStrictEqual(primitivesOf(program), ["mul"])
    assert.strictEqual(program.consts.length, 1)
  })

  it("the linear function agrees with jvp at random points and directions", () => {
    const f = ([x, y]: ReadonlyArray<Tensor>) => [
      lax.mul(lax.exp(x!), lax.tanh(y!)),
      lax.reduceSum(lax.mul(x!, y!), [0])
    ]
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 12, maxLength: 12 }),
        (r) => {
          const [x, y, tx, ty] = [0, 3, 6, 9].map((k) => tensor(r.slice(k, k + 3)))
          const [, jvpFn] = linearizeFlat(f, [x!, y!])
          const viaLinearize = jvpFn([tx!, ty!]).map(values)
          const viaJvp = jvpFlat(f, [x!, y!], [tx!, ty!])[1].map(values)
          viaLinearize.forEach((a, i) => a.forEach((v, j) => assert.closeTo(v, viaJvp[i]![j]!, 1e-12)))
        }
      ),
      { numRuns: 20 }
    )
  })

  it("int inputs have float0 tangent inputs; an output independent of the inputs has a zero tangent", () => {
    const c = tensor([5, 6])
    const [outs, jvpFn, program] = linearizeFlat(
      ([i, x]) => [lax.mul(lax.convertElementType(i!, "float64"), x!), c],
      [tensor([2, 3], [2], "int32"), tensor([1, 1])]
    )
    assert.deepStrictEqual(values(outs[0]!), [2, 3])
    assert.deepStrictEqual(program.inAvals.map((a) => a.dtype), ["float0", "float64"])
    const [t0, t1] = jvpFn([tensor([], [2], "float0"), tensor([1, 10])])
    assert.deepStrictEqual(values(t0!), [2, 30])
    assert.deepStrictEqual(values(t1!), [0, 0])
  })

  it("linearize inside jvp: the program's constants are outer tracers (second derivative)", () => {
    // d/dx [d/dt sin(x) along 1] = -sin(x)
    const inner = (x: Tensor) => linearizeFlat(([a]) => [lax.sin(a!)], [x])[1]([scalar(1)])[0]!
    assert.closeTo(value(derivative(inner)(scalar(0.4))), -Math.sin(0.4), 1e-15)
  })

  it("deactivates its handlers when it returns", () => {
    let saved: Tensor | undefined
    linearizeFlat(([x]) => {
      saved = lax.sin(x!)
      return [saved]
    }, [scalar(1)])
    assert.throws(() => lax.cos(saved!), EscapedTracerError)
  })
})
