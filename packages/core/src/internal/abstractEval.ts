/**
 * Abstract evaluation: output shapes and dtypes of each primitive, and the
 * validation of its operands. PLACEHOLDER — being written (owner: ops API).
 */
import type { Params, Primitive } from "../Primitive.js"
import type { AbstractValue } from "../Tensor.js"

/** @since 0.1.0 */
export type AbstractEvalRule<P extends Primitive> = (
  avals: ReadonlyArray<AbstractValue>,
  params: Params<P>
) => ReadonlyArray<AbstractValue>

/** @since 0.1.0 */
export const abstractEvalRules: { readonly [P in Primitive]: AbstractEvalRule<P> } = {} as never
