/**
 * `jvp`: forward-mode differentiation of a function of pytrees (JAX's
 * `jax.jvp`). The handler is in internal/jvp.ts, its rules in rules/jvp.ts.
 *
 * @since 0.1.0
 */
import { Shape, Tree } from "@diffect/core"
import { boolean, checkOptions } from "@diffect/core/Validate"
import { TangentMismatchError } from "./Errors.js"
import { tangentDType } from "./internal/args.js"
import { describe } from "./internal/describe.js"
import { rebuildAux } from "./internal/grad.js"
import { jvpFlat } from "./internal/jvp.js"
import { makeOutCapture } from "./internal/output.js"
import { flattenPrimals, tangentLeaf, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import type { AnyFunction, AuxOf, GradOf, JacOut } from "./Types.js"

/**
 * The output of `F` (without its aux when `A`), with JS numbers as tensors.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type OutputOf<F extends AnyFunction, A extends boolean = false> = GradOf<JacOut<F, A>>

/**
 * Options of `jvp`, `vjp` and `linearize`.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface AuxOptions<A extends boolean = boolean> {
  /** The function returns `[output, aux]`; `aux` is returned, not differentiated. */
  readonly hasAux?: A
}

/**
 * A Jacobian-vector product (JAX's `jax.jvp`): evaluates `f(...primals)` and its
 * directional derivative along `tangents`. `primals` and `tangents` are arrays of
 * arguments with the same structure, shapes and (tangent) dtypes: a float
 * tangent has its primal's dtype, an int/bool primal takes a `float0` tangent.
 *
 * Gives `[out, tangentOut]`, or `[out, tangentOut, aux]` with `hasAux`.
 *
 * @example
 * import { jvp, np, runSync, toJsSync } from "diffect"
 * // as jax.jvp(jnp.sin, (0.1,), (0.2,))
 * const [y, dy] = runSync(jvp(np.sin, [np.array(0.1)], [np.array(0.2)]))
 * console.log(toJsSync(y), toJsSync(dy)) // 0.09983342 0.19900084
 *
 * @category Transformations
 * @since 0.1.0
 */
export const jvp = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  primals: Parameters<F>,
  tangents: GradOf<Parameters<F>> | Parameters<F>,
  options: AuxOptions<A> = {}
): Result<F, A extends true ? [OutputOf<F, A>, OutputOf<F, A>, AuxOf<F>] : [OutputOf<F>, OutputOf<F>]> =>
  transformation(() => {
    checkOptions("jvp", options, { hasAux: boolean })
    if (!Array.isArray(primals) || !Array.isArray(tangents)) {
      const kind = (u: unknown) => Array.isArray(u) ? "array" : describe(u)
      throw new TangentMismatchError({ kind: "notArray", primal: kind(primals), tangent: kind(tangents), expected: "" })
    }
    const [ps, pDef] = flattenPrimals("jvp", primals)
    const [tLeaves, tDef] = Tree.flatten(tangents)
    if (!Tree.treedefEquals(pDef, tDef)) {
      throw new TangentMismatchError({ kind: "structure", primal: String(pDef), tangent: String(tDef), expected: "" })
    }
    const ts = tLeaves.map((leaf, k) => {
      const p = ps[k]!
      const t = tangentLeaf("jvp", leaf, tangents, k, "the tangents", p)
      const expected = tangentDType(p.dtype)
      if (t.dtype !== expected) {
        throw new TangentMismatchError({ kind: "dtype", primal: p.dtype, tangent: t.dtype, expected })
      }
      if (!Shape.shapeEquals(p.shape, t.shape)) {
        throw new TangentMismatchError({
          kind: "shape",
          primal: Shape.formatShape(p.shape),
          tangent: Shape.formatShape(t.shape),
          expected: ""
        })
      }
      return t
    })
    const hasAux = options.hasAux === true
    const capture = makeOutCapture()
    const [outs, outTangents] = jvpFlat(tracedFn("jvp", f, pDef, hasAux, capture), ps, ts)
    const n = capture.count
    const out = Tree.unflatten(capture.def!, outs.slice(0, n))
    const tangentOut = Tree.unflatten(capture.def!, outTangents.slice(0, n))
    return (hasAux ? [out, tangentOut, rebuildAux(capture.aux, outs)] : [out, tangentOut]) as never
  })
