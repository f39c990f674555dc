/**
 * Evaluation of the higher-order primitives on concrete operands: they have no
 * backend kernel; they run the programs their parameters hold with `run` (the
 * installed program runner: compiled when `@diffect/ad`'s jit is loaded).
 */
import type { HigherOrderPrimitive, Params } from "../Primitive.js"
import type { Program } from "../Program.js"
import type { Tensor } from "../Tensor.js"

/** Runs a program on concrete inputs. */
export type Run = (program: Program, inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>

type EvalRule<P extends HigherOrderPrimitive> = (
  operands: ReadonlyArray<Tensor>,
  params: Params<P>,
  run: Run
) => ReadonlyArray<Tensor>

/** One evaluation rule per higher-order primitive (a missing entry is a compile error). */
export const higherOrderEvalRules: { readonly [P in HigherOrderPrimitive]: EvalRule<P> } = {
  jit_call: (operands, { program }, run) => run(program, operands)
}
