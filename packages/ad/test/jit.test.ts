import {
  customJvp,
  customVjp,
  evalProgram,
  grad,
  hessian,
  installProgramRunner,
  jit,
  JitArgnumsError,
  jvp,
  psum,
  UnhashableStaticArgError,
  valueAndGrad,
  vmap
} from "@diffect/ad"
import { aval, ConcretizationError, EscapedTracerError, lax, np, toJsSync, withBackend } from "@diffect/core"
import type { ConcreteTensor, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { compileExecutable } from "../src/internal/executable.js"
import { MAX_GROUP_DEPTH, planFusion } from "../src/internal/fusion.js"
import { simplifyProgram } from "../src/internal/simplify.js"
import { makeProgramFlat } from "../src/internal/staging.js"
import { backend, expect, failure, js, run, tensor, toJs } from "./gradHelpers.js"

const sumTanhX = (x: Tensor) => np.sum(np.multiply(np.tanh(x), x))
const chain = (steps: number) => (x: Tensor) => {
  let y = x
  for (let i = 0; i < steps; i++) y = np.add(y, np.multiply(0.01, np.sin(y)))
  return np.sum(y)
}

describe("jit", () => {
  it("computes the same bits as eager execution", () => {
    const x = tensor([0.25, -1.5, 3, 7.125])
    const got = js(run(jit(sumTanhX)(x)))
    const want = js(run(valueAndGrad(sumTanhX)(x))[0])
    assert.strictEqual(got, want)
    // and the value is the float64 one rounded (4 terms): hand check
    expect.close(got, [0.25, -1.5, 3, 7.125].reduce((a, v) => a + Math.tanh(v) * v, 0), 1e-6)
  })

  it("returns the function's pytree with tensors at the leaves (numbers become weak f32)", () => {
    const f = jit((p: { w: Tensor; b: Tensor }, x: Tensor) => ({ y: np.add(np.multiply(p.w, x), p.b), k: 2 }))
    const out = run(f({ w: tensor([1, 2]), b: tensor([0.5, 0.5]) }, tensor([3, 4])))
    assert.deepStrictEqual(js(out.y), [3.5, 8.5])
    assert.strictEqual(js(out.k as unknown as Tensor), 2)
    assert.isTrue((out.k as unknown as Tensor).weakType)
  })

  it("traces once per signature and retraces on a new shape, dtype, weak type or static value", () => {
    let traces = 0
    const f = jit((x: Tensor, n: number) => {
      traces++
      let y = x
      for (let i = 0; i < n; i++) y = np.sin(y)
      return y
    }, { staticArgnums: 1 })
    run(f(tensor([1, 2]), 2))
    run(f(tensor([3, 4]), 2))
    assert.strictEqual(traces, 1)
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 1, misses: 1 })
    run(f(tensor([1, 2, 3]), 2)) // shape
    run(f(tensor([1, 2], "float64"), 2)) // dtype
    run(f(1 as unknown as Tensor, 2)) // weak float32 scalar
    run(f(tensor([1, 2]), 3)) // static value
    assert.strictEqual(traces, 5)
    const y = js(run(f(tensor([1, 2]), 3))) as Array<number>
    assert.strictEqual(traces, 5)
    expect.close(y, [1, 2].map((v) => Math.sin(Math.sin(Math.sin(v)))), 1e-6)
    assert.deepStrictEqual(f.cacheInfo(), { size: 5, hits: 2, misses: 5 })
    f.clearCache()
    assert.deepStrictEqual(f.cacheInfo(), { size: 0, hits: 0, misses: 0 })
  })

  it("a pytree argument repeated (a training step's parameters) reuses its trace; a new structure or leaf type retraces", () => {
    let traces = 0
    // reads w only: every other leaf and key is part of the signature all the same
    const f = jit((p: { readonly w: Tensor } & Readonly<Record<string, unknown>>) => {
      traces++
      return np.add(np.sum(p.w), 1)
    })
    const p = { w: tensor([1, 2]), b: [tensor([3])] }
    for (let i = 0; i < 3; i++) assert.strictEqual(js(run(f(p))), 4)
    assert.deepStrictEqual([traces, f.cacheInfo().hits], [1, 2])
    // each right after a call of the same number of leaves and leaf types, but the first
    run(f({ w: tensor([1, 2]), c: [tensor([3])] })) // a key
    run(f({ w: tensor([1, 2]), c: tensor([3]) })) // a list for a leaf
    run(f({ w: tensor([1, 2]), c: tensor([3], "float64") })) // a leaf's dtype
    run(f({ w: tensor([1, 2, 3]), c: tensor([3], "float64") })) // a leaf's shape
    assert.strictEqual(traces, 5)
    // back to the first signature, then again: hits, whichever call was last
    assert.strictEqual(js(run(f({ w: tensor([5, 5]), b: [tensor([1])] }))), 11)
    assert.strictEqual(js(run(f({ w: tensor([5, 6]), b: [tensor([1])] }))), 12)
    assert.deepStrictEqual([traces, f.cacheInfo().hits, f.cacheInfo().misses], [5, 4, 5])
    f.clearCache()
    run(f(p))
    assert.strictEqual(traces, 6)
  })

  it("keeps at most cacheSize signatures, least recently used out", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      return np.negative(x)
    }, { cacheSize: 2 })
    run(f(tensor([1])))
    run(f(tensor([1, 2])))
    run(f(tensor([1]))) // hit: [1] is now the most recent
    run(f(tensor([1, 2, 3]))) // evicts [1, 2]
    assert.strictEqual(f.cacheInfo().size, 2)
    run(f(tensor([1])))
    assert.strictEqual(traces, 3)
    run(f(tensor([1, 2])))
    assert.strictEqual(traces, 4)
  })

  it("static arguments are compared by value (arrays and records like tuples)", () => {
    let traces = 0
    const f = jit((x: Tensor, cfg: { scale: number; axes: Array<number> }) => {
      traces++
      return np.multiply(x, cfg.scale)
    }, { staticArgnums: [-1] })
    run(f(tensor([1]), { scale: 2, axes: [0] }))
    run(f(tensor([1]), { axes: [0], scale: 2 }))
    assert.strictEqual(traces, 1)
    assert.deepStrictEqual(js(run(f(tensor([1]), { scale: 3, axes: [0] }))), [3])
    assert.strictEqual(traces, 2)
  })

  it("an unhashable static argument is a typed error (JAX's message)", () => {
    const f = jit((x: Tensor, y: Tensor) => np.add(x, y), { staticArgnums: 1 })
    const e = failure(f(tensor([1]), tensor([2])))
    expect.error(e, UnhashableStaticArgError, /^Non-hashable static arguments are not supported\./)
    assert.include((e as Error).message, "ConcreteTensor")
  })

  it("a cyclic or too deeply nested static argument is an UnhashableStaticArgError, not a stack overflow", () => {
    const f = jit((x: Tensor, _cfg: unknown) => x, { staticArgnums: 1 })
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const e = failure(f(tensor([1]), cyclic))
    expect.error(e, UnhashableStaticArgError, /^Non-hashable static arguments are not supported\./)
    assert.include((e as Error).message, "Object (cyclic)")
    let deep: unknown = 0
    for (let i = 0; i < 100_000; i++) deep = [deep]
    assert.include((failure(f(tensor([1]), deep)) as Error).message, "Array (nested over 256 deep)")
    // a value shared by two branches is no cycle
    const shared = [1, 2]
    assert.deepStrictEqual(js(run(f(tensor([5]), { a: shared, b: shared }))), [5])
  })

  it("staticArgnums out of range is JAX's error", () => {
    const f = jit((x: Tensor) => x, { staticArgnums: 1 })
    expect.error(
      failure(f(tensor([1]))),
      JitArgnumsError,
      "jitted function has staticArgnums=(1,) but was called with only 1 positional argument."
    )
  })

  it("reading a traced value is a ConcretizationError with JAX's hint", () => {
    const f = jit((x: Tensor) => ((toJsSync(np.sum(x)) as number) > 0 ? x : np.negative(x)))
    const e = failure(f(tensor([1, 2])))
    expect.error(e, ConcretizationError, /lax\.cond or lax\.whileLoop.*staticArgnums/)
    // the same read on a static argument is fine
    const g = jit((x: Tensor, s: number) => (s > 0 ? x : np.negative(x)), { staticArgnums: 1 })
    assert.deepStrictEqual(js(run(g(tensor([1, 2]), -1))), [-1, -2])
  })

  it("np.ravelMultiIndex under jit: mode \"raise\" (JAX's default) is a ConcretizationError with JAX's hint; clip works", () => {
    const i32 = (v: Array<number>) => np.array(v, { dtype: "int32" })
    const raise = jit((r: Tensor, c: Tensor) => np.ravelMultiIndex([r, c], [3, 4]))
    expect.error(
      failure(raise(i32([1, 2]), i32([3, 0]))),
      ConcretizationError,
      /mode='raise'.*mode='wrap' or mode='clip'/
    )
    const clip = jit((r: Tensor, c: Tensor) => np.ravelMultiIndex([r, c], [3, 4], { mode: "clip", order: "F" }))
    // F order, strides (1, 3): [1 + 9, 2 + 0] (and 5 clipped to 2: [2 + 9])
    assert.deepStrictEqual(js(run(clip(i32([1, 2, 5]), i32([3, 0, 3])))), [10, 2, 11])
  })

  it("np.delete under jit: traced positions need assumeUniqueIndices (JAX's assume_unique_indices), else a ConcretizationError", () => {
    const i32 = (v: Array<number>) => np.array(v, { dtype: "int32" })
    const v = np.array([10, 20, 30, 40, 50], { dtype: "int32" })
    const unique = jit((x: Tensor, o: Tensor) => np.delete(x, o, { assumeUniqueIndices: true }))
    assert.deepStrictEqual(js(run(unique(v, i32([4, 2])))), [10, 20, 40])
    assert.deepStrictEqual(js(run(unique(v, i32([0, -2])))), [20, 30, 50])
    const any = jit((x: Tensor, o: Tensor) => np.delete(x, o))
    expect.error(failure(any(v, i32([4, 2]))), ConcretizationError, /assumeUniqueIndices/)
  })

  it("comparing a traced value in JS (x > 0, Number(x)) is a ConcretizationError, not NaN; under grad it reads the primal", () => {
    const branch = (x: Tensor) => ((np.sum(x) as unknown as number) > 0 ? x : np.negative(x))
    expect.error(failure(jit(branch)(tensor([1, 2]))), ConcretizationError, /while jit traces it.*lax\.cond/)
    expect.error(failure(vmap(branch)(tensor([1, -2]))), ConcretizationError, /while vmap traces it/)
    // forward-mode values know their primal, as JAX's JVP tracers do: x > 0 picks x * x
    const g = grad((x: Tensor) => ((x as unknown as number) > 0 ? np.multiply(x, x) : np.negative(x)))
    assert.strictEqual(js(run(g(tensor(3)))), 6)
    assert.strictEqual(js(run(g(tensor(-3)))), -1)
  })

  it("a tracer escaping the jitted function is the escaped-tracer error", () => {
    let leaked: Tensor | undefined
    const f = jit((x: Tensor) => {
      leaked = np.sin(x)
      return x
    })
    run(f(tensor([1])))
    expect.error(failure(jit((y: Tensor) => np.add(y, leaked!))(tensor([1]))), EscapedTracerError, /jit/)
    // reading it after the call is the escaped-tracer error too, not a concretization "while jit traces it"
    let thrown: unknown
    try {
      toJsSync(leaked!)
    } catch (e) {
      thrown = e
    }
    assert.instanceOf(thrown, EscapedTracerError)
  })

  it("side effects happen when tracing, not on each call (JAX's sharp bit)", () => {
    const log: Array<string> = []
    const f = jit((x: Tensor) => {
      log.push("traced")
      return np.multiply(x, 2)
    })
    for (let i = 0; i < 3; i++) run(f(tensor([i])))
    assert.deepStrictEqual(log, ["traced"])
  })
})

describe("jit composes with every transformation", () => {
  const x0 = tensor([0.3, -1.2, 2.5, 0.7])
  const f = (x: Tensor) => np.sum(np.multiply(np.sin(x), np.exp(np.multiply(x, 0.5))))
  const df = (v: number) => Math.cos(v) * Math.exp(v / 2) + 0.5 * Math.sin(v) * Math.exp(v / 2)

  it("jit(valueAndGrad(f)) equals valueAndGrad(f) bit for bit", () => {
    const [v1, g1] = run(jit(valueAndGrad(f))(x0))
    const [v2, g2] = run(valueAndGrad(f)(x0))
    assert.deepStrictEqual(js(v1), js(v2))
    assert.deepStrictEqual(js(g1), js(g2))
    expect.close(js(g1), [0.3, -1.2, 2.5, 0.7].map(df), 1e-5)
  })

  it("grad(jit(f)), vmap(jit(f)) and jvp(jit(f))", () => {
    expect.close(js(run(grad(jit(f))(x0))), [0.3, -1.2, 2.5, 0.7].map(df), 1e-5)
    const rows = tensor([[0.1, 0.2], [1, 2], [-1, 0.5]])
    const mapped = js(run(vmap(jit((r: Tensor) => np.sum(np.sin(r))))(rows))) as Array<number>
    expect.close(mapped, [[0.1, 0.2], [1, 2], [-1, 0.5]].map(([a, b]) => Math.sin(a!) + Math.sin(b!)), 1e-6)
    const [y, t] = run(jvp(jit(np.sin), [tensor([0.5])], [tensor([2])]))
    expect.close(js(y), [Math.sin(0.5)], 1e-6)
    expect.close(js(t), [2 * Math.cos(0.5)], 1e-6)
  })

  it("jit(vmap(grad(f))) and nested jit", () => {
    const rows = tensor([[0.3, -1.2], [2.5, 0.7]])
    const g = js(run(jit(vmap(grad(f)))(rows)))
    expect.close(g, [[0.3, -1.2], [2.5, 0.7]].map((r) => r.map(df)), 1e-5)
    // a transformation inside jit returns an Effect, which jit resolves like every transformation
    const outer2 = jit((x: Tensor) => grad((z: Tensor) => np.sum(np.sin(z)))(x))
    expect.close(js(run(outer2(tensor([0.5, 1])))), [Math.cos(0.5), Math.cos(1)], 1e-6)
    const nested = jit((x: Tensor) => jit((z: Tensor) => np.multiply(z, 3))(x))
    assert.deepStrictEqual(js(run(nested(tensor([1, 2])))), [3, 6])
  })

  it("hessian(jit(f)) and jit(hessian(f)) agree with the hand-derived Hessian", () => {
    // f(x) = sum(x^3) + x0 * x1: H = diag(6x) + [[0,1],[1,0]]
    const h = (x: Tensor) => np.add(np.sum(np.power(x, 3)), np.multiply(np.take(x, 0), np.take(x, 1)))
    const x = tensor([1, 2])
    const want = [[6, 1], [1, 12]]
    expect.close(js(run(hessian(jit(h))(x))), want, 1e-6)
    expect.close(js(run(jit(hessian(h))(x))), want, 1e-6)
  })

  it("a jitted function closing over an outer tracer (grad of a closure) is differentiated", () => {
    const g = grad((a: Tensor) => Effect.map(jit((x: Tensor) => np.multiply(x, a))(tensor([1, 2])), (y) => np.sum(y)))
    expect.close(js(run(g(tensor(3)))), 3, 1e-6)
  })
})

describe("jit with custom rules and named axes", () => {
  it("a custom JVP rule is used by grad inside and outside jit (a deliberately wrong rule shows it)", () => {
    // the rule says d sin = 10 t, so the gradient is 10 wherever it is taken
    const fake = customJvp((x: Tensor) => np.sin(x)).defJvp(([x], [t]) => [np.sin(x), np.multiply(t, 10)])
    const f = (x: Tensor) => np.sum(fake(x))
    assert.deepStrictEqual(js(run(jit(grad(f))(tensor([0.5, 1])))), [10, 10])
    assert.deepStrictEqual(js(run(grad(jit(f))(tensor([0.5, 1])))), [10, 10])
    expect.close(js(run(jit(f)(tensor([0.5, 1])))), Math.sin(0.5) + Math.sin(1), 1e-6)
    // the staged program keeps the call as one equation, as a jaxpr keeps custom_jvp_call; the
    // compiled one runs its function inline (JAX lowers the call's jaxpr), fused with the sum
    assert.match(
      makeProgramFlat(([x]) => [f(x!)], [aval([2], "float32")]).toString(),
      /= custom_jvp_call\[name=[^\]]*\] a\n/
    )
    const lowered = run(jit(f).lower(tensor([0.5, 1]))).text
    assert.notMatch(lowered, /custom_jvp_call/)
    assert.match(lowered, /= sin /)
  })

  it("a custom VJP rule (gradient clipping) runs its bwd under jit(grad(f)) and grad(jit(f))", () => {
    const clip = customVjp((x: Tensor) => x).defVjp((x) => [x, null], (_res, g) => [np.clip(g, { min: -1, max: 1 })])
    const f = (x: Tensor) => np.sum(np.multiply(clip(x), 5))
    assert.deepStrictEqual(js(run(jit(grad(f))(tensor([1, 2])))), [1, 1])
    assert.deepStrictEqual(js(run(grad(jit(f))(tensor([1, 2])))), [1, 1])
  })

  it("named-axis collectives inside jit: jit(vmap(x / psum(x))) and vmap(jit(...)) with an axis name", () => {
    const normalize = (v: Tensor) => np.divide(v, psum(v, "i"))
    const xs = tensor([1, 3, 4])
    assert.deepStrictEqual(js(run(jit(vmap(normalize, { axisName: "i" }))(xs))), [0.125, 0.375, 0.5])
    assert.deepStrictEqual(js(run(vmap(jit(normalize), { axisName: "i" })(xs))), [0.125, 0.375, 0.5])
  })
})

describe("jit's compiler", () => {
  it("fuses an elementwise chain and its reduction (a group root) into one kernel", () => {
    const text = run(jit(sumTanhX).lower(tensor([1, 2, 3]))).text
    assert.strictEqual(
      text,
      `{ lambda ; a:f32[3]. let
    b:f32[] = fusion[shape=(3,)] a {
        c:f32[3] = tanh a
        d:f32[3] = mul c a
        b:f32[] = reduce_sum[axes=(0,)] d
      }
  in (b,) }`
    )
  })

  it("a lone reduction over leading axes heads a group of its own (summed in the kernel); over trailing axes it runs alone", () => {
    const x = tensor([[1, -2, 3], [4, 5, -7], [0.5, 0.25, 8]])
    const columns = jit((x: Tensor) => np.sum(x, { axis: 0 }))
    const rows = jit((x: Tensor) => np.max(x, { axis: 1 }))
    assert.match(
      run(columns.lower(x)).text,
      /= fusion\[shape=\(3, 3\)\] a \{\n {8}\w+:f32\[3\] = reduce_sum\[axes=\(0,\)\] a/
    )
    assert.notMatch(run(rows.lower(x)).text, /fusion/)
    // the same bits as the unfused kernel: each column summed in order in float64, rounded once
    assert.deepStrictEqual(js(run(columns(x))), [5.5, 3.25, 4])
    assert.deepStrictEqual(js(run(rows(x))), [3, 5, 8])
    const big = tensor(Array.from({ length: 64 }, (_, i) => Array.from({ length: 40 }, (_, j) => Math.sin(i * 40 + j))))
    assert.deepStrictEqual(js(run(columns(big))), js(np.sum(big, { axis: 0 })))
  })

  it("a reduction root's result read back in its shape starts a new group; leading-axis reductions are roots too", () => {
    // softmax over rows: the max of the input has no producer to join (it runs alone); the row
    // sum of exp is a root of exp's group; dividing by it (read back in the group's shape) seals
    const softmax = (x: Tensor) => {
      const e = np.exp(np.subtract(x, np.max(x, { axis: 1, keepdims: true })))
      return np.divide(e, np.sum(e, { axis: 1, keepdims: true }))
    }
    // a record parameter prints its fields (it printed as [object Object])
    const convText = run(
      jit((x: Tensor, w: Tensor) => lax.convGeneralDilated(x, w, [1], "VALID")).lower(
        np.ones([1, 1, 4]),
        np.ones([1, 1, 2])
      )
    ).text
    assert.include(convText, "dimensionNumbers={lhsSpec=(0, 1, 2), rhsSpec=(0, 1, 2), outSpec=(0, 1, 2)}")
    const text = run(jit(softmax).lower(tensor([[1, 2, 3], [4, 5, 7]]))).text
    const top = text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("="))
    // (the keepdims expand_dims are index maps: folded into the groups' reads)
    assert.deepStrictEqual(top.map((l) => /= (\w+)/.exec(l)![1]), ["reduce_max", "fusion", "fusion"])
    assert.match(top[1]!, /^ {4}\w+:f32\[2\] \w+:f32\[2,3\] = fusion/, "the row sum is a root of exp's group")
    assert.match(text, /\n {8}\w+:f32\[2\] = reduce_sum\[axes=\(1,\)\]/)
    const colSum = jit((x: Tensor) => np.sum(np.tanh(x), { axis: 0 }))
    const colText = run(colSum.lower(tensor([[1, 2], [3, 4]]))).text
    assert.match(colText, /^ {4}\w+:f32\[2\] = fusion/m, "a column sum is the root of tanh's group")
    assert.match(colText, /\n {8}\w+:f32\[2\] = reduce_sum\[axes=\(0,\)\]/)
    const middle = run(jit((x: Tensor) => np.sum(np.tanh(x), { axis: 1 })).lower(tensor([[[1, 2]], [[3, 4]]]))).text
    assert.match(middle, /\n {4}\w+:f32\[2,2\] = reduce_sum\[axes=\(1,\)\]/, "a middle axis runs alone")
    expect.close(js(run(colSum(tensor([[1, 2], [3, 4]])))) as Array<number>, [
      Math.tanh(1) + Math.tanh(3),
      Math.tanh(2) + Math.tanh(4)
    ], 1e-6)
    const y = js(run(jit(softmax)(tensor([[1, 2, 3], [4, 5, 7]])))) as Array<Array<number>>
    const row = (r: ReadonlyArray<number>) =>
      r.map((v) => Math.exp(v - Math.max(...r)) / r.reduce((a, u) => a + Math.exp(u - Math.max(...r)), 0))
    expect.close(y.flat(), [row([1, 2, 3]), row([4, 5, 7])].flat(), 1e-6)
  })

  it("folds scalar broadcasts into the kernel as literals, removes x * 1, and shares common subexpressions", () => {
    const f = jit((x: Tensor) => np.add(np.multiply(np.sin(x), 1), np.multiply(np.sin(x), 2)))
    const lowered = run(f.lower(tensor([1, 2])))
    // one sin (CSE), no multiply by one, the 2 folded as a constant broadcast (a) and inlined
    const body = lowered.text.split("\n").filter((l) => l.startsWith("        ")).map((l) => l.trim())
    assert.deepStrictEqual(body, ["d:f32[2] = sin b", "e:f32[2] = mul d a", "c:f32[2] = add d e"])
    const y = js(run(f(tensor([1, 2])))) as Array<number>
    expect.close(y, [1, 2].map((v) => 3 * Math.sin(v)), 1e-6)
  })

  it("keeps -0 apart from 0: x + 0 is not folded to x, and reads padded with -0 and with 0 stay two inputs", () => {
    const signs = (t: Tensor) => (js(t) as Array<number>).map((v) => Object.is(v, -0) ? "-0" : String(v))
    const x = tensor([-0, 1])
    // -0 + 0 = +0 and -0 - 0 = -0 (IEEE), so neither may be simplified away the other way
    assert.deepStrictEqual(signs(run(jit((x: Tensor) => np.add(x, 0))(x))), ["0", "1"])
    assert.deepStrictEqual(signs(run(jit((x: Tensor) => np.subtract(x, 0))(x))), ["-0", "1"])
    assert.deepStrictEqual(signs(run(jit((x: Tensor) => np.subtract(x, -0))(x))), ["0", "1"])
    // the pads fold into the kernel's reads of y with fills -0 and 0: -0 + 0 = +0 at the border
    const padded = (y: Tensor) => np.add(lax.pad(y, np.array(-0), [[1, 0, 0]]), lax.pad(y, np.array(0), [[1, 0, 0]]))
    const y = tensor([1, 2])
    assert.deepStrictEqual(signs(padded(y)), ["0", "2", "4"])
    assert.deepStrictEqual(signs(run(jit(padded)(y))), ["0", "2", "4"])
  })

  it("removes max(x, -inf) and min(x, inf) (the identities), keeping NaN and -0 as they are", () => {
    const signs = (t: Tensor) => (js(t) as Array<number>).map((v) => Object.is(v, -0) ? "-0" : String(v))
    const x = tensor([-0, NaN, -Infinity, 2])
    const viaMax = jit((x: Tensor) => np.maximum(np.minimum(x, Infinity), -Infinity))
    assert.notMatch(run(viaMax.lower(x)).text, /max|min/)
    assert.deepStrictEqual(signs(run(viaMax(x))), ["-0", "NaN", "-Infinity", "2"])
    // softmax's `max(reduce_max(x), -inf)` (nn.softmax's initial) is the reduction: no group of its own
    const softmax = jit((x: Tensor) => {
      const e = np.exp(np.subtract(x, np.maximum(np.max(x, { axis: -1, keepdims: true }), -Infinity)))
      return np.divide(e, np.sum(e, { axis: -1, keepdims: true }))
    })
    const text = run(softmax.lower(tensor([[1, 2, 3], [4, 5, 7]]))).text
    assert.strictEqual(text.match(/fusion\[/g)?.length, 2)
    assert.notMatch(text, / max /)
    // other constants stay: max(x, 0) is a relu
    assert.match(run(jit((x: Tensor) => np.maximum(x, 0)).lower(x)).text, / max /)
  })

  it("drops dead code", () => {
    const f = jit((x: Tensor) => {
      np.exp(x) // unused
      return np.negative(x)
    })
    const text = run(f.lower(tensor([1]))).text
    assert.notInclude(text, "exp")
    assert.include(text, "neg")
  })

  it("reads a broadcast row vector through strides instead of materializing it (bias add)", () => {
    const f = jit((x: Tensor, b: Tensor) => np.tanh(np.add(x, b)))
    const text = run(f.lower(tensor([[1, 2, 3], [4, 5, 6]]), tensor([0.5, -0.5, 1]))).text
    assert.match(text, /= fusion\[shape=\(2, 3\)\]/)
    assert.strictEqual(text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ")).length, 2)
    const y = js(run(f(tensor([[1, 2, 3], [4, 5, 6]]), tensor([0.5, -0.5, 1]))))
    const want = [[1, 2, 3], [4, 5, 6]].map((r) =>
      r.map((v, j) => Math.fround(Math.tanh(Math.fround(v + [0.5, -0.5, 1][j]!))))
    )
    assert.deepStrictEqual(y, want)
  })

  it("folds slices, transposes, reversals and reshapes into fused reads; removes whole-operand slices", () => {
    // the Rosenbrock terms read two shifted slices of x: one kernel, no slice step, no copy
    const f = jit((x: Tensor) => {
      const head = lax.slice(x, [0], [3])
      const tail = lax.slice(x, [1], [4])
      const t = np.transpose(np.reshape(np.subtract(tail, np.square(head)), [1, 3]))
      return np.add(lax.slice(t, [0, 0], [3, 1]), lax.rev(np.reshape(head, [3, 1]), [0]))
    })
    const x = tensor([1, 2, -3, 0.5])
    const text = run(f.lower(x)).text
    const top = text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("="))
    assert.deepStrictEqual(top.map((l) => /= (\w+)/.exec(l)![1]), ["fusion", "fusion"])
    assert.notMatch(text, /slice\[startIndices=\(0, 0\)/, "the whole-operand slice of t is gone")
    assert.match(text, /\n {8}\w+:f32\[3,1\] = transpose/, "the transpose is a member of the second kernel")
    const h = [1, 2, -3]
    const u = [2, -3, 0.5].map((v, i) => Math.fround(v - Math.fround(h[i]! * h[i]!)))
    assert.deepStrictEqual(js(run(f(x))), u.map((v, i) => [Math.fround(v + h[2 - i]!)]))
  })

  it("shapes equal up to size-1 dimensions share a group; a uniform value is a literal, never an output", () => {
    // y [3] and its [1, 3] and [3, 1] reshapes are one domain: one kernel; the broadcast 2s of both
    // shapes are inlined (no kernel stores them)
    const f = jit((x: Tensor) => {
      const y = np.sin(x)
      const row = np.multiply(np.reshape(y, [1, 3]), np.full([1, 3], 2))
      return [np.exp(np.reshape(row, [3, 1])), np.multiply(y, np.full([3], 2))]
    })
    const text = run(f.lower(tensor([0.5, 1, 2]))).text
    const top = text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("="))
    assert.strictEqual(top.length, 1)
    assert.match(top[0]!, /^ {4}\w+:f32\[3,1\] \w+:f32\[3\] = fusion\[shape=\(3,\)\]/)
    const [a, b] = run(f(tensor([0.5, 1, 2]))).map(js) as [Array<Array<number>>, Array<number>]
    const s = [0.5, 1, 2].map((v) => Math.fround(2 * Math.fround(Math.sin(v))))
    expect.close(a.flat(), s.map(Math.exp), 1e-6)
    assert.deepStrictEqual(b, s)
  })

  it("a reduction over a size-1-padded shape sums as eager does (the same algorithm as reduce.ts on its own shape)", () => {
    // [1, 300, 3] over axis 1 is not a leading reduction for reduce.ts (it transposes and sums rows
    // pairwise), though its squeezed domain [300, 3] would make it one; [300, 1] over axis 0 is
    // leading (columns, in order) though [300] would be a row
    const v = Array.from({ length: 900 }, (_, i) => Math.sin(i * 0.37) * 1e3 + 1e-3 * i)
    for (const dtype of ["float32", "float64"] as const) {
      const a = np.reshape(np.array(v, { dtype }), [1, 300, 3])
      const b = np.reshape(np.array(v.slice(0, 300), { dtype }), [300, 1])
      const f = (x: Tensor) => np.sum(np.multiply(np.sin(x), 1e3), { axis: 1 })
      const g = (x: Tensor) => np.sum(np.multiply(np.sin(x), 1e3), { axis: 0 })
      assert.deepStrictEqual(js(run(jit(f)(a))), js(withBackend(backend, () => f(a))), dtype)
      assert.deepStrictEqual(js(run(jit(g)(b))), js(withBackend(backend, () => g(b))), dtype)
    }
  })

  it("a group whose only value is returned transposed computes the transposed result (no copy step)", () => {
    const f = jit((x: Tensor) => np.transpose(np.multiply(np.sin(x), 2)))
    const g = jit((x: Tensor) => {
      const y = np.sin(x)
      return [np.transpose(y), y] // y is read twice: the transpose stays a step
    })
    const x = tensor([[0.5, 1, 2], [-1, 3, 0.25]])
    const text = run(f.lower(x)).text
    const top = text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("="))
    assert.strictEqual(top.length, 1)
    assert.match(top[0]!, /^ {4}\w+:f32\[3,2\] = fusion\[shape=\(3, 2\)\]/)
    const want = [[0.5, -1], [1, 3], [2, 0.25]].map((r) => r.map((v) => Math.fround(Math.fround(Math.sin(v)) * 2)))
    assert.deepStrictEqual(js(run(f(x))), want)
    assert.match(run(g.lower(x)).text, /\n {4}\w+:f32\[3,2\] = transpose/)
    const [t, y] = run(g(x)).map(js) as [Array<Array<number>>, Array<Array<number>>]
    assert.deepStrictEqual(t, y[0]!.map((_, j) => y.map((r) => r[j]!)))
  })

  it("a returned index map of a group's value that another group reads through a chain stays a step (rev(rev(y)) read, rev(y) returned)", () => {
    // found by the WebGPU random programs: the first group was made to compute rev(y) instead of
    // y while the second still read y through its chain
    const f = jit((x: Tensor, row: Tensor) => {
      const y = np.add(x, row)
      const twice = np.flip(np.flip(y, { axis: 1 }), { axis: 1 })
      const s = np.sin(twice)
      return [s, np.sum(s, { axis: 1 }), twice]
    })
    const x = tensor([[0.5, 1, 2], [-1, 3, 0.25]])
    const row = tensor([1, -2, 0.5])
    const [s, sums, twice] = run(f(x, row)).map(js) as [Array<Array<number>>, Array<number>, Array<Array<number>>]
    const y = [[1.5, -1, 2.5], [0, 1, 0.75]]
    assert.deepStrictEqual(twice, y)
    assert.deepStrictEqual(s, y.map((r) => r.map((v) => Math.fround(Math.sin(v)))))
    sums.forEach((v, i) => assert.closeTo(v, s[i]!.reduce((a, b) => a + b, 0), 1e-6))
  })

  it("a transposed product is the product with its operands swapped (x.T @ dy in reverse mode), same bits", () => {
    // K = 300 crosses the GEMM's K blocks: the sums keep their order either way
    const f = (a: Tensor, b: Tensor) => np.transpose(np.matmul(np.transpose(a), b))
    const a = np.reshape(np.sin(np.arange(300 * 5)), [300, 5])
    const b = np.reshape(np.cos(np.arange(300 * 7)), [300, 7])
    const text = run(jit(f).lower(a, b)).text
    assert.notInclude(text, "transpose")
    assert.match(text, /f32\[7,5\] = dot_general\[contracting=\(\(0,\), \(0,\)\)/)
    assert.deepStrictEqual(js(run(jit(f)(a, b))), js(withBackend(backend, () => f(a, b))))
    // a product read elsewhere too keeps its transpose (one product, not two)
    const g = jit((x: Tensor, y: Tensor) => {
      const p = np.matmul(x, y)
      return [np.transpose(p), np.sum(p)]
    })
    assert.include(run(g.lower(np.ones([2, 3]), np.ones([3, 4]))).text, "transpose")
  })

  it("a compiled program run with donated inputs writes an output into a donated buffer (a scan's carry)", () => {
    const runner = installProgramRunner(undefined)!
    installProgramRunner(runner)
    const program = makeProgramFlat(([c, x]) => [np.add(c!, np.sin(x!))], [aval([4], "float32"), aval([4], "float32")])
    const x = tensor([0.5, 1, 2, 3])
    const s = [0.5, 1, 2, 3].map((v) => Math.fround(Math.sin(v)))
    withBackend(backend, () => {
      const c0 = np.add(tensor([1, 2, 3, 4]), 0)
      runner(program, [c0, x]) // the first run of a program is interpreted
      const c1 = runner(program, [c0, x])[0]!
      const c2 = runner(program, [c1, x], [true, false])[0]!
      assert.isTrue((c1 as ConcreteTensor).released, "the donated carry gave its memory")
      assert.isFalse((c0 as ConcreteTensor).released)
      assert.deepStrictEqual(js(c2), [1, 2, 3, 4].map((v, i) => Math.fround(Math.fround(v + s[i]!) + s[i]!)))
      // not donated: both stay
      const c3 = runner(program, [c2, x])[0]!
      assert.isFalse((c2 as ConcreteTensor).released)
      assert.deepStrictEqual(
        js(c3),
        [1, 2, 3, 4].map((v, i) => Math.fround(Math.fround(Math.fround(v + s[i]!) + s[i]!) + s[i]!))
      )
    })
  })

  it("reuses arena buffers for intermediates across calls without touching returned results", () => {
    // sin(x) is a group output read only by the [2, 3] group: it lives in the arena
    const f = jit((x: Tensor) => np.add(np.broadcastTo(np.sin(x), [2, 3]), np.ones([2, 3])))
    const want = (v: ReadonlyArray<number>) => [0, 1].map(() => v.map((u) => Math.fround(Math.fround(Math.sin(u)) + 1)))
    const first = run(f(tensor([1, 2, 3])))
    const second = run(f(tensor([4, 5, 6])))
    const third = run(f(tensor([-1, 0, 0.5])))
    assert.deepStrictEqual(js(first), want([1, 2, 3]))
    assert.deepStrictEqual(js(second), want([4, 5, 6]))
    assert.deepStrictEqual(js(third), want([-1, 0, 0.5]))
  })

  it("plans arena buffers so that intermediates whose lifetimes do not overlap share one", () => {
    // four groups, each reading the previous one's value through a transpose (which seals it): a, b
    // and c live in the arena, and c (made after a's last reader ran) takes a's buffer
    const program = makeProgramFlat(([x]) => {
      const a = np.sin(x!)
      const b = np.exp(np.transpose(np.reshape(a, [2, 3])))
      const c = np.tanh(np.transpose(b))
      return [np.cos(np.broadcastTo(c, [2, 2, 3]))]
    }, [aval([6], "float32")])
    const { program: simple, uniform } = simplifyProgram(program, backend)
    const steps = planFusion(simple, true)
    assert.strictEqual(steps.length, 4)
    const exe = compileExecutable(simple, steps, uniform, backend)
    const x = tensor([0.1, 0.2, 0.3, -1, 2, 0])
    const eager = js(withBackend(backend, () => evalProgram(simple, simple.consts, [x])[0]!))
    const once = exe.run([x])[0]!
    assert.strictEqual(exe.arenaBuffers(), 2)
    assert.deepStrictEqual(js(once), eager)
    const again = exe.run([tensor([1, 1, 1, 1, 1, 1])])[0]!
    assert.strictEqual(exe.arenaBuffers(), 2)
    assert.deepStrictEqual(js(once), eager) // the returned result is not in the arena
    assert.notDeepEqual(js(again), eager)
  })

  it("a 5,000-step chain compiles (a group's depth is bounded, not the JS stack) and equals eager", () => {
    const x = tensor([0.5, 1, -2])
    const f = chain(5000)
    const text = run(jit(f).lower(x)).text
    const groups = text.split("\n").filter((l) =>
      l.startsWith("    ") && !l.startsWith("        ") && l.includes("fusion")
    )
    // 15,000 members deep: split into groups of at most MAX_GROUP_DEPTH (8,192) expression levels each
    assert.isAtLeast(groups.length, Math.ceil(15000 / MAX_GROUP_DEPTH))
    assert.deepStrictEqual(js(run(jit(f)(x))), js(f(x)))
  }, 120_000)

  it("stages the 200-step chain's value and gradient as one fused kernel (the sum its root)", () => {
    const text = run(jit(valueAndGrad(chain(200))).lower(tensor(new Array(16).fill(0.5)))).text
    const top = text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("="))
    assert.strictEqual(top.length, 1)
    assert.include(top[0]!, "fusion")
    assert.include(text, "reduce_sum")
  })
})

// Random elementwise programs: compiled (fused) and interpreted give the same bits.
type Op = readonly [kind: number, a: number, b: number]
const unaryOps = [np.sin, np.exp, np.tanh, np.negative, np.abs, np.sqrt, np.log1p, np.square, np.floor]
const binaryOps = [np.add, np.subtract, np.multiply, np.divide, np.maximum, np.minimum]
// index maps of [2, 3] values back to [2, 3] (folded into fused reads, or materialized when a view cannot say it)
const viewOps: ReadonlyArray<(u: Tensor, v: Tensor) => Tensor> = [
  (u) => lax.rev(u, [1]),
  (u) => lax.rev(lax.reshape(u, [3, 2]), [0, 1]).reshape([2, 3]),
  (u) => np.reshape(np.transpose(u), [2, 3]),
  (u, v) => lax.slice(np.concatenate([u, v], { axis: 1 }), [0, 2], [2, 5]),
  (u, v) => lax.slice(np.concatenate([u, v], { axis: 0 }), [1, 0], [4, 3], [2, 1]),
  (u) => np.transpose(lax.slice(np.transpose(np.concatenate([u, u], { axis: 1 })), [1, 0], [4, 2])),
  // pads: a constant and a computed padding value, a crop, and interior padding (not a box: materialized)
  (u) => lax.pad(lax.slice(u, [0, 1], [2, 3]), np.array(0.5), [[0, 0, 0], [1, 0, 0]]),
  (u, v) => lax.pad(lax.slice(u, [1, 0], [2, 3]), np.max(v), [[0, 1, 0], [0, 0, 0]]),
  (u) => lax.pad(u, np.array(-2), [[0, 0, 0], [-1, 1, 0]]),
  (u) => lax.slice(lax.pad(u, np.array(3), [[0, 0, 1], [0, 0, 0]]), [0, 0], [2, 3]),
  (u, v) => np.add(lax.pad(lax.slice(u, [0, 0], [1, 3]), np.array(0), [[1, 0, 0], [0, 0, 0]]), v)
]

const randomProgram = (ops: ReadonlyArray<Op>) => (x: Tensor, y: Tensor, s: Tensor): Tensor => {
  const values: Array<Tensor> = [x, y, np.broadcastTo(s, x.shape)]
  for (const [kind, a, b] of ops) {
    const u = values[a % values.length]!
    const v = values[b % values.length]!
    const elementwise = unaryOps.length + binaryOps.length
    values.push(
      kind < unaryOps.length
        ? unaryOps[kind]!(u)
        : kind < elementwise
        ? binaryOps[kind - unaryOps.length]!(u, v)
        : kind < elementwise + viewOps.length
        ? viewOps[kind - elementwise]!(u, v)
        : np.broadcastTo(np.sum(u, { axis: 1, keepdims: true }), u.shape)
    )
  }
  return np.stack(values.slice(3).concat([values[values.length - 1]!]))
}

describe("jit on random programs", () => {
  it("compiled equals interpreted, bit for bit (fast-check)", () => {
    const op = fc.tuple(fc.nat(unaryOps.length + binaryOps.length + viewOps.length), fc.nat(50), fc.nat(50))
    const arr = (n: number) =>
      fc.array(fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), {
        minLength: n,
        maxLength: n
      })
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 12 }),
        arr(6),
        arr(6),
        fc.float({ min: -2, max: 2, noNaN: true }),
        (ops, xs, ys, s) => {
          const f = randomProgram(ops)
          const x = tensor([xs.slice(0, 3), xs.slice(3)])
          const y = tensor([ys.slice(0, 3), ys.slice(3)])
          const sc = tensor(s)
          const eager = js(withBackend(backend, () => f(x, y, sc)))
          const compiled = js(run(jit(f)(x, y, sc)))
          assert.deepStrictEqual(compiled, eager)
        }
      ),
      { numRuns: 80 }
    )
  })
})

// float32 values from a seed (an LCG), so products big enough for the wasm GEMM stay cheap to generate
const seeded = (seed: number, shape: ReadonlyArray<number>): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    data[i] = s / 2 ** 31 - 1
  }
  return np.reshape(np.array(data), shape)
}
const primitivesOf = (text: string) =>
  text.split("\n").filter((l) => /^ {4}\S.* = /.test(l)).map((l) => /= (\w+)/.exec(l)![1])

describe("jit folds transposes into dot_general", () => {
  const mlp = (p: { w1: Tensor; b1: Tensor; w2: Tensor }, x: Tensor) =>
    np.sum(np.square(np.matmul(np.tanh(np.add(np.matmul(x, p.w1), p.b1)), p.w2)))
  const params = { w1: seeded(1, [24, 16]), b1: seeded(2, [16]), w2: seeded(3, [16, 8]) }
  const x = seeded(4, [32, 24])

  it("an MLP's gradient program has no transpose, and equals eager execution bit for bit", () => {
    const step = jit(grad(mlp))
    const text = run(step.lower(params, x)).text
    assert.notInclude(primitivesOf(text), "transpose")
    // the weight gradients are products whose lhs is read transposed (contracting its dim 0)
    assert.match(text, /\w+:f32\[24,16\] = dot_general\[contracting=\(\(0,\), \(0,\)\)/)
    assert.match(text, /\w+:f32\[16,8\] = dot_general\[contracting=\(\(0,\), \(0,\)\)/)
    // eager runs JAX's transpose rule as written (a product, then a transpose kernel)
    const eager = toJs(run(grad(mlp)(params, x)))
    assert.deepStrictEqual(toJs(run(step(params, x))), eager)
  })

  it("transpose(dot(a, b)) is dot(b, a) and dot(transpose(x), y) reads x in place: same bits (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(1000),
        fc.constantFrom<"default" | "highest">("default", "highest"),
        (b, m, k, n, seed, precision) => {
          const a = seeded(seed, [b, k, m])
          const c = seeded(seed + 1, [b, n, k])
          // a batched product of a transposed lhs and rhs, itself transposed to (batch, n, m)
          const f = (a: Tensor, c: Tensor) =>
            lax.transpose(
              lax.dotGeneral(lax.transpose(a, [0, 2, 1]), lax.transpose(c, [0, 2, 1]), [[2], [1]], [[0], [0]], {
                precision
              }),
              [0, 2, 1]
            )
          const text = run(jit(f).lower(a, c)).text
          assert.deepStrictEqual(primitivesOf(text), ["dot_general"])
          assert.deepStrictEqual(js(run(jit(f)(a, c))), js(withBackend(backend, () => f(a, c))))
        }
      ),
      { numRuns: 40 }
    )
  })

  it("keeps a transpose whose product has another reader, and one that reorders an operand's free dims", () => {
    const shared = jit((a: Tensor, b: Tensor) => {
      const p = np.matmul(a, b)
      return [p, np.transpose(p)]
    })
    assert.deepStrictEqual(primitivesOf(run(shared.lower(seeded(1, [3, 4]), seeded(2, [4, 5]))).text), [
      "dot_general",
      "transpose"
    ])
    // the lhs's free dims (0, 1) swapped by the transpose: folding would reorder the output
    const reorder = jit((a: Tensor, b: Tensor) => lax.dotGeneral(lax.transpose(a, [1, 0, 2]), b, [[2], [0]]))
    const a = seeded(3, [2, 3, 4])
    const b = seeded(4, [4, 5])
    assert.deepStrictEqual(primitivesOf(run(reorder.lower(a, b)).text), ["transpose", "dot_general"])
    assert.deepStrictEqual(
      js(run(reorder(a, b))),
      js(withBackend(backend, () => lax.dotGeneral(lax.transpose(a, [1, 0, 2]), b, [[2], [0]])))
    )
  })
})

/**
 * The variables a printed plan reads before any line defines them (the header's, an earlier
 * equation's, or an earlier member's of the same group); plans without nested programs.
 */
const readBeforeDefined = (text: string): Array<string> => {
  const lines = text.split("\n")
  const defined = new Set<string>()
  const declared = (decls: string) => decls.trim().split(/\s+/).map((d) => d.split(":")[0]!)
  const header = /^\{ lambda (.*); (.*)\. let$/.exec(lines[0]!)!
  for (const part of [header[1]!, header[2]!]) {
    if (part.trim() !== "") {
      for (const v of declared(part)) defined.add(v)
    }
  }
  const early: Array<string> = []
  for (const line of lines.slice(1)) {
    const m = /^\s+(.+?) = (\w+)(\[.*\])?((?: \w+)*)(?: \{)?$/.exec(line)
    if (m === null) continue
    for (const v of m[4]!.trim().split(/\s+/).filter((v) => v !== "")) if (!defined.has(v)) early.push(v)
    for (const v of declared(m[1]!)) defined.add(v)
  }
  return early
}

describe("jit prints valid programs", () => {
  it("a broadcast folded into two groups is printed in each: no group reads a value before it is defined", () => {
    const mlpLoss = (p: { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor }, x: Tensor, y: Tensor) => {
      const logits = np.add(np.matmul(np.tanh(np.add(np.matmul(x, p.w1), p.b1)), p.w2), p.b2)
      const logp = np.subtract(logits, np.logsumexp(logits, { axis: 1, keepdims: true }))
      return np.negative(np.mean(np.sum(np.multiply(logp, y), { axis: 1 })))
    }
    const params = { w1: seeded(21, [12, 8]), b1: seeded(22, [8]), w2: seeded(23, [8, 5]), b2: seeded(24, [5]) }
    // (a batch of 128: at 6 rows the mean's scale is folded differently and no broadcast is shared)
    const [x, y] = [seeded(25, [128, 12]), seeded(26, [128, 5])]
    const text = run(jit(valueAndGrad(mlpLoss)).lower(params, x, y)).text
    assert.include(text, "fusion")
    assert.deepStrictEqual(readBeforeDefined(text), [])
    // the checker itself: a use before the definition is found
    assert.deepStrictEqual(
      readBeforeDefined("{ lambda ; a:f32[]. let\n    b:f32[] = neg c\n    c:f32[] = neg a\n  in (b,) }"),
      ["c"]
    )
  })
})

describe("jit fuses dot_general with its elementwise epilogue", () => {
  const x = seeded(11, [6, 20])
  const w = seeded(12, [20, 9])
  const b = seeded(13, [9])

  it("a dense layer is one kernel: the product heads a group with its bias add and activation", () => {
    const layer = jit((x: Tensor, w: Tensor, b: Tensor) => np.tanh(np.add(np.matmul(x, w), b)))
    const text = run(layer.lower(x, w, b)).text
    assert.deepStrictEqual(primitivesOf(text), ["fusion"])
    const body = text.split("\n").filter((l) => l.startsWith("        ")).map((l) => /= (\w+)/.exec(l)![1])
    assert.deepStrictEqual(body, ["dot_general", "broadcast_in_dim", "add", "tanh"])
    assert.match(text, /= fusion\[shape=\(6, 9\)\] a b c \{/, "the product's operands are the group's inputs")
    assert.deepStrictEqual(js(run(layer(x, w, b))), js(withBackend(backend, () => np.tanh(np.add(np.matmul(x, w), b)))))
  })

  it("a product that is returned, read by another product, or has no epilogue runs alone", () => {
    const returned = jit((x: Tensor, w: Tensor) => {
      const p = np.matmul(x, w)
      return [p, np.tanh(p)]
    })
    assert.deepStrictEqual(primitivesOf(run(returned.lower(x, w)).text), ["dot_general", "fusion"])
    const [p, t] = run(returned(x, w)) as [Tensor, Tensor]
    assert.deepStrictEqual(js(p), js(withBackend(backend, () => np.matmul(x, w))))
    assert.deepStrictEqual(js(t), js(withBackend(backend, () => np.tanh(np.matmul(x, w)))))
    const v = seeded(14, [9, 4])
    const chained = jit((x: Tensor, w: Tensor, v: Tensor) => np.exp(np.matmul(np.matmul(x, w), v)))
    assert.deepStrictEqual(primitivesOf(run(chained.lower(x, w, v)).text), ["dot_general", "fusion"])
    assert.deepStrictEqual(
      js(run(chained(x, w, v))),
      js(withBackend(backend, () => np.exp(np.matmul(np.matmul(x, w), v))))
    )
    assert.deepStrictEqual(primitivesOf(run(jit(np.matmul).lower(x, w)).text), ["dot_general"])
    // read through an index map by its epilogue: the product is a value read outside, so it runs alone
    const viewed = (x: Tensor, w: Tensor) => np.tanh(np.add(np.flip(np.matmul(x, w), { axis: 0 }), 1))
    assert.deepStrictEqual(primitivesOf(run(jit(viewed).lower(x, w)).text), ["dot_general", "fusion"])
    assert.deepStrictEqual(js(run(jit(viewed)(x, w))), js(withBackend(backend, () => viewed(x, w))))
  })

  it("fused equals unfused bit for bit: random shapes, batch dims, both precisions, a reduction root (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(1000),
        fc.constantFrom<"default" | "highest">("default", "highest"),
        fc.boolean(),
        (nb, m, k, n, seed, precision, reduce) => {
          const a = seeded(seed, [nb, m, k])
          const c = seeded(seed + 1, [nb, k, n])
          const bias = seeded(seed + 2, [n])
          const f = (a: Tensor, c: Tensor, bias: Tensor) => {
            const y = np.multiply(np.tanh(np.add(lax.dotGeneral(a, c, [[2], [1]], [[0], [0]], { precision }), bias)), 2)
            return reduce ? np.sum(y, { axis: 2 }) : y
          }
          assert.deepStrictEqual(primitivesOf(run(jit(f).lower(a, c, bias)).text), ["fusion"])
          assert.deepStrictEqual(js(run(jit(f)(a, c, bias))), js(withBackend(backend, () => f(a, c, bias))))
        }
      ),
      { numRuns: 40 }
    )
  })
})

describe("jit's dead-code elimination through cond and while (JAX's dce rules)", () => {
  type C3 = [Tensor, Tensor, Tensor]
  const names = (p: { equations: ReadonlyArray<{ _tag: string; primitive?: string }> }) =>
    p.equations.map((e) => (e._tag === "PrimitiveEquation" ? e.primitive : e._tag))

  it("a while loses the carries no output and no predicate needs, keeps those a kept carry reads", () => {
    // carry [k, v, w]: w is dead (only itself reads it); the loop returns k and v
    const loop = (x: Tensor, readW: boolean) =>
      lax.whileLoop(
        ([k]: C3) => np.less(k, 3),
        ([k, v, w]: C3): C3 => [lax.add(k, 1), readW ? np.add(v, w) : np.multiply(v, 2), np.exp(np.sin(w))],
        [np.array(0, { dtype: "int32" }), x, np.multiply(x, 3)] as C3
      )
    const staged = (readW: boolean) => makeProgramFlat(([x]) => loop(x!, readW).slice(0, 2), [aval([2], "float32")])
    const pruned = simplifyProgram(staged(false), backend).program
    const whileEqn = pruned.equations.find((e) => e._tag === "PrimitiveEquation" && e.primitive === "while")!
    assert.strictEqual(whileEqn.outputs.length, 2)
    const body =
      (whileEqn as unknown as { params: { body: { equations: ReadonlyArray<never>; outputs: ReadonlyArray<never> } } })
        .params.body
    assert.strictEqual(body.outputs.length, 2)
    assert.notInclude(names(body), "exp")
    assert.notInclude(names(pruned), "mul") // the dead carry's initial value (x * 3) is gone too
    // v's update reads w: w stays
    const kept = simplifyProgram(staged(true), backend).program
    const keptWhile = kept.equations.find((e) => e._tag === "PrimitiveEquation" && e.primitive === "while")!
    assert.strictEqual(keptWhile.outputs.length, 3)
    // values: jit equals eager, both ways
    for (const readW of [false, true]) {
      const x = tensor([0.5, -1])
      const eager = loop(x, readW).slice(0, 2).map(js)
      assert.deepStrictEqual(run(jit((x: Tensor) => loop(x, readW).slice(0, 2))(x)).map(js), eager)
    }
  })

  it("a cond loses its unused outputs, and each branch the work only they needed", () => {
    const branchy = (p: Tensor, x: Tensor) =>
      lax.cond(
        p,
        (x: Tensor) => [np.sin(x), np.exp(x)] as [Tensor, Tensor],
        (x: Tensor) => [np.cos(x), np.tanh(x)] as [Tensor, Tensor],
        x
      )[0]
    const program = makeProgramFlat(([p, x]) => [branchy(p!, x!)], [aval([], "bool"), aval([2], "float32")])
    const pruned = simplifyProgram(program, backend).program
    const condEqn = pruned.equations.find((e) => e._tag === "PrimitiveEquation" && e.primitive === "cond")!
    assert.strictEqual(condEqn.outputs.length, 1)
    const branches =
      (condEqn as unknown as { params: { branches: ReadonlyArray<{ equations: ReadonlyArray<never> }> } }).params
        .branches
    // (branch 0 is the false one, as JAX's)
    assert.deepStrictEqual(branches.map(names), [["cos"], ["sin"]])
    for (const p of [true, false]) {
      const x = tensor([0.5, -1])
      const want = js(branchy(np.array(p), x))
      assert.deepStrictEqual(js(run(jit(branchy)(np.array(p), x))), want)
    }
  })
})
