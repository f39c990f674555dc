/**
 * Helpers for the differentiation API's tests: tensors from nested JS arrays,
 * values read back as nested JS arrays, and running transformations on the CPU
 * backend.
 */
import { aval, ConcreteTensor, DType, isTensor, peekHost, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assertError, Backends, Close } from "@diffect/test-utils"
import { assert } from "@effect/vitest"

export type Nested = number | boolean | { readonly re: number; readonly im: number } | ReadonlyArray<Nested>

const shapeOf = (
  v: Nested
): Array<number> => (Array.isArray(v) ? [v.length, ...shapeOf((v as ReadonlyArray<Nested>)[0]!)] : [])

/** A host tensor from nested arrays (complex elements as `{ re, im }`). */
export const tensor = (value: Nested, dtype: DType.DType = "float32"): Tensor => {
  const shape = shapeOf(value)
  const flat: Array<Nested> = []
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) { for (const e of v as ReadonlyArray<Nested>) walk(e) }
    else flat.push(v)
  }
  walk(value)
  const data = DType.allocHost(dtype, flat.length)
  const lanes = DType.lanes(dtype)
  flat.forEach((v, i) => {
    if (typeof v === "object") {
      const z = v as { re: number; im: number }
      data[2 * i] = z.re
      data[2 * i + 1] = z.im
    } else data[i * lanes] = typeof v === "boolean" ? (v ? 1 : 0) : v
  })
  return new ConcreteTensor(aval(shape, dtype), data, undefined)
}

/**
 * The storage-layout data of a concrete tensor (complex interleaved), for an
 * immediate read: a peek, which leaves the storage the buffer's own (donatable).
 */
export const data = (x: Tensor): DType.HostArray => {
  const c = x as ConcreteTensor
  if (c.host !== undefined) return c.host
  return peekHost(c.buffer!, c.aval)!
}

/** A tensor as nested JS arrays (complex elements as `{ re, im }`, float0 as 0). */
export const js = (x: Tensor): unknown => {
  const d = data(x)
  const complex = DType.isComplex(x.dtype)
  const build = (dim: number, offset: number): unknown => {
    if (dim === x.ndim) {
      if (x.dtype === "float0") return 0
      if (complex) return { re: d[2 * offset], im: d[2 * offset + 1] }
      return x.dtype === "bool" ? d[offset] === 1 : d[offset]
    }
    let stride = 1
    for (let i = dim + 1; i < x.ndim; i++) stride *= x.shape[i]!
    return Array.from({ length: x.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride))
  }
  return build(0, 0)
}

/** Every tensor leaf of a tree as nested JS arrays. */
export const toJs = (tree: unknown): unknown => Tree.map(tree, (leaf: unknown) => (isTensor(leaf) ? js(leaf) : leaf))

export const backend = Backends.cpu

/** Runs a transformation's Effect synchronously on the CPU backend; failures are thrown. */
export const run = Backends.run

/** The typed failure of an Effect run on the CPU backend (fails the test if it succeeds). */
export const failure = Backends.failure

export const provideCpu = Backends.provideCpu

/** What `f` throws (its tag and message); fails the test when it returns. */
export const thrown = (f: () => unknown): { readonly tag: string | undefined; readonly message: string } => {
  try {
    f()
  } catch (e) {
    return { tag: (e as { _tag?: string })._tag, message: (e as Error).message }
  }
  return assert.fail("expected an error")
}

/** Asserts two nested structures of numbers are close: `tol` relative and absolute. */
const close = (actual: unknown, expected: unknown, tol = 1e-5): void => Close.assertClose(actual, expected, tol)

/**
 * Assertions of these tests (named `expect` so that the linter's expect-expect rule
 * sees them): `expect.close(actual, expected, tol)` on nested numbers and `{ re, im }`;
 * `expect.error(e, Class, messageOrPattern)`.
 */
export const expect = { close, error: assertError }
