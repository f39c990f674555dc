/**
 * The shared half of the complex-plane ports (complexPlane.test.ts on the CPU backend,
 * complexPlaneWebGpu.test.ts on WebGPU): JAX's testSuccessOnComplexPlane grid and mpmath references
 * (fixtures/complexPlane.txt), its regions, the regions JAX lists as inaccurate on its CPU backend,
 * and the normwise comparison (JAX's test truncates both values to the bits where two references
 * agree, relative to |f(z)|; here |result - reference| <= tol |f(z)| with JAX's default tolerances,
 * 1e-6 for complex64 and 1e-15 for complex128, and non-finite parts equal).
 */
import { np, type Tensor } from "diffect"
import { readFileSync } from "node:fs"

export type DType = "complex64" | "complex128"
type Part = "real" | "imag"

const parse = (token: string): number =>
  token === "inf" ? Infinity : token === "-inf" ? -Infinity : token === "nan" ? NaN : Number(token)

export const fixture = (() => {
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

export const functions: Record<string, (z: Tensor) => Tensor> = {
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

/** The grid of `dtype` as complex values, row by row (rows: imaginary part). */
export const gridOf = (dtype: DType): Array<{ re: number; im: number }> => {
  const axis = fixture.axes.get(dtype)!
  return axis.flatMap((im) => axis.map((re) => ({ re, im })))
}

/**
 * The grid points where `out` (f over the grid) differs from the reference outside the regions JAX
 * skips for `name`, as messages (at most `limit`).
 */
export const failuresOf = (
  name: string,
  dtype: DType,
  out: ReadonlyArray<{ re: number; im: number }>,
  limit = 8
): Array<string> => {
  const axis = fixture.axes.get(dtype)!
  const size = axis.length
  const inRegion = regions((size - 3) / 2)
  const grid = gridOf(dtype)
  const ref = fixture.refs.get(`${dtype} ${name}`)!
  if (ref.length !== 2 * size * size || out.length !== size * size) {
    return [`${name}: ${out.length} values for ${size}^2 points`]
  }
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
        if (!agrees(value, part === "real" ? re : im, scale, TOL[dtype]) && failures.length < limit) {
          failures.push(
            `${held.map(([r]) => r).join("/")}.${part}: ${name}(${grid[i]!.re} + ${grid[i]!.im}i) = ` +
              `${out[i]!.re} + ${out[i]!.im}i, expected ${re} + ${im}i`
          )
        }
      }
    }
  }
  return failures
}

/** f over the grid of `dtype`. */
export const onGrid = (f: (z: Tensor) => Tensor, dtype: DType): Tensor => f(np.array(gridOf(dtype), { dtype }))
