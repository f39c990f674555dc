/**
 * `allToAll` and `pswapaxes` under `vmap` (JAX's `lax.all_to_all`, `lax.pswapaxes`;
 * tests/batching_test.py `testAllToAll*`): values derived by hand and from an
 * index-by-index reference (fast-check over shapes and axes), the rules of every
 * table (the JVP, the transpose back, float64 finite differences), nested axes, jit,
 * and typed errors.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { allToAll, pbroadcast, pswapaxes } from "../src/Collectives.js"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { jvp } from "../src/Jvp.js"
import { vjp } from "../src/Vjp.js"
import { vmap } from "../src/Vmap.js"
import { arr, failure, run, values } from "./vmapSupport.js"

const over = <A>(f: (v: Tensor) => A, x: Tensor) => run(vmap(f, { axisName: "i" })(x) as Effect.Effect<A, never, never>)

const sizeOf = (shape: ReadonlyArray<number>) => shape.reduce((a, b) => a * b, 1)
const strides = (shape: ReadonlyArray<number>) => shape.map((_, i) => sizeOf(shape.slice(i + 1)))

/**
 * The tiled all-to-all index by index: `xs[i]` (flat, of `shape`) is instance i's
 * value; instance j's element at `o` is, with `L` the split axis's block length,
 * instance `floor(o[c] / L')`'s element at `o` with `o[c] mod L'` on the
 * concatenation axis and block j's offset added on the split axis.
 */
const reference = (
  xs: ReadonlyArray<ReadonlyArray<number>>,
  shape: ReadonlyArray<number>,
  split: number,
  concat: number
): { readonly shape: ReadonlyArray<number>; readonly out: Array<Array<number>> } => {
  const n = xs.length
  const blocked = shape.map((d, a) => (a === split ? d / n : d))
  const outShape = blocked.map((d, a) => (a === concat ? d * n : d))
  const inStrides = strides(shape)
  const out = xs.map((_, j) =>
    Array.from({ length: sizeOf(outShape) }, (_, flat) => {
      const o = outShape.map((d, a) => Math.floor(flat / sizeOf(outShape.slice(a + 1))) % d)
      const i = Math.floor(o[concat]! / blocked[concat]!)
      const p = [...o]
      p[concat] = o[concat]! % blocked[concat]!
      p[split] = j * blocked[split]! + p[split]!
      return xs[i]![p.reduce((s, v, a) => s + v * inStrides[a]!, 0)]!
    })
  )
  return { shape: outShape, out }
}

/**
 * The untiled all-to-all as JAX documents it: the result's shape is the value's with
 * `split` deleted and the axis's size inserted at `concat`; instance j's element at
 * `o` is instance `o[concat]`'s element at `o` without `concat`, with j inserted at `split`.
 */
const untiledReference = (
  xs: ReadonlyArray<ReadonlyArray<number>>,
  shape: ReadonlyArray<number>,
  split: number,
  concat: number
): Array<Array<number>> => {
  const rest = shape.filter((_, a) => a !== split)
  const outShape = [...rest.slice(0, concat), xs.length, ...rest.slice(concat)]
  const inStrides = strides(shape)
  return xs.map((_, j) =>
    Array.from({ length: sizeOf(outShape) }, (_, flat) => {
      const o = outShape.map((d, a) => Math.floor(flat / sizeOf(outShape.slice(a + 1))) % d)
      const q = o.filter((_, a) => a !== concat)
      const p = [...q.slice(0, split), j, ...q.slice(split)]
      return xs[o[concat]!]![p.reduce((s, v, a) => s + v * inStrides[a]!, 0)]!
    })
  )
}

describe("allToAll and pswapaxes: values", () => {
  it("untiled: the split axis becomes the instances, the instances an axis at concatAxis", () => {
    // instance i holds row i; afterwards instance j holds column j
    assert.deepStrictEqual(values(over((v) => allToAll(v, "i", 0, 0), arr([[1, 2], [3, 4]]))), [[1, 3], [2, 4]])
    // x_i of shape [2, 3]; split 0, concat 1: instance j's [k, i] is x_i[j, k]
    const x = np.reshape(np.arange(12, { dtype: "float64" }), [2, 2, 3])
    assert.deepStrictEqual(values(over((v) => allToAll(v, "i", 0, 1), x)), [
      [[0, 6], [1, 7], [2, 8]],
      [[3, 9], [4, 10], [5, 11]]
    ])
    // x_i of shape [3, 2]; split 1, concat 0: instance j's [i, k] is x_i[k, j]
    const y = np.reshape(np.arange(12, { dtype: "float64" }), [2, 3, 2])
    assert.deepStrictEqual(values(over((v) => allToAll(v, "i", 1, 0), y)), [
      [[0, 2, 4], [6, 8, 10]],
      [[1, 3, 5], [7, 9, 11]]
    ])
    // negative axes count from the end
    assert.deepStrictEqual(
      values(over((v) => allToAll(v, "i", -1, -2), y)),
      values(over((v) => allToAll(v, "i", 1, 0), y))
    )
  })

  it("tiled: blocks of the split axis, concatenated in instance order", () => {
    const x = np.reshape(np.arange(16, { dtype: "float64" }), [2, 4, 2])
    assert.deepStrictEqual(values(over((v) => allToAll(v, "i", 0, 1, { tiled: true }), x)), [
      [[0, 1, 8, 9], [2, 3, 10, 11]],
      [[4, 5, 12, 13], [6, 7, 14, 15]]
    ])
  })

  it("pswapaxes swaps the named axis with an axis of the value (a transpose of the stack)", () => {
    const x = arr([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert.deepStrictEqual(values(over((v) => pswapaxes(v, "i", 0), x)), [[1, 4, 7], [2, 5, 8], [3, 6, 9]])
    // an operand that does not vary: every instance sends the same value, so instance j gets
    // its own entry n times
    assert.deepStrictEqual(values(over(() => pswapaxes(arr([5, 6, 7]), "i", 0), x)), [[5, 5, 5], [6, 6, 6], [7, 7, 7]])
  })

  it("equals the index-by-index reference over shapes, axes and axis sizes (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 2 }),
        (n, dims, s, c, block) => {
          const split = s % dims.length
          const concat = c % dims.length
          const shape = dims.map((d, a) => (a === split ? n * block : d))
          const xs = Array.from({ length: n }, (_, i) => Array.from({ length: sizeOf(shape) }, (_, k) => 100 * i + k))
          const x = np.reshape(np.array(xs.flat(), { dtype: "float64" }), [n, ...shape])
          const got = over((v) => allToAll(v, "i", split, concat, { tiled: true }), x)
          const want = reference(xs, shape, split, concat)
          assert.deepStrictEqual(got.shape, [n, ...want.shape])
          assert.deepStrictEqual(values(np.reshape(got, [n, -1])) as Array<Array<number>>, want.out)
          if (block === 1) {
            const untiled = over((v) => allToAll(v, "i", split, concat), x)
            assert.deepStrictEqual(
              values(np.reshape(untiled, [n, -1])) as Array<Array<number>>,
              untiledReference(xs, shape, split, concat)
            )
          }
        }
      ),
      { numRuns: 40 }
    )
  })

  it("over an outer axis from inside an inner vmap, and under jit", () => {
    // x[j, i, k]: inner instances i, outer instances j; swapping the outer axis with k
    const x = np.reshape(np.arange(8, { dtype: "float64" }), [2, 2, 2])
    const inner = (rows: Tensor) => vmap((v: Tensor) => pswapaxes(v, "j", 0), { axisName: "i" })(rows)
    const got = values(run(vmap(inner, { axisName: "j" })(x)))
    // element (j, i, k) becomes x[k, i, j]
    assert.deepStrictEqual(got, [[[0, 4], [2, 6]], [[1, 5], [3, 7]]])
    const jitted = jit((xs: Tensor) => vmap((v: Tensor) => allToAll(v, "i", 1, 0), { axisName: "i" })(xs))
    const y = np.reshape(np.arange(12, { dtype: "float64" }), [2, 3, 2])
    assert.deepStrictEqual(values(run(jitted(y))), values(over((v) => allToAll(v, "i", 1, 0), y)))
  })
})

describe("allToAll: derivatives", () => {
  const weights = (n: number) => np.array(Array.from({ length: n }, (_, k) => Math.cos(k + 1)), { dtype: "float64" })
  const cases: ReadonlyArray<readonly [string, (v: Tensor) => Tensor]> = [
    ["pswapaxes", (v) => pswapaxes(v, "i", 0)],
    ["untiled, split 0, concat 1", (v) => allToAll(v, "i", 0, 1)],
    ["tiled, split 1, concat 0", (v) => allToAll(np.reshape(v, [1, 6]), "i", 1, 0, { tiled: true })]
  ]
  // sum(w * sin(vmap(f)(x^2))), float64; x has 3 instances of [3, 2]
  const loss = (f: (v: Tensor) => Tensor) => (x: Tensor) =>
    Effect.map(
      vmap((v: Tensor) => np.sin(f(np.square(v))), { axisName: "i" })(x),
      (y) => np.sum(np.multiply(np.reshape(weights(y.size), y.shape), y))
    )
  const at = (xs: ReadonlyArray<number>) => np.reshape(np.array([...xs], { dtype: "float64" }), [3, 3, 2])

  for (const [name, f] of cases) {
    it(`${name}: the gradient (through its transpose) matches central differences`, () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 18, maxLength: 18 }), (xs) => {
          const g = (values(run(grad(loss(f))(at(xs)))) as Array<Array<Array<number>>>).flat(2)
          const h = 1e-6
          const value = (ys: ReadonlyArray<number>) => values(run(loss(f)(at(ys)))) as number
          xs.forEach((_, k) => {
            const fd = (value(xs.map((v, q) => (q === k ? v + h : v))) -
              value(xs.map((v, q) => (q === k ? v - h : v)))) / (2 * h)
            assert.closeTo(g[k]!, fd, 1e-6 * (1 + Math.abs(fd)))
          })
        }),
        { numRuns: 4 }
      )
    })
  }

  it("the vjp sends each cotangent back to where its value came from (hand-derived); the JVP is the swap of the tangent", () => {
    const x = arr([[1, 2], [3, 4]])
    const swapped = (xs: Tensor) => vmap((v: Tensor) => pswapaxes(v, "i", 0), { axisName: "i" })(xs)
    const [, back] = run(vjp(swapped, [x]))
    // output (j, i) read x[i, j]: its cotangent goes to (i, j)
    const [ct] = run(back(arr([[10, 20], [30, 40]])))
    assert.deepStrictEqual(values(ct!), [[10, 30], [20, 40]])
    const [, t] = run(jvp(swapped, [x], [arr([[1, 0], [5, 7]])]))
    assert.deepStrictEqual(values(t as Tensor), [[1, 5], [0, 7]])
  })
})

describe("pbroadcast", () => {
  it("every instance gets the source's value; the cotangents all flow back to the source", () => {
    const x = arr([[1, 2], [3, 4], [5, 6]])
    assert.deepStrictEqual(values(over((v) => pbroadcast(v, "i", 2), x)), [[5, 6], [5, 6], [5, 6]])
    // sum(w * out): out_j = x_1 for every j, so d/dx_1 = the column sums of w
    const w = arr([[1, 2], [3, 4], [5, 6]])
    const loss = (xs: Tensor) =>
      Effect.map(vmap((v: Tensor) => pbroadcast(v, "i", 1), { axisName: "i" })(xs), (y) => np.sum(np.multiply(w, y)))
    assert.deepStrictEqual(values(run(grad(loss)(x))), [[0, 0], [9, 12], [0, 0]])
    const bad = failure(vmap((v: Tensor) => pbroadcast(v, "i", 3), { axisName: "i" })(x)) as {
      _tag: string
      message: string
    }
    assert.strictEqual(bad._tag, "ArgumentError")
    assert.include(bad.message, "an index along the axis (0 .. 2)")
  })
})

describe("allToAll: typed errors", () => {
  const x = arr([[1, 2], [3, 4], [5, 6]])
  it("split axes of the wrong size, bad axes and options, unbound names", () => {
    const tagOf = (e: unknown) => e as { _tag: string; message: string }
    const size = tagOf(failure(vmap((v: Tensor) => allToAll(v, "i", 0, 0), { axisName: "i" })(x)))
    assert.strictEqual(size._tag, "ShapeError")
    assert.include(size.message, "must equal the size of the split axis, but they are 3 and 2")
    const tiled = tagOf(failure(vmap((v: Tensor) => allToAll(v, "i", 0, 0, { tiled: true }), { axisName: "i" })(x)))
    assert.include(tiled.message, "has to be divisible by the size of the named axis 'i' (3)")
    const axis = tagOf(failure(vmap((v: Tensor) => pswapaxes(v, "i", 1), { axisName: "i" })(x)))
    assert.strictEqual(axis._tag, "ArgumentError")
    assert.include(axis.message, "an axis of the value (rank 1)")
    const option = tagOf(
      failure(vmap((v: Tensor) => allToAll(v, "i", 0, 0, { tield: true } as never), { axisName: "i" })(x))
    )
    assert.include(option.message, "unknown key")
    const unbound = tagOf(failure(vmap((v: Tensor) => pswapaxes(v, "k", 0), { axisName: "i" })(x)))
    assert.strictEqual(unbound._tag, "UnboundAxisError")
  })
})
