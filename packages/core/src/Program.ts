/**
 * `Program`: diffect's staged intermediate representation (JAX's jaxpr). A
 * program has typed input variables, captured constants, a list of equations
 * (a primitive applied to variables, giving new variables) and output variables.
 * Linearize stages the linear part of a function into a program, transpose walks
 * it backwards, and `makeProgram` prints one like `jax.make_jaxpr`.
 *
 * A program is closed (JAX's `ClosedJaxpr`): it carries its constants. A
 * primitive's parameters may hold programs (`jit_call`'s body, `cond`'s
 * branches, a loop's body): such a primitive is _higher-order_, and a program
 * held by a parameter has only concrete constants (values traced by a
 * transformation are passed as operands instead; see {@link hoistConsts}).
 * The IR lives in the core so that the core can declare higher-order
 * primitives and evaluate them; the transformations live in `@diffect/ad`.
 *
 * @since 0.1.0
 */
import type { AbstractValue } from "./AbstractValue.js"
import { formatAval } from "./AbstractValue.js"
import { bind } from "./Handler.js"
import { higherOrderEvalRules } from "./internal/higherOrder.js"
import type { EvalContext } from "./internal/higherOrder.js"
import { formatParam, formatParams, varName } from "./internal/jaxprText.js"
import { currentRunner, installRunner } from "./internal/programRunner.js"
import type { RunOptions } from "./internal/programRunner.js"
import type { NameStack } from "./NameStack.js"
import { withEquationNameStack } from "./NameStack.js"
import { isHigherOrder } from "./Primitive.js"
import type { HigherOrderPrimitive, Params, Primitive } from "./Primitive.js"
import { Tracer } from "./Tensor.js"
import type { Tensor } from "./Tensor.js"
import { argumentError, boolean, checkOptions, checkTensor } from "./Validate.js"

/**
 * A typed program variable. Its printed name (`a`, `b`, ...) is given when the
 * program is printed, so variables can be created without a program at hand.
 *
 * @category Programs
 * @since 0.1.0
 */
export class Var {
  constructor(readonly aval: AbstractValue) {}
  toString(): string {
    return `Var(${formatAval(this.aval)})`
  }
}

/**
 * One step of a program: `outputs = primitive[params](inputs)`.
 *
 * @category Programs
 * @since 0.1.0
 */
export interface PrimitiveEquation {
  readonly _tag: "PrimitiveEquation"
  readonly primitive: Primitive
  readonly inputs: ReadonlyArray<Var>
  readonly params: Params<Primitive>
  readonly outputs: ReadonlyArray<Var>
  /** The scopes and transformations it was staged in, relative to its program (`namedScope`). */
  readonly nameStack?: NameStack | undefined
}

/**
 * A step that is not a primitive but a call into user code: the linear part of a
 * `customVjp` function (JAX's `custom_lin`). Its inputs are tangents; it cannot
 * be evaluated forwards, and its transpose calls the user's `bwd` on the saved
 * residuals.
 *
 * @category Programs
 * @since 0.1.0
 */
export interface CustomEquation {
  readonly _tag: "CustomEquation"
  /** For printing: the name of the custom function. */
  readonly name: string
  readonly inputs: ReadonlyArray<Var>
  readonly outputs: ReadonlyArray<Var>
  /** Forward evaluation (throws for `customVjp`'s linear part: forward mode is not defined). */
  readonly evaluate: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  /**
   * Transposition: output cotangents (`null` for zero) to input cotangents
   * (`null` for zero). `inputs` holds the values of the inputs that are not
   * linear (`undefined` for the linear ones), where the caller knows them.
   */
  readonly transpose: (
    cotangents: ReadonlyArray<Tensor | null>,
    inputs?: ReadonlyArray<Tensor | undefined>
  ) => ReadonlyArray<Tensor | null>
  /**
   * The function `evaluate` applies, staged (jit records it while tracing for
   * the output types), when known: what an interpreter may look into (the
   * worker side of `pmap` looks for collectives there).
   */
  readonly body?: Program | undefined
  /**
   * Whether it is transposed by a backward pass over `body` instead of by
   * `transpose` (a staged call of a function with a custom rule: JAX
   * transposes `custom_jvp_call` through its call jaxpr).
   */
  readonly transposeBody?: boolean | undefined
  /** The scopes and transformations it was staged in, relative to its program (`namedScope`). */
  readonly nameStack?: NameStack | undefined
}

/**
 * An equation of a program.
 *
 * @category Programs
 * @since 0.1.0
 */
export type Equation = PrimitiveEquation | CustomEquation

/**
 * A staged program with its captured constants (JAX's `ClosedJaxpr`): `constVars`
 * are bound to `consts`, `inputs` to the caller's arguments.
 *
 * @example
 * import { lax } from "diffect"
 * import { aval, makeProgramFlat } from "diffect/extend"
 * const program = makeProgramFlat(([x]) => [lax.sin(x!)], [aval([3], "float32")])
 * console.log(program.toString())
 * // { lambda ; a:f32[3]. let
 * //     b:f32[3] = sin a
 * //   in (b,) }
 *
 * @category Programs
 * @since 0.1.0
 */
export class Program {
  constructor(
    readonly constVars: ReadonlyArray<Var>,
    readonly consts: ReadonlyArray<Tensor>,
    readonly inputs: ReadonlyArray<Var>,
    readonly equations: ReadonlyArray<Equation>,
    readonly outputs: ReadonlyArray<Var>
  ) {}
  /** Input abstract values. */
  get inAvals(): ReadonlyArray<AbstractValue> {
    return this.inputs.map((v) => v.aval)
  }
  /** Output abstract values. */
  get outAvals(): ReadonlyArray<AbstractValue> {
    return this.outputs.map((v) => v.aval)
  }
  /**
   * Prints the program like `jax.make_jaxpr`; with `nameStack`, each equation
   * made in a named scope ends with its stack (`# [jvp(foo)]`), as
   * `jaxpr.pretty_print(name_stack=True)` shows it.
   */
  toString(options?: ProgramPrintOptions): string {
    if (options !== undefined) checkOptions("Program.toString", options, { nameStack: boolean })
    return printProgram(this, options?.nameStack === true)
  }
}

// Programs whose equations have an effect, by identity (programs are immutable).
const effectful = new WeakMap<Program, boolean>()

/**
 * Whether running `program` has an effect beyond its outputs: one of its
 * equations has (see {@link equationHasEffect}).
 *
 * @category Programs
 * @since 0.1.0
 */
export const programHasEffects = (program: Program): boolean => {
  let known = effectful.get(program)
  if (known === undefined) {
    known = program.equations.some(equationHasEffect)
    effectful.set(program, known)
  }
  return known
}

/**
 * Whether running `eqn` has an effect beyond its outputs (JAX's effects): a
 * `debug_callback`, or an equation whose programs hold one (a `cond` branch, a
 * loop body, a custom rule's function). Dead-code elimination keeps such an
 * equation even when no output is used, and no pass merges or folds it.
 *
 * @category Programs
 * @since 0.1.0
 */
export const equationHasEffect = (eqn: Equation): boolean => {
  if (eqn._tag === "CustomEquation") return eqn.body !== undefined && programHasEffects(eqn.body)
  if (eqn.primitive === "debug_callback" || eqn.primitive === "io_callback") return true
  // only higher-order primitives hold programs (the common first-order case: one lookup)
  if (!isHigherOrder(eqn.primitive)) return false
  return Object.values(eqn.params).some((v: unknown) =>
    v instanceof Program
      ? programHasEffects(v)
      : Array.isArray(v) && v.some((p: unknown) => p instanceof Program && programHasEffects(p))
  )
}

/**
 * `program` restricted to `outputs` (by default its own) over `inputs` (by
 * default its own; a subset the kept equations cover): the equations and
 * constants no kept output or effect depends on are dropped (dead-code
 * elimination), and so are a `cond`'s or `while`'s unused outputs with the
 * work inside them that only those outputs needed.
 *
 * @category Programs
 * @since 0.1.0
 */
export const pruneProgram = (
  program: Program,
  outputs: ReadonlyArray<Var> = program.outputs,
  inputs: ReadonlyArray<Var> = program.inputs
): Program => {
  const live = new Set<Var>(outputs)
  const kept: Array<Equation> = []
  for (let k = program.equations.length - 1; k >= 0; k--) {
    const eqn = program.equations[k]!
    if (!eqn.outputs.some((v) => live.has(v)) && !equationHasEffect(eqn)) continue
    const pruned = pruneEquationOutputs(eqn, live)
    kept.push(pruned)
    for (const v of pruned.inputs) live.add(v)
  }
  kept.reverse()
  const constVars: Array<Var> = []
  const consts: Array<Tensor> = []
  program.constVars.forEach((v, i) => {
    if (live.has(v)) {
      constVars.push(v)
      consts.push(program.consts[i]!)
    }
  })
  return new Program(constVars, consts, inputs, kept, outputs)
}

/**
 * `eqn` without the outputs `live` lacks, where its primitive can drop them
 * (JAX's dce rules of `cond_p` and `while_p`): a `cond`'s branches and a
 * `while`'s body then lose the work only those outputs needed. Any other
 * equation is returned as it is.
 *
 * @category Programs
 * @since 0.1.0
 */
export const pruneEquationOutputs = (eqn: Equation, live: ReadonlySet<Var>): Equation => {
  if (eqn._tag !== "PrimitiveEquation" || eqn.outputs.every((v) => live.has(v))) return eqn
  if (eqn.primitive === "cond") return pruneCond(eqn, live)
  if (eqn.primitive === "while") return pruneWhile(eqn, live)
  return eqn
}

/** The inputs of `program` that its outputs at `wanted` (or its effects) read (through its equations). */
const inputsReaching = (program: Program, wanted: Iterable<number>): Set<Var> => {
  const live = new Set<Var>([...wanted].map((i) => program.outputs[i]!))
  for (let k = program.equations.length - 1; k >= 0; k--) {
    const eqn = program.equations[k]!
    if (eqn.outputs.some((v) => live.has(v)) || equationHasEffect(eqn)) { for (const v of eqn.inputs) live.add(v) }
  }
  return new Set(program.inputs.filter((v) => live.has(v)))
}

// A cond keeps only its live outputs; each branch drops the work only they needed.
const pruneCond = (eqn: PrimitiveEquation, live: ReadonlySet<Var>): PrimitiveEquation => {
  const keep = eqn.outputs.flatMap((v, i) => (live.has(v) ? [i] : []))
  const { branches } = eqn.params as Params<"cond">
  return {
    ...eqn,
    params: { ...eqn.params, branches: branches.map((b) => pruneProgram(b, keep.map((i) => b.outputs[i]!), b.inputs)) },
    outputs: keep.map((i) => eqn.outputs[i]!)
  }
}

// A while keeps the carries its live outputs and its predicate need, closed under the body's
// dependencies (a kept carry's next value may read another carry): a fixed point.
const pruneWhile = (eqn: PrimitiveEquation, live: ReadonlySet<Var>): PrimitiveEquation => {
  const { body, bodyConsts, cond, condConsts } = eqn.params as Params<"while">
  const n = eqn.outputs.length
  const carryIn = (p: Program, consts: number, i: number) => p.inputs[consts + i]!
  const needed = new Set<number>(eqn.outputs.flatMap((v, i) => (live.has(v) ? [i] : [])))
  const condReads = inputsReaching(cond, [0])
  for (let i = 0; i < n; i++) if (condReads.has(carryIn(cond, condConsts, i))) needed.add(i)
  for (let size = -1; size !== needed.size;) {
    size = needed.size
    const reads = inputsReaching(body, needed)
    for (let i = 0; i < n; i++) if (reads.has(carryIn(body, bodyConsts, i))) needed.add(i)
  }
  if (needed.size === n) return eqn
  const keep = [...needed].sort((a, b) => a - b)
  const newBody = pruneProgram(body, keep.map((i) => body.outputs[i]!), [
    ...body.inputs.slice(0, bodyConsts),
    ...keep.map((i) => carryIn(body, bodyConsts, i))
  ])
  const newCond = pruneProgram(cond, cond.outputs, [
    ...cond.inputs.slice(0, condConsts),
    ...keep.map((i) => carryIn(cond, condConsts, i))
  ])
  const carryOperands = eqn.inputs.slice(condConsts + bodyConsts)
  return {
    ...eqn,
    params: { ...eqn.params, body: newBody, cond: newCond },
    inputs: [...eqn.inputs.slice(0, condConsts + bodyConsts), ...keep.map((i) => carryOperands[i]!)],
    outputs: keep.map((i) => eqn.outputs[i]!)
  }
}

// A custom equation's name is `kind:name` for a staged call (`custom_jvp_call:f`), a bare name for
// the linear part of a `customVjp` function.
const customHead = (name: string): string => {
  const colon = name.indexOf(":")
  return colon < 0 ? `custom_vjp_call[name=${name}]` : `${name.slice(0, colon)}[name=${name.slice(colon + 1)}]`
}

/**
 * Prints a program in the style of `jax.make_jaxpr`: constants before the `;`,
 * inputs after it, one equation per line. Programs held by an equation's
 * parameters are printed nested, indented, with names continuing the outer
 * program's (as jaxprs print `pjit` and `cond`).
 *
 * @category Programs
 * @since 0.1.0
 */
export const printProgram = (program: Program, nameStacks = false): string => {
  if (!(program instanceof Program)) throw argumentError("printProgram", "program", "a Program", program)
  return printNested(program, new Map(), "", nameStacks)
}

/**
 * How `Program.toString` prints: `nameStack` ends each equation made in a
 * named scope with its stack.
 *
 * @category Programs
 * @since 0.1.0
 */
export interface ProgramPrintOptions {
  readonly nameStack?: boolean
}

// A program and the values for its constants and inputs: as many tensors as it has variables
// (typed errors before any equation runs; a value of the wrong shape or dtype fails in the
// primitive that reads it, as a direct call would).
const checkProgramCall = (
  operation: string,
  program: unknown,
  consts: unknown,
  inputs: unknown
): void => {
  if (!(program instanceof Program)) throw argumentError(operation, "program", "a Program", program)
  const check = (argument: string, values: unknown, vars: ReadonlyArray<Var>) => {
    if (!Array.isArray(values) || values.length !== vars.length) {
      const each = argument === "consts" ? "constant" : "input"
      throw argumentError(operation, argument, `an array of ${vars.length} tensors (one per ${each} variable)`, values)
    }
    values.forEach((u, i) => checkTensor(operation, `${argument}[${i}]`, u))
  }
  check("consts", consts, program.constVars)
  check("inputs", inputs, program.inputs)
}

const isProgramParam = (v: unknown): boolean =>
  v instanceof Program || (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Program))

/**
 * A primitive's head with its parameters: `name[k=v ...]` on one line, or one
 * parameter per line when a parameter holds programs (printed by `nested` at
 * `indent`).
 *
 * @category Programs
 * @since 0.1.0
 */
export const formatEquationHead = (
  primitive: string,
  params: object,
  indent: string,
  nested: (program: Program, indent: string) => string
): string => {
  const entries = Object.entries(params)
  if (!entries.some(([, v]) => isProgramParam(v))) return `${primitive}${formatParams(params)}`
  const inner = indent + "      "
  const lines = entries.map(([k, v]) => {
    if (v instanceof Program) return `${inner}${k}=${nested(v, inner)}`
    if (isProgramParam(v)) {
      const items = (v as ReadonlyArray<Program>).map((p) => `${inner}  ${nested(p, inner + "  ")}`)
      return `${inner}${k}=(\n${items.join("\n")}\n${inner})`
    }
    return `${inner}${k}=${formatParam(v)}`
  })
  return `${primitive}[\n${lines.join("\n")}\n${indent}    ]`
}

/**
 * An equation's name stack as printed at the end of its line (`  # [jvp(foo)]`), or `""` when it
 * was made in no named scope.
 *
 * @category Programs
 * @since 0.1.0
 */
export const formatNameStack = (eqn: Equation): string =>
  eqn.nameStack !== undefined && eqn.nameStack.length > 0 ? `  # [${eqn.nameStack}]` : ""

const printNested = (program: Program, names: Map<Var, string>, indent: string, stacks = false): string => {
  const name = (v: Var): string => {
    let n = names.get(v)
    if (n === undefined) {
      n = varName(names.size)
      names.set(v, n)
    }
    return n
  }
  const decl = (v: Var): string => `${name(v)}:${formatAval(v.aval)}`
  const constPart = program.constVars.map(decl).join(" ")
  const inPart = program.inputs.map(decl).join(" ")
  const nested = (p: Program, at: string) => printNested(p, names, at, stacks)
  const lines = program.equations.map((eqn) => {
    // the outputs are named before a nested program's variables, as jaxprs do
    const outs = eqn.outputs.map(decl).join(" ")
    const head = eqn._tag === "PrimitiveEquation"
      ? formatEquationHead(eqn.primitive, eqn.params, indent, nested)
      : customHead(eqn.name)
    const args = eqn.inputs.map(name).join(" ")
    const stack = stacks ? formatNameStack(eqn) : ""
    return `${indent}    ${outs} = ${head}${args.length > 0 ? " " + args : ""}${stack}`
  })
  const outPart = program.outputs.map(name).join(", ")
  const body = lines.length === 0 ? " " : `\n${lines.join("\n")}\n${indent}  `
  return `{ lambda ${constPart}${constPart.length > 0 ? " " : ""}; ${inPart}. let${body}in (${outPart}${
    program.outputs.length === 1 ? "," : ""
  }) }`
}

// One equation applied to its operands' values: its primitive bound again, or a custom equation run.
const applyEquation = (eqn: Equation, args: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> =>
  eqn._tag === "PrimitiveEquation" ? bind(eqn.primitive, args, eqn.params) : eqn.evaluate(args)

/**
 * Evaluates a program by binding each equation again. Because every equation
 * is re-bound (not run on a backend directly), evaluating a program on tracers
 * of an outer transformation transforms it: this is how `grad(grad(f))` works.
 *
 * @example
 * import { evalProgram, lax, np, toJsSync } from "diffect"
 * import { aval, makeProgramFlat } from "diffect/extend"
 * const program = makeProgramFlat(([x]) => [lax.mul(x!, x!)], [aval([2], "float32")])
 * const [y] = evalProgram(program, program.consts, [np.array([2, 3])])
 * console.log(toJsSync(y!)) // [4, 9]
 *
 * @category Programs
 * @since 0.1.0
 */
export const evalProgram = (
  program: Program,
  consts: ReadonlyArray<Tensor>,
  inputs: ReadonlyArray<Tensor>
): ReadonlyArray<Tensor> => {
  checkProgramCall("evalProgram", program, consts, inputs)
  const env = new Map<Var, Tensor>()
  program.constVars.forEach((v, i) => env.set(v, consts[i]!))
  program.inputs.forEach((v, i) => env.set(v, inputs[i]!))
  const read = (v: Var): Tensor => env.get(v)!
  for (const eqn of program.equations) {
    const args = eqn.inputs.map(read)
    const outs = eqn.nameStack === undefined
      ? applyEquation(eqn, args)
      : withEquationNameStack(eqn.nameStack, () => applyEquation(eqn, args))
    eqn.outputs.forEach((v, i) => env.set(v, outs[i]!))
  }
  return program.outputs.map(read)
}

/**
 * The program with every constant that is a tracer (a value of a
 * transformation in progress) turned into a leading input, and those values:
 * bind the higher-order primitive on `[...hoisted, ...operands]` so that the
 * transformation sees them as operands (JAX's closure conversion). Concrete
 * constants stay in the program, where the compiler can fold them.
 *
 * @category Programs
 * @since 0.1.0
 */
export const hoistConsts = (
  program: Program
): { readonly program: Program; readonly hoisted: ReadonlyArray<Tensor> } => {
  if (!program.consts.some((c) => c instanceof Tracer)) return { program, hoisted: [] }
  const constVars: Array<Var> = []
  const consts: Array<Tensor> = []
  const hoistedVars: Array<Var> = []
  const hoisted: Array<Tensor> = []
  program.consts.forEach((c, i) => {
    if (c instanceof Tracer) {
      hoistedVars.push(program.constVars[i]!)
      hoisted.push(c)
    } else {
      constVars.push(program.constVars[i]!)
      consts.push(c)
    }
  })
  return {
    program: new Program(constVars, consts, [...hoistedVars, ...program.inputs], program.equations, program.outputs),
    hoisted
  }
}

/**
 * How a program held by a higher-order primitive runs at the bottom of the
 * handler stack (concrete operands): by default equation by equation;
 * `@diffect/ad`'s jit installs its compiler here, so that `jit_call`, `cond`
 * branches and loop bodies run compiled. `donated` marks inputs the caller
 * gives up (a scan's previous carry): a compiled run may write an output into
 * such an input's memory, and then marks the input released.
 *
 * @category Programs
 * @since 0.1.0
 */
export type ProgramRunner = (
  program: Program,
  inputs: ReadonlyArray<Tensor>,
  donated?: ReadonlyArray<boolean>,
  options?: RunOptions
) => ReadonlyArray<Tensor>

/**
 * Installs the runner of programs held by higher-order primitives (see
 * {@link ProgramRunner}); `undefined` restores equation-by-equation
 * evaluation. Returns the one it replaces.
 *
 * @category Programs
 * @since 0.1.0
 */
export const installProgramRunner = (next: ProgramRunner | undefined): ProgramRunner | undefined => installRunner(next)

/**
 * Runs a program on concrete inputs with the installed runner (compiled now
 * with `compile`, where the runner compiles).
 *
 * @category Programs
 * @since 0.1.0
 */
export const runProgram = (
  program: Program,
  inputs: ReadonlyArray<Tensor>,
  options?: RunOptions
): ReadonlyArray<Tensor> => {
  const run = currentRunner()
  return run !== undefined ? run(program, inputs, undefined, options) : evalProgram(program, program.consts, inputs)
}

/**
 * What an interpreter lends `evalHigherOrder`: `run` runs a program that the
 * primitive holds (a branch, a loop body), `apply` applies a primitive (a scan
 * slices its xs and stacks its ys with it), and `readScalar` reads a `cond`
 * index or a `while` predicate synchronously.
 *
 * @category Programs
 * @since 0.1.0
 */
export type HigherOrderContext = Omit<EvalContext, "readLater">

/**
 * Evaluates a higher-order primitive (`jit_call`, `cond`, `while`, `scan`,
 * `remat`) with the programs it holds run by `context.run`: how an interpreter
 * that is not the bottom of the stack runs one on its own values, with the
 * bottom's semantics (a `cond` index clamped, a scan's ys stacked, `reverse`,
 * `unroll`). The worker side of `pmap` runs programs that apply a collective
 * over the worker axis this way.
 *
 * @example
 * import { evalProgram, lax, np, toJsSync } from "diffect"
 * import { aval, bind1, evalHigherOrder, makeProgramFlat } from "diffect/extend"
 * const double = makeProgramFlat(([x]) => [lax.add(x!, x!)], [aval([], "float32")])
 * const negate = makeProgramFlat(([x]) => [lax.neg(x!)], [aval([], "float32")])
 * const [y] = evalHigherOrder("cond", [np.array(1, { dtype: "int32" }), np.array(3)], { branches: [double, negate] }, {
 *   run: (program, inputs) => evalProgram(program, program.consts, inputs),
 *   apply: (primitive, operands, params) => [bind1(primitive, operands, params)],
 *   readScalar: (x) => Number(toJsSync(x))
 * })
 * console.log(toJsSync(y!)) // -3
 *
 * @category Programs
 * @since 0.1.0
 */
export const evalHigherOrder = <P extends HigherOrderPrimitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>,
  context: HigherOrderContext
): ReadonlyArray<Tensor> =>
  (higherOrderEvalRules[primitive] as (
    operands: ReadonlyArray<Tensor>,
    params: Params<P>,
    context: EvalContext
  ) => ReadonlyArray<Tensor>)(operands, params, context)

export { formatParam, formatParams, varName }
