/**
 * Staged control flow (JAX's `lax.cond`, `lax.switch`, `lax.while_loop`):
 * the branches and bodies are staged into programs, checked as JAX checks
 * them, and bound as higher-order primitives whose rules live in every
 * transformation's table. `lax` re-exports them.
 */
import type { AbstractValue } from "../AbstractValue.js"
import { formatAval } from "../AbstractValue.js"
import { isComplex, isInteger, promote as promoteDTypes } from "../DType.js"
import { ControlFlowError, DTypeError } from "../Errors.js"
import { bind, bind1 } from "../Handler.js"
import { Program, programHasEffects, pruneProgram, Var } from "../Program.js"
import { formatShape } from "../Shape.js"
import { makeProgramFlat, resolveOutput } from "../Staging.js"
import type { MaybeEffect } from "../Staging.js"
import { summary, Tensor, Tracer } from "../Tensor.js"
import * as Tree from "../Tree.js"
import { describeValue } from "../Validate.js"
import { fromLiteral } from "./arrayLiteral.js"

/** A leaf of an operand or output tree as a tensor: JS numbers and booleans become weakly typed scalars. */
const leafTensor = (operation: string, what: string, leaf: unknown): Tensor => {
  if (leaf instanceof Tensor) return leaf
  if (typeof leaf === "number" || typeof leaf === "boolean") return fromLiteral(leaf, undefined, true)
  throw new ControlFlowError({
    operation,
    detail: `${what} must be a pytree of tensors, numbers and booleans, got a leaf ${describeValue(leaf)}`
  })
}

/** A staged function of flat tensors, its output structure, and its program. */
interface Staged {
  readonly program: Program
  readonly outDef: Tree.TreeDef
}

/** Stages `fn(...unflatten(def, leaves))` at `avals`; outputs flattened (numbers become tensors). */
const stage = (
  operation: string,
  what: string,
  fn: (...args: Array<any>) => unknown,
  def: Tree.TreeDef,
  avals: ReadonlyArray<AbstractValue>,
  spread: boolean
): Staged => {
  let outDef: Tree.TreeDef | undefined
  const program = makeProgramFlat((ins) => {
    const args = Tree.unflatten<Array<unknown>>(def, ins)
    const out = resolveOutput(operation, spread ? fn(...args) : fn(args))
    const [leaves, d] = Tree.flatten(out)
    outDef = d
    return leaves.map((l) => leafTensor(operation, what, l))
  }, avals)
  return { program, outDef: outDef! }
}

/**
 * The programs with their tracer constants made common leading inputs (JAX's
 * `_initial_style_jaxprs_with_common_consts`): every program takes all of
 * them, in one order, and ignores those of the others.
 */
const withCommonConsts = (
  programs: ReadonlyArray<Program>
): { readonly programs: ReadonlyArray<Program>; readonly hoisted: ReadonlyArray<Tensor> } => {
  const hoisted: Array<Tensor> = []
  for (const p of programs) {
    for (const c of p.consts) if (c instanceof Tracer && !hoisted.includes(c)) hoisted.push(c)
  }
  if (hoisted.length === 0) return { programs, hoisted }
  const out = programs.map((p) => {
    const lead = hoisted.map((h) => {
      const k = p.consts.indexOf(h)
      return k >= 0 ? p.constVars[k]! : new Var(h.aval)
    })
    const keep = p.consts.map((c) => !(c instanceof Tracer))
    return new Program(
      p.constVars.filter((_, i) => keep[i]),
      p.consts.filter((_, i) => keep[i]),
      [...lead, ...p.inputs],
      p.equations,
      p.outputs
    )
  })
  return { programs: out, hoisted }
}

const typeMatch = (a: AbstractValue, b: AbstractValue): boolean =>
  a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])

/**
 * JAX's `_check_tree_and_avals`: two staged functions' outputs have one tree
 * structure and the same types (weak types aside), with JAX's messages.
 */
export const checkTreeAndAvals = (
  operation: string,
  what1: string,
  def1: Tree.TreeDef,
  avals1: ReadonlyArray<AbstractValue>,
  what2: string,
  def2: Tree.TreeDef,
  avals2: ReadonlyArray<AbstractValue>
): void => {
  if (!Tree.treedefEquals(def1, def2)) {
    throw new ControlFlowError({
      operation,
      detail: `${what1} must have same type structure as ${what2}, but there are differences: ${what1} is ${
        String(def1)
      } and ${what2} is ${String(def2)}`
    })
  }
  if (!avals1.every((a, i) => typeMatch(a, avals2[i]!))) {
    const diff = avals1.map((a, i) => {
      const b = avals2[i]!
      return typeMatch(a, b) ? formatAval(a) : `DIFFERENT ${formatAval(a)} vs. ${formatAval(b)}`
    })
    throw new ControlFlowError({
      operation,
      detail: `${what1} and ${what2} must have identical types, got\n(${diff.join(", ")}).`
    })
  }
}

/**
 * Branch outputs that differ only in weak type are made strong (an output is
 * weakly typed only when it is in every branch): the branch is staged again
 * with a conversion of those outputs.
 */
const joinWeakTypes = (
  operation: string,
  what: string,
  branches: ReadonlyArray<(...args: Array<any>) => unknown>,
  staged: ReadonlyArray<Staged>,
  def: Tree.TreeDef,
  avals: ReadonlyArray<AbstractValue>
): ReadonlyArray<Staged> => {
  const outWeak = staged[0]!.program.outAvals.map((_, i) => staged.every((s) => s.program.outAvals[i]!.weakType))
  return staged.map((s, k) => {
    if (s.program.outAvals.every((a, i) => a.weakType === outWeak[i])) return s
    const fn = branches[k]!
    return stage(
      operation,
      what,
      (...args: Array<unknown>) => {
        const [leaves, d] = Tree.flatten(resolveOutput(operation, fn(...args)))
        const strong = leaves.map((l, i) => {
          const x = leafTensor(operation, what, l)
          return x.weakType && !outWeak[i]
            ? bind1("convert_element_type", [x], { dtype: x.dtype, weakType: false })
            : x
        })
        return Tree.unflatten(d, strong)
      },
      def,
      avals,
      true
    )
  })
}

const isCallable = (f: unknown): f is (...args: Array<any>) => unknown => typeof f === "function"

/**
 * A function that declares more parameters than it is given operands (JS would pass `undefined`
 * for the rest; Python raises `TypeError: f() missing 1 required positional argument`).
 * Parameters with defaults and rest parameters do not count in `fn.length`, so they pass.
 */
const checkArity = (operation: string, what: string, fn: Function, given: number, of: string): void => {
  if (fn.length > given) {
    const name = fn.name.length > 0 ? ` (${fn.name})` : ""
    throw new ControlFlowError({
      operation,
      detail: `${what}${name} takes ${fn.length} arguments, but ${given} ${of}: ${fn.length - given} required argument${
        fn.length - given === 1 ? " is" : "s are"
      } missing`
    })
  }
}

/** The core of `cond` and `switch`: `index` is an int32 scalar in range. */
const branchOn = (
  operation: string,
  index: Tensor,
  branches: ReadonlyArray<(...args: Array<any>) => unknown>,
  operands: ReadonlyArray<unknown>,
  name: (k: number) => string
): unknown => {
  branches.forEach((fn, k) =>
    checkArity(
      operation,
      name(k).replace(/ output$/, ""),
      fn,
      operands.length,
      `operand${operands.length === 1 ? " was" : "s were"} given to lax.${operation}`
    )
  )
  const [leaves, def] = Tree.flatten(operands as Array<unknown>)
  const ops = leaves.map((l) => leafTensor(operation, "operands", l))
  const avals = ops.map((x) => x.aval)
  let staged: ReadonlyArray<Staged> = branches.map((fn, k) => stage(operation, name(k), fn, def, avals, true))
  // JAX names cond's true branch first, switch's branch 0 first
  const first = operation === "cond" ? 1 : 0
  for (let k = 0; k < staged.length; k++) {
    if (k === first) continue
    checkTreeAndAvals(
      operation,
      name(first),
      staged[first]!.outDef,
      staged[first]!.program.outAvals,
      name(k),
      staged[k]!.outDef,
      staged[k]!.program.outAvals
    )
  }
  staged = joinWeakTypes(operation, name(0), branches, staged, def, avals)
  // JAX's forwarding (conditionals.py's `in_fwd`): an output every branch returns as the same
  // operand, unchanged, is that operand, outside the cond (so a batched predicate leaves it unbatched)
  const forwarded = staged[0]!.program.outputs.map((_, i) => {
    const j = staged[0]!.program.inputs.indexOf(staged[0]!.program.outputs[i]!)
    return j >= 0 && staged.every((st) => st.program.outputs[i] === st.program.inputs[j]) &&
        sameType(ops[j]!.aval, staged[0]!.program.outAvals[i]!)
      ? j
      : -1
  })
  const kept = forwarded.flatMap((j, i) => (j < 0 ? [i] : []))
  const pruned = staged.map((st) =>
    kept.length === forwarded.length
      ? st.program
      : pruneProgram(st.program, kept.map((i) => st.program.outputs[i]!), st.program.inputs)
  )
  const { hoisted, programs } = withCommonConsts(pruned)
  const outs = kept.length === 0 && !programs.some(programHasEffects)
    ? []
    : bind("cond", [index, ...hoisted, ...ops], { branches: programs })
  let k = 0
  return Tree.unflatten(staged[0]!.outDef, forwarded.map((j) => (j >= 0 ? ops[j]! : outs[k++]!)))
}

// Whether an equation of `p` (or its outputs) reads `v`
const readsVar = (p: Program, v: Var): boolean => p.outputs.includes(v) || p.equations.some((e) => e.inputs.includes(v))

const sameType = (a: AbstractValue, b: AbstractValue): boolean => typeMatch(a, b) && a.weakType === b.weakType

const toTensor = (operation: string, argument: string, u: unknown): Tensor => {
  if (u instanceof Tensor) return u
  if (typeof u === "number" || typeof u === "boolean") return fromLiteral(u, undefined, true)
  throw new ControlFlowError({
    operation,
    detail: `${argument} must be a tensor, a number or a boolean, got ${describeValue(u)}`
  })
}

/**
 * `lax.cond(pred, trueFn, falseFn, ...operands)`: `trueFn(...operands)` when
 * `pred` is true, else `falseFn(...operands)`, staged: both branches are
 * traced, only one runs (JAX's `lax.cond`; see docs/guide/control-flow.md).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const relu = (x: Tensor) => lax.cond(np.greater(x, 0), (v: Tensor) => v, (v: Tensor) => np.zerosLike(v), x)
 * console.log(toJsSync([relu(np.array(2)), relu(np.array(-3))])) // [2, 0]
 *
 * @since 0.1.0
 */
export const cond = <Out>(
  pred: Tensor | number | boolean,
  trueFn: (...operands: Array<any>) => MaybeEffect<Out>,
  falseFn: (...operands: Array<any>) => unknown,
  ...operands: ReadonlyArray<unknown>
): Tree.MapLeaves<Out, Tensor> => {
  if (!isCallable(trueFn) || !isCallable(falseFn)) {
    throw new ControlFlowError({
      operation: "cond",
      detail: "lax.cond: true_fun and false_fun arguments should be callable."
    })
  }
  if (pred === null || pred === undefined) {
    throw new ControlFlowError({ operation: "cond", detail: "cond predicate is None" })
  }
  const p = toTensor("cond", "pred", pred)
  if (p.ndim !== 0) {
    throw new ControlFlowError({
      operation: "cond",
      detail: `Pred must be a scalar, got ${summary(p)} of shape ${formatShape(p.shape)}.`
    })
  }
  let b = p
  if (p.dtype !== "bool") {
    if (isComplex(p.dtype) || p.dtype === "float0") {
      throw new ControlFlowError({
        operation: "cond",
        detail: `Pred type must be either boolean or number, got ${p.dtype}.`
      })
    }
    // JAX: a numeric predicate means pred != 0
    b = bind1("ne", [p, fromLiteral(0, p.dtype, p.weakType)], {})
  }
  const index = bind1("convert_element_type", [b], { dtype: "int32", weakType: false })
  return branchOn(
    "cond",
    index,
    [falseFn, trueFn],
    operands,
    (k) => (k === 0 ? "false_fun output" : "true_fun output")
  ) as Tree.MapLeaves<Out, Tensor>
}

/**
 * `lax.switch(index, branches, ...operands)`: `branches[index](...operands)`,
 * with `index` clamped into `[0, branches.length - 1]` (JAX's `lax.switch`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const branches = [(v: Tensor) => np.add(v, 1), (v: Tensor) => np.multiply(v, 3)]
 * console.log(toJsSync([lax.switch(0, branches, np.array(5)), lax.switch(9, branches, np.array(5))])) // [6, 15]
 *
 * @since 0.1.0
 */
export const switchOn = <Out>(
  index: Tensor | number,
  branches: ReadonlyArray<(...operands: Array<any>) => MaybeEffect<Out>>,
  ...operands: ReadonlyArray<unknown>
): Tree.MapLeaves<Out, Tensor> => {
  if (!Array.isArray(branches) || !branches.every(isCallable)) {
    throw new ControlFlowError({
      operation: "switch",
      detail: "lax.switch: branches argument should be a sequence of callables."
    })
  }
  const i = toTensor("switch", "index", index)
  if (i.ndim !== 0) {
    throw new ControlFlowError({
      operation: "switch",
      detail: `Branch index must be scalar, got ${summary(i)} of shape ${formatShape(i.shape)}.`
    })
  }
  if (!isInteger(i.dtype) && !(typeof index === "number" && Number.isInteger(index))) {
    throw new ControlFlowError({
      operation: "switch",
      detail: `Index type must be an integer, got ${summary(i)} as ${i.dtype}`
    })
  }
  if (branches.length === 0) throw new ControlFlowError({ operation: "switch", detail: "Empty branch sequence" })
  if (branches.length === 1) {
    // one branch: called directly (JAX does too); its number leaves become tensors like a staged result's
    checkArity(
      "switch",
      "branch 0",
      branches[0]!,
      operands.length,
      `operand${operands.length === 1 ? " was" : "s were"} given to lax.switch`
    )
    const [leaves, def] = Tree.flatten(
      resolveOutput("switch", (branches[0] as (...args: ReadonlyArray<unknown>) => Out)(...operands))
    )
    return Tree.unflatten(def, leaves.map((l) => leafTensor("switch", "branch 0 output", l)))
  }
  const asInt = i.dtype === "int32"
    ? i
    : bind1("convert_element_type", [typeof index === "number" ? fromLiteral(index, "int32", false) : i], {
      dtype: "int32",
      weakType: false
    })
  const lo = fromLiteral(0, "int32", false)
  const hi = fromLiteral(branches.length - 1, "int32", false)
  const clamped = bind1("min", [bind1("max", [asInt, lo], {}), hi], {})
  return branchOn("switch", clamped, branches, operands, (k) => `branch ${k} output`) as Tree.MapLeaves<Out, Tensor>
}

/**
 * `lax.whileLoop(condFn, bodyFn, init)`: `while (condFn(value)) value =
 * bodyFn(value)`, staged (JAX's `lax.while_loop`): the carry keeps its tree
 * structure, shapes and dtypes. Forward-mode differentiable and batchable;
 * reverse mode is an error (the trip count is not known in advance: use
 * `lax.scan`, or `lax.foriLoop` with static bounds).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // halve until below 1, counting the steps
 * const [v, n] = lax.whileLoop(
 *   ([x]: [Tensor, Tensor]) => np.greaterEqual(x, 1),
 *   ([x, k]: [Tensor, Tensor]) => [np.divide(x, 2), lax.add(k, 1)],
 *   [np.array(20), np.array(0, { dtype: "int32" })]
 * )
 * console.log(toJsSync([v, n])) // [0.625, 5]
 *
 * @since 0.1.0
 */
export const whileLoop = <T>(
  condFn: (value: Tree.MapLeaves<NoInfer<T>, Tensor>) => unknown,
  bodyFn: (value: Tree.MapLeaves<NoInfer<T>, Tensor>) => unknown,
  init: T
): Tree.MapLeaves<T, Tensor> => {
  if (!isCallable(condFn) || !isCallable(bodyFn)) {
    throw new ControlFlowError({
      operation: "whileLoop",
      detail: "lax.while_loop: cond_fun and body_fun arguments should be callable."
    })
  }
  checkArity("whileLoop", "cond_fun", condFn, 1, "is given by lax.whileLoop (the carry)")
  checkArity("whileLoop", "body_fun", bodyFn, 1, "is given by lax.whileLoop (the carry)")
  const [leaves, def] = Tree.flatten(init)
  let carry = leaves.map((l) => leafTensor("whileLoop", "init_val", l))
  let body = stage("whileLoop", "body_fun output", bodyFn, def, carry.map((x) => x.aval), false)
  // JAX's _promote_weak_typed_inputs: a weakly typed init value takes the body output's type when
  // promoting the two gives that type (a JS number and a float64 output); a weak float32 init and an
  // int32 output promote to float32, so the carry's types differ, which is an error below (as JAX's)
  const promote = carry.map((x, i) => {
    const out = body.program.outAvals[i]
    return out !== undefined && x.weakType && !out.weakType && Tree.treedefEquals(def, body.outDef) &&
      x.dtype !== "float0" && out.dtype !== "float0" &&
      promoteDTypes(x.dtype, true, out.dtype, false)[0] === out.dtype &&
      x.ndim === out.shape.length
  })
  if (promote.some((p) => p)) {
    carry = carry.map((x, i) =>
      promote[i] ? bind1("convert_element_type", [x], { dtype: body.program.outAvals[i]!.dtype, weakType: false }) : x
    )
    body = stage("whileLoop", "body_fun output", bodyFn, def, carry.map((x) => x.aval), false)
  }
  const avals = carry.map((x) => x.aval)
  const condStaged = stage("whileLoop", "cond_fun output", condFn, def, avals, false)
  const condOut = condStaged.program.outAvals
  const [, leafDef] = Tree.flatten(0)
  if (!Tree.treedefEquals(condStaged.outDef, leafDef)) {
    throw new ControlFlowError({
      operation: "whileLoop",
      detail: `cond_fun must return a boolean scalar, but got pytree ${String(condStaged.outDef)}.`
    })
  }
  if (condOut[0]!.dtype !== "bool" || condOut[0]!.shape.length !== 0) {
    throw new ControlFlowError({
      operation: "whileLoop",
      detail: `cond_fun must return a boolean scalar, but got output type(s) [${condOut.map(formatAval).join(", ")}].`
    })
  }
  if (!Tree.treedefEquals(body.outDef, def)) {
    throw new ControlFlowError({
      operation: "whileLoop",
      detail: `body_fun output and input must have same type structure, got ${String(body.outDef)} and ${String(def)}.`
    })
  }
  const outAvals = body.program.outAvals
  if (!outAvals.every((a, i) => typeMatch(a, avals[i]!))) {
    const diff = outAvals.map((a, i) =>
      typeMatch(a, avals[i]!) ? formatAval(a) : `${formatAval(a)}\nand\n${formatAval(avals[i]!)}`
    )
    throw new ControlFlowError({
      operation: "whileLoop",
      detail: `body_fun output and input must have identical types, got\n${diff.join(",\n")}.`
    })
  }
  // the carry's weak types are the input's (an output weakly typed where the input is not is made strong)
  let bodyProgram = body.program
  if (outAvals.some((a, i) => a.weakType !== avals[i]!.weakType)) {
    bodyProgram = stage(
      "whileLoop",
      "body_fun output",
      (value: unknown) => {
        const [outs, d] = Tree.flatten(bodyFn(value as Tree.MapLeaves<NoInfer<T>, Tensor>))
        return Tree.unflatten(
          d,
          outs.map((l, i) => {
            const x = leafTensor("whileLoop", "body_fun output", l)
            return x.weakType === avals[i]!.weakType
              ? x
              : bind1("convert_element_type", [x], { dtype: x.dtype, weakType: avals[i]!.weakType })
          })
        )
      },
      def,
      avals,
      false
    ).program
  }
  // JAX's while_loop moves a carry the body returns unchanged and the predicate does not read into
  // the body's constants (so a batched predicate leaves it unbatched); its result is its init
  const invariant = carry.map((_, i) =>
    bodyProgram.outputs[i] === bodyProgram.inputs[i] && !readsVar(condStaged.program, condStaged.program.inputs[i]!)
  )
  const asConsts = (p: Program, dropOutputs: boolean): Program =>
    new Program(
      [...p.constVars, ...p.inputs.filter((_, i) => invariant[i])],
      [...p.consts, ...carry.filter((_, i) => invariant[i])],
      p.inputs.filter((_, i) => !invariant[i]),
      p.equations,
      dropOutputs ? p.outputs.filter((_, i) => !invariant[i]) : p.outputs
    )
  const moved = invariant.some((v) => v)
  const c = withCommonConsts([moved ? asConsts(condStaged.program, false) : condStaged.program])
  const b = withCommonConsts([moved ? asConsts(bodyProgram, true) : bodyProgram])
  const loopCarry = carry.filter((_, i) => !invariant[i])
  const loopOuts = bind("while", [...c.hoisted, ...b.hoisted, ...loopCarry], {
    cond: c.programs[0]!,
    body: b.programs[0]!,
    condConsts: c.hoisted.length,
    bodyConsts: b.hoisted.length
  })
  let k = 0
  const outs = carry.map((x, i) => (invariant[i] ? x : loopOuts[k++]!))
  // the loop's result has the body's output types, weak types included (JAX's
  // _while_loop_abstract_eval returns body_jaxpr.out_avals)
  return Tree.unflatten(
    def,
    outs.map((x, i) =>
      x.weakType === outAvals[i]!.weakType
        ? x
        : bind1("convert_element_type", [x], { dtype: x.dtype, weakType: outAvals[i]!.weakType })
    )
  )
}

/**
 * A JS-number loop bound must be an int32 (JAX converts it to int32 and raises
 * `OverflowError: Python int 4294967296 too large to convert to int32`): beyond
 * that range an int32 counter would wrap, and a loop of 2^31 steps never ends.
 */
export const checkInt32Bound = (operation: string, argument: string, u: number): void => {
  if (u < -2147483648 || u > 2147483647) {
    throw new DTypeError({
      operation,
      detail: `${argument} ${u} too large to convert to int32 (the loop bounds must lie in [-2147483648, 2147483647])`
    })
  }
}

/**
 * `lax.foriLoop(lower, upper, bodyFn, init)` with traced bounds: a
 * `whileLoop` over `(i, upper, value)` (JAX's `fori_loop` when a bound is not
 * concrete): forward-mode differentiable, not reverse-mode.
 *
 * @since 0.1.0
 */
export const foriLoopTraced = <T>(
  lower: Tensor | number,
  upper: Tensor | number,
  bodyFn: (i: Tensor, value: T) => MaybeEffect<T>,
  init: T
): Tree.MapLeaves<T, Tensor> => {
  if (!isCallable(bodyFn)) {
    throw new ControlFlowError({
      operation: "foriLoop",
      detail: "lax.fori_loop: body_fun argument should be callable."
    })
  }
  const lo = toTensor("foriLoop", "lower", lower)
  const hi = toTensor("foriLoop", "upper", upper)
  const intLike = (x: Tensor, u: unknown) => isInteger(x.dtype) || (typeof u === "number" && Number.isInteger(u))
  if (lo.ndim !== 0 || hi.ndim !== 0 || !intLike(lo, lower) || !intLike(hi, upper)) {
    throw new ControlFlowError({
      operation: "foriLoop",
      detail: `lower and upper must be integer scalars, got ${summary(lo)} and ${summary(hi)}`
    })
  }
  if (typeof lower === "number") checkInt32Bound("foriLoop", "lower", lower)
  if (typeof upper === "number") checkInt32Bound("foriLoop", "upper", upper)
  // JAX: both bounds take one dtype (a JS number the tensor's; int32 when both are JS numbers)
  const dtype = typeof lower !== "number" ? lo.dtype : typeof upper !== "number" ? hi.dtype : "int32"
  const asDType = (x: Tensor, u: unknown) =>
    x.dtype === dtype && !x.weakType
      ? x
      : bind1("convert_element_type", [typeof u === "number" ? fromLiteral(u, dtype, false) : x], {
        dtype,
        weakType: false
      })
  const start = asDType(lo, lower)
  const stop = asDType(hi, upper)
  type Carry = readonly [Tensor, Tensor, T]
  const [, , value] = whileLoop<unknown>(
    (c) => bind1("lt", [(c as Carry)[0], (c as Carry)[1]], {}),
    (c) => {
      const [i, n, v] = c as Carry
      return [bind1("add", [i, fromLiteral(1, dtype, false)], {}), n, resolveOutput("foriLoop", bodyFn(i, v))]
    },
    [start, stop, init]
  ) as readonly [Tensor, Tensor, Tree.MapLeaves<T, Tensor>]
  return value
}
