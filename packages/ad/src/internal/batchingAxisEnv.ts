/**
 * The dynamic axis environment: the named axes bound by the `vmap`s whose user
 * code is running now. Collectives (`psum(x, "batch")`) find their vmap here by
 * name, even when `x` carries none of that vmap's tracers.
 *
 * Set only around synchronous user code (like `withDynamicHandler`), so
 * concurrent fibers never observe each other's frames.
 *
 * @internal
 */
import type { Handler } from "@diffect/core"

/**
 * One bound axis: its name, its size, and the batch handler of the vmap that bound it.
 *
 * @internal
 */
export interface AxisFrame {
  readonly name: string
  readonly size: number
  readonly handler: Handler
}

const frames: Array<AxisFrame> = []

/**
 * Runs `thunk` with `frame` bound (innermost wins on a repeated name, as in JAX).
 *
 * @internal
 */
export const withAxisFrame = <A>(frame: AxisFrame, thunk: () => A): A => {
  frames.push(frame)
  try {
    return thunk()
  } finally {
    frames.pop()
  }
}

/**
 * The innermost frame binding `name`, if any.
 *
 * @internal
 */
export const lookupAxis = (name: string): AxisFrame | undefined => {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!
    if (f.name === name) return f
  }
  return undefined
}

/**
 * The bound axes as a cache key (names and sizes, outermost first; "" when none). A function
 * traced under one environment may read it into its program (`axisSize`, `axisIsBound`), so a
 * cache of traced programs keys on it, as JAX's jit cache holds the axis environment (jax issue
 * 9187).
 *
 * @internal
 */
export const axisEnvKey = (): string => {
  if (frames.length === 0) return ""
  let key = ""
  for (const f of frames) key += `${JSON.stringify(f.name)}:${f.size},`
  return key
}

/**
 * The names bound now, outermost first (for error messages).
 *
 * @internal
 */
export const boundAxisNames = (): ReadonlyArray<string> => frames.map((f) => f.name)
