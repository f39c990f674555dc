/**
 * `Program`: diffect's staged intermediate representation (JAX's jaxpr). A
 * program has typed input variables, captured constants, a list of equations
 * (a primitive applied to variables, giving new variables) and output variables.
 * Linearize stages the linear part of a function into a program, transpose walks
 * it backwards, and `makeProgram` prints one like `jax.make_jaxpr`.
 *
 * @since 0.1.0
 */
import { bind } from "@diffect/core"
import type { AbstractValue, Params, Primitive, Tensor } from "@diffect/core"
import { formatAval } from "@diffect/core"
import { formatParams, varName } from "./internal/jaxprText.js"

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
   * (`null` for zero).
   */
  readonly transpose: (cotangents: ReadonlyArray<Tensor | null>) => ReadonlyArray<Tensor | null>
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
  /** Prints the program like `jax.make_jaxpr`. */
  toString(): string {
    return printProgram(this)
  }
}

/**
 * Prints a program in the style of `jax.make_jaxpr`: constants before the `;`,
 * inputs after it, one equation per line.
 *
 * @category Programs
 * @since 0.1.0
 */
export const printProgram = (program: Program): string => {
  const names = new Map<Var, string>()
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
  const lines = program.equations.map((eqn) => {
    const outs = eqn.outputs.map(decl).join(" ")
    const head = eqn._tag === "PrimitiveEquation"
      ? `${eqn.primitive}${formatParams(eqn.params)}`
      : `custom_vjp_call[name=${eqn.name}]`
    const args = eqn.inputs.map(name).join(" ")
    return `    ${outs} = ${head}${args.length > 0 ? " " + args : ""}`
  })
  const outPart = program.outputs.map(name).join(", ")
  const body = lines.length === 0 ? " " : `\n${lines.join("\n")}\n  `
  return `{ lambda ${constPart}${constPart.length > 0 ? " " : ""}; ${inPart}. let${body}in (${outPart}${
    program.outputs.length === 1 ? "," : ""
  }) }`
}

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
  const env = new Map<Var, Tensor>()
  program.constVars.forEach((v, i) => env.set(v, consts[i]!))
  program.inputs.forEach((v, i) => env.set(v, inputs[i]!))
  const read = (v: Var): Tensor => env.get(v)!
  for (const eqn of program.equations) {
    const args = eqn.inputs.map(read)
    const outs = eqn._tag === "PrimitiveEquation" ? bind(eqn.primitive, args, eqn.params) : eqn.evaluate(args)
    eqn.outputs.forEach((v, i) => env.set(v, outs[i]!))
  }
  return program.outputs.map(read)
}
