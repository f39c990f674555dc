/**
 * Structured kernels (reductions, shapes, gather/scatter, dot_general, iota)
 * against hand-derived values and float64 references.
 */
import { aval } from "@diffect/core"
import type { DType } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { arr, backend, expect, run } from "./helpers.js"

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)
// x[i, j, k] = 12 i + 4 j + k, shape (2, 3, 4)
const x234 = arr("float32", [2, 3, 4], range(24))

describe("reductions", () => {
  const sum = (
    x: ReturnType<typeof arr>,
    axes: ReadonlyArray<number>,
    shape: ReadonlyArray<number>,
    dt?: DType.DType
  ) => Array.from(run("reduce_sum", [x], { axes }, shape, dt ?? x.dtype))

  it("reduce_sum over any axes (sum_j 12i + 4j + k = 36i + 12 + 3k, ...)", () => {
    expect.exact(sum(x234, [1], [2, 4]), [12, 15, 18, 21, 48, 51, 54, 57])
    expect.exact(sum(x234, [0], [3, 4]), [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34])
    expect.exact(sum(x234, [2], [2, 3]), [6, 22, 38, 54, 70, 86])
    expect.exact(sum(x234, [0, 2], [3]), [60, 92, 124])
    expect.exact(sum(x234, [0, 1], [4]), [60, 66, 72, 78])
    expect.exact(sum(x234, [0, 1, 2], []), [276])
    expect.exact(sum(x234, [], [2, 3, 4]), range(24))
  })

  it("reduce_sum of int32 wraps, of bool counts into int32, of complex sums both parts", () => {
    expect.exact(sum(arr("int32", [3], [2147483647, 1, 5]), [0], []), [-2147483643])
    expect.exact(sum(arr("bool", [2, 3], [1, 0, 1, 1, 1, 1]), [1], [2], "int32"), [2, 3])
    expect.exact(sum(arr("complex64", [2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), [0], [2]), [6, 8, 10, 12])
    expect.exact(sum(arr("complex128", [2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), [1], [2]), [4, 6, 12, 14])
    expect.exact(sum(arr("complex128", [2, 3, 1], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]), [0, 2], [3]), [
      5,
      5,
      7,
      7,
      9,
      9
    ])
  })

  it("empty reductions give the identity: sum 0, prod 1, max -inf, min +inf", () => {
    const e = arr("float64", [0], [])
    expect.exact(run("reduce_sum", [e], { axes: [0] }, [], "float64"), [0])
    expect.exact(run("reduce_prod", [e], { axes: [0] }, [], "float64"), [1])
    expect.exact(run("reduce_max", [e], { axes: [0] }, [], "float64"), [-Infinity])
    expect.exact(run("reduce_min", [e], { axes: [0] }, [], "float64"), [Infinity])
    expect.exact(run("reduce_max", [arr("int32", [0], [])], { axes: [0] }, [], "int32"), [-2147483648])
  })

  it("reduce_max and reduce_min propagate NaN; bool max is any, min is all", () => {
    const x = arr("float64", [2, 3], [1, NaN, 3, -1, 5, 2])
    expect.close(run("reduce_max", [x], { axes: [1] }, [2], "float64"), [NaN, 5])
    expect.close(run("reduce_min", [x], { axes: [1] }, [2], "float64"), [NaN, -1])
    expect.close(run("reduce_max", [x], { axes: [0] }, [3], "float64"), [1, NaN, 3])
    expect.exact(run("reduce_max", [arr("int32", [2, 2], [3, -9, 7, 1])], { axes: [0] }, [2], "int32"), [7, 1])
    const b = arr("bool", [2, 2], [0, 1, 1, 1])
    expect.exact(run("reduce_max", [b], { axes: [1] }, [2], "bool"), [1, 1])
    expect.exact(run("reduce_min", [b], { axes: [1] }, [2], "bool"), [0, 1])
  })

  it("reduce_max on complex is lexicographic", () => {
    const z = arr("complex128", [3], [1, 5, 2, -1, 2, 0])
    expect.exact(run("reduce_max", [z], { axes: [0] }, [], "complex128"), [2, 0])
    expect.exact(run("reduce_min", [z], { axes: [0] }, [], "complex128"), [1, 5])
  })

  it("reduce_prod on reals, int32 (wrapping) and complex: (1 + i)(1 - i) 2 = 4", () => {
    expect.exact(run("reduce_prod", [x234], { axes: [2] }, [2, 3], "float32"), [0, 840, 7920, 32760, 93024, 212520])
    expect.exact(run("reduce_prod", [arr("int32", [2], [65536, 65536])], { axes: [0] }, [], "int32"), [0])
    expect.exact(run("reduce_prod", [arr("complex64", [3], [1, 1, 1, -1, 2, 0])], { axes: [0] }, [], "complex64"), [
      4,
      0
    ])
    expect.exact(run("reduce_prod", [arr("float64", [3, 2], [1, 2, 3, 4, 5, 6])], { axes: [0] }, [2], "float64"), [
      15,
      48
    ])
    // complex over a leading axis (transposed to rows first): [(1 + i) 3, 2 i]
    const z = arr("complex128", [2, 2], [1, 1, 2, 0, 3, 0, 0, 1])
    expect.exact(run("reduce_prod", [z], { axes: [0] }, [2], "complex128"), [3, 3, 0, 2])
    expect.exact(run("reduce_max", [z], { axes: [0] }, [2], "complex128"), [3, 0, 2, 0])
  })

  it("the float32 sum of 4M values is within 1e-6 of the float64 sum (naive float32 accumulation is not)", () => {
    const n = 1 << 22
    const data = new Float32Array(n)
    let seed = 12345
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0
      // values near 0.1: a running float32 sum rounds the same way step after step
      data[i] = 0.1 + ((seed >>> 8) & 0xffff) / 6553600
    }
    let exact64 = 0
    let naive32 = 0
    for (let i = 0; i < n; i++) {
      exact64 += data[i]!
      naive32 = Math.fround(naive32 + data[i]!)
    }
    const [s] = run("reduce_sum", [{ data, shape: [n], dtype: "float32" }], { axes: [0] }, [], "float32")
    assert.isBelow(Math.abs(s! - exact64) / exact64, 1e-6)
    // the test can fail: naive float32 accumulation misses by far more
    assert.isAbove(Math.abs(naive32 - exact64) / exact64, 1e-4)
    // the same over columns (leading axis reduced) and over a middle axis
    const [c0, c1] = run("reduce_sum", [{ data, shape: [n / 2, 2], dtype: "float32" }], { axes: [0] }, [2], "float32")
    assert.isBelow(Math.abs(c0! + c1! - exact64) / exact64, 1e-6)
    const mid = run("reduce_sum", [{ data, shape: [2, n / 4, 2], dtype: "float32" }], { axes: [1] }, [2, 2], "float32")
    assert.isBelow(Math.abs(Array.from(mid).reduce((a, b) => a + b, 0) - exact64) / exact64, 1e-6)
  })

  it("argmax and argmin: first occurrence, NaN counts as the extreme (NumPy)", () => {
    const x = arr("float64", [2, 3], [1, 3, 3, NaN, 2, NaN])
    expect.exact(run("argmax", [x], { axis: 1 }, [2], "int32"), [1, 0])
    expect.exact(run("argmin", [x], { axis: 1 }, [2], "int32"), [0, 0])
    const y = arr("int32", [2, 3], [1, 5, 2, 4, 5, 0])
    expect.exact(run("argmax", [y], { axis: 0 }, [3], "int32"), [1, 0, 0])
    expect.exact(run("argmin", [y], { axis: 0 }, [3], "int32"), [0, 0, 1])
    expect.exact(run("argmax", [arr("float32", [4], [2, 7, 7, -1])], { axis: 0 }, [], "int32"), [1])
    // lexicographic: 2 + 0i > 2 - 1i > 1 + 5i
    expect.exact(run("argmax", [arr("complex64", [3], [1, 5, 2, -1, 2, 0])], { axis: 0 }, [], "int32"), [2])
    expect.exact(run("argmin", [arr("complex64", [3], [1, 5, 2, -1, 2, 0])], { axis: 0 }, [], "int32"), [0])
    expect.exact(run("argmax", [arr("bool", [3], [0, 1, 1])], { axis: -1 }, [], "int32"), [1])
  })

  it("cumsum along an axis, forward and reversed", () => {
    expect.exact(run("cumsum", [arr("float32", [4], [1, 2, 3, 4])], { axis: 0, reverse: false }, [4], "float32"), [
      1,
      3,
      6,
      10
    ])
    expect.exact(run("cumsum", [arr("float32", [4], [1, 2, 3, 4])], { axis: 0, reverse: true }, [4], "float32"), [
      10,
      9,
      7,
      4
    ])
    const m = arr("int32", [2, 3], [1, 2, 3, 4, 5, 6])
    expect.exact(run("cumsum", [m], { axis: 0, reverse: false }, [2, 3], "int32"), [1, 2, 3, 5, 7, 9])
    expect.exact(run("cumsum", [m], { axis: 1, reverse: false }, [2, 3], "int32"), [1, 3, 6, 4, 9, 15])
    expect.exact(run("cumsum", [m], { axis: 1, reverse: true }, [2, 3], "int32"), [6, 5, 3, 15, 11, 6])
    expect.exact(
      run("cumsum", [arr("complex128", [2], [1, 2, 3, 4])], { axis: 0, reverse: false }, [2], "complex128"),
      [
        1,
        2,
        4,
        6
      ]
    )
    expect.exact(run("cumsum", [arr("bool", [3], [1, 0, 1])], { axis: 0, reverse: false }, [3], "int32"), [1, 1, 2])
  })
})

describe("shape kernels", () => {
  it("broadcast_in_dim maps operand dims to output dims", () => {
    const v = arr("float32", [3], [1, 2, 3])
    expect.exact(run("broadcast_in_dim", [v], { shape: [2, 3], broadcastDimensions: [1] }, [2, 3], "float32"), [
      1,
      2,
      3,
      1,
      2,
      3
    ])
    expect.exact(run("broadcast_in_dim", [v], { shape: [3, 2], broadcastDimensions: [0] }, [3, 2], "float32"), [
      1,
      1,
      2,
      2,
      3,
      3
    ])
    expect.exact(
      run("broadcast_in_dim", [arr("float64", [], [7])], { shape: [2, 2], broadcastDimensions: [] }, [2, 2], "float64"),
      [7, 7, 7, 7]
    )
    // A -0 scalar stays -0 (a fresh buffer is +0, so the fill must not be skipped for it).
    const negZero = run("broadcast_in_dim", [arr("float32", [], [-0])], { shape: [3], broadcastDimensions: [] }, [
      3
    ], "float32")
    assert.deepStrictEqual(Array.from(negZero, (v) => Object.is(v, -0)), [true, true, true])
    expect.exact(
      run(
        "broadcast_in_dim",
        [arr("int32", [2, 1], [5, 6])],
        { shape: [2, 3], broadcastDimensions: [0, 1] },
        [2, 3],
        "int32"
      ),
      [5, 5, 5, 6, 6, 6]
    )
    expect.exact(
      run(
        "broadcast_in_dim",
        [arr("complex64", [], [1, 2])],
        { shape: [2], broadcastDimensions: [] },
        [2],
        "complex64"
      ),
      [1, 2, 1, 2]
    )
  })

  it("reshape, squeeze, expand_dims and stop_gradient share the (immutable) data", () => {
    const data = x234.data
    assert.strictEqual(run("reshape", [x234], { newSizes: [6, 4] }, [6, 4], "float32"), data)
    assert.strictEqual(run("expand_dims", [x234], { dimensions: [0] }, [1, 2, 3, 4], "float32"), data)
    assert.strictEqual(run("stop_gradient", [x234], {}, [2, 3, 4], "float32"), data)
    const y = arr("float32", [1, 3], [1, 2, 3])
    assert.strictEqual(run("squeeze", [y], { dimensions: [0] }, [3], "float32"), y.data)
  })

  it("transpose", () => {
    const m = arr("float32", [2, 3], range(6))
    expect.exact(run("transpose", [m], { permutation: [1, 0] }, [3, 2], "float32"), [0, 3, 1, 4, 2, 5])
    // out[a, b, c] = x[b, c, a] for permutation [2, 0, 1]
    const t = run("transpose", [x234], { permutation: [2, 0, 1] }, [4, 2, 3], "float32")
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 2; b++) {
        for (let c = 0; c < 3; c++) assert.strictEqual(t[a * 6 + b * 3 + c], 12 * b + 4 * c + a)
      }
    }
    const z = arr("complex128", [2, 2], [1, 1, 2, 2, 3, 3, 4, 4])
    expect.exact(run("transpose", [z], { permutation: [1, 0] }, [2, 2], "complex128"), [1, 1, 3, 3, 2, 2, 4, 4])
  })

  it("rev", () => {
    const m = arr("int32", [2, 3], range(6))
    expect.exact(run("rev", [m], { dimensions: [1] }, [2, 3], "int32"), [2, 1, 0, 5, 4, 3])
    expect.exact(run("rev", [m], { dimensions: [0] }, [2, 3], "int32"), [3, 4, 5, 0, 1, 2])
    expect.exact(run("rev", [m], { dimensions: [0, 1] }, [2, 3], "int32"), [5, 4, 3, 2, 1, 0])
    const z = arr("complex128", [3], [1, 2, 3, 4, 5, 6])
    expect.exact(run("rev", [z], { dimensions: [0] }, [3], "complex128"), [5, 6, 3, 4, 1, 2])
  })

  it("slice with and without strides", () => {
    const v = arr("float64", [10], range(10))
    expect.exact(run("slice", [v], { startIndices: [1], limitIndices: [8], strides: [3] }, [3], "float64"), [1, 4, 7])
    expect.exact(run("slice", [v], { startIndices: [2], limitIndices: [5], strides: null }, [3], "float64"), [2, 3, 4])
    expect.exact(
      run(
        "slice",
        [x234],
        { startIndices: [1, 0, 1], limitIndices: [2, 3, 4], strides: [1, 2, 2] },
        [1, 2, 2],
        "float32"
      ),
      [13, 15, 21, 23]
    )
    const z = arr("complex64", [3], [1, 2, 3, 4, 5, 6])
    expect.exact(run("slice", [z], { startIndices: [1], limitIndices: [3], strides: null }, [2], "complex64"), [
      3,
      4,
      5,
      6
    ])
  })

  it("a slice that is one contiguous block shares its operand's memory (leading-axis, complex too)", () => {
    const rows = run(
      "slice",
      [x234],
      { startIndices: [1, 0, 0], limitIndices: [2, 3, 4], strides: null },
      [1, 3, 4],
      "float32"
    )
    expect.exact(rows, range(12).map((i) => 12 + i))
    const row = run(
      "slice",
      [x234],
      { startIndices: [0, 2, 0], limitIndices: [1, 3, 4], strides: null },
      [1, 1, 4],
      "float32"
    )
    expect.exact(row, [8, 9, 10, 11])
    const z = arr("complex64", [3, 2], range(12))
    expect.exact(
      run("slice", [z], { startIndices: [1, 0], limitIndices: [3, 2], strides: null }, [2, 2], "complex64"),
      [
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11
      ]
    )
    // shared storage: the result is a view of the operand's buffer, and the operand is no longer exclusive
    const input = backend.fromHost(new Float32Array(range(6)), aval([3, 2], "float32"))
    const alone = backend.execute("neg", [input], [aval([3, 2], "float32")], {}, [aval([3, 2], "float32")])[0]!
    assert.isTrue(backend.exclusive!(alone))
    const [view] = backend.execute(
      "slice",
      [alone],
      [aval([3, 2], "float32")],
      { startIndices: [1, 0], limitIndices: [2, 2], strides: null },
      [aval([1, 2], "float32")]
    )
    assert.deepStrictEqual(Array.from(backend.readSync!(view!, aval([1, 2], "float32")) as Float32Array), [-2, -3])
    assert.isFalse(backend.exclusive!(alone), "a view shares its storage")
    assert.isFalse(backend.exclusive!(view!))
  })

  it("pad: low, high, interior; negative low/high crop (lax.pad)", () => {
    const v = arr("float32", [3], [1, 2, 3])
    const zero = arr("float32", [], [0])
    expect.exact(run("pad", [v, zero], { config: [[1, 2, 1]] }, [8], "float32"), [0, 1, 0, 2, 0, 3, 0, 0])
    expect.exact(run("pad", [arr("float32", [4], [1, 2, 3, 4]), zero], { config: [[-1, -1, 0]] }, [2], "float32"), [
      2,
      3
    ])
    expect.exact(run("pad", [v, arr("float32", [], [9])], { config: [[-1, 0, 1]] }, [4], "float32"), [9, 2, 9, 3])
    // jax.lax.pad(jnp.array([[1, 2], [3, 4]]), 0, [(1, 0, 0), (0, 1, 1)]) = [[0,0,0,0],[1,0,2,0],[3,0,4,0]]
    const m = arr("int32", [2, 2], [1, 2, 3, 4])
    expect.exact(run("pad", [m, arr("int32", [], [0])], { config: [[1, 0, 0], [0, 1, 1]] }, [3, 4], "int32"), [
      0,
      0,
      0,
      0,
      1,
      0,
      2,
      0,
      3,
      0,
      4,
      0
    ])
    const z = arr("complex128", [1], [1, 2])
    expect.exact(run("pad", [z, arr("complex128", [], [7, 8])], { config: [[1, 1, 0]] }, [3], "complex128"), [
      7,
      8,
      1,
      2,
      7,
      8
    ])
  })

  it("concatenate along any dimension", () => {
    const a = arr("float32", [2, 2], [1, 2, 3, 4])
    const b = arr("float32", [2, 1], [5, 6])
    expect.exact(run("concatenate", [a, b], { dimension: 1 }, [2, 3], "float32"), [1, 2, 5, 3, 4, 6])
    const c = arr("float32", [1, 2], [7, 8])
    expect.exact(run("concatenate", [a, c, a], { dimension: 0 }, [5, 2], "float32"), [1, 2, 3, 4, 7, 8, 1, 2, 3, 4])
    const z1 = arr("complex64", [1], [1, 2])
    const z2 = arr("complex64", [2], [3, 4, 5, 6])
    expect.exact(run("concatenate", [z1, z2], { dimension: 0 }, [3], "complex64"), [1, 2, 3, 4, 5, 6])
  })

  it("iota counts along one dimension", () => {
    expect.exact(run("iota", [], { dtype: "int32", shape: [2, 3], dimension: 1 }, [2, 3], "int32"), [0, 1, 2, 0, 1, 2])
    expect.exact(run("iota", [], { dtype: "float32", shape: [2, 3], dimension: 0 }, [2, 3], "float32"), [
      0,
      0,
      0,
      1,
      1,
      1
    ])
    expect.exact(run("iota", [], { dtype: "complex64", shape: [3], dimension: 0 }, [3], "complex64"), [
      0,
      0,
      1,
      0,
      2,
      0
    ])
  })
})

describe("gather and scatter_add", () => {
  const m = arr("float32", [2, 3], range(6))
  it("gather takes along an axis and clamps out-of-range indices", () => {
    const idx = arr("int32", [5], [2, 0, 2, -1, 7])
    expect.exact(run("gather", [m, idx], { axis: 1 }, [2, 5], "float32"), [2, 0, 2, 0, 2, 5, 3, 5, 3, 5])
    const idx2 = arr("int32", [2, 2], [1, 0, 1, 1])
    expect.exact(run("gather", [m, idx2], { axis: 0 }, [2, 2, 3], "float32"), [3, 4, 5, 0, 1, 2, 3, 4, 5, 3, 4, 5])
    const z = arr("complex128", [3], [1, 2, 3, 4, 5, 6])
    expect.exact(run("gather", [z, arr("int32", [2], [2, 0])], { axis: 0 }, [2], "complex128"), [5, 6, 1, 2])
  })

  it("scatter_add accumulates repeated indices (the transpose of gather)", () => {
    const zeros = arr("float32", [3], [0, 0, 0])
    const idx = arr("int32", [4], [0, 2, 0, 5])
    const upd = arr("float32", [4], [1, 2, 3, 4])
    expect.exact(run("scatter_add", [zeros, idx, upd], { axis: 0 }, [3], "float32"), [4, 0, 6])
    const op = arr("int32", [2, 2], [1, 1, 1, 1])
    const upd2 = arr("int32", [2, 3], [1, 2, 3, 4, 5, 6])
    expect.exact(run("scatter_add", [op, arr("int32", [3], [1, 1, 0]), upd2], { axis: 1 }, [2, 2], "int32"), [
      4,
      4,
      7,
      10
    ])
    // the operand is not modified
    expect.exact(op.data, [1, 1, 1, 1])
    const zc = arr("complex64", [2], [1, 1, 0, 0])
    const uc = arr("complex64", [2], [2, 3, 4, 5])
    expect.exact(run("scatter_add", [zc, arr("int32", [2], [0, 0]), uc], { axis: 0 }, [2], "complex64"), [7, 9, 0, 0])
    const bo = arr("bool", [2], [0, 0])
    expect.exact(
      run("scatter_add", [bo, arr("int32", [2], [1, 1]), arr("bool", [2], [1, 1])], { axis: 0 }, [2], "bool"),
      [0, 1]
    )
  })
})

/** Naive float64 reference: C[b, m, n] = sum_k A[b, m, k] B[b, k, n]. */
const refMatmul = (a: ArrayLike<number>, b: ArrayLike<number>, nb: number, m: number, k: number, n: number) => {
  const c = new Float64Array(nb * m * n)
  for (let s = 0; s < nb; s++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0
        for (let p = 0; p < k; p++) acc += a[s * m * k + i * k + p]! * b[s * k * n + p * n + j]!
        c[s * m * n + i * n + j] = acc
      }
    }
  }
  return c
}

const randomArray = (dtype: DType.DType, shape: ReadonlyArray<number>, seed: number) => {
  const n = shape.reduce((x, y) => x * y, 1) * (dtype === "complex64" || dtype === "complex128" ? 2 : 1)
  let s = seed
  return arr(
    dtype,
    shape,
    Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) | 0
      return ((s >>> 8) / (1 << 24)) * 2 - 1
    })
  )
}

describe("dot_general", () => {
  const mm = { contracting: [[1], [0]], batch: [[], []] } as const
  // float32 products with precision "highest" promise the float32 rounding of the float64 sum
  // (precision.test.ts checks "default", which accumulates in float32)
  const mmHighest = { ...mm, precision: "highest" } as const

  it("[[1, 2], [3, 4]] @ [[5, 6], [7, 8]] = [[19, 22], [43, 50]]", () => {
    const a = arr("float32", [2, 2], [1, 2, 3, 4])
    const b = arr("float32", [2, 2], [5, 6, 7, 8])
    expect.exact(run("dot_general", [a, b], mm, [2, 2], "float32"), [19, 22, 43, 50])
  })

  it("matches a naive float64 reference (odd sizes, both dtypes, several K and N cache blocks)", () => {
    for (const [m, k, n] of [[37, 53, 29], [5, 3, 600], [1, 7, 1], [9, 1, 4], [3, 700, 5], [10, 300, 270]] as const) {
      const a = randomArray("float64", [m, k], m)
      const b = randomArray("float64", [k, n], n)
      const ref = refMatmul(a.data, b.data, 1, m, k, n)
      expect.close(run("dot_general", [a, b], mm, [m, n], "float64"), ref, 1e-13)
      const a32 = arr("float32", [m, k], Array.from(a.data))
      const b32 = arr("float32", [k, n], Array.from(b.data))
      const ref32 = refMatmul(a32.data, b32.data, 1, m, k, n)
      expect.close(run("dot_general", [a32, b32], mmHighest, [m, n], "float32"), Array.from(ref32, Math.fround), 1e-6)
    }
  })

  it("a 256x256 float32 matmul with precision highest matches the float64 reference to float32 rounding", () => {
    const a = randomArray("float32", [256, 256], 1)
    const b = randomArray("float32", [256, 256], 2)
    const ref = refMatmul(a.data, b.data, 1, 256, 256, 256)
    expect.close(run("dot_general", [a, b], mmHighest, [256, 256], "float32"), Array.from(ref, Math.fround), 1e-6)
  })

  it("batch dimensions, and contractions that need a transpose", () => {
    const a = randomArray("float64", [2, 3, 4], 3)
    const b = randomArray("float64", [2, 4, 5], 4)
    const ref = refMatmul(a.data, b.data, 2, 3, 4, 5)
    const p = { contracting: [[2], [1]], batch: [[0], [0]] } as const
    expect.close(run("dot_general", [a, b], p, [2, 3, 5], "float64"), ref, 1e-14)
    // lhs^T @ rhs: contract dim 0 of both
    const l = arr("float64", [2, 3], [1, 2, 3, 4, 5, 6])
    const r = arr("float64", [2, 2], [1, 0, 0, 1])
    expect.exact(run("dot_general", [l, r], { contracting: [[0], [0]], batch: [[], []] }, [3, 2], "float64"), [
      1,
      4,
      2,
      5,
      3,
      6
    ])
    // batch dim in the middle of the lhs and last in the rhs: out[b, i, j] = sum_k L[i, b, k] R[k, j, b]
    const L = randomArray("float64", [3, 2, 4], 5)
    const R = randomArray("float64", [4, 5, 2], 6)
    const out = run("dot_general", [L, R], { contracting: [[2], [0]], batch: [[1], [2]] }, [2, 3, 5], "float64")
    for (let bb = 0; bb < 2; bb++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 5; j++) {
          let acc = 0
          for (let q = 0; q < 4; q++) acc += L.data[i * 8 + bb * 4 + q]! * R.data[q * 10 + j * 2 + bb]!
          assert.approximately(out[bb * 15 + i * 5 + j]!, acc, 1e-14)
        }
      }
    }
  })

  it("vector dot product and outer product", () => {
    const u = arr("float64", [3], [1, 2, 3])
    const v = arr("float64", [3], [4, 5, 6])
    expect.exact(run("dot_general", [u, v], { contracting: [[0], [0]], batch: [[], []] }, [], "float64"), [32])
    expect.exact(run("dot_general", [u, v], { contracting: [[], []], batch: [[], []] }, [3, 3], "float64"), [
      4,
      5,
      6,
      8,
      10,
      12,
      12,
      15,
      18
    ])
  })

  it("complex, int32 and bool products", () => {
    // [1 + i, 2] . [[1 - i], [i]] = (1 + i)(1 - i) + 2i = 2 + 2i
    const a = arr("complex128", [1, 2], [1, 1, 2, 0])
    const b = arr("complex128", [2, 1], [1, -1, 0, 1])
    expect.exact(run("dot_general", [a, b], mm, [1, 1], "complex128"), [2, 2])
    const ia = arr("int32", [2, 2], [1, 2, 3, 4])
    const ib = arr("int32", [2, 2], [5, 6, 7, 8])
    expect.exact(run("dot_general", [ia, ib], mm, [2, 2], "int32"), [19, 22, 43, 50])
    const ba = arr("bool", [2, 2], [1, 0, 0, 0])
    const bb = arr("bool", [2, 2], [0, 1, 1, 1])
    expect.exact(run("dot_general", [ba, bb], mm, [2, 2], "bool"), [0, 1, 0, 0])
  })
})

describe("backend", () => {
  it("collectives are never executed by a backend", () => {
    const x = aval([2], "float32")
    const b = backend.fromHost(new Float32Array(2), x)
    assert.throws(() => backend.execute("psum", [b], [x], { axisName: "i" }, [x]), /collective psum/)
  })

  it("fromHost adopts without copying; read and readSync return the data", async () => {
    const data = new Float64Array([1, 2])
    const b = backend.fromHost(data, aval([2], "float64"))
    assert.strictEqual(backend.readSync!(b, aval([2], "float64")), data)
    const { Effect } = await import("effect")
    assert.strictEqual(await Effect.runPromise(backend.read(b, aval([2], "float64"))), data)
  })

  it("float0 values carry no data through shape kernels", () => {
    const z = arr("float0", [2, 3], [])
    assert.strictEqual(run("transpose", [z], { permutation: [1, 0] }, [3, 2], "float0").length, 0)
    assert.strictEqual(
      run("broadcast_in_dim", [z], { shape: [4, 2, 3], broadcastDimensions: [1, 2] }, [4, 2, 3], "float0").length,
      0
    )
  })
})
