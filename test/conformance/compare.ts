/**
 * Reading results and comparing them within a tolerance.
 */
import type { BackendShape, Tensor } from "@diffect/core"
import { Backend, BackendError, ConcreteTensor, DType, withBackend } from "@diffect/core"
import { Close } from "@diffect/test-utils"
import { Effect } from "effect"

/** A value as it is compared: dtype, shape and the elements flattened (complex as re, im). */
export interface Flat {
  readonly dtype: DType.DType
  readonly shape: ReadonlyArray<number>
  readonly data: ReadonlyArray<number>
}

/**
 * Runs a case's computation on `backend` (a tensor, or an Effect of one) and
 * reads the result.
 */
export const runCase = (
  backend: BackendShape,
  run: () => Tensor | Effect.Effect<Tensor, unknown, Backend>
): Effect.Effect<Flat, unknown> =>
  Effect.suspend(() => {
    // A synchronous op that fails throws its tagged error: keep it a failure.
    let out: Tensor | Effect.Effect<Tensor, unknown, Backend>
    try {
      out = withBackend(backend, run)
    } catch (e) {
      return Effect.fail(e)
    }
    const tensor = Effect.isEffect(out) ? Effect.provideService(out, Backend, backend) : Effect.succeed(out)
    return Effect.flatMap(tensor, (t) => readFlat(backend, t))
  })

/** Reads a tensor computed on `backend`. */
export const readFlat = (backend: BackendShape, t: Tensor): Effect.Effect<Flat, BackendError> =>
  Effect.suspend(() => {
    if (!(t instanceof ConcreteTensor)) {
      return Effect.fail(new BackendError({ backend: backend.name, detail: "case returned a traced value" }))
    }
    const buffer = t.bufferFor(backend)
    if (buffer === undefined) {
      return Effect.fail(new BackendError({ backend: backend.name, detail: "tensor has no buffer here" }))
    }
    return Effect.map(backend.read(buffer, t.aval), (host) => ({
      dtype: t.dtype,
      shape: t.shape,
      data: Array.from(host as ArrayLike<number>)
    }))
  })

/** Flattens nested JS values (numbers, booleans, `{ re, im }`) in row-major order. */
export const flatten = (value: unknown): Array<number> => {
  const out: Array<number> = []
  const go = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(go)
    else if (typeof v === "boolean") out.push(v ? 1 : 0)
    else if (typeof v === "number") out.push(v)
    else if (typeof v === "object" && v !== null && "re" in v) {
      const c = v as { re: number; im: number }
      out.push(c.re, c.im)
    } else throw new Error(`cannot flatten ${String(v)}`)
  }
  go(value)
  return out
}

/** Tolerances of a comparison: `|got - want| <= atol + rtol * |want|`. */
export type Tolerance = Close.Tolerance

/**
 * The first mismatch between `got` and `want` (NaN matches NaN, infinities
 * match exactly), or `undefined` when they agree.
 */
export const mismatch = (
  got: ReadonlyArray<number>,
  want: ReadonlyArray<number>,
  tol: Tolerance
): string | undefined => {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`
  for (let i = 0; i < got.length; i++) {
    if (!Close.isClose(got[i]!, want[i]!, tol)) {
      return `at flat index ${i}: got ${got[i]}, want ${want[i]} (rtol ${tol.rtol}, atol ${tol.atol})\n got: ${
        got.slice(0, 24).join(", ")
      }\nwant: ${want.slice(0, 24).join(", ")}`
    }
  }
  return undefined
}
