/**
 * lax.stack, unstack, broadcastLike and indexTake (JAX's lax.stack, lax.unstack,
 * lax.broadcast_like, lax.index_take): JAX's docstring examples, an index-by-index
 * reference for indexTake (fast-check, with wrapped negative and large indices),
 * gradients through each, and typed errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, grad, lax, np, runSync, ShapeError, type Tensor, toJsSync } from "diffect"
import * as fc from "fast-check"

describe("lax.stack and lax.unstack", () => {
  it("JAX's examples: stacking along a new axis, unstacking along one", () => {
    const [x, y] = [np.array([1, 2], { dtype: "int32" }), np.array([3, 4], { dtype: "int32" })]
    assert.deepStrictEqual(toJsSync(lax.stack([x, y], 0)), [[1, 2], [3, 4]])
    assert.deepStrictEqual(toJsSync(lax.stack([x, y], 1)), [[1, 3], [2, 4]])
    assert.deepStrictEqual(toJsSync(lax.stack([x, y], -1)), [[1, 3], [2, 4]])
    const m = np.array([[1, 2], [3, 4]])
    assert.deepStrictEqual(lax.unstack(m, 0).map((t) => toJsSync(t)), [[1, 2], [3, 4]])
    assert.deepStrictEqual(lax.unstack(m, 1).map((t) => toJsSync(t)), [[1, 3], [2, 4]])
    assert.deepStrictEqual(lax.unstack(np.zeros([0, 3])), [])
    // unstack inverts stack, for any shape and axis
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }), fc.nat(), (shape, a) => {
        const t = np.reshape(np.arange(shape.reduce((p, q) => p * q, 1)), shape)
        const axis = a % (shape.length + 1)
        const parts = lax.unstack(lax.stack([t, np.negative(t)], axis), axis)
        assert.deepStrictEqual(parts.map((p) => toJsSync(p)), [toJsSync(t), toJsSync(np.negative(t))])
      })
    )
  })

  it("gradients flow through both (d sum(w * stack([a, b])) = the rows of w)", () => {
    const w = np.array([[1, 2], [3, 4]])
    const g = runSync(
      grad((a: Tensor, b: Tensor) => np.sum(np.multiply(w, lax.stack([a, b], 1))), { argnums: [0, 1] })(
        np.array([0, 0]),
        np.array([0, 0])
      )
    )
    assert.deepStrictEqual(g.map((t) => toJsSync(t)), [[1, 3], [2, 4]])
    const u = runSync(grad((m: Tensor) => np.sum(np.square(lax.unstack(m, 0)[1]!)))(np.array([[1, 2], [3, 4]])))
    assert.deepStrictEqual(toJsSync(u), [[0, 0], [6, 8]])
  })

  it("typed errors: no operands, shapes that differ, axes out of range", () => {
    assert.throws(() => lax.stack([]), ArgumentError)
    assert.throws(() => lax.stack([np.zeros([2]), np.zeros([3])]), ShapeError)
    assert.throws(() => lax.stack([np.zeros([2])], 2), ArgumentError)
    assert.throws(() => lax.unstack(np.zeros([2]), 1), ArgumentError)
  })
})

describe("lax.broadcastLike", () => {
  it("broadcasts to another array's shape, NumPy's rule", () => {
    assert.deepStrictEqual(toJsSync(lax.broadcastLike(np.array([1, 2, 3]), np.zeros([2, 3]))), [[1, 2, 3], [1, 2, 3]])
    assert.deepStrictEqual(toJsSync(lax.broadcastLike(np.array([[1], [2]]), np.zeros([2, 2, 3]))), [
      [[1, 1, 1], [2, 2, 2]],
      [[1, 1, 1], [2, 2, 2]]
    ])
    // its gradient sums over the broadcast dimensions
    const g = runSync(grad((x: Tensor) => np.sum(lax.broadcastLike(x, np.zeros([4, 2, 3]))))(np.array([[1], [2]])))
    assert.deepStrictEqual(toJsSync(g), [[12], [12]])
    assert.throws(() => lax.broadcastLike(np.zeros([2]), np.zeros([3])), ShapeError)
    assert.throws(() => lax.broadcastLike(np.zeros([2, 3]), np.zeros([3])), ShapeError)
  })
})

describe("lax.indexTake", () => {
  it("equals an index-by-index reference, indices wrapping around each axis (fast-check)", () => {
    const wrap = (i: number, n: number) => ((i % n) + n) % n
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        fc.constantFrom<ReadonlyArray<number>>([0], [1], [2], [0, 2], [2, 0], [1, 2]),
        fc.array(fc.integer({ min: -7, max: 7 }), { minLength: 4, maxLength: 4 }),
        (shape, axes, raw) => {
          const src = np.reshape(np.arange(shape[0] * shape[1] * shape[2], { dtype: "int32" }), shape)
          const idxs = axes.map((_, k) => np.array(raw.map((v) => v + k), { dtype: "int32" }))
          const got = toJsSync(lax.indexTake(src, idxs, axes)) as Array<unknown>
          const rest = [0, 1, 2].filter((a) => !axes.includes(a))
          const want = raw.map((_, row) => {
            const at = [0, 0, 0]
            axes.forEach((a, k) => (at[a] = wrap(raw[row]! + k, shape[a]!)))
            const value = (pos: Array<number>) => pos[0]! * shape[1] * shape[2] + pos[1]! * shape[2] + pos[2]!
            if (rest.length === 0) return value(at)
            if (rest.length === 1) {
              return Array.from(
                { length: shape[rest[0]!]! },
                (_, i) => value(at.map((v, a) => (a === rest[0] ? i : v)))
              )
            }
            return Array.from({ length: shape[rest[0]!]! }, (_, i) =>
              Array.from(
                { length: shape[rest[1]!]! },
                (_, j) => value(at.map((v, a) => (a === rest[0] ? i : a === rest[1] ? j : v)))
              ))
          })
          assert.deepStrictEqual(got, want)
        }
      )
    )
  })

  it("differentiates into the taken entries; typed errors", () => {
    const g = runSync(
      grad((s: Tensor) => np.sum(lax.indexTake(s, [np.array([1, 1], { dtype: "int32" })], [0])))(
        np.zeros([3, 2])
      )
    )
    assert.deepStrictEqual(toJsSync(g), [[0, 0], [2, 2], [0, 0]])
    assert.throws(() => lax.indexTake(np.zeros([2]), [np.array([0.5])], [0]), DTypeError)
    assert.throws(() => lax.indexTake(np.zeros([2, 2]), [np.array([0], { dtype: "int32" })], [0, 1]), ArgumentError)
    assert.throws(() => lax.indexTake(np.zeros([2, 2]), [np.array([0], { dtype: "int32" })], [2]), ArgumentError)
  })
})
