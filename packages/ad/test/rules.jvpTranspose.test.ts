/**
 * Every primitive's JVP rule against central finite differences in float64, and
 * every transpose rule against the JVP (`<ct, jvp(t)> = <vjp(ct, []), t>`), at random
 * points of each primitive's domain (fast-check).
 *
 * Complex values are treated as R^2: finite differences move along a complex
 * direction, and the pairing of a cotangent with a tangent is `Re(sum(ct * t))`
 * (no conjugation): JAX's convention, under which transposition is the plain
 * transpose (see rules/transpose.ts).
 */
import { aval, bind1, ConcreteTensor, DType, lax, np, special } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { values } from "./finiteDifferencesUtil.js"

type Dt = "float64" | "complex128" | "int32" | "bool"

interface Operand {
  readonly shape: ReadonlyArray<number>
  readonly dtype?: Dt
  /** Range of each (real) storage value. */
  readonly min?: number
  readonly max?: number
  /** Points to stay away from (kinks, poles). */
  readonly avoid?: (v: number) => boolean
  /** Elements pairwise apart (no ties for reduce_max / reduce_min). */
  readonly unique?: boolean
  /** Fixed values (int indices, predicates). */
  readonly fixed?: ReadonlyArray<number>
}

interface Case {
  readonly name: string
  readonly operands: ReadonlyArray<Operand>
  readonly f: (xs: ReadonlyArray<Tensor>) => Tensor
}

const sizeOf = (shape: ReadonlyArray<number>) => shape.reduce((a, b) => a * b, 1)
const dtypeOf = (o: Operand): Dt => o.dtype ?? "float64"
const isDiff = (o: Operand) => dtypeOf(o) === "float64" || dtypeOf(o) === "complex128"
const storageLength = (o: Operand) => sizeOf(o.shape) * (dtypeOf(o) === "complex128" ? 2 : 1)

const make = (data: ReadonlyArray<number>, shape: ReadonlyArray<number>, dtype: DType.DType): Tensor => {
  const host = DType.allocHost(dtype, sizeOf(shape))
  data.forEach((v, i) => (host[i] = v))
  return new ConcreteTensor(aval(shape, dtype), host, undefined)
}

const float0 = (shape: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval(shape, "float0"), new Uint8Array(0), undefined)

const valuesArb = (o: Operand): fc.Arbitrary<Array<number>> => {
  if (o.fixed !== undefined) return fc.constant([...o.fixed])
  const n = storageLength(o)
  const lo = o.min ?? -2
  const hi = o.max ?? 2
  const avoid = o.avoid
  const d = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })
  if (o.unique === true) {
    // Distinct multiples of 1e-3: elements at least 1e-3 apart.
    const k = fc.integer({ min: Math.ceil(lo * 1000), max: Math.floor(hi * 1000) })
    return fc.uniqueArray(k, { minLength: n, maxLength: n }).map((is) => is.map((i) => i / 1000))
  }
  return fc.array(avoid === undefined ? d : d.filter((v) => !avoid(v)), { minLength: n, maxLength: n })
}

const directionArb = (o: Operand): fc.Arbitrary<Array<number>> => {
  const n = storageLength(o)
  return fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n })
}

// Re(sum(a * b)) over interleaved storage: complex pairs multiply without conjugation.
const pairing = (a: Tensor, b: Tensor): number => {
  const x = values(a)
  const y = values(b)
  let s = 0
  if (DType.isComplex(a.dtype) || DType.isComplex(b.dtype)) {
    for (let i = 0; i < x.length; i += 2) s += x[i]! * y[i]! - x[i + 1]! * y[i + 1]!
  } else for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!
  return s
}

// Within tol * (1 + |expected|); a NaN is never close (a finite difference must be finite).
const closeTo = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, tol: number): boolean =>
  Close.mismatch(actual, expected, { rtol: tol, atol: tol, equalNan: false }) === undefined

const H = 1e-6

const checkCase = (c: Case) => {
  const arb = fc.tuple(
    fc.tuple(...c.operands.map(valuesArb)),
    fc.tuple(...c.operands.map(directionArb))
  )
  return fc.check(
    fc.property(arb, ([xs, ts]) => {
      const primals = c.operands.map((o, i) => make(xs[i]!, o.shape, dtypeOf(o)))
      const tangents = c.operands.map((o, i) => isDiff(o) ? make(ts[i]!, o.shape, dtypeOf(o)) : float0(o.shape))
      const f = (args: ReadonlyArray<Tensor>) => [c.f(args)]
      const [[y], [ty]] = jvpFlat(f, primals, tangents)
      if (!DType.isInexact(y!.dtype)) {
        // int/bool outputs: the tangent is a float0 zero
        if (ty!.dtype !== "float0") throw new Error(`expected a float0 tangent, got ${ty!.dtype}`)
        return
      }
      // JVP against central differences along the tangent direction.
      const shifted = (sign: number) =>
        c.operands.map((o, i) =>
          isDiff(o)
            ? make(xs[i]!.map((v, j) => v + sign * H * ts[i]![j]!), o.shape, dtypeOf(o))
            : primals[i]!
        )
      const plus = values(c.f(shifted(1)))
      const minus = values(c.f(shifted(-1)))
      const fd = plus.map((p, j) => (p - minus[j]!) / (2 * H))
      const jvpValues = values(ty!)
      if (!closeTo(jvpValues, fd, 1e-5)) {
        throw new Error(`${c.name}: jvp ${jvpValues} vs finite differences ${fd} at ${JSON.stringify(xs)}`)
      }
      // Transpose against JVP: <ct, jvp(t)> = sum_i <vjp(ct, [])_i, t_i>.
      const ctData = jvpValues.map((_, j) => Math.sin(7 * j + 1.3) * 0.9)
      const ct = make(ctData, y!.shape, y!.dtype)
      const [, vjpFn] = vjpFlat(f, primals)
      const cts = vjpFn([ct])
      let rhs = 0
      c.operands.forEach((o, i) => {
        const g = cts[i]!
        if (!isDiff(o)) {
          if (g.dtype !== "float0") throw new Error(`${c.name}: cotangent of int operand ${i} is ${g.dtype}`)
          return
        }
        if (g.dtype !== dtypeOf(o)) throw new Error(`${c.name}: cotangent ${i} has dtype ${g.dtype}`)
        rhs += pairing(g, tangents[i]!)
      })
      const lhs = pairing(ct, ty!)
      if (Math.abs(lhs - rhs) > 1e-9 * (1 + Math.abs(lhs))) {
        throw new Error(`${c.name}: <ct, jvp(t)> = ${lhs} but <vjp(ct, []), t> = ${rhs}`)
      }
    }),
    { numRuns: 12 }
  )
}

/**
 * Second order on the same cases: the gradient `g(x) = vjp(f, [])(x)(ct)` is
 * differentiated forwards (forward over reverse) and checked against finite
 * differences of `g`, and backwards (reverse over reverse) against that JVP. This
 * runs the JVP rules of every transpose rule's output, and the transposes of
 * those.
 */
const checkSecondOrder = (c: Case) => {
  const arb = fc.tuple(
    fc.tuple(...c.operands.map(valuesArb)),
    fc.tuple(...c.operands.map(directionArb))
  )
  const diff = c.operands.map((o, i) => (isDiff(o) ? i : -1)).filter((i) => i >= 0)
  return fc.check(
    fc.property(arb, ([xs, ts]) => {
      const primals = c.operands.map((o, i) => make(xs[i]!, o.shape, dtypeOf(o)))
      const tangents = c.operands.map((o, i) => isDiff(o) ? make(ts[i]!, o.shape, dtypeOf(o)) : float0(o.shape))
      const y = c.f(primals)
      if (!DType.isInexact(y.dtype)) return
      const ctData = values(y).map((_, j) => Math.cos(5 * j + 0.4))
      const ct = make(ctData, y.shape, y.dtype)
      const g = (args: ReadonlyArray<Tensor>): Array<Tensor> => {
        const [, vjpFn] = vjpFlat((a) => [c.f(a)], args)
        const cts = vjpFn([ct])
        return diff.map((i) => cts[i]!)
      }
      const [, tg] = jvpFlat(g, primals, tangents)
      const shifted = (sign: number) =>
        c.operands.map((o, i) =>
          isDiff(o) ? make(xs[i]!.map((v, j) => v + sign * H * ts[i]![j]!), o.shape, dtypeOf(o)) : primals[i]!
        )
      const plus = g(shifted(1)).map(values)
      const minus = g(shifted(-1)).map(values)
      tg.forEach((t, k) => {
        const fd = plus[k]!.map((p, j) => (p - minus[k]![j]!) / (2 * H))
        if (!closeTo(values(t), fd, 1e-5)) {
          throw new Error(`${c.name}: forward over reverse ${values(t)} vs finite differences ${fd}`)
        }
      })
      // Reverse over reverse against forward over reverse.
      const ct2 = tg.map((t) => make(values(t).map((_, j) => Math.sin(3 * j + 0.2)), t.shape, t.dtype))
      const [, vjpG] = vjpFlat(g, primals)
      const back = vjpG(ct2)
      let lhs = 0
      tg.forEach((t, k) => (lhs += pairing(ct2[k]!, t)))
      let rhs = 0
      diff.forEach((i) => (rhs += pairing(back[i]!, tangents[i]!)))
      if (Math.abs(lhs - rhs) > 1e-8 * (1 + Math.abs(lhs))) {
        throw new Error(`${c.name}: reverse over reverse ${rhs} vs forward over reverse ${lhs}`)
      }
    }),
    { numRuns: 6 }
  )
}

const v = (shape: ReadonlyArray<number>, extra: Partial<Operand> = {}): Operand => ({ shape, ...extra })
const cv = (shape: ReadonlyArray<number>, extra: Partial<Operand> = {}): Operand => ({
  shape,
  dtype: "complex128",
  ...extra
})
const nearInteger = (d: number) => (x: number) => Math.abs(x - Math.round(x)) < d
const nearHalf = (x: number) => Math.abs(x - Math.round(x)) > 0.45
const nearZero = (d: number) => (x: number) => Math.abs(x) < d

// Away from ties, where max/min are not differentiable (finite differences straddle them).
const pivots = [0.3, -0.4, 1.1]
const nearAny = (ps: ReadonlyArray<number>) => (x: number) => ps.some((p) => Math.abs(x - p) < 1e-3)

const S = [3]
const unaryCases: ReadonlyArray<Case> = [
  { name: "neg", operands: [v(S)], f: ([x]) => lax.neg(x!) },
  { name: "sin", operands: [v(S)], f: ([x]) => lax.sin(x!) },
  { name: "cos", operands: [v(S)], f: ([x]) => lax.cos(x!) },
  { name: "tan", operands: [v(S, { min: -1.2, max: 1.2 })], f: ([x]) => lax.tan(x!) },
  { name: "asin", operands: [v(S, { min: -0.9, max: 0.9 })], f: ([x]) => lax.asin(x!) },
  { name: "acos", operands: [v(S, { min: -0.9, max: 0.9 })], f: ([x]) => lax.acos(x!) },
  { name: "atan", operands: [v(S)], f: ([x]) => lax.atan(x!) },
  { name: "sinh", operands: [v(S)], f: ([x]) => lax.sinh(x!) },
  { name: "cosh", operands: [v(S)], f: ([x]) => lax.cosh(x!) },
  { name: "tanh", operands: [v(S)], f: ([x]) => lax.tanh(x!) },
  { name: "exp", operands: [v(S)], f: ([x]) => lax.exp(x!) },
  { name: "log", operands: [v(S, { min: 0.2, max: 3 })], f: ([x]) => lax.log(x!) },
  { name: "log1p", operands: [v(S, { min: -0.5, max: 3 })], f: ([x]) => lax.log1p(x!) },
  { name: "expm1", operands: [v(S)], f: ([x]) => lax.expm1(x!) },
  { name: "sqrt", operands: [v(S, { min: 0.2, max: 3 })], f: ([x]) => lax.sqrt(x!) },
  { name: "rsqrt", operands: [v(S, { min: 0.2, max: 3 })], f: ([x]) => lax.rsqrt(x!) },
  { name: "abs", operands: [v(S, { avoid: nearZero(0.05) })], f: ([x]) => lax.abs(x!) },
  { name: "sign", operands: [v(S, { avoid: nearZero(0.05) })], f: ([x]) => lax.sign(x!) },
  { name: "floor", operands: [v(S, { avoid: nearInteger(0.05) })], f: ([x]) => lax.floor(x!) },
  { name: "ceil", operands: [v(S, { avoid: nearInteger(0.05) })], f: ([x]) => lax.ceil(x!) },
  { name: "round", operands: [v(S, { avoid: nearHalf })], f: ([x]) => lax.round(x!) },
  { name: "logistic", operands: [v(S, { min: -4, max: 4 })], f: ([x]) => lax.logistic(x!) },
  { name: "erf", operands: [v(S)], f: ([x]) => lax.erf(x!) },
  { name: "erfc", operands: [v(S)], f: ([x]) => lax.erfc(x!) },
  { name: "erf_inv", operands: [v(S, { min: -0.9, max: 0.9 })], f: ([x]) => lax.erfInv(x!) },
  { name: "lgamma", operands: [v(S, { min: 0.2, max: 6 })], f: ([x]) => lax.lgamma(x!) },
  { name: "lgamma (negative, reflected)", operands: [v(S, { min: -2.8, max: -2.2 })], f: ([x]) => lax.lgamma(x!) },
  { name: "digamma", operands: [v(S, { min: 0.2, max: 12 })], f: ([x]) => lax.digamma(x!) },
  { name: "digamma (negative, reflected)", operands: [v(S, { min: -1.8, max: -1.2 })], f: ([x]) => lax.digamma(x!) },
  { name: "integer_pow 0", operands: [v(S)], f: ([x]) => lax.integerPow(x!, 0) },
  { name: "integer_pow 1", operands: [v(S)], f: ([x]) => lax.integerPow(x!, 1) },
  { name: "integer_pow 2", operands: [v(S)], f: ([x]) => lax.integerPow(x!, 2) },
  { name: "integer_pow 3", operands: [v(S)], f: ([x]) => lax.integerPow(x!, 3) },
  { name: "integer_pow -2", operands: [v(S, { avoid: nearZero(0.3) })], f: ([x]) => lax.integerPow(x!, -2) },
  { name: "not (int32)", operands: [v(S, { dtype: "int32", fixed: [1, 2, 3] })], f: ([x]) => lax.not(x!) }
]

const complexCases: ReadonlyArray<Case> = [
  { name: "neg c", operands: [cv(S)], f: ([x]) => lax.neg(x!) },
  { name: "sin c", operands: [cv(S)], f: ([x]) => lax.sin(x!) },
  { name: "exp c", operands: [cv(S)], f: ([x]) => lax.exp(x!) },
  { name: "log c", operands: [cv(S, { min: 0.3, max: 2 })], f: ([x]) => lax.log(x!) },
  { name: "sqrt c", operands: [cv(S, { min: 0.3, max: 2 })], f: ([x]) => lax.sqrt(x!) },
  { name: "tanh c", operands: [cv(S, { min: -0.5, max: 0.5 })], f: ([x]) => lax.tanh(x!) },
  { name: "abs c", operands: [cv(S, { avoid: nearZero(0.1) })], f: ([x]) => lax.abs(x!) },
  { name: "real", operands: [cv(S)], f: ([x]) => lax.real(x!) },
  { name: "imag", operands: [cv(S)], f: ([x]) => lax.imag(x!) },
  { name: "conj", operands: [cv(S)], f: ([x]) => lax.conj(x!) },
  { name: "complex", operands: [v(S), v(S)], f: ([x, y]) => lax.complex(x!, y!) },
  { name: "mul c", operands: [cv(S), cv(S)], f: ([x, y]) => lax.mul(x!, y!) },
  { name: "div c", operands: [cv(S), cv(S, { min: 0.5, max: 2 })], f: ([x, y]) => lax.div(x!, y!) },
  { name: "dot_general c", operands: [cv([2, 3]), cv([3, 2])], f: ([x, y]) => lax.dotGeneral(x!, y!, [[1], [0]]) },
  { name: "reduce_sum c", operands: [cv([2, 3])], f: ([x]) => lax.reduceSum(x!, [1]) },
  {
    name: "convert f64 -> c128",
    operands: [v(S)],
    f: ([x]) => lax.mul(lax.convertElementType(x!, "complex128"), lax.complex(lax.cos(x!), lax.sin(x!)))
  },
  { name: "convert c128 -> f64", operands: [cv(S)], f: ([x]) => lax.convertElementType(x!, "float64") }
]

const binaryCases: ReadonlyArray<Case> = [
  { name: "add", operands: [v(S), v(S)], f: ([x, y]) => lax.add(x!, y!) },
  { name: "sub", operands: [v(S), v(S)], f: ([x, y]) => lax.sub(x!, y!) },
  { name: "mul", operands: [v(S), v(S)], f: ([x, y]) => lax.mul(x!, y!) },
  { name: "div", operands: [v(S), v(S, { avoid: nearZero(0.3) })], f: ([x, y]) => lax.div(x!, y!) },
  { name: "pow", operands: [v(S, { min: 0.3, max: 3 }), v(S)], f: ([x, y]) => lax.pow(x!, y!) },
  {
    name: "max",
    operands: [v(S, { avoid: nearAny(pivots) }), v(S, { fixed: pivots })],
    f: ([x, y]) => lax.max(x!, y!)
  },
  {
    name: "max (rhs)",
    operands: [v(S, { fixed: pivots }), v(S, { avoid: nearAny(pivots) })],
    f: ([x, y]) => lax.max(x!, y!)
  },
  {
    name: "min",
    operands: [v(S, { avoid: nearAny(pivots) }), v(S, { fixed: pivots })],
    f: ([x, y]) => lax.min(x!, y!)
  },
  {
    name: "min (rhs)",
    operands: [v(S, { fixed: pivots }), v(S, { avoid: nearAny(pivots) })],
    f: ([x, y]) => lax.min(x!, y!)
  },
  {
    name: "atan2",
    operands: [v(S, { avoid: nearZero(0.2) }), v(S, { avoid: nearZero(0.2) })],
    f: ([x, y]) => lax.atan2(x!, y!)
  },
  {
    name: "rem",
    operands: [
      v(S, { min: 0.1, max: 3, avoid: (x) => [0.7, 1.5, 2].some((y) => nearInteger(0.01)(x / y)) }),
      v([3], { fixed: [0.7, -1.5, 2] })
    ],
    f: ([x, y]) => lax.rem(x!, y!)
  },
  {
    name: "rem (divisor)",
    // x / y stays between integers (fmod is discontinuous where it is one)
    operands: [v([3], { fixed: [2.5, -3.1, 1.3] }), v(S, { min: 0.56, max: 0.6 })],
    f: ([x, y]) => lax.rem(x!, y!)
  },
  {
    name: "and (int32)",
    operands: [v(S, { dtype: "int32", fixed: [1, 2, 3] }), v(S, { dtype: "int32", fixed: [3, 3, 1] })],
    f: ([x, y]) => lax.and(x!, y!)
  },
  {
    name: "or (bool)",
    operands: [v(S, { dtype: "bool", fixed: [1, 0, 0] }), v(S, { dtype: "bool", fixed: [0, 1, 0] })],
    f: ([x, y]) => lax.or(x!, y!)
  },
  ...(["eq", "ne", "lt", "le", "gt", "ge"] as const).map((p): Case => ({
    name: p,
    operands: [v(S), v(S)],
    f: ([x, y]) => bind1(p, [x!, y!], {})
  })),
  {
    name: "select",
    operands: [v(S, { dtype: "bool", fixed: [1, 0, 1] }), v(S), v(S)],
    f: ([p, x, y]) => lax.select(p!, x!, y!)
  },
  { name: "convert f64 -> i32", operands: [v(S)], f: ([x]) => lax.convertElementType(x!, "int32") },
  {
    name: "convert i32 -> f64",
    operands: [v(S, { dtype: "int32", fixed: [1, -2, 3] }), v(S)],
    f: ([i, x]) => lax.mul(lax.convertElementType(i!, "float64"), x!)
  }
]

const structuredCases: ReadonlyArray<Case> = [
  { name: "reduce_sum", operands: [v([2, 3, 2])], f: ([x]) => lax.reduceSum(x!, [0, 2]) },
  { name: "reduce_max", operands: [v([2, 3], { unique: true })], f: ([x]) => lax.reduceMax(x!, [1]) },
  { name: "reduce_min", operands: [v([2, 3], { unique: true })], f: ([x]) => lax.reduceMin(x!, [0]) },
  { name: "reduce_prod", operands: [v([2, 3, 2])], f: ([x]) => lax.reduceProd(x!, [0, 2]) },
  { name: "reduce_prod all", operands: [v([5])], f: ([x]) => lax.reduceProd(x!, [0]) },
  { name: "argmax", operands: [v([2, 3])], f: ([x]) => lax.argmax(x!, 1) },
  { name: "argmin", operands: [v([2, 3])], f: ([x]) => lax.argmin(x!, 0) },
  { name: "cumsum", operands: [v([2, 3])], f: ([x]) => lax.cumsum(x!, 1) },
  { name: "cumsum reverse", operands: [v([2, 3])], f: ([x]) => lax.cumsum(x!, 0, true) },
  { name: "cumprod", operands: [v([2, 4])], f: ([x]) => lax.cumprod(x!, 1) },
  { name: "cumprod reverse", operands: [v([5, 2])], f: ([x]) => lax.cumprod(x!, 0, true) },
  // exact through a zero factor: the pair scan never divides by x
  { name: "cumprod through a zero", operands: [v([4], { fixed: [1.5, 0, -2, 0.5] })], f: ([x]) => lax.cumprod(x!, 0) },
  // distinct values: cummax/cummin have kinks where two are equal
  {
    name: "cummax",
    operands: [v([2, 5], { fixed: [0.3, -1.2, 1.7, 0.9, 2.4, 1.1, 1.6, -0.4, 0.2, -2] })],
    f: ([x]) => lax.cummax(x!, 1)
  },
  {
    name: "cummin reverse",
    operands: [v([5, 2], { fixed: [0.3, -1.2, 1.7, 0.9, 2.4, 1.1, 1.6, -0.4, 0.2, -2] })],
    f: ([x]) => lax.cummin(x!, 0, true)
  },
  // distinct values: sort and top_k are kinked where two are equal
  {
    name: "sort",
    operands: [v([2, 4], { fixed: [0.3, -1.2, 1.7, 0.9, 2.4, 1.1, -0.4, 0.2] })],
    f: ([x]) => lax.sort(x!, { dimension: 1 })
  },
  {
    name: "sort (2 keys, 3 operands) along 0",
    operands: [
      v([3, 2], { dtype: "int32", fixed: [1, 0, 0, 1, 1, 0] }),
      v([3, 2], { fixed: [2, 1, 5, 3, -1, 4] }),
      v([3, 2])
    ],
    f: ([k, x, y]) => {
      const [, a, b] = lax.sort([k!, x!, y!], { dimension: 0, numKeys: 2 })
      return lax.mul(a!, b!)
    }
  },
  {
    name: "top_k",
    operands: [v([2, 5], { fixed: [0.3, -1.2, 1.7, 0.9, 2.4, 1.1, 1.6, -0.4, 0.2, -2] })],
    f: ([x]) => lax.topK(x!, 3)[0]
  },
  { name: "cumlogsumexp", operands: [v([2, 5])], f: ([x]) => lax.cumlogsumexp(x!, 1) },
  { name: "cumlogsumexp reverse", operands: [v([6])], f: ([x]) => lax.cumlogsumexp(x!, 0, true) },
  { name: "broadcast_in_dim", operands: [v([3])], f: ([x]) => lax.broadcastInDim(x!, [2, 3], [1]) },
  { name: "broadcast_in_dim unit", operands: [v([1, 3])], f: ([x]) => lax.broadcastInDim(x!, [2, 4, 3], [1, 2]) },
  { name: "reshape", operands: [v([2, 3])], f: ([x]) => lax.reshape(x!, [3, 2]) },
  { name: "transpose", operands: [v([2, 3, 4])], f: ([x]) => lax.transpose(x!, [2, 0, 1]) },
  { name: "squeeze", operands: [v([2, 1, 3])], f: ([x]) => lax.squeeze(x!, [1]) },
  { name: "expand_dims", operands: [v([2, 3])], f: ([x]) => lax.expandDims(x!, [0, 3]) },
  { name: "rev", operands: [v([2, 3])], f: ([x]) => lax.rev(x!, [1]) },
  { name: "slice", operands: [v([4, 5])], f: ([x]) => lax.slice(x!, [1, 0], [3, 5]) },
  { name: "slice strided", operands: [v([5, 6])], f: ([x]) => lax.slice(x!, [0, 1], [5, 6], [2, 3]) },
  { name: "pad", operands: [v([2, 3]), v([])], f: ([x, p]) => lax.pad(x!, p!, [[1, 2, 0], [0, 1, 1]]) },
  { name: "pad negative", operands: [v([4, 3]), v([])], f: ([x, p]) => lax.pad(x!, p!, [[-1, 1, 1], [2, -1, 0]]) },
  { name: "concatenate", operands: [v([2, 1]), v([2, 3]), v([2, 2])], f: (xs) => lax.concatenate(xs, 1) },
  // split has several outputs: recombined in another order (every piece's tangent and
  // cotangent), and one piece alone (the others' cotangents are symbolic zeros).
  {
    name: "split",
    operands: [v([2, 6])],
    f: ([x]) => {
      const [a, b, c] = lax.split(x!, [1, 3, 2], 1)
      return lax.concatenate([c!, lax.mul(a!, a!), b!], 1)
    }
  },
  { name: "split one piece", operands: [v([5, 2])], f: ([x]) => lax.split(x!, [2, 0, 3], 0)[2]! },
  {
    name: "gather",
    operands: [v([4, 2]), v([5], { dtype: "int32", fixed: [3, 0, 3, 1, 3] })],
    f: ([x, i]) => lax.gather(x!, i!, 0)
  },
  {
    name: "gather 2-d indices",
    operands: [v([2, 3]), v([2, 2], { dtype: "int32", fixed: [2, 0, 2, 2] })],
    f: ([x, i]) => lax.gather(x!, i!, 1)
  },
  {
    name: "scatter_add",
    operands: [v([4, 2]), v([3], { dtype: "int32", fixed: [1, 1, 3] }), v([3, 2])],
    f: ([x, i, u]) => lax.scatterAdd(x!, i!, u!, 0)
  },
  { name: "dot_general matmul", operands: [v([2, 3]), v([3, 4])], f: ([x, y]) => lax.dotGeneral(x!, y!, [[1], [0]]) },
  {
    name: "dot_general batch",
    operands: [v([2, 3, 4]), v([2, 4, 5])],
    f: ([x, y]) => lax.dotGeneral(x!, y!, [[2], [1]], [[0], [0]])
  },
  {
    name: "dot_general scrambled",
    operands: [v([3, 2, 4, 2]), v([4, 5, 2, 3])],
    f: ([x, y]) => lax.dotGeneral(x!, y!, [[2, 0], [0, 3]], [[3], [2]])
  },
  { name: "dot_general vector", operands: [v([3]), v([3])], f: ([x, y]) => lax.dotGeneral(x!, y!, [[0], [0]]) }
]

describe("JVP against finite differences, transpose against JVP (float64)", () => {
  for (const c of [...unaryCases, ...complexCases, ...binaryCases, ...structuredCases]) {
    it(`${c.name}`, () => {
      const details = checkCase(c)
      assert.isFalse(details.failed, fc.defaultReportMessage(details) ?? "")
    })
  }
})

describe("second order: forward over reverse against finite differences, reverse over reverse against it", () => {
  for (const c of [...unaryCases, ...complexCases, ...binaryCases, ...structuredCases]) {
    it(`${c.name}`, () => {
      const details = checkSecondOrder(c)
      assert.isFalse(details.failed, fc.defaultReportMessage(details) ?? "")
    })
  }
})

// np's compositions (issue 12's breadth): each differentiates through its lax primitives, so
// JVP and VJP are checked the same way, at points away from their kinks.
const far = (points: ReadonlyArray<number>, gap: number) => (x: number) => points.some((p) => Math.abs(x - p) < gap)
const npCases: ReadonlyArray<Case> = [
  { name: "np.logaddexp", operands: [v(S), v(S)], f: ([x, y]) => np.logaddexp(x!, y!) },
  { name: "np.logaddexp2", operands: [v(S), v(S)], f: ([x, y]) => np.logaddexp2(x!, y!) },
  {
    name: "np.log2, np.log10, np.exp2",
    operands: [v(S, { min: 0.2, max: 3 })],
    f: ([x]) => np.add(np.add(np.log2(x!), np.log10(x!)), np.exp2(x!))
  },
  { name: "np.arcsinh", operands: [v(S, { min: -3, max: 3 })], f: ([x]) => np.arcsinh(x!) },
  { name: "np.arccosh", operands: [v(S, { min: 1.2, max: 4 })], f: ([x]) => np.arccosh(x!) },
  { name: "np.arctanh", operands: [v(S, { min: -0.9, max: 0.9 })], f: ([x]) => np.arctanh(x!) },
  { name: "np.cbrt", operands: [v(S, { avoid: far([0], 0.2) })], f: ([x]) => np.cbrt(x!) },
  { name: "np.hypot", operands: [v(S, { avoid: far([0], 0.2) }), v(S)], f: ([x, y]) => np.hypot(x!, y!) },
  { name: "np.sinc", operands: [v(S, { min: -2, max: 2 })], f: ([x]) => np.sinc(x!) },
  {
    name: "np.copysign",
    operands: [v(S, { avoid: far([0], 0.1) }), v(S, { avoid: far([0], 0.1) })],
    f: ([x, y]) => np.copysign(np.sin(x!), y!)
  },
  { name: "np.median", operands: [v([2, 4], { unique: true })], f: ([x]) => np.median(x!, { axis: 1 }) },
  { name: "np.quantile", operands: [v([5], { unique: true })], f: ([x]) => np.quantile(x!, 0.3) },
  {
    name: "np.trace, np.diagonal",
    operands: [v([3, 4])],
    f: ([x]) => np.add(np.trace(x!), np.sum(np.diagonal(x!, { offset: 1 })))
  },
  { name: "np.triu, np.roll", operands: [v([3, 3])], f: ([x]) => np.roll(np.triu(x!, { k: -1 }), 2) },
  { name: "np.kron", operands: [v([2, 2]), v([2, 3])], f: ([x, y]) => np.kron(x!, y!) },
  { name: "np.cross", operands: [v([2, 3]), v([3])], f: ([x, y]) => np.cross(x!, y!) },
  { name: "np.convolve same", operands: [v([5]), v([3])], f: ([x, y]) => np.convolve(x!, y!, { mode: "same" }) },
  { name: "np.correlate full", operands: [v([4]), v([2])], f: ([x, y]) => np.correlate(x!, y!, { mode: "full" }) },
  {
    name: "np.interp (values and points)",
    operands: [v([4], { min: 0.1, max: 2.9, avoid: far([1, 2], 0.05) }), v([4])],
    f: ([x, fp]) => np.interp(x!, np.array([0, 1, 2, 3], { dtype: "float64" }), fp!)
  },
  { name: "np.cov", operands: [v([2, 4])], f: ([x]) => np.cov(x!) },
  // distinct values: constant rows have no correlation
  { name: "np.corrcoef", operands: [v([2, 4], { unique: true })], f: ([x]) => np.corrcoef(x!) },
  {
    name: "np.average with weights",
    operands: [v([2, 3]), v([3], { min: 0.5, max: 2 })],
    f: ([x, w]) => np.average(x!, { axis: 1, weights: w! })
  },
  { name: "np.polyval", operands: [v([3]), v(S)], f: ([p, x]) => np.polyval(p!, x!) },
  {
    name: "np.einsum ellipsis, three operands",
    operands: [v([2, 2, 3]), v([3, 2]), v([2])],
    f: ([a, b, c]) => np.einsum("...ij,jk,k->...i", a!, b!, c!)
  },
  {
    name: "np.takeAlongAxis, np.putAlongAxis",
    operands: [v([2, 3]), v([2, 1])],
    f: ([x, u]) => {
      const idx = np.array([[2], [0]], { dtype: "int32" })
      return np.add(np.putAlongAxis(x!, idx, u!, 1), np.takeAlongAxis(x!, idx, 1))
    }
  },
  {
    name: "np.nanmean, np.ptp",
    operands: [v([2, 3], { unique: true })],
    f: ([x]) => np.add(np.nanmean(x!, { axis: 0 }), np.ptp(x!, { axis: 0 }))
  },
  { name: "np.cumprod, np.diff", operands: [v([5])], f: ([x]) => np.diff(np.cumprod(x!)) },
  {
    name: "special.xlogy, xlog1py",
    operands: [v(S), v(S, { min: 0.2, max: 3 })],
    f: ([x, y]) => np.add(special.xlogy(x!, y!), special.xlog1py(x!, y!))
  },
  {
    name: "special.logNdtr (both sides of the tail switch)",
    operands: [v([4], { fixed: [-30, -19.5, -3, 2] })],
    f: ([x]) => special.logNdtr(x!)
  },
  {
    name: "special.ndtr, ndtri",
    operands: [v(S, { min: 0.05, max: 0.95 })],
    f: ([p]) => special.ndtr(np.multiply(special.ndtri(p!), 1.5))
  },
  {
    name: "special.i0e, i1e",
    operands: [v(S, { min: -40, max: 40, avoid: far([0, 30, -30], 0.2) })],
    f: ([x]) => np.add(special.i0e(x!), special.i1e(x!))
  },
  {
    name: "special.zeta (both arguments)",
    operands: [v(S, { min: 1.5, max: 4 }), v(S, { min: 0.5, max: 3 })],
    f: ([s, q]) => special.zeta(s!, q!)
  },
  { name: "special.softmax, logit", operands: [v([2, 3])], f: ([x]) => special.logit(special.softmax(x!)) },
  { name: "np.fft.fft (real in, complex out)", operands: [v([5])], f: ([x]) => np.fft.fft(x!) },
  { name: "np.fft.ifft of complex, ortho", operands: [cv([4])], f: ([x]) => np.fft.ifft(x!, { norm: "ortho" }) },
  { name: "np.fft.rfft with padding", operands: [v([2, 5])], f: ([x]) => np.fft.rfft(x!, { n: 6 }) },
  { name: "np.fft.irfft", operands: [cv([4])], f: ([x]) => np.fft.irfft(x!) },
  { name: "np.fft.fftn, fftshift", operands: [v([3, 4])], f: ([x]) => np.fft.fftshift(np.fft.fftn(x!)) },
  {
    name: "special.gamma, betaln",
    operands: [v(S, { min: 0.3, max: 4 }), v(S, { min: 0.3, max: 4 })],
    f: ([a, b]) => np.add(special.gamma(a!), special.betaln(a!, b!))
  }
]

describe("odd compositions at 0 (a derivative through sign(x) * g(|x|) would be 0 there)", () => {
  for (const [name, f] of [["np.arcsinh", np.arcsinh], ["np.arctanh", np.arctanh]] as const) {
    it(`${name}: derivative 1 at 0 and at -0, forward and reverse, float32 and float64`, () => {
      for (const dtype of ["float32", "float64"] as const) {
        for (const x0 of [0, -0]) {
          const x = np.array(x0, { dtype })
          const [, [tangent]] = jvpFlat((a) => [f(a[0]!)], [x], [np.array(1, { dtype })])
          assert.deepStrictEqual(values(tangent!), [1])
          const [, pullback] = vjpFlat((a) => [f(a[0]!)], [x])
          assert.deepStrictEqual(values(pullback([np.array(1, { dtype })])[0]!), [1])
        }
      }
    })
  }
})

describe("np compositions: JVP against finite differences, transpose against JVP (float64)", () => {
  for (const c of npCases) {
    it(`${c.name}`, () => {
      const details = checkCase(c)
      assert.isFalse(details.failed, fc.defaultReportMessage(details) ?? "")
    })
  }
})
