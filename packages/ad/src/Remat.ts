/**
 * `checkpoint` (JAX's `jax.checkpoint`, also `remat`): trades memory for
 * compute in reverse mode. The function is staged once into a program and
 * bound as the higher-order primitive `remat`; when differentiated, the
 * forward pass keeps only the values the `policy` saves (by default none:
 * only the function's inputs), and the backward pass recomputes the others.
 * The policies are JAX's `jax.checkpoint_policies`.
 *
 * @since 0.1.0
 */
import { ArgumentError, aval, bind, bind1, ConcreteTensor, Tensor, Tree } from "@diffect/core"
import type { Primitive, RematPolicy } from "@diffect/core"
import { hoistConsts } from "@diffect/core/Program"
import { makeProgramFlat } from "@diffect/core/Staging"
import { anyValue, argumentError, checkOptions } from "@diffect/core/Validate"

// Names are strings (a typed error otherwise, before the policy exists).
const checkNames = (operation: string, names: ReadonlyArray<unknown>): void => {
  const bad = names.findIndex((n) => typeof n !== "string")
  if (bad >= 0) throw argumentError(`checkpointPolicies.${operation}`, `names[${bad}]`, "a string", names[bad])
}

const policy = (name: string, saveable: RematPolicy["saveable"]): RematPolicy => ({
  name,
  saveable,
  toString: () => name
} as RematPolicy)

const isDot = (p: Primitive) => p === "dot_general"

/**
 * JAX's `jax.checkpoint_policies`: which values the forward pass may save.
 *
 * @example
 * import { checkpointPolicies } from "diffect"
 * console.log(String(checkpointPolicies.dotsSaveable)) // dots_saveable
 *
 * @since 0.1.0
 */
export const checkpointPolicies = {
  /** Save nothing: recompute everything but the inputs (the default). */
  nothingSaveable: policy("nothing_saveable", () => false),
  /** Save everything: no recomputation (as without checkpoint). */
  everythingSaveable: policy("everything_saveable", () => true),
  /** Save the results of matrix products (`dot_general`); recompute the rest. */
  dotsSaveable: policy("dots_saveable", isDot),
  /** JAX's alias of `dotsSaveable`. */
  checkpointDots: policy("dots_saveable", isDot),
  /** Save the results of matrix products without batch dimensions. */
  dotsWithNoBatchDimsSaveable: policy(
    "dots_with_no_batch_dims_saveable",
    (p, params) =>
      isDot(p) && (params as { batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>] }).batch[0].length === 0
  ),
  /** Save only the values named with `checkpointName` and one of `names`. */
  saveOnlyTheseNames: (...names: ReadonlyArray<string>): RematPolicy => {
    checkNames("saveOnlyTheseNames", names)
    return policy(
      `save_only_these_names(${names.join(", ")})`,
      (p, params) => p === "checkpoint_name" && names.includes((params as { name: string }).name)
    )
  },
  /** Save every value named with `checkpointName` except `names`. */
  saveAnyNamesButThese: (...names: ReadonlyArray<string>): RematPolicy => {
    checkNames("saveAnyNamesButThese", names)
    return policy(
      `save_any_names_but_these(${names.join(", ")})`,
      (p, params) => p === "checkpoint_name" && !names.includes((params as { name: string }).name)
    )
  }
} as const

/**
 * `x`, named `name` for the `saveOnlyTheseNames` policies (JAX's
 * `jax.ad_checkpoint.checkpoint_name`); the identity otherwise.
 *
 * @example
 * import { checkpointName, np, toJsSync } from "diffect"
 * console.log(toJsSync(checkpointName(np.array([1, 2]), "h"))) // [1, 2]
 *
 * @since 0.1.0
 */
export const checkpointName = (x: Tensor, name: string): Tensor => {
  if (!(x instanceof Tensor) || !Tensor.isGenuine(x)) {
    throw new ArgumentError({ operation: "checkpointName", argument: "x", expected: "a Tensor", got: typeof x })
  }
  if (typeof name !== "string") {
    throw new ArgumentError({ operation: "checkpointName", argument: "name", expected: "a string", got: typeof name })
  }
  return bind1("checkpoint_name", [x], { name })
}

/** Options of `checkpoint`. @since 0.1.0 */
export interface CheckpointOptions {
  /** What the forward pass may save (default `checkpointPolicies.nothingSaveable`). */
  readonly policy?: RematPolicy | undefined
}

const leafTensor = (u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  if (typeof u === "number") return new ConcreteTensor(aval([], "float32", true), Float32Array.of(u), undefined)
  throw new ArgumentError({
    operation: "checkpoint",
    argument: "each argument leaf",
    expected: "a Tensor or a JS number",
    got: typeof u
  })
}

/**
 * `f` with rematerialization (JAX's `jax.checkpoint` / `jax.remat`): the
 * same values and derivatives, but reverse mode keeps only what `policy`
 * saves between the forward and the backward pass and recomputes the rest.
 * Arguments and results are pytrees of tensors.
 *
 * @example
 * import { checkpoint, checkpointPolicies, grad, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const block = checkpoint((x: Tensor) => np.sin(np.sin(x)), { policy: checkpointPolicies.nothingSaveable })
 * const g = runSync(grad((x: Tensor) => np.sum(block(x)))(np.array([0.5])))
 * console.log(toJsSync(g)) // [0.7786439]
 *
 * @since 0.1.0
 */
export const checkpoint = <Args extends ReadonlyArray<unknown>, R>(
  f: (...args: Args) => R,
  options?: CheckpointOptions
): (...args: Args) => R => {
  if (typeof f !== "function") {
    throw new ArgumentError({ operation: "checkpoint", argument: "f", expected: "a function", got: typeof f })
  }
  checkOptions("checkpoint", options, { policy: anyValue })
  const p = options?.policy ?? checkpointPolicies.nothingSaveable
  if (typeof p !== "object" || p === null || typeof p.saveable !== "function") {
    throw new ArgumentError({
      operation: "checkpoint",
      argument: "policy",
      expected: "one of checkpointPolicies",
      got: typeof p
    })
  }
  return (...args: Args): R => {
    const [leaves, def] = Tree.flatten(args as unknown)
    const inputs = leaves.map(leafTensor)
    let outDef: ReturnType<typeof Tree.structure> | undefined
    const body = makeProgramFlat((ins) => {
      const out = f(...(Tree.unflatten(def, ins) as unknown as Args))
      const [outLeaves, d] = Tree.flatten(out as unknown)
      outDef = d
      return outLeaves.map(leafTensor)
    }, inputs.map((x) => x.aval))
    const { hoisted, program } = hoistConsts(body)
    const outs = bind("remat", [...hoisted, ...inputs], { program, policy: p })
    return Tree.unflatten<R>(outDef!, outs)
  }
}

/** JAX's other name for {@link checkpoint}. @since 0.1.0 */
export const remat = checkpoint
