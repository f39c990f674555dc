/**
 * ndimage.mapCoordinates, integrate.trapezoid and
 * interpolate.RegularGridInterpolator: JAX's docstring examples, bilinear
 * interpolation by hand with SciPy's documented boundary modes (constant
 * outside, nearest edge, periodic wrap, mirror about the edge samples,
 * reflect about the edges), the trapezoidal sum by hand, gradients against
 * central differences, jit and vmap, and the errors.
 */
import { integrate, interpolate, ndimage, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync, vmap } from "diffect"
import { failure } from "./npSetup.js"
import { assertGradient, assertNear, f64, flat, randoms } from "./signalSetup.js"

type Mode = "constant" | "nearest" | "wrap" | "mirror" | "reflect"

// Where index i of an axis of n samples reads, by SciPy's description of each mode (-1: outside).
const fold = (i: number, n: number, mode: Mode): number => {
  const mod = (a: number, m: number) => ((a % m) + m) % m
  switch (mode) {
    case "constant":
      return i < 0 || i >= n ? -1 : i
    case "nearest":
      return Math.min(Math.max(i, 0), n - 1)
    case "wrap":
      return mod(i, n)
    case "mirror": {
      if (n === 1) return 0
      const j = mod(i, 2 * (n - 1))
      return j < n ? j : 2 * (n - 1) - j
    }
    case "reflect": {
      const j = mod(i, 2 * n)
      return j < n ? j : 2 * n - 1 - j
    }
  }
}

// Bilinear interpolation of a row-major [r, c] image at (y, x).
const bilinear = (img: ReadonlyArray<number>, r: number, c: number, y: number, x: number, mode: Mode, cval: number) => {
  const [y0, x0] = [Math.floor(y), Math.floor(x)]
  let s = 0
  for (const [dy, wy] of [[0, 1 - (y - y0)], [1, y - y0]] as const) {
    for (const [dx, wx] of [[0, 1 - (x - x0)], [1, x - x0]] as const) {
      const [i, j] = [fold(y0 + dy, r, mode), fold(x0 + dx, c, mode)]
      s += wy * wx * (i < 0 || j < 0 ? cval : img[i * c + j]!)
    }
  }
  return s
}

describe("ndimage.mapCoordinates", () => {
  it("JAX's docstring example", () => {
    const input = np.reshape(np.arange(12, { dtype: "float32" }), [3, 4])
    assertNear(flat(ndimage.mapCoordinates(input, [np.array([0.5, 1.5]), np.array([1.5, 2.5])], 1)), [3.5, 8.5], 1e-6)
  })
  it("order 1 is bilinear interpolation with each mode's reading outside", () => {
    const img = randoms(12, 3)
    const ys = [-1.3, -0.5, 0, 0.25, 1.7, 2.5, 3.2, 4.9]
    const xs = [0.5, -2.2, 3.5, 1.1, 4.25, -0.75, 2, 6.6]
    for (const mode of ["constant", "nearest", "wrap", "mirror", "reflect"] as const) {
      const got = ndimage.mapCoordinates(np.reshape(f64(img), [3, 4]), [f64(ys), f64(xs)], 1, { mode, cval: 2.5 })
      assert.strictEqual(got.dtype, "float64")
      assertNear(flat(got), ys.map((y, k) => bilinear(img, 3, 4, y, xs[k]!, mode, 2.5)), 1e-14, mode)
    }
  })
  it("order 0 takes the nearest sample, halves rounded away from zero", () => {
    const v = [10, 20, 30, 40]
    const at = [-0.5, 0.49, 0.5, 1.5, 2.5, 3.4, 4.6]
    for (const mode of ["constant", "nearest", "wrap", "mirror", "reflect"] as const) {
      const got = ndimage.mapCoordinates(f64(v), [f64(at)], 0, { mode })
      const want = at.map((c) => {
        const i = fold(Math.sign(c) * Math.round(Math.abs(c)), 4, mode)
        return i < 0 ? 0 : v[i]!
      })
      assertNear(flat(got), want, 0, mode)
    }
  })
  it("integer input is rounded back to its dtype; float32 stays float32", () => {
    const got = ndimage.mapCoordinates(np.array([0, 3, 10], { dtype: "int32" }), [np.array([0.5, 1.5])], 1)
    assert.strictEqual(got.dtype, "int32")
    assertNear(flat(got), [2, 7], 0)
    assert.strictEqual(ndimage.mapCoordinates(np.array([1, 2]), [np.array([0.5])], 1).dtype, "float32")
  })
  it("differentiates in the input and in the coordinates; jit and vmap agree", () => {
    const img = np.reshape(f64(randoms(12, 8)), [3, 4])
    const coords = [f64([0.3, 1.6, 2.2]), f64([2.7, 0.4, 1.5])]
    assertGradient((x) => np.sum(np.square(ndimage.mapCoordinates(x, coords, 1, { mode: "reflect" }))), flat(img), [
      3,
      4
    ])
    assertGradient((c) => np.sum(ndimage.mapCoordinates(img, [np.index(c, 0), np.index(c, 1)], 1, { mode: "wrap" })), [
      0.3,
      1.6,
      2.7,
      0.4
    ], [2, 2])
    const f = (c: Tensor) => ndimage.mapCoordinates(img, [c, np.multiply(c, 1.5)], 1, { mode: "mirror" })
    const cs = np.reshape(f64([0.1, 0.7, 1.3, 2.4, -0.5, 3.3]), [3, 2])
    assertNear(flat(runSync(vmap(f)(cs)) as Tensor), flat(f(cs)), 1e-15, "vmap")
    assertNear(flat(runSync(jit(f)(cs)) as Tensor), flat(f(cs)), 1e-15, "jit")
  })
  it("errors: one coordinate array per axis, order 0 or 1, a known mode", () => {
    const img = f64([[1, 2], [3, 4]])
    assert.include(failure(() => ndimage.mapCoordinates(img, [f64([0])], 1), "ShapeError"), "length input.ndim")
    failure(() => ndimage.mapCoordinates(img, [f64([0]), f64([0])], 3 as never), "ArgumentError")
    failure(() => ndimage.mapCoordinates(img, [f64([0]), f64([0])], 1, { mode: "grid-wrap" as never }), "ArgumentError")
    failure(() => ndimage.mapCoordinates(img, [f64([0]), f64([0, 1])], 1), "ShapeError")
  })
})

describe("integrate.trapezoid", () => {
  it("JAX's docstring examples", () => {
    const y = np.array([1, 2, 3, 2, 3, 2, 1])
    assertNear(flat(integrate.trapezoid(y, null, { dx: 1 })), [13], 1e-6)
    assertNear(flat(integrate.trapezoid(y, np.array([0, 2, 5, 7, 10, 15, 20]))), [43], 1e-6)
    const x = np.linspace(0, 2 * Math.PI, { num: 1000, dtype: "float64" })
    assertNear(flat(integrate.trapezoid(np.square(np.sin(x)), x)), [Math.PI], 1e-12)
  })
  it("equals the trapezoidal sum by hand, along an axis, and differentiates", () => {
    const y = randoms(12, 4)
    const x = [0, 0.5, 1.5, 1.75, 3, 4.5]
    const want = [0, 1].map((r) => {
      let s = 0
      for (let i = 1; i < 6; i++) s += ((y[r * 6 + i]! + y[r * 6 + i - 1]!) / 2) * (x[i]! - x[i - 1]!)
      return s
    })
    assertNear(flat(integrate.trapezoid(np.reshape(f64(y), [2, 6]), f64(x))), want, 1e-14)
    assertNear(
      flat(integrate.trapezoid(np.reshape(f64(y), [6, 2]), null, { axis: 0, dx: 0.5 })),
      [0, 1].map((c) => {
        let s = 0
        for (let i = 1; i < 6; i++) s += ((y[i * 2 + c]! + y[(i - 1) * 2 + c]!) / 2) * 0.5
        return s
      }),
      1e-14
    )
    assertGradient((t) => integrate.trapezoid(np.square(t), f64(x)), y.slice(0, 6), [6])
    failure(() => integrate.trapezoid(f64([1, 2]), null, { dx: "1" as never }), "ArgumentError")
  })
})

describe("interpolate.RegularGridInterpolator", () => {
  it("JAX's docstring example", () => {
    const f = interpolate.RegularGridInterpolator(
      [np.array([1, 2, 3]), np.array([4, 5, 6])],
      np.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]])
    )
    const got = f(np.array([[1.5, 4.5], [2.2, 5.8]]))
    assert.strictEqual(got.dtype, "float32")
    assertNear(flat(got), [30, 64], 1e-5)
    assert.strictEqual(f.method, "linear")
  })
  it("a grid that is not strictly ascending is a ShapeError (it searched it and gave wrong numbers)", () => {
    const values = np.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]])
    assert.include(
      failure(
        () => interpolate.RegularGridInterpolator([np.array([3, 2, 1]), np.array([4, 5, 6])], values),
        "ShapeError"
      ),
      "points in dimension 0 must be strictly ascending, got 3 then 2"
    )
    assert.include(
      failure(
        () => interpolate.RegularGridInterpolator([np.array([1, 2, 3]), np.array([4, 4, 6])], values),
        "ShapeError"
      ),
      "dimension 1"
    )
  })
  it("linear is bilinear interpolation on an uneven grid; nearest picks the closer node; outside gets fillValue", () => {
    const gx = [0, 1, 3]
    const gy = [-1, 0.5, 1, 4]
    const v = randoms(12, 6)
    const f = interpolate.RegularGridInterpolator([f64(gx), f64(gy)], np.reshape(f64(v), [3, 4]))
    const pts = [[0.5, -0.5], [2.5, 0.75], [1, 1], [3, 4], [0.2, 3.9]]
    const cell = (g: ReadonlyArray<number>, t: number) => {
      let i = 0
      while (i < g.length - 2 && t > g[i + 1]!) i++
      return [i, (t - g[i]!) / (g[i + 1]! - g[i]!)] as const
    }
    const want = pts.map(([a, b]) => {
      const [i, s] = cell(gx, a!)
      const [j, t] = cell(gy, b!)
      const at = (p: number, q: number) => v[p * 4 + q]!
      return (1 - s) * (1 - t) * at(i, j) + (1 - s) * t * at(i, j + 1) + s * (1 - t) * at(i + 1, j) +
        s * t * at(i + 1, j + 1)
    })
    assertNear(flat(f(f64(pts))), want, 1e-14, "linear")
    const near = pts.map(([a, b]) => {
      const [i, s] = cell(gx, a!)
      const [j, t] = cell(gy, b!)
      return v[(s <= 0.5 ? i : i + 1) * 4 + (t <= 0.5 ? j : j + 1)]!
    })
    assertNear(flat(f(f64(pts), "nearest")), near, 0, "nearest")
    // separate coordinate arrays, and points outside: NaN by default, or extrapolated with null
    const out = f([f64([-1, 0.5]), f64([0, 5])])
    assert.isTrue(Number.isNaN(flat(out)[0]!) && Number.isNaN(flat(out)[1]!))
    const g = interpolate.RegularGridInterpolator([f64([0, 1])], f64([1, 3]), { fillValue: null })
    assertNear(flat(g(f64([2, -1]))), [5, -1], 1e-15, "extrapolated")
  })
  it("trailing value axes are carried; differentiates in values and points; jit and vmap agree", () => {
    const f = interpolate.RegularGridInterpolator([f64([0, 1, 2])], np.reshape(f64([0, 1, 10, 11, 20, 21]), [3, 2]))
    const got = f(f64([[0.5], [1.25]]))
    assert.deepStrictEqual(got.shape, [2, 2])
    assertNear(flat(got), [5, 6, 12.5, 13.5], 1e-14)
    assertGradient(
      (vals) => np.sum(np.square(interpolate.RegularGridInterpolator([f64([0, 1, 3])], vals)(f64([0.4, 2.2])))),
      [1, -2, 0.5],
      [3]
    )
    const h = interpolate.RegularGridInterpolator([f64([0, 1, 3]), f64([0, 2])], np.reshape(f64(randoms(6, 2)), [3, 2]))
    assertGradient((p) => np.sum(np.sin(h(p))), [0.4, 0.3, 2.2, 1.7], [2, 2])
    const ps = np.reshape(f64([0.1, 0.2, 1.5, 1.9, 2.9, 0.3]), [3, 2])
    assertNear(flat(runSync(vmap((p: Tensor) => h(np.reshape(p, [1, 2])))(ps)) as Tensor), flat(h(ps)), 1e-15, "vmap")
    assertNear(flat(runSync(jit((p: Tensor) => h(p))(ps)) as Tensor), flat(h(ps)), 1e-15, "jit")
  })
  it("errors: method, boundsError, too many grids, points of the wrong dimension", () => {
    const grid = [f64([0, 1])]
    failure(() => interpolate.RegularGridInterpolator(grid, f64([1, 2]), { method: "cubic" as never }), "ArgumentError")
    failure(
      () => interpolate.RegularGridInterpolator(grid, f64([1, 2]), { boundsError: true as never }),
      "ArgumentError"
    )
    assert.include(
      failure(() => interpolate.RegularGridInterpolator([...grid, ...grid], f64([1, 2])), "ShapeError"),
      "point arrays"
    )
    failure(() => interpolate.RegularGridInterpolator([f64([0, 1, 2])], f64([1, 2])), "ShapeError")
    const f = interpolate.RegularGridInterpolator(grid, f64([1, 2]))
    assert.include(failure(() => f(f64([[0.5, 0.5]])), "ShapeError"), "dimension")
    failure(() => f(f64([0.5]), "cubic" as never), "ArgumentError")
  })

  it("RegularGridInterpolator of a 1-D grid takes its coordinates in a one-element list (SciPy's and JAX's unwrapping)", () => {
    const f1 = interpolate.RegularGridInterpolator([np.array([0, 1, 2])], np.array([0, 10, 40]))
    const out = f1([np.array([0.5, 1.5, 2.5])])
    assert.deepStrictEqual(out.shape, [3])
    assertNear(flat(out).slice(0, 2), [5, 25], 1e-6)
    assert.isTrue(Number.isNaN(flat(out)[2]!))
    assert.deepStrictEqual(f1([np.array([0.5])]).shape, [1])
  })
})
