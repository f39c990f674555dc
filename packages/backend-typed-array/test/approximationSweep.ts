/**
 * Measures the float32 decompositions of core's Approximation in ulps against
 * float64: each function's lowering, decomposed as the WebGPU backend does,
 * compiled with float32 rounding after every operation (IEEE float32
 * arithmetic), run over a sweep of float32 inputs, and compared with a float64
 * reference. Shared by the test that asserts the bounds (approximations.test.ts)
 * and the script that writes the table of docs/numerics.md
 * (scripts/measureApproximations.ts), which sweeps more densely.
 */
import { Approximation, DType, Kernel } from "@diffect/core"
import type { ElementwisePrimitive } from "@diffect/core"
import { lowerElementwise } from "@diffect/core/Lowering"
import { compileElementwise } from "../src/internal/codegen.js"

const f32 = Math.fround

/** The binary exponent of a finite nonzero float (`2^e <= |x| < 2^(e+1)`). */
const exponentOf = (x: number): number => {
  const a = Math.abs(x)
  const e = Math.floor(Math.log2(a))
  return 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e
}

/** One float32 ulp at `v` (subnormal spacing below the normal range). */
export const ulpOf = (v: number): number => {
  const a = Math.abs(f32(v))
  if (a === 0 || a < 2 ** -126) return 2 ** -149
  if (a === Infinity) return 2 ** (127 - 23)
  return 2 ** (exponentOf(a) - 23)
}

/**
 * The error of `got` (a float32 result) against the exact value `want`, in
 * float32 ulps of `want`; 0 when both are the same NaN or infinity, Infinity
 * when only one is non-finite.
 */
export const ulpError = (got: number, want: number): number => {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity
  const w = f32(want)
  if (!Number.isFinite(w) || !Number.isFinite(got)) return got === w ? 0 : Infinity
  return Math.abs(got - want) / ulpOf(want)
}

/** A function of float32 inputs to measure. */
export interface Subject {
  readonly name: string
  readonly primitive: ElementwisePrimitive
  readonly arity: 1 | 2
  /** The float64 reference on the (float32) inputs. */
  readonly reference: (x: number, y: number) => number
  /** Where the documented bound holds: inputs with `domain(x, y)`. */
  readonly domain: (x: number, y: number) => boolean
  readonly domainText: string
  /** The documented bound (ulps) over the domain. */
  readonly bound: number
  /** The main range, sampled densely. */
  readonly dense: readonly [number, number]
}

// erf's float64 reference: the typed-array lowering (Cody's rational
// approximations, about 1e-16 relative) evaluated in float64.
const erf64 = (() => {
  const { loop } = compileElementwise(lowerElementwise("erf", ["float64"], "float64", {}), [1])
  const out = new Float64Array(1)
  const input = new Float64Array(1)
  return (x: number): number => {
    input[0] = x
    loop(out, [input], 1)
    return out[0]!
  }
})()

const logistic64 = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
// C's pow: 1 ** y = 1 and (-1) ** ±inf = 1, where JS gives NaN.
const pow64 = (x: number, y: number): number =>
  x === 1 || (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) ? 1 : x ** y

const all = () => true
const within = (r: number) => (x: number) => Math.abs(x) <= r

/** The functions, their references, domains and documented bounds (docs/numerics.md). */
export const subjects: ReadonlyArray<Subject> = [
  {
    name: "exp",
    primitive: "exp",
    arity: 1,
    reference: Math.exp,
    domain: all,
    domainText: "all float32",
    bound: 1,
    dense: [-104, 89]
  },
  {
    name: "expm1",
    primitive: "expm1",
    arity: 1,
    reference: Math.expm1,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-20, 89]
  },
  {
    name: "log",
    primitive: "log",
    arity: 1,
    reference: Math.log,
    domain: all,
    domainText: "all float32",
    bound: 1,
    dense: [0, 4]
  },
  {
    name: "log1p",
    primitive: "log1p",
    arity: 1,
    reference: Math.log1p,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-1, 4]
  },
  {
    name: "sin",
    primitive: "sin",
    arity: 1,
    reference: Math.sin,
    domain: within(8192),
    domainText: "abs(x) <= 8192",
    bound: 1,
    dense: [-10, 10]
  },
  {
    name: "cos",
    primitive: "cos",
    arity: 1,
    reference: Math.cos,
    domain: within(8192),
    domainText: "abs(x) <= 8192",
    bound: 1,
    dense: [-10, 10]
  },
  {
    name: "tan",
    primitive: "tan",
    arity: 1,
    reference: Math.tan,
    domain: within(8192),
    domainText: "abs(x) <= 8192",
    bound: 2.5,
    dense: [-10, 10]
  },
  {
    name: "atan",
    primitive: "atan",
    arity: 1,
    reference: Math.atan,
    domain: all,
    domainText: "all float32",
    bound: 2.1,
    dense: [-4, 4]
  },
  {
    name: "asin",
    primitive: "asin",
    arity: 1,
    reference: Math.asin,
    domain: all,
    domainText: "all float32",
    bound: 3.1,
    dense: [-1, 1]
  },
  {
    name: "acos",
    primitive: "acos",
    arity: 1,
    reference: Math.acos,
    domain: all,
    domainText: "all float32",
    bound: 3,
    dense: [-1, 1]
  },
  {
    name: "sinh",
    primitive: "sinh",
    arity: 1,
    reference: Math.sinh,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-90, 90]
  },
  {
    name: "cosh",
    primitive: "cosh",
    arity: 1,
    reference: Math.cosh,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-90, 90]
  },
  {
    name: "tanh",
    primitive: "tanh",
    arity: 1,
    reference: Math.tanh,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-10, 10]
  },
  {
    name: "logistic",
    primitive: "logistic",
    arity: 1,
    reference: logistic64,
    domain: all,
    domainText: "all float32",
    bound: 2,
    dense: [-20, 20]
  },
  {
    name: "erf",
    primitive: "erf",
    arity: 1,
    reference: erf64,
    domain: all,
    domainText: "all float32",
    bound: 4.2,
    dense: [-5, 5]
  },
  {
    name: "atan2",
    primitive: "atan2",
    arity: 2,
    reference: Math.atan2,
    domain: all,
    domainText: "all float32 pairs",
    bound: 2.5,
    dense: [-10, 10]
  },
  {
    name: "pow",
    primitive: "pow",
    arity: 2,
    reference: pow64,
    domain: all,
    domainText: "all float32 pairs",
    bound: 96,
    dense: [0, 10]
  }
]

/** A deterministic float32 generator (xorshift). */
const generator = (seed: number) => {
  let s = seed >>> 0 || 1
  return (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return s >>> 0
  }
}

const fromBits = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!

/** Float32 values that every sweep includes. */
export const specials: ReadonlyArray<number> = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  2 ** -149,
  -(2 ** -149),
  fromBits(0x007fffff),
  -fromBits(0x007fffff),
  2 ** -126,
  -(2 ** -126),
  fromBits(0x7f7fffff),
  -fromBits(0x7f7fffff),
  1,
  -1
]

/**
 * Sweep inputs: one float32 bit pattern from every block of `2^stride` (at a
 * pseudo-random place in the block, so mantissas vary), `dense` uniform
 * samples of `range`, and the specials.
 */
export const sweep = (stride: number, dense: number, range: readonly [number, number], seed = 1): Float32Array => {
  const next = generator(seed)
  const blocks = 2 ** (32 - stride)
  const out = new Float32Array(blocks + dense + specials.length)
  const bits = new Uint32Array(out.buffer, 0, blocks)
  for (let i = 0; i < blocks; i++) bits[i] = (i * 2 ** stride + (next() % 2 ** stride)) >>> 0
  for (let i = 0; i < dense; i++) out[blocks + i] = range[0] + ((range[1] - range[0]) * (next() / 2 ** 32))
  out.set(specials, blocks + dense)
  return out
}

/** The decomposed float32 loop of a subject (what the WebGPU backend runs). */
export const decomposedLoop = (s: Subject, support: Approximation.Support = Approximation.allDecomposed) => {
  const ins = s.arity === 1 ? (["float32"] as const) : (["float32", "float32"] as const)
  const lanes = lowerElementwise(s.primitive, ins, "float32", {} as never)
  return compileElementwise(lanes, ins.map(DType.lanes), {
    float32: "strict",
    transcendentals: support
  }).loop
}

/** The largest error over the domain, where it occurs, and the largest outside it. */
export interface Measurement {
  readonly maxUlp: number
  readonly worstInput: ReadonlyArray<number>
  readonly outsideMaxUlp: number
  readonly outsideMaxAbs: number
  readonly count: number
}

/**
 * Measures a subject: unary ones over `xs`; binary ones over pairs of `xs`
 * with `ys` (same length).
 */
export const measure = (
  s: Subject,
  xs: Float32Array,
  ys?: Float32Array,
  support: Approximation.Support = Approximation.allDecomposed
): Measurement => {
  const loop = decomposedLoop(s, support)
  const out = new Float32Array(xs.length)
  loop(out, s.arity === 1 ? [xs] : [xs, ys!], xs.length)
  let maxUlp = 0
  let worstInput: ReadonlyArray<number> = []
  let outsideMaxUlp = 0
  let outsideMaxAbs = 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!
    const y = ys?.[i] ?? 0
    const want = s.reference(x, y)
    const err = ulpError(out[i]!, want)
    if (s.domain(x, y)) {
      if (err > maxUlp) {
        maxUlp = err
        worstInput = s.arity === 1 ? [x] : [x, y]
      }
    } else {
      outsideMaxUlp = Math.max(outsideMaxUlp, err)
      const abs = Math.abs(out[i]! - want)
      if (!Number.isNaN(abs)) outsideMaxAbs = Math.max(outsideMaxAbs, abs)
    }
  }
  return { maxUlp, worstInput, outsideMaxUlp, outsideMaxAbs, count: xs.length }
}

/** `Kernel` is re-exported so scripts can print the IR of a decomposition. */
export { Kernel }
