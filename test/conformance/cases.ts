/**
 * The conformance cases: each builds a tensor with the ops API on whatever
 * backend is active. Every case is compared with the typed-array backend's
 * result; most also carry values derived independently (by hand, from NumPy's
 * and JAX's documented behaviour, or by a float64 JS computation over the same
 * float32 inputs).
 */
import { lax, np } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import type { Effect } from "effect"
import { controlFlowCases } from "./controlFlow.js"
import { convolutionCases } from "./convolution.js"
import { fftPrimitiveCases } from "./fft.js"
import { linalgCases } from "./linalg.js"
import { fftCases, numpyCases, specialCases } from "./numpy.js"
import { uint32Cases } from "./random.js"
import { sortingCases } from "./sorting.js"
import { transformCases } from "./transforms.js"
import { bitCases, windowCases } from "./windows.js"

/** One conformance case. */
export interface Case {
  readonly name: string
  /** The computation: a tensor, or an Effect of one (transformations). */
  readonly run: () => Tensor | Effect.Effect<Tensor, unknown, Backend>
  /** Independently derived values (nested JS arrays; complex as `{ re, im }`). */
  readonly expected?: unknown
  readonly rtol?: number
  readonly atol?: number
}

const f32 = Math.fround
const cx = (re: number, im: number) => ({ re, im })

// Inputs, exactly representable or rounded once to float32 before any oracle uses them.
const X = [-2.5, -1, -0.5, 0, 0.3, 1, 2.5, 10]
const P = [0.1, 0.5, 1, 2, 7.5, 100]
const U = [-0.9, -0.5, 0, 0.5, 0.9]
const I = [-7, -3, -1, 0, 1, 2, 5, 9]
const B = [true, false, true, false]
const C = [cx(1, 2), cx(-3, 0.5), cx(0, -1), cx(2.5, -2)]

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const i32 = (xs: np.TensorLike) => np.array(xs, { dtype: "int32" })
const oracle = (xs: ReadonlyArray<number>, fn: (x: number) => number) => xs.map((x) => fn(f32(x)))
const oracle2 = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>, fn: (x: number, y: number) => number) =>
  xs.map((x, k) => fn(f32(x), f32(ys[k]!)))

// A deterministic, irregular fill.
const fill = (n: number, seed = 0): Array<number> =>
  Array.from({ length: n }, (_, k) => (((k + seed) * 37) % 17 - 8) / 4)

const reshape = (data: ReadonlyArray<number>, shape: ReadonlyArray<number>): unknown => {
  if (shape.length === 0) return data[0]
  const [n, ...rest] = shape
  const step = data.length / n!
  return Array.from({ length: n! }, (_, k) => reshape(data.slice(k * step, (k + 1) * step), rest))
}

const matmulOracle = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, m: number, k: number, n: number) => {
  const out = new Array<number>(m * n).fill(0)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let q = 0; q < k; q++) s += f32(a[i * k + q]!) * f32(b[q * n + j]!)
      out[i * n + j] = s
    }
  }
  return out
}

const unary = (
  name: string,
  op: (x: Tensor) => Tensor,
  xs: ReadonlyArray<number>,
  fn: (x: number) => number,
  tol: { rtol?: number; atol?: number } = {}
): Case => ({ name: `${name} float32`, run: () => op(f(xs)), expected: oracle(xs, fn), ...tol })

const erfValues: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [-1.5, -0.9661051464753108],
  [2, 0.9953222650189527],
  [3, 0.9999779095030014]
]

const T = Array.from({ length: 24 }, (_, k) => k) // iota, shape (2, 3, 4)
const t3 = () => np.reshape(np.arange(24), [2, 3, 4])
const at3 = (i: number, j: number, k: number) => T[i * 12 + j * 4 + k]!

/** Elementwise math on float32, with NaN, infinities and signed zeros. */
const elementwiseFloat: ReadonlyArray<Case> = [
  unary("neg", lax.neg, X, (x) => -x),
  unary("sin", lax.sin, X, Math.sin, { atol: 2e-6 }),
  unary("cos", lax.cos, X, Math.cos, { atol: 2e-6 }),
  unary("tan", lax.tan, U, Math.tan, { atol: 2e-6 }),
  unary("asin", lax.asin, U, Math.asin),
  unary("acos", lax.acos, U, Math.acos),
  unary("atan", lax.atan, X, Math.atan),
  unary("sinh", lax.sinh, X, Math.sinh),
  unary("cosh", lax.cosh, X, Math.cosh),
  unary("tanh", lax.tanh, X, Math.tanh),
  unary("exp", lax.exp, X, Math.exp),
  unary("log", lax.log, P, Math.log, { atol: 2e-6 }),
  unary("log1p", lax.log1p, [-0.5, -1e-6, 0, 1e-7, 0.3, 5], Math.log1p, { atol: 0 }),
  unary("expm1", lax.expm1, [-3, -1e-6, 0, 1e-7, 0.3, 5], Math.expm1, { atol: 0 }),
  unary("sqrt", lax.sqrt, P, Math.sqrt),
  unary("rsqrt", lax.rsqrt, P, (x) => 1 / Math.sqrt(x)),
  unary("abs", lax.abs, X, Math.abs),
  unary("floor", lax.floor, X, Math.floor),
  unary("ceil", lax.ceil, X, Math.ceil),
  unary("logistic", lax.logistic, [-100, -3, 0, 0.5, 3, 100], (x) => 1 / (1 + Math.exp(-x))),
  {
    name: "erf float32 (known values)",
    run: () => lax.erf(f(erfValues.map(([x]) => x))),
    expected: erfValues.map(([, y]) => y)
  },
  // NumPy rounds half to even; lax.round's default (JAX's AWAY_FROM_ZERO) rounds ties away from zero.
  {
    name: "round half to even",
    run: () => lax.round(f([0.5, 1.5, 2.5, -0.5, -2.5, 0.4, -1.6]), { roundingMethod: "toNearestEven" }),
    expected: [0, 2, 2, -0, -2, 0, -2]
  },
  {
    name: "round half away from zero (lax.round's default)",
    run: () => lax.round(f([0.5, 1.5, 2.5, -0.5, -2.5, 0.4, -1.6, 0.49999997, -0, 8388609, NaN, Infinity])),
    expected: [1, 2, 3, -1, -3, 0, -2, 0, -0, 8388609, NaN, Infinity]
  },
  { name: "sign float32 (zeros, NaN)", run: () => lax.sign(f([-2, -0, 0, 3, NaN])), expected: [-1, -0, 0, 1, NaN] },
  { name: "integer_pow 3", run: () => lax.integerPow(f(X), 3), expected: oracle(X, (x) => x ** 3) },
  { name: "integer_pow -2", run: () => lax.integerPow(f(P), -2), expected: oracle(P, (x) => x ** -2) },
  {
    name: "exp/log/sqrt at special values",
    run: () =>
      np.concatenate([
        lax.exp(f([Infinity, -Infinity, NaN, 100])),
        lax.log(f([0, -1, Infinity, 1])),
        lax.sqrt(f([-1, 0, Infinity, 4]))
      ]),
    expected: [Infinity, 0, NaN, Infinity, -Infinity, NaN, Infinity, 0, NaN, 0, Infinity, 2]
  },
  {
    name: "hyperbolic functions do not overflow early",
    run: () => np.concatenate([lax.tanh(f([50, -50, NaN])), lax.sinh(f([-100, 60])), lax.cosh(f([-100, 80]))]),
    expected: [1, -1, NaN, -Infinity, f32(Math.sinh(60)), Infinity, f32(Math.cosh(80))]
  },
  {
    name: "trig of infinities is NaN",
    run: () => np.concatenate([lax.sin(f([Infinity])), lax.cos(f([-Infinity])), lax.asin(f([2]))]),
    expected: [NaN, NaN, NaN]
  },
  {
    name: "add float32",
    run: () => lax.add(f(X), f(X.map((x) => x * 3))),
    expected: oracle2(X, X.map((x) => x * 3), (a, b) => a + b)
  },
  {
    name: "sub float32",
    run: () => lax.sub(f(X), f(P.concat([3, 4]))),
    expected: oracle2(X, P.concat([3, 4]), (a, b) => a - b)
  },
  { name: "mul float32", run: () => lax.mul(f(X), f(X)), expected: oracle(X, (x) => x * x) },
  {
    name: "div float32 (by zero too)",
    run: () => lax.div(f([1, -1, 0, 7]), f([0, 0, 0, 2])),
    expected: [Infinity, -Infinity, NaN, 3.5]
  },
  {
    // C's pow: odd integer powers keep the sign, 0^-1 = inf, 1^NaN = 1, NaN^0 = 1.
    name: "pow float32 (C semantics)",
    run: () => lax.pow(f([-2, -2, 0, 2, 4, 1, NaN, -8]), f([3, 0.5, -1, 10, 0.5, NaN, 0, 1 / 3])),
    expected: [-8, NaN, Infinity, 1024, 2, 1, 1, NaN]
  },
  {
    name: "max/min propagate NaN",
    run: () =>
      np.concatenate([lax.max(f([NaN, 1, 1, -2]), f([1, NaN, 0, 3])), lax.min(f([NaN, 1, 1, -2]), f([1, NaN, 0, 3]))]),
    expected: [NaN, NaN, 1, 3, NaN, NaN, 0, -2]
  },
  {
    name: "atan2 float32",
    run: () => lax.atan2(f([1, 1, -1, -1, 0, 0, 3]), f([1, -1, 1, -1, 1, -1, 0])),
    expected: oracle2([1, 1, -1, -1, 0, 0, 3], [1, -1, 1, -1, 1, -1, 0], Math.atan2)
  },
  {
    // lax.rem is C's fmod: the dividend's sign.
    name: "rem float32 (fmod)",
    run: () => lax.rem(f([5.5, -5.5, 5.5, -5.5, 7]), f([2, 2, -2, -2, 0])),
    expected: [1.5, -1.5, 1.5, -1.5, NaN]
  },
  {
    name: "comparisons float32 (NaN)",
    run: () =>
      np.stack([
        lax.eq(f([1, NaN, 2]), f([1, NaN, 3])),
        lax.ne(f([1, NaN, 2]), f([1, NaN, 3])),
        lax.lt(f([1, NaN, 2]), f([1, NaN, 3])),
        lax.le(f([1, NaN, 2]), f([1, NaN, 3])),
        lax.gt(f([1, NaN, 4]), f([1, NaN, 3])),
        lax.ge(f([1, NaN, 4]), f([1, NaN, 3]))
      ]),
    expected: [[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1], [1, 0, 1]]
  },
  {
    // C99 Annex F: pow's special cases.
    name: "pow special values",
    run: () =>
      lax.pow(
        f([-2, -0, -0, 0.5, 2, -1, -1, Infinity, -Infinity, -Infinity]),
        f([31, -1, 3, Infinity, -Infinity, Infinity, -Infinity, -2, 3, 2])
      ),
    expected: [-2147483648, -Infinity, -0, 0, 0, 1, 1, 0, -Infinity, Infinity]
  },
  {
    name: "rem special values (fmod)",
    run: () => lax.rem(f([-0, Infinity, 5, -5, 6]), f([1, 2, Infinity, Infinity, -4])),
    expected: [-0, NaN, 5, -5, 2]
  },
  {
    name: "atan2 at zeros and infinities",
    run: () =>
      lax.atan2(
        f([Infinity, -Infinity, 1, -0, 0, 0, -1, Infinity]),
        f([Infinity, -Infinity, -Infinity, -1, -0, 0, Infinity, 1])
      ),
    expected: [Math.PI / 4, -3 * Math.PI / 4, Math.PI, -Math.PI, Math.PI, 0, -0, Math.PI / 2]
  },
  {
    name: "float32 -> int32 near the int32 range",
    run: () => lax.convertElementType(f([2147483520, -2147483648, 2147483648, -0.9, Infinity, -Infinity]), "int32"),
    expected: [2147483520, -2147483648, 2147483647, 0, 2147483647, -2147483648]
  },
  {
    name: "select",
    run: () => lax.select(np.array([true, false, true]), f([1, 2, 3]), f([-1, -2, -3])),
    expected: [1, -2, 3]
  }
]

/** int32 arithmetic with XLA's rules (truncating division, x / 0 = -1, x % 0 = x). */
const elementwiseInt: ReadonlyArray<Case> = [
  { name: "add int32", run: () => lax.add(i32(I), i32(I)), expected: I.map((x) => 2 * x) },
  { name: "sub int32", run: () => lax.sub(i32(I), i32([1, 1, 1, 1, 1, 1, 1, 1])), expected: I.map((x) => x - 1) },
  { name: "mul int32 (wraps)", run: () => lax.mul(i32([3, -4, 65536]), i32([5, 6, 65536])), expected: [15, -24, 0] },
  {
    name: "div int32 (truncates; x / 0 = -1)",
    run: () => lax.div(i32([7, -7, 7, -7, 5]), i32([2, 2, -2, -2, 0])),
    expected: [3, -3, -3, 3, -1]
  },
  {
    name: "rem int32 (dividend's sign; x % 0 = x)",
    run: () => lax.rem(i32([7, -7, 7, -7, 5]), i32([2, 2, -2, -2, 0])),
    expected: [1, -1, 1, -1, 5]
  },
  {
    name: "max/min int32",
    run: () => np.stack([lax.max(i32(I), i32(I.map((x) => -x))), lax.min(i32(I), i32(I.map((x) => -x)))]),
    expected: [I.map((x) => Math.max(x, -x)), I.map((x) => Math.min(x, -x))]
  },
  {
    name: "neg/abs/sign int32",
    run: () => np.stack([lax.neg(i32(I)), lax.abs(i32(I)), lax.sign(i32(I))]),
    expected: [I.map((x) => -x), I.map(Math.abs), I.map(Math.sign)]
  },
  {
    name: "not/and/or int32 (bitwise)",
    run: () =>
      np.stack([
        lax.not(i32([0, 5, -1])),
        lax.and(i32([12, 7, -1]), i32([10, 2, 9])),
        lax.or(i32([12, 7, 0]), i32([10, 8, 0]))
      ]),
    expected: [[-1, -6, 0], [8, 2, 9], [14, 15, 0]]
  },
  {
    name: "comparisons int32",
    run: () => np.stack([lax.lt(i32([1, 2, 3]), i32([2, 2, 2])), lax.ge(i32([1, 2, 3]), i32([2, 2, 2]))]),
    expected: [[1, 0, 0], [0, 1, 1]]
  },
  { name: "integer_pow int32", run: () => lax.integerPow(i32([-3, 2, 5]), 3), expected: [-27, 8, 125] }
]

/** bool is logical. */
const elementwiseBool: ReadonlyArray<Case> = [
  {
    name: "and/or/not bool",
    run: () =>
      np.stack([
        lax.and(np.array(B), np.array([true, true, false, false])),
        lax.or(np.array(B), np.array([true, true, false, false])),
        lax.not(np.array(B))
      ]),
    expected: [[1, 0, 0, 0], [1, 1, 1, 0], [0, 1, 0, 1]]
  },
  {
    name: "eq/ne/lt bool",
    run: () =>
      np.stack([
        lax.eq(np.array(B), np.array([true, true, false, false])),
        lax.ne(np.array(B), np.array([true, true, false, false])),
        lax.lt(np.array(B), np.array([true, true, false, false]))
      ]),
    expected: [[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 0]]
  },
  {
    name: "select bool values",
    run: () => lax.select(np.array([true, false]), np.array([false, false]), np.array([true, true])),
    expected: [0, 1]
  }
]

/** complex64 lowers to real pairs (the same IR on both backends). */
const elementwiseComplex: ReadonlyArray<Case> = [
  {
    name: "mul complex64 ((1+2i)(3-i) = 5+5i)",
    run: () => lax.mul(np.array([cx(1, 2)]), np.array([cx(3, -1)])),
    expected: [cx(5, 5)]
  },
  {
    name: "div complex64 ((1+2i)/(3-i) = 0.1+0.7i)",
    run: () => lax.div(np.array([cx(1, 2)]), np.array([cx(3, -1)])),
    expected: [cx(0.1, 0.7)]
  },
  {
    name: "add/sub complex64",
    run: () =>
      np.stack([
        lax.add(np.array(C), np.array(C)),
        lax.sub(np.array(C), np.array([cx(1, 1), cx(1, 1), cx(1, 1), cx(1, 1)]))
      ]),
    expected: [C.map((z) => cx(2 * z.re, 2 * z.im)), C.map((z) => cx(z.re - 1, z.im - 1))]
  },
  {
    name: "exp complex64 (exp(i pi) = -1)",
    run: () => lax.exp(np.array([cx(0, Math.PI), cx(1, 0)])),
    expected: [cx(-1, 0), cx(Math.E, 0)],
    atol: 1e-6
  },
  {
    name: "log complex64 (log(-1) = i pi)",
    run: () => lax.log(np.array([cx(-1, 0), cx(0, 1)])),
    expected: [cx(0, Math.PI), cx(0, Math.PI / 2)]
  },
  {
    name: "sqrt complex64 (sqrt(-4) = 2i)",
    run: () => lax.sqrt(np.array([cx(-4, 0), cx(3, 4)])),
    expected: [cx(0, 2), cx(2, 1)]
  },
  { name: "abs complex64 (|3+4i| = 5)", run: () => lax.abs(np.array([cx(3, 4), cx(-5, 12)])), expected: [5, 13] },
  {
    name: "sin complex64",
    run: () => lax.sin(np.array([cx(1, 1)])),
    expected: [cx(Math.sin(1) * Math.cosh(1), Math.cos(1) * Math.sinh(1))]
  },
  {
    name: "conj/real/imag complex64",
    run: () => np.stack([lax.real(lax.conj(np.array(C))), lax.imag(lax.conj(np.array(C)))]),
    expected: [C.map((z) => z.re), C.map((z) => -z.im)]
  },
  { name: "complex from parts", run: () => lax.complex(f([1, -2]), f([0.5, 3])), expected: [cx(1, 0.5), cx(-2, 3)] },
  {
    name: "eq complex64",
    run: () => lax.eq(np.array(C), np.array([cx(1, 2), cx(-3, 0), cx(0, -1), cx(0, 0)])),
    expected: [1, 0, 1, 0]
  },
  {
    name: "tanh/cos/pow complex64",
    run: () =>
      np.concatenate([
        lax.tanh(np.array(C)),
        lax.cos(np.array(C)),
        lax.pow(np.array(C), np.array([cx(2, 0), cx(0.5, 0), cx(1, 1), cx(0, 0)]))
      ]),
    atol: 1e-5
  },
  {
    name: "sign complex64 (z / |z|)",
    run: () => lax.sign(np.array([cx(3, 4), cx(0, 0)])),
    expected: [cx(0.6, 0.8), cx(0, 0)]
  }
]

/** convert_element_type between every pair of WebGPU dtypes. */
const conversions: ReadonlyArray<Case> = [
  {
    name: "float32 -> int32 truncates toward zero, NaN -> 0",
    run: () => lax.convertElementType(f([-2.7, -0.5, 0.5, 2.7, NaN, 3e9, -3e9]), "int32"),
    expected: [-2, 0, 0, 2, 0, 2147483647, -2147483648]
  },
  {
    name: "float32 -> bool is x != 0 (NaN -> true)",
    run: () => lax.convertElementType(f([0, -0, 2, NaN]), "bool"),
    expected: [0, 0, 1, 1]
  },
  {
    name: "float32 -> complex64",
    run: () => lax.convertElementType(f([1.5, -2]), "complex64"),
    expected: [cx(1.5, 0), cx(-2, 0)]
  },
  { name: "int32 -> float32", run: () => lax.convertElementType(i32([-3, 0, 7]), "float32"), expected: [-3, 0, 7] },
  { name: "int32 -> bool", run: () => lax.convertElementType(i32([-3, 0, 7]), "bool"), expected: [1, 0, 1] },
  {
    name: "int32 -> complex64",
    run: () => lax.convertElementType(i32([-3, 7]), "complex64"),
    expected: [cx(-3, 0), cx(7, 0)]
  },
  {
    name: "bool -> float32/int32",
    run: () =>
      np.stack([
        lax.convertElementType(np.array(B), "float32"),
        lax.convertElementType(lax.convertElementType(np.array(B), "int32"), "float32")
      ]),
    expected: [[1, 0, 1, 0], [1, 0, 1, 0]]
  },
  {
    name: "complex64 -> float32 takes the real part",
    run: () => lax.convertElementType(np.array(C), "float32"),
    expected: C.map((z) => z.re)
  },
  { name: "np.astype float32 -> int32", run: () => np.astype(f([1.9, -1.9]), "int32"), expected: [1, -1] }
]

/** NumPy broadcasting and JAX's promotion (weak JS numbers keep the array's dtype). */
const broadcasting: ReadonlyArray<Case> = [
  {
    name: "add (2,3) + (3,)",
    run: () => np.add(np.array([[1, 2, 3], [4, 5, 6]]), np.array([10, 20, 30])),
    expected: [[11, 22, 33], [14, 25, 36]]
  },
  {
    name: "add (3,1) + (1,4)",
    run: () => np.add(np.array([[1], [2], [3]]), np.array([[10, 20, 30, 40]])),
    expected: [1, 2, 3].map((a) => [10, 20, 30, 40].map((b) => a + b))
  },
  { name: "int32 * weak float -> float32", run: () => np.multiply(i32([1, 2, 3]), 2.5), expected: [2.5, 5, 7.5] },
  { name: "float32 + int32 -> float32", run: () => np.add(f([1.5, 2]), i32([2, -1])), expected: [3.5, 1] },
  { name: "bool + int32 -> int32", run: () => np.add(np.array([true, false]), i32([1, 1])), expected: [2, 1] },
  { name: "int32 + weak int keeps int32", run: () => np.add(i32([1, 2]), 3), expected: [4, 5] },
  {
    name: "complex64 * float32 scalar",
    run: () => np.multiply(np.array(C), np.array(2)),
    expected: C.map((z) => cx(2 * z.re, 2 * z.im))
  },
  {
    name: "where with broadcasting",
    run: () => np.where(np.array([[true], [false]]), f([1, 2, 3]), 0),
    expected: [[1, 2, 3], [0, 0, 0]]
  },
  { name: "empty (0,3) + (3,)", run: () => np.add(np.zeros([0, 3]), f([1, 2, 3])), expected: [] }
]

const sumAxes = (axes: ReadonlyArray<number>, op: (a: number, b: number) => number, init: number) => {
  const shape = [2, 3, 4]
  const keptShape = shape.map((n, d) => (axes.includes(d) ? 1 : n))
  const out = new Array<number>(keptShape.reduce((a, b) => a * b, 1)).fill(init)
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 4; k++) {
        const idx = [i, j, k].map((v, d) => (axes.includes(d) ? 0 : v))
        const o = (idx[0]! * keptShape[1]! + idx[1]!) * keptShape[2]! + idx[2]!
        out[o] = op(out[o]!, at3(i, j, k))
      }
    }
  }
  return out
}

const LONG = 100_000
const longValues = Array.from({ length: LONG }, (_, k) => (k % 100) / 100)

/** Reductions, arg-reductions and scans. */
const reductions: ReadonlyArray<Case> = [
  { name: "sum axis 0 of (2,3,4)", run: () => np.sum(t3(), { axis: 0 }), expected: sumAxes([0], (a, b) => a + b, 0) },
  { name: "sum axis 2 of (2,3,4)", run: () => np.sum(t3(), { axis: 2 }), expected: sumAxes([2], (a, b) => a + b, 0) },
  {
    name: "sum axes (0,2) of (2,3,4) (not adjacent)",
    run: () => np.sum(t3(), { axis: [0, 2] }),
    expected: sumAxes([0, 2], (a, b) => a + b, 0)
  },
  { name: "sum of everything", run: () => np.sum(t3()), expected: 276 },
  { name: "max axis 1 of (2,3,4)", run: () => np.max(t3(), { axis: 1 }), expected: sumAxes([1], Math.max, -Infinity) },
  { name: "min axes (1,2) of (2,3,4)", run: () => np.min(t3(), { axis: [1, 2] }), expected: [0, 12] },
  { name: "prod float32", run: () => np.prod(f([1, 2, 3, 4, 0.5])), expected: 12 },
  { name: "max propagates NaN", run: () => np.max(f([1, NaN, 3])), expected: NaN },
  { name: "sum int32", run: () => np.sum(i32(I)), expected: 6 },
  {
    name: "max/min int32 axis",
    run: () =>
      np.stack([np.max(np.reshape(i32(I), [2, 4]), { axis: 1 }), np.min(np.reshape(i32(I), [2, 4]), { axis: 1 })]),
    expected: [[0, 9], [-7, 1]]
  },
  { name: "prod complex64 ((1+i)(1-i) = 2)", run: () => np.prod(np.array([cx(1, 1), cx(1, -1)])), expected: cx(2, 0) },
  { name: "sum complex64", run: () => np.sum(np.array(C)), expected: cx(0.5, -0.5) },
  {
    name: "any/all via max/min bool",
    run: () =>
      np.stack([
        lax.reduceMax(np.array([[true, false], [false, false]]), [1]),
        lax.reduceMin(np.array([[true, true], [false, true]]), [1])
      ]),
    expected: [[1, 0], [1, 0]]
  },
  {
    name: `sum of ${LONG} float32 (accuracy)`,
    run: () => np.sum(f(longValues)),
    expected: longValues.reduce((a, b) => a + f32(b), 0),
    rtol: 1e-6
  },
  {
    name: `sum of (${LONG / 100}, 100) rows`,
    run: () => np.sum(np.reshape(f(longValues), [LONG / 100, 100]), { axis: 1 }),
    expected: new Array(LONG / 100).fill(0).map(() => longValues.slice(0, 100).reduce((a, b) => a + f32(b), 0)),
    rtol: 1e-5
  },
  {
    name: "sum over axis 0 of (5000, 3)",
    run: () => np.sum(np.reshape(f(fill(15000)), [5000, 3]), { axis: 0 }),
    expected: [0, 1, 2].map((c) => fill(15000).filter((_, k) => k % 3 === c).reduce((a, b) => a + b, 0)),
    rtol: 1e-5,
    atol: 1e-3
  },
  { name: "sum of empty axis is 0", run: () => np.sum(np.zeros([0, 3]), { axis: 0 }), expected: [0, 0, 0] },
  {
    name: "mean axis 1",
    run: () => np.mean(np.reshape(f(fill(12)), [3, 4]), { axis: 1 }),
    expected: [0, 1, 2].map((r) => fill(12).slice(4 * r, 4 * r + 4).reduce((a, b) => a + b, 0) / 4)
  },
  { name: "argmax first occurrence", run: () => np.argmax(f([1, 3, 3, 2])), expected: 1 },
  { name: "argmax treats NaN as the maximum", run: () => np.argmax(f([1, NaN, 5, NaN])), expected: 1 },
  { name: "argmin axis 0 of (3,2)", run: () => np.argmin(f([[3, 1], [2, 5], [2, 0]]), { axis: 0 }), expected: [1, 2] },
  {
    name: "argmax of a long line (chunked search keeps the first maximum)",
    run: () => np.argmax(f(fill(5000))),
    expected: fill(5000).indexOf(Math.max(...fill(5000)))
  },
  {
    name: "argmax with NaN deep in a long line",
    run: () => np.argmax(f(fill(5000).map((v, k) => (k === 4000 || k === 4500 ? NaN : v)))),
    expected: 4000
  },
  {
    name: "argmin along axis 0 of (3000, 2)",
    run: () => np.argmin(np.reshape(i32(fill(6000).map((v, k) => (k === 4321 ? -99 : 4 * v))), [3000, 2]), { axis: 0 }),
    expected: [fill(6000).filter((_, k) => k % 2 === 0).map((v) => 4 * v).indexOf(-8), 2160]
  },
  { name: "argmax int32 axis 1", run: () => np.argmax(np.reshape(i32(I), [2, 4]), { axis: 1 }), expected: [3, 3] },
  { name: "cumsum", run: () => np.cumsum(f([1, 2, 3, 4])), expected: [1, 3, 6, 10] },
  { name: "cumsum reverse", run: () => lax.cumsum(f([1, 2, 3, 4]), 0, true), expected: [10, 9, 7, 4] },
  {
    name: "cumsum axis 0 of (3,2)",
    run: () => np.cumsum(f([[1, 2], [3, 4], [5, 6]]), { axis: 0 }),
    expected: [[1, 2], [4, 6], [9, 12]]
  },
  { name: "cumsum int32", run: () => np.cumsum(i32([5, -2, 7])), expected: [5, 3, 10] },
  {
    name: "cumsum of a long line (blocked scan)",
    run: () => np.cumsum(np.ones([5000])),
    expected: Array.from({ length: 5000 }, (_, k) => k + 1)
  },
  {
    name: "cumsum reverse of long rows along axis 1",
    run: () => lax.cumsum(np.reshape(i32(fill(2 * 3000).map((v) => 4 * v)), [2, 3000]), 1, true)
  },
  {
    name: "cumsum of 300000 elements (scan of chunk totals is itself blocked)",
    run: () => np.cumsum(np.ones([300_000])),
    expected: Array.from({ length: 300_000 }, (_, k) => k + 1)
  },
  { name: "cumsum complex64", run: () => np.cumsum(np.array([cx(1, 1), cx(2, -3)])), expected: [cx(1, 1), cx(3, -2)] },
  { name: "cumprod", run: () => lax.cumprod(f([1, 2, 3, 4])), expected: [1, 2, 6, 24] },
  { name: "cumprod reverse with a zero", run: () => lax.cumprod(f([2, 0, 3, -1]), 0, true), expected: [0, 0, -3, -1] },
  { name: "cumprod int32", run: () => lax.cumprod(i32([5, -2, 7])), expected: [5, -10, -70] },
  // (1 + 2i)(3 - i) = 5 + 5i
  {
    name: "cumprod complex64",
    run: () => lax.cumprod(np.array([cx(1, 2), cx(3, -1)])),
    expected: [cx(1, 2), cx(5, 5)]
  },
  {
    name: "cummax axis 1 of (2,4)",
    run: () => lax.cummax(f([[1, 3, 2, 5], [0, -1, 4, 2]]), 1),
    expected: [[1, 3, 3, 5], [0, 0, 4, 4]]
  },
  { name: "cummax propagates NaN", run: () => lax.cummax(f([1, NaN, 3])), expected: [1, NaN, NaN] },
  { name: "cummin reverse", run: () => lax.cummin(f([3, 1, 2]), 0, true), expected: [1, 1, 2] },
  { name: "cummin int32", run: () => lax.cummin(i32([4, 9, -3, 0])), expected: [4, 4, -3, -3] },
  { name: "cummax bool", run: () => lax.cummax(np.array([false, true, false])), expected: [false, true, true] },
  {
    name: "cumlogsumexp",
    run: () => lax.cumlogsumexp(f([0, 0, 1000, -Infinity])),
    expected: [0, Math.LN2, 1000, 1000],
    rtol: 1e-6
  },
  {
    name: "cumlogsumexp reverse of -inf",
    run: () => lax.cumlogsumexp(f([1, -Infinity, -Infinity]), 0, true),
    expected: [1, -Infinity, -Infinity]
  },
  {
    name: "cummax of a long line (blocked scan)",
    run: () => lax.cummax(f(fill(5000))),
    expected: fill(5000).map((_, k, a) => Math.max(...a.slice(0, k + 1)))
  },
  {
    name: "cumlogsumexp of a long line (blocked scan)",
    run: () => lax.cumlogsumexp(np.zeros([3000])),
    expected: Array.from({ length: 3000 }, (_, k) => Math.log(k + 1)),
    rtol: 2e-6
  }
]

/** Shape primitives (index mapping). */
const shapes: ReadonlyArray<Case> = [
  { name: "reshape (2,3,4) -> (4,6)", run: () => np.reshape(t3(), [4, 6]), expected: T },
  {
    name: "transpose (2,3,4) by (2,0,1)",
    run: () => np.transpose(t3(), { axes: [2, 0, 1] }),
    expected: Array.from(
      { length: 4 },
      (_, k) => Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => at3(i, j, k)))
    )
  },
  {
    name: "transpose complex64",
    run: () => np.transpose(np.array([[cx(1, 2), cx(3, 4)], [cx(5, 6), cx(7, 8)]])),
    expected: [[cx(1, 2), cx(5, 6)], [cx(3, 4), cx(7, 8)]]
  },
  {
    name: "broadcastTo (3,) -> (2,3)",
    run: () => np.broadcastTo(i32([1, 2, 3]), [2, 3]),
    expected: [[1, 2, 3], [1, 2, 3]]
  },
  {
    name: "broadcast_in_dim (2,) -> (2,3) along dim 0",
    run: () => lax.broadcastInDim(np.array([true, false]), [2, 3], [0]),
    expected: [[1, 1, 1], [0, 0, 0]]
  },
  {
    name: "squeeze and expandDims",
    run: () => np.expandDims(np.squeeze(np.reshape(f([1, 2, 3]), [1, 3, 1])), 0),
    expected: [[1, 2, 3]]
  },
  {
    name: "flip axis 1",
    run: () => np.flip(t3(), { axis: 1 }),
    expected: reshape(
      Array.from({ length: 24 }, (_, n) => at3(Math.floor(n / 12), 2 - (Math.floor(n / 4) % 3), n % 4)),
      [2, 3, 4]
    )
  },
  { name: "rev all axes", run: () => np.flip(f([[1, 2], [3, 4]])), expected: [[4, 3], [2, 1]] },
  {
    name: "slice with strides",
    run: () => lax.slice(np.reshape(np.arange(20), [4, 5]), [1, 0], [4, 5], [2, 2]),
    expected: [[5, 7, 9], [15, 17, 19]]
  },
  { name: "slice complex64", run: () => lax.slice(np.array(C), [1], [3]), expected: [C[1], C[2]] },
  {
    // A multi-output primitive: every piece, an empty one included, recombined in another order.
    name: "split along axis 1",
    run: () => {
      const [a, b, c] = lax.split(np.reshape(np.arange(20), [4, 5]), [1, 0, 4], 1)
      return np.concatenate([c!, b!, a!], { axis: 1 })
    },
    expected: [[1, 2, 3, 4, 0], [6, 7, 8, 9, 5], [11, 12, 13, 14, 10], [16, 17, 18, 19, 15]]
  },
  {
    name: "split complex64",
    run: () => {
      const [a, b] = lax.split(np.array(C), [3, 1], 0)
      return np.concatenate([b!, a!])
    },
    expected: [C[3], C[0], C[1], C[2]]
  },
  {
    name: "pad with interior and negative high",
    run: () => lax.pad(f([1, 2, 3]), np.array(0), [[1, -1, 1]]),
    expected: [0, 1, 0, 2, 0]
  },
  {
    name: "pad with negative low",
    run: () => lax.pad(f([1, 2, 3, 4]), np.array(9), [[-2, 1, 0]]),
    expected: [3, 4, 9]
  },
  {
    name: "np.pad 2-D",
    run: () => np.pad(np.reshape(i32([1, 2, 3, 4]), [2, 2]), 1, { constantValues: 7 }),
    expected: [[7, 7, 7, 7], [7, 1, 2, 7], [7, 3, 4, 7], [7, 7, 7, 7]]
  },
  {
    name: "concatenate axis 1",
    run: () => np.concatenate([f([[1], [2]]), f([[3, 4], [5, 6]]), f([[7, 8, 9], [10, 11, 12]])], { axis: 1 }),
    expected: [[1, 3, 4, 7, 8, 9], [2, 5, 6, 10, 11, 12]]
  },
  {
    name: "concatenate bool axis 0",
    run: () => np.concatenate([np.array([true]), np.array([false, true])]),
    expected: [1, 0, 1]
  },
  { name: "take", run: () => np.take(f([10, 20, 30, 40]), [3, 0, 0, 2]), expected: [40, 10, 10, 30] },
  {
    name: "take axis 1 of (2,3)",
    run: () => np.take(f([[1, 2, 3], [4, 5, 6]]), [2, 0], { axis: 1 }),
    expected: [[3, 1], [6, 4]]
  },
  {
    name: "gather clamps out-of-range indices",
    run: () => lax.gather(f([10, 20, 30]), i32([5, -3, 1]), 0),
    expected: [30, 10, 20]
  },
  {
    name: "gather complex64 with 2-D indices",
    run: () => lax.gather(np.array(C), i32([[3, 0], [1, 1]]), 0),
    expected: [[C[3], C[0]], [C[1], C[1]]]
  },
  {
    name: "dynamic_slice with traced starts clamps (-1 -> 1, 3 -> 1)",
    run: () => lax.dynamicSlice(f([[1, 2, 3], [4, 5, 6]]), [i32(-1), i32(3)], [1, 2]),
    expected: [[5, 6]]
  },
  {
    name: "dynamic_update_slice with a traced start",
    run: () => lax.dynamicUpdateSlice(f([[0, 0, 0], [0, 0, 0]]), f([[7, 8]]), [i32(1), i32(1)]),
    expected: [[0, 0, 0], [0, 7, 8]]
  },
  {
    name: "scatter set: the last of repeated indices wins",
    run: () => lax.scatter(f([0, 0, 0, 0]), i32([0, 2, 0, 9]), f([1, 2, 3, 4]), 0, "set"),
    expected: [3, 0, 2, 4]
  },
  {
    name: "scatter mul/min/max along axis 1, float32 and int32",
    run: () => lax.scatter(f([[1, 2, 3], [4, 5, 6]]), i32([2, 2]), f([[2, 3], [-1, 0.5]]), 1, "mul"),
    expected: [[1, 2, 18], [4, 5, -3]]
  },
  {
    name: "scatter min propagates NaN",
    run: () => lax.scatter(f([1, 5, 3]), i32([1, 1, 2]), f([2, 7, NaN]), 0, "min"),
    expected: [1, 2, NaN]
  },
  {
    name: "scatter mul complex64: complex products, repeated indices in order",
    // (1+2i)(3-i) = 5+5i, then (5+5i)i = -5+5i; 2i(1+i) = -2+2i
    run: () =>
      lax.scatter(
        np.array([cx(1, 2), cx(1, 0), cx(0, 2)]),
        i32([0, 0, 2]),
        np.array([cx(3, -1), cx(0, 1), cx(1, 1)]),
        0,
        "mul"
      ),
    expected: [cx(-5, 5), cx(1, 0), cx(-2, 2)]
  },
  {
    name: "scatter max int32",
    run: () => lax.scatter(i32([1, 5, 3]), i32([0, 0, 2]), i32([4, -2, 9]), 0, "max"),
    expected: [4, 5, 9]
  },
  {
    name: "np.at: set a column, add at repeated indices, read with fill",
    run: () => np.at(np.at(f([[1, 2], [3, 4]]), ":", 0).set(f([7, 8])), [1, 1]).add(1),
    expected: [[7, 2], [10, 6]]
  },
  {
    name: "scatter_add adds repeated indices",
    run: () => lax.scatterAdd(f([0, 0, 0, 0]), i32([0, 2, 0, 3]), f([1, 2, 3, 4]), 0),
    expected: [4, 0, 2, 4]
  },
  {
    name: "scatter_add axis 1 of (2,3)",
    run: () => lax.scatterAdd(f([[1, 1, 1], [2, 2, 2]]), i32([2, 2]), f([[1, 2], [3, 4]]), 1),
    expected: [[1, 1, 4], [2, 2, 9]]
  },
  {
    name: "scatter_add int32",
    run: () => lax.scatterAdd(i32([1, 2]), i32([1, 1, 0]), i32([5, 6, 7]), 0),
    expected: [8, 13]
  },
  {
    name: "scatter_add with 100000 indices (atomic adds)",
    run: () =>
      lax.scatterAdd(
        f(new Array(100).fill(0)),
        i32(Array.from({ length: 100_000 }, (_, k) => k % 100)),
        f(new Array(100_000).fill(1)),
        0
      ),
    expected: new Array(100).fill(1000)
  },
  {
    name: "scatter_add axis 1 with 30000 indices, out-of-range clamped",
    run: () =>
      lax.scatterAdd(
        np.reshape(f(fill(200)), [4, 50]),
        i32(Array.from({ length: 30_000 }, (_, k) => ((k * 7) % 60) - 5)),
        np.reshape(f(fill(120_000, 3)), [4, 30_000]),
        1
      )
  },
  {
    name: "scatter_add int32 with many indices (atomic adds)",
    run: () =>
      lax.scatterAdd(
        i32(Array.from({ length: 1000 }, (_, k) => k)),
        i32(Array.from({ length: 5000 }, (_, k) => (k * 13) % 1000)),
        i32(Array.from({ length: 5000 }, (_, k) => (k % 7) - 3)),
        0
      )
  },
  {
    name: "scatter_add complex64 with many indices (atomic adds per lane)",
    run: () =>
      lax.scatterAdd(
        np.array(Array.from({ length: 1000 }, (_, k) => cx(k, -k))),
        i32(Array.from({ length: 5000 }, (_, k) => k % 1000)),
        np.array(Array.from({ length: 5000 }, (_, k) => cx(0.5, (k % 4) * 0.25))),
        0
      ),
    expected: Array.from(
      { length: 1000 },
      (_, k) => cx(k + 2.5, -k + [0, 1, 2, 3, 0].reduce((acc, _v, r) => acc + (((k + 1000 * r) % 4) * 0.25), 0))
    )
  },
  { name: "iota int32 dimension 1", run: () => lax.iota("int32", [2, 3], 1), expected: [[0, 1, 2], [0, 1, 2]] },
  { name: "iota float32 dimension 0", run: () => lax.iota("float32", [3, 2], 0), expected: [[0, 0], [1, 1], [2, 2]] },
  { name: "stop_gradient is the identity", run: () => lax.stopGradient(f([1, -2])), expected: [1, -2] }
]

const A = fill(37 * 19, 1)
const Bm = fill(19 * 23, 5)

/** dot_general: matmul shapes, transposed and batched operands, other dtypes. */
const dots: ReadonlyArray<Case> = [
  {
    name: "matmul (37,19) x (19,23)",
    run: () => np.matmul(np.reshape(f(A), [37, 19]), np.reshape(f(Bm), [19, 23])),
    expected: matmulOracle(A, Bm, 37, 19, 23),
    rtol: 1e-5,
    atol: 1e-4
  },
  {
    name: "matmul with a transposed rhs (x @ w.T)",
    run: () => np.matmul(np.reshape(f(A), [37, 19]), np.transpose(np.transpose(np.reshape(f(Bm), [19, 23])))),
    expected: matmulOracle(A, Bm, 37, 19, 23),
    rtol: 1e-5,
    atol: 1e-4
  },
  {
    name: "dot_general contracting lhs dim 0 (x.T @ y)",
    run: () => lax.dotGeneral(np.reshape(f(A.slice(0, 19 * 37)), [19, 37]), np.reshape(f(Bm), [19, 23]), [[0], [0]]),
    expected: matmulOracle(
      Array.from({ length: 37 * 19 }, (_, n) => A[(n % 19) * 37 + Math.floor(n / 19)]!),
      Bm,
      37,
      19,
      23
    ),
    rtol: 1e-5,
    atol: 1e-4
  },
  {
    name: "batched matmul (3,4,5) x (3,5,2)",
    run: () => np.matmul(np.reshape(f(fill(60, 2)), [3, 4, 5]), np.reshape(f(fill(30, 3)), [3, 5, 2])),
    expected: [0, 1, 2].flatMap((b) =>
      matmulOracle(fill(60, 2).slice(b * 20, b * 20 + 20), fill(30, 3).slice(b * 10, b * 10 + 10), 4, 5, 2)
    )
  },
  {
    name: "dot_general with batch dims last (not canonical)",
    run: () =>
      lax.dotGeneral(np.reshape(f(fill(24)), [4, 3, 2]), np.reshape(f(fill(12, 4)), [3, 2, 2]), [[1], [0]], [[2], [2]]),
    expected: [0, 1].flatMap((b) =>
      matmulOracle(
        Array.from({ length: 12 }, (_, n) => fill(24)[(Math.floor(n / 3) * 3 + (n % 3)) * 2 + b]!),
        Array.from({ length: 6 }, (_, n) => fill(12, 4)[(Math.floor(n / 2) * 2 + (n % 2)) * 2 + b]!),
        4,
        3,
        2
      )
    )
  },
  {
    name: "matvec",
    run: () => np.matmul(np.reshape(f(A), [37, 19]), f(fill(19, 7))),
    expected: matmulOracle(A, fill(19, 7), 37, 19, 1),
    atol: 1e-4
  },
  { name: "vector dot", run: () => np.dot(f([1, 2, 3]), f([4, -5, 6])), expected: 12 },
  { name: "tensordot over two axes", run: () => np.tensordot(t3(), np.ones([3, 4]), { axes: 2 }), expected: [66, 210] },
  { name: "outer product", run: () => np.outer(f([1, 2]), f([3, 4, 5])), expected: [[3, 4, 5], [6, 8, 10]] },
  {
    name: "matmul int32",
    run: () => np.matmul(np.reshape(i32([1, 2, 3, 4]), [2, 2]), np.reshape(i32([5, 6, 7, 8]), [2, 2])),
    expected: [[19, 22], [43, 50]]
  },
  {
    name: "matmul complex64",
    run: () => np.matmul(np.array([[cx(1, 1), cx(0, 2)]]), np.array([[cx(1, 0)], [cx(0, -1)]])),
    expected: [[cx(3, 1)]]
  },
  {
    name: "einsum ij,kj->ik",
    run: () => np.einsum("ij,kj->ik", f([[1, 2], [3, 4]]), f([[1, 0], [0, 1], [1, 1]])),
    expected: [[1, 2, 3], [3, 4, 7]]
  },
  {
    name: "matmul with an empty contraction",
    run: () => np.matmul(np.zeros([2, 0]), np.zeros([0, 3])),
    expected: [[0, 0, 0], [0, 0, 0]]
  }
]

/** Every case, by group. */
export const groups: ReadonlyArray<readonly [string, ReadonlyArray<Case>]> = [
  ["elementwise float32", elementwiseFloat],
  ["elementwise int32", elementwiseInt],
  ["elementwise bool", elementwiseBool],
  ["elementwise complex64", elementwiseComplex],
  ["convert_element_type", conversions],
  ["broadcasting and promotion", broadcasting],
  ["reductions", reductions],
  ["shape ops", shapes],
  ["dot_general", dots],
  ["convolution", convolutionCases],
  ["windowed reductions", windowCases],
  ["bit-level functions", bitCases],
  ["transformations", transformCases],
  ["control flow", controlFlowCases],
  ["uint32, bitwise and random", uint32Cases],
  ["sorting and order statistics", sortingCases],
  ["linear algebra", linalgCases],
  ["np compositions", numpyCases],
  ["special functions", specialCases],
  ["np.fft", fftCases],
  ["lax.fft", fftPrimitiveCases]
]
