/**
 * Gather-based indexing with JAX's out-of-bounds modes: eager, vmap and grad
 * agree (jnp.take fills with NaN by default; the gradient of a filled element
 * is zero, JAX's FILL_OR_DROP transpose drops it).
 */
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { aval, ConcreteTensor, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { jvpFlat } from "../src/index.js"
import { jit } from "../src/Jit.js"
import { vmap } from "../src/Vmap.js"
import { grad } from "./finiteDifferencesUtil.js"
import { js } from "./gradHelpers.js"
import { run, values } from "./vmapSupport.js"

const i32s = (vs: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval([vs.length], "int32"), Int32Array.from(vs), undefined)
const f64 = (vs: ReadonlyArray<number>): Tensor => np.array(vs, { dtype: "float64" })

describe("np.take modes: eager, vmap and grad agree", () => {
  const x = f64([10, 20, 30])
  const idx = [-4, -1, 0, 2, 3, 9]

  it("fill (default): eager with JS indices, with a tensor, and under vmap read NaN out of bounds", () => {
    const expected = [NaN, 30, 10, 30, NaN, NaN]
    assert.deepStrictEqual(values(np.take(x, idx)), expected)
    assert.deepStrictEqual(values(np.take(x, i32s(idx))), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i))(i32s(idx)))), expected)
  })

  it("fill: the gradient counts each in-bounds read, zero for filled ones (eager indices and traced)", () => {
    // reads x[2] (via -1), x[0], x[2]; -4, 3 and 9 are filled
    const expected = [1, 0, 2]
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, idx, { fillValue: 0 })))(x)), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { fillValue: 0 })))(x)), expected)
    // with the NaN fill the sum is NaN, but the gradient still ignores the filled slots
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx))))(x)), expected)
  })

  it("clip: eager, vmap and grad clamp (negative to 0)", () => {
    const expected = [10, 10, 10, 30, 30, 30]
    assert.deepStrictEqual(values(np.take(x, idx, { mode: "clip" })), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i, { mode: "clip" }))(i32s(idx)))), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { mode: "clip" })))(x)), [3, 0, 3])
  })

  it("wrap: eager, vmap and grad wrap around", () => {
    const expected = [30, 30, 10, 30, 10, 10]
    assert.deepStrictEqual(values(np.take(x, idx, { mode: "wrap" })), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i, { mode: "wrap" }))(i32s(idx)))), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { mode: "wrap" })))(x)), [3, 0, 3])
  })
})

// --- np.at: JAX's x.at[idx] ----------------------------------------------------

const num = (t: Tensor) => values(t) as Array<number>
const fdGrad = (f: (v: Tensor) => Tensor, x: ReadonlyArray<number>, h = 1e-6): Array<number> =>
  x.map((_, k) => {
    const at = (e: number) => values(f(f64(x.map((v, i) => (i === k ? v + e : v))))) as number
    return (at(h) - at(-h)) / (2 * h)
  })
const close = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, tol = 1e-6) =>
  a.forEach((v, i) => assert.approximately(v, b[i]!, tol, `element ${i}: ${a} vs ${b}`))

describe("np.at: indexed reads", () => {
  const y = np.arange(24, { dtype: "float64" }).reshape([2, 3, 4])
  it("integers, slices, ellipsis, new axes and integer arrays follow NumPy's shapes and values", () => {
    assert.deepStrictEqual(values(np.at(y, 1, "::-1", -1).get()), [23, 19, 15])
    assert.deepStrictEqual(np.at(y, [0, 1], ":", [1, 2]).get().shape, [2, 3]) // split advanced: first
    assert.deepStrictEqual(values(np.at(y, [0, 1], ":", [1, 2]).get()), [[1, 5, 9], [14, 18, 22]])
    assert.deepStrictEqual(values(np.at(y, ":", [0, 2], [1, 3]).get()), [[1, 11], [13, 23]]) // adjacent: in place
    assert.deepStrictEqual(np.at(y, null, 0, "1:").get().shape, [1, 2, 4])
    assert.deepStrictEqual(values(np.at(y, "...", 0).get()), [[0, 4, 8], [12, 16, 20]])
    assert.deepStrictEqual(values(np.at(y, 0, [[0], [2]], [1, 3]).get()), [[1, 3], [9, 11]]) // broadcast arrays
    assert.deepStrictEqual(values(np.at(y, 0, 0, "::2").get()), [0, 2])
  })
  it("modes: reads clamp by default, fill on request; negative indices count from the end", () => {
    const x = f64([1, 2, 3])
    assert.deepStrictEqual(values(np.at(x, [5, -1, -7]).get()), [3, 3, 1])
    assert.deepStrictEqual(values(np.at(x, [5, -1, -7]).get({ mode: "fill" })), [NaN, 3, NaN])
    assert.deepStrictEqual(values(np.at(x, [5]).get({ mode: "fill", fillValue: -1 })), [-1])
  })
})

describe("np.at: indexed updates", () => {
  it("set, add, subtract, multiply, min, max with repeated indices (set: the last wins)", () => {
    const x = f64([1, 2, 3, 4])
    const i = [0, 2, 0]
    const v = f64([5, -6, 7])
    assert.deepStrictEqual(values(np.at(x, i).set(v)), [7, 2, -6, 4])
    assert.deepStrictEqual(values(np.at(x, i).add(v)), [13, 2, -3, 4])
    assert.deepStrictEqual(values(np.at(x, i).subtract(v)), [-11, 2, 9, 4])
    assert.deepStrictEqual(values(np.at(x, i).multiply(v)), [35, 2, -18, 4])
    assert.deepStrictEqual(values(np.at(x, i).min(v)), [1, 2, -6, 4])
    assert.deepStrictEqual(values(np.at(x, i).max(v)), [7, 2, 3, 4])
    assert.deepStrictEqual(values(np.at(np.zeros([2, 3], { dtype: "float64" }), ":", "1:").set(f64([8, 9]))), [[
      0,
      8,
      9
    ], [0, 8, 9]])
    assert.deepStrictEqual(values(np.at(np.zeros([3], { dtype: "int32" }), 1).add(2.7)), [0, 2, 0]) // cast to x's dtype
  })
  it("modes: out-of-bounds updates are dropped by default, clamped with clip", () => {
    const x = f64([0, 0, 0])
    assert.deepStrictEqual(values(np.at(x, [1, 3, -4]).set(f64([1, 2, 3]))), [0, 1, 0])
    assert.deepStrictEqual(values(np.at(x, [1, 3, -4]).add(1, { mode: "drop" })), [0, 1, 0])
    assert.deepStrictEqual(values(np.at(x, [1, 3, -4]).add(1, { mode: "clip" })), [1, 1, 1])
    assert.deepStrictEqual(values(np.at(x, i32s([1, 3, -1])).add(1)), [0, 1, 1])
  })
  it("gradients against finite differences (operand and updates), set/add/multiply/min/max", () => {
    const x = [0.5, -1.2, 2.0, 0.3]
    const u = [1.5, -0.7, 0.9]
    const i = [2, 0, 2]
    const w = f64([1, 2, 3, 4])
    const loss = (out: Tensor) => np.sum(np.multiply(np.sin(out), w))
    for (const kind of ["set", "add", "multiply", "min", "max"] as const) {
      const inX = (v: Tensor) => loss(np.at(v, i)[kind](f64(u)))
      close(num(grad(inX)(f64(x))), fdGrad(inX, x))
      if (kind === "multiply") continue
      const inU = (v: Tensor) => loss(np.at(f64(x), i)[kind](v))
      close(num(grad(inU)(f64(u))), fdGrad(inU, u))
    }
    // multiply in its updates needs unique indices (JAX's rule)
    const inU = (v: Tensor) => loss(np.at(f64(x), [2, 0, 3]).multiply(v, { uniqueIndices: true }))
    close(num(grad(inU)(f64(u))), fdGrad(inU, u))
    assert.strictEqual(
      (() => {
        try {
          grad((v: Tensor) => loss(np.at(f64(x), i).multiply(v)))(f64(u))
        } catch (e) {
          return (e as { _tag: string })._tag
        }
      })(),
      "UniqueIndicesError"
    )
  })
  it("vmap over indices and updates agrees with a loop", () => {
    const x = f64([0, 0, 0, 0])
    const idx = i32s([3, 0, 9, -1])
    const ups = f64([1, 2, 3, 4])
    const f = (i: Tensor, v: Tensor) => np.at(x, np.reshape(i, [1])).max(np.reshape(v, [1]))
    const out = run(vmap(f)(idx, ups))
    const loop = [3, 0, 9, -1].map((i, k) => values(np.at(x, [i]).max([k + 1])))
    assert.deepStrictEqual(values(out), loop)
    const g = (i: Tensor, v: Tensor) => np.at(x, np.reshape(i, [1])).set(np.reshape(v, [1]))
    assert.deepStrictEqual(
      values(run(vmap(g)(idx, ups))),
      [3, 0, 9, -1].map((i, k) => values(np.at(x, [i]).set([k + 1])))
    )
  })
  it("errors: JS integers out of range, too many indices, bad slices and modes", () => {
    const x = f64([1, 2])
    const tagOf = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return (e as { _tag: string; message: string })
      }
      return assert.fail("no error")
    }
    assert.strictEqual(tagOf(() => np.at(x, 2).get())._tag, "IndexError")
    assert.include(
      tagOf(() => np.at(x, 0, 0).get()).message,
      "too many indices for array: array is 1-dimensional, but 2 were indexed"
    )
    assert.include(tagOf(() => np.at(x, "...", "...").get()).message, "single ellipsis")
    assert.strictEqual(tagOf(() => np.at(x, "a:b").get())._tag, "ArgumentError")
    assert.strictEqual(tagOf(() => np.at(x, 0).set(1, { mode: "wrap" as never }))._tag, "ArgumentError")
    // a boolean mask of the wrong shape (concrete masks are indices now, as JAX: see below)
    assert.strictEqual(tagOf(() => np.at(x, np.array([true, false, true])).get())._tag, "ShapeError")
  })
})

describe("np.at: boolean masks (JAX: concrete masks eagerly, NonConcreteBooleanIndexError when traced)", () => {
  const x = np.reshape(f64([1, -2, 3, -4, 5, -6]), [2, 3])

  it("a concrete mask reads and updates its true positions, as NumPy's nonzero", () => {
    // a mask over both axes: row-major true positions
    const positive = np.greater(x, 0)
    assert.deepStrictEqual(values(np.at(x, positive).get()), [1, 3, 5])
    assert.deepStrictEqual(values(np.at(x, positive).set(0)), [[0, -2, 0], [-4, 0, -6]])
    assert.deepStrictEqual(values(np.at(x, positive).add([10, 20, 30])), [[11, -2, 23], [-4, 35, -6]])
    // a mask over the leading axis (JS booleans), the trailing axis whole; with a slice after it
    assert.deepStrictEqual(values(np.at(x, [false, true]).get()), [[-4, 5, -6]])
    assert.deepStrictEqual(values(np.at(x, [true, true], "1:").get()), [[-2, 3], [5, -6]])
    // a mask on the trailing axis after an integer: x[1, [true, false, true]]
    assert.deepStrictEqual(values(np.at(x, 1, [true, false, true]).get()), [-4, -6])
    assert.deepStrictEqual(values(np.at(x, 1, [true, false, true]).multiply(2)), [[1, -2, 3], [-8, 5, -12]])
    // no true position: an empty result, an unchanged update
    assert.deepStrictEqual(np.at(x, np.less(x, -10)).get().shape, [0])
    assert.deepStrictEqual(values(np.at(x, np.less(x, -10)).set(7)), values(x))
  })

  it("a scalar boolean: x[True] adds an axis of length 1, x[False] of length 0 (NumPy, JAX)", () => {
    assert.deepStrictEqual(np.at(x, true).get().shape, [1, 2, 3])
    assert.deepStrictEqual(values(np.at(x, true).get()), [values(x)])
    assert.deepStrictEqual(np.at(x, false).get().shape, [0, 2, 3])
    assert.deepStrictEqual(np.at(x, 0, np.array(true)).get().shape, [1, 3])
    assert.deepStrictEqual(values(np.at(x, true).set(0)), [[0, 0, 0], [0, 0, 0]])
    assert.deepStrictEqual(values(np.at(x, false).set(0)), values(x))
  })

  it("a scalar boolean beside integer-array indices is an advanced index arange(int(b)) on a new axis (JAX, NumPy)", () => {
    // x[True, [0, 1]]: [0] and [0, 1] broadcast to (2,): the rows, as x[[0, 1]]
    const both = np.at(x, true, [1, 0]).get()
    assert.deepStrictEqual(both.shape, [2, 3])
    assert.deepStrictEqual(values(both), [[-4, 5, -6], [1, -2, 3]])
    assert.deepStrictEqual(values(np.at(x, [1, 0], true).get()), [[-4, 5, -6], [1, -2, 3]])
    // an integer beside it is advanced too: x[True, 1] is (1, 3)
    assert.deepStrictEqual(values(np.at(x, true, 1).get()), [[-4, 5, -6]])
    // non-adjacent advanced indices put the broadcast dimensions first: y[0, :, True] is (1, 3, 2)
    const y = np.reshape(f64(Array.from({ length: 12 }, (_, i) => i)), [2, 3, 2])
    const picked = np.at(y, 0, ":", true).get()
    assert.deepStrictEqual(picked.shape, [1, 3, 2])
    assert.deepStrictEqual(values(picked), [[[0, 1], [2, 3], [4, 5]]])
    // updates through it
    assert.deepStrictEqual(values(np.at(x, true, [1]).set(0)), [[1, -2, 3], [0, 0, 0]])
    assert.deepStrictEqual(values(np.at(x, true, [0, 0]).add(1)), [[3, 0, 5], [-4, 5, -6]])
    // x[False, [0, 1]]: shapes (0,) and (2,) do not broadcast (NumPy's error too)
    assert.throws(() => np.at(x, false, [0, 1]).get(), /broadcast/)
  })

  it("gradients flow through a concrete mask (the mask itself is not differentiated)", () => {
    const mask = np.greater(x, 0)
    const g = grad((v: Tensor) => np.sum(np.square(np.at(v, mask).get())))(x)
    assert.deepStrictEqual(values(g), [[2, 0, 6], [0, 10, 0]])
    // a mask computed from the differentiated value: under grad its primal is concrete (as JAX)
    const h = grad((v: Tensor) => np.sum(np.square(np.at(v, np.greater(v, 0)).get())))(x)
    assert.deepStrictEqual(values(h), [[2, 0, 6], [0, 10, 0]])
  })

  it("JAX's errors: a mask of the wrong shape, a traced mask under jit and vmap", () => {
    assert.throws(
      () => np.at(x, [true, false, true]).get(),
      /boolean index did not match shape of indexed array in index 0: got \(3\), expected \(2\)/
    )
    const jitted = jit((v: Tensor) => np.at(v, np.greater(v, 0)).get())
    const exit = Effect.runSyncExit(Effect.provide(jitted(x), TypedArrayBackend.layer))
    assert.isTrue(Exit.isFailure(exit))
    const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    const error = (reason as { error?: { _tag?: string; message?: string } } | undefined)?.error
    assert.strictEqual(error?._tag, "NonConcreteBooleanIndexError")
    assert.match(error?.message ?? "", /^Array boolean indices must be concrete; got bool\[2,3\]/)
    assert.throws(
      () => run(vmap((v: Tensor) => np.at(v, np.greater(v, 0)).get())(x)),
      /Array boolean indices must be concrete/
    )
  })
})

describe("np.at: complex updates (JAX: multiply is a complex product; min/max order lexicographically)", () => {
  it("multiply: complex64 and complex128, repeated indices combined in order; jvp in the operand", () => {
    for (const dtype of ["complex64", "complex128"] as const) {
      const z = np.array([{ re: 1, im: 2 }, { re: 1, im: 0 }, { re: 0, im: 2 }], { dtype })
      const u = np.array([{ re: 3, im: -1 }, { re: 0, im: 1 }, { re: 1, im: 1 }], { dtype })
      const out = np.at(z, [0, 0, 2]).multiply(u)
      // (1+2i)(3-i)(i) = -5+5i; 2i(1+i) = -2+2i
      assert.deepStrictEqual(js(out), [{ re: -5, im: 5 }, { re: 1, im: 0 }, { re: -2, im: 2 }])
    }
    // linear in the operand: the tangent is the same scatter of the tangent
    const z = np.array([{ re: 1, im: 2 }, { re: 1, im: 0 }], { dtype: "complex128" })
    const u = np.array([{ re: 3, im: -1 }], { dtype: "complex128" })
    const dz = np.array([{ re: 0, im: 1 }, { re: 2, im: 0 }], { dtype: "complex128" })
    const [, tangent] = jvpFlat(([v]) => [np.at(v!, [0]).multiply(u)], [z], [dz])
    // i (3-i) = 1+3i
    assert.deepStrictEqual(js(tangent[0]!), [{ re: 1, im: 3 }, { re: 2, im: 0 }])
  })

  it("min/max on complex order lexicographically (real part, then imaginary part), as JAX's lax.max", () => {
    const z = np.array([{ re: 1, im: 2 }, { re: 0, im: 0 }], { dtype: "complex128" })
    const u = np.array([{ re: 1, im: 3 }, { re: 2, im: -9 }, { re: -1, im: 0 }], { dtype: "complex128" })
    assert.deepStrictEqual(js(np.at(z, [0, 1, 1]).max(u)), [{ re: 1, im: 3 }, { re: 2, im: -9 }])
    assert.deepStrictEqual(js(np.at(z, [0, 1, 1]).min(u)), [{ re: 1, im: 2 }, { re: -1, im: 0 }])
    // the tangent follows the winner (JAX's _scatter_extremal_jvp): u[0] wins at 0, u[1] at 1
    const du = np.array([{ re: 5, im: 1 }, { re: 7, im: 0 }, { re: 9, im: 9 }], { dtype: "complex128" })
    const dz = np.array([{ re: 0.5, im: 0 }, { re: 0, im: 0.25 }], { dtype: "complex128" })
    const [, tangent] = jvpFlat(([v, w]) => [np.at(v!, [0, 1, 1]).max(w!)], [z, u], [dz, du])
    assert.deepStrictEqual(js(tangent[0]!), [{ re: 5, im: 1 }, { re: 7, im: 0 }])
    // lax.max's tangent: the winner's, half of each at a tie
    const a = np.array([{ re: 1, im: 2 }, { re: 2, im: 0 }, { re: 3, im: 3 }], { dtype: "complex128" })
    const b = np.array([{ re: 1, im: 1 }, { re: 2, im: 1 }, { re: 3, im: 3 }], { dtype: "complex128" })
    const da = np.array([{ re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }], { dtype: "complex128" })
    const db = np.array([{ re: 0, im: 1 }, { re: 0, im: 1 }, { re: 0, im: 1 }], { dtype: "complex128" })
    const [, dmax] = jvpFlat(([x, y]) => [lax.max(x!, y!)], [a, b], [da, db])
    assert.deepStrictEqual(js(dmax[0]!), [{ re: 1, im: 0 }, { re: 0, im: 1 }, { re: 0.5, im: 0.5 }])
  })
})
