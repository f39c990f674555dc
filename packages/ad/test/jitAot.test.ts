/**
 * jit's ahead-of-time stages (JAX's `jit(f).lower(...).compile()`, tests/api_test.py's
 * `test_jit_lower_*`): the lowered and compiled objects' types, calls of a compiled function and
 * their errors, and the cost and memory analyses checked against hand counts.
 */
import { clearCaches, CompiledCallError, grad, jit, valueAndGrad, vmap } from "@diffect/ad"
import type { Compiled, Lowered } from "@diffect/ad"
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend, debugNans, FloatingPointError, lax, np, pureCallback, ShapeDtypeStruct } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AnyFunction } from "../src/Types.js"
import { failure, js, run, tensor } from "./gradHelpers.js"

const compile = <F extends AnyFunction>(lowered: Lowered<F>): Compiled<F> => run(lowered.compile())

describe("jit(f).lower(...).compile()", () => {
  it("runs the compiled function on arguments of the lowered types, without tracing again", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      return np.add(np.sqrt(np.multiply(x, x)), 1)
    })
    const lowered = run(f.lower(tensor([-3, 4])))
    const compiled = compile(lowered)
    assert.deepStrictEqual(js(run(compiled(tensor([-3, 4])))), [4, 5])
    assert.deepStrictEqual(js(run(compiled(tensor([0.5, -2])))), [1.5, 3])
    assert.strictEqual(traces, 1)
    // the same types and text as the lowering
    assert.strictEqual(compiled.text, lowered.text)
    assert.deepStrictEqual(compiled.inAvals.map((a) => [a.dtype, [...a.shape]]), [["float32", [2]]])
    assert.strictEqual(String(compiled.outInfo), "ShapeDtypeStruct(shape=(2,), dtype=float32)")
  })

  it("lowers at ShapeDtypeStructs (duck typing) and keeps the output's structure", () => {
    const f = jit((p: { w: Tensor; b: Tensor }, x: Tensor) => ({ y: np.add(np.matmul(x, p.w), p.b), n: np.sum(x) }))
    const lowered = run(f.lower(
      { w: new ShapeDtypeStruct([3, 2], "float32"), b: new ShapeDtypeStruct([2], "float32") },
      new ShapeDtypeStruct([4, 3], "float32")
    ))
    const info = lowered.outInfo as unknown as { y: ShapeDtypeStruct; n: ShapeDtypeStruct }
    assert.deepStrictEqual([...info.y.shape], [4, 2])
    assert.deepStrictEqual([...info.n.shape], [])
    const compiled = compile(lowered)
    const out = run(compiled(
      { w: tensor([[1, 0], [0, 1], [1, 1]]), b: tensor([10, 20]) },
      tensor([[1, 2, 3], [0, 0, 0], [1, 1, 1], [2, 0, 1]])
    )) as unknown as { y: Tensor; n: Tensor }
    // hand-computed: rows of x @ w are (x0 + x2, x1 + x2), plus b
    assert.deepStrictEqual(js(out.y), [[14, 25], [10, 20], [12, 22], [13, 21]])
    assert.strictEqual(js(out.n), 12)
  })

  it("takes the traced arguments only: static ones are part of the compiled function", () => {
    const f = jit((x: Tensor, n: number) => np.multiply(x, n), { staticArgnums: 1 })
    const compiled = compile(run(f.lower(tensor([1, 2]), 3)))
    assert.deepStrictEqual(js(run(compiled(tensor([2, 5])))), [6, 15])
    const e = failure(compiled(tensor([2, 5]), 3))
    assert.instanceOf(e, CompiledCallError)
    assert.include(e.message, "called with 2 arguments but lowered for 1 traced argument")
  })

  it("refuses another pytree, other types, a transformation, and another backend (JAX's TypeErrors)", () => {
    const compiled = compile(run(jit((x: Tensor) => np.add(np.sqrt(np.multiply(x, x)), 1)).lower(tensor(1))))
    const tree = failure(compiled([tensor(1)]))
    assert.instanceOf(tree, CompiledCallError)
    assert.match(
      tree.message,
      /^Function compiled with input pytree does not match the input pytree it was called with/
    )
    const types = failure(compiled(tensor(1, "int32")))
    assert.instanceOf(types, CompiledCallError)
    assert.match(
      types.message,
      /Argument types differ .*\nArgument leaf 0 compiled with float32\[\] and called with int32\[\]/
    )
    const shapes = failure(compiled(tensor([1, 2])))
    assert.include(shapes.message, "compiled with float32[] and called with float32[2]")
    const mapped = failure(
      vmap((x: Tensor) => Effect.map(compiled(x), (y) => np.add(y as Tensor, 2)))(tensor([1, 2, 3]))
    )
    assert.instanceOf(mapped, CompiledCallError)
    assert.include(mapped.message, "Cannot apply transformations to a function lowered and compiled")
    const other = Effect.runSyncExit(
      Effect.provideService(compiled(tensor(2)), Backend, makeTypedArrayBackend({ threads: 1 }))
    )
    assert.isTrue(other._tag === "Failure")
    assert.include(String(other), "compiled for another backend")
    // and still runs where it was compiled
    assert.strictEqual(js(run(compiled(tensor(-2)))), 3)
  })

  it("names the operation that made a NaN under debugNans, rerunning f with its static arguments", () => {
    const f = jit((x: Tensor, n: number) => np.log(np.multiply(x, n)), { staticArgnums: 1 })
    const compiled = compile(run(f.lower(tensor([1, 2]), 3)))
    assert.deepStrictEqual(js(run(debugNans(compiled(tensor([1, 2]))))), [
      Math.fround(Math.log(3)),
      Math.fround(Math.log(6))
    ])
    const e = failure(debugNans(compiled(tensor([1, -2]))))
    assert.instanceOf(e, FloatingPointError)
    assert.include(e.message, "log")
  })

  it("keeps donation: the lowered and compiled functions report it, and a donated argument is consumed", () => {
    const f = jit((x: Tensor, y: Tensor) => np.add(x, y), { donateArgnums: 0 })
    const lowered = run(f.lower(tensor([1, 2, 3]), tensor([1, 1, 1])))
    const compiled = compile(lowered)
    assert.deepStrictEqual(lowered.donateArgnums, [0])
    assert.deepStrictEqual(compiled.donateArgnums, [0])
    const x = tensor([1, 2, 3])
    assert.deepStrictEqual(js(run(compiled(x, tensor([10, 20, 30])))), [11, 22, 33])
    assert.isTrue((x as unknown as { released: boolean }).released)
    // the output may take x's memory: 12 bytes aliased
    assert.strictEqual(compiled.memoryAnalysis().aliasSizeInBytes, 12)
  })
})

describe("costAnalysis and memoryAnalysis", () => {
  it("counts an MLP's value and gradient as XLA does: 2 flops per multiply-add, tanh as transcendental", () => {
    // batch 8, 5 -> 4 -> 3, tanh hidden layer, squared error
    const loss = (p: { w1: Tensor; w2: Tensor }, x: Tensor) => {
      const h = np.tanh(np.matmul(x, p.w1))
      return np.sum(np.square(np.matmul(h, p.w2)))
    }
    const p = { w1: np.ones([5, 4]), w2: np.ones([4, 3]) }
    const x = np.ones([8, 5])
    const forward = run(jit(loss).lower(p, x)).costAnalysis()
    // products 2 * (8*5*4 + 8*4*3) = 512; square 24; sum folds 24 into 1 (23)
    assert.strictEqual(forward.flops, 512 + 24 + 23)
    assert.strictEqual(forward.transcendentals, 32)
    const both = run(jit(valueAndGrad(loss)).lower(p, x)).costAnalysis()
    // the backward products: d(out) @ w2^T (8x3x4), h^T @ d(out) (4x8x3), d(h) @ ... w1's (5x8x4)
    const products = 2 * (8 * 5 * 4 + 8 * 4 * 3) + 2 * (8 * 3 * 4 + 4 * 8 * 3 + 5 * 8 * 4)
    assert.isAtLeast(both.flops, products)
    // the elementwise rest is small: a few operations per element of the 8x4 and 8x3 values
    assert.isBelow(both.flops, products + 10 * (32 + 24))
    assert.strictEqual(both.transcendentals, 32)
    // bytes: at least the arguments read and the outputs written, once each
    assert.isAtLeast(both.bytesAccessed, 4 * (20 + 12 + 40) + 4 * (1 + 20 + 12))
  })

  it("counts control flow: a scan its body times its length, a cond its costliest branch", () => {
    const scanned = run(
      jit((x: Tensor) =>
        lax.scan((c: Tensor, _: Tensor) => [np.exp(np.add(c, 1)), np.multiply(c, 2)] as const, x, np.zeros([7, 3]))
      ).lower(np.ones([3]))
    ).costAnalysis()
    // per step: add (3 flops), exp (3 transcendentals), mul (3 flops)
    assert.strictEqual(scanned.transcendentals, 7 * 3)
    assert.strictEqual(scanned.flops, 7 * 6)
    const branched = run(
      jit((i: Tensor, x: Tensor) =>
        lax.switch(i, [(y: Tensor) => np.sin(y), (y: Tensor) => np.multiply(np.add(y, 1), 3)], x)
      ).lower(tensor(0, "int32"), np.ones([5]))
    ).costAnalysis()
    // the index clamped (max, min: 2), then the second branch: 10 flops against the first's 5 transcendentals
    assert.strictEqual(branched.flops, 12)
    assert.strictEqual(branched.transcendentals, 0)
  })

  it("counts a convolution's taps and an FFT's radix-2 estimate", () => {
    const conv = run(
      jit((x: Tensor, w: Tensor) => lax.convGeneralDilated(x, w, [1, 1], "VALID")).lower(
        np.ones([2, 3, 6, 6]),
        np.ones([4, 3, 3, 3])
      )
    ).costAnalysis()
    // output 2 x 4 x 4 x 4, each 3 * 3 * 3 taps, 2 flops per tap
    assert.strictEqual(conv.flops, 2 * (2 * 4 * 4 * 4) * 27)
    const fft = run(jit((x: Tensor) => np.fft.fft(x)).lower(np.ones([3, 8], { dtype: "complex64" }))).costAnalysis()
    assert.strictEqual(fft.flops, 3 * 5 * 8 * 3)
  })

  it("reports the arguments', outputs', intermediates' and constants' bytes", () => {
    const f = jit((x: Tensor) => {
      const y = np.matmul(x, x) // 64 x 64 float32: a product that is not returned
      return np.sum(np.add(np.matmul(y, x), 1), { axis: 0 })
    })
    const m = compile(run(f.lower(np.ones([64, 64])))).memoryAnalysis()
    assert.strictEqual(m.argumentSizeInBytes, 64 * 64 * 4)
    assert.strictEqual(m.outputSizeInBytes, 64 * 4)
    assert.strictEqual(m.aliasSizeInBytes, 0)
    // y lives while the second product runs; more may be kept, never less
    assert.isAtLeast(m.tempSizeInBytes, 64 * 64 * 4)
    assert.isBelow(m.tempSizeInBytes, 4 * 64 * 64 * 4)
    // the literal 1, a float32 scalar
    assert.strictEqual(m.constantSizeInBytes, 4)
    const withConst = jit((x: Tensor) => np.multiply(x, np.arange(16).astype("float32")))
    assert.strictEqual(compile(run(withConst.lower(np.ones([16])))).memoryAnalysis().constantSizeInBytes, 64)
  })

  it("is the compiled program's grad too: jit(grad(f)) counts the backward pass", () => {
    const f = (x: Tensor) => np.sum(np.sin(x))
    const c = run(jit(grad(f)).lower(np.ones([10]))).costAnalysis()
    // cos for the gradient (sin's value is dead and removed)
    assert.strictEqual(c.transcendentals, 10)
  })
})

describe("jit(f).trace(...) and jit(f).evalShape(...)", () => {
  it("gives the program as traced, before simplification", () => {
    const f = jit((x: Tensor) => np.multiply(np.add(x, 0), 1))
    const t = run(f.trace(new ShapeDtypeStruct([3], "float32")))
    // as traced: the add and the mul, which simplification removes (x * 1 and x + (-0) are exact; x + 0 is not)
    assert.match(t.text, /= add c d\n/)
    assert.match(t.text, /= mul e f\n/)
    assert.deepStrictEqual(t.inAvals.map((a) => [...a.shape]), [[3]])
    const lowered = run(t.lower())
    assert.notMatch(lowered.text, /= mul /)
    const compiled = compile(lowered)
    assert.deepStrictEqual(js(run(compiled(tensor([1, -2, 3])))), [1, -2, 3])
    // one trace for the three stages and the call of the same signature
    run(f(tensor([0, 0, 0])))
    assert.strictEqual(f.cacheInfo().misses, 1)
  })

  it("evalShape gives the output types (JAX's jit(f).eval_shape)", () => {
    const f = jit((x: Tensor, n: number) => [np.sum(x, { axis: 0 }), np.tile(x, [n, 1])] as const, { staticArgnums: 1 })
    const [s, tiled] = run(f.evalShape(new ShapeDtypeStruct([4, 5], "float32"), 3)) as unknown as [
      ShapeDtypeStruct,
      ShapeDtypeStruct
    ]
    assert.deepStrictEqual([...s.shape], [5])
    assert.deepStrictEqual([...tiled.shape], [12, 5])
    assert.strictEqual(tiled.dtype, "float32")
  })
})

describe("clearCaches", () => {
  it("empties every jitted function's cache (JAX's jax.clear_caches): the next call traces again", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      return np.multiply(x, 2)
    })
    const g = jit((x: Tensor) => np.add(x, 1))
    run(f(tensor([1, 2])))
    run(f(tensor([3, 4])))
    run(g(tensor(1)))
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 1, misses: 1 })
    clearCaches()
    assert.deepStrictEqual(f.cacheInfo(), { size: 0, hits: 0, misses: 0 })
    assert.deepStrictEqual(g.cacheInfo(), { size: 0, hits: 0, misses: 0 })
    // the same signature as the last call (its fast path) traces again, with the same values
    assert.deepStrictEqual(js(run(f(tensor([3, 4])))), [6, 8])
    assert.strictEqual(traces, 2)
    // a compiled function keeps its own program
    const compiled = compile(run(f.lower(tensor([1, 1]))))
    clearCaches()
    assert.deepStrictEqual(js(run(compiled(tensor([5, 6])))), [10, 12])
  })
})

describe("costAnalysis of window operations", () => {
  it("counts max pooling and its gradient per window tap", () => {
    // 2 x 2 windows, stride 2, over 4 x 4: 4 windows of 4 taps
    const pool = (x: Tensor) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2], "VALID")
    const c = run(jit((x: Tensor) => np.sum(pool(x))).lower(np.ones([4, 4]))).costAnalysis()
    // the windows' 16 taps, then the sum folding 4 values into 1
    assert.strictEqual(c.flops, 16 + 3)
    // the gradient: select_and_scatter_add over the 4 windows' 16 taps (and the sum's broadcast)
    const g = run(jit(grad((x: Tensor) => np.sum(pool(x)))).lower(np.ones([4, 4]))).costAnalysis()
    assert.strictEqual(g.flops, 16)
  })
})

describe("costAnalysis over every kind of primitive", () => {
  it("gives finite, non-negative counts for linear algebra, FFTs, sorts, gathers, loops and callbacks", () => {
    const m = np.add(np.eye(4), np.ones([4, 4]))
    const v = np.arange(8).astype("float32")
    const programs: Array<
      [string, () => { costAnalysis: () => { flops: number; transcendentals: number; bytesAccessed: number } }]
    > = [
      ["cholesky", () => run(jit((a: Tensor) => np.linalg.cholesky(a)).lower(m))],
      ["qr", () => run(jit((a: Tensor) => np.linalg.qr(a)).lower(m))],
      ["svd", () => run(jit((a: Tensor) => np.linalg.svd(a)).lower(m))],
      ["eigh", () => run(jit((a: Tensor) => np.linalg.eigh(a)).lower(m))],
      ["solve", () => run(jit((a: Tensor, b: Tensor) => np.linalg.solve(a, b)).lower(m, np.ones([4])))],
      ["eig", () => run(jit((a: Tensor) => np.linalg.eig(a)).lower(m))],
      ["fft", () => run(jit((x: Tensor) => np.fft.rfft(x)).lower(v))],
      ["sort", () => run(jit((x: Tensor) => np.sort(x)).lower(v))],
      ["topk", () => run(jit((x: Tensor) => lax.topK(x, 3)).lower(v))],
      ["cumsum", () => run(jit((x: Tensor) => np.cumsum(x)).lower(v))],
      ["take", () => run(jit((x: Tensor) => np.take(x, np.array([0, 3, 5], { dtype: "int32" }))).lower(v))],
      ["scatter", () => run(jit((x: Tensor) => np.at(x, [1, 2]).add(1)).lower(v))],
      [
        "while",
        () =>
          run(
            jit((x: Tensor) =>
              lax.whileLoop((c: Tensor) => np.less(np.sum(c), 100), (c: Tensor) => np.multiply(c, 2), x)
            ).lower(v)
          )
      ],
      ["argmax", () => run(jit((x: Tensor) => np.argmax(x)).lower(v))],
      [
        "callback",
        () =>
          run(
            jit((x: Tensor) => pureCallback((a: unknown) => a, new ShapeDtypeStruct([8], "float32"), [np.sin(x)]))
              .lower(v)
          )
      ]
    ]
    for (const [name, lower] of programs) {
      const c = lower().costAnalysis()
      for (const [k, value] of Object.entries(c)) {
        assert.isTrue(Number.isFinite(value) && value >= 0, `${name}: ${k} = ${value}`)
      }
      assert.isAbove(c.bytesAccessed, 0, name)
    }
  })
})
