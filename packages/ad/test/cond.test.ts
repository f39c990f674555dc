/**
 * `lax.cond` and `lax.switch` (JAX's `cond_p`): values against the JS `if`
 * they stage; jvp, vjp, vmap (batched and unbatched predicates) and second
 * order against the same derivatives of the JS code, in float64 over random
 * inputs (fast-check), plus finite differences; JAX's checks and messages;
 * the staged programs.
 */
import { grad, hessian, jit, jvp, makeProgram, psum, vjp, vmap } from "@diffect/ad"
import { ControlFlowError, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { expect, js, run, tensor } from "./gradHelpers.js"

// two branches that share nothing: different primitives, a multi-output tree, a closed-over constant
const c = tensor([0.5, -2, 1.25], "float64")
const onTrue = (x: Tensor, y: Tensor) => ({ a: np.sin(np.multiply(x, y)), b: np.multiply(np.exp(x), c) })
const onFalse = (x: Tensor, y: Tensor) => ({ a: np.multiply(np.cos(x), np.square(y)), b: np.tanh(np.add(x, y)) })
const staged = (p: Tensor, x: Tensor, y: Tensor) => lax.cond(np.greater(p, 0), onTrue, onFalse, x, y)
// the JS code the cond stands for (p concrete)
const unrolled = (p: Tensor, x: Tensor, y: Tensor) => ((js(p) as number) > 0 ? onTrue(x, y) : onFalse(x, y))
const sumOf = (t: { a: Tensor; b: Tensor }) => np.add(np.sum(t.a), np.sum(np.multiply(t.b, t.b)))

const f64 = (v: number | ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>) => tensor(v as never, "float64")
const vec3 = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 })
const sign = fc.constantFrom(-1, 1)

describe("lax.cond", () => {
  it("computes the taken branch (values, pytree outputs)", () => {
    fc.assert(
      fc.property(sign, vec3, vec3, (s, xs, ys) => {
        const [p, x, y] = [f64(s), f64(xs), f64(ys)]
        const got = staged(p, x, y)
        const want = unrolled(p, x, y)
        expect.close(js(got.a), js(want.a), 0)
        expect.close(js(got.b), js(want.b), 0)
      }),
      { numRuns: 20 }
    )
  })

  it("jvp, vjp, vmap and second order equal those of the JS if (float64), and finite differences", () => {
    fc.assert(
      fc.property(sign, vec3, vec3, vec3, (s, xs, ys, ts) => {
        const [p, x, y, t] = [f64(s), f64(xs), f64(ys), f64(ts)]
        const g = (x: Tensor, y: Tensor) => sumOf(staged(p, x, y))
        const u = (x: Tensor, y: Tensor) => sumOf(unrolled(p, x, y))
        // jvp along (t, t)
        const [, dg] = run(jvp(g, [x, y], [t, t]))
        const [, du] = run(jvp(u, [x, y], [t, t]))
        expect.close(js(dg), js(du), 1e-12)
        const h = 1e-6
        const at = (e: number) => js(u(np.add(x, np.multiply(t, e)), np.add(y, np.multiply(t, e)))) as number
        expect.close(js(dg) as number, (at(h) - at(-h)) / (2 * h), 1e-5)
        // vjp of the pytree output
        const [, backG] = run(vjp((x: Tensor, y: Tensor) => staged(p, x, y), [x, y]))
        const [, backU] = run(vjp((x: Tensor, y: Tensor) => unrolled(p, x, y), [x, y]))
        const ct = { a: f64(ts), b: f64(xs) }
        const [gx, gy] = run(backG(ct))
        const [ux, uy] = run(backU(ct))
        expect.close(js(gx), js(ux), 1e-12)
        expect.close(js(gy), js(uy), 1e-12)
        // second order
        expect.close(js(run(hessian((x: Tensor) => g(x, y))(x))), js(run(hessian((x: Tensor) => u(x, y))(x))), 1e-10)
        // vmap over x with an unbatched predicate
        const xb = f64([xs, ts, ys])
        const vg = run(vmap((r: Tensor) => staged(p, r, y))(xb))
        const rows = [xs, ts, ys].map((r) => unrolled(p, f64(r), y))
        expect.close(js(vg.a), rows.map((r) => js(r.a)), 1e-12)
        expect.close(js(vg.b), rows.map((r) => js(r.b)), 1e-12)
      }),
      { numRuns: 25 }
    )
  })

  it("a batched predicate selects per member (values and gradients)", () => {
    fc.assert(
      fc.property(fc.array(sign, { minLength: 3, maxLength: 3 }), vec3, vec3, (ss, xs, ys) => {
        const ps = f64(ss)
        const xb = f64([xs, ys, xs])
        const y = f64(ys)
        const got = run(vmap((p: Tensor, r: Tensor) => staged(p, r, y))(ps, xb))
        const rows = [xs, ys, xs].map((r, k) => unrolled(f64(ss[k]!), f64(r), y))
        expect.close(js(got.a), rows.map((r) => js(r.a)), 1e-12)
        expect.close(js(got.b), rows.map((r) => js(r.b)), 1e-12)
        // per-member gradients through the select (the branch not taken contributes nothing)
        const gs = run(vmap(grad((p: Tensor, r: Tensor) => sumOf(staged(p, r, y)), { argnums: 1 }))(ps, xb))
        const want = [xs, ys, xs].map((r, k) =>
          js(run(grad((x: Tensor) => sumOf(unrolled(f64(ss[k]!), x, y)))(f64(r))))
        )
        expect.close(js(gs), want, 1e-12)
      }),
      { numRuns: 15 }
    )
  })

  it("a branch using a named axis under a batched predicate: both branches run on the whole batch (JAX's semantics)", () => {
    const f = (x: Tensor) => lax.cond(np.greater(x, 15), (v: Tensor) => psum(v, "i"), (v: Tensor) => np.negative(v), x)
    assert.deepStrictEqual(js(run(vmap(f, { axisName: "i" })(tensor([10, 20, 30])))), [-10, 60, 60])
  })

  it("a numeric predicate means pred != 0; JS booleans and numbers are accepted", () => {
    const x = f64(2)
    const twice = (v: Tensor) => np.multiply(v, 2)
    const neg = (v: Tensor) => np.negative(v)
    assert.strictEqual(js(lax.cond(np.array(3, { dtype: "int32" }), twice, neg, x)), 4)
    assert.strictEqual(js(lax.cond(np.array(0), twice, neg, x)), -2)
    assert.strictEqual(js(lax.cond(true, twice, neg, x)), 4)
    assert.strictEqual(js(lax.cond(0, twice, neg, x)), -2)
  })

  it("outputs weakly typed in one branch only are strongly typed (weak only when weak in every branch)", () => {
    const out = lax.cond(np.array(true), () => 1, () => np.array(2, { dtype: "float32" }))
    assert.strictEqual(out.dtype, "float32")
    assert.isFalse(out.weakType)
    assert.strictEqual(js(out), 1)
    const weak = lax.cond(np.array(false), () => 1, () => 2)
    assert.isTrue(weak.weakType)
    assert.strictEqual(js(weak), 2)
  })

  it("is one cond equation when staged; grad stages a known cond and a linear cond on the same index", () => {
    const g = (x: Tensor) => lax.cond(np.greater(x, 0), (v: Tensor) => np.sin(v), (v: Tensor) => np.cos(v), x)
    assert.strictEqual(
      String(run(makeProgram(g)(tensor(1)))),
      [
        "{ lambda a:f32[] ; b:f32[]. let",
        "    c:bool[] = gt b a",
        "    d:i32[] = convert_element_type[dtype=int32 weakType=False] c",
        "    e:f32[] = cond[",
        "      branches=(",
        "        { lambda ; f:f32[]. let",
        "            g:f32[] = cos f",
        "          in (g,) }",
        "        { lambda ; h:f32[]. let",
        "            i:f32[] = sin h",
        "          in (i,) }",
        "      )",
        "    ] d b",
        "  in (e,) }"
      ].join("\n")
    )
    const text = String(run(makeProgram(grad(g))(tensor(1))))
    // the forward cond computes the residuals (sin/cos), the backward one only multiplies
    assert.strictEqual(text.match(/= cond\[/g)?.length, 2)
    const backward = text.slice(text.lastIndexOf("= cond["))
    assert.notMatch(backward, /= (sin|cos) /)
    expect.close(js(run(grad(g)(tensor(1)))), Math.cos(1), 1e-6)
    expect.close(js(run(grad(g)(tensor(-1)))), -Math.sin(-1), 1e-6)
  })

  it("works under jit (compiled once, both branches' values), closing over an outer traced value", () => {
    const f = jit((p: Tensor, x: Tensor) =>
      lax.cond(np.greater(p, 0), (v: Tensor) => np.multiply(v, x), (v: Tensor) => np.add(v, x), x)
    )
    expect.close(js(run(f(f64(1), f64([1, 2])))), [1, 4], 0)
    expect.close(js(run(f(f64(-1), f64([1, 2])))), [2, 4], 0)
    assert.strictEqual(f.cacheInfo().misses, 1)
    // the branch closes over x (a value of the jit trace): passed to the cond as an operand
    const text = run(makeProgram((p: Tensor, x: Tensor) => run(f(p, x)))(f64(1), f64([1, 2]))).toString()
    assert.include(text, "cond[")
    // grad through jit(cond) w.r.t. the closed-over value: d/dx sum(x * x) = 2x, d/dx sum(x + x) = 2
    const gx = (p: number) => js(run(grad((x: Tensor) => np.sum(run(f(f64(p), x))))(f64([1, 3]))))
    expect.close(gx(1), [2, 6], 1e-12)
    expect.close(gx(-1), [2, 2], 1e-12)
  })

  it("JAX's checks, with JAX's messages", () => {
    const x = np.array(1)
    const id = (v: Tensor) => v
    const fails = (thunk: () => unknown, message: string) => {
      let error: unknown
      try {
        thunk()
      } catch (e) {
        error = e
      }
      expect.error(error, ControlFlowError, message)
    }
    fails(
      () => lax.cond(np.array([true, false]), id, id, x),
      "cond: Pred must be a scalar, got Tensor(bool[2]) of shape (2,)."
    )
    fails(
      () => lax.cond(np.array({ re: 1, im: 0 }), id, id, x),
      "cond: Pred type must be either boolean or number, got complex64."
    )
    fails(
      () => lax.cond(np.array(true), id, 3 as never, x),
      "cond: lax.cond: true_fun and false_fun arguments should be callable."
    )
    fails(
      () => lax.cond(np.array(true), (v: Tensor) => v, (v: Tensor) => np.astype(v, "int32"), x),
      "cond: true_fun output and false_fun output must have identical types, got\n(DIFFERENT f32[] vs. i32[])."
    )
    fails(
      () => lax.cond(np.array(true), (v: Tensor) => [v, v], (v: Tensor) => v, x),
      "cond: true_fun output must have same type structure as false_fun output, but there are differences: true_fun output is TreeDef([*, *]) and false_fun output is TreeDef(*)"
    )
    fails(
      () => lax.switch(np.array(1.5), [id, id], x),
      "switch: Index type must be an integer, got Tensor(f32[]) as float32"
    )
    fails(
      () => lax.switch(np.array([0, 1], { dtype: "int32" }), [id, id], x),
      "switch: Branch index must be scalar, got Tensor(i32[2]) of shape (2,)."
    )
    fails(() => lax.switch(0, [], x), "switch: Empty branch sequence")
    fails(
      () => lax.switch(0, [id, 2 as never], x),
      "switch: lax.switch: branches argument should be a sequence of callables."
    )
  })
})

describe("lax.switch", () => {
  const branches = [(v: Tensor) => np.add(v, 1), (v: Tensor) => np.multiply(v, 10), (v: Tensor) => np.sin(v)]
  it("clamps the index into range, as JAX does", () => {
    const x = f64(0.5)
    const at = (i: number) => js(lax.switch(np.array(i, { dtype: "int32" }), branches, x))
    expect.close([at(-3), at(0), at(1), at(2), at(7)], [1.5, 1.5, 5, Math.sin(0.5), Math.sin(0.5)], 0)
    // one branch: called directly
    assert.strictEqual(js(lax.switch(5, [branches[1]!], x)), 5)
  })

  it("differentiates and batches per member (batched index, index out of range clamped)", () => {
    const idx = np.array([-1, 1, 2, 9], { dtype: "int32" })
    const xs = f64([0.3, 0.3, 0.3, 0.3])
    const got = js(run(vmap(grad((i: Tensor, v: Tensor) => lax.switch(i, branches, v), { argnums: 1 }))(idx, xs)))
    expect.close(got, [1, 10, Math.cos(0.3), Math.cos(0.3)], 1e-12)
    const values = js(run(vmap((i: Tensor, v: Tensor) => lax.switch(i, branches, v))(idx, xs)))
    expect.close(values, [1.3, 3, Math.sin(0.3), Math.sin(0.3)], 1e-12)
  })

  // JAX's test_cond_vmap_forwarding_doesnt_promote: an operand every branch returns unchanged is
  // returned directly, so a batched predicate leaves it unbatched
  it("outputs every branch forwards unchanged are the operand itself (unbatched under a batched predicate)", () => {
    const f = (x: Tensor, y: Tensor) =>
      lax.cond(
        np.less(x, 3),
        (a: Tensor, b: Tensor) => [np.multiply(a, 2), b],
        (a: Tensor, b: Tensor) => [
          np.multiply(a, 3),
          b
        ],
        x,
        y
      )
    const y = np.array(3)
    const [xs, same] = run(vmap(f, { inAxes: [0, null], outAxes: [0, null] })(np.arange(5), y)) as Array<Tensor>
    assert.deepStrictEqual(js(xs!), [0, 2, 4, 9, 12])
    assert.strictEqual(same, y)
    const g = (i: Tensor, v: Tensor) => lax.switch(i, [(b: Tensor) => b, (b: Tensor) => b], v)
    assert.deepStrictEqual(
      js(run(vmap(g, { inAxes: [0, null], outAxes: null })(np.array([0, 1], { dtype: "int32" }), y))),
      3
    )
    // and a while loop's carry that the body returns unchanged and the predicate does not read
    const w = (n: Tensor, v: Tensor) =>
      lax.whileLoop(
        (c: ReadonlyArray<Tensor>) => np.less(c[0]!, n),
        (c: ReadonlyArray<Tensor>) => [np.add(c[0]!, 1), c[1]!],
        [
          np.array(0),
          v
        ]
      )
    const [count, kept] = run(vmap(w, { inAxes: [0, null], outAxes: [0, null] })(np.array([1, 3]), y)) as Array<Tensor>
    assert.deepStrictEqual([js(count!), js(kept!)], [[1, 3], 3])
    // its derivative still flows: d/dv of [sum of v three times, v]
    const [, tangents] = run(
      jvp(
        (v: Tensor) =>
          lax.whileLoop(
            (c: ReadonlyArray<Tensor>) => np.less(c[0]!, 3),
            (c: ReadonlyArray<Tensor>) => [np.add(c[0]!, c[1]!), c[1]!],
            [np.array(0), v]
          ),
        [np.array(1)],
        [np.array(1)]
      )
    ) as [unknown, Array<Tensor>]
    assert.deepStrictEqual(tangents.map(js), [3, 1])
  })
})
