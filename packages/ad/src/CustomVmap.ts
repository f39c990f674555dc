/**
 * Custom batching rules (JAX's `jax.custom_batching.custom_vmap` and
 * `sequential_vmap`).
 *
 * `customVmap(f).defVmap(rule)` gives `f` a rule that `vmap` calls instead of
 * batching `f`'s operations: `rule(axisSize, inBatched, ...args)` gets the
 * arguments with their batch dimension first where `inBatched` (one pytree of
 * booleans per argument) says they have one, and returns `[out, outBatched]`,
 * `outBatched` a pytree of booleans with `out`'s structure. Outside `vmap` the
 * function runs `f`.
 *
 * - Under `jvp` (and `jacfwd`), the call is a custom-vmap call of `f`'s JVP
 *   whose rule is the JVP of `rule` (JAX's `custom_vmap_jvp`): `vmap(jvp(f))`
 *   and `jvp(vmap(f))` both batch through `rule`. Arguments batched in only
 *   their primal or only their tangent are mapped over outside the rule, which
 *   sees them unbatched.
 * - Reverse mode (`grad`, `vjp`, `linearize`) is an error, as in JAX: wrap the
 *   function in `customVjp` to give it a reverse-mode rule.
 * - Staged (`jit`, control flow), the call stays one equation that replays
 *   the call when a transformation evaluates it, so `vmap(jit(f))` still uses
 *   the rule; compiled without one, it is `f`'s operations.
 *
 * The handlers' part lives beside `bind` in @diffect/core (`customVmapCall`)
 * and in each handler (`processCustomVmapCall`).
 *
 * @since 0.1.0
 */
import { customVmapCall, lax, Tree } from "@diffect/core"
import type { AbstractValue, CustomVmapCallee, Tensor } from "@diffect/core"
import type { RuleResult } from "./Custom.js"
import { CustomRuleError } from "./Errors.js"
import { checkCallable, flattenArgs, unflattenArgs } from "./internal/args.js"
import type { FlatArg } from "./internal/args.js"
import { flattenOut, nameOf, typeStr } from "./internal/ruleOutputs.js"
import { resolve } from "./internal/shell.js"
import { makeProgramFlat } from "./internal/staging.js"
import type { AnyFunction } from "./Types.js"

export { customVmapCall } from "@diffect/core"
export type { CustomVmapCallee, CustomVmapHandler } from "@diffect/core"

/**
 * A batching rule for `customVmap`: the batch size, one pytree of booleans per
 * argument saying which leaves are batched (at dimension 0), and the arguments;
 * it returns the output and a pytree of booleans of the output's structure
 * saying which output leaves it batched (at dimension 0).
 *
 * @category Custom rules
 * @since 0.1.0
 */
export type VmapRule<F extends AnyFunction> = (
  axisSize: number,
  inBatched: Array<unknown>,
  ...args: Parameters<F>
) => RuleResult<readonly [unknown, unknown]>

/**
 * A function with a custom batching rule (from {@link customVmap}): call it as
 * `f`; `defVmap(rule)` sets the rule (and returns it, as JAX's `def_vmap`).
 *
 * @category Custom rules
 * @since 0.1.0
 */
export interface CustomVmapFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>
  readonly defVmap: (rule: VmapRule<F>) => VmapRule<F>
}

interface OutType {
  readonly def: Tree.TreeDef
  readonly avals: ReadonlyArray<AbstractValue>
}

/**
 * Gives `f` a custom batching rule (JAX's `jax.custom_batching.custom_vmap`):
 * `vmap` calls `rule(axisSize, inBatched, ...args)` instead of batching `f`'s
 * operations (see the module docs for `jvp`, `jit` and reverse mode).
 *
 * @example
 * import { customVmap, np, runSync, toJsSync, vmap } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = customVmap((x: Tensor) => np.sin(x))
 * // a rule that is not f's batching, to show it runs
 * f.defVmap((_axisSize, inBatched, xs: Tensor) => [np.cos(xs), inBatched[0]] as const)
 * console.log(toJsSync(f(np.array(0)))) // 0
 * console.log(toJsSync(runSync(vmap(f)(np.array([0, 0]))))) // [1, 1]
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const customVmap = <F extends AnyFunction>(f: F): CustomVmapFunction<F> => {
  checkCallable("customVmap", f)
  const name = nameOf(f)
  let rule: VmapRule<F> | undefined
  const call = (...args: Parameters<F>): ReturnType<F> => {
    const r = rule
    // JAX: "No batching rule defined for custom_vmap function f using def_vmap."
    if (r === undefined) {
      throw new CustomRuleError({
        name,
        detail: `No batching rule defined for customVmap function ${name} using defVmap: call .defVmap(rule) first`
      })
    }
    const flat = flattenArgs("customVmap", args, args.map((_, i) => i))
    let outDef: Tree.TreeDef | undefined
    const flatF = (xs: ReadonlyArray<Tensor>): Array<Tensor> => {
      const out = flattenOut(name, resolve("customVmap", f(...unflattenArgs(flat, xs))))
      outDef = out.def
      return out.leaves
    }
    const leaves = allLeavesOf(flat)
    // f's output type at the call's argument types (staged once, nothing computed): the rule's outputs must match it
    let outType: OutType | undefined
    const expected = (): OutType => {
      if (outType === undefined) {
        const program = makeProgramFlat(flatF, leaves.map((x) => x.aval))
        outType = { def: outDef!, avals: program.outAvals }
      }
      return outType
    }
    const callee: CustomVmapCallee = {
      name,
      f: flatF,
      rule: (axisSize, inBatched, xs) => {
        const ruleArgs = unflattenArgs(flat, xs) as Parameters<F>
        const batchedTrees = unflattenArgs(flat, inBatched)
        const result = resolve("customVmap", r(axisSize, batchedTrees, ...ruleArgs))
        if (!Array.isArray(result) || result.length !== 2) {
          throw new CustomRuleError({
            name,
            detail: `the custom vmap rule (${nameOf(r)}) must return a pair [output, outBatched], got ${String(result)}`
          })
        }
        return checkRuleOutput(name, nameOf(r), result[0], result[1], expected(), axisSize)
      }
    }
    const outs = customVmapCall(callee, leaves)
    return Tree.unflatten(outDef ?? expected().def, outs) as ReturnType<F>
  }
  return Object.assign(call, {
    defVmap: (r: VmapRule<F>): VmapRule<F> => {
      checkCallable("customVmap.defVmap", r)
      rule = r
      return r
    }
  })
}

const allLeavesOf = (flat: ReadonlyArray<FlatArg>): Array<Tensor> => flat.flatMap((a) => a.leaves)

/**
 * JAX's `check_vmap_rule_trees`, then each leaf's type: a batched output is the
 * function's output with a leading axis of `axisSize`, an unbatched one is the
 * function's output type.
 */
const checkRuleOutput = (
  name: string,
  ruleName: string,
  out: unknown,
  outBatched: unknown,
  expected: OutType,
  axisSize: number
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<boolean>] => {
  const { def, leaves } = flattenOut(name, out)
  const [flags, flagsDef] = Tree.flatten(outBatched)
  if (!Tree.treedefEquals(def, flagsDef) || flags.some((b) => typeof b !== "boolean")) {
    throw new CustomRuleError({
      name,
      detail:
        `structure of output value and output batching specification returned by custom vmap rule (${ruleName}) do not match.\nOutput values: ${
          String(def)
        }\nBatching spec: ${String(flagsDef)}`
    })
  }
  if (!Tree.treedefEquals(def, expected.def)) {
    throw new CustomRuleError({
      name,
      detail:
        `structure of output returned by custom vmap rule (${ruleName}) does not match that of original custom-vmapped function.\nOriginal output: ${
          String(expected.def)
        }\nRule output: ${String(def)}`
    })
  }
  leaves.forEach((y, i) => {
    const want = expected.avals[i]!
    const shape = flags[i] === true ? [axisSize, ...want.shape] : want.shape
    if (y.dtype !== want.dtype || y.shape.length !== shape.length || y.shape.some((d, k) => d !== shape[k])) {
      throw new CustomRuleError({
        name,
        detail: `the custom vmap rule (${ruleName}) returned ${
          typeStr(y.aval)
        } for output leaf ${i}, which it says is ${flags[i] === true ? "batched" : "not batched"}: expected ${
          typeStr({ ...want, shape })
        }`
      })
    }
  })
  return [leaves, flags as Array<boolean>]
}

/**
 * `customVmap` with the rule that maps `f` over the batch one slice at a time
 * with `lax.map` (JAX's `jax.custom_batching.sequential_vmap`): for functions
 * that cannot be batched (a host callback, a sequential algorithm), or whose
 * batched form would take too much memory. Unbatched arguments are passed to
 * every slice as they are.
 *
 * @example
 * import { np, runSync, sequentialVmap, toJsSync, vmap } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = sequentialVmap((x: Tensor, y: Tensor) => np.add(x, y))
 * console.log(toJsSync(runSync(vmap(f, { inAxes: [0, null] })(np.array([1, 2, 3]), np.array(10))))) // [11, 12, 13]
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const sequentialVmap = <F extends AnyFunction>(f: F): CustomVmapFunction<F> => {
  checkCallable("sequentialVmap", f)
  const g = customVmap(f)
  g.defVmap((_axisSize, inBatched, ...args) => {
    // the batched leaves are mapped over; every other leaf goes to each slice as it is
    const [leaves, def] = Tree.flatten(args as Array<unknown>)
    const [flags] = Tree.flatten(inBatched)
    const mapped = leaves.filter((_, i) => flags[i] === true)
    const out = lax.map((slices: Array<unknown>) => {
      let k = 0
      const merged = leaves.map((leaf, i) => (flags[i] === true ? slices[k++] : leaf))
      return g(...(Tree.unflatten(def, merged) as Parameters<F>))
    }, mapped)
    return [out, Tree.map(out, () => true)] as const
  })
  return g
}
