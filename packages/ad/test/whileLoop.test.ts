/**
 * `lax.whileLoop` and the traced-bounds `foriLoop` (JAX's `while_p`): values
 * against the JS loop they stage; forward mode (jvp, second order) against the
 * unrolled JS code in float64 over random inputs (fast-check) plus finite
 * differences; vmap with a batched predicate (members finish at different
 * steps and are frozen); reverse mode is JAX's typed error; JAX's checks.
 */
import { grad, jacfwd, jit, jvp, linearize, makeProgram, vmap, WhileLoopReverseModeError } from "@diffect/ad"
import { ControlFlowError, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { foriLoopTraced } from "../../core/src/internal/controlFlow.js"
import { expect, js, run, tensor } from "./gradHelpers.js"

const f64 = (v: number | ReadonlyArray<number>) => tensor(v as never, "float64")
type Carry = [Tensor, Tensor, Tensor]

// A damped iteration v <- v * a + sin(v) * b until |v| grows past a bound or 40 steps: the trip count depends on the data.
const condFn = ([v, k]: Carry) => np.logicalAnd(np.less(np.abs(v), 6), np.less(k, 40))
const bodyFn = (a: Tensor, b: Tensor) => ([v, k, s]: Carry): Carry => [
  np.add(np.multiply(v, a), np.multiply(np.sin(v), b)),
  lax.add(k, 1),
  np.add(s, np.square(v))
]
const staged = (x: Tensor, a: Tensor, b: Tensor) =>
  lax.whileLoop(condFn, bodyFn(a, b), [x, np.array(0, { dtype: "int32" }), np.zerosLike(x)] as Carry)

// The same loop in JS: `steps` iterations of the body (unrolled), the trip count read from a concrete run.
const unrolled = (steps: number) => (x: Tensor, a: Tensor, b: Tensor) => {
  let c: Carry = [x, np.array(0, { dtype: "int32" }), np.zerosLike(x)]
  for (let i = 0; i < steps; i++) c = bodyFn(a, b)(c)
  return c
}
const tripCount = (x: number, a: number, b: number): number => {
  let v = x
  let k = 0
  while (Math.abs(v) < 6 && k < 40) {
    v = v * a + Math.sin(v) * b
    k++
  }
  return k
}

const arg = fc.double({ min: -2, max: 2, noNaN: true })
const rate = fc.double({ min: 1.05, max: 1.6, noNaN: true })

describe("lax.whileLoop", () => {
  it("computes the JS loop (values, trip count, pytree carry)", () => {
    fc.assert(
      fc.property(arg, rate, arg, (x, a, b) => {
        const [v, k, s] = staged(f64(x), f64(a), f64(b))
        const n = tripCount(x, a, b)
        assert.strictEqual(js(k), n)
        const [uv, , us] = unrolled(n)(f64(x), f64(a), f64(b))
        expect.close(js(v), js(uv), 0)
        expect.close(js(s), js(us), 0)
      }),
      { numRuns: 30 }
    )
  })

  it("forward mode: jvp and second order equal the unrolled loop's (float64), and finite differences", () => {
    fc.assert(
      fc.property(arg, rate, arg, fc.double({ min: -1, max: 1, noNaN: true }), (x, a, b, t) => {
        const n = tripCount(x, a, b)
        const g = (x: Tensor, a: Tensor) => {
          const [v, , s] = staged(x, a, f64(b))
          return np.add(v, s)
        }
        const u = (x: Tensor, a: Tensor) => {
          const [v, , s] = unrolled(n)(x, a, f64(b))
          return np.add(v, s)
        }
        const [, dg] = run(jvp(g, [f64(x), f64(a)], [f64(t), f64(0.5)]))
        const [, du] = run(jvp(u, [f64(x), f64(a)], [f64(t), f64(0.5)]))
        expect.close(js(dg), js(du), 1e-12)
        // finite differences (a 5-point stencil, error O(h^4)) where the loop is smooth over the
        // stencil: the trip count does not change within 2h, and the step stays in the linear
        // regime (it moves the output by at most 0.1). Near the fixed point v = 0, 40 steps at a
        // rate a + b up to 3.6 amplify a 1e-8 perturbation past it (fast-check draws x ~ 0 often):
        // there no float64 step resolves the derivative, and the jvp is checked above only.
        const h = 1e-8
        const stable = [-2, -1, 1, 2].every((e) => tripCount(x + e * h * t, a + e * h * 0.5, b) === n)
        const at = (e: number) => js(u(f64(x + e * t), f64(a + e * 0.5))) as number
        if (stable && Math.abs(at(h) - at(-h)) <= 0.1) {
          const fd = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)
          assert.isAtMost(Math.abs((js(dg) as number) - fd), 1e-5 * Math.max(1, Math.abs(fd)))
        }
        // second order (forward over forward)
        const hg = run(jacfwd(jacfwd((x: Tensor) => g(x, f64(a))))(f64(x)))
        const hu = run(jacfwd(jacfwd((x: Tensor) => u(x, f64(a))))(f64(x)))
        expect.close(js(hg), js(hu), 1e-10)
      }),
      { numRuns: 25 }
    )
  })

  it("vmap: a batched predicate runs until every member is done, freezing finished members", () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 4, maxLength: 4 }), rate, arg, (xs, a, b) => {
        const [v, k, s] = run(vmap((x: Tensor) => staged(x, f64(a), f64(b)))(f64(xs)))
        const counts = xs.map((x) => tripCount(x, a, b))
        assert.deepStrictEqual(js(k), counts)
        const rows = xs.map((x, i) => unrolled(counts[i]!)(f64(x), f64(a), f64(b)))
        expect.close(js(v), rows.map((r) => js(r[0])), 1e-12)
        expect.close(js(s), rows.map((r) => js(r[2])), 1e-12)
        // vmap of jvp: each member's tangent over its own trip count
        const tangents = run(
          vmap((x: Tensor) => jvp((x: Tensor) => staged(x, f64(a), f64(b))[2], [x], [f64(1)]))(f64(xs))
        )
        const want = xs.map((x, i) =>
          js(run(jvp((x: Tensor) => unrolled(counts[i]!)(x, f64(a), f64(b))[2], [f64(x)], [f64(1)]))[1])
        )
        expect.close(js(tangents[1]), want, 1e-12)
      }),
      { numRuns: 15 }
    )
  })

  it("vmap with an unbatched predicate batches only the carry the body makes batched", () => {
    // the counter and bound are shared, the value is batched: the loop runs 3 times for everyone
    const out = run(
      vmap((x: Tensor) =>
        lax.whileLoop(
          ([k]: [Tensor, Tensor]) => np.less(k, 3),
          ([k, v]: [Tensor, Tensor]) => [lax.add(k, 1), np.multiply(v, 2)] as [Tensor, Tensor],
          [np.array(0, { dtype: "int32" }), x] as [Tensor, Tensor]
        )
      )(f64([1, 2, 3]))
    )
    // (vmap broadcasts the unbatched counter to the batch on the way out, as JAX's out_axes=0 does)
    assert.deepStrictEqual(js(out[0]), [3, 3, 3])
    assert.deepStrictEqual(js(out[1]), [8, 16, 24])
    // inside, the loop's counter and predicate stay unbatched: the cond program reads an i32[] scalar
    const text = String(
      run(
        makeProgram(vmap((x: Tensor) =>
          lax.whileLoop(
            ([k]: [Tensor, Tensor]) => np.less(k, 3),
            ([k, v]: [Tensor, Tensor]) => [lax.add(k, 1), np.multiply(v, 2)] as [Tensor, Tensor],
            [np.array(0, { dtype: "int32" }), x] as [Tensor, Tensor]
          )
        ))(f64([1, 2, 3]))
      )
    )
    assert.include(text, "cond={ lambda")
    assert.match(text, /; \w+:i32\[\] \w+:f64\[3\]\. let/)
  })

  it("under jit (compiled), staged as one while equation, closing over traced values", () => {
    const f = jit((x: Tensor, a: Tensor) => staged(x, a, f64(0.25)))
    const [v, k] = run(f(f64(0.5), f64(1.3)))
    assert.strictEqual(js(k), tripCount(0.5, 1.3, 0.25))
    expect.close(js(v), js(staged(f64(0.5), f64(1.3), f64(0.25))[0]), 0)
    const text = String(run(makeProgram((x: Tensor, a: Tensor) => staged(x, a, f64(0.25)))(f64(0.5), f64(1.3))))
    assert.strictEqual(text.match(/= while\[/g)?.length, 1)
    // the body closes over `a` (an input of the staged function): it is an operand of the loop
    assert.include(text, "bodyConsts=1")
  })

  it("linearize works (forward), grad is JAX's error", () => {
    const g = (x: Tensor) => staged(x, f64(1.2), f64(0.1))[0]
    const [y, jvpFn] = run(linearize(g, [f64(0.7)]))
    const n = tripCount(0.7, 1.2, 0.1)
    expect.close(js(y), js(unrolled(n)(f64(0.7), f64(1.2), f64(0.1))[0]), 0)
    const [, du] = run(jvp((x: Tensor) => unrolled(n)(x, f64(1.2), f64(0.1))[0], [f64(0.7)], [f64(2)]))
    expect.close(js(run(jvpFn(f64(2)))), js(du), 1e-12)
    let error: unknown
    try {
      run(grad(g)(f64(0.7)))
    } catch (e) {
      error = e
    }
    expect.error(
      error,
      WhileLoopReverseModeError,
      "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop."
    )
  })

  it("a weakly typed init takes the body's type (JAX's weak-type promotion)", () => {
    const out = lax.whileLoop(
      (v: Tensor) => np.less(v, 5),
      (v: Tensor) => np.add(v, np.array(2, { dtype: "float32" })),
      0
    )
    assert.strictEqual(out.dtype, "float32")
    assert.isFalse(out.weakType)
    assert.strictEqual(js(out), 6)
  })

  it("JAX's checks, with JAX's messages", () => {
    const fails = (thunk: () => unknown, message: string) => {
      let error: unknown
      try {
        thunk()
      } catch (e) {
        error = e
      }
      expect.error(error, ControlFlowError, message)
    }
    const x = np.array(0, { dtype: "float32" })
    fails(
      () => lax.whileLoop(() => [true, true], (v: Tensor) => v, x),
      "whileLoop: cond_fun must return a boolean scalar, but got pytree TreeDef([*, *])."
    )
    fails(
      () => lax.whileLoop(() => np.array(1, { dtype: "float32" }), (v: Tensor) => v, x),
      "whileLoop: cond_fun must return a boolean scalar, but got output type(s) [f32[]]."
    )
    fails(
      () => lax.whileLoop(() => true, (v: Tensor) => [v, v], x),
      "whileLoop: body_fun output and input must have same type structure, got TreeDef([*, *]) and TreeDef(*)."
    )
    fails(
      () => lax.whileLoop(() => true, () => np.array(true), x),
      "whileLoop: body_fun output and input must have identical types, got\nbool[]\nand\nf32[]."
    )
    fails(
      () => lax.whileLoop(3 as never, (v: Tensor) => v, x),
      "whileLoop: lax.while_loop: cond_fun and body_fun arguments should be callable."
    )
  })
})

describe("foriLoop with traced bounds", () => {
  it("loops from lower to upper (traced), forward-differentiable, batched over the bounds", () => {
    const body = (i: Tensor, v: Tensor) => np.add(np.multiply(v, 1.5), lax.convertElementType(i, "float64"))
    const loop = (lo: Tensor, hi: Tensor, x: Tensor) => foriLoopTraced(lo, hi, body, x)
    const js3 = (lo: number, hi: number, x: number) => {
      let v = x
      for (let i = lo; i < hi; i++) v = v * 1.5 + i
      return v
    }
    const i32 = (n: number) => np.array(n, { dtype: "int32" })
    expect.close(js(loop(i32(2), i32(6), f64(0.5))), js3(2, 6, 0.5), 1e-12)
    expect.close(js(loop(i32(6), i32(2), f64(0.5))), 0.5, 0)
    // d/dx = 1.5^(hi - lo)
    const [, t] = run(jvp((x: Tensor) => loop(i32(1), i32(4), x), [f64(0.5)], [f64(1)]))
    expect.close(js(t), 1.5 ** 3, 1e-12)
    const batched = run(vmap((hi: Tensor) => loop(i32(0), hi, f64(1)))(np.array([0, 1, 3], { dtype: "int32" })))
    expect.close(js(batched), [js3(0, 0, 1), js3(0, 1, 1), js3(0, 3, 1)], 1e-12)
    let error: unknown
    try {
      run(grad((x: Tensor) => loop(i32(0), i32(3), x))(f64(1)))
    } catch (e) {
      error = e
    }
    assert.instanceOf(error, WhileLoopReverseModeError)
  })
})
