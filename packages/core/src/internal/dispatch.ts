/**
 * The bottom of the handler stack: evaluation on the active backend.
 */
import { abstractEvalRules } from "../AbstractEval.js"
import { activeBackend, peekHost } from "../Backend.js"
import { activeChecks, checkOutputs } from "../DebugNans.js"
import { BackendError } from "../Errors.js"
import { callBackSteps, hostCallbackPrimitives } from "../HostCallback.js"
import { isHigherOrder } from "../Primitive.js"
import type { FirstOrderPrimitive, HigherOrderPrimitive, Params, Primitive } from "../Primitive.js"
import type { Program } from "../Program.js"
import { ConcreteTensor } from "../Tensor.js"
import type { Tensor } from "../Tensor.js"
import { higherOrderEvalRules, scanSteps, whileSteps } from "./higherOrder.js"
import type { EvalContext, LoopSteps } from "./higherOrder.js"
import { currentRunner } from "./programRunner.js"

/**
 * Evaluates a primitive on concrete operands: validates and infers output types
 * by abstract evaluation, then enqueues the backend kernel. Re-exported by
 * Handler.ts (users reach it through diffect/extend).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const evalPrimitive = <P extends Primitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>
): ReadonlyArray<Tensor> => {
  const inAvals = operands.map((x) => x.aval)
  const outAvals = abstractEvalRules[primitive](inAvals, params)
  if (isHigherOrder(primitive)) {
    const rule = higherOrderEvalRules[primitive] as (
      operands: ReadonlyArray<Tensor>,
      params: Params<HigherOrderPrimitive>,
      context: EvalContext
    ) => ReadonlyArray<Tensor>
    return rule(operands, params as Params<HigherOrderPrimitive>, {
      run: currentRunner() ?? interpret,
      apply: evalPrimitive,
      readScalar
    })
  }
  const backend = activeBackend()
  if (backend === undefined) {
    throw new BackendError({
      backend: "none",
      detail:
        "no backend is active: run inside an Effect with a Backend layer, or import from \"diffect\" to use the typed-array backend by default"
    })
  }
  // `bind` evaluates only when no operand is a tracer: every operand is concrete.
  const inputs = operands.map((x) => {
    const buffer = (x as ConcreteTensor).bufferFor(backend)
    if (buffer === undefined) {
      const home = (x as ConcreteTensor).buffer?.backend
      const gone = home?.unavailable?.()
      throw new BackendError({
        backend: backend.name,
        detail: gone !== undefined
          ? `a tensor of the ${home!.name} backend cannot be used: ${gone}`
          : `a tensor computed on the ${home?.name} backend cannot be used synchronously on this one; read it with toJs and make a new array`
      })
    }
    return buffer
  })
  const outs = backend.execute(
    primitive as FirstOrderPrimitive,
    inputs,
    inAvals,
    params as Params<FirstOrderPrimitive>,
    outAvals
  )
  const results = outs.map((b, i) => new ConcreteTensor(outAvals[i]!, undefined, b))
  // debugNans / debugInfs: each eager operation's results (one comparison when they are off)
  const checks = activeChecks()
  if (checks !== undefined) checkOutputs(primitive, results, checks)
  return results
}

/**
 * `evalPrimitive` as steps: a loop (`while`, `scan`) yields `undefined` between
 * its iterations, and, for a `while` predicate the backend cannot read
 * synchronously, the value `readLater` makes of it (its resumption value is the
 * predicate's host data); a host callback yields `readLater` of each
 * operand such a backend holds. Any other primitive is one step. The compiled
 * programs of `jit` run loops this way, so a jitted loop run as an Effect is
 * interruptible between iterations.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export function* evalPrimitiveSteps<P extends Primitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>,
  readLater?: (x: Tensor) => unknown
): LoopSteps<ReadonlyArray<Tensor>> {
  if (hostCallbackPrimitives.has(primitive)) {
    const { callback, resultAvals } = params as Params<"debug_callback"> & Partial<Params<"pure_callback">>
    return yield* callBackSteps(callback, operands, resultAvals ?? [], readLater)
  }
  if (primitive !== "while" && primitive !== "scan") return evalPrimitive(primitive, operands, params)
  abstractEvalRules[primitive](operands.map((x) => x.aval), params)
  const context: EvalContext = {
    run: currentRunner() ?? interpret,
    apply: evalPrimitive,
    readScalar,
    ...(readLater === undefined ? {} : { readLater })
  }
  return primitive === "while"
    ? yield* whileSteps(operands, params as Params<"while">, context)
    : yield* scanSteps(operands, params as Params<"scan">, context)
}

/**
 * Runs a program on concrete inputs equation by equation at the bottom of the
 * stack (the runner when none is installed).
 */
const interpret = (program: Program, inputs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  const env = new Map<unknown, Tensor>()
  program.constVars.forEach((v, i) => env.set(v, program.consts[i]!))
  program.inputs.forEach((v, i) => env.set(v, inputs[i]!))
  for (const eqn of program.equations) {
    const args = eqn.inputs.map((v) => env.get(v)!)
    const outs = eqn._tag === "PrimitiveEquation" ? evalPrimitive(eqn.primitive, args, eqn.params) : eqn.evaluate(args)
    eqn.outputs.forEach((v, i) => env.set(v, outs[i]!))
  }
  return program.outputs.map((v) => env.get(v)!)
}

/** A scalar's value read synchronously, or `undefined` when its backend reads asynchronously (WebGPU). */
const readScalar = (x: Tensor): number | undefined => {
  const c = x as ConcreteTensor
  if (c.host !== undefined) return Number(c.host[0])
  const backend = activeBackend()
  const buffer = backend === undefined ? undefined : c.bufferFor(backend)
  const data = buffer === undefined ? undefined : peekHost(buffer, c.aval)
  return data === undefined ? undefined : Number(data[0])
}
