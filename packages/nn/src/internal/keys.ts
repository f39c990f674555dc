/**
 * Keys: checks, shapes, the stream flag (JAX's `jax_threefry_partitionable`) and
 * unpacking split keys.
 *
 * @since 0.1.0
 */
import { DType, DTypeError, lax, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkShape, checkTensor } from "@diffect/core/Validate"
import * as threefry from "./threefry.js"

/** A shape or a single dimension. @since 0.1.0 */
export type ShapeLike = number | ReadonlyArray<number>

let partitionableStream = true

/** The stream in use: JAX's `jax_threefry_partitionable` (default on). @since 0.1.0 */
export const partitionable = (): boolean => partitionableStream

/** Sets the stream flag; returns the previous value. @since 0.1.0 */
export const setPartitionable = (flag: boolean): boolean => {
  const saved = partitionableStream
  partitionableStream = flag
  return saved
}

export const shapeOf = (operation: string, shape: ShapeLike): Array<number> => [...checkShape(operation, shape)]

export const checkKey = (operation: string, key: Tensor, single = true): Tensor => {
  checkTensor(operation, "key", key)
  if (key.dtype !== "uint32" || key.ndim === 0 || key.shape[key.ndim - 1] !== 2) {
    throw new DTypeError({
      operation,
      detail: `requires a PRNG key: a uint32 array of shape [..., 2] (random.key(seed)), got ${
        DType.shortName(key.dtype)
      }[${key.shape.join(",")}]`
    })
  }
  if (single && key.ndim !== 1) {
    throw new ShapeError({
      operation,
      detail: `accepts a single key, but was given a key array of shape [${
        key.shape.slice(0, -1).join(", ")
      }] != []. Use vmap for batching.`
    })
  }
  return key
}

/** Key `i` of a `[n, 2]` key array. */
export const keyAt = (keys: Tensor, i: number): Tensor => lax.reshape(lax.slice(keys, [i, 0], [i + 1, 2], null), [2])

/** `n` keys from one, as a list (JAX's `_split(key, n)` unpacked). */
export const splitN = (key: Tensor, n: number): Array<Tensor> => {
  const keys = threefry.split(key, [n], partitionable())
  return Array.from({ length: n }, (_, i) => keyAt(keys, i))
}
