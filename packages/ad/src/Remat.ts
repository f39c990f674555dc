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
import {
  ArgumentError,
  aval,
  bind,
  bind1,
  ConcreteTensor,
  ConcretizationError,
  isTensor,
  lax,
  Memory,
  Tensor,
  Tracer,
  Tree,
  withDynamicHandler
} from "@diffect/core"
import type { AbstractValue, Primitive, RematPolicy } from "@diffect/core"
import { hoistConsts } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { StagingHandler } from "@diffect/core/Staging"
import { anyValue, argumentError, checkOptions } from "@diffect/core/Validate"
import { axisEnvKey } from "./internal/batchingAxisEnv.js"
import { resolve } from "./internal/shell.js"

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

// JAX's prevent_cse: a boolean, or a tuple (a pytree prefix of the arguments) of them
const boolOrBools = {
  expected: "a boolean or an array of booleans",
  test: (u: unknown) =>
    typeof u === "boolean" || (Array.isArray(u) && Tree.leaves(u).every((b) => typeof b === "boolean"))
}

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
  saveAnyNamesButThese: (...names: ReadonlyArray<string>): RematPolicy => saveAnyNamesButThese(names),
  /** JAX's alias of `saveAnyNamesButThese`. */
  saveAnythingExceptTheseNames: (...names: ReadonlyArray<string>): RematPolicy => saveAnyNamesButThese(names),
  /** JAX's alias of `dotsWithNoBatchDimsSaveable`. */
  checkpointDotsWithNoBatchDims: policy(
    "dots_with_no_batch_dims_saveable",
    (p, params) =>
      isDot(p) && (params as { batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>] }).batch[0].length === 0
  ),
  /** Save what either policy saves (JAX's `save_from_both_policies`). */
  saveFromBothPolicies: (policy1: RematPolicy, policy2: RematPolicy): RematPolicy => {
    for (const [name, p] of [["policy1", policy1], ["policy2", policy2]] as const) {
      if (typeof p !== "object" || p === null || typeof (p as RematPolicy).saveable !== "function") {
        throw argumentError("checkpointPolicies.saveFromBothPolicies", name, "a checkpoint policy", p)
      }
    }
    return policy(
      `save_from_both_policies(${String(policy1)}, ${String(policy2)})`,
      (p, params) => policy1.saveable(p, params) || policy2.saveable(p, params)
    )
  }
} as const

function saveAnyNamesButThese(names: ReadonlyArray<string>): RematPolicy {
  checkNames("saveAnyNamesButThese", names)
  return policy(
    `save_any_names_but_these(${names.join(", ")})`,
    (p, params) => p === "checkpoint_name" && !names.includes((params as { name: string }).name)
  )
}

/**
 * `x` (a tensor or a pytree of tensors), named `name` for the `saveOnlyTheseNames` policies (JAX's
 * `jax.ad_checkpoint.checkpoint_name`); the identity otherwise.
 *
 * @example
 * import { checkpointName, np, toJsSync } from "diffect"
 * console.log(toJsSync(checkpointName(np.array([1, 2]), "h"))) // [1, 2]
 *
 * @since 0.1.0
 */
export const checkpointName = <T>(x: T, name: string): T => {
  if (typeof name !== "string") {
    throw new ArgumentError({ operation: "checkpointName", argument: "name", expected: "a string", got: typeof name })
  }
  // JAX's checkpoint_name names every array leaf of a pytree
  const [pairs, def] = Tree.flattenWithPath(x)
  const named = pairs.map(([path, leaf]) => {
    if (isTensor(leaf) && Tensor.isGenuine(leaf)) return bind1("checkpoint_name", [leaf], { name })
    throw argumentError(
      "checkpointName",
      path.length === 0 ? "x" : `the leaf of x at ${Tree.keystr(path)}`,
      "a Tensor (or a pytree of tensors)",
      leaf
    )
  })
  return Tree.unflatten(def, named)
}

/**
 * A policy written by hand (JAX's callable policies, `policy(prim, *avals, **params)`):
 * whether the output of an equation of `primitive` with `params` may be saved.
 *
 * @since 0.1.0
 */
export type CustomPolicy = (primitive: Primitive, params: unknown) => boolean

// A hand-written policy, whose answers are checked: anything but a boolean is a typed error.
const customPolicy = (saveable: CustomPolicy): RematPolicy =>
  policy(saveable.name.length > 0 ? saveable.name : "custom_policy", (primitive, params) => {
    const answer: unknown = saveable(primitive, params)
    if (typeof answer !== "boolean") {
      throw argumentError("checkpoint", `the policy's answer for ${primitive}`, "a boolean", answer)
    }
    return answer
  })

/** Options of `checkpoint`. @since 0.1.0 */
export interface CheckpointOptions {
  /**
   * What the forward pass may save (default `checkpointPolicies.nothingSaveable`):
   * one of `checkpointPolicies`, or a function of an equation's primitive and
   * params (`(p) => p === "cos"` saves the cosines).
   */
  readonly policy?: RematPolicy | CustomPolicy | undefined
  /**
   * Positions of arguments passed to `f` as they are, not traced (JAX's
   * `static_argnums`; negative ones count from the end): JS control flow on
   * them is allowed, and they may be any value (a flag, a string, a record of
   * settings). The other arguments are pytrees of tensors and JS numbers.
   */
  readonly staticArgnums?: number | ReadonlyArray<number> | undefined
  /**
   * JAX's `prevent_cse` (default `true`; a boolean per argument too), accepted for ported code: a
   * checkpointed body stays one `remat` equation that `jit`'s simplifier never
   * merges with the code around it, so its recomputation is never folded into
   * the forward pass whichever value is given.
   */
  readonly preventCse?: boolean | ReadonlyArray<boolean> | undefined
}

// JS numbers are weak float32 scalars and booleans bool scalars, as everywhere else
const leafTensor = (u: unknown, argument: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  if (typeof u === "number") return new ConcreteTensor(aval([], "float32", true), Float32Array.of(u), undefined)
  if (typeof u === "boolean") return lax.scalar(u ? 1 : 0, "bool")
  throw argumentError("checkpoint", argument, "a Tensor, a JS number or a boolean", u)
}

const STATIC_HINT =
  "\n\nConsider using the staticArgnums option of checkpoint (JAX's static_argnums of jax.checkpoint): an argument there is passed as it is, not traced, so JS control flow on it is allowed."

/** How many signatures a checkpointed function keeps traced. */
const TRACES_KEPT = 16

// Static values that are objects or functions are keyed by identity (JAX's WrapHashably): they
// are closed over, never compared by value.
const identities = new WeakMap<object, number>()
let nextIdentity = 0
const identityOf = (o: object): number => {
  let id = identities.get(o)
  if (id === undefined) {
    id = nextIdentity++
    identities.set(o, id)
  }
  return id
}

const staticKey = (v: unknown): string => {
  if (v === null) return "N"
  switch (typeof v) {
    case "object":
    case "function":
      return `#${identityOf(v as object)}`
    case "number":
      return Object.is(v, -0) ? "n-0" : `n${v}`
    case "string":
      return JSON.stringify(v)
    case "symbol":
      // (a symbol is not always a WeakMap key): never the same key, so traced again
      return `y${nextIdentity++}`
    default:
      return `${typeof v}:${String(v)}`
  }
}

/** The signature of a call: the traced arguments' structure and leaf types, the static values. */
const traceKey = (
  def: Tree.TreeDef,
  inputs: ReadonlyArray<Tensor>,
  allArgs: ReadonlyArray<unknown>,
  statics: ReadonlySet<number>
): string => {
  let key = `${String(def)}|`
  for (const x of inputs) key += `${x.dtype}${x.weakType ? "~" : ""}[${x.shape.join(",")}]`
  for (const i of statics) key += `;${i}=${staticKey(allArgs[i])}`
  return key
}

/**
 * `f` staged at `avals` as the body of a `remat` (JAX's `_trace_to_jaxpr` of ad_checkpoint): a
 * traced value read in it is a `ConcretizationError` naming checkpoint, with JAX's hint.
 */
const stage = (
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): Program => {
  const handler = new StagingHandler("checkpoint")
  const inputs = avals.map((a) => handler.newInput(a))
  try {
    return handler.finish(withDynamicHandler(handler, () => f(inputs)))
  } catch (e) {
    if (e instanceof ConcretizationError) throw new ConcretizationError({ detail: e.detail + STATIC_HINT })
    throw e
  } finally {
    handler.active = false
  }
}

/** The `staticArgnums` option, checked for its kind (JAX's `_remat_static_argnums`). */
const staticArgnumsOf = (spec: unknown): ReadonlyArray<number> => {
  const list = spec === undefined ? [] : typeof spec === "number" ? [spec] : spec
  if (!Array.isArray(list) || !list.every((d) => Number.isInteger(d))) {
    throw argumentError("checkpoint", "staticArgnums", "an integer or an array of integers", spec)
  }
  return list as ReadonlyArray<number>
}

/** The static positions among `nargs` arguments: each in [-nargs, nargs), as JAX checks. */
const staticPositions = (spec: ReadonlyArray<number>, nargs: number): ReadonlySet<number> => {
  if (spec.length === 0) return new Set()
  const bad = spec.find((d) => d < -nargs || d >= nargs)
  if (bad !== undefined) {
    throw new ArgumentError({
      operation: "checkpoint",
      argument: "staticArgnums",
      expected: `integers greater than or equal to -len(args) and less than len(args) (len(args) = ${nargs})`,
      got: `[${spec.join(", ")}]`
    })
  }
  return new Set(spec.map((d) => (d < 0 ? d + nargs : d)))
}

/**
 * `f` with rematerialization (JAX's `jax.checkpoint` / `jax.remat`): the
 * same values and derivatives, but reverse mode keeps only what `policy`
 * saves between the forward and the backward pass and recomputes the rest.
 * Arguments and results are pytrees of tensors (JS numbers and booleans are
 * scalars), except the `staticArgnums` ones, which are passed as they are. `f`
 * may return an Effect (a jitted function's call): it is run as `f` is traced.
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
  checkOptions("checkpoint", options, { policy: anyValue, staticArgnums: anyValue, preventCse: boolOrBools })
  const staticSpec = staticArgnumsOf(options?.staticArgnums)
  const given: unknown = options?.policy ?? checkpointPolicies.nothingSaveable
  const p = typeof given === "function" ? customPolicy(given as CustomPolicy) : given as RematPolicy
  if (typeof p !== "object" || p === null || typeof p.saveable !== "function") {
    throw new ArgumentError({
      operation: "checkpoint",
      argument: "policy",
      expected: "one of checkpointPolicies, or a function (primitive, params) => boolean",
      got: typeof p
    })
  }
  // Traces by signature (JAX's remat caches its traces too: test_remat_retracing), least recently
  // made out first.
  const traces = new Map<string, { readonly body: Program; readonly outDef: Tree.TreeDef }>()
  return (...allArgs: Args): R => {
    const statics = staticPositions(staticSpec, allArgs.length)
    // the static arguments are closed over; the others are traced
    const args = allArgs.filter((_, i) => !statics.has(i))
    const withStatics = (traced: ReadonlyArray<unknown>): Args => {
      let k = 0
      return allArgs.map((a, i) => (statics.has(i) ? a : traced[k++])) as unknown as Args
    }
    const [leaves, def] = Tree.flatten(args as unknown)
    const inputs = leaves.map((l) => leafTensor(l, "each argument leaf"))
    // the named axes bound now: the body may read their sizes (`axisSize`) into its program
    const key = axisEnvKey() + traceKey(def, inputs, allArgs, statics)
    let traced = traces.get(key)
    if (traced === undefined) {
      let outDef: Tree.TreeDef | undefined
      const body = stage((ins) => {
        // an Effect (a jitted function's call) is run as it is traced
        const out = resolve("checkpoint", f(...withStatics(Tree.unflatten(def, ins) as ReadonlyArray<unknown>)))
        const [outLeaves, d] = Tree.flatten(out)
        outDef = d
        return outLeaves.map((l) => leafTensor(l, "each output leaf"))
      }, inputs.map((x) => x.aval))
      traced = { body, outDef: outDef! }
      // a body closing over a transformation's traced values is only valid during this call
      if (!body.consts.some((c) => c instanceof Tracer)) {
        // its constants outlive the memory region of the call that traced it
        Memory.keep(body.consts)
        traces.set(key, traced)
        if (traces.size > TRACES_KEPT) traces.delete(traces.keys().next().value!)
      }
    }
    const { hoisted, program } = hoistConsts(traced.body)
    const outs = bind("remat", [...hoisted, ...inputs], { program, policy: p })
    return Tree.unflatten<R>(traced.outDef, outs)
  }
}

/** JAX's other name for {@link checkpoint}. @since 0.1.0 */
export const remat = checkpoint
