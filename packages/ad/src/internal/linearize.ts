/**
 * Linearization (JAX's `linearize`): a JVP whose tangents are staged. A staging
 * handler S (a partial-evaluation handler: a higher-order primitive applied to
 * primals and tangents is split, its primal work done now) is made first and a JVP handler J after it (so J outranks S); the
 * primals are the caller's values, the tangents are S's input variables. Running
 * `f` computes the primal outputs eagerly (or on outer tracers) while every
 * operation touching a tangent is recorded by S: the output tangents' recorded
 * computation is the linear Program. Its constants are primal-side values, which
 * may be tracers of outer transformations: that is how `grad(grad(f))` nests.
 *
 * @since 0.1.0
 */
import { transformNameStack } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { evalProgram } from "../Program.js"
import type { Program } from "../Program.js"
import { JvpHandler, unzipOutputs } from "./jvp.js"
import { PartialEvalHandler } from "./partialEval.js"
import { hasTrivialTangent, tangentAval, zeroTangent } from "./tangents.js"

/**
 * Linearizes `f` at `primals` on flat lists: gives the primal outputs, the linear
 * function `tangents => output tangents` and its Program (inputs: one tangent per
 * primal; outputs: one tangent per output; int/bool values have float0 tangents).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import { linearizeFlat } from "diffect/extend"
 * const [[y], jvpFn, program] = linearizeFlat(([x]) => [lax.sin(x!)], [np.array(1)])
 * // sin(1), and the tangent 2 maps to 2 cos(1)
 * console.log(toJsSync([y!, jvpFn([np.array(2)])[0]!])) // [0.8414710, 1.0806046]
 * // a is the constant cos(1), computed eagerly; b is the tangent input
 * console.log(program.toString())
 * // { lambda a:f32[] ; b:f32[]. let
 * //     c:f32[] = mul b a
 * //   in (c,) }
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const linearizeFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>
): readonly [
  outs: ReadonlyArray<Tensor>,
  jvpFn: (tangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  program: Program
] => {
  const staging = new PartialEvalHandler("linearize")
  const handler = new JvpHandler("linearize")
  let program: Program
  let ys: Array<Tensor>
  try {
    const inputs = primals.map((p) => {
      const t = staging.newInput(tangentAval(p.aval))
      return handler.pure(p, hasTrivialTangent(p.aval) ? null : t)
    })
    // the staging handler began before the transformation: its equations keep jvp(...)
    const outs = transformNameStack("jvp", () => f(inputs))
    handler.active = false
    const [primalOuts, tangentOuts] = unzipOutputs(handler, outs)
    ys = primalOuts
    // A zero output tangent becomes a constant zero of the program.
    program = staging.finish(tangentOuts.map((t, i) => t ?? zeroTangent(primalOuts[i]!.aval)), true)
  } finally {
    handler.active = false
    staging.active = false
  }
  const jvpFn = (tangents: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> =>
    evalProgram(program, program.consts, tangents)
  return [ys, jvpFn, program]
}
