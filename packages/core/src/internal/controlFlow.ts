/**
 * Staged control flow (JAX's `lax.cond`, `lax.switch`, `lax.while_loop`):
 * the branches and bodies are staged into programs, checked as JAX checks
 * them, and bound as higher-order primitives whose rules live in every
 * transformation's table. `lax` re-exports them.
 */
import type { AbstractValue } from "../AbstractValue.js"
import { formatAval } from "../AbstractValue.js"
import { isComplex, isInteger } from "../DType.js"
import { ControlFlowError } from "../Errors.js"
import { bind, bind1 } from "../Handler.js"
import { Program, Var } from "../Program.js"
import { formatShape } from "../Shape.js"
import { makeProgramFlat } from "../Staging.js"
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
    const out = spread ? fn(...args) : fn(args)
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
        const [leaves, d] = Tree.flatten(fn(...args))
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

/** The core of `cond` and `switch`: `index` is an int32 scalar in range. */
const branchOn = (
  operation: string,
  index: Tensor,
  branches: ReadonlyArray<(...args: Array<any>) => unknown>,
  operands: ReadonlyArray<unknown>,
  name: (k: number) => string
): unknown => {
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
  const { hoisted, programs } = withCommonConsts(staged.map((s) => s.program))
  const outs = bind("cond", [index, ...hoisted, ...ops], { branches: programs })
  return Tree.unflatten(staged[0]!.outDef, outs)
}

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
 * @since 0.1.0
 */
export const cond = <Out>(
  pred: Tensor | number | boolean,
  trueFn: (...operands: Array<any>) => Out,
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
 * @since 0.1.0
 */
export const switchOn = <Out>(
  index: Tensor | number,
  branches: ReadonlyArray<(...operands: Array<any>) => Out>,
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
    const [leaves, def] = Tree.flatten((branches[0] as (...args: ReadonlyArray<unknown>) => Out)(...operands))
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
