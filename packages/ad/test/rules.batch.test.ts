/**
 * Every batching rule against a loop over the batch: for random operands, batch
 * sizes, input batch axes (or none) and output axes, `vmap(prim)` must equal
 * the per-example results of the primitive stacked along the output axis.
 * The oracle never batches: it evaluates the primitive once per example.
 */
import { bind } from "@diffect/core"
import type { Params, Primitive, Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { assertBatchedMatchesLoop, prng, randomTensor } from "./vmapSupport.js"
import type { Rng } from "./vmapSupport.js"

/** One primitive application: its parameters and a maker of random instances of each operand. */
interface Case<P extends Primitive> {
  readonly params: Params<P>
  readonly operands: ReadonlyArray<(rng: Rng) => Tensor>
}
type CaseGen<P extends Primitive> = (rng: Rng) => Case<P>

const randomShape = (rng: Rng, minRank = 0, maxRank = 3): Array<number> =>
  Array.from({ length: rng.int(minRank, maxRank) }, () => rng.int(1, 3))

const floats = (shape: ReadonlyArray<number>, lo = -2, hi = 2) => (rng: Rng) =>
  randomTensor(rng, shape, "float64", lo, hi)
const ofDType = (shape: ReadonlyArray<number>, dtype: "bool" | "int32" | "complex128", lo = -3, hi = 3) => (rng: Rng) =>
  randomTensor(rng, shape, dtype, lo, hi)

const unary = (lo: number, hi: number): CaseGen<never> => (rng) => {
  const s = randomShape(rng)
  return { params: {} as never, operands: [floats(s, lo, hi)] }
}
const binary = (lo: number, hi: number): CaseGen<never> => (rng) => {
  const s = randomShape(rng)
  return { params: {} as never, operands: [floats(s, lo, hi), floats(s, lo, hi)] }
}
const subset = (rng: Rng, n: number): Array<number> =>
  Array.from({ length: n }, (_, i) => i).filter(() => rng.next() < 0.5)

const reduction: CaseGen<never> = (rng) => {
  const s = randomShape(rng, 1)
  return { params: { axes: subset(rng, s.length) } as never, operands: [floats(s)] }
}

const scanCase: CaseGen<never> = (rng) => {
  const s = randomShape(rng, 1)
  return { params: { axis: rng.int(0, s.length - 1), reverse: rng.next() < 0.5 } as never, operands: [floats(s)] }
}

const cases: { readonly [P in Primitive]?: CaseGen<P> } = {
  neg: unary(-2, 2),
  sin: unary(-2, 2),
  cos: unary(-2, 2),
  tan: unary(-1, 1),
  asin: unary(-0.9, 0.9),
  acos: unary(-0.9, 0.9),
  atan: unary(-2, 2),
  sinh: unary(-2, 2),
  cosh: unary(-2, 2),
  tanh: unary(-2, 2),
  exp: unary(-2, 2),
  log: unary(0.1, 3),
  log1p: unary(-0.5, 2),
  expm1: unary(-2, 2),
  sqrt: unary(0.1, 3),
  rsqrt: unary(0.1, 3),
  abs: unary(-2, 2),
  sign: unary(-2, 2),
  floor: unary(-2, 2),
  ceil: unary(-2, 2),
  round: unary(-3, 3),
  logistic: unary(-3, 3),
  erf: unary(-2, 2),
  erfc: unary(-2, 2),
  erf_inv: unary(-0.9, 0.9),
  lgamma: unary(0.2, 4),
  digamma: unary(0.2, 4),
  integer_pow: (rng) => ({ params: { y: rng.int(-2, 3) }, operands: [floats(randomShape(rng), 0.5, 2)] }),
  not: (rng) => ({ params: {}, operands: [ofDType(randomShape(rng), "bool")] }),
  add: binary(-2, 2),
  sub: binary(-2, 2),
  mul: binary(-2, 2),
  div: binary(0.5, 2),
  pow: binary(0.5, 2),
  max: binary(-2, 2),
  min: binary(-2, 2),
  atan2: binary(-2, 2),
  rem: binary(0.5, 3),
  and: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "bool"), ofDType(s, "bool")] }
  },
  or: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32"), ofDType(s, "int32")] }
  },
  xor: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", -100, 100), ofDType(s, "int32", -100, 100)] }
  },
  shift_left: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", -100, 100), ofDType(s, "int32", -2, 34)] }
  },
  shift_right_logical: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", -100, 100), ofDType(s, "int32", -2, 34)] }
  },
  shift_right_arithmetic: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", -100, 100), ofDType(s, "int32", -2, 34)] }
  },
  eq: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", 0, 2), ofDType(s, "int32", 0, 2)] }
  },
  ne: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "int32", 0, 2), ofDType(s, "int32", 0, 2)] }
  },
  lt: binary(-2, 2),
  le: binary(-2, 2),
  gt: binary(-2, 2),
  ge: binary(-2, 2),
  select: (rng) => {
    const s = randomShape(rng)
    return { params: {}, operands: [ofDType(s, "bool"), floats(s), floats(s)] }
  },
  complex: binary(-2, 2),
  real: (rng) => ({ params: {}, operands: [ofDType(randomShape(rng), "complex128")] }),
  imag: (rng) => ({ params: {}, operands: [ofDType(randomShape(rng), "complex128")] }),
  conj: (rng) => ({ params: {}, operands: [ofDType(randomShape(rng), "complex128")] }),
  convert_element_type: (rng) => ({
    params: { dtype: rng.pick(["float32", "int32", "complex128"] as const), weakType: false },
    operands: [floats(randomShape(rng))]
  }),
  stop_gradient: unary(-2, 2),
  reduce_sum: reduction,
  reduce_max: reduction,
  reduce_min: reduction,
  reduce_prod: reduction,
  argmax: (rng) => {
    const s = randomShape(rng, 1)
    return { params: { axis: rng.int(0, s.length - 1) }, operands: [floats(s)] }
  },
  argmin: (rng) => {
    const s = randomShape(rng, 1)
    return { params: { axis: rng.int(0, s.length - 1) }, operands: [floats(s)] }
  },
  cumsum: scanCase,
  cumprod: scanCase,
  cummax: scanCase,
  cummin: scanCase,
  cumlogsumexp: scanCase,
  // keys from a few values, so ties (the stable order) are exercised; 1-3 operands, 1-2 keys
  sort: (rng) => {
    const s = randomShape(rng, 1)
    const k = rng.int(1, 3)
    const numKeys = rng.int(1, k)
    const operands = Array.from(
      { length: k },
      (_, i) => i < numKeys ? (r: Rng) => randomTensor(r, s, "int32", 0, 2) : floats(s)
    )
    return { params: { dimension: rng.int(0, s.length - 1), isStable: true, numKeys }, operands }
  },
  top_k: (rng) => {
    const s = randomShape(rng, 1)
    return { params: { k: rng.int(0, s[s.length - 1]!) }, operands: [ofDType(s, "int32", -2, 2)] }
  },
  broadcast_in_dim: (rng) => {
    const s = randomShape(rng, 0, 2)
    // Output: the operand's dims (size-1 dims may grow) with new dims inserted anywhere.
    const extra = rng.int(0, 2)
    const outNdim = s.length + extra
    const positions = rng.shuffle(Array.from({ length: outNdim }, (_, i) => i)).slice(0, s.length).sort((a, b) => a - b)
    const shape = Array.from({ length: outNdim }, () => rng.int(1, 3))
    positions.forEach((p, i) => {
      shape[p] = s[i] === 1 ? rng.pick([1, 2]) : s[i]!
    })
    return { params: { shape, broadcastDimensions: positions }, operands: [floats(s)] }
  },
  reshape: (rng) => {
    const s = randomShape(rng, 0, 3)
    const size = s.reduce((a, b) => a * b, 1)
    const newSizes = rng.pick([[size], [...s].reverse(), [1, size], s.length === 0 ? [] : [size, 1]])
    return { params: { newSizes }, operands: [floats(s)] }
  },
  transpose: (rng) => {
    const s = randomShape(rng, 1)
    return { params: { permutation: rng.shuffle(s.map((_, i) => i)) }, operands: [floats(s)] }
  },
  squeeze: (rng) => {
    const s = randomShape(rng, 1).map((d) => (rng.next() < 0.5 ? 1 : d))
    const ones = s.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
    return { params: { dimensions: ones.filter(() => rng.next() < 0.7) }, operands: [floats(s)] }
  },
  expand_dims: (rng) => {
    const s = randomShape(rng, 0, 2)
    const k = rng.int(1, 2)
    const dims = rng.shuffle(Array.from({ length: s.length + k }, (_, i) => i)).slice(0, k)
    return { params: { dimensions: dims }, operands: [floats(s)] }
  },
  rev: (rng) => {
    const s = randomShape(rng, 1)
    return { params: { dimensions: subset(rng, s.length) }, operands: [floats(s)] }
  },
  slice: (rng) => {
    const s = randomShape(rng, 1).map((d) => d + 1)
    const start = s.map((d) => rng.int(0, d - 1))
    const limit = s.map((d, i) => rng.int(start[i]! + 1, d))
    const strides = rng.next() < 0.5 ? null : s.map(() => rng.int(1, 2))
    return { params: { startIndices: start, limitIndices: limit, strides }, operands: [floats(s)] }
  },
  pad: (rng) => {
    const s = randomShape(rng, 1).map((d) => d + 1)
    const config = s.map((d) => [rng.int(-1, 2), rng.int(-1, 2), d > 1 ? rng.int(0, 1) : 0] as const)
    return { params: { config }, operands: [floats(s), floats([])] }
  },
  concatenate: (rng) => {
    const s = randomShape(rng, 1)
    const dim = rng.int(0, s.length - 1)
    const k = rng.int(1, 3)
    const operands = Array.from({ length: k }, () => {
      const si = s.slice()
      si[dim] = rng.int(1, 3)
      return floats(si)
    })
    return { params: { dimension: dim }, operands }
  },
  split: (rng) => {
    const s = randomShape(rng, 1)
    const axis = rng.int(0, s.length - 1)
    // Random cut points (empty pieces included): the sizes add up to the axis.
    const cuts = Array.from({ length: rng.int(0, 2) }, () => rng.int(0, s[axis]!)).sort((a, b) => a - b)
    const bounds = [0, ...cuts, s[axis]!]
    const sizes = bounds.slice(1).map((b, i) => b - bounds[i]!)
    return { params: { sizes, axis }, operands: [floats(s)] }
  },
  gather: (rng) => {
    const s = randomShape(rng, 1)
    const axis = rng.int(0, s.length - 1)
    const idx = randomShape(rng, 0, 2)
    // Out-of-range indices are clamped by the primitive; include some.
    return { params: { axis }, operands: [floats(s), ofDType(idx, "int32", -1, s[axis]!)] }
  },
  scatter_add: (rng) => {
    const s = randomShape(rng, 1)
    const axis = rng.int(0, s.length - 1)
    const idx = randomShape(rng, 0, 2)
    const upd = [...s.slice(0, axis), ...idx, ...s.slice(axis + 1)]
    return { params: { axis }, operands: [floats(s), ofDType(idx, "int32", -1, s[axis]!), floats(upd)] }
  },
  dot_general: (rng) => {
    const nb = rng.int(0, 1)
    const nc = rng.int(0, 2)
    const nl = rng.int(0, 1)
    const nr = rng.int(0, 1)
    const b = Array.from({ length: nb }, () => rng.int(1, 3))
    const c = Array.from({ length: nc }, () => rng.int(1, 3))
    const lf = Array.from({ length: nl }, () => rng.int(1, 3))
    const rf = Array.from({ length: nr }, () => rng.int(1, 3))
    // Lay out [batch, contracting, free] in a random order on each side.
    const lay = (free: Array<number>) => {
      const roles = [
        ...b.map((_, i) => ["b", i] as const),
        ...c.map((_, i) => ["c", i] as const),
        ...free.map((_, i) => ["f", i] as const)
      ]
      const order = rng.shuffle(roles)
      const shape = order.map(([r, i]) => (r === "b" ? b[i]! : r === "c" ? c[i]! : free[i]!))
      const pos = (role: "b" | "c", i: number) => order.findIndex(([r, j]) => r === role && j === i)
      return { shape, batch: b.map((_, i) => pos("b", i)), contracting: c.map((_, i) => pos("c", i)) }
    }
    const l = lay(lf)
    const r = lay(rf)
    return {
      params: { contracting: [l.contracting, r.contracting], batch: [l.batch, r.batch] },
      operands: [floats(l.shape), floats(r.shape)]
    }
  }
}

// Every output of the primitive (one, or several for split).
const apply = <P extends Primitive>(p: P, xs: ReadonlyArray<Tensor>, params: Params<P>): ReadonlyArray<Tensor> =>
  bind(p, xs, params)

describe("batching rules match a loop over the batch", () => {
  for (const [name, gen] of Object.entries(cases) as Array<[Primitive, CaseGen<Primitive>]>) {
    it(`${name}`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const rng = prng(seed)
          const { params, operands } = gen(rng)
          assertBatchedMatchesLoop(rng, name, operands, (xs) => apply(name, xs, params), 1e-12)
        }),
        { numRuns: 60 }
      )
    })
  }
})
