/**
 * The batch handler (JAX's `BatchTrace`): its tracers carry a value with one
 * extra dimension, the batch dimension, or `null` when the value does not vary
 * along the batch.
 *
 * @internal
 */
import { Tracer } from "@diffect/core"
import type { AbstractValue, Handler, Tensor } from "@diffect/core"

/**
 * A value batched by one vmap: `value` has the batch dimension at `batchDim`
 * (or none when `batchDim` is `null`).
 *
 * @internal
 */
export class BatchTracer extends Tracer {
  readonly #aval: AbstractValue
  constructor(
    readonly handler: Handler,
    readonly value: Tensor,
    readonly batchDim: number | null
  ) {
    super()
    if (batchDim === null) this.#aval = value.aval
    else {
      const a = value.aval
      const shape = a.shape.slice()
      shape.splice(batchDim, 1)
      this.#aval = { shape, dtype: a.dtype, weakType: a.weakType }
    }
  }
  get aval(): AbstractValue {
    return this.#aval
  }
}
