/**
 * Custom differentiation rules (JAX's `custom_jvp` and `custom_vjp`).
 *
 * Ownership (decided by the handlers engineer, who writes this file): this module
 * holds both the handler-level mechanism (`customJvpCall`, `customVjpCall`: what
 * each transformation does with a call to a function that has a custom rule) and
 * the public builders `customJvp(f).defJvp(rule)` and `customVjp(f).defVjp(fwd, bwd)`
 * on pytrees. The API engineer re-exports them from the facade.
 *
 * - Outside any transformation, a custom function just runs `f`.
 * - Under `jvp` (and linearize, so under `grad`/`vjp` too), `customJvp` calls the
 *   user's rule on the primals and tangents. Those may be tracers of outer
 *   transformations, so the rule's own body is differentiated by them (nesting
 *   works as in JAX). For reverse mode the rule must be linear in the tangents.
 * - Under linearize, `customVjp` runs `fwd` on the primals, keeps the residuals,
 *   and stages one equation whose transpose calls `bwd(residuals, cotangent)`.
 *   Forward mode through a `customVjp` function fails with
 *   `CustomVjpForwardModeError`, as in JAX.
 * - `nondiffArgnums` (JAX's `nondiff_argnums`) passes arguments that are not
 *   differentiated (functions, strings, shapes) to the rules first; `defJvps`
 *   (JAX's `defjvps`) defines a JVP rule one argument at a time.
 * - A handler that does not know about custom rules (vmap's, for now) runs `f`
 *   with its tracers; the rule is still used by any differentiation handler
 *   below it. A handler can opt in by implementing {@link CustomRuleHandler}.
 *
 * @since 0.1.0
 */
import {
  customJvpCall,
  customVjpCall,
  EscapedTracerError,
  isTensor,
  lax,
  splitTensorLeaves,
  topHandler,
  Tracer,
  Tree
} from "@diffect/core"
import type { AbstractValue, CustomJvpCallee, CustomVjpCallee, Handler, Tensor } from "@diffect/core"
import { argumentError, boolean, checkOptions } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { CustomRuleError, CustomVjpForwardModeError } from "./Errors.js"
import { checkCallable, leafToTensor } from "./internal/args.js"
import { describe } from "./internal/describe.js"
import { flattenOut, nameOf, typeStr } from "./internal/ruleOutputs.js"
import { resolve } from "./internal/shell.js"
import { makeProgramFlat, StagingHandler } from "./internal/staging.js"
import { tangentAval, zerosOf } from "./internal/tangents.js"
import type { CustomEquation } from "./Program.js"
import { evalProgram, hoistConsts, Var } from "./Program.js"

// The flat call dispatch and its types live in @diffect/core beside `bind` (so that
// core's np.linalg can give det and pinv JAX's custom JVPs); re-exported here.
export { customJvpCall, customVjpCall } from "@diffect/core"
export type { CustomJvpCallee, CustomRuleHandler, CustomVjpCallee } from "@diffect/core"

const activeTop = (args: ReadonlyArray<Tensor>): Handler | undefined => {
  const top = topHandler(args)
  if (top !== undefined && !top.active) throw new EscapedTracerError({ transformation: top.name })
  return top
}

/**
 * The linear part of a `customVjp` function (JAX's `custom_lin`): stages one
 * equation on the tangents whose transpose calls `bwd` on the residuals. The
 * tangents must be staged (linearize); anything else is forward mode, which a
 * `customVjp` function does not support.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const customLin = (
  callee: CustomVjpCallee,
  residuals: ReadonlyArray<Tensor>,
  tangents: ReadonlyArray<Tensor | null>,
  outAvals: ReadonlyArray<AbstractValue>
): ReadonlyArray<Tensor> => {
  const live: Array<number> = []
  for (let i = 0; i < tangents.length; i++) if (tangents[i] !== null) live.push(i)
  const top = activeTop(live.map((i) => tangents[i]!))
  if (!(top instanceof StagingHandler)) throw new CustomVjpForwardModeError({ name: callee.name })
  const nArgs = tangents.length
  const outTangentAvals = outAvals.map(tangentAval)
  // The residuals are operands (JAX's custom_lin takes them so): a program holding the equation
  // is then closed over them, and its transposition is handed their values.
  const equation: CustomEquation = {
    _tag: "CustomEquation",
    name: callee.name,
    inputs: [...residuals.map((r) => top.varOf(r)), ...live.map((i) => top.varOf(tangents[i]!))],
    outputs: outTangentAvals.map((a) => new Var(a)),
    // Re-staged as it is when a program holding it is evaluated by a staging handler (the
    // JVP of a scan body staged again); run forwards, it is forward mode, which is refused.
    evaluate: (ins) => {
      const at = activeTop(ins)
      if (!(at instanceof StagingHandler)) throw new CustomVjpForwardModeError({ name: callee.name })
      return at.addEquation({
        ...equation,
        inputs: ins.map((x) => at.varOf(x)),
        outputs: equation.outputs.map((v) => new Var(v.aval))
      })
    },
    transpose: (cts, values) => {
      const full = cts.map((c, i) => c ?? zerosOf(outTangentAvals[i]!))
      const res = residuals.map((r, j) => values?.[j] ?? r)
      const result = callee.bwd(res, full)
      if (result.length !== nArgs) {
        throw new CustomRuleError({
          name: callee.name,
          detail: `bwd should return one cotangent per argument (${nArgs}), but returned ${result.length}`
        })
      }
      return [...residuals.map(() => null), ...live.map((i) => result[i] ?? null)]
    }
  }
  return top.addEquation(equation)
}

// --- public builders on pytrees ------------------------------------------------

type AnyFunction = (...args: ReadonlyArray<any>) => any

/**
 * A rule's result, or an Effect of it (a rule that runs `vmap`, `jit` or another
 * transformation): the Effect is run where the rule is called.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export type RuleResult<A> = A | Effect.Effect<A, any, any>

/**
 * A function with a custom JVP rule (JAX's `jax.custom_jvp`). Call it like `f`;
 * define the rule with `defJvp`.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface CustomJvpFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>
  /**
   * Defines the rule: `(primals, tangents) => [primalOut, tangentOut]`, where
   * `primals` and `tangents` are tuples of the arguments (a non-tensor leaf has a
   * `null` tangent). `tangentOut` may use `null` for a zero tangent.
   */
  readonly defJvp: (
    rule: (primals: Parameters<F>, tangents: Parameters<F>) => RuleResult<readonly [ReturnType<F>, unknown]>,
    options?: DefJvpOptions
  ) => CustomJvpFunction<F>
  /**
   * Defines the rule one argument at a time (JAX's `defjvps`): the `i`-th
   * function gives argument `i`'s contribution to the output tangent from its
   * tangent, the primal output and the primals, `(t, out, ...primals) =>
   * tangentOut`; `null` for an argument that contributes nothing. The output
   * tangent is the sum of the contributions. Not with `nondiffArgnums`.
   */
  readonly defJvps: (...jvps: ReadonlyArray<JvpOfArgument<F> | null>) => CustomJvpFunction<F>
}

/**
 * One argument's term of a JVP rule for {@link CustomJvpFunction.defJvps}:
 * `(tangent, primalOut, ...primals) => tangentOut` (JAX's `defjvps` functions).
 *
 * @category Custom rules
 * @since 0.1.0
 */
export type JvpOfArgument<F extends AnyFunction> = (
  tangent: any,
  primalOut: ReturnType<F>,
  ...primals: Parameters<F>
) => unknown

/**
 * A function with a custom VJP rule (JAX's `jax.custom_vjp`).
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface CustomVjpFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>
  /**
   * Defines the rule: `fwd(...args)` gives `[out, residuals]` (any pytree);
   * `bwd(residuals, cotangent)` gives one cotangent per argument (a pytree like
   * the argument, or `null` for zero).
   */
  readonly defVjp: <R>(
    fwd: (...args: Parameters<F>) => RuleResult<readonly [ReturnType<F>, R]>,
    bwd: (residuals: R, cotangent: ReturnType<F>) => RuleResult<ReadonlyArray<unknown>>,
    options?: DefVjpOptions
  ) => CustomVjpFunction<F>
}

/**
 * Options of `defJvp` (JAX's `defjvp(jvp, symbolic_zeros=False)`). `symbolicZeros: true`, which
 * hands the rule JAX's `SymbolicZero` objects for zero tangents, is not supported: an
 * `ArgumentError` rather than a rule that silently sees instantiated zeros.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface DefJvpOptions {
  readonly symbolicZeros?: false | undefined
}

/**
 * Options of `defVjp` (JAX's `defvjp(fwd, bwd, symbolic_zeros=False, optimize_remat=False)`):
 * `optimizeRemat` is accepted (a memory optimization of JAX's; the values are the same without it);
 * `symbolicZeros: true` (`fwd` given `CustomVJPPrimal` records) is not supported, an `ArgumentError`.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface DefVjpOptions {
  readonly symbolicZeros?: false | undefined
  readonly optimizeRemat?: boolean | undefined
}

// Refuses what JAX's rule options ask for and diffect does not do, rather than dropping it.
const checkRuleOptions = (operation: string, options: unknown, optimizeRemat: boolean): void => {
  checkOptions(
    operation,
    options,
    optimizeRemat ? { symbolicZeros: boolean, optimizeRemat: boolean } : { symbolicZeros: boolean }
  )
  if ((options as { symbolicZeros?: unknown } | undefined)?.symbolicZeros === true) {
    throw argumentError(
      operation,
      "symbolicZeros",
      "false (rules see instantiated zero tangents; symbolic zeros are not supported)",
      true
    )
  }
}

/**
 * Options of {@link customJvp} and {@link customVjp}.
 *
 * - `nondiffArgnums`: positions of arguments that are not differentiated (JAX's
 *   `nondiff_argnums`), for values that are not arrays (a function, a string, a
 *   shape) which parameterize the function and its rule. They are passed to the
 *   rule first: `jvp(...nondiff, primals, tangents)` with `primals` and `tangents`
 *   the other arguments, `fwd(...args)` with every argument in its place, and
 *   `bwd(...nondiff, residuals, cotangent)` returning cotangents of the other
 *   arguments only. A tensor there is a constant to `customJvp` (its gradient is
 *   stopped, as in JAX); `customVjp` refuses a traced one (JAX's
 *   `UnexpectedTracerError`): pass arrays as ordinary arguments.
 *
 * @since 0.1.0
 */
export interface CustomRuleOptions {
  readonly nondiffArgnums?: number | ReadonlyArray<number> | undefined
}

/**
 * A `customJvp` function with `nondiffArgnums`: its rule takes the
 * non-differentiated arguments first, then the tuples of the others' primals and
 * tangents.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface CustomJvpNondiffFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>
  readonly defJvp: (
    rule: (...args: ReadonlyArray<any>) => readonly [ReturnType<F>, unknown],
    options?: DefJvpOptions
  ) => CustomJvpNondiffFunction<F>
}

/**
 * A `customVjp` function with `nondiffArgnums`: `fwd` takes every argument in
 * its place, `bwd(...nondiff, residuals, cotangent)` gives one cotangent per
 * differentiated argument.
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface CustomVjpNondiffFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>
  readonly defVjp: (
    fwd: (...args: Parameters<F>) => RuleResult<readonly [ReturnType<F>, unknown]>,
    bwd: (...args: ReadonlyArray<any>) => RuleResult<ReadonlyArray<unknown>>,
    options?: DefVjpOptions
  ) => CustomVjpNondiffFunction<F>
}

const ruleOptions = { nondiffArgnums: { expected: "an integer or an array of integers", test: () => true } }

/** The `nondiffArgnums` option, checked: sorted distinct non-negative integers (JAX's). */
const nondiffOption = (operation: string, options: CustomRuleOptions | undefined): ReadonlyArray<number> => {
  checkOptions(operation, options, ruleOptions)
  const spec = options?.nondiffArgnums
  if (spec === undefined) return []
  const list: ReadonlyArray<unknown> = typeof spec === "number" ? [spec] : spec
  if (!Array.isArray(list)) throw argumentError(operation, "nondiffArgnums", "an integer or an array of integers", spec)
  for (const k of list) {
    // JAX reads them as positions in the argument tuple: a negative one names no argument
    if (!Number.isInteger(k) || (k as number) < 0) {
      throw argumentError(operation, "nondiffArgnums", "non-negative integers", k)
    }
  }
  return [...new Set(list as ReadonlyArray<number>)].sort((a, b) => a - b)
}

/**
 * The arguments of a call split at `nondiff`: the differentiated ones in order, the others
 * in order, and `merge` putting differentiated values back among the others.
 */
const splitNondiff = (name: string, args: ReadonlyArray<unknown>, nondiff: ReadonlyArray<number>) => {
  const last = nondiff[nondiff.length - 1]
  if (last !== undefined && last >= args.length) {
    throw new CustomRuleError({
      name,
      detail: `nondiffArgnums (${
        nondiff.join(", ")
      }) names argument ${last}, but ${name} was called with only ${args.length} positional argument${
        args.length === 1 ? "" : "s"
      }`
    })
  }
  const isStatic = (i: number) => nondiff.includes(i)
  const statics = nondiff.map((i) => args[i])
  const diff = args.filter((_, i) => !isStatic(i))
  // `xs` in the places of the differentiated arguments, `values` in the others'
  const merge = (xs: ReadonlyArray<unknown>, values: ReadonlyArray<unknown> = statics): Array<unknown> => {
    let k = 0
    let j = 0
    return args.map((_, i) => (isStatic(i) ? values[j++] : xs[k++]))
  }
  return { statics, diff, merge }
}

/** JAX's `_stop_gradient` of a non-differentiated argument: its tensors are constants. */
const stopTensors = (tree: unknown): unknown => {
  const [leaves, def] = Tree.flatten(tree)
  return Tree.unflatten(def, leaves.map((leaf) => (isTensor(leaf) ? lax.stopGradient(leaf) : leaf)))
}

// Checks rule outputs against the (tangent) types of `like`; `mismatch(i, got, expected, primal)` words the error.
const checkMatches = (
  name: string,
  xs: ReadonlyArray<Tensor | null>,
  like: ReadonlyArray<Tensor>,
  mismatch: (i: number, got: string, expected: string, primal: string) => string
) => {
  if (xs.length !== like.length) {
    throw new CustomRuleError({
      name,
      detail: `the rule produced ${xs.length} leaves but ${like.length} were expected`
    })
  }
  xs.forEach((x, i) => {
    if (x === null) return
    const a = tangentAval(like[i]!.aval)
    if (x.shape.length !== a.shape.length || x.shape.some((d, j) => d !== a.shape[j]) || x.dtype !== a.dtype) {
      throw new CustomRuleError({ name, detail: mismatch(i, typeStr(x), typeStr(a), typeStr(like[i]!)) })
    }
  })
}

/**
 * A tangent or cotangent leaf returned by a rule, for a value of type `like`:
 * JS numbers become tensors of the tangent dtype, and any (co)tangent of an
 * int/bool value is the float0 zero (JAX fills those in automatically).
 */
const ruleLeaf = (leaf: unknown, like: Tensor): unknown => {
  const a = tangentAval(like.aval)
  if (a.dtype === "float0") return null
  if (typeof leaf === "number") return lax.scalar(leaf, a.dtype, a.weakType)
  return leaf
}

const treeString = (tree: unknown): string => String(Tree.structure(tree, { isLeaf: (x) => x === null }))

/** The type of a function's output: its tree structure and its leaves' types. */
interface OutType {
  readonly def: Tree.TreeDef
  readonly avals: ReadonlyArray<AbstractValue>
}

// `(float32[3], { a: int32[] })`, as JAX prints a tree of types.
const typeTreeString = (t: OutType): string =>
  JSON.stringify(Tree.unflatten(t.def, t.avals.map(typeStr))).replaceAll("\"", "")

const avalsKey = (xs: ReadonlyArray<Tensor>): string => xs.map((x) => typeStr(x.aval)).join(";")

/**
 * The output type of the custom function's `f` at the arguments `xs`, for checking a rule's
 * primal output against it (JAX checks it whenever `f` has been traced): the type `f` gave when
 * it ran on arguments of these types, else `f` staged at their types (nothing computed).
 * `undefined` when `f` cannot be staged (it reads a value, say): then there is nothing to check.
 */
const makePrimalOutType = (
  run: (xs: ReadonlyArray<Tensor>) => { leaves: ReadonlyArray<Tensor>; def: Tree.TreeDef }
) => {
  let known: { readonly key: string; readonly type: OutType } | undefined
  return {
    /** Records the output of `f` run on `xs`. */
    ran: (xs: ReadonlyArray<Tensor>, leaves: ReadonlyArray<Tensor>, def: Tree.TreeDef): void => {
      known = { key: avalsKey(xs), type: { def, avals: leaves.map((l) => l.aval) } }
    },
    at: (xs: ReadonlyArray<Tensor>): OutType | undefined => {
      const key = avalsKey(xs)
      if (known !== undefined && known.key === key) return known.type
      let def: Tree.TreeDef | undefined
      try {
        const program = makeProgramFlat((ins) => {
          const out = run(ins)
          def = out.def
          return out.leaves
        }, xs.map((x) => x.aval))
        known = { key, type: { def: def!, avals: program.outAvals } }
        return known.type
      } catch {
        return undefined
      }
    }
  }
}

const sameTypes = (a: ReadonlyArray<AbstractValue>, b: ReadonlyArray<AbstractValue>): boolean =>
  a.length === b.length &&
  a.every((x, i) =>
    x.dtype === b[i]!.dtype && x.shape.length === b[i]!.shape.length &&
    x.shape.every((d, j) => d === b[i]!.shape[j])
  )

/**
 * JAX's check of a rule's primal output against the custom function's (`_flatten_jvp`,
 * `_flatten_fwd`): the same tree structure, and leaves of the same shapes and dtypes (weak types
 * aside). `rule` words the start of the message; `second` says what the pair's second element is.
 */
const checkPrimalOut = (
  name: string,
  rule: string,
  kind: "customJvp" | "customVjp",
  second: string,
  got: OutType,
  expected: OutType | undefined
): void => {
  if (expected === undefined) return
  const sameTree = Tree.treedefEquals(got.def, expected.def)
  if (sameTree && sameTypes(got.avals, expected.avals)) return
  const what = sameTree ? "shapes/dtypes" : "container/pytree structure"
  throw new CustomRuleError({
    name,
    detail:
      `${rule} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal in value to the output of the ${kind}-decorated function ${name}, and in particular ${
        sameTree ? "with leaves of the same shape/dtype" : "of the same container/pytree structure"
      })${second}, but instead the rule output's first element had ${what}:\n    ${
        typeTreeString(got)
      }\nwhile the ${kind}-decorated function ${name} had output ${what}:\n    ${typeTreeString(expected)}`
  })
}

/**
 * JAX's `_check_for_tracers`: a non-differentiated argument of a `customVjp` function holds no
 * traced value (its rules would close over it, out of the reach of the transformations).
 */
const checkNoTracers = (name: string) => (arg: unknown): void => {
  if (!Tree.leaves(arg).some((leaf) => leaf instanceof Tracer)) return
  throw new CustomRuleError({
    name,
    detail:
      "Found a traced value passed as an argument to a customVjp function in a position indicated by nondiffArgnums as non-differentiable. Traced values cannot be passed as non-differentiable arguments to customVjp functions; instead, nondiffArgnums should only be used for arguments that can't be or contain traced values, e.g. function-valued arguments. In particular, array-valued arguments should typically not be indicated as nondiffArgnums."
  })
}

/**
 * The rule that `defJvps` defines (JAX's `defjvps`): the primal output from `self`, then the
 * sum over the arguments of each one's term, leaf by leaf (`null` stays a zero).
 */
const jvpsRule = <F extends AnyFunction>(
  name: string,
  self: CustomJvpFunction<F>,
  jvps: ReadonlyArray<JvpOfArgument<F> | null>
) =>
(primals: Parameters<F>, tangents: Parameters<F>): readonly [ReturnType<F>, unknown] => {
  if (jvps.length > primals.length) {
    throw new CustomRuleError({
      name,
      detail: `defJvps was given ${jvps.length} rules but ${name} was called with ${primals.length} argument${
        primals.length === 1 ? "" : "s"
      }: one rule (or null) per argument`
    })
  }
  const out = self(...primals)
  const { def, leaves } = flattenOut(name, out)
  const sum: Array<Tensor | null> = leaves.map(() => null)
  jvps.forEach((jvp, i) => {
    const t: unknown = tangents[i]
    // an argument with no tensor (every tangent leaf null) contributes nothing
    if (jvp === null || Tree.leaves(t, { isLeaf: (x) => x === null }).every((l) => l === null)) return
    const term: unknown = resolve("customJvp", jvp(t, out, ...primals))
    let parts: Array<unknown>
    try {
      parts = Tree.broadcastPrefix<unknown>(term, out, { isLeaf: (x) => x === null })
    } catch (e) {
      if (!(e instanceof Tree.TreeStructureError)) throw e
      throw new CustomRuleError({
        name,
        detail:
          `the defJvps rule of argument ${i} must produce a tangent with the output's container (pytree) structure ${
            treeString(out)
          }, but got ${treeString(term)}`
      })
    }
    parts.forEach((p, k) => {
      const leaf = ruleLeaf(p, leaves[k]!)
      if (leaf === null || leaf === undefined) return
      if (!isTensor(leaf)) {
        throw new CustomRuleError({
          name,
          detail: `the defJvps rule of argument ${i} produced a tangent ${describe(leaf)}, not an array`
        })
      }
      sum[k] = sum[k] === null ? leaf : lax.add(sum[k]!, leaf)
    })
  })
  return [out, Tree.unflatten(def, sum)]
}

/**
 * Gives `f` a custom JVP rule (JAX's `jax.custom_jvp`).
 *
 * @example
 * import { customJvp, grad, lax, np, runSync, type Tensor, toJsSync } from "diffect"
 * // log(1 + exp(x)) with a derivative that stays finite for large x
 * const log1pexp = customJvp((x: Tensor) => lax.log1p(lax.exp(x)))
 * log1pexp.defJvp(([x], [t]) => [log1pexp(x), lax.mul(t, lax.logistic(x))])
 * console.log(toJsSync(runSync(grad(log1pexp)(np.array(100))))) // 1
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const customJvp: {
  <F extends AnyFunction>(f: F, options?: { readonly nondiffArgnums?: undefined }): CustomJvpFunction<F>
  <F extends AnyFunction>(f: F, options: CustomRuleOptions): CustomJvpNondiffFunction<F>
} = <F extends AnyFunction>(f: F, options?: CustomRuleOptions): any => {
  checkCallable("customJvp", f)
  const nondiff = nondiffOption("customJvp", options)
  const name = nameOf(f)
  let rule: ((...args: ReadonlyArray<any>) => RuleResult<readonly [ReturnType<F>, unknown]>) | undefined
  const call = (...allArgs: Parameters<F>): ReturnType<F> => {
    // JAX: "No JVP defined for custom_jvp function ... using def_jvp."
    if (rule === undefined) {
      throw new CustomRuleError({
        name,
        detail: `No JVP defined for customJvp function ${name} using defJvp: call .defJvp(rule) before calling it`
      })
    }
    // The non-differentiated arguments' tensors are constants (JAX's _stop_gradient), but still
    // operands of the call, before the others: each transformation sees them (a vmapped one is
    // batched, a traced one is staged) and the rule gets their values (their tangents are dropped).
    const { diff, merge, statics } = splitNondiff(name, allArgs, nondiff)
    const { rebuild, tensors } = splitTensorLeaves([statics.map(stopTensors), ...diff])
    const part = (xs: ReadonlyArray<Tensor | null>, others: "keep" | "null") => {
      const [s, ...d] = rebuild(xs, others)
      return { s: s as ReadonlyArray<unknown>, d }
    }
    const full = (xs: ReadonlyArray<Tensor>) => {
      const { d, s } = part(xs, "keep")
      return merge(d, s) as Parameters<F>
    }
    let outDef: Tree.TreeDef | undefined
    const primalOut = makePrimalOutType((xs) => flattenOut(name, resolve("customJvp", f(...full(xs)))))
    const flatF = (xs: ReadonlyArray<Tensor>) => {
      const out = flattenOut(name, resolve("customJvp", f(...full(xs))))
      outDef = out.def
      primalOut.ran(xs, out.leaves, out.def)
      return out.leaves
    }
    const r = rule
    const callee: CustomJvpCallee = {
      name,
      f: flatF,
      jvp: (primals, tangents) => {
        const { d: ps, s } = part(primals, "keep")
        // a rule may return an Effect (one that runs vmap or jit): it is run here
        const pair: unknown = resolve("customJvp", r(...s, ps, part(tangents, "null").d))
        const ruleName = nameOf(r)
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new CustomRuleError({
            name,
            detail:
              `Custom JVP rule ${ruleName} for function ${name} must produce a pair (list or tuple of length two) representing primal and tangent outputs, but got ${
                describe(pair)
              }.`
          })
        }
        const [out, tangentOut] = pair as [unknown, unknown]
        const o = flattenOut(name, out)
        checkPrimalOut(
          name,
          `Custom JVP rule ${ruleName} for function ${name}`,
          "customJvp",
          "",
          { def: o.def, avals: o.leaves.map((l) => l.aval) },
          primalOut.at(primals)
        )
        outDef = o.def
        let raw: Array<unknown>
        try {
          // `null` stands for a zero tangent of a whole subtree.
          raw = Tree.broadcastPrefix<unknown>(tangentOut, out, { isLeaf: (x) => x === null })
        } catch (e) {
          if (!(e instanceof Tree.TreeStructureError)) throw e
          throw new CustomRuleError({
            name,
            detail:
              `Custom JVP rule ${ruleName} for function ${name} must produce primal and tangent outputs with equal container (pytree) structures, but got ${
                treeString(out)
              } and ${treeString(tangentOut)} respectively.`
          })
        }
        const ts = raw.map((t, k) => ruleLeaf(t, o.leaves[k]!))
        for (const t of ts) {
          if (t !== null && !isTensor(t)) {
            throw new CustomRuleError({
              name,
              detail: `Custom JVP rule ${ruleName} for function ${name} produced a tangent ${describe(t)}, not an array`
            })
          }
        }
        checkMatches(
          name,
          ts as Array<Tensor | null>,
          o.leaves,
          (_i, got, expected, primal) =>
            `Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes. Expected ${expected} (tangent type of ${primal}) but got ${got}.`
        )
        return [o.leaves, ts as Array<Tensor | null>]
      }
    }
    const outs = customJvpCall(callee, tensors)
    return Tree.unflatten(outDef!, outs)
  }
  const self = Object.assign(call, {
    defJvp: (jvp: (...args: ReadonlyArray<any>) => RuleResult<readonly [ReturnType<F>, unknown]>, opts?: unknown) => {
      checkCallable(`customJvp(${name}).defJvp (the rule)`, jvp)
      checkRuleOptions(`customJvp(${name}).defJvp`, opts, false)
      rule = jvp
      return self
    },
    defJvps: (...jvps: ReadonlyArray<JvpOfArgument<F> | null>) => {
      if (nondiff.length > 0) {
        throw new CustomRuleError({ name, detail: "Can't use defJvps with nondiffArgnums (JAX's defjvps)." })
      }
      jvps.forEach((j, i) => {
        if (j !== null) checkCallable(`customJvp(${name}).defJvps (the rule of argument ${i})`, j)
      })
      rule = jvpsRule(name, self as CustomJvpFunction<F>, jvps)
      return self
    }
  })
  return self
}

/**
 * Gives `f` a custom VJP rule (JAX's `jax.custom_vjp`).
 *
 * @example
 * import { customVjp, grad, lax, np, runSync, type Tensor, toJsSync } from "diffect"
 * // the identity, whose gradient is clipped to [-1, 1]
 * const clipGradient = customVjp((x: Tensor) => x)
 * clipGradient.defVjp(
 *   (x) => [x, null],
 *   (_res, g) => [lax.max(lax.min(g, np.onesLike(g)), np.negative(np.onesLike(g)))]
 * )
 * console.log(toJsSync(runSync(grad((x: Tensor) => np.sum(np.multiply(clipGradient(x), 3)))(np.array([1, 2]))))) // [1, 1]
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const customVjp: {
  <F extends AnyFunction>(f: F, options?: { readonly nondiffArgnums?: undefined }): CustomVjpFunction<F>
  <F extends AnyFunction>(f: F, options: CustomRuleOptions): CustomVjpNondiffFunction<F>
} = <F extends AnyFunction>(f: F, options?: CustomRuleOptions): any => {
  checkCallable("customVjp", f)
  const nondiff = nondiffOption("customVjp", options)
  const name = nameOf(f)
  let rule:
    | {
      readonly fwd: (...args: Parameters<F>) => RuleResult<readonly [ReturnType<F>, unknown]>
      readonly bwd: (...args: ReadonlyArray<any>) => RuleResult<ReadonlyArray<unknown>>
    }
    | undefined
  const call = (...allArgs: Parameters<F>): ReturnType<F> => {
    if (rule === undefined) {
      throw new CustomRuleError({
        name,
        detail: `No VJP defined for customVjp function ${name} using defVjp: call .defVjp(fwd, bwd) before calling it`
      })
    }
    const { fwd, bwd } = rule
    const { diff: args, merge, statics } = splitNondiff(name, allArgs, nondiff)
    statics.forEach(checkNoTracers(name))
    const full = (xs: ReadonlyArray<Tensor>) => merge(rebuild(xs, "keep")) as Parameters<F>
    const { positions, rebuild, tensors } = splitTensorLeaves(args)
    let outDef: Tree.TreeDef | undefined
    let resDef: Tree.TreeDef | undefined
    let resLeaves: Array<unknown> = []
    let resPositions: Array<number> = []
    const primalOut = makePrimalOutType((xs) => flattenOut(name, resolve("customVjp", f(...full(xs)))))
    const callee: CustomVjpCallee = {
      name,
      f: (xs) => {
        const out = flattenOut(name, resolve("customVjp", f(...full(xs))))
        outDef = out.def
        primalOut.ran(xs, out.leaves, out.def)
        return out.leaves
      },
      fwd: (xs) => {
        const result = resolve("customVjp", fwd(...full(xs)))
        if (!Array.isArray(result) || result.length !== 2) {
          const fwdName = nameOf(fwd)
          throw new CustomRuleError({
            name,
            detail:
              `Custom VJP fwd rule ${fwdName} for function ${name} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal to those of the customVjp-decorated function ${name}) and the second element represents residuals (i.e. values stored from the forward pass for use on the backward pass), but instead of a pair the fwd rule ${fwdName} produced ${
                describe(result)
              }.`
          })
        }
        const out = flattenOut(name, result[0])
        checkPrimalOut(
          name,
          `Custom VJP fwd rule ${nameOf(fwd)} for function ${name}`,
          "customVjp",
          " and the second element represents residuals (i.e. values stored from the forward pass for use on the backward pass)",
          { def: out.def, avals: out.leaves.map((l) => l.aval) },
          primalOut.at(xs)
        )
        outDef = out.def
        // Residuals may hold non-tensor leaves (numbers, strings): they are kept as they are.
        const [leaves, def] = Tree.flatten(result[1])
        resDef = def
        resLeaves = leaves
        resPositions = []
        const tensorsOfRes: Array<Tensor> = []
        leaves.forEach((leaf, i) => {
          if (isTensor(leaf)) {
            resPositions.push(i)
            tensorsOfRes.push(leaf)
          }
        })
        return [out.leaves, tensorsOfRes]
      },
      bwd: (res, cts) => {
        const filled = [...resLeaves]
        resPositions.forEach((p, j) => (filled[p] = res[j]))
        const residuals = Tree.unflatten(resDef!, filled)
        const cotangent = Tree.unflatten<ReturnType<F>>(outDef!, cts)
        const result: unknown = resolve("customVjp", bwd(...statics, residuals, cotangent))
        const structureError = () =>
          new CustomRuleError({
            name,
            detail:
              `Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args tuple of the primal function, and in particular must produce a tuple of length equal to the number of arguments to the primal function (${args.length}), but got bwd output structure ${
                Array.isArray(result) ? treeString(result) : describe(result)
              } for primal input structure ${treeString(args)}.`
          })
        if (!Array.isArray(result) || result.length !== args.length) throw structureError()
        // One cotangent leaf per argument leaf; `null` covers a whole subtree.
        let perLeaf: Array<unknown>
        try {
          perLeaf = Tree.broadcastPrefix<unknown>(result, args, { isLeaf: (x) => x === null })
        } catch (e) {
          if (e instanceof Tree.TreeStructureError) throw structureError()
          throw e
        }
        const pathOf = (j: number): string => {
          const [paths] = Tree.flattenWithPath(args as Array<unknown>)
          return paths[positions[j]!]![0].map((k) => typeof k === "number" ? `[${k}]` : `['${k}']`).join("")
        }
        const out = positions.map((p, j) => {
          const c = ruleLeaf(perLeaf[p], tensors[j]!)
          if (c === null || c === undefined) return null
          // JAX: "Value 'a' with type <class 'str'> is not a valid JAX type" (a zero gradient here before)
          if (!isTensor(c)) {
            throw new CustomRuleError({
              name,
              detail:
                `Custom VJP bwd rule attached to ${name} must produce arrays (tensors or numbers, or null for a zero cotangent), but at output${
                  pathOf(j)
                } the bwd rule produced ${describe(c)}, which is not a valid array, for an input of type ${
                  typeStr(tensors[j]!)
                }`
            })
          }
          return c
        })
        checkMatches(
          name,
          out,
          tensors,
          (j, got, _expected, primal) =>
            `Custom VJP bwd rule attached to ${name} must produce an output with the same type as the args tuple of the primal function, but at output${
              pathOf(j)
            } the bwd rule produced an output of type ${got} corresponding to an input of type ${primal}`
        )
        return out
      }
    }
    const outs = customVjpCall(callee, tensors)
    return Tree.unflatten(outDef!, outs)
  }
  return Object.assign(call, {
    defVjp: (
      fwd: (...args: Parameters<F>) => RuleResult<readonly [ReturnType<F>, unknown]>,
      bwd: (...args: ReadonlyArray<any>) => RuleResult<ReadonlyArray<unknown>>,
      opts?: unknown
    ) => {
      checkCallable(`customVjp(${name}).defVjp (fwd)`, fwd)
      checkCallable(`customVjp(${name}).defVjp (bwd)`, bwd)
      checkRuleOptions(`customVjp(${name}).defVjp`, opts, true)
      rule = { fwd, bwd }
      return call as unknown as CustomVjpFunction<F>
    }
  }) as CustomVjpFunction<F>
}

/**
 * `fn` with the traced values it closes over made explicit arguments (JAX's
 * `closure_convert`), for custom rules that must not close over differentiated
 * values: `fn` is staged at the types of `exampleArgs`, and the result is
 * `[converted, consts]`, where `converted(...args, ...consts)` computes
 * `fn(...args)` and `consts` are the traced values `fn` closes over (none when
 * it closes over constants only). Pass `consts` on as ordinary (differentiated)
 * arguments of a `customVjp` function, which then gives them cotangents.
 *
 * @example
 * import { closureConvert, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const c = np.array(3)
 * const [converted, consts] = closureConvert((x: Tensor) => np.multiply(x, c), np.array(1))
 * // c is a constant, not a traced value: nothing to hoist
 * console.log(consts.length) // 0
 * console.log(toJsSync(converted(np.array(2)))) // 6
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const closureConvert = <F extends AnyFunction>(
  fn: F,
  ...exampleArgs: Parameters<F>
): readonly [(...args: ReadonlyArray<any>) => ReturnType<F>, ReadonlyArray<Tensor>] => {
  checkCallable("closureConvert", fn)
  const [leaves, def] = Tree.flatten(exampleArgs as Array<unknown>)
  const inputs = leaves.map((l, k) => leafToTensor("closureConvert", l, exampleArgs, k, "the example arguments"))
  let outDef: Tree.TreeDef | undefined
  const body = makeProgramFlat((ins) => {
    const out = flattenOut("closureConvert", resolve("closureConvert", fn(...Tree.unflatten<Array<unknown>>(def, ins))))
    outDef = out.def
    return out.leaves
  }, inputs.map((x) => x.aval))
  // the traced constants become leading inputs of the program; concrete ones stay in it
  const { hoisted, program } = hoistConsts(body)
  const nArgs = exampleArgs.length
  const converted = (...args: ReadonlyArray<unknown>): ReturnType<F> => {
    if (args.length !== nArgs + hoisted.length) {
      throw argumentError(
        "closureConvert",
        "the converted function's arguments",
        `${nArgs} argument${nArgs === 1 ? "" : "s"} like the example's, then the ${hoisted.length} constants`,
        args
      )
    }
    const [xs, d] = Tree.flatten(args.slice(0, nArgs) as Array<unknown>)
    if (!Tree.treedefEquals(d, def)) {
      throw new Tree.TreeStructureError({
        operation: "closureConvert",
        path: "",
        detail: `the converted function's arguments must have the example arguments' structure ${String(def)}, got ${
          String(d)
        }`
      })
    }
    const consts = args.slice(nArgs).map((c, k) => leafToTensor("closureConvert", c, args, nArgs + k, "the constants"))
    const ts = xs.map((l, k) => leafToTensor("closureConvert", l, args, k, "the arguments"))
    return Tree.unflatten(outDef!, evalProgram(program, program.consts, [...consts, ...ts]))
  }
  return [converted, hoisted] as const
}
