/**
 * The handler stack. Applying a primitive (`bind`) is an operation; each
 * transformation is a handler that interprets it. `bind` dispatches by data: the
 * handler of highest level among the operands' tracers wins, and lower-level
 * operands are lifted into it. Levels only grow, so a handler started inside
 * another (`grad(grad(f))`) always outranks it and perturbations never mix.
 *
 * @since 0.1.0
 */
import { abstractEvalRules } from "./AbstractEval.js"
import { ArgumentError, EscapedTracerError } from "./Errors.js"
import { evalPrimitive, evalPrimitiveSteps } from "./internal/dispatch.js"
import type { Params, Primitive } from "./Primitive.js"
import { Tracer } from "./Tensor.js"
import type { Tensor } from "./Tensor.js"

/**
 * A transformation's interpreter (JAX's `Trace`).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface Handler {
  /** Unique and increasing: a handler created later has a higher level. */
  readonly level: number
  /** For messages and printing: "jvp", "linearize", "vmap", ... */
  readonly name: string
  /** False once the transformation has returned: its tracers must not be used again. */
  readonly active: boolean
  /** Wraps a value from a lower level (a concrete tensor or an outer tracer) as this handler's tracer. */
  readonly lift: (value: Tensor) => Tracer
  /** Interprets `primitive` on operands that are all this handler's tracers: one value per output. */
  readonly process: <P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ) => ReadonlyArray<Tensor>
}

let nextLevel = 1

/**
 * A fresh level, higher than every level handed out before.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const newLevel = (): number => nextLevel++

/**
 * The handler of highest level among the operands' tracers, if any (the
 * dynamic handler aside): the one that interprets an operation on them.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const topHandler = (operands: ReadonlyArray<Tensor>): Handler | undefined => {
  let top: Handler | undefined
  for (const x of operands) {
    if (x instanceof Tracer && (top === undefined || x.handler.level > top.level)) top = x.handler
  }
  return top
}

/**
 * The operands as `handler`'s tracers, lower-level values lifted into it (the
 * array itself when they all are already). Fails with `EscapedTracerError` once
 * the handler is inactive.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const liftInto = (handler: Handler, operands: ReadonlyArray<Tensor>): ReadonlyArray<Tracer> => {
  if (!handler.active) throw new EscapedTracerError({ transformation: handler.name })
  const n = operands.length
  for (let i = 0; i < n; i++) {
    const x = operands[i]!
    if (x instanceof Tracer && x.handler === handler) continue
    const tracers = new Array<Tracer>(n)
    for (let j = 0; j < n; j++) {
      const y = operands[j]!
      tracers[j] = y instanceof Tracer && y.handler === handler ? y : handler.lift(y)
    }
    return tracers
  }
  return operands as ReadonlyArray<Tracer>
}

/**
 * Evaluates a primitive on concrete operands with the active backend: the
 * bottom of the handler stack, which `bind` reaches when no operand is a tracer
 * and no dynamic handler is set. A handler calls it to compute concrete values
 * itself.
 *
 * @since 0.1.0
 */
export { evalPrimitive }

/**
 * `evalPrimitive` as steps: a loop (`while`, `scan`) yields between its
 * iterations (and, for a `while` predicate a backend reads asynchronously, the
 * value `readLater` makes of it, resumed with the predicate's host data). For
 * machinery that runs staged work stepwise (jit's compiled programs).
 *
 * @since 0.1.0
 */
export { evalPrimitiveSteps }

/**
 * Applies a primitive: the heart of every operation.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const bind = <P extends Primitive>(
  primitive: P,
  operands: ReadonlyArray<Tensor>,
  params: Params<P>
): ReadonlyArray<Tensor> => {
  // Names resolved through the prototype (`bind("constructor")`) are not primitives.
  if (!Object.hasOwn(abstractEvalRules, primitive)) {
    throw new ArgumentError({
      operation: "bind",
      argument: "primitive",
      expected: "the name of a primitive",
      got: typeof primitive === "string" ? JSON.stringify(primitive) : typeof primitive
    })
  }
  let top = topHandler(operands)
  const dynamic = dynamicHandler
  if (dynamic !== undefined && (top === undefined || dynamic.level > top.level)) top = dynamic
  if (top === undefined) return evalPrimitive(primitive, operands, params)
  return top.process(primitive, liftInto(top, operands), params)
}

/** `bind` for single-output primitives: its one output. @category Handler stack @since 0.1.0 */
export const bind1 = <P extends Primitive>(primitive: P, operands: ReadonlyArray<Tensor>, params: Params<P>): Tensor =>
  bind(primitive, operands, params)[0]!

// A handler that must see every primitive applied while it runs, even on values
// that carry none of its tracers (JAX's dynamic trace; used by makeProgram's
// staging and by vmap's named axes for collectives). Set only around synchronous
// user code.
let dynamicHandler: Handler | undefined

/**
 * Runs `thunk` with `handler` as the dynamic handler: primitives whose operands
 * carry no higher-level tracer are processed by it. `undefined` clears it, which
 * a dynamic handler does around its own rules so that their `bind`s reach the
 * handlers below it instead of itself.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const withDynamicHandler = <A>(handler: Handler | undefined, thunk: () => A): A => {
  const saved = dynamicHandler
  dynamicHandler = handler
  try {
    return thunk()
  } finally {
    dynamicHandler = saved
  }
}

/**
 * The dynamic handler now, if any (to restore it around a handler's own rules).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const currentDynamicHandler = (): Handler | undefined => dynamicHandler

// --- calls of functions with custom differentiation rules ----------------------
// The dispatch lives here beside `bind` (JAX keeps `custom_jvp` below jax.numpy for
// the same reason): library functions in this package (np.linalg's det and pinv)
// carry JAX's custom JVPs, while the handlers that interpret the calls and the
// pytree builders `customJvp` / `customVjp` are in @diffect/ad.

/**
 * A function with a custom JVP rule, on flat lists of tensors.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface CustomJvpCallee {
  readonly name: string
  readonly f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  /** `(primals, tangents) => [outs, outTangents]`; tangents are materialized (never symbolic). */
  readonly jvp: (
    primals: ReadonlyArray<Tensor>,
    tangents: ReadonlyArray<Tensor>
  ) => readonly [ReadonlyArray<Tensor>, ReadonlyArray<Tensor | null>]
}

/**
 * A function with a custom VJP rule, on flat lists of tensors.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface CustomVjpCallee {
  readonly name: string
  readonly f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  /** `args => [outs, residuals]`. */
  readonly fwd: (args: ReadonlyArray<Tensor>) => readonly [ReadonlyArray<Tensor>, ReadonlyArray<Tensor>]
  /** `(residuals, cotangents) => one cotangent per argument`, `null` for zero. */
  readonly bwd: (
    residuals: ReadonlyArray<Tensor>,
    cotangents: ReadonlyArray<Tensor>
  ) => ReadonlyArray<Tensor | null>
}

/**
 * A handler that interprets calls of custom-rule functions itself (JAX's
 * `process_custom_jvp_call` / `process_custom_vjp_call`). Operands are already
 * this handler's tracers.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface CustomRuleHandler extends Handler {
  readonly processCustomJvpCall: (callee: CustomJvpCallee, operands: ReadonlyArray<Tracer>) => ReadonlyArray<Tensor>
  readonly processCustomVjpCall: (callee: CustomVjpCallee, operands: ReadonlyArray<Tracer>) => ReadonlyArray<Tensor>
}

const isCustomRuleHandler = (h: Handler): h is CustomRuleHandler =>
  typeof (h as Partial<CustomRuleHandler>).processCustomJvpCall === "function"

// The same dispatch as `bind`: the handler of highest level among the operands wins.
const activeTop = (args: ReadonlyArray<Tensor>): Handler | undefined => {
  const top = topHandler(args)
  if (top !== undefined && !top.active) throw new EscapedTracerError({ transformation: top.name })
  return top
}

/**
 * Calls a function with a custom JVP rule on flat arguments: the highest-level
 * transformation among the arguments decides what happens (a handler that does
 * not know custom rules, or none, runs `f`).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const customJvpCall = (callee: CustomJvpCallee, args: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  const top = activeTop(args)
  if (top === undefined || !isCustomRuleHandler(top)) return callee.f(args)
  return top.processCustomJvpCall(callee, liftInto(top, args))
}

/**
 * A function with a custom batching rule (JAX's `custom_vmap`), on flat lists
 * of tensors: `rule(axisSize, inBatched, args)` gets the arguments with their
 * batch dimension first where `inBatched` says they have one, and gives the
 * outputs and which of them are batched (at dimension 0).
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface CustomVmapCallee {
  readonly name: string
  readonly f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  readonly rule: (
    axisSize: number,
    inBatched: ReadonlyArray<boolean>,
    args: ReadonlyArray<Tensor>
  ) => readonly [ReadonlyArray<Tensor>, ReadonlyArray<boolean>]
}

/**
 * A handler that interprets calls of functions with a custom batching rule
 * itself (vmap calls the rule, JVP batches the rule's JVP, staging keeps the
 * call). Operands are already this handler's tracers.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export interface CustomVmapHandler extends Handler {
  readonly processCustomVmapCall: (callee: CustomVmapCallee, operands: ReadonlyArray<Tracer>) => ReadonlyArray<Tensor>
}

/**
 * Calls a function with a custom batching rule on flat arguments: the
 * highest-level transformation among them decides; one that does not know
 * custom batching rules (or none) runs `f`.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const customVmapCall = (callee: CustomVmapCallee, args: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  const top = activeTop(args)
  if (top === undefined || typeof (top as Partial<CustomVmapHandler>).processCustomVmapCall !== "function") {
    return callee.f(args)
  }
  return (top as CustomVmapHandler).processCustomVmapCall(callee, liftInto(top, args))
}

/**
 * Calls a function with a custom VJP rule on flat arguments.
 *
 * @category Handler stack
 * @since 0.1.0
 */
export const customVjpCall = (callee: CustomVjpCallee, args: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  const top = activeTop(args)
  if (top === undefined || !isCustomRuleHandler(top)) return callee.f(args)
  return top.processCustomVjpCall(callee, liftInto(top, args))
}
