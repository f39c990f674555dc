/**
 * `evalShape` (JAX's `jax.eval_shape`): the shapes and dtypes of a function's outputs, found by
 * staging it, without computing anything.
 *
 * @since 0.1.0
 */
import { ShapeDtypeStruct, Tree } from "@diffect/core"
import type { Backend } from "@diffect/core"
import type { Effect } from "effect"
import type { DiffError } from "./Errors.js"
import { checkCallable } from "./internal/args.js"
import { makeOutCapture } from "./internal/output.js"
import { flattenAbstract, tracedFn } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import { makeProgramFlat } from "./internal/staging.js"
import type { AbstractArgs, AnyFunction, ContextOf, ErrorOf, Unwrap } from "./Types.js"

/**
 * The types of a function's outputs (JAX's `jax.eval_shape`): `f` is staged at the arguments'
 * shapes and dtypes (tensors, `ShapeDtypeStruct`s, JS numbers and booleans), and the result has
 * the structure of its output with a `ShapeDtypeStruct` for each tensor. Nothing is computed and
 * no argument's memory is needed, so a `ShapeDtypeStruct` may be larger than memory (as long as
 * the operations' shapes stay within an array's 2^31 - 1 elements, which some of them check).
 *
 * @example
 * import { evalShape, np, runSync, ShapeDtypeStruct } from "diffect"
 * import type { Tensor } from "diffect"
 *
 * const layer = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.tanh(np.add(np.matmul(x, p.w), p.b))
 * const params = { w: new ShapeDtypeStruct([784, 4096], "float32"), b: new ShapeDtypeStruct([4096], "float32") }
 * const out = runSync(evalShape(layer, params, new ShapeDtypeStruct([100000, 784], "float32")))
 * console.log(String(out)) // ShapeDtypeStruct(shape=(100000, 4096), dtype=float32)
 *
 * @category Programs
 * @since 0.1.0
 */
export const evalShape = <F extends AnyFunction>(
  f: F,
  ...args: AbstractArgs<Parameters<F>>
): Effect.Effect<
  Tree.MapLeaves<Unwrap<ReturnType<F>>, ShapeDtypeStruct>,
  DiffError | ErrorOf<F>,
  Backend | ContextOf<F>
> =>
  transformation(() => {
    checkCallable("evalShape", f)
    const [avals, def] = flattenAbstract("evalShape", args, "the arguments")
    const capture = makeOutCapture()
    const program = makeProgramFlat(tracedFn("evalShape", f, def, false, capture), avals)
    const outs = program.outAvals.map((a) => new ShapeDtypeStruct(a.shape, a.dtype, { weakType: a.weakType }))
    return Tree.unflatten(capture.def!, outs) as never
  })
