/**
 * Program: staging with makeProgramFlat, printing like jax.make_jaxpr, and
 * evaluation by re-binding (so a staged program can be differentiated).
 */
import { aval, EscapedTracerError, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { evalProgram, makeProgramFlat, vjpFlat } from "../src/index.js"
import { derivative, grad, scalar, tensor, value, values } from "./finiteDifferencesUtil.js"

const f64 = (shape: ReadonlyArray<number>) => aval(shape, "float64")

describe("makeProgramFlat and printing", () => {
  it("prints inputs, equations and outputs like make_jaxpr", () => {
    // lax.mul needs equal shapes: the scalar is broadcast explicitly (np would do it).
    const p = makeProgramFlat(
      ([x, y]) => [lax.mul(lax.sin(x!), lax.broadcastInDim(y!, [3], []))],
      [aval([3], "float32"), aval([], "float32")]
    )
    assert.strictEqual(
      p.toString(),
      [
        "{ lambda ; a:f32[3] b:f32[]. let",
        "    c:f32[3] = sin a",
        "    d:f32[3] = broadcast_in_dim[shape=(3,) broadcastDimensions=()] b",
        "    e:f32[3] = mul c d",
        "  in (e,) }"
      ].join("\n")
    )
  })

  it("captured tensors become constants, listed before the ';'", () => {
    const c = tensor([1, 2, 3])
    const p = makeProgramFlat(([x]) => [lax.reduceSum(lax.mul(x!, c), [0])], [f64([3])])
    assert.strictEqual(
      p.toString(),
      "{ lambda a:f64[3] ; b:f64[3]. let\n    c:f64[3] = mul b a\n    d:f64[] = reduce_sum[axes=(0,)] c\n  in (d,) }"
    )
    assert.strictEqual(p.consts[0], c)
  })

  it("stages every operation while tracing, even on values independent of the inputs", () => {
    const p = makeProgramFlat(([x]) => [lax.add(x!, lax.exp(scalar(1)))], [f64([])])
    assert.deepStrictEqual(
      p.equations.map((e) => (e._tag === "PrimitiveEquation" ? e.primitive : e.name)),
      ["exp", "add"]
    )
  })

  it("an output that is an input, and no equations", () => {
    const p = makeProgramFlat(([x, y]) => [y!, x!], [f64([2]), aval([], "int32")])
    assert.strictEqual(p.toString(), "{ lambda ; a:f64[2] b:i32[]. let in (b, a) }")
  })

  it("names variables a..z, then ba, bb, ...", () => {
    const p = makeProgramFlat(([x]) => {
      let y = x!
      for (let i = 0; i < 27; i++) y = lax.neg(y)
      return [y]
    }, [f64([])])
    const text = p.toString()
    assert.include(text, "z:f64[] = neg y")
    assert.include(text, "ba:f64[] = neg z")
    assert.include(text, "bb:f64[] = neg ba")
    assert.isTrue(text.endsWith("in (bb,) }"))
  })
})

describe("escaped staging tracers", () => {
  it("a variable saved out of makeProgramFlat fails with EscapedTracerError when used", () => {
    let saved: Tensor | undefined
    makeProgramFlat(([x]) => {
      saved = lax.sin(x!)
      return [saved]
    }, [f64([])])
    assert.throws(() => lax.cos(saved!), EscapedTracerError)
  })
})

describe("evalProgram", () => {
  const f = (x: Tensor) => lax.mul(lax.sin(x), lax.exp(x))
  const program = makeProgramFlat(([x]) => [f(x!)], [f64([])])

  it("computes what the function computes", () => {
    const [y] = evalProgram(program, program.consts, [scalar(0.3)])
    assert.closeTo(value(y!), Math.sin(0.3) * Math.exp(0.3), 1e-15)
  })

  it("re-binds each equation, so it can be differentiated, to any order", () => {
    const viaProgram = (x: Tensor) => evalProgram(program, program.consts, [x])[0]!
    // d/dx sin(x) e^x = (sin x + cos x) e^x ; second derivative 2 cos(x) e^x
    const x = 0.3
    assert.closeTo(value(derivative(viaProgram)(scalar(x))), (Math.sin(x) + Math.cos(x)) * Math.exp(x), 1e-14)
    assert.closeTo(value(grad(viaProgram)(scalar(x))), (Math.sin(x) + Math.cos(x)) * Math.exp(x), 1e-14)
    assert.closeTo(value(grad(grad(viaProgram))(scalar(x))), 2 * Math.cos(x) * Math.exp(x), 1e-14)
  })

  it("a staged gradient program evaluates to the gradient", () => {
    const gradProgram = makeProgramFlat(([x]) => {
      const [, vjpFn] = vjpFlat(([a]) => [lax.reduceSum(lax.mul(a!, a!), [0])], [x!])
      return vjpFn([lax.full([], 1, "float64")])
    }, [f64([3])])
    const [g] = evalProgram(gradProgram, gradProgram.consts, [tensor([1, -2, 3])])
    assert.deepStrictEqual(values(g!), [2, -4, 6])
  })
})
