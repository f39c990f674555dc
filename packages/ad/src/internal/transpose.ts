/**
 * Transposition of linear programs (JAX's `backward_pass`) and
 * `linearTransposeFlat`; reverse mode (`vjpFlat`, internal/vjp.ts) is
 * linearize followed by this backward pass.
 *
 * The backward pass walks the equations in reverse, accumulating one cotangent
 * per variable; a variable no cotangent reached is a symbolic zero and its
 * equation is skipped. Every step binds primitives again, so a backward pass run
 * on tracers of an outer transformation is itself transformed (higher order).
 *
 * @since 0.1.0
 */
import {
  bind,
  ConcreteTensor,
  currentDynamicHandler,
  currentNameStack,
  DTypeError,
  evalPrimitiveSteps,
  Shape,
  ShapeError,
  withEquationNameStack,
  withEquationNameStackSteps,
  withNameStackSteps
} from "@diffect/core"
import type { AbstractValue, Params, Primitive, Tensor } from "@diffect/core"
import { NonLinearTransposeError } from "../Errors.js"
import type { Program, Var } from "../Program.js"
import { scanTransposeSteps } from "../rules/scan.js"
import { LinearOperand, transposeRules } from "../rules/transpose.js"
import type { TransposeOfProgram, TransposeRule } from "../rules/transpose.js"
import { cachedByMask, maskKey } from "./programCache.js"
import { drain } from "./shell.js"
import type { Steps } from "./shell.js"
import { makeProgramFlat, StagingHandler } from "./staging.js"
import { hasTrivialTangent, zerosOf } from "./tangents.js"

/**
 * Transposes a program that is linear in its inputs: from one cotangent per
 * output (`null` for zero) to one cotangent per input (`null` where none flowed).
 * Equations that do not depend on the inputs are evaluated forwards first.
 * With `known`, the inputs given a value there are not linear (a higher-order
 * primitive's residuals). `transform: false` leaves the name stack as it is
 * (a program's transpose, whose equations keep their own names).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const backwardPass = (
  program: Program,
  consts: ReadonlyArray<Tensor>,
  cotangents: ReadonlyArray<Tensor | null>,
  known?: ReadonlyArray<Tensor | undefined>,
  transform = true
): Array<Tensor | null> => drain(backwardPassSteps(program, consts, cotangents, known, transform))

/**
 * The backward pass as steps: it yields after each equation, so that the
 * outermost transformation can give the scheduler a turn (and be interrupted)
 * between kernels. `backwardPass` runs it to the end. What it stages is named
 * `transpose(...)` of each equation's own name stack (JAX's `backward_pass`).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const backwardPassSteps = (
  program: Program,
  consts: ReadonlyArray<Tensor>,
  cotangents: ReadonlyArray<Tensor | null>,
  known?: ReadonlyArray<Tensor | undefined>,
  transform = true
): Steps<Array<Tensor | null>> => {
  const stack = currentNameStack()
  return withNameStackSteps(
    transform ? stack.transform("transpose") : stack,
    backwardPassIn(program, consts, cotangents, known)
  )
}

function* backwardPassIn(
  program: Program,
  consts: ReadonlyArray<Tensor>,
  cotangents: ReadonlyArray<Tensor | null>,
  known?: ReadonlyArray<Tensor | undefined>
): Steps<Array<Tensor | null>> {
  const linear = new Set<Var>()
  const env = new Map<Var, Tensor>()
  program.inputs.forEach((v, i) => {
    const value = known?.[i]
    if (value === undefined) linear.add(v)
    else env.set(v, value)
  })
  const constVars = program.constVars
  for (let i = 0; i < constVars.length; i++) {
    env.set(constVars[i]!, consts[i]!)
    if ((i & 1023) === 1023) yield
  }
  yield
  let n = 0
  for (const eqn of program.equations) {
    if (eqn.inputs.some((v) => linear.has(v))) {
      for (const v of eqn.outputs) linear.add(v)
      if ((++n & 63) === 0) yield
    } else {
      // A non-linear equation (only in programs staged by makeProgram): evaluate it forwards.
      const args = eqn.inputs.map((v) => env.get(v)!)
      // each equation's work runs in the pass's stack followed by the equation's own
      const outs = eqn._tag === "PrimitiveEquation"
        ? yield* withEquationNameStackSteps(eqn.nameStack, bindSteps(eqn.primitive, args, eqn.params))
        : withEquationNameStack(eqn.nameStack, () => eqn.evaluate(args))
      eqn.outputs.forEach((v, i) => env.set(v, outs[i]!))
      yield
    }
  }
  const cts = new Map<Var, Tensor>()
  const accumulate = (v: Var, ct: Tensor | null) => {
    if (ct === null || !linear.has(v)) return
    const prev = cts.get(v)
    cts.set(v, prev === undefined ? ct : bind("add", [prev, ct], {})[0]!)
  }
  program.outputs.forEach((v, i) => accumulate(v, cotangents[i] ?? null))
  for (let k = program.equations.length - 1; k >= 0; k--) {
    const eqn = program.equations[k]!
    if (!linear.has(eqn.outputs[0]!)) continue
    const outCts = eqn.outputs.map((v) => cts.get(v) ?? null)
    for (const v of eqn.outputs) cts.delete(v)
    if (outCts.every((c) => c === null)) continue
    const stack = eqn.nameStack
    if (eqn._tag === "CustomEquation") {
      // a staged call of a custom-rule function is transposed through its body, as JAX does
      const body = eqn.transposeBody === true ? eqn.body : undefined
      const values = eqn.inputs.map((v) => (linear.has(v) ? undefined : env.get(v)!))
      const inCts = body !== undefined
        ? yield* withEquationNameStackSteps(stack, backwardPassIn(body, body.consts, outCts, values))
        : withEquationNameStack(stack, () => eqn.transpose(outCts, values))
      eqn.inputs.forEach((v, i) => accumulate(v, inCts[i] ?? null))
      continue
    }
    const rule = transposeRules[eqn.primitive] as TransposeRule<Primitive> | undefined
    if (rule === undefined) {
      throw new NonLinearTransposeError({
        primitive: eqn.primitive,
        detail: `${eqn.primitive} is not a linear primitive, but it was applied to a linear value`
      })
    }
    const operands = eqn.inputs.map((v) => (linear.has(v) ? new LinearOperand(v.aval) : env.get(v)!))
    // a scan's reverse scan yields between its iterations when it runs at the bottom of the stack
    const inCts: ReadonlyArray<Tensor | null> = eqn.primitive === "scan"
      ? yield* withEquationNameStackSteps(
        stack,
        scanTransposeSteps(
          outCts,
          operands,
          eqn.params as Params<"scan">,
          transposeProgram,
          (x) => x instanceof LinearOperand,
          (ops, ps) => bindSteps("scan", ops, ps)
        ) as Generator<undefined, ReadonlyArray<Tensor | null>, unknown>
      )
      : withEquationNameStack(stack, () => rule(outCts, operands, eqn.params, transposeProgram))
    eqn.inputs.forEach((v, i) => accumulate(v, inCts[i] ?? null))
    yield
  }
  return program.inputs.map((v) => cts.get(v) ?? null)
}

/**
 * `bind` as steps: a loop (`while`, `scan`) on concrete operands with no
 * handler to go through yields between its iterations; anything else is one
 * synchronous `bind`.
 */
function* bindSteps<P extends Primitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>
): Generator<undefined, ReadonlyArray<Tensor>, unknown> {
  if (
    (primitive === "scan" || primitive === "while") && currentDynamicHandler() === undefined &&
    operands.every((x) => x instanceof ConcreteTensor)
  ) {
    return (yield* evalPrimitiveSteps(primitive, operands, params) as Generator<undefined, ReadonlyArray<Tensor>>)
  }
  return bind(primitive, operands, params)
}

/** Checks one cotangent per output against the outputs' shapes and tangent dtypes. */
export const checkCotangents = (
  operation: string,
  avals: ReadonlyArray<AbstractValue>,
  cotangents: ReadonlyArray<Tensor>
): void => {
  if (cotangents.length !== avals.length) {
    throw new ShapeError({
      operation,
      detail: `expected ${avals.length} cotangents (one per output), got ${cotangents.length}`
    })
  }
  cotangents.forEach((c, i) => {
    const a = avals[i]!
    if (!Shape.shapeEquals(c.shape, a.shape)) {
      throw new ShapeError({
        operation,
        detail: `cotangent ${i} has shape ${Shape.formatShape(c.shape)} but the output has shape ${
          Shape.formatShape(a.shape)
        }`
      })
    }
    // The cotangent of a float output must have its dtype (JAX's pullback check);
    // int/bool outputs take any cotangent (float0 by convention), which is ignored.
    if (!hasTrivialTangent(a) && c.dtype !== a.dtype) {
      throw new DTypeError({
        operation,
        detail: `type of cotangent ${i} (${c.dtype}) is not the expected tangent type (${a.dtype}) of the output`
      })
    }
  })
}

/**
 * The transpose of a linear function on flat lists (JAX's `jax.linear_transpose`):
 * `f` is traced on inputs of the given types, and the result maps output
 * cotangents to input cotangents (of the inputs' dtypes, integers included).
 * A non-linear `f` fails with
 * `NonLinearTransposeError` when transposed.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import { aval, linearTransposeFlat } from "diffect/extend"
 * const fT = linearTransposeFlat(([x]) => [lax.mul(x!, np.array(3))], [aval([], "float32")])
 * const [ct] = fT([np.array(1)])
 * console.log(toJsSync(ct!)) // 3
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const linearTransposeFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): (cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor> => {
  const [program, transpose] = linearTransposeParts(f, avals)
  return (cotangents) => transpose(program.consts, cotangents)
}

/**
 * `linearTransposeFlat` in two parts: the staged linear program, and its transpose with the
 * program's constants given on each call (`linearTranspose` binds them into a `Tree.partial`).
 */
export const linearTransposeParts = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): readonly [
  program: Program,
  transpose: (consts: ReadonlyArray<Tensor>, cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
] => {
  // JAX's linear_transpose traces with JaxprTrace, which inlines custom rules
  const staging = new StagingHandler("linearTranspose", "inline")
  let program: Program
  try {
    program = staging.finish(f(avals.map((a) => staging.newInput(a))))
  } finally {
    staging.active = false
  }
  const outAvals = program.outAvals
  // Unlike vjp, a linear map on integers is transposed on integers (JAX's
  // linear_transpose does so): cotangents have the dtypes of the values.
  return [program, (consts, cotangents) => {
    checkCotangents("linearTranspose", outAvals, cotangents)
    const inCts = backwardPass(program, consts, cotangents)
    return inCts.map((c, i) => c ?? zerosOf(avals[i]!))
  }]
}

/**
 * The transpose of a program linear in the flagged inputs (see
 * `TransposeOfProgram`): the backward pass, staged.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const transposeProgram: TransposeOfProgram = (program, linear) =>
  cachedByMask(transposeCache, program, maskKey(linear), () => {
    const nKnown = linear.filter((l) => !l).length
    const knownAvals = program.inAvals.filter((_, i) => !linear[i])
    return makeProgramFlat((ins) => {
      let k = 0
      const known = linear.map((l) => (l ? undefined : ins[k++]!))
      const inCts = backwardPass(program, program.consts, ins.slice(nKnown), known, false)
      return inCts.flatMap((ct, i) => (linear[i] ? [ct ?? zerosOf(program.inAvals[i]!)] : []))
    }, [...knownAvals, ...program.outAvals])
  })

const transposeCache = new WeakMap<Program, Map<string, Program>>()
