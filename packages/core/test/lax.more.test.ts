/**
 * lax.empty, broadcastShapes, mulhi (against BigInt products), optimizationBarrier,
 * approxMaxK/approxMinK (exact: against a sort) and the generic reduce (monoids
 * against the reduction primitives, other computations against a JS fold).
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, InvalidArrayError, lax, np, ShapeError, toJsSync } from "diffect"
import * as fc from "fast-check"

describe("lax extras", () => {
  it("empty and broadcastShapes", () => {
    const e = lax.empty("float64")
    assert.deepStrictEqual([e.shape, e.dtype], [[], "float64"])
    // JAX's current signature, lax.empty(shape, dtype)
    const m = lax.empty([2, 3], "int32")
    assert.deepStrictEqual([m.shape, m.dtype], [[2, 3], "int32"])
    assert.deepStrictEqual(lax.empty(4, "float32").shape, [4])
    assert.throws(() => lax.empty([-1], "float32"), ShapeError)
    assert.throws(() => lax.empty([2], "float16" as never), InvalidArrayError)
    // lax.full_like(x, fill_value, dtype=None, shape=None): the shape and dtype were ignored before
    const x = np.array([1, 2], { dtype: "float32" })
    const f = lax.fullLike(x, 7, "int32", [2, 3])
    assert.deepStrictEqual([f.shape, f.dtype, toJsSync(f)], [[2, 3], "int32", [[7, 7, 7], [7, 7, 7]]])
    assert.deepStrictEqual(lax.fullLike(x, 7, null, [4]).dtype, "float32")
    assert.deepStrictEqual(toJsSync(lax.fullLike(x, np.array(2.5))), [2.5, 2.5])
    // weakly typed like x when no dtype is given (a JS number is a weak float32)
    assert.isTrue(lax.fullLike(3, 1).weakType)
    assert.isFalse(lax.fullLike(3, 1, "float32").weakType)
    assert.throws(() => lax.fullLike(x, np.array([1, 2])), ShapeError)
    assert.throws(() => lax.fullLike(x, 1, undefined, [-1]), ShapeError)
    assert.deepStrictEqual(lax.broadcastShapes([2, 1, 3], [4, 1], []), [2, 4, 3])
    assert.deepStrictEqual(lax.broadcastShapes([0], [1]), [0])
    assert.throws(() => lax.broadcastShapes([2], [3]), ShapeError)
  })

  it("JAX's positional optional arguments are refused where diffect takes an options object (they were ignored)", () => {
    const x = np.array([[3, 1], [0, 2]])
    // JAX: lax.sort(x, 0) sorts the columns; ignoring the 0 sorted the rows
    assert.throws(() => (lax.sort as (x: unknown, d: unknown) => unknown)(x, 0), ArgumentError)
    assert.deepStrictEqual(toJsSync(lax.sort(x, { dimension: 0 })), [[0, 1], [3, 2]])
    // JAX: associative_scan(fn, elems, reverse=True)
    const scan = lax.associativeScan as (f: unknown, e: unknown, r: unknown) => unknown
    assert.throws(() => scan(lax.add, np.array([1, 2, 3]), true), ArgumentError)
    assert.deepStrictEqual(toJsSync(lax.associativeScan(lax.add, np.array([1, 2, 3]), { reverse: true })), [6, 5, 3])
    const dg = lax.dotGeneral as (...a: Array<unknown>) => unknown
    assert.throws(() => dg(np.ones([2]), np.ones([2]), [[0], [0]], [[], []], "highest"), ArgumentError)
    const rw = lax.reduceWindow as (...a: Array<unknown>) => unknown
    assert.throws(() => rw(np.ones([4]), 0, lax.add, [2], [1], "VALID", [2]), ArgumentError)
    assert.throws(
      () => (lax.batchMatmul as (...a: Array<unknown>) => unknown)(np.ones([1, 2, 2]), np.ones([1, 2, 2]), "highest"),
      ArgumentError
    )
    assert.throws(() => (lax.approxMaxK as (...a: Array<unknown>) => unknown)(np.ones([4]), 2, 0), ArgumentError)
    assert.throws(() => lax.approxMaxK(np.ones([4]), 2, { recall: 0.9 } as never), ArgumentError)
    // and np's two that were left: jnp.unique(x, True) asks for the indices; unstack's axis
    assert.throws(() => (np.unique as (...a: Array<unknown>) => unknown)(np.array([2, 1, 2]), true), ArgumentError)
    assert.throws(() => (np.unstack as (...a: Array<unknown>) => unknown)(x, 1), ArgumentError)
    assert.deepStrictEqual(toJsSync(np.unstack(x, { axis: 1 })), [[3, 0], [1, 2]])
  })

  it("mulhi: the high word of the exact 64-bit product, signed and unsigned (BigInt oracle)", () => {
    const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    fc.assert(
      fc.property(fc.array(fc.tuple(i32, i32), { minLength: 1, maxLength: 20 }), (pairs) => {
        const xs = pairs.map(([x]) => x)
        const ys = pairs.map(([, y]) => y)
        const signed = toJsSync(lax.mulhi(np.array(xs, { dtype: "int32" }), np.array(ys, { dtype: "int32" }))) as Array<
          number
        >
        const ux = xs.map((x) => x >>> 0)
        const uy = ys.map((y) => y >>> 0)
        const unsigned = toJsSync(
          lax.mulhi(np.array(ux, { dtype: "uint32" }), np.array(uy, { dtype: "uint32" }))
        ) as Array<number>
        pairs.forEach(([x, y], i) => {
          assert.strictEqual(signed[i], Number(BigInt.asIntN(32, (BigInt(x) * BigInt(y)) >> 32n)))
          assert.strictEqual(unsigned[i], Number((BigInt(ux[i]!) * BigInt(uy[i]!)) >> 32n))
        })
      }),
      { numRuns: 50 }
    )
    assert.throws(() => lax.mulhi(np.array([1.5]), np.array([2])), DTypeError)
  })

  it("optimizationBarrier is the identity on pytrees", () => {
    const x = np.array([1, 2])
    const tree = { a: x, b: [x] }
    assert.strictEqual(lax.optimizationBarrier(tree), tree)
  })

  it("approxMaxK / approxMinK are the exact top-k along the chosen axis (ties to the lower index)", () => {
    const x = np.array([[3, 1, 4, 1], [5, 9, 2, 6]], { dtype: "float32" })
    const [v, i] = lax.approxMaxK(x, 2)
    assert.deepStrictEqual(toJsSync([v, i]), [[[4, 3], [9, 6]], [[2, 0], [1, 3]]])
    const [mv, mi] = lax.approxMinK(x, 1, { reductionDimension: 0 })
    assert.deepStrictEqual(toJsSync([mv, mi]), [[[3, 1, 2, 1]], [[0, 0, 1, 0]]])
    const u = np.array([7, 0, 4294967295], { dtype: "uint32" })
    assert.deepStrictEqual(toJsSync(lax.approxMinK(u, 2)), [[0, 7], [1, 0]])
  })

  it("reduce: JAX's monoids become the reduction primitives; other computations fold in index order", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]], { dtype: "float32" })
    assert.deepStrictEqual(toJsSync(lax.reduce(x, 0, lax.add, [0, 1])), 21)
    assert.deepStrictEqual(toJsSync(lax.reduce(x, 1, lax.mul, [1])), [6, 120])
    assert.deepStrictEqual(toJsSync(lax.reduce(x, -Infinity, lax.max, [0])), [4, 5, 6])
    const b = np.array([[true, false], [true, true]])
    assert.deepStrictEqual(toJsSync(lax.reduce(b, 1, lax.and, [1])), [false, true])
    // a fold: f(acc, v) = 2 acc + v from init 0 reads each row as binary digits
    const bits = np.array([[1, 0, 1], [1, 1, 0]], { dtype: "int32" })
    const twice = (a: Parameters<typeof lax.add>[0], v: Parameters<typeof lax.add>[0]) => lax.add(lax.add(a, a), v)
    assert.deepStrictEqual(toJsSync(lax.reduce(bits, 0, twice as never, [1])), [5, 6])
    // several dimensions (an associative, commutative computation, as XLA requires): the fold covers them all
    const plus = (a: Parameters<typeof lax.add>[0], v: Parameters<typeof lax.add>[0]) => lax.add(a, v)
    assert.deepStrictEqual(toJsSync(lax.reduce(bits, 10, plus as never, [0, 1])), 14)
    // row-major over several dimensions: the binary digits 101110
    assert.deepStrictEqual(toJsSync(lax.reduce(bits, 0, twice as never, [0, 1])), 0b101110)
    assert.deepStrictEqual(toJsSync(lax.reduce(x, 0, plus as never, [1])), [6, 15])
    assert.throws(() => lax.reduce(x, np.array([0, 0]), twice as never, [0]), DTypeError)
  })
})
