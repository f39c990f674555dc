/**
 * The float32 decompositions of core's Approximation (what the WebGPU backend
 * runs), evaluated here with float32 rounding after every operation: each
 * function's error over a sampled sweep of the whole float32 range stays
 * within the bound documented in docs/numerics.md, and the special values
 * (NaN, infinities, signed zeros) follow C's math library.
 */
import { Approximation, Kernel } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { compileElementwise } from "../src/internal/codegen.js"
import { decomposedLoop, measure, subjects, sweep } from "./approximationSweep.js"
import { expect } from "./helpers.js"

const run = (name: string, xs: ReadonlyArray<number>, ys?: ReadonlyArray<number>): Array<number> => {
  const s = subjects.find((x) => x.name === name)!
  const out = new Float32Array(xs.length)
  decomposedLoop(s)(
    out,
    ys === undefined ? [new Float32Array(xs)] : [new Float32Array(xs), new Float32Array(ys)],
    xs.length
  )
  return Array.from(out)
}

describe("float32 decompositions (Approximation)", () => {
  for (const s of subjects) {
    it(`${s.name} is within ${s.bound} ulp over ${s.domainText}`, () => {
      // Every 2^16-th bit pattern (each at a random place in its block), 50k samples of
      // the main range, and the specials; the docs' table sweeps 16 times denser.
      const xs = sweep(16, 50_000, s.dense, 1)
      const ys = s.arity === 2 ? sweep(16, 50_000, s.dense, 7) : undefined
      const m = measure(s, xs, ys)
      assert.isAtMost(m.maxUlp, s.bound, `${s.name}: ${m.maxUlp} ulp at ${m.worstInput.join(", ")}`)
    })
  }

  // Payne and Hanek's reduction (`trigReduction: "payneHanek"`): the same bounds over all float32
  for (const [name, bound] of [["sin", 1], ["cos", 1.01], ["tan", 2.5]] as const) {
    it(`${name} with Payne and Hanek's reduction is within ${bound} ulp over all float32`, () => {
      const s = { ...subjects.find((x) => x.name === name)!, domain: () => true }
      const xs = sweep(16, 50_000, s.dense, 1)
      const m = measure(s, xs, undefined, Approximation.allDecomposedFullRange)
      assert.isAtMost(m.maxUlp, bound, `${name}: ${m.maxUlp} ulp at ${m.worstInput.join(", ")}`)
      // beyond 8192, where Cody and Waite's reduction has lost every bit: sin(8.8e7), sin(3.4e38)
      const far = new Float32Array([88550680, 3.4028234663852886e38, -1e10, 16367173 * 2 ** 72])
      const got = new Float32Array(far.length)
      decomposedLoop(s, Approximation.allDecomposedFullRange)(got, [far], far.length)
      far.forEach((x, i) =>
        assert.isAtMost(
          Math.abs(got[i]! - Math.fround(s.reference(x, 0))),
          2e-7 * Math.max(1, Math.abs(s.reference(x, 0))),
          `${name}(${x})`
        )
      )
    })
  }

  it("exp and log: over- and underflow, zeros, NaN", () => {
    expect.exact(run("exp", [NaN, Infinity, -Infinity, 0, -0, 88.7229, -103.2789, -104, 1]), [
      NaN,
      Infinity,
      0,
      1,
      1,
      Infinity,
      2 ** -149,
      0,
      Math.fround(Math.E)
    ])
    expect.exact(run("log", [NaN, Infinity, -Infinity, 0, -0, -1, 1, 2 ** -149]), [
      NaN,
      Infinity,
      NaN,
      -Infinity,
      -Infinity,
      NaN,
      0,
      Math.fround(-149 * Math.LN2)
    ])
    expect.exact(run("log1p", [-1, -2, -0, Infinity]), [-Infinity, NaN, -0, Infinity])
    expect.exact(run("expm1", [-0, -Infinity, Infinity, -30]), [-0, -1, Infinity, -1])
  })

  it("trigonometric functions keep -0 and give NaN for infinities", () => {
    expect.exact(run("sin", [-0, Infinity, NaN]), [-0, NaN, NaN])
    expect.exact(run("cos", [-0, -Infinity]), [1, NaN])
    expect.exact(run("tan", [-0]), [-0])
    expect.exact(run("atan", [-0, Infinity, -Infinity]), [-0, Math.fround(Math.PI / 2), Math.fround(-Math.PI / 2)])
    expect.exact(run("asin", [1.5, -1]), [NaN, Math.fround(-Math.PI / 2)])
    expect.exact(run("tanh", [-0, Infinity, -50]), [-0, 1, -1])
    expect.exact(run("sinh", [-0, 100, -100]), [-0, Infinity, -Infinity])
    expect.exact(run("cosh", [-100]), [Infinity])
    expect.exact(run("logistic", [-Infinity, Infinity, 0]), [0, 1, 0.5])
  })

  it("atan2 and pow follow C at zeros, infinities and negative bases", () => {
    const pi = Math.fround(Math.PI)
    expect.exact(
      run("atan2", [0, -0, 0, -0, 1, Infinity, Infinity, -1], [-0, -0, 1, 1, 0, Infinity, -Infinity, -Infinity]),
      [
        pi,
        -pi,
        0,
        -0,
        Math.fround(Math.PI / 2),
        Math.fround(Math.PI / 4),
        Math.fround((3 * Math.PI) / 4),
        -pi
      ]
    )
    expect.exact(
      run(
        "pow",
        [-8, -2, 0, -0, -0, -1, NaN, 1, 2, 0.5, -Infinity, -Infinity],
        [1 / 3, 3, -1, -1, 3, Infinity, 0, NaN, -Infinity, -Infinity, 3, 0.5]
      ),
      [NaN, -8, Infinity, -Infinity, -0, 1, 1, 1, 0, Infinity, -Infinity, Infinity]
    )
  })

  it("decompose leaves native ops alone and removes every decomposed one", () => {
    const x = Kernel.input(0, "f32")
    const y = Kernel.input(1, "f32")
    const exprs = [Kernel.add(Kernel.exp(x), Kernel.pow(x, y)), Kernel.tanh(Kernel.atan2(y, x))]
    const kept = Approximation.decompose(exprs, Approximation.allNative)
    assert.strictEqual(kept[0], exprs[0])
    assert.strictEqual(kept[1], exprs[1])
    const ops = new Set<string>()
    const walk = (e: Kernel.Expr): void => {
      if (e.kind === "unary" || e.kind === "binary") ops.add(e.op)
      if (e.kind === "unary" || e.kind === "cast") walk(e.x)
      if (e.kind === "binary") [e.x, e.y].forEach(walk)
      if (e.kind === "select") [e.cond, e.onTrue, e.onFalse].forEach(walk)
    }
    Approximation.decompose(exprs, Approximation.allDecomposed).forEach(walk)
    for (const op of Object.keys(Approximation.allDecomposed)) assert.isFalse(ops.has(op), op)
    assert.isTrue(ops.has("ldexp") && ops.has("exponent"))
    // float64 nodes are never rewritten: the decompositions are float32 algorithms.
    const f64 = Kernel.exp(Kernel.input(0, "f64"))
    assert.strictEqual(Approximation.decompose([f64], Approximation.allDecomposed)[0], f64)
  })

  it("ldexp and exponent: exact scaling over the whole range, true exponents of subnormals", () => {
    const x = Kernel.input(0, "f32")
    const n = Kernel.input(1, "f32")
    const strict = (e: Kernel.Expr, xs: ReadonlyArray<number>, ns: ReadonlyArray<number>) => {
      const out = new Float32Array(xs.length)
      compileElementwise([e], [1, 1], { float32: "strict" }).loop(
        out,
        [new Float32Array(xs), new Float32Array(ns)],
        xs.length
      )
      return Array.from(out)
    }
    expect.exact(strict(Kernel.ldexp(x, n), [1, 1, 3, 2 ** 100, 0, 1.5, 1], [128, 127, -149, -300, 5000, -149, -150]), [
      Infinity,
      2 ** 127,
      3 * 2 ** -149,
      0,
      0,
      2 ** -148,
      0
    ])
    expect.exact(
      strict(Kernel.exponent(x), [2 ** -149, 3 * 2 ** -140, 0.75, 1, 2 ** 127 * 1.5, 0, Infinity, NaN], []),
      [
        -149,
        -139,
        -1,
        0,
        127,
        0,
        0,
        0
      ]
    )
  })
})
