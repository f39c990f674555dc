/**
 * JAX's `lax.stage`: the identity that lifts a value into the active trace.
 *
 * @since 0.1.0
 */
import { currentDynamicHandler, liftInto } from "../../Handler.js"
import { asarray } from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"

/**
 * The identity, lifting `x` into the trace being staged (JAX's `lax.stage`): a JS value or a
 * tensor becomes a value of the program `jit` or `makeProgram` is tracing (one of its constants),
 * instead of a value computed before it. Outside any staging, a tensor of `x` (as `np.asarray`).
 *
 * @example
 * import { lax, makeProgram, np, runSync, toJsSync } from "diffect"
 * console.log(toJsSync(lax.stage([1, 2]))) // [1, 2]
 * // under staging the value is a variable of the program (its constant input a), returned as is
 * const program = runSync(makeProgram(() => lax.stage(np.array([1, 2])))())
 * console.log(String(program)) // { lambda a:f32[2] ; . let  in (a,) }
 *
 * @since 0.1.0
 */
export const stage = (x: TensorLike): Tensor => {
  const t = asarray(x)
  const handler = currentDynamicHandler()
  return handler === undefined || !handler.active ? t : liftInto(handler, [t])[0]!
}
