/**
 * fft (jax.scipy.fft): dct/idct/dctn/idctn against the DCT-II evaluated from
 * its definition in float64 JS (SciPy's scaling: y[k] = 2 sum x[n] cos(pi k
 * (2n + 1) / 2N), orthonormal factors sqrt(1/4N), sqrt(1/2N)), SciPy's
 * documented values, the round trips, gradients against central differences,
 * jit and vmap, and JAX's errors.
 */
import { fft, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync, vmap } from "diffect"
import { failure } from "./npSetup.js"
import { assertGradient, assertNear, f64, flat, randoms } from "./signalSetup.js"

// The DCT-II of one line by its definition.
const dctRef = (x: ReadonlyArray<number>, ortho = false): Array<number> => {
  const n = x.length
  return x.map((_, k) => {
    let s = 0
    for (let j = 0; j < n; j++) s += x[j]! * Math.cos((Math.PI * k * (2 * j + 1)) / (2 * n))
    const y = 2 * s
    return ortho ? y * Math.sqrt(1 / ((k === 0 ? 4 : 2) * n)) : y
  })
}

// A row-major [r, c] array's DCT along both axes, by lines.
const dct2Ref = (x: ReadonlyArray<number>, r: number, c: number, ortho = false): Array<number> => {
  const rows = Array.from({ length: r }, (_, i) => dctRef(x.slice(i * c, (i + 1) * c), ortho))
  const out = new Array<number>(r * c)
  for (let j = 0; j < c; j++) {
    const col = dctRef(rows.map((row) => row[j]!), ortho)
    col.forEach((v, i) => (out[i * c + j] = v))
  }
  return out
}

describe("fft.dct and fft.idct", () => {
  it("equal the DCT-II's definition, backward and ortho, odd and even lengths", () => {
    for (const n of [1, 2, 5, 8, 13]) {
      const x = randoms(n, n)
      assertNear(flat(fft.dct(f64(x))), dctRef(x), 1e-13, `dct n=${n}`)
      assertNear(flat(fft.dct(f64(x), { norm: "ortho" })), dctRef(x, true), 1e-13, `ortho n=${n}`)
      assertNear(flat(fft.idct(fft.dct(f64(x)))), x, 1e-13, `idct(dct) n=${n}`)
      assertNear(flat(fft.idct(fft.dct(f64(x), { norm: "ortho" }), { norm: "ortho" })), x, 1e-13, `ortho round trip`)
    }
  })
  it("SciPy's values: dct([1, 2, 3, 4]) = [20, -6.30864406, 0, -0.44834153]", () => {
    assertNear(flat(fft.dct(f64([1, 2, 3, 4]))), [20, -6.30864406, 0, -0.44834153], 1e-8)
  })
  it("idct is the scaled DCT-III: x[n] = (y[0] + 2 sum_k y[k] cos(pi k (2n + 1) / 2N)) / 2N", () => {
    const y = randoms(7, 3)
    const want = y.map((_, j) => {
      let s = y[0]!
      for (let k = 1; k < 7; k++) s += 2 * y[k]! * Math.cos((Math.PI * k * (2 * j + 1)) / 14)
      return s / 14
    })
    assertNear(flat(fft.idct(f64(y))), want, 1e-13)
  })
  it("n crops or zero-pads; axis picks the lines", () => {
    const x = randoms(12, 5)
    assertNear(flat(fft.dct(f64(x.slice(0, 6)), { n: 4 })), dctRef(x.slice(0, 4)), 1e-13, "crop")
    assertNear(flat(fft.dct(f64(x.slice(0, 3)), { n: 5 })), dctRef([...x.slice(0, 3), 0, 0]), 1e-13, "pad")
    const m = np.reshape(f64(x), [3, 4])
    const byCols = [0, 1, 2, 3].map((j) => dctRef([x[j]!, x[4 + j]!, x[8 + j]!]))
    assertNear(flat(fft.dct(m, { axis: 0 })), [0, 1, 2].flatMap((i) => byCols.map((c) => c[i]!)), 1e-13, "axis 0")
    const cropped = np.take(m, [0, 1], { axis: 0 })
    assert.deepStrictEqual(fft.idct(m, { axis: 0, n: 2 }).shape, [2, 4])
    assertNear(flat(fft.dct(fft.idct(m, { axis: 0, n: 2 }), { axis: 0 })), flat(cropped), 1e-13, "idct axis 0, n 2")
  })
  it("dtypes: float32 stays float32, integers become float32, complex is done part by part", () => {
    assert.strictEqual(fft.dct(np.array([1, 2, 3], { dtype: "float32" })).dtype, "float32")
    const i = fft.dct(np.array([1, 2, 3], { dtype: "int32" }))
    assert.strictEqual(i.dtype, "float32")
    assertNear(flat(i), dctRef([1, 2, 3]), 1e-6)
    const z = np.array([{ re: 1, im: -1 }, { re: 2, im: 0.5 }, { re: 0, im: 3 }], { dtype: "complex128" })
    const got = fft.dct(z)
    assert.strictEqual(got.dtype, "complex128")
    assertNear(flat(np.real(got)), dctRef([1, 2, 0]), 1e-13, "re")
    assertNear(flat(np.imag(got)), dctRef([-1, 0.5, 3]), 1e-13, "im")
  })
})

describe("fft.dctn and fft.idctn", () => {
  it("equal the DCT along every axis (2-d by JAX's one-FFT formula, 3-d in pairs)", () => {
    const x = randoms(15, 7)
    assertNear(flat(fft.dctn(np.reshape(f64(x), [3, 5]))), dct2Ref(x, 3, 5), 1e-12, "2-d")
    assertNear(flat(fft.dctn(np.reshape(f64(x), [3, 5]), { norm: "ortho" })), dct2Ref(x, 3, 5, true), 1e-12, "ortho")
    const y = randoms(24, 9)
    const t = np.reshape(f64(y), [2, 3, 4])
    // separable: dct along each axis in turn
    const want = fft.dct(fft.dct(fft.dct(t, { axis: 0 }), { axis: 1 }), { axis: 2 })
    assertNear(flat(fft.dctn(t)), flat(want), 1e-12, "3-d")
    assertNear(flat(fft.idctn(fft.dctn(t))), y, 1e-12, "3-d round trip")
    assertNear(flat(fft.idctn(fft.dctn(t, { norm: "ortho" }), { norm: "ortho" })), y, 1e-12, "ortho round trip")
  })
  it("s and axes as JAX: the last len(s) axes, each cropped or padded", () => {
    const x = randoms(9, 2)
    const m = np.reshape(f64(x), [3, 3])
    assert.deepStrictEqual(fft.dctn(m, { s: [2] }).shape, [3, 2])
    assertNear(flat(fft.dctn(m, { s: [2] })), flat(fft.dct(m, { n: 2 })), 1e-13, "s=[2]")
    assertNear(flat(fft.dctn(m, { s: [2], axes: [0] })), flat(fft.dct(m, { n: 2, axis: 0 })), 1e-13, "axes=[0]")
    const padded = np.pad(m, [[0, 0], [0, 1]])
    assertNear(
      flat(fft.dctn(m, { s: [2, 4] })),
      dct2Ref(flat(np.take(padded, [0, 1], { axis: 0 })), 2, 4),
      1e-12,
      "s=[2, 4]"
    )
    assertNear(flat(fft.idctn(m, { s: [2] })), flat(fft.idct(m, { n: 2 })), 1e-13, "idctn s=[2]")
  })
})

describe("fft: derivatives, jit, vmap, errors", () => {
  it("gradients equal central differences", () => {
    const w = f64(randoms(6, 11))
    assertGradient((x) => np.sum(np.multiply(fft.dct(x), w)), randoms(6, 4), [6])
    assertGradient((x) => np.sum(np.multiply(fft.idct(x, { norm: "ortho" }), w)), randoms(6, 5), [6])
    assertGradient((x) => np.sum(np.square(fft.dctn(x))), randoms(6, 6), [2, 3], 1e-6)
    assertGradient((x) => np.sum(np.sin(fft.idctn(x))), randoms(6, 8), [3, 2])
  })
  it("jit and vmap agree with the eager values", () => {
    const x = np.reshape(f64(randoms(12, 3)), [3, 4])
    assertNear(flat(runSync(jit((t: Tensor) => fft.dctn(t))(x)) as Tensor), flat(fft.dctn(x)), 1e-14, "jit")
    assertNear(flat(runSync(vmap((t: Tensor) => fft.dct(t))(x)) as Tensor), flat(fft.dct(x)), 1e-14, "vmap")
    assertNear(flat(runSync(vmap((t: Tensor) => fft.idct(t))(x)) as Tensor), flat(fft.idct(x)), 1e-14, "vmap idct")
  })
  it("JAX's errors: only type 2, norm backward or ortho, s no longer than ndim", () => {
    const x = f64([1, 2, 3])
    assert.include(failure(() => fft.dct(x, { type: 3 as never }), "ArgumentError"), "type 2")
    assert.include(failure(() => fft.idct(x, { norm: "forward" as never }), "ArgumentError"), "ortho")
    assert.include(failure(() => fft.dctn(x, { s: [2, 2] }), "ShapeError"), "at most x.ndim")
    failure(() => fft.dct(x, { axis: 1 }), "AxisError")
    failure(() => fft.dct(x, { n: -1 }), "ArgumentError")
    failure(() => fft.dct(np.array(1, { dtype: "float64" })), "ShapeError")
  })
})
