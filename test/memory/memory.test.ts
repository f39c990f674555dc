/**
 * Deterministic memory (issue 15): transformations release what they made and
 * did not return, `Memory.scoped`/`Memory.tidy` release eager temporaries, a
 * released tensor is a typed error, and a layer's memoryLimit is a typed failure.
 * Live memory is read from the backend (`memory()`), with no forced GC.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Backend,
  checkpoint,
  checkpointPolicies,
  grad,
  hessian,
  jacfwd,
  jit,
  jvp,
  lax,
  linearize,
  Memory,
  np,
  toJs,
  toJsSync,
  TypedArrayBackend,
  valueAndGrad,
  vjp,
  vmap
} from "diffect"
import type { Tensor } from "diffect"
import type { BackendShape } from "diffect/extend"
import { makeTypedArrayBackend } from "diffect/extend"
import { Effect, Exit } from "effect"
import { caught } from "../hostile/hostile.js"
import { train } from "./training.js"

const fresh = () => {
  const backend = makeTypedArrayBackend({ trackMemory: true })
  return { backend, provide: Effect.provideService(Backend, backend) }
}

describe("transformations release what they do not return", () => {
  it("grad, valueAndGrad, vjp's pullback, vmap, jit, jvp and the jacobians leave only their results", () => {
    const { backend } = fresh()
    const x = np.array([0.5, 1, 2])
    const f = (v: Tensor) => np.sum(np.exp(np.sin(np.multiply(v, v))))
    const live = () => backend.memory()!.buffers
    const held: Array<unknown> = []
    const check = (name: string, run: () => unknown, results: number) => {
      const before = live()
      held.push(run())
      assert.strictEqual(live() - before, results, name)
    }
    // the gradient only: x's upload is released with the region that made it
    check("grad", () => runOn(backend, grad(f)(x)), 1)
    check("valueAndGrad", () => runOn(backend, valueAndGrad(f)(np.array([1, 2]))), 2)
    check("vmap", () => runOn(backend, vmap(np.sin)(np.array([1, 2]))), 1)
    const fast = jit((v: Tensor) => np.sum(np.tanh(np.multiply(v, 3))))
    // the first call also compiles: its arena and its constants' uploads stay with the cache
    held.push(runOn(backend, fast(np.array([1, 2]))))
    check("jit", () => runOn(backend, fast(np.array([1, 2]))), 1)
    // vjp keeps its residuals for the pullback it returns; calling the pullback keeps only the cotangent
    const [, pullback] = runOn(backend, vjp(f, [np.array([1, 2])]))
    check("vjp's pullback", () => runOn(backend, pullback(np.array(1))), 1)
    check("jvp", () => runOn(backend, jvp(f, [np.array([1, 2])], [np.array([1, 0])])), 2)
    check("jacfwd", () => runOn(backend, jacfwd(np.sin)(np.array([1, 2]))), 1)
    check("hessian", () => runOn(backend, hessian(f)(np.array([1, 2]))), 1)
    // the values are right after all that releasing
    assert.closeTo(toJsSync(held[4] as Tensor) as number, Math.tanh(3) + Math.tanh(6), 1e-6)
  })
})

describe("vjp's and linearize's residuals belong to the enclosing region", () => {
  const f = (v: Tensor) => np.sum(np.exp(np.sin(np.multiply(v, v))))
  const x = [0.5, 1, 2]
  const dfdx = x.map((v) => Math.exp(Math.sin(v * v)) * Math.cos(v * v) * 2 * v)

  it("live while the Memory.scoped region that called vjp is open, released when it closes", () => {
    const { backend, provide } = fresh()
    const live = () => backend.memory()!.buffers
    const before = live()
    let later: ((ct: Tensor) => Effect.Effect<[Tensor], unknown, Backend>) | undefined
    const g = Effect.runSync(provide(Memory.scoped(Effect.gen(function*() {
      const [, pullback] = yield* vjp(f, [np.array(x)])
      later = pullback as never
      // residuals are held while the region is open: the pullback runs, twice
      const [g1] = yield* pullback(np.array(1))
      const [g2] = yield* pullback(np.array(2))
      return [yield* toJs(g1), yield* toJs(g2)]
    }))))
    assert.strictEqual((g[0] as Array<number>).length, 3)
    ;(g[0] as Array<number>).forEach((v, i) => assert.closeTo(v, dfdx[i]!, 1e-5))
    ;(g[1] as Array<number>).forEach((v, i) => assert.closeTo(v, 2 * dfdx[i]!, 1e-5))
    // the region closed: nothing of the vjp is left, with no garbage collection
    assert.strictEqual(live(), before)
    // a pullback used after its region closed fails with a typed error in the error channel
    const exit = Effect.runSyncExit(provide(later!(np.array(1))))
    assert.isTrue(Exit.isFailure(exit))
    const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    assert.strictEqual((reason as { error?: { _tag?: string } } | undefined)?.error?._tag, "ReleasedTensorError")
  })

  it("linearize's linear function likewise; a loop of vjp steps keeps live memory flat", () => {
    const { backend, provide } = fresh()
    const live = () => backend.memory()!.buffers
    const before = live()
    const t = Effect.runSync(provide(Memory.scoped(Effect.gen(function*() {
      const [, df] = yield* linearize(f, [np.array(x)])
      return yield* toJs(yield* df(np.array([1, 0, 0])))
    }))))
    assert.closeTo(t as number, dfdx[0]!, 1e-5)
    assert.strictEqual(live(), before)
    const counts: Array<number> = []
    let p = np.array(x)
    for (let k = 0; k < 20; k++) {
      const next: Tensor = Effect.runSync(provide(Memory.scoped(Effect.gen(function*() {
        const [, pullback] = yield* vjp(f, [p])
        const [d] = yield* pullback(np.array(1))
        return np.subtract(p, np.multiply(d, 0.01))
      }))))
      Memory.release(p)
      p = next
      counts.push(live())
    }
    assert.strictEqual(new Set(counts).size, 1, counts.join(","))
  })

  it("a vjp nested in another transformation is released with the outermost", () => {
    const { backend } = fresh()
    const live = () => backend.memory()!.buffers
    const before = live()
    const h = (v: Tensor) => {
      const [y, pullback] = runOn(backend, vjp(f, [v]))
      const [d] = runOn(backend, pullback(np.onesLike(y)))
      return np.sum(np.multiply(d, d))
    }
    const out = runOn(backend, grad(h)(np.array(x)))
    // only the gradient stays (before, the nested vjp left the outer region's values to the GC)
    assert.strictEqual(live() - before, 1)
    // d/dv sum(g(v)^2) = 2 g(v) g'(v), g = f's derivative (g' by a float64 central difference)
    const g = (v: number) => Math.exp(Math.sin(v * v)) * Math.cos(v * v) * 2 * v
    const want = x.map((v) => 2 * g(v) * (g(v + 1e-6) - g(v - 1e-6)) / 2e-6)
    ;(toJsSync(out) as Array<number>).forEach((v, i) => assert.closeTo(v, want[i]!, 1e-3 * Math.abs(want[i]!)))
  })
})

const runOn = <A, E>(backend: BackendShape, effect: Effect.Effect<A, E, Backend>): A =>
  Effect.runSync(Effect.provideService(effect, Backend, backend))

describe("Memory.scoped and Memory.tidy", () => {
  it("release eager temporaries and keep the result; using a released tensor is a ReleasedTensorError", () => {
    const { backend, provide } = fresh()
    let inner: Tensor | undefined
    const kept = Effect.runSync(provide(Memory.scoped(Effect.sync(() => {
      inner = np.exp(np.array([0, 1]))
      return { out: np.add(inner, inner) }
    }))))
    assert.isTrue(Memory.isReleased(inner))
    assert.isFalse(Memory.isReleased(kept.out))
    assert.strictEqual(backend.memory()!.buffers, 1)
    assert.deepStrictEqual(Effect.runSync(provide(toJs(kept.out))), [2, Math.fround(2 * Math.fround(Math.E))])
    // reading it is a failure in the error channel
    const read = Effect.runSyncExit(provide(toJs(inner)))
    assert.isTrue(Exit.isFailure(read))
    const reason = Exit.isFailure(read) ? read.cause.reasons[0] : undefined
    assert.strictEqual((reason as { error?: { _tag?: string } } | undefined)?.error?._tag, "ReleasedTensorError")
    const e = caught(() => np.add(inner!, 1))
    assert.strictEqual(e._tag, "ReleasedTensorError")
    assert.match(e.message, /Tensor\(f32\[2\]\) was released by Memory\.scoped/)
    assert.match(String(inner), /released/)
  })
  it("a tensor released by Memory.release says so (not the scoped region's explanation)", () => {
    const { provide } = fresh()
    const t = Effect.runSync(provide(Effect.sync(() => np.exp(np.array([0, 1])))))
    Memory.release(t)
    const e = caught(() => np.add(t, 1))
    assert.strictEqual(e._tag, "ReleasedTensorError")
    assert.match(e.message, /was released by Memory\.release: its memory is freed/)
    assert.notMatch(e.message, /Memory\.scoped lives only/)
  })
  it("concurrent fibers each own their region", async () => {
    const { backend, provide } = fresh()
    const temps: Array<Tensor> = []
    const region = (seed: number) =>
      Memory.scoped(Effect.gen(function*() {
        const a = np.exp(np.array([seed]))
        temps.push(a)
        yield* Effect.sleep(5)
        const b = np.add(a, a)
        temps.push(b)
        yield* Effect.sleep(5)
        return np.add(b, b)
      }))
    const [x, y] = await Effect.runPromise(provide(Effect.all([region(0), region(1)], { concurrency: 2 })))
    assert.strictEqual(temps.length, 4)
    for (const t of temps) assert.isTrue(Memory.isReleased(t))
    assert.deepStrictEqual(toJsSync([x, y]), [[4], [Math.fround(4 * Math.fround(Math.E))]])
    assert.strictEqual(backend.memory()!.buffers, 2)
  })
  it("a failing region releases everything it made", () => {
    const { backend, provide } = fresh()
    const exit = Effect.runSyncExit(provide(Memory.scoped(Effect.gen(function*() {
      np.exp(np.array([1, 2, 3]))
      return yield* Effect.fail("no")
    }))))
    assert.isTrue(Exit.isFailure(exit))
    assert.strictEqual(backend.memory()!.buffers, 0)
  })
  it("Memory.keep takes tensors out of every region; Memory.tidy is the synchronous form", () => {
    const { backend } = fresh()
    let pinned: Tensor | undefined
    const y = runOn(
      backend,
      Effect.sync(() =>
        Memory.tidy(() => {
          pinned = Memory.keep(np.exp(np.array([1])))
          return np.sin(np.exp(np.array([2])))
        })
      )
    )
    assert.isFalse(Memory.isReleased(pinned))
    assert.isFalse(Memory.isReleased(y))
    assert.strictEqual(backend.memory()!.buffers, 2)
  })
  it("host data stays readable after a region releases its upload", () => {
    const { backend, provide } = fresh()
    const host = np.array([1, 2])
    Effect.runSync(provide(Memory.scoped(Effect.sync(() => np.add(host, host)))))
    assert.strictEqual(backend.memory()!.buffers, 1)
    assert.deepStrictEqual(toJsSync(host), [1, 2])
  })

  it("Memory.release of host data frees its uploads at once; it stays readable and usable", () => {
    const { backend, provide } = fresh()
    const live = () => backend.memory()!.buffers
    const host = np.array([1, 2, 3])
    // an upload outside every region (it waited for the garbage collector)
    const doubled = Effect.runSync(provide(Effect.sync(() => np.multiply(host, 2))))
    const held = live()
    Memory.release(host)
    // exactly the host array's upload is freed
    assert.strictEqual(live(), held - 1)
    assert.deepStrictEqual(toJsSync(host), [1, 2, 3])
    // used again: uploaded again
    const tripled = Effect.runSync(provide(Effect.sync(() => np.multiply(host, 3))))
    assert.deepStrictEqual(toJsSync([doubled, tripled]), [[2, 4, 6], [3, 6, 9]])
  })
})

describe("a memory budget on the layer", () => {
  it("an allocation past memoryLimit is a MemoryLimitError in the error channel", () => {
    const big = Effect.gen(function*() {
      const x = np.ones([256])
      return yield* grad((v: Tensor) => np.sum(np.exp(np.multiply(v, 2))))(x)
    })
    const ok = Effect.runSync(Effect.provide(big, TypedArrayBackend.layerWith({ memoryLimit: 64 * 1024 })))
    assert.strictEqual(ok.shape[0], 256)
    const exit = Effect.runSyncExit(Effect.provide(big, TypedArrayBackend.layerWith({ memoryLimit: 2048 })))
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    assert.strictEqual((error as { error?: { _tag?: string } } | undefined)?.error?._tag, "MemoryLimitError")
  })
})

describe("a 64x512 layer trained without forced GC", () => {
  it("keeps the CPU backend's live buffers flat", () => {
    const { backend, provide } = fresh()
    const counts: Array<number> = []
    const bytes: Array<number> = []
    const { loss } = Effect.runSync(provide(train(60, () => backend.memory()!, (_, live) => {
      counts.push(live.buffers)
      bytes.push(live.bytes)
    })))
    assert.isTrue(Number.isFinite(toJsSync(loss) as number))
    // every step ends with the same live set, from the first (the data and parameters are made
    // in a region, so no upload waits for the garbage collector)
    assert.deepStrictEqual(new Set(counts).size, 1, String(counts))
    assert.deepStrictEqual(new Set(bytes).size, 1)
    // the parameters (1 MB), the data and the host arrays' first uploads (views count once each)
    assert.isBelow(bytes.at(-1)!, 4 * 1024 * 1024)
  })
})

describe("control flow", () => {
  it("a long lax.whileLoop keeps the memory of one carry, and the right value", () => {
    const { backend, provide } = fresh()
    let during = 0
    const out = Effect.runSync(provide(Effect.sync(() =>
      Memory.tidy(() => {
        const result = lax.whileLoop(
          ([i]: ReadonlyArray<Tensor>) => np.less(i!, 2000),
          ([i, x]: ReadonlyArray<Tensor>) => [np.add(i!, np.array(1, { dtype: "int32" })), np.multiply(x!, x!)],
          [np.array(0, { dtype: "int32" }), np.array([1, 1])]
        )
        // before the region closes: 2,000 iterations held ~6,000 buffers until it did
        during = backend.memory()!.buffers
        return result
      })
    )))
    assert.deepStrictEqual(toJsSync(out), [2000, [1, 1]])
    assert.isAtMost(during, 12)
    // a body that returns a constant it closes over keeps that constant alive
    const c = Effect.runSync(provide(Effect.sync(() => np.exp(np.array([0, 0])))))
    const [n, k] = Effect.runSync(provide(Effect.sync(() =>
      lax.whileLoop(
        ([i]: ReadonlyArray<Tensor>) => np.less(i!, 5),
        ([i]: ReadonlyArray<Tensor>) => [np.add(i!, np.array(1, { dtype: "int32" })), c],
        [np.array(0, { dtype: "int32" }), np.array([2, 2])]
      )
    )))
    assert.deepStrictEqual(toJsSync([n, k, c]), [5, [1, 1], [1, 1]])
  })
})

describe("peak live bytes of a 1,000-step scan under grad (issue 11's memory evidence)", () => {
  // h -> tanh(sin(h @ w)), a 16-wide float64 carry: without checkpoint the forward pass keeps
  // three vectors per step for the backward pass (h, cos(pre), 1 - tanh^2: 384 bytes), with
  // nothingSaveable only h (128 bytes), with dotsSaveable h and the product (256 bytes)
  const N = 1000
  const H = 16
  const cell = (w: Tensor, h: Tensor) => lax.tanh(lax.sin(lax.dotGeneral(h, w, [[0], [0]])))
  const loop = (body: (w: Tensor, h: Tensor) => Tensor) => (v: Tensor) =>
    np.sum(
      lax.scan((h: Tensor, _x: null) => [body(v, h), null] as const, lax.full([H], 1, "float64"), null, {
        length: N
      })[0]
    )
  const peakOf = (f: (w: Tensor) => Tensor, compiled: boolean) => {
    const backend = makeTypedArrayBackend({ trackMemory: true })
    const w = np.reshape(np.array(Array.from({ length: H * H }, (_, i) => Math.sin(i) * 0.1), { dtype: "float64" }), [
      H,
      H
    ])
    const g = compiled ? jit(grad(f)) : grad(f)
    const first = runOn(backend, g(w)) // a jitted function's first call also compiles
    backend.resetPeak()
    const start = backend.memory()!.bytes
    const again = runOn(backend, g(w))
    assert.deepStrictEqual(toJsSync(again), toJsSync(first))
    return backend.memory()!.peakBytes - start
  }
  const perStep = H * 8

  it("eager: the peak is the residuals plus the stacking copy; nothingSaveable cuts it 2x, dotsSaveable 1.5x", () => {
    const plain = peakOf(loop(cell), false)
    const nothing = peakOf(loop(checkpoint(cell, { policy: checkpointPolicies.nothingSaveable })), false)
    const dots = peakOf(loop(checkpoint(cell, { policy: checkpointPolicies.dotsSaveable })), false)
    // the residuals are live at once (3 vectors a step), and while a stacked y is built its steps'
    // copies are too, with their expand_dims views (counted again though they share storage);
    // each step's copies are released as soon as their stacked y is built (measured: 786,736)
    assert.isAtLeast(plain, 3 * perStep * N)
    assert.isAtMost(plain, 2.25 * 3 * perStep * N)
    assert.isAtLeast(nothing, perStep * N)
    assert.isAtMost(nothing, plain / 2)
    assert.isAtMost(dots, plain / 1.4)
    assert.isAbove(dots, nothing)
  })

  it("jit: checkpoint cuts the compiled program's peak too", () => {
    const plain = peakOf(loop(cell), true)
    const nothing = peakOf(loop(checkpoint(cell, { policy: checkpointPolicies.nothingSaveable })), true)
    assert.isAtLeast(plain, 3 * perStep * N)
    assert.isAtMost(nothing, plain / 2)
  })
})
