/**
 * Buffers of compiled programs: `jit(f, { donateArgnums })` (JAX's buffer
 * donation: a donated input's memory may hold an output, and the donated tensor
 * is released by the call), and the arena holding `dot_general` outputs.
 */
import { evalProgram, grad, jit, JitArgnumsError } from "@diffect/ad"
import { aval, ConcreteTensor, np, ReleasedTensorError, withBackend } from "@diffect/core"
import type { DeviceBuffer, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { compileExecutable } from "../src/internal/executable.js"
import { planFusion } from "../src/internal/fusion.js"
import { simplifyProgram } from "../src/internal/simplify.js"
import { makeProgramFlat } from "../src/internal/staging.js"
import { backend, expect, failure, js, run, tensor } from "./gradHelpers.js"

/** A tensor whose data lives in a backend buffer of its own (an eager result, not a host array). */
const onBackend = (values: ReadonlyArray<number>): Tensor => np.add(tensor(values as Array<number>), 0.5)

// The storage array itself, read without letting it escape (a read through `data` would make it
// shared for good, and a shared storage is never overwritten by donation).
const storage = (t: Tensor): unknown => {
  const c = t as ConcreteTensor
  const buffer = c.buffer as DeviceBuffer
  return buffer.backend.peekSync!(buffer, c.aval)
}

const released = (t: Tensor): boolean => (t as ConcreteTensor).released

describe("jit donateArgnums", () => {
  it("an SGD step writes the new parameters into the donated ones' memory and releases them", () => {
    const step = jit((p: Tensor, g: Tensor) => np.subtract(p, np.multiply(0.25, g)), { donateArgnums: 0 })
    const p = onBackend([1, 2, 3, 4]) // [1.5, 2.5, 3.5, 4.5]
    const g = onBackend([0, 2, 4, 6]) // [0.5, 2.5, 4.5, 6.5]
    const before = storage(p)
    const p1 = run(step(p, g))
    assert.deepStrictEqual(js(p1), [1.375, 1.875, 2.375, 2.875])
    assert.strictEqual(storage(p1), before, "the output took the donated storage")
    assert.isTrue(released(p))
    assert.isFalse(released(g), "g was not donated")
    assert.throws(() => js(p), ReleasedTensorError)
    assert.throws(() => js(p), /donateArgnums/)
    // the next step donates the previous output: the same storage again
    const p2 = run(step(p1, g))
    assert.deepStrictEqual(js(p2), [1.25, 1.25, 1.25, 1.25])
    assert.strictEqual(storage(p2), before)
    assert.isTrue(released(p1))
  })

  it("without donation, new memory and the inputs stay usable", () => {
    const step = jit((p: Tensor, g: Tensor) => np.subtract(p, np.multiply(0.25, g)))
    const p = onBackend([1, 2])
    const g = onBackend([0, 2])
    const p1 = run(step(p, g))
    assert.notStrictEqual(storage(p1), storage(p))
    assert.deepStrictEqual(js(p), [1.5, 2.5])
    assert.deepStrictEqual(js(p1), [1.375, 1.875])
  })

  it("donated results equal undonated ones bit for bit (random elementwise programs)", () => {
    const ops = [
      (x: Tensor, y: Tensor) => np.add(np.sin(x), np.multiply(x, y)),
      (x: Tensor, y: Tensor) => np.subtract(np.tanh(np.multiply(x, 3)), y),
      (x: Tensor, y: Tensor) => np.multiply(np.exp(np.negative(np.square(x))), np.add(y, x)),
      // x is read broadcast (a row) and whole: not in place
      (x: Tensor, y: Tensor) => np.add(np.multiply(x, np.sum(x, { axis: 0, keepdims: true })), y),
      // the output is transposed: x is read strided
      (x: Tensor, y: Tensor) => np.add(np.transpose(x), y)
    ]
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ops.length - 1 }),
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 9, maxLength: 9 }),
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 9, maxLength: 9 }),
        (k, xs, ys) => {
          const f = (x: Tensor, y: Tensor) => ops[k]!(x, y)
          const mk = (v: ReadonlyArray<number>) => np.reshape(onBackend(v), [3, 3])
          const want = js(run(jit(f)(mk(xs), mk(ys))))
          const x = mk(xs)
          const got = js(run(jit(f, { donateArgnums: [0, 1] })(x, mk(ys))))
          assert.deepStrictEqual(got, want)
          assert.isTrue(released(x))
        }
      ),
      { numRuns: 40 }
    )
  })

  it("storage another tensor shares (a view) is never overwritten", () => {
    const x = onBackend([1, 2, 3, 4])
    const view = np.reshape(x, [2, 2]) // shares x's storage
    const f = jit((a: Tensor) => np.multiply(a, 2), { donateArgnums: 0 })
    const y = run(f(x))
    assert.deepStrictEqual(js(y), [3, 5, 7, 9])
    assert.deepStrictEqual(js(view), [[1.5, 2.5], [3.5, 4.5]])
    assert.throws(() => js(x), ReleasedTensorError)
  })

  it("a donated input that is also returned, or passed twice, keeps its values in the outputs", () => {
    const f = jit((a: Tensor) => [a, np.multiply(a, 2)] as const, { donateArgnums: 0 })
    const x = onBackend([1, 2])
    const [same, twice] = run(f(x))
    assert.deepStrictEqual(js(same), [1.5, 2.5])
    assert.deepStrictEqual(js(twice), [3, 5])
    assert.isTrue(released(x))
    const g = jit((a: Tensor, b: Tensor) => np.add(np.multiply(a, 2), b), { donateArgnums: 0 })
    const z = onBackend([1, 2])
    assert.deepStrictEqual(js(run(g(z, z))), [4.5, 7.5])
  })

  it("host arrays (np.array) can be donated: released after the call", () => {
    const f = jit((a: Tensor) => np.multiply(a, 2), { donateArgnums: 0 })
    const x = np.array([1, 2, 3])
    assert.deepStrictEqual(js(run(f(x))), [2, 4, 6])
    assert.throws(() => js(x), ReleasedTensorError)
  })

  it("pytree arguments: every leaf of a donated argument is donated", () => {
    const f = jit(
      (p: { w: Tensor; b: Tensor }, lr: Tensor) => ({ w: np.multiply(p.w, lr), b: np.add(p.b, lr) }),
      { donateArgnums: 0 }
    )
    const p = { w: onBackend([1, 2]), b: onBackend([3]) }
    const lr = onBackend([1])
    const out = run(f(p, lr))
    assert.deepStrictEqual(js(out.w), [2.25, 3.75])
    assert.deepStrictEqual(js(out.b), [5])
    assert.isTrue(released(p.w) && released(p.b))
    assert.isFalse(released(lr))
  })

  it("inside a transformation donation is ignored (nothing is released)", () => {
    const f = jit((a: Tensor) => np.sum(np.square(a)), { donateArgnums: 0 })
    const x = onBackend([1, 2])
    expect.close(js(run(grad(f)(x))), [3, 5])
    assert.isFalse(released(x))
  })

  it("bad donateArgnums are JitArgnumsErrors; static and donated cannot intersect (JAX's rule)", () => {
    const x = onBackend([1])
    expect.error(
      failure(jit((a: Tensor) => a, { donateArgnums: 1 })(x)),
      JitArgnumsError,
      "jitted function has donateArgnums=(1,) but was called with only 1 positional argument."
    )
    expect.error(
      failure(jit((a: Tensor) => a, { donateArgnums: [0.5] })(x)),
      JitArgnumsError,
      "donateArgnums must be integers, got 0.5."
    )
    expect.error(
      failure(jit((a: Tensor, n: number) => np.multiply(a, n), { staticArgnums: 1, donateArgnums: [0, -1] })(x, 2)),
      JitArgnumsError,
      /staticArgnums \(1\) and donateArgnums \(0, 1\) cannot intersect/
    )
    assert.isFalse(released(x))
  })
})

describe("jit arena: dot_general outputs", () => {
  it("a product read only by fusion groups, and a group's output read only by a product, live in the arena, reused by later calls with the same bits", () => {
    // x @ w feeds a bias-add + tanh group; its output is the second product's lhs; only the sum is returned
    const program = makeProgramFlat(([x, w, b, v]) => {
      const h = np.tanh(np.add(np.matmul(x!, w!), b!))
      return [np.sum(np.multiply(np.matmul(h, v!), 2))]
    }, [aval([4, 3], "float32"), aval([3, 5], "float32"), aval([5], "float32"), aval([5, 2], "float32")])
    const { program: simple, uniform } = simplifyProgram(program, backend)
    const steps = planFusion(simple, true)
    const exe = compileExecutable(simple, steps, uniform, backend)
    const inputs = (s: number) => [
      tensor(Array.from({ length: 4 }, (_, i) => [0.1 * i + s, -0.2, 0.3 * s])),
      tensor([[0.5, -1, 2, 0.25, 1], [1, 1, -0.5, 0, 2], [0.1, 0.2, 0.3, 0.4, 0.5]]),
      tensor([0.1, -0.1, 0.2, 0, 1]),
      tensor([[1, 0], [0, 1], [1, 1], [-1, 2], [0.5, 0.5]])
    ]
    const eager = (s: number) => js(withBackend(backend, () => evalProgram(simple, simple.consts, inputs(s))[0]!))
    const first = js(exe.run(inputs(1))[0]!)
    // both products' outputs (read by fusion groups only) and h (read by the second product, which
    // computes fresh outputs and never a view of its input) are in the arena: three buffers (their
    // lifetimes overlap)
    assert.strictEqual(exe.arenaBuffers(), 3)
    assert.deepStrictEqual(first, eager(1))
    const second = js(exe.run(inputs(2))[0]!)
    assert.strictEqual(exe.arenaBuffers(), 3)
    assert.deepStrictEqual(second, eager(2))
    assert.notDeepEqual(second, first)
  })
})

// A full collection (V8 exposes `gc` to new contexts once the flag is set at run time).
const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

describe("jit keeps no argument alive", () => {
  // JAX's test_jit_reference_dropping: after the call, only the caller holds its arguments
  it("neither the traced call's tensors nor later calls' stay reachable from the jitted function", async () => {
    const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.tanh(np.add(np.matmul(x, p.w), p.b)))
    const step = jit(grad(loss))
    const single = jit((x: Tensor) => np.sum(np.sin(x)))
    const scaled = jit((x: Tensor, n: number) => np.multiply(x, n), { staticArgnums: 1 })
    const refs: Array<readonly [string, WeakRef<object>]> = []
    const call = (k: number) => {
      const p = { w: np.ones([8, 4]), b: np.zeros([4]) }
      const x = np.ones([2, 8])
      const y = np.ones([5])
      refs.push([`w ${k}`, new WeakRef(p.w)], [`x ${k}`, new WeakRef(x)], [`y ${k}`, new WeakRef(y)])
      run(step(p, x))
      run(single(y))
      run(scaled(y, 3))
    }
    // the first call traces (and fills the fast paths' memory of the last signature), the second hits
    call(0)
    call(1)
    for (let i = 0; i < 4; i++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.deepStrictEqual(refs.filter(([, r]) => r.deref() !== undefined).map(([name]) => name), [])
    // and the functions still work
    assert.closeTo(js(run(single(np.zeros([3])))) as number, 0, 1e-7)
  })
})
