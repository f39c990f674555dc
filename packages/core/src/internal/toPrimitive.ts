/**
 * A tensor as a JS primitive (`Symbol.toPrimitive`), JAX's `__float__`:
 * numeric contexts (`Number(t)`, `+t`, `t > 0`, `t * 2`, `Math.max(t, 0)`)
 * read a one-element tensor's value, and fail where JAX's `float(x)` fails
 * instead of giving `NaN`: a value traced by `jit`, `vmap` or a staging
 * (`ConcretizationError`, with its hint), more than one element (`ShapeError`,
 * numpy's "only length-1 arrays"), a complex value (`DTypeError`), a backend that
 * cannot read synchronously (`BackendError`). String contexts (`${t}`,
 * `"x: " + t`, `==`) keep `toString()`, JAX's repr.
 *
 * @internal
 */
import { DTypeError, ShapeError } from "../Errors.js"
import type { Tensor } from "../Tensor.js"
import { toJsSync } from "../ToJs.js"

const unwrap = (v: unknown): unknown => (Array.isArray(v) ? unwrap(v[0]) : v)

export const tensorToPrimitive = function(this: Tensor, hint: string): number | string {
  if (hint !== "number") return this.toString()
  if (this.dtype === "complex64" || this.dtype === "complex128") {
    throw new DTypeError({
      operation: "Number(tensor)",
      detail: `a ${this.dtype} value has no JS number; read it with toJs (as { re, im }) or take np.real`
    })
  }
  if (this.size !== 1) {
    throw new ShapeError({
      operation: "Number(tensor)",
      detail: `only one-element tensors convert to a JS number (Number(x), +x, x > 0, x * 2); this one has shape [${
        this.shape.join(", ")
      }]: use the tensor's methods (x.gt(0), x.mul(2)) or read it with toJs`
    })
  }
  // toJsSync looks through values of forward-mode differentiation (their primal, as JAX's
  // JVPTracer) and fails for staged and batched ones
  const value = unwrap(toJsSync(this))
  return typeof value === "boolean" ? Number(value) : value as number
}
