/**
 * The pytree side of `jvp`, `vjp`, `linearize`, `linearTranspose` and
 * `makeProgram`: primals flattened to tensors, user functions traced on flat
 * leaves, and tangents or cotangents checked against the values they pair with,
 * with JAX's messages.
 */
import { lax, Shape, Tree } from "@diffect/core"
import type { AbstractValue, Backend, Tensor } from "@diffect/core"
import { argumentError } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { CotangentMismatchError } from "../Errors.js"
import type { DiffError } from "../Errors.js"
import type { AnyFunction, ContextOf, ErrorOf } from "../Types.js"
import { checkCallable, leafToAval, leafToTensor, tangentDType } from "./args.js"
import { flattenOutput } from "./output.js"
import type { OutCapture } from "./output.js"
import { resolve } from "./shell.js"

/** What a pytree transformation of `F` gives: an Effect of `A` needing a `Backend`. */
export type Result<F extends AnyFunction, A> = Effect.Effect<A, DiffError | ErrorOf<F>, Backend | ContextOf<F>>

/**
 * A tangent, cotangent or primal leaf given by the user as a tensor. A JS number
 * takes `like`'s dtype, so that `jvp(f, [x64], [1])` needs no explicit dtype.
 */
export const tangentLeaf = (
  name: string,
  leaf: unknown,
  tree: unknown,
  k: number,
  label: string,
  like: Pick<Tensor, "dtype" | "shape" | "weakType">
): Tensor =>
  typeof leaf === "number"
    ? lax.scalar(leaf, tangentDType(like.dtype) === "float0" ? "float0" : like.dtype, like.weakType)
    : leafToTensor(name, leaf, tree, k, label)

/** Calls `f` on the pytree arguments rebuilt from flat leaves; flattens its output. */
export const tracedFn = (
  name: string,
  f: AnyFunction,
  inDef: Tree.TreeDef,
  hasAux: boolean,
  capture: OutCapture
) =>
(xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  checkCallable(name, f)
  const args = Tree.unflatten<ReadonlyArray<unknown>>(inDef, xs)
  return flattenOutput(name, resolve(name, f(...args)), hasAux, capture)
}

export const fnName = (f: AnyFunction): string => (f.name.length > 0 ? f.name : "<anonymous>")

/** `primals` given to vjp, linearize, ...: the array of the function's arguments (an `ArgumentError` otherwise). */
export const checkPrimals = <P>(name: string, primals: P): P => {
  if (!Array.isArray(primals)) throw argumentError(name, "primals", "an array of the function's arguments", primals)
  return primals
}

export const flattenPrimals = (
  name: string,
  primals: ReadonlyArray<unknown>
): readonly [Array<Tensor>, Tree.TreeDef] => {
  const [leaves, def] = Tree.flatten(primals)
  return [leaves.map((leaf, k) => leafToTensor(name, leaf, primals, k, "the primals")), def]
}

/** `flattenPrimals` for the functions that only stage: leaves as abstract values (`ShapeDtypeStruct`s allowed). */
export const flattenAbstract = (
  name: string,
  primals: ReadonlyArray<unknown>,
  label = "the primals"
): readonly [Array<AbstractValue>, Tree.TreeDef] => {
  const [leaves, def] = Tree.flatten(primals)
  return [leaves.map((leaf, k) => leafToAval(name, leaf, primals, k, label)), def]
}

/** Checks tangents (or cotangents) against the values they pair with: structure, dtype, shape. */
export const checkPaired = (
  fn: string,
  expectedDef: Tree.TreeDef,
  expected: ReadonlyArray<Pick<Tensor, "dtype" | "shape" | "weakType">>,
  given: unknown,
  // linearTranspose's cotangents have the outputs' own dtypes (integer functions
  // included, as JAX's `core.typecheck`); elsewhere, the tangent dtype (float0 for ints).
  exact = false
): Array<Tensor> => {
  const [leaves, def] = Tree.flatten(given)
  if (!Tree.treedefEquals(def, expectedDef)) {
    throw new CotangentMismatchError({
      function: fn,
      kind: "structure",
      expected: String(expectedDef),
      got: String(def)
    })
  }
  return leaves.map((leaf, k) => {
    const like = expected[k]!
    const t = exact && typeof leaf === "number"
      ? lax.scalar(leaf, like.dtype, like.weakType)
      : tangentLeaf(fn, leaf, given, k, `the argument of the ${fn} function`, like)
    const dtype = exact ? like.dtype : tangentDType(like.dtype)
    if (t.dtype !== dtype || !Shape.shapeEquals(t.shape, like.shape)) {
      throw new CotangentMismatchError({
        function: fn,
        kind: "type",
        expected: `${dtype}${Shape.formatShape(like.shape)}`,
        got: `${t.dtype}${Shape.formatShape(t.shape)}`
      })
    }
    return t
  })
}
