/**
 * Random chains of index-mapping ops for View's property tests (this package's
 * and the cross-backend one in test/conformance): a fast-check arbitrary, an
 * independent reference that applies each op to a flat array, and the chain
 * composed as one View.
 */
import { View } from "@diffect/core"
import fc from "fast-check"

/** The padding value of every `pad` in a chain (source elements are 1..n). */
export const PAD = -1

/** One op of a chain. */
export type ViewOp =
  | { readonly kind: "transpose"; readonly permutation: ReadonlyArray<number> }
  | { readonly kind: "broadcast"; readonly shape: ReadonlyArray<number>; readonly dims: ReadonlyArray<number> }
  | { readonly kind: "rev"; readonly dimensions: ReadonlyArray<number> }
  | {
    readonly kind: "slice"
    readonly startIndices: ReadonlyArray<number>
    readonly limitIndices: ReadonlyArray<number>
    readonly strides: ReadonlyArray<number>
  }
  | { readonly kind: "pad"; readonly config: ReadonlyArray<readonly [number, number, number]> }
  | { readonly kind: "reshape"; readonly shape: ReadonlyArray<number> }

/** An array: its shape and its elements in row-major order. */
export interface Flat {
  readonly shape: ReadonlyArray<number>
  readonly data: ReadonlyArray<number>
}

const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)
const stridesOf = (shape: ReadonlyArray<number>): Array<number> => {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc
    acc *= shape[d]!
  }
  return s
}

/** The shape `op` gives an operand of shape `shape`. */
export const shapeAfter = (shape: ReadonlyArray<number>, op: ViewOp): ReadonlyArray<number> => {
  switch (op.kind) {
    case "transpose":
      return op.permutation.map((p) => shape[p]!)
    case "broadcast":
    case "reshape":
      return op.shape
    case "rev":
      return shape
    case "slice":
      return shape.map((_, d) => Math.ceil((op.limitIndices[d]! - op.startIndices[d]!) / op.strides[d]!))
    case "pad":
      return shape.map((n, d) => {
        const [lo, hi, interior] = op.config[d]!
        return lo + hi + n + Math.max(0, n - 1) * interior
      })
  }
}

/** Every multi-index of `shape`, row-major. */
export const positions = (shape: ReadonlyArray<number>): Array<Array<number>> => {
  const out: Array<Array<number>> = []
  const n = sizeOf(shape)
  for (let i = 0; i < n; i++) {
    let rest = i
    const p = new Array<number>(shape.length)
    for (let d = shape.length - 1; d >= 0; d--) {
      p[d] = rest % shape[d]!
      rest = Math.floor(rest / shape[d]!)
    }
    out.push(p)
  }
  return out
}

/** `shape` with entries 1..n. */
export const iotaFlat = (shape: ReadonlyArray<number>): Flat => ({
  shape,
  data: Array.from({ length: sizeOf(shape) }, (_, i) => i + 1)
})

const at = (x: Flat, p: ReadonlyArray<number>): number => {
  const s = stridesOf(x.shape)
  return x.data[p.reduce((acc, v, d) => acc + v * s[d]!, 0)]!
}

const build = (shape: ReadonlyArray<number>, f: (p: ReadonlyArray<number>) => number): Flat => ({
  shape,
  data: positions(shape).map(f)
})

/** The reference: one op on a flat array, written from each op's definition. */
export const applyOp = (x: Flat, op: ViewOp): Flat => {
  switch (op.kind) {
    case "transpose":
      return build(op.permutation.map((p) => x.shape[p]!), (q) => {
        const p = new Array<number>(q.length)
        op.permutation.forEach((src, d) => (p[src] = q[d]!))
        return at(x, p)
      })
    case "broadcast":
      return build(op.shape, (q) => at(x, op.dims.map((d, i) => (x.shape[i] === 1 ? 0 : q[d]!))))
    case "rev": {
      const dims = op.dimensions.map((d) => (d < 0 ? d + x.shape.length : d))
      return build(x.shape, (q) => at(x, q.map((v, d) => (dims.includes(d) ? x.shape[d]! - 1 - v : v))))
    }
    case "slice":
      return build(
        shapeAfter(x.shape, op),
        (q) => at(x, q.map((v, d) => op.startIndices[d]! + v * op.strides[d]!))
      )
    case "pad":
      return build(shapeAfter(x.shape, op), (q) => {
        const p: Array<number> = []
        for (let d = 0; d < q.length; d++) {
          const [lo, , interior] = op.config[d]!
          const rel = q[d]! - lo
          if (rel < 0 || rel % (interior + 1) !== 0 || rel / (interior + 1) >= x.shape[d]!) return PAD
          p.push(rel / (interior + 1))
        }
        return at(x, p)
      })
    case "reshape":
      return { shape: op.shape, data: x.data }
  }
}

/** Reads `view` of `src` element by element (`View.index`), padding as `PAD`. */
export const readView = (view: View.View, src: ReadonlyArray<number>): Flat =>
  build(view.shape, (p) => {
    const i = View.index(view, p)
    return i === undefined ? PAD : src[i]!
  })

/** Runs `View.copyOf(view)` with a plain loop into a buffer filled with `PAD`. */
export const copyView = (view: View.View, src: ReadonlyArray<number>): Flat => {
  const out = new Array<number>(sizeOf(view.shape)).fill(PAD)
  const c = View.copyOf(view)
  for (const p of positions(c.shape)) {
    let s = c.srcOffset
    let d = c.dstOffset
    p.forEach((v, k) => {
      s += v * c.srcStrides[k]!
      d += v * c.dstStrides[k]!
    })
    out[d] = src[s]!
  }
  return { shape: view.shape, data: out }
}

/**
 * The chain composed as views of `x`: a reshape the view cannot express
 * materializes the view first (counted in `materialized`).
 */
export const composeChain = (
  x: Flat,
  ops: ReadonlyArray<ViewOp>
): { readonly view: View.View; readonly src: ReadonlyArray<number>; readonly materialized: number } => {
  let view = View.contiguous(x.shape)
  let src = x.data
  let materialized = 0
  for (const op of ops) {
    switch (op.kind) {
      case "transpose":
        view = View.transpose(view, op.permutation)
        break
      case "broadcast":
        view = View.broadcastInDim(view, op.shape, op.dims)
        break
      case "rev":
        view = View.rev(view, op.dimensions)
        break
      case "slice":
        view = View.slice(view, op)
        break
      case "pad":
        view = View.pad(view, op.config)
        break
      case "reshape": {
        const r = View.reshape(view, op.shape)
        if (r !== undefined) {
          view = r
        } else {
          src = readView(view, src).data
          view = View.contiguous(op.shape)
          materialized++
        }
      }
    }
  }
  return { view, src, materialized }
}

// A small deterministic generator, so that an op's parameters follow from its
// seed and the current shape (fast-check shrinks the seeds).
const rng = (seed: number) => {
  let s = seed >>> 0
  return (n: number): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    s ^= s >>> 13
    return n <= 0 ? 0 : (s >>> 0) % n
  }
}

const MAX_SIZE = 256
const KINDS = ["transpose", "broadcast", "rev", "slice", "pad", "reshape"] as const

/** A random op that applies to `shape` (never growing past `MAX_SIZE` elements). */
export const makeOp = (shape: ReadonlyArray<number>, kind: (typeof KINDS)[number], seed: number): ViewOp => {
  const r = rng(seed)
  const rank = shape.length
  const size = sizeOf(shape)
  switch (kind) {
    case "transpose": {
      const p = shape.map((_, d) => d)
      for (let i = p.length - 1; i > 0; i--) {
        const j = r(i + 1)
        ;[p[i], p[j]] = [p[j]!, p[i]!]
      }
      return { kind, permutation: p }
    }
    case "broadcast": {
      // Grow size-1 dimensions and add up to one new leading or trailing axis.
      const grown = shape.map((n) => (n === 1 && r(2) === 0 ? 1 + r(3) : n))
      const extra = rank < 4 && r(2) === 0 ? 1 + r(3) : 0
      const lead = r(2) === 0
      const out = extra === 0 ? grown : lead ? [extra, ...grown] : [...grown, extra]
      if (sizeOf(out) > MAX_SIZE) return makeOp(shape, "slice", seed + 1)
      return { kind, shape: out, dims: shape.map((_, d) => (extra !== 0 && lead ? d + 1 : d)) }
    }
    case "rev": {
      // Negative axes too: they count from the end, as in np.flip.
      const dims = shape.map((_, d) => d).filter(() => r(2) === 0)
      return { kind, dimensions: dims.map((d) => (r(2) === 0 ? d - rank : d)) }
    }
    case "slice": {
      const start = shape.map((n) => r(n + 1))
      const limit = shape.map((n, d) => start[d]! + r(n - start[d]! + 1))
      return { kind, startIndices: start, limitIndices: limit, strides: shape.map(() => 1 + r(3)) }
    }
    case "pad": {
      const config = shape.map((n): readonly [number, number, number] => {
        const interior = r(3)
        const full = n + Math.max(0, n - 1) * interior
        const lo = r(5) - 2
        const hi = Math.max(r(5) - 2, -(full + lo))
        return [lo, hi, interior]
      })
      if (sizeOf(shapeAfter(shape, { kind, config })) > MAX_SIZE) return makeOp(shape, "slice", seed + 1)
      return { kind, config }
    }
    case "reshape": {
      // A random factorization of the size, with the odd 1 inserted.
      const out: Array<number> = []
      let rest = size
      while (rest > 1 && out.length < 4) {
        const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((k) => k > 1 && rest % k === 0)
        const k = divisors[r(divisors.length)]!
        out.push(k)
        rest /= k
        if (r(4) === 0) out.push(1)
      }
      if (rest !== 1 || size === 0) out.push(rest)
      return { kind, shape: out }
    }
  }
}

/** A starting shape and a chain of up to `maxOps` ops that apply to it in turn. */
export const chainArb = (maxOps: number): fc.Arbitrary<{ shape: Array<number>; ops: Array<ViewOp> }> =>
  fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }),
    steps: fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.nat()), { minLength: 1, maxLength: maxOps })
  }).map(({ shape, steps }) => {
    const ops: Array<ViewOp> = []
    let current: ReadonlyArray<number> = shape
    for (const [kind, seed] of steps) {
      const op = makeOp(current, kind, seed)
      ops.push(op)
      current = shapeAfter(current, op)
    }
    return { shape, ops }
  })
