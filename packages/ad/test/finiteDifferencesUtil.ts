/**
 * Test helpers for the handler suites: float64 host tensors, reading values back,
 * central finite differences and inner products.
 */
import { aval, ConcreteTensor, DType, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { jvpFlat, vjpFlat } from "../src/index.js"

/** A host tensor of `dtype` (default float64) with the given flat values. */
export const tensor = (
  values: ReadonlyArray<number>,
  shape: ReadonlyArray<number> = [values.length],
  dtype: DType.DType = "float64"
): Tensor => {
  const data = DType.allocHost(dtype, values.length / DType.lanes(dtype) || values.length)
  values.forEach((v, i) => (data[i] = v))
  return new ConcreteTensor(aval(shape, dtype), data, undefined)
}

/** A float64 scalar. */
export const scalar = (v: number): Tensor => tensor([v], [])

/** A complex128 tensor from `[re, im]` pairs. */
export const ctensor = (
  pairs: ReadonlyArray<readonly [number, number]>,
  shape: ReadonlyArray<number> = [pairs.length]
): Tensor => {
  const data = new Float64Array(pairs.length * 2)
  pairs.forEach(([re, im], i) => {
    data[2 * i] = re
    data[2 * i + 1] = im
  })
  return new ConcreteTensor(aval(shape, "complex128"), data, undefined)
}

/** The flat storage values of a concrete tensor (complex interleaved). */
export const values = (t: Tensor): Array<number> => {
  const c = t as ConcreteTensor
  const data = c.host ?? c.buffer!.backend.readSync!(c.buffer!, c.aval)
  return Array.from(data as ArrayLike<number>)
}

/** The single value of a scalar tensor. */
export const value = (t: Tensor): number => values(t)[0]!

/** Sum of elementwise products of storage values (the real inner product, complex as R^2). */
export const dotValues = (a: Tensor, b: Tensor): number => {
  const x = values(a)
  const y = values(b)
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!
  return s
}

/** `grad` of a scalar function of one tensor, on top of `vjpFlat` (cotangent one). */
export const grad = (f: (x: Tensor) => Tensor) => (x: Tensor): Tensor => {
  const [[y], vjpFn] = vjpFlat(([a]) => [f(a!)], [x])
  return vjpFn([lax.full(y!.shape, 1, y!.dtype)])[0]!
}

/** Derivative of a function of one tensor along `t`, on top of `jvpFlat`. */
export const derivative =
  (f: (x: Tensor) => Tensor, t: (x: Tensor) => Tensor = (x) => lax.full(x.shape, 1, x.dtype)) => (x: Tensor): Tensor =>
    jvpFlat(([a]) => [f(a!)], [x], [t(x)])[1][0]!
