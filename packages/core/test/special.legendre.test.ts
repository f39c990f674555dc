/**
 * special.lpmnValues / lpmn / sphHarmY against the closed forms of the associated Legendre
 * functions for l <= 3, their orthogonality and the harmonics' orthonormality by quadrature, the
 * derivatives against central differences; special.wofz against erfcx on the imaginary axis,
 * exp(-x^2) and Dawson's function on the real axis, and its integral representation by the
 * trapezoidal rule in the plane.
 */
import { assert, describe, it } from "@effect/vitest"
import { jit, jvp, np, runSync, special, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { failure } from "./npSetup.js"

const f64 = (v: Array<number>) => np.array(v, { dtype: "float64" })
type Table = Array<Array<Array<number>>>
const table = (t: Tensor) => toJsSync(t) as Table

// P_l^m(x) for l <= 3 with the Condon-Shortley phase (s = sqrt(1 - x^2))
const closed = (m: number, l: number, x: number): number => {
  const s = Math.sqrt(1 - x * x)
  const forms: Record<string, number> = {
    "0,0": 1,
    "0,1": x,
    "1,1": -s,
    "0,2": (3 * x * x - 1) / 2,
    "1,2": -3 * x * s,
    "2,2": 3 * s * s,
    "0,3": (5 * x ** 3 - 3 * x) / 2,
    "1,3": -1.5 * (5 * x * x - 1) * s,
    "2,3": 15 * x * s * s,
    "3,3": -15 * s ** 3
  }
  return forms[`${m},${l}`] ?? 0
}
// Gauss-Legendre nodes and weights on [-1, 1] (Newton's method on P_n from the cosine guesses): exact
// for polynomials of degree below 2n
const gaussLegendre = (n: number): readonly [Array<number>, Array<number>] => {
  const nodes: Array<number> = []
  const weights: Array<number> = []
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5))
    let dp = 1
    for (let it = 0; it < 100; it++) {
      let [p0, p1] = [1, x]
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k]
      dp = (n * (x * p1 - p0)) / (x * x - 1)
      const step = p1 / dp
      x -= step
      if (Math.abs(step) < 1e-16) break
    }
    nodes.push(x)
    weights.push(2 / ((1 - x * x) * dp * dp))
  }
  return [nodes, weights]
}
const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1))
const norm = (m: number, l: number) => Math.sqrt(((2 * l + 1) * factorial(l - m)) / (4 * Math.PI * factorial(l + m)))

describe("lpmnValues and lpmn", () => {
  const xs = [-0.9, -0.3, 0, 0.6, 1]
  it("the closed forms for l <= 3, zero above the diagonal, normalized and not", () => {
    const raw = table(special.lpmnValues(3, 3, f64(xs), false))
    const normalized = table(special.lpmnValues(3, 3, f64(xs), true))
    assert.deepStrictEqual([raw.length, raw[0]!.length, raw[0]![0]!.length], [4, 4, 5])
    for (let m = 0; m <= 3; m++) {
      for (let l = 0; l <= 3; l++) {
        xs.forEach((x, j) => {
          const want = closed(m, l, x)
          assert.closeTo(raw[m]![l]![j]!, want, 1e-14 * (1 + Math.abs(want)), `P_${l}^${m}(${x})`)
          const wantN = m > l ? 0 : norm(m, l) * want
          assert.closeTo(normalized[m]![l]![j]!, wantN, 1e-14 * (1 + Math.abs(wantN)), `normalized P_${l}^${m}(${x})`)
        })
      }
    }
  })
  it("normalized: orthogonal in l for each m, 2 pi int P_l^m P_k^m dx = delta (Gauss-Legendre, degree 12)", () => {
    // the products are polynomials of degree at most 24: 16 nodes integrate them exactly
    const [nodes, weights] = gaussLegendre(16)
    const p = table(special.lpmnValues(12, 12, f64(nodes), true))
    for (let m = 0; m <= 12; m++) {
      for (let l = m; l <= 12; l++) {
        for (let k = m; k <= l; k++) {
          let sum = 0
          nodes.forEach((_, i) => (sum += weights[i]! * p[m]![l]![i]! * p[m]![k]![i]!))
          assert.closeTo(2 * Math.PI * sum, l === k ? 1 : 0, 1e-13, `m = ${m}, l = ${l}, k = ${k}`)
        }
      }
    }
  })
  it("float32 and the shapes of the degenerate tables", () => {
    const t = special.lpmnValues(2, 2, np.array([0.5]), false)
    assert.strictEqual(t.dtype, "float32")
    assert.closeTo(table(t)[2]![2]![0]!, 3 * 0.75, 1e-6)
    assert.deepStrictEqual(table(special.lpmnValues(0, 0, f64([0.1, 0.2]), false)), [[[1, 1]]])
  })
  it("lpmn: the values, and derivatives in z against central differences (the m = 1 row included)", () => {
    const points = [-0.7, 0.2, 0.6]
    const [p, dp] = special.lpmn(4, 4, f64(points))
    assert.deepStrictEqual(table(p), table(special.lpmnValues(4, 4, f64(points), false)))
    const d = table(dp)
    const h = 1e-6
    const up = table(special.lpmnValues(4, 4, f64(points.map((x) => x + h)), false))
    const down = table(special.lpmnValues(4, 4, f64(points.map((x) => x - h)), false))
    for (let m = 0; m <= 4; m++) {
      for (let l = 0; l <= 4; l++) {
        points.forEach((_, j) => {
          const numeric = (up[m]![l]![j]! - down[m]![l]![j]!) / (2 * h)
          assert.closeTo(d[m]![l]![j]!, numeric, 1e-7 * (1 + Math.abs(numeric)), `dP_${l}^${m}`)
        })
      }
    }
    // d/dz P_1^1 = z / sqrt(1 - z^2): 0.75 at 0.6
    assert.closeTo(d[1]![1]![2]!, 0.75, 1e-15)
  })
  it("differentiable in z: jvp of the table against central differences", () => {
    const f = (z: Tensor) => np.sum(special.lpmnValues(5, 5, z, true))
    const [, tangent] = runSync(jvp(f, [f64([0.35])], [f64([1])]))
    const at = (x: number) => toJsSync(f(f64([x]))) as number
    assert.closeTo(toJsSync(tangent as Tensor) as number, (at(0.35 + 1e-6) - at(0.35 - 1e-6)) / 2e-6, 1e-7)
  })
  it("JAX's argument checks: m = n, a 1D float array", () => {
    assert.include(failure(() => special.lpmn(2, 3, f64([0.5])), "ArgumentError"), "m != n")
    assert.include(
      failure(() => special.lpmnValues(2, 2, np.array([1], { dtype: "int32" }), true), "DTypeError"),
      "int32"
    )
    assert.include(failure(() => special.lpmn(2, 2, f64([0.5]).reshape([1, 1])), "ShapeError"), "1D")
    assert.include(failure(() => special.lpmnValues(1.5, 1.5, f64([0.5]), true), "ArgumentError"), "integer")
  })
})

describe("sphHarmY", () => {
  it("Y_0^0 = 1 / (2 sqrt(pi)) and the closed forms of Y_1^1, Y_2^-1, Y_2^-2", () => {
    const theta = 0.7
    const phi = 1.9
    const y = toJsSync(
      special.sphHarmY(np.array([0, 1, 2, 2]), np.array([0, 1, -1, -2]), f64([theta]), f64([phi]))
    ) as Array<{
      re: number
      im: number
    }>
    const s = Math.sin(theta)
    const cth = Math.cos(theta)
    const want = [
      [1 / (2 * Math.sqrt(Math.PI)), 0],
      [-0.5 * Math.sqrt(3 / (2 * Math.PI)) * s, 1],
      [0.5 * Math.sqrt(15 / (2 * Math.PI)) * s * cth, -1],
      [0.25 * Math.sqrt(15 / (2 * Math.PI)) * s * s, -2]
    ]
    want.forEach(([r, k], i) => {
      assert.closeTo(y[i]!.re, r! * Math.cos(k! * phi), 1e-14, `re ${i}`)
      assert.closeTo(y[i]!.im, r! * Math.sin(k! * phi), 1e-14, `im ${i}`)
    })
  })
  it("orthonormal on the sphere (Gauss-Legendre in cos theta, the trapezoidal rule in phi: exact)", () => {
    const [nodes, weights] = gaussLegendre(8)
    const nPhi = 16
    const thetas: Array<number> = []
    const phis: Array<number> = []
    const ws: Array<number> = []
    nodes.forEach((x, i) => {
      for (let j = 0; j < nPhi; j++) {
        thetas.push(Math.acos(x))
        phis.push((2 * Math.PI * j) / nPhi)
        ws.push((weights[i]! * 2 * Math.PI) / nPhi)
      }
    })
    const harmonic = (n: number, m: number) =>
      toJsSync(
        special.sphHarmY(f64(thetas.map(() => n)), f64(thetas.map(() => m)), f64(thetas), f64(phis), { nMax: 3 })
      ) as Array<{
        re: number
        im: number
      }>
    const all: Array<readonly [number, number]> = []
    for (let n = 0; n <= 3; n++) for (let m = -n; m <= n; m++) all.push([n, m])
    const values = all.map(([n, m]) => harmonic(n, m))
    all.forEach((_, u) =>
      all.forEach((__, v) => {
        const [a, b] = [values[u]!, values[v]!]
        let re = 0
        let im = 0
        for (let i = 0; i < a.length; i++) {
          re += ws[i]! * (a[i]!.re * b[i]!.re + a[i]!.im * b[i]!.im)
          im += ws[i]! * (a[i]!.im * b[i]!.re - a[i]!.re * b[i]!.im)
        }
        assert.closeTo(re, u === v ? 1 : 0, 1e-13, `<Y_${all[u]}, Y_${all[v]}>`)
        assert.closeTo(im, 0, 1e-13)
      })
    )
  })
  it("JAX's reads: a degree above nMax reads nMax, a single theta serves every harmonic", () => {
    const theta = np.array(0.4, { dtype: "float64" })
    const clipped = toJsSync(special.sphHarmY(np.array([5, 2]), np.array([1, 1]), theta, 0, { nMax: 2 }))
    const exact = toJsSync(special.sphHarmY(np.array([2, 2]), np.array([1, 1]), theta, 0))
    assert.deepStrictEqual(clipped, exact)
    assert.strictEqual(
      special.sphHarmY(np.array([1]), np.array([0]), np.array([0.1]), np.array([0.2])).dtype,
      "complex64"
    )
  })
  it("differentiable in theta and phi, and under jit with nMax", () => {
    const f = (t: Tensor, p: Tensor) => np.real(special.sphHarmY(np.array([3]), np.array([2]), t, p, { nMax: 3 }))
    const [, tangent] = runSync(jvp(f, [f64([0.8]), f64([0.3])], [f64([1]), f64([0])]))
    const at = (t: number) => (toJsSync(f(f64([t]), f64([0.3]))) as Array<number>)[0]!
    assert.closeTo((toJsSync(tangent as Tensor) as Array<number>)[0]!, (at(0.8 + 1e-6) - at(0.8 - 1e-6)) / 2e-6, 1e-7)
    const eager = toJsSync(f(f64([0.8]), f64([0.3])))
    assert.deepStrictEqual(toJsSync(runSync(jit(f)(f64([0.8]), f64([0.3])))), eager)
    const noMax = (t: Tensor) => special.sphHarmY(np.array([1]), np.array([0]), t, 0)
    assert.include(
      failure(
        () => runSync(jit((n: Tensor) => special.sphHarmY(n, np.array([0]), f64([0.1]), 0))(np.array([1]))),
        "ConcretizationError"
      ),
      "nMax"
    )
    assert.strictEqual(noMax(f64([0.1])).dtype, "complex128")
  })
})

describe("wofz", () => {
  type C = { re: number; im: number }
  const w = (zs: Array<C>) => toJsSync(special.wofz(np.array(zs, { dtype: "complex128" }))) as Array<C>
  it("w(iy) = erfcx(y) and, on the real axis, exp(-x^2) + 2i / sqrt(pi) dawsn(x)", () => {
    const ys = [0, 0.1, 1, 5, 30]
    const erfcx = toJsSync(special.erfcx(f64(ys))) as Array<number>
    w(ys.map((y) => ({ re: 0, im: y }))).forEach((v, i) => {
      assert.closeTo(v.re, erfcx[i]!, 1e-13 * erfcx[i]!, `w(${ys[i]}i)`)
      assert.closeTo(v.im, 0, 1e-15)
    })
    const xs = [-3, -0.5, 0.2, 1, 2.5, 8]
    const dawsn = toJsSync(special.dawsn(f64(xs))) as Array<number>
    w(xs.map((x) => ({ re: x, im: 0 }))).forEach((v, i) => {
      assert.closeTo(v.re, Math.exp(-xs[i]! * xs[i]!), 1e-13, `Re w(${xs[i]})`)
      assert.closeTo(v.im, (2 / Math.sqrt(Math.PI)) * dawsn[i]!, 1e-13, `Im w(${xs[i]})`)
    })
  })
  it("in the plane: (i / pi) int exp(-t^2) / (z - t) dt by the trapezoidal rule, and the reflection below", () => {
    const zs = [{ re: 1, im: 1 }, { re: 3, im: 0.5 }, { re: -2, im: 2 }, { re: 0.5, im: 5 }]
    const h = 0.005
    const integral = ({ re, im }: C): C => {
      let sr = 0
      let si = 0
      for (let t = -12; t <= 12; t += h) {
        const g = Math.exp(-t * t)
        const dr = re - t
        const d2 = dr * dr + im * im
        // i g / (z - t) = i g (dr - i im) / d2
        sr += (g * im) / d2
        si += (g * dr) / d2
      }
      return { re: (sr * h) / Math.PI, im: (si * h) / Math.PI }
    }
    w(zs).forEach((v, i) => {
      const ref = integral(zs[i]!)
      assert.closeTo(v.re, ref.re, 1e-13, `Re w(${JSON.stringify(zs[i])})`)
      assert.closeTo(v.im, ref.im, 1e-13, `Im w(${JSON.stringify(zs[i])})`)
    })
    // w(-conj z) = conj w(z): the lower half-plane agrees with the upper
    const [a, b] = w([{ re: 1.5, im: -0.7 }, { re: -1.5, im: -0.7 }])
    assert.closeTo(a!.re, b!.re, 1e-14)
    assert.closeTo(a!.im, -b!.im, 1e-14)
  })
  it("complex64 for float32, and w'(z) = -2 z w + 2i / sqrt(pi) against central differences", () => {
    assert.strictEqual(special.wofz(np.array([0.5])).dtype, "complex64")
    const z = np.array([{ re: 0.8, im: 0.4 }], { dtype: "complex128" })
    const [, t] = runSync(
      jvp((u: Tensor) => special.wofz(u), [z], [np.array([{ re: 1, im: 0 }], { dtype: "complex128" })])
    )
    const d = (toJsSync(t as Tensor) as Array<C>)[0]!
    const [p, m] = w([{ re: 0.8 + 1e-6, im: 0.4 }, { re: 0.8 - 1e-6, im: 0.4 }])
    assert.closeTo(d.re, (p!.re - m!.re) / 2e-6, 1e-8)
    assert.closeTo(d.im, (p!.im - m!.im) / 2e-6, 1e-8)
  })
})
