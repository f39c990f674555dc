/**
 * Cases of JAX's tests/api_test.py (JitTest, APITest) for `jit` that jit.test.ts,
 * jitBuffers.test.ts and test/jax-parity do not pin down: static arguments (negative
 * positions, equality of static values), the exactness of the simplifier on IEEE
 * special values, caches (nested jit, axis names), donation with static and weakly
 * typed arguments, and the checks of what jit is given. Each case names its JAX test.
 */
import {
  axisIsBound,
  axisSize,
  checkpoint,
  hessian,
  InvalidArgumentError,
  jit,
  JitArgnumsError,
  makeProgram,
  NotCallableError,
  psum,
  UnhashableStaticArgError,
  vmap
} from "@diffect/ad"
import { ArgumentError, lax, np, ReleasedTensorError, ShapeDtypeStruct, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, toJs } from "./gradHelpers.js"

const f32 = (v: number | ReadonlyArray<number>) => np.array(v, { dtype: "float32" })

describe("static arguments (JAX's JitTest)", () => {
  it("test_jit_negative_static_argnums: -1 is the last argument, a JS number inside", () => {
    const g = jit((x: Tensor, y: number) => {
      assert.strictEqual(typeof y, "number")
      return np.multiply(x, y)
    }, { staticArgnums: -1 })
    for (const i of [0, 1, 2]) expect.close(toJs(run(g(f32(2), i))), 2 * i)
    assert.strictEqual(g.cacheInfo().misses, 3)
  })

  it("test_jit_static_args: traced once per static value, whatever the traced values", () => {
    let traces = 0
    const f = (x: Tensor | number, y: Tensor, z: Tensor | number, flag = false, _flag2 = false) => {
      assert.isTrue(flag)
      traces++
      return np.add(np.add(np.multiply(100, x), np.multiply(10, y)), z)
    }
    const f1 = jit(f, { staticArgnums: [3, 4] })
    expect.close(toJs(run(f1(f32(1), f32(2), f32(3), true, false))), 123)
    expect.close(toJs(run(f1(f32(1), f32(2), f32(3), true, false))), 123)
    assert.strictEqual(traces, 1)
    expect.close(toJs(run(f1(f32(2), f32(1), f32(3), true, false))), 213)
    assert.strictEqual(traces, 1)
    expect.close(toJs(run(f1(f32(2), f32(1), f32(3), true, true))), 213)
    assert.strictEqual(traces, 2)
    traces = 0
    const f2 = jit(f, { staticArgnums: [0, 2, 3, 4] })
    expect.close(toJs(run(f2(1, f32(2), 3, true, false))), 123)
    expect.close(toJs(run(f2(1, f32(3), 3, true, false))), 133)
    assert.strictEqual(traces, 1)
    expect.close(toJs(run(f2(2, f32(2), 3, true, false))), 223)
    expect.close(toJs(run(f2(2, f32(4), 3, true, false))), 243)
    assert.strictEqual(traces, 2)
  })

  it("records with symbol keys are unhashable (two records differing only there shared a trace)", () => {
    const s = Symbol("scale")
    const f = jit((x: Tensor, r: Record<symbol, number>) => np.multiply(x, r[s]!), { staticArgnums: 1 })
    // before: the second call reused the first trace and returned [1]
    expect.error(
      failure(f(f32([1]), { [s]: 2 })),
      UnhashableStaticArgError,
      /object of type Object \(with symbol keys\), argument 1/
    )
  })

  it("an array's named properties are part of its value (they were ignored: a stale trace)", () => {
    let traces = 0
    const f = jit((x: Tensor, a: ReadonlyArray<number> & { scale?: number }) => {
      traces++
      return np.multiply(x, a.scale ?? 1)
    }, { staticArgnums: 1 })
    const a = Object.assign([1], { scale: 3 })
    const b = Object.assign([1], { scale: 7 })
    expect.close(toJs(run(f(f32([1]), a))), [3])
    expect.close(toJs(run(f(f32([1]), b))), [7])
    expect.close(toJs(run(f(f32([1]), Object.assign([1], { scale: 3 })))), [3])
    assert.strictEqual(traces, 2)
  })

  it("static values: 0 and -0, a hole and undefined, a missing and an undefined key are different keys", () => {
    let traces = 0
    const f = jit((x: Tensor, s: unknown) => {
      traces++
      return np.multiply(
        x,
        Array.isArray(s) ? (1 in s ? 1 : 2) : typeof s === "number" ? s : "k" in (s as object) ? 1 : 2
      )
    }, { staticArgnums: 1 })
    const zero = toJsSync(run(f(f32([1]), 0))) as Array<number>
    const negZero = toJsSync(run(f(f32([1]), -0))) as Array<number>
    assert.isTrue(Object.is(zero[0], 0) && Object.is(negZero[0], -0))
    // eslint-disable-next-line no-sparse-arrays
    expect.close([toJs(run(f(f32([1]), [1, undefined]))), toJs(run(f(f32([1]), [1, ,])))], [[1], [2]])
    expect.close([toJs(run(f(f32([1]), { k: undefined }))), toJs(run(f(f32([1]), {})))], [[1], [2]])
    assert.strictEqual(traces, 6)
  })

  it("JAX's staticArgnames / donateArgnames are unknown options: JS has no keyword arguments", () => {
    expect.error(
      thrown(() => jit((x: Tensor) => x, { staticArgnames: ["x"] } as never)),
      ArgumentError,
      /jit: options must be an object with keys among staticArgnums, donateArgnums, cacheSize, got the unknown key "staticArgnames"/
    )
  })
})

describe("what jit is given (JAX's test_jit_of_noncallable, test_jit_of_generator, test_jit_bad_input)", () => {
  it("a generator function is refused when jitted (before: a call failed on ' instance (the output)')", () => {
    expect.error(
      thrown(() =>
        jit(function* gen(x: Tensor) {
          yield x
        })
      ),
      NotCallableError,
      /jit: Expected a callable value, got the generator function gen: a function, not a generator function/
    )
    expect.error(thrown(() => jit(3 as never)), NotCallableError, /jit: Expected a callable value, got 3/)
  })

  it("test_jit_bad_input: a string argument, and a string or bigint output, are InvalidArgumentErrors naming their path", () => {
    const id = jit((x: unknown) => x)
    expect.error(
      failure(id("foo")),
      InvalidArgumentError,
      /^jit: "foo" \(argument 0\) is not a valid diffect type: expected a Tensor, a number or a boolean\.$/
    )
    expect.error(
      failure(jit((x: Tensor) => [x, 1, "s"] as const)(f32(1))),
      InvalidArgumentError,
      /"s" \(the output at \[2\]\) is not a valid diffect type/
    )
    expect.error(
      failure(jit((_x: Tensor) => ({ a: true, b: 2n }))(f32(1))),
      InvalidArgumentError,
      /2n \(the output at \["b"\]\) is not a valid diffect type/
    )
    // a generator object's constructor has no name: it is "an object", not " instance"
    const gen = function*() {
      yield 1
    }
    expect.error(
      failure(jit((_x: Tensor) => gen() as unknown as Tensor)(f32(1))),
      InvalidArgumentError,
      /^jit: an object \(the output\) is not a valid diffect type/
    )
  })
})

describe("the simplifier keeps IEEE values (JAX's test_jit_nan_times_zero, jax issue 4780)", () => {
  it("1 + x * 0 at NaN is NaN; x - x at inf, x / x at 0 and 0 * x at inf are NaN", () => {
    const cases: ReadonlyArray<readonly [string, (x: Tensor) => Tensor, number]> = [
      ["1 + x * 0", (x) => np.add(1, np.multiply(x, 0)), NaN],
      ["x - x", (x) => np.subtract(x, x), Infinity],
      ["x / x", (x) => np.divide(x, x), 0],
      ["0 * x", (x) => np.multiply(0, x), Infinity],
      ["x ** 1", (x) => np.power(x, 1), NaN],
      ["max(x, x)", (x) => np.maximum(x, x), NaN]
    ]
    for (const [name, f, at] of cases) {
      assert.isTrue(Number.isNaN(toJsSync(f(f32(at))) as number), `${name} eager`)
      assert.isTrue(Number.isNaN(toJsSync(run(jit(f)(f32(at)))) as number), `${name} jitted`)
    }
    // x ** 0 is 1 even at NaN (IEEE pow), and x == x is false at NaN
    expect.close(toJs(run(jit((x: Tensor) => np.power(x, 0))(f32(NaN)))), 1)
    assert.isFalse(toJsSync(run(jit((x: Tensor) => np.equal(x, x))(f32(NaN)))) as boolean)
    assert.isTrue(toJsSync(run(jit((x: Tensor) => np.notEqual(x, x))(f32(NaN)))) as boolean)
  })
})

describe("caches (JAX's APITest and JitTest)", () => {
  it("test_inner_jit_function_retracing (jax issue 7155): an inner jit is traced once, and hit at the top level", () => {
    let inner = 0
    let outer = 0
    const innerFn = jit((s: Tensor) => {
      inner++
      return np.multiply(2, s)
    })
    const outerFn = jit((x: Tensor) =>
      Effect.gen(function*() {
        outer++
        let y = x
        for (let i = 0; i < 10; i++) y = yield* innerFn(y)
        return np.add(y, x)
      })
    )
    const state = np.arange(5, { dtype: "float32" })
    expect.close(toJs(run(outerFn(state))), [0, 1025, 2050, 3075, 4100])
    run(outerFn(state))
    run(innerFn(state))
    assert.deepStrictEqual([inner, outer], [1, 1])
  })

  it("test_fastpath_cache_confusion (jax issue 12542): a jit returning () inside another, after makeProgram", () => {
    const a = jit((_x: Tensor) => [] as const)
    const b = jit((x: Tensor) => a(x))
    const g = jit((x: Tensor) => [x, x] as const)
    const h = jit((x: Tensor) => g(x))
    run(makeProgram(h)(f32(7)))
    assert.deepStrictEqual(run(b(f32(8))), [])
    const nullary = jit(() => [] as const)
    assert.deepStrictEqual(run(jit((_x: Tensor) => nullary())(f32(8))), [])
  })

  it("test_caches_depend_on_axis_env (jax issue 9187): the axis size of a psum under vmap of the same jit", () => {
    const g = jit((x: Tensor) => np.add(np.multiply(x, 0), psum(1, "i")))
    expect.close(toJs(run(vmap(g, { axisName: "i" })(np.ones([2])))), [2, 2])
    expect.close(toJs(run(vmap(g, { axisName: "i" })(np.ones([3])))), [3, 3, 3])
  })

  it("test_lax_empty_vmap and test_lax_empty_batching_bug: jit of vmap of empty, hessian through updates of one", () => {
    const batched = run(
      jit(vmap((x: Tensor) => lax.empty(x.shape, x.dtype)))(np.arange(8, { dtype: "int32" }).reshape([4, 2]))
    )
    assert.deepStrictEqual([batched.shape, batched.dtype], [[4, 2], "int32"])
    const f = (x: Tensor) => {
      const out = np.at(lax.empty([2], x.dtype), 0).set(1)
      return np.at(out, 1).set(np.multiply(np.at(out, 0).get(), np.at(x, 0).get()))
    }
    const h = run(hessian(f)(np.arange(3, { dtype: "float32" })))
    assert.deepStrictEqual(h.shape, [2, 3, 3])
    assert.deepStrictEqual(toJsSync(h), Array.from({ length: 2 }, () => [[0, 0, 0], [0, 0, 0], [0, 0, 0]]))
  })

  it("test_caches_depend_on_axis_env: axisSize and axisIsBound read at trace time key the jit and checkpoint caches", () => {
    // JAX's own case: lax.axis_size is a number when traced, so the cached program holds it
    const g = jit(() => np.array(axisSize("i")))
    const sized = (n: number) => toJs(run(vmap(g, { axisName: "i", axisSize: n, outAxes: null })()))
    expect.close(sized(2), 2)
    expect.close(sized(3), 3)
    expect.close(sized(2), 2)
    assert.deepStrictEqual(g.cacheInfo(), { size: 2, hits: 1, misses: 2 })
    const h = jit((x: Tensor) => np.multiply(x, axisSize("i")))
    expect.close(toJs(run(vmap(h, { axisName: "i" })(np.ones([2])))), [2, 2])
    expect.close(toJs(run(vmap(h, { axisName: "i" })(np.ones([3])))), [3, 3, 3])
    const bound = jit((x: Tensor) => (axisIsBound("i") ? np.multiply(x, 5) : x))
    expect.close(toJs(run(vmap(bound, { axisName: "i" })(np.ones([2])))), [5, 5])
    expect.close(toJs(run(vmap(bound, { axisName: "j" })(np.ones([2])))), [1, 1])
    expect.close(toJs(run(bound(np.ones([2])))), [1, 1])
    const c = checkpoint((x: Tensor) => np.multiply(x, axisSize("i")))
    expect.close(toJs(run(vmap(c, { axisName: "i" })(np.ones([2])))), [2, 2])
    expect.close(toJs(run(vmap(c, { axisName: "i" })(np.ones([3])))), [3, 3, 3])
  })

  it("test_cache_key_defaults / test_clear_cache: one entry for repeated calls; clearCache retraces", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      return np.sum(np.square(x))
    })
    for (let i = 0; i < 3; i++) run(f(np.arange(5, { dtype: "float32" })))
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 2, misses: 1 })
    f.clearCache()
    expect.close(toJs(run(f(np.arange(5, { dtype: "float32" })))), 30)
    assert.strictEqual(traces, 2)
  })
})

describe("donation (JAX's JitTest)", () => {
  it("test_jit_donate_static_argnums: donated after static arguments", () => {
    const f = jit(
      (a: number, b: number, c: Tensor, d: Tensor) => [np.add(a + b, c), np.add(a + b, d)] as const,
      { staticArgnums: [0, 1], donateArgnums: [2, 3] }
    )
    const c = f32([2, 2])
    const d = f32([1, 1, 1, 1])
    expect.close(toJs(run(f(1, 2, c, d))), [[5, 5], [4, 4, 4, 4]])
    expect.error(thrown(() => toJsSync(c)), ReleasedTensorError, /donated to a jitted call/)
  })

  it("test_jit_donate_weak_type: a weakly typed input whose output is strong int32 is still released", () => {
    const move = jit((x: Tensor) => np.astype(x, "int32"), { donateArgnums: 0 })
    const x = np.broadcastTo(2, [3])
    assert.isTrue(x.weakType)
    expect.close(toJs(run(move(x))), [2, 2, 2])
    expect.error(thrown(() => toJsSync(x)), ReleasedTensorError, /donated/)
  })

  it("test_jit_nested_donate_ignored: an inner jit's donation inside an outer jit does nothing", () => {
    const a = f32(3)
    expect.close(toJs(run(jit((x: Tensor) => jit((y: Tensor) => np.square(y), { donateArgnums: 0 })(x))(a))), 9)
    expect.close(toJs(a), 3)
  })
})

describe("makeProgram (JAX's make_jaxpr)", () => {
  it("test_make_jaxpr_return_shape: returnShape gives the output's structure of ShapeDtypeStructs", () => {
    const [program, shapes] = run(
      makeProgram(
        (x: Tensor) => [np.add(x, np.array(1, { dtype: "int32" })), np.zeros([2], { dtype: "float32" })] as const,
        {
          returnShape: true
        }
      )(np.array(1, { dtype: "int32" }))
    )
    assert.deepStrictEqual(program.outAvals.map((a) => a.dtype), ["int32", "float32"])
    assert.deepStrictEqual(
      shapes,
      [new ShapeDtypeStruct([], "int32"), new ShapeDtypeStruct([2], "float32")]
    )
    expect.error(
      failure(makeProgram((x: Tensor) => x, { returnShape: 1 as never })(f32(1))),
      ArgumentError,
      /makeProgram: returnShape must be a boolean, got the number 1/
    )
  })

  it("staticArgnums out of range names makeProgram's function, not a jitted one", () => {
    expect.error(
      failure(makeProgram((x: Tensor) => x, { staticArgnums: 2 })(f32(2))),
      JitArgnumsError,
      /^makeProgram's function has staticArgnums=\(2,\) but was called with only 1 positional argument\.$/
    )
  })
})
