/**
 * `linearTranspose` (JAX's `jax.linear_transpose`): the transpose of a linear
 * function of pytrees. The backward pass is in internal/transpose.ts, the rules
 * of the linear primitives in rules/transpose.ts.
 *
 * @since 0.1.0
 */
import { DType, Memory, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { LinearTransposeDTypeError } from "./Errors.js"
import { makeOutCapture } from "./internal/output.js"
import { checkPaired, flattenAbstract, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import { linearTransposeParts } from "./internal/transpose.js"
import type { OutputOf } from "./Jvp.js"
import type { AbstractArgs, AnyFunction } from "./Types.js"
import type { VjpFn } from "./Vjp.js"

/**
 * The transpose of a linear function (JAX's `jax.linear_transpose`). `primals`
 * only give the input shapes and dtypes (tensors, or `ShapeDtypeStruct`s). The result maps a cotangent of the
 * output to the tuple of input cotangents, with the inputs' dtypes.
 *
 * @example
 * import { linearTranspose, np, toJs, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * import { Effect } from "effect"
 * const f = (x: Tensor, y: Tensor) => np.subtract(np.multiply(x, 0.5), np.multiply(y, 0.5))
 * const program = Effect.gen(function*() {
 *   const t = yield* linearTranspose(f, np.array(0), np.array(0))
 *   return yield* toJs(yield* t(np.array(1)))
 * })
 * console.log(await Effect.runPromise(program.pipe(Effect.provide(TypedArrayBackend.layer)))) // [0.5, -0.5]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const linearTranspose = <F extends AnyFunction>(
  f: F,
  ...primals: AbstractArgs<Parameters<F>>
): Result<F, VjpFn<OutputOf<F>, Parameters<F>>> =>
  transformation(() => {
    const [ps, pDef] = flattenAbstract("linearTranspose", primals)
    const capture = makeOutCapture()
    let outAvals: ReadonlyArray<Tensor> = []
    const traced = tracedFn("linearTranspose", f, pDef, false, capture)
    const [program, transpose] = linearTransposeParts((xs) => {
      const outs = traced(xs)
      outAvals = outs
      return outs
    }, ps)
    const inDTypes = ps.map((p) => p.dtype)
    const outDTypes = outAvals.map((y) => y.dtype)
    const all = [...inDTypes, ...outDTypes]
    // JAX's rule: all inexact, or all integer (an integer linear map is transposed on integers).
    if (!all.every(DType.isInexact) && !all.every(DType.isInteger)) {
      throw new LinearTransposeDTypeError({ kind: "mixed", inDTypes, outDTypes })
    }
    const outs = outAvals.map((y) => y.aval)
    // The program's constants outlive the region.
    Memory.keepAll()
    // A Tree.partial with the constants bound (JAX's linear_transpose returns a Partial): jit can
    // take and return it.
    const transposed = (consts: ReadonlyArray<Tensor>, cotangent: unknown) =>
      transformation(() => {
        const cts = checkPaired("transposed", capture.def!, outs, cotangent, true)
        return Tree.unflatten(pDef, transpose(consts, cts))
      })
    return Tree.partial(transposed, program.consts) as never
  })
