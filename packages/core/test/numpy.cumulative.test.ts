import { lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)

describe("np cumulative reductions", () => {
  it("cumprod flattens without an axis, keeps int32 and promotes bool (NumPy)", () => {
    expect.tensor(np.cumprod(f32([[1, 2], [3, 4]])), "float32", [1, 2, 6, 24])
    expect.tensor(np.cumprod(f32([[1, 2], [3, 4]]), { axis: 1 }), "float32", [[1, 2], [3, 12]])
    expect.tensor(np.cumprod(np.array([2, 3], { dtype: "int32" })), "int32", [2, 6])
    expect.tensor(np.cumprod(np.array([true, true, false])), "int32", [1, 1, 0])
    expect.tensor(np.cumprod(f32([1, 2, 3]), { dtype: "float64" }), "float64", [1, 2, 6])
  })
  it("nancumsum and nancumprod skip NaN", () => {
    expect.tensor(np.nancumsum(f32([NaN, 1, NaN, 2])), "float32", [0, 1, 1, 3])
    expect.tensor(np.nancumprod(f32([[2, NaN], [NaN, 3]]), { axis: 0 }), "float32", [[2, 1], [2, 3]])
  })
  it("cumulativeSum/cumulativeProd (NumPy 2) with includeInitial; axis required above 1-D", () => {
    expect.tensor(np.cumulativeSum(f32([1, 2, 3])), "float32", [1, 3, 6])
    expect.tensor(np.cumulativeProd(f32([[1, 2], [3, 4]]), { axis: 1, includeInitial: true }), "float32", [
      [1, 1, 2],
      [1, 3, 12]
    ])
    assert.include(failure(() => np.cumulativeSum(f32([[1, 2]])), "ShapeError"), "axis must be given")
    // a scalar is refused (JAX's and NumPy 2's ValueError), where cumsum flattens it
    assert.include(failure(() => np.cumulativeSum(np.array(3)), "ShapeError"), "non-scalar to take a cumulative sum")
    assert.include(failure(() => np.cumulativeProd(np.array(3)), "ShapeError"), "cumulative product")
    expect.tensor(np.cumsum(np.array(3, { dtype: "int32" })), "int32", [3])
  })
  it("lax's cumulative primitives refuse what JAX's refuse", () => {
    // complex numbers are numbers: cummax orders them lexicographically (JAX's lax.max)
    assert.deepStrictEqual(toJsSync(lax.cummax(np.array([{ re: 1, im: 1 }, { re: 1, im: 0 }, { re: 1, im: 3 }]))), [
      { re: 1, im: 1 },
      { re: 1, im: 1 },
      { re: 1, im: 3 }
    ])
    assert.include(failure(() => lax.cumlogsumexp(np.array([1, 2], { dtype: "int32" })), "DTypeError"), "cumlogsumexp")
    failure(() => lax.cumprod(f32([1, 2]), 1), "AxisError")
    // a negative axis counts from the end, as in JAX
    expect.tensor(lax.cummin(f32([[3, 1], [2, 5]]), -1), "float32", [[3, 1], [2, 2]])
  })
  it("associativeScan is JAX's: any associative combine, reverse, any axis", () => {
    const [s] = lax.associativeScan(([a], [b]) => [lax.mul(a!, b!)], [f32([[1, 2, 3], [4, 5, 6]])], { axis: 1 })
    expect.tensor(s!, "float32", [[1, 2, 6], [4, 20, 120]])
    const [r] = lax.associativeScan(([a], [b]) => [lax.max(a!, b!)], [f32([1, 5, 2, 3, 0])], { reverse: true })
    expect.tensor(r!, "float32", [5, 5, 3, 3, 0])
    assert.include(
      failure(() => lax.associativeScan(([a]) => [a!], [f32([1, 2]), f32([1, 2, 3])]), "ArgumentError"),
      "sharing their length"
    )
  })
  it("associativeScan takes any pytree of elems (JAX's testAssociativeScanUnstructured)", () => {
    // one tensor
    expect.tensor(lax.associativeScan(lax.mul, f32([1, 2, 3, 4])), "float32", [1, 2, 6, 24])
    // an object: the running sum and the running max together
    const out = lax.associativeScan(
      (a: { s: Tensor; m: Tensor }, b: { s: Tensor; m: Tensor }) => ({ s: lax.add(a.s, b.s), m: lax.max(a.m, b.m) }),
      { s: f32([1, 2, 3]), m: f32([2, 1, 5]) }
    )
    expect.tensor(out.s, "float32", [1, 3, 6])
    expect.tensor(out.m, "float32", [2, 2, 5])
    // combine must keep the structure
    assert.include(
      failure(() => lax.associativeScan((a: Tensor, b: Tensor) => [a, b] as never, f32([1, 2, 3])), "ArgumentError"),
      "structure of elems"
    )
  })

  it("associativeScan takes leaves of different ranks sharing the axis' length (JAX's testAssociativeScanSolvingRegressionTest)", () => {
    // x_t = A_t x_(t-1) + b_t from x_0 = 0, as pairs (A, b) combined by (A2 A1, A2 b1 + b2)
    const A = np.array([[[1, 1], [0, 1]], [[2, 0], [0, 1]], [[1, 0], [1, 1]]])
    const b = np.array([[1, 0], [0, 1], [1, 1]])
    const [, xs] = lax.associativeScan(
      ([a1, b1]: ReadonlyArray<Tensor>, [a2, b2]: ReadonlyArray<Tensor>) => [
        np.matmul(a2!, a1!),
        np.add(np.squeeze(np.matmul(a2!, np.expandDims(b1!, -1)), { axis: -1 }), b2!)
      ],
      [A, b]
    ) as ReadonlyArray<Tensor>
    expect.tensor(xs!, "float32", [[1, 0], [2, 1], [3, 4]])
  })
})
