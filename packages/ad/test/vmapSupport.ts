/**
 * Helpers for the vmap test suites: tensors from nested arrays, reading values
 * back, stacking per-example results (the loop oracle), seeded random data.
 */
import { ConcreteTensor, DType, lax } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { Backends, Close } from "@diffect/test-utils"
import { assert } from "@effect/vitest"
import type { Effect } from "effect"
import { vmapFlat } from "../src/Vmap.js"

type Nested = number | boolean | ReadonlyArray<Nested>

const shapeOfNested = (
  v: Nested
): Array<number> => (Array.isArray(v) ? [v.length, ...shapeOfNested(v[0] as Nested)] : [])

/** A host tensor from nested JS arrays (float64 unless told). */
export const arr = (value: Nested, dtype: DType.DType = "float64"): Tensor => {
  const shape = shapeOfNested(value)
  const flat = (Array.isArray(value) ? (value as Array<Nested>).flat(Infinity as 1) : [value]) as Array<
    number | boolean
  >
  const data = DType.allocHost(dtype, flat.length)
  flat.forEach((x, i) => {
    data[i] = typeof x === "boolean" ? (x ? 1 : 0) : x
  })
  return new ConcreteTensor({ shape, dtype, weakType: false }, data, undefined)
}

/** A host tensor from flat storage-layout data. */
export const fromData = (shape: ReadonlyArray<number>, dtype: DType.DType, data: ArrayLike<number>): Tensor => {
  const host = DType.allocHost(dtype, data.length / DType.lanes(dtype))
  host.set(data)
  return new ConcreteTensor({ shape, dtype, weakType: false }, host, undefined)
}

/** The storage-layout data of a concrete tensor. */
export const data = (t: Tensor): ArrayLike<number> => {
  if (!(t instanceof ConcreteTensor)) throw new Error(`expected a concrete tensor, got ${t}`)
  if (t.host !== undefined) return t.host
  const b = t.buffer!
  const read = b.backend.readSync
  if (read === undefined) throw new Error(`backend ${b.backend.name} cannot read synchronously`)
  return read(b, t.aval)
}

/** Nested JS arrays of a tensor's values (real dtypes). */
export const values = (t: Tensor): unknown => {
  const d = Array.from(data(t))
  const build = (dim: number, offset: number): [unknown, number] => {
    if (dim === t.ndim) return [t.dtype === "bool" ? d[offset] === 1 : d[offset], offset + 1]
    const out: Array<unknown> = []
    let o = offset
    for (let i = 0; i < t.shape[dim]!; i++) {
      const [v, next] = build(dim + 1, o)
      out.push(v)
      o = next
    }
    return [out, o]
  }
  return build(0, 0)[0]
}

/** Asserts equal shapes, dtypes and values within `tol` (relative and absolute); NaN matches NaN. */
export const assertClose = (actual: Tensor, expected: Tensor, tol = 1e-12, label = ""): void => {
  assert.deepStrictEqual(actual.shape, expected.shape, `${label} shape`)
  assert.strictEqual(actual.dtype, expected.dtype, `${label} dtype`)
  Close.assertClose(data(actual), data(expected), tol, label)
}

/** Stacks same-shaped tensors along a new axis `axis` (the loop oracle's gather step). */
export const stack = (xs: ReadonlyArray<Tensor>, axis: number): Tensor =>
  lax.concatenate(xs.map((x) => lax.expandDims(x, [axis])), axis)

/** A small seeded PRNG (mulberry32), so fast-check shrinks over seeds. */
export const prng = (seed: number) => {
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
  return {
    next,
    int,
    uniform: (lo: number, hi: number): number => lo + (hi - lo) * next(),
    pick: <A>(xs: ReadonlyArray<A>): A => xs[int(0, xs.length - 1)]!,
    shuffle: <A>(xs: ReadonlyArray<A>): Array<A> => {
      const out = xs.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i)
        const tmp = out[i]!
        out[i] = out[j]!
        out[j] = tmp
      }
      return out
    }
  }
}

/** @internal */
export type Rng = ReturnType<typeof prng>

/** A random tensor of `shape` and `dtype` with values in `[lo, hi]` (integers for int32, 0/1 for bool). */
export const randomTensor = (
  rng: Rng,
  shape: ReadonlyArray<number>,
  dtype: DType.DType = "float64",
  lo = -2,
  hi = 2
): Tensor => {
  let n = 1
  for (const d of shape) n *= d
  const lanes = DType.lanes(dtype)
  const out = new Array<number>(n * lanes)
  for (let i = 0; i < out.length; i++) {
    out[i] = dtype === "bool" ? rng.int(0, 1) : dtype === "int32" ? rng.int(lo, hi) : rng.uniform(lo, hi)
  }
  return fromData(shape, dtype, out)
}

/** Runs a transformation's Effect synchronously on the CPU backend (failures thrown as the tagged error). */
export const run = Backends.run

/** The typed failure of a transformation's Effect run on the CPU backend. */
export const failure = <A, E>(effect: Effect.Effect<A, E, Backend>): unknown => Backends.failure(effect)

/** Every element of `got` within `tol` (relative to 1 + |want|) of `want`'s, elementwise over the flattened values. */
export const assertCloseAll = (got: unknown, want: unknown, tol: number): void => {
  const g = [values(got as Tensor)].flat(6) as Array<number>
  const w = [values(want as Tensor)].flat(6) as Array<number>
  assert.strictEqual(g.length, w.length)
  g.forEach((v, i) => assert.closeTo(v, w[i]!, tol * (1 + Math.abs(w[i]!)), `element ${i}`))
}

/** The error a synchronous call throws, to read its tag and message (the test fails if it returns). */
export const thrown = (f: () => unknown): { readonly _tag: string; readonly message: string } => {
  try {
    f()
  } catch (e) {
    return e as { _tag: string; message: string }
  }
  throw new Error("expected a failure")
}

/**
 * vmap of one application of `apply` (one or several outputs) against a loop over the batch: `n`
 * examples of each operand, each operand batched along a random axis (negative half the time) or
 * not at all (at least one batched), every output at one random axis; values within `tol`.
 */
export const assertBatchedMatchesLoop = (
  rng: Rng,
  label: string,
  operands: ReadonlyArray<(rng: Rng) => Tensor>,
  apply: (xs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  tol: number
): void => {
  const n = rng.int(1, 3)
  const examples = operands.map((make) => Array.from({ length: n }, () => make(rng)))
  let inAxes = operands.map(() => (rng.next() < 0.3 ? null : 0 as number | null))
  if (inAxes.every((a) => a === null)) inAxes = inAxes.map((_, i) => (i === 0 ? 0 : null))
  const args = examples.map((ex, k) => {
    if (inAxes[k] === null) return ex[0]!
    const axis = rng.int(0, ex[0]!.ndim)
    inAxes[k] = rng.next() < 0.5 ? axis : axis - ex[0]!.ndim - 1
    return stack(ex, axis)
  })
  const perExample = Array.from(
    { length: n },
    (_, i) => apply(examples.map((ex, k) => (inAxes[k] === null ? ex[0]! : ex[i]!)))
  )
  const outAxis = rng.int(0, perExample[0]![0]!.ndim)
  const actuals = vmapFlat(apply, args, inAxes, perExample[0]!.map(() => outAxis))
  assert.strictEqual(actuals.length, perExample[0]!.length)
  actuals.forEach((actual, j) => {
    const expected = stack(perExample.map((outs) => outs[j]!), outAxis)
    assert.deepStrictEqual(actual.shape, expected.shape)
    assertClose(actual, expected, tol, `${label} out ${j} inAxes=${JSON.stringify(inAxes)} out=${outAxis}`)
  })
}
