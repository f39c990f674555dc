/**
 * JAX's testSuccessOnComplexPlane (tests/lax_test.py), ported: each complex function over a grid of
 * the plane (infinities, the largest finite values, the smallest normals, zero and a logarithmic
 * sweep between, in every quadrant and on both axes) against mpmath, region by region. A region JAX
 * lists as inaccurate on its CPU backend is skipped for that function, as JAX's test does; every
 * other region must hold. References: fixtures/complexPlane.txt (from fixtures/complexPlane.py,
 * mpmath at 21 times the dtype's precision, rounded to the dtype).
 *
 * Each part is compared normwise, as JAX's test does (it truncates both values to the bits where
 * two references agree, relative to |f(z)|): |result - reference| <= tol |f(z)| with JAX's default
 * tolerances (1e-6 for complex64, 1e-15 for complex128), and non-finite parts equal.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, np, type Tensor, toJsSync } from "diffect"
import { readFileSync } from "node:fs"
import { expect, value } from "./parity.js"

type DType = "complex64" | "complex128"
type Part = "real" | "imag"

const parse = (token: string): number =>
  token === "inf" ? Infinity : token === "-inf" ? -Infinity : token === "nan" ? NaN : Number(token)

const fixture = (() => {
  const axes = new Map<DType, Array<number>>()
  const refs = new Map<string, Array<number>>()
  for (const line of readFileSync(new URL("fixtures/complexPlane.txt", import.meta.url), "utf8").split("\n")) {
    const [kind, dtype, ...rest] = line.split(" ")
    if (kind === "axis") axes.set(dtype as DType, rest.map(parse))
    if (kind === "ref") refs.set(`${dtype} ${rest[0]}`, rest.slice(1).map(parse))
  }
  return { axes, refs }
})()

// JAX's regions of the grid (rows: imaginary part, columns: real part; `n` points per half axis):
// quadrants without their axes, the half axes, the infinite rows and columns, zero
const regions = (n: number): Record<string, (row: number, col: number) => boolean> => {
  const size = 3 + 2 * n
  const neg = (i: number) => i >= 1 && i <= n
  const pos = (i: number) => i >= n + 2 && i <= size - 2
  const mid = n + 1
  return {
    q1: (r, c) => pos(r) && pos(c),
    q2: (r, c) => pos(r) && neg(c),
    q3: (r, c) => neg(r) && neg(c),
    q4: (r, c) => neg(r) && pos(c),
    neg: (r, c) => r === mid && neg(c),
    pos: (r, c) => r === mid && pos(c),
    negj: (r, c) => neg(r) && c === mid,
    posj: (r, c) => pos(r) && c === mid,
    ninf: (_r, c) => c === 0,
    pinf: (_r, c) => c === size - 1,
    ninfj: (r) => r === 0,
    pinfj: (r) => r === size - 1,
    zero: (r, c) => r === mid && c === mid
  }
}

// The regions JAX's test keeps as inaccurate on CPU (its `regions_with_inaccuracies_keep` calls); a
// bare name covers both parts. Functions not listed hold everywhere.
const inaccurateInJax: Record<string, ReadonlyArray<string>> = {
  log: ["q1.real", "q2.real", "q3.real", "q4.real", "ninf.imag", "pinf.imag", "ninfj.imag", "pinfj.imag"],
  log10: ["q1.real", "q2.real", "q3.real", "q4.real", "ninf.imag", "pinf.imag", "ninfj.imag", "pinfj.imag"],
  sinh: [
    "q1",
    "q2",
    "q3",
    "q4",
    "neg",
    "pos",
    "negj.imag",
    "posj.imag",
    "ninf.imag",
    "pinf.imag",
    "ninfj.real",
    "pinfj.real"
  ],
  cosh: ["neg.imag", "pos.imag", "ninf.imag", "pinf.imag", "ninfj.imag", "pinfj.imag"],
  tanh: ["ninf", "pinf", "ninfj", "pinfj"],
  sin: ["ninf.imag", "pinf.imag"],
  cos: ["ninf.imag", "pinf.imag"],
  sinc: ["q1", "q2", "q3", "q4", "neg", "pos", "negj", "posj", "ninf", "pinf", "ninfj", "pinfj"]
}

const functions: Record<string, (z: Tensor) => Tensor> = {
  arcsin: np.arcsin,
  arccos: np.arccos,
  arcsinh: np.arcsinh,
  arccosh: np.arccosh,
  arctan: np.arctan,
  arctanh: np.arctanh,
  sqrt: np.sqrt,
  square: np.square,
  log: np.log,
  log10: np.log10,
  log1p: np.log1p,
  expm1: np.expm1,
  sin: np.sin,
  cos: np.cos,
  tan: np.tan,
  sinh: np.sinh,
  cosh: np.cosh,
  tanh: np.tanh,
  sinc: np.sinc
}

const TOL: Record<DType, number> = { complex64: 1e-6, complex128: 1e-15 }

const agrees = (value: number, ref: number, scale: number, tol: number): boolean => {
  if (Number.isNaN(ref) || Number.isNaN(value)) return Number.isNaN(ref) && Number.isNaN(value)
  if (!Number.isFinite(ref) || !Number.isFinite(value)) return value === ref
  return Math.abs(value - ref) <= tol * scale
}

describe("complex functions over the plane (JAX's testSuccessOnComplexPlane)", () => {
  for (const dtype of ["complex64", "complex128"] as const) {
    const axis = fixture.axes.get(dtype)!
    const n = (axis.length - 3) / 2
    const size = axis.length
    const grid = axis.flatMap((im) => axis.map((re) => ({ re, im })))
    const inRegion = regions(n)
    for (const [name, f] of Object.entries(functions)) {
      it(`${name} ${dtype}`, () => {
        const ref = fixture.refs.get(`${dtype} ${name}`)!
        assert.strictEqual(ref.length, 2 * size * size)
        const out = toJsSync(f(np.array(grid, { dtype }))) as Array<{ re: number; im: number }>
        const skipped = new Set(inaccurateInJax[name] ?? [])
        const failures: Array<string> = []
        for (let row = 0; row < size; row++) {
          for (let col = 0; col < size; col++) {
            const i = row * size + col
            const [re, im] = [ref[2 * i]!, ref[2 * i + 1]!]
            const scale = Math.hypot(re, im)
            for (const part of ["real", "imag"] as const satisfies ReadonlyArray<Part>) {
              const held = Object.entries(inRegion).filter(([region, has]) =>
                has(row, col) && !skipped.has(region) && !skipped.has(`${region}.${part}`)
              )
              if (held.length === 0) continue
              const value = part === "real" ? out[i]!.re : out[i]!.im
              if (!agrees(value, part === "real" ? re : im, scale, TOL[dtype])) {
                failures.push(
                  `${held.map(([r]) => r).join("/")}.${part}: ${name}(${grid[i]!.re} + ${grid[i]!.im}i) = ` +
                    `${out[i]!.re} + ${out[i]!.im}i, expected ${re} + ${im}i`
                )
              }
            }
          }
        }
        assert.deepStrictEqual(failures.slice(0, 8), [])
      })
    }
  }
})

// d/dz of each inverse function at ZS, from its closed form in Python's cmath: 1/sqrt(1 - z^2),
// -1/sqrt(1 - z^2), 1/(1 + z^2), 1/sqrt(z^2 + 1), 1/(sqrt(z - 1) sqrt(z + 1)), 1/(1 - z^2)
const ZS = [{ re: 0.3, im: 0.4 }, { re: -1.5, im: 0.2 }, { re: 2, im: -0.5 }, { re: -0.7, im: -1.3 }]
const DERIVATIVES: Record<string, ReadonlyArray<readonly [number, number]>> = {
  arcsin: [[0.9491402412151736, 0.10513946776119938], [0.19630967293875343, -0.8377817814335373], [
    0.16770213325966557,
    -0.5157148857049605
  ], [0.5568178967793627, 0.20046692395951402]],
  arccos: [[-0.9491402412151736, -0.10513946776119938], [-0.19630967293875343, 0.8377817814335373], [
    -0.16770213325966557,
    0.5157148857049605
  ], [-0.5568178967793627, -0.20046692395951402]],
  arctan: [[1.0081300813008132, -0.2601626016260163], [0.30100993051453007, 0.05626353841393086], [
    0.17882352941176471,
    0.07529411764705882
  ], [-0.059658751938909495, -0.5428946426440759]],
  arcsinh: [[1.012247127408006, -0.12850745365521427], [0.5510140619989696, 0.051054539524651985], [
    0.43177078956364745,
    0.08719223192837099
  ], [0.49320584313517646, -0.550373287543636]],
  arccosh: [[0.10513946776119949, -0.9491402412151738], [-0.8377817814335373, -0.19630967293875343], [
    0.5157148857049605,
    0.16770213325966557
  ], [-0.20046692395951402, 0.5568178967793627]],
  arctanh: [[0.8898128898128898, 0.19958419958419954], [-0.6633408256126309, -0.32892933501452776], [
    -0.23783783783783782,
    -0.17297297297297295
  ], [0.26985918257200336, 0.22324714194593]]
}

describe("their derivatives (holomorphic grad)", () => {
  for (const [name, expected] of Object.entries(DERIVATIVES)) {
    it(`${name}'s is its closed form`, () => {
      const f = functions[name]!
      ZS.forEach((z, i) => {
        const g = value(grad(f, { holomorphic: true })(np.array(z, { dtype: "complex128" }))) as {
          re: number
          im: number
        }
        expect.close([g.re, g.im], expected[i]!, 1e-12)
      })
    })
  }
})
