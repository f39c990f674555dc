/**
 * The staging handler: instead of computing, it records each primitive applied to
 * its tracers as an equation of a `Program` (JAX's `DynamicJaxprTrace`). Values of
 * lower levels (concrete tensors, tracers of outer transformations) that meet its
 * tracers become the program's constants. Linearize uses it to stage the linear
 * part of a function; `makeProgramFlat` uses it to print programs, jit to trace
 * a function once, and `lax.cond` / `lax.whileLoop` to stage their branches and
 * bodies (which is why it lives in the core).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { abstractEvalRules } from "./AbstractEval.js"
import type { AbstractValue } from "./AbstractValue.js"
import { formatAval } from "./AbstractValue.js"
import { ArgumentError } from "./Errors.js"
import {
  bind,
  currentDynamicHandler,
  customJvpCall,
  customVjpCall,
  customVmapCall,
  newLevel,
  withDynamicHandler
} from "./Handler.js"
import type {
  CustomJvpCallee,
  CustomRuleHandler,
  CustomVjpCallee,
  CustomVmapCallee,
  CustomVmapHandler
} from "./Handler.js"
import { currentNameStack, NameStack } from "./NameStack.js"
import type { Params, Primitive } from "./Primitive.js"
import type { Equation } from "./Program.js"
import { Program, pruneProgram, runProgram, Var } from "./Program.js"
import { ConcreteTensor, Tracer } from "./Tensor.js"
import type { Tensor } from "./Tensor.js"

/**
 * A value traced by a staging handler: a program variable.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export class StagingTracer extends Tracer {
  constructor(readonly handler: StagingHandler, readonly variable: Var) {
    super()
  }
  get aval(): AbstractValue {
    return this.variable.aval
  }
}

/**
 * The staging interpreter. Create it with a fresh level, make its inputs with
 * `newInput`, run the traced code, then `finish` with the outputs.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export class StagingHandler implements CustomRuleHandler, CustomVmapHandler {
  readonly level: number = newLevel()
  active = true
  readonly inputs: Array<Var> = []
  readonly equations: Array<Equation> = []
  readonly constVars: Array<Var> = []
  readonly consts: Array<Tensor> = []
  // One constant per lifted value, so a value used twice is captured once.
  readonly #constOf = new Map<Tensor, Var>()
  readonly #valueOf = new Map<Var, Tensor>()
  // The name stack's depth when the trace began: equations keep what was entered after it (JAX
  // stores a jaxpr's name stacks relative to the jaxpr).
  readonly #stackBase = currentNameStack().length
  #lastStack: NameStack = NameStack.empty
  #lastRelative: NameStack | undefined
  /**
   * What a call of a function with a custom rule becomes: one equation that
   * keeps the rule (`"stage"`, JAX's `DynamicJaxprTrace`, so that a
   * transformation of the program, such as the JVP of a scan body, still uses
   * it), or the function's own operations (`"inline"`: partial evaluation for
   * linearize and linear transposition, as JAX's `JaxprTrace` drops the rule).
   */
  constructor(readonly name: string, readonly customCalls: "stage" | "inline" = "stage") {}

  readonly processCustomJvpCall = (callee: CustomJvpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.customCalls === "inline"
      ? callee.f(operands)
      : this.#stageCustomCall("custom_jvp_call", callee.name, callee.f, operands, (ins) => customJvpCall(callee, ins))

  readonly processCustomVjpCall = (callee: CustomVjpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.customCalls === "inline"
      ? callee.f(operands)
      : this.#stageCustomCall("custom_vjp_call", callee.name, callee.f, operands, (ins) => customVjpCall(callee, ins))

  // Staged, the call keeps its rule (a vmap of the program calls it); partial evaluation (linearize,
  // hence grad) cannot split it into known and unknown parts: JAX's custom_vmap has no reverse mode.
  readonly processCustomVmapCall = (
    callee: CustomVmapCallee,
    operands: ReadonlyArray<Tracer>
  ): ReadonlyArray<Tensor> => {
    if (this.customCalls === "inline") {
      throw new ArgumentError({
        operation: "customVmap",
        argument: `${callee.name}'s derivative`,
        expected: "taken in forward mode (jvp, jacfwd)",
        got:
          "reverse mode (grad, vjp, linearize). As in JAX, linearization fails to produce known values for all output primals of a customVmap function: it has no reverse-mode derivative; wrap it in customVjp to give it one"
      })
    }
    return this.#stageCustomCall(
      "custom_vmap_call",
      callee.name,
      callee.f,
      operands,
      (ins) => customVmapCall(callee, ins)
    )
  }

  // One equation that calls the function again when evaluated (with the rule, under a
  // transformation); its body is traced on its own for the output types and the transposition.
  #stageCustomCall(
    kind: string,
    name: string,
    f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
    operands: ReadonlyArray<Tracer>,
    call: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  ): ReadonlyArray<Tensor> {
    const body = makeProgramFlat(f, operands.map((o) => o.aval))
    return this.addEquation({
      _tag: "CustomEquation",
      name: `${kind}:${name}`,
      inputs: operands.map((o) => this.varOf(o)),
      outputs: body.outAvals.map((a) => new Var(a)),
      evaluate: call,
      body,
      transposeBody: true,
      transpose: () => {
        throw new ArgumentError({
          operation: kind,
          argument: "transpose",
          expected: "a backward pass over the call's body (transposeBody)",
          got: "a direct transposition"
        })
      }
    })
  }

  /** A fresh input variable of the program, as a tracer. */
  newInput(aval: AbstractValue): StagingTracer {
    const v = new Var(aval)
    this.inputs.push(v)
    return new StagingTracer(this, v)
  }

  /** The variable standing for `value`: its own variable, or a (new) constant. */
  varOf(value: Tensor): Var {
    if (value instanceof StagingTracer && value.handler === this) return value.variable
    let v = this.#constOf.get(value)
    if (v === undefined) {
      v = new Var(value.aval)
      this.#constOf.set(value, v)
      this.#valueOf.set(v, value)
      this.constVars.push(v)
      this.consts.push(value)
    }
    return v
  }

  /**
   * The value a constant variable stands for (a concrete tensor or a lower
   * level's tracer), or `undefined` for a variable computed by the program:
   * what partial evaluation calls known and unknown.
   */
  constValue(v: Var): Tensor | undefined {
    return this.#valueOf.get(v)
  }

  readonly lift = (value: Tensor): StagingTracer => new StagingTracer(this, this.varOf(value))

  readonly process = <P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ): ReadonlyArray<Tensor> => this.stage(primitive, operands, params)

  /**
   * Records `primitive` on the operands (this handler's tracers) as an
   * equation. A subclass may treat some primitives otherwise (linearize
   * partially evaluates the higher-order ones) and call this for the rest.
   */
  stage<P extends Primitive>(primitive: P, operands: ReadonlyArray<Tracer>, params: Params<P>): ReadonlyArray<Tensor> {
    const n = operands.length
    const inputs = new Array<Var>(n)
    const inAvals = new Array<AbstractValue>(n)
    for (let i = 0; i < n; i++) {
      const v = (operands[i] as StagingTracer).variable
      inputs[i] = v
      inAvals[i] = v.aval
    }
    const outAvals = abstractEvalRules[primitive](inAvals, params)
    const nameStack = this.#nameStack()
    if (outAvals.length === 1) {
      const out = new Var(outAvals[0]!)
      this.equations.push({ _tag: "PrimitiveEquation", primitive, inputs, params, outputs: [out], nameStack })
      return [new StagingTracer(this, out)]
    }
    const outputs = outAvals.map((a) => new Var(a))
    this.equations.push({ _tag: "PrimitiveEquation", primitive, inputs, params, outputs, nameStack })
    return outputs.map((v) => new StagingTracer(this, v))
  }

  /** Records an equation made elsewhere (custom rules) and gives tracers for its outputs. */
  addEquation(equation: Equation): ReadonlyArray<StagingTracer> {
    const nameStack = this.#nameStack()
    this.equations.push(nameStack === equation.nameStack ? equation : { ...equation, nameStack })
    return equation.outputs.map((v) => new StagingTracer(this, v))
  }

  // The current name stack past the trace's base (`undefined` when empty); the same object for
  // consecutive equations of one scope.
  #nameStack(): NameStack | undefined {
    const stack = currentNameStack()
    if (stack.length <= this.#stackBase) return undefined
    if (stack !== this.#lastStack) {
      this.#lastStack = stack
      this.#lastRelative = stack.slice(this.#stackBase)
    }
    return this.#lastRelative
  }

  /**
   * Closes the program over `outputs` and deactivates the handler. With `prune`,
   * equations and constants that no output depends on are dropped (linearize's
   * tangents of intermediate values that are not returned).
   */
  finish(outputs: ReadonlyArray<Tensor>, prune = false): Program {
    const outVars = outputs.map((x) => this.varOf(x))
    this.active = false
    const program = new Program(this.constVars, this.consts, this.inputs, this.equations, outVars)
    return prune ? pruneProgram(program) : program
  }
}

/**
 * Stages `f` on inputs of the given abstract values into a Program (JAX's
 * `make_jaxpr` on flat lists). Every primitive applied while `f` runs is staged,
 * even on values that do not depend on the inputs.
 *
 * @example
 * import { lax } from "diffect"
 * import { aval, makeProgramFlat } from "diffect/extend"
 * const program = makeProgramFlat(([x, y]) => [lax.mul(lax.sin(x!), y!)], [aval([3], "float32"), aval([3], "float32")])
 * console.log(program.toString())
 * // { lambda ; a:f32[3] b:f32[3]. let
 * //     c:f32[3] = sin a
 * //     d:f32[3] = mul c b
 * //   in (d,) }
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const makeProgramFlat = (
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): Program => {
  const handler = new StagingHandler("makeProgram")
  const inputs = avals.map((a) => handler.newInput(a))
  try {
    const outs = withDynamicHandler(handler, () => f(inputs))
    return handler.finish(outs)
  } finally {
    handler.active = false
  }
}

/**
 * What control flow accepts from a body or branch: its output, or an Effect
 * computing it (a jitted function's call; see {@link installOutputResolver}).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export type MaybeEffect<A> = A | Effect.Effect<A, unknown, unknown>

/** How {@link resolveOutput} runs an Effect: installed by `@diffect/ad` (see {@link installOutputResolver}). */
type OutputResolver = (operation: string, out: unknown) => unknown

let outputResolver: OutputResolver | undefined

/**
 * Installs how staging runs a user function's output that is an Effect: a
 * jitted function's call or a transformation's, as in `lax.scan(jit(step),
 * init, xs)` or `lax.cond(p, jit(f), jit(g), x)`, which JAX's control flow
 * accepts since a jitted function returns arrays there. `@diffect/ad` installs
 * its synchronous runner (the one `checkpoint` uses); without one such an
 * output stays an Effect and the control-flow operation reports it. Returns the
 * previous resolver.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const installOutputResolver = (next: OutputResolver | undefined): OutputResolver | undefined => {
  const previous = outputResolver
  outputResolver = next
  return previous
}

/**
 * `out` itself, or, when it is an Effect and a resolver is installed, the
 * value it computes, run in place (see {@link installOutputResolver}).
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const resolveOutput = (operation: string, out: unknown): unknown =>
  outputResolver !== undefined && Effect.isEffect(out) ? outputResolver(operation, out) : out

/**
 * From this many output elements a signature is compiled on its first eager
 * call; smaller ones bind a `jit_call`, which the program runner interprets the
 * first time and compiles when it runs again (a one-off call on a few values
 * costs less interpreted than compiled).
 */
const COMPILE_AT_ONCE = 1024

/** Staged programs by function, static arguments and input avals; the least recently used beyond this go. */
const CACHE_MAX = 128
const programs = new Map<string, Program>()

const programFor = (
  key: string,
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  inputs: ReadonlyArray<ConcreteTensor>
): Program => {
  let program = programs.get(key)
  if (program === undefined) {
    program = makeProgramFlat(f, inputs.map((t) => t.aval))
    if (programs.size >= CACHE_MAX) programs.delete(programs.keys().next().value!)
  } else {
    programs.delete(key)
  }
  programs.set(key, program)
  return program
}

/**
 * `f(inputs)`, compiled when it runs eagerly (every input concrete, no staging
 * handler active), as JAX's library functions are `jit`-decorated
 * (`jnp.searchsorted`, the `jax.random` samplers): run op by op, a function of
 * some tens of primitives over a large array makes as many passes over memory;
 * staged once per signature and compiled, it is a few fused kernels. Traced
 * (under `jit`, `vmap`, `grad`) `f` is simply staged into the caller's program.
 * `name` and `statics` (the static arguments as text) and the inputs' avals key
 * the staged program; `size` is the number of output elements. Compiling is the
 * installed program runner's (`@diffect/ad`'s jit); without one the program is
 * interpreted.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const compiledWhenEager = (
  name: string,
  statics: string,
  size: number,
  inputs: ReadonlyArray<Tensor>,
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
): ReadonlyArray<Tensor> => {
  if (currentDynamicHandler() !== undefined || !inputs.every((t) => t instanceof ConcreteTensor)) return f(inputs)
  const concrete = inputs as ReadonlyArray<ConcreteTensor>
  const avals = concrete.map((t) => `${formatAval(t.aval)}${t.aval.weakType ? "~" : ""}`).join(",")
  const program = programFor(`${name}|${statics}|${avals}`, f, concrete)
  return size >= COMPILE_AT_ONCE
    ? runProgram(program, inputs, { compile: true })
    : bind("jit_call", inputs, { name, program })
}
