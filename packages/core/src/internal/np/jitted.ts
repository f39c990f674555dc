/**
 * `np` functions that JAX jits (`jnp.hypot`, `jnp.isclose`, `jnp.polyval`,
 * `jnp.clip`, `jnp.var`, ...), run compiled when they run eagerly: op by op,
 * each of their primitives is a pass over the whole array and a fresh output
 * (`np.hypot` of a million values: 27 ms eagerly, 1.7 ms as one fused kernel).
 * Traced, they are staged inline, as JAX's `jit(inline=True)` functions are.
 *
 * @internal
 */
import { compiledWhenEager } from "../../Staging.js"
import type { Tensor } from "../../Tensor.js"

/**
 * `f(...inputs)`, compiled per signature when eager: `statics` names everything
 * besides the inputs' avals that shapes the computation (options, flags);
 * `outputSize`, where it is not the largest input's size (`outer`).
 */
export const jitted = (
  name: string,
  statics: string,
  inputs: ReadonlyArray<Tensor>,
  f: (...inputs: ReadonlyArray<Tensor>) => Tensor,
  outputSize?: number
): Tensor => {
  let size = outputSize ?? 0
  for (const t of inputs) size = Math.max(size, t.shape.reduce((a, b) => a * b, 1))
  return compiledWhenEager(name, statics, size, inputs, (xs) => [f(...xs)])[0]!
}
