/**
 * lax.raggedDot and lax.raggedDotGeneral (JAX's ragged_dot, ragged_dot_general):
 * against a row-by-row JS reference (JAX's lax_reference.ragged_dot: row r of
 * group i is lhs[r] @ rhs[i]; rows past the sum of the sizes are zero), with
 * fast-check over group sizes including empty groups; the contracting and batch
 * modes against per-group sums; gradients in lhs and rhs against float64 central
 * differences; jit and vmap; float32; typed errors for JAX's rejected inputs.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  DTypeError,
  grad,
  jit,
  lax,
  np,
  runSync,
  ShapeError,
  type Tensor,
  toJsSync,
  vmap
} from "diffect"
import * as fc from "fast-check"

type Matrix = Array<Array<number>>

// JAX's lax_reference.ragged_dot, row by row in float64 JS
const reference = (lhs: Matrix, rhs: Array<Matrix>, sizes: Array<number>): Matrix => {
  const n = rhs[0]?.[0]?.length ?? 0
  const out = lhs.map(() => new Array<number>(n).fill(0))
  let start = 0
  sizes.forEach((size, g) => {
    for (let r = start; r < Math.min(start + size, lhs.length); r++) {
      for (let j = 0; j < n; j++) out[r]![j] = lhs[r]!.reduce((s, v, k) => s + v * rhs[g]![k]![j]!, 0)
    }
    start += size
  })
  return out
}

const near = (got: unknown, want: unknown, tol: number, what: string) => {
  const a = [got].flat(4) as Array<number>
  const b = [want].flat(4) as Array<number>
  assert.strictEqual(a.length, b.length, what)
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${v} vs ${b[i]}`))
}

const i32 = (xs: Array<number>) => np.array(xs, { dtype: "int32" })
const f64 = (xs: unknown) => np.array(xs as Array<number>, { dtype: "float64" })
const values = (len: number) => fc.array(fc.integer({ min: -9, max: 9 }), { minLength: len, maxLength: len })

describe("lax.raggedDot", () => {
  it("equals the row-by-row reference for random group sizes (empty groups, sums below m)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 10_000 }),
        (sizes, k, n, spare, seed) => {
          const m = sizes.reduce((a, b) => a + b, 0) + spare
          let s = seed
          const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) % 19) - 9
          const lhs = Array.from({ length: m }, () => Array.from({ length: k }, next))
          const rhs = sizes.map(() => Array.from({ length: k }, () => Array.from({ length: n }, next)))
          const l = np.reshape(f64(lhs.flat()), [m, k])
          const r = np.reshape(f64(rhs.flat(2)), [sizes.length, k, n])
          const got = toJsSync(lax.raggedDot(l, r, i32(sizes)))
          assert.deepStrictEqual(got, reference(lhs, rhs, sizes))
        }
      ),
      { numRuns: 60 }
    )
  })

  it("sizes summing past m: groups are cut at m (JAX checks no sum); negative sizes are empty groups", () => {
    const lhs = [[1, 2], [3, 4], [5, 6]]
    const rhs = [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[2, 0], [0, 2]]]
    assert.deepStrictEqual(toJsSync(lax.raggedDot(f64(lhs), f64(rhs), i32([2, 5, 1]))), [[1, 2], [3, 4], [6, 5]])
    // a negative size: its group [start, start + size) is empty and the next starts earlier, so
    // row 1 lies in groups 0 and 2 and gets both products (JAX's mask and its reference add them)
    assert.deepStrictEqual(toJsSync(lax.raggedDot(f64(lhs), f64(rhs), i32([2, -1, 2]))), [[1, 2], [9, 12], [10, 12]])
    // uint32 sizes
    const u = np.array([1, 2, 0], { dtype: "uint32" })
    assert.deepStrictEqual(toJsSync(lax.raggedDot(f64(lhs), f64(rhs), u)), [[1, 2], [4, 3], [6, 5]])
  })

  it("float32 and preferredElementType (int32 operands to a float32 or float64 result)", () => {
    const lhs = np.array([[0.1, 0.2], [0.3, 0.4]], { dtype: "float32" })
    const rhs = np.array([[[1, 2], [3, 4]]], { dtype: "float32" })
    const y = lax.raggedDot(lhs, rhs, i32([2]))
    assert.strictEqual(y.dtype, "float32")
    near(toJsSync(y), [[0.7, 1], [1.5, 2.2]], 1e-6, "float32")
    const yi = lax.raggedDot(i32([3, 4]).reshape([1, 2]), np.array([[[1], [2]]], { dtype: "int32" }), i32([1]), {
      preferredElementType: "float64"
    })
    assert.deepStrictEqual([yi.dtype, toJsSync(yi)], ["float64", [[11]]])
    const y64 = lax.raggedDot(lhs, rhs, i32([2]), { preferredElementType: "float64", precision: "highest" })
    assert.strictEqual(y64.dtype, "float64")
  })

  it("gradients in lhs and rhs against float64 central differences; none for the sizes", () => {
    const lhs = f64([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.2, 0.9, 0.6], [0.8, -0.5, 1.3]])
    const rhs = f64([[[0.2, -0.4], [1.0, 0.3], [-0.6, 0.7]], [[0.5, 0.1], [-0.2, 0.8], [0.9, -1.1]], [
      [
        1.2,
        0.6
      ],
      [0.4, -0.3],
      [0.1, 0.2]
    ]])
    const sizes = i32([1, 0, 3])
    const loss = (a: Tensor, b: Tensor) => np.sum(np.sin(lax.raggedDot(a, b, sizes)))
    const [ga, gb] = runSync(grad(loss, { argnums: [0, 1] })(lhs, rhs)).map((t) => toJsSync(t) as unknown)
    const h = 1e-6
    const fd = (which: 0 | 1) => {
      const base = toJsSync(which === 0 ? lhs : rhs) as unknown
      const flat = [base].flat(4) as Array<number>
      return flat.map((_, i) => {
        const at = (d: number) => {
          const p = flat.slice()
          p[i] = p[i]! + d
          const t = np.reshape(f64(p), (which === 0 ? lhs : rhs).shape)
          return toJsSync(which === 0 ? loss(t, rhs) : loss(lhs, t)) as number
        }
        return (at(h) - at(-h)) / (2 * h)
      })
    }
    near(ga, fd(0), 1e-8, "d/dlhs")
    near(gb, fd(1), 1e-8, "d/drhs")
    // group 1 is empty: rhs[1] gets no gradient
    assert.deepStrictEqual((gb as Array<unknown>)[1], [[0, 0], [0, 0], [0, 0]])
  })

  it("under jit and vmap (over lhs, rhs or the group sizes), the eager values", () => {
    const lhs = f64([[1, 2], [3, 4], [5, 6]])
    const rhs = f64([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])
    const sizes = i32([1, 2])
    const eager = toJsSync(lax.raggedDot(lhs, rhs, sizes))
    assert.deepStrictEqual(
      toJsSync(runSync(jit((a: Tensor, s: Tensor) => lax.raggedDot(a, rhs, s))(lhs, sizes))),
      eager
    )
    const lhss = np.stack([lhs, np.negative(lhs)])
    const batched = runSync(vmap((a: Tensor) => lax.raggedDot(a, rhs, sizes))(lhss))
    assert.deepStrictEqual(toJsSync(batched), [eager, toJsSync(lax.raggedDot(np.negative(lhs), rhs, sizes))])
    const sizess = i32([1, 2, 3, 0]).reshape([2, 2])
    const bySizes = runSync(vmap((s: Tensor) => lax.raggedDot(lhs, rhs, s))(sizess))
    assert.deepStrictEqual(toJsSync(bySizes), [
      eager,
      reference([[1, 2], [3, 4], [5, 6]], [[[1, 0], [0, 1]], [[0, 1], [
        1,
        0
      ]]], [3, 0])
    ])
  })

  it("typed errors: shapes, dtypes, groupOffset (unimplemented in JAX too)", () => {
    const lhs = f64([[1, 2]])
    const rhs = f64([[[1], [2]]])
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1, 1])), ShapeError)
    assert.throws(() => lax.raggedDot(f64([1, 2]), rhs, i32([1])), ShapeError)
    assert.throws(() => lax.raggedDot(lhs, rhs, f64([1])), DTypeError)
    assert.throws(() => lax.raggedDot(lhs, np.array([[[1], [2]]], { dtype: "float32" }), i32([1])), DTypeError)
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1]), { groupOffset: i32([0]) }), ArgumentError)
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1]), { preferredElementType: "float32" }), DTypeError)
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1]), { preferredElementType: "int32" }), DTypeError)
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1]), { foo: 1 } as never), ArgumentError)
    assert.throws(() => lax.raggedDot(lhs, rhs, i32([1]), { precision: "low" as never }), ArgumentError)
    assert.throws(() => lax.raggedDot("x" as never, rhs, i32([1])), ArgumentError)
  })
})

describe("lax.raggedDotGeneral", () => {
  it("mode 1 with batch dimensions and [b, g] group sizes: per-batch ragged_dot", () => {
    fc.assert(
      fc.property(values(2 * 3 * 2), values(2 * 2 * 2 * 3), (lv, rv) => {
        // lhs [b=2, m=3, k=2], rhs [b=2, k=2, g=2, n=3] (group dimension 2), sizes [b, g]
        const lhs = np.reshape(f64(lv), [2, 3, 2])
        const rhs = np.reshape(f64(rv), [2, 2, 2, 3])
        const sizes = i32([1, 2, 3, 0]).reshape([2, 2])
        const y = lax.raggedDotGeneral(lhs, rhs, sizes, {
          dotDimensionNumbers: [[[2], [1]], [[0], [0]]],
          lhsRaggedDimensions: [1],
          rhsGroupDimensions: [2]
        })
        const L = toJsSync(lhs) as Array<Matrix>
        const R = toJsSync(np.transpose(rhs, { axes: [0, 2, 1, 3] })) as Array<Array<Matrix>>
        assert.deepStrictEqual(toJsSync(y), [reference(L[0]!, R[0]!, [1, 2]), reference(L[1]!, R[1]!, [3, 0])])
      }),
      { numRuns: 20 }
    )
  })

  it("mode 2 (ragged contracting dimension): output i sums over group i's slice of k", () => {
    fc.assert(
      fc.property(values(2 * 5), values(5 * 2), (lv, rv) => {
        const lhs = np.reshape(f64(lv), [2, 5])
        const rhs = np.reshape(f64(rv), [5, 2])
        const sizes = [2, 0, 3]
        const y = lax.raggedDotGeneral(lhs, rhs, i32(sizes), {
          dotDimensionNumbers: [[[1], [0]], [[], []]],
          lhsRaggedDimensions: [1],
          rhsGroupDimensions: []
        })
        const starts = [0, 2, 2]
        const want = sizes.map((size, g) =>
          [0, 1].map((i) =>
            [0, 1].map((j) => {
              let s = 0
              for (let k = starts[g]!; k < starts[g]! + size; k++) s += lv[i * 5 + k]! * rv[k * 2 + j]!
              return s
            })
          )
        )
        assert.deepStrictEqual(y.shape, [3, 2, 2])
        assert.deepStrictEqual(toJsSync(y), want)
      }),
      { numRuns: 20 }
    )
  })

  it("mode 3 (ragged batch dimension) is dot_general; its gradient matches central differences", () => {
    const lhs = f64([[[1, 2]], [[3, 4]]])
    const rhs = f64([[[1], [1]], [[2], [0]]])
    const dims = {
      dotDimensionNumbers: [[[2], [1]], [[0], [0]]],
      lhsRaggedDimensions: [0],
      rhsGroupDimensions: []
    } as const
    assert.deepStrictEqual(toJsSync(lax.raggedDotGeneral(lhs, rhs, i32([1, 1]), dims)), [[[3]], [[6]]])
    // mode 2 differentiates too: d/dlhs sum(y^2)
    const l2 = f64([[0.5, -1, 2]])
    const r2 = f64([[1], [0.5], [-2]])
    const d2 = {
      dotDimensionNumbers: [[[1], [0]], [[], []]],
      lhsRaggedDimensions: [1],
      rhsGroupDimensions: []
    } as const
    const loss = (a: Tensor) => np.sum(np.square(lax.raggedDotGeneral(a, r2, i32([2, 1]), d2)))
    const g = toJsSync(runSync(grad(loss)(l2))) as Matrix
    // y0 = 0.5 - 0.5 = 0, y1 = -4: d/dl = 2 y_g r[k] for k in group g
    assert.deepStrictEqual(g, [[0, 0, 16]])
  })

  it("typed errors for JAX's rejected dimension numbers", () => {
    const lhs = f64([[1, 2]])
    const rhs = f64([[[1], [2]]])
    const dims = (over: object) =>
      ({
        dotDimensionNumbers: [[[1], [1]], [[], []]],
        lhsRaggedDimensions: [0],
        rhsGroupDimensions: [0],
        ...over
      }) as never
    const gs = i32([1])
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, dims({ lhsRaggedDimensions: [] })), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, dims({ lhsRaggedDimensions: [2] })), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, dims({ rhsGroupDimensions: [] })), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, dims({ rhsGroupDimensions: [1] })), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, i32([1, 1]), dims({})), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, np.array([[1]], { dtype: "int32" }), dims({})), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, lax.scalar(1, "int32"), dims({})), ShapeError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, { dotDimensionNumbers: [[1, 1]] } as never), ArgumentError)
    assert.throws(() => lax.raggedDotGeneral(lhs, rhs, gs, null as never), ArgumentError)
  })
})
