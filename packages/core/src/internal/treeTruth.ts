/**
 * The truth value of a one-element tensor, for `Tree.all`: `ToJs` installs its
 * synchronous reader here (Tree cannot import ToJs, which imports Tree).
 *
 * @since 0.1.0
 */
import type { Tensor } from "../Tensor.js"

let reader: ((t: Tensor) => unknown) | undefined

/** Installs the synchronous reader of a tensor's values (ToJs's `toJsSync`). */
export const installTruthReader = (read: (t: Tensor) => unknown): void => {
  reader = read
}

/** The truth of a one-element tensor's value (a boolean, a number, or a complex `{ re, im }`), as Python's `bool`. */
export const truthOf = (t: Tensor): boolean => {
  if (reader === undefined) throw new Error("diffect: ToJs was not loaded") // unreachable through the index
  let v = reader(t)
  while (Array.isArray(v)) v = v[0]
  if (typeof v === "object" && v !== null) {
    const { im, re } = v as { re: number; im: number }
    return re !== 0 || im !== 0
  }
  return Boolean(v)
}
