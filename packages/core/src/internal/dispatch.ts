/**
 * The bottom of the handler stack: evaluation on the active backend.
 */
import { abstractEvalRules } from "../AbstractEval.js"
import { activeBackend } from "../Backend.js"
import { BackendError } from "../Errors.js"
import type { Params, Primitive } from "../Primitive.js"
import { ConcreteTensor } from "../Tensor.js"
import type { Tensor } from "../Tensor.js"

/**
 * Evaluates a primitive on concrete operands: validates and infers output types
 * by abstract evaluation, then enqueues the backend kernel. Re-exported by
 * Handler.ts (users reach it through diffect/extend).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const evalPrimitive = <P extends Primitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>
): ReadonlyArray<Tensor> => {
  const inAvals = operands.map((x) => x.aval)
  const outAvals = abstractEvalRules[primitive](inAvals, params)
  const backend = activeBackend()
  if (backend === undefined) {
    throw new BackendError({
      backend: "none",
      detail:
        "no backend is active: run inside an Effect with a Backend layer, or import from \"diffect\" to use the typed-array backend by default"
    })
  }
  // `bind` evaluates only when no operand is a tracer: every operand is concrete.
  const inputs = operands.map((x) => {
    const buffer = (x as ConcreteTensor).bufferFor(backend)
    if (buffer === undefined) {
      throw new BackendError({
        backend: backend.name,
        detail: `a tensor computed on the ${
          (x as ConcreteTensor).buffer?.backend.name
        } backend cannot be used synchronously on this one; read it with toJs and make a new array`
      })
    }
    return buffer
  })
  const outs = backend.execute(primitive, inputs, inAvals, params, outAvals)
  return outs.map((b, i) => new ConcreteTensor(outAvals[i]!, undefined, b))
}
