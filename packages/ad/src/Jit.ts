/**
 * `jit`: staged, simplified, fused and compiled functions (JAX's `jax.jit`).
 *
 * `jit(f)` traces `f` once per signature (the arguments' tree structures,
 * shapes, dtypes and weak types, and the static arguments by value) into a
 * `Program`, simplifies it (CSE, constant folding, exact algebraic rewrites,
 * dead-code elimination), partitions it into fusion groups, and compiles it
 * for the active backend: each group becomes one generated kernel, and a call
 * runs a loop over kernels with no handler, no abstract evaluation and no
 * per-primitive dispatch. Traces are cached (bounded, least recently used).
 *
 * Called on values traced by an outer transformation (`grad(jit(f))`,
 * `vmap(jit(f))`), or while another function is being staged (nested `jit`),
 * the call is the higher-order primitive `jit_call` holding the cached program
 * (JAX's `pjit`): each transformation's rule maps it to a call of the
 * transformed program (cached per program), staging keeps it as one nested
 * equation, and compiling inlines it. Calls of programs at the bottom of the
 * stack (a `jit_call` of a JVP, batched or transposed program, a `cond`
 * branch) run compiled: this module installs the compiler as the core's
 * program runner.
 *
 * @since 0.1.0
 */
import {
  activeBackend,
  activeChecks,
  bind,
  ConcreteTensor,
  currentDynamicHandler,
  FloatingPointError,
  invalidValue,
  isTensor,
  Memory,
  ShapeDtypeStruct,
  Tracer,
  Tree,
  withDynamicHandler
} from "@diffect/core"
import type { AbstractValue, Backend, BackendShape, Tensor } from "@diffect/core"
import { anyValue, boolean, checkOptions } from "@diffect/core/Validate"
import type { Check } from "@diffect/core/Validate"

// At least one signature is kept: a cache of none would trace on every call.
const positiveInteger: Check = {
  expected: "a positive integer",
  test: (u) => Number.isInteger(u) && (u as number) >= 1
}
import { Effect } from "effect"
import { jitDisabledIn } from "./DisableJit.js"
import type { DiffError } from "./Errors.js"
import { CompiledCallError, JitArgnumsError, UnhashableStaticArgError } from "./Errors.js"
import { normalizeArgnums } from "./internal/argnumsStatic.js"
import { allLeaves, checkCallable, flattenArgs, flattenArgsAbstract, unflattenArgs } from "./internal/args.js"
import type { FlatArg } from "./internal/args.js"
import { axisEnvKey } from "./internal/batchingAxisEnv.js"
import { costOf } from "./internal/costAnalysis.js"
import type { CostAnalysis } from "./internal/costAnalysis.js"
import type { Executable } from "./internal/executable.js"
import { compileExecutable } from "./internal/executable.js"
import { planFusion, printPlan } from "./internal/fusion.js"
import type { Step } from "./internal/fusion.js"
import { inlineCalls } from "./internal/inline.js"
import { flattenOutput, makeOutCapture } from "./internal/output.js"
import { typeStr } from "./internal/ruleOutputs.js"
import { resolve, runningContext, stepwise, transformation } from "./internal/shell.js"
import type { Steps } from "./internal/shell.js"
import { simplifyProgram } from "./internal/simplify.js"
import { StagingHandler } from "./internal/staging.js"
import type { Program } from "./Program.js"
import { evalProgram, hoistConsts, installProgramRunner, runProgram } from "./Program.js"
import type { AbstractArgs, AnyFunction, ContextOf, ErrorOf, GradOf, Unwrap } from "./Types.js"

export type { CostAnalysis } from "./internal/costAnalysis.js"

/**
 * Options of {@link jit}.
 *
 * - `staticArgnums`: positions (negative counts from the end) of arguments that
 *   are not traced but part of the cache key, compared by value: a new value
 *   retraces. Python-style control flow on them is allowed.
 * - `donateArgnums`: positions of arguments whose tensors the call may consume
 *   (JAX's buffer donation): a returned value of the same dtype and size may be
 *   written into a donated input's memory instead of new memory, and every
 *   donated tensor is released by the call, so using it afterwards is a
 *   `ReleasedTensorError`. Must not intersect `staticArgnums`. Ignored when the
 *   jitted function is called inside a transformation or another `jit`.
 * - `cacheSize` (default 64): how many traced signatures are kept (least
 *   recently used first out).
 *
 * @since 0.1.0
 */
export interface JitOptions {
  readonly staticArgnums?: number | ReadonlyArray<number>
  readonly donateArgnums?: number | ReadonlyArray<number>
  readonly cacheSize?: number
}

/**
 * How a stage prints its program: `debugInfo` ends each equation made in a
 * named scope (`namedScope`, `namedCall`) with its name stack, as JAX's
 * `as_text(debug_info=True)` shows each operation's name.
 *
 * @since 0.1.0
 */
export interface AsTextOptions {
  readonly debugInfo?: boolean
}

/**
 * What every ahead-of-time stage of a jitted function knows of its signature
 * (JAX's `Stage`): the traced arguments' types, the output's, and the donated
 * positions.
 *
 * @since 0.1.0
 */
export interface Stage<F extends AnyFunction = AnyFunction> {
  /** The traced arguments' types, one per tensor leaf (static arguments are part of the program). */
  readonly inAvals: ReadonlyArray<AbstractValue>
  /** The output's structure with a `ShapeDtypeStruct` for each tensor (JAX's `out_info`). */
  readonly outInfo: Tree.MapLeaves<Unwrap<ReturnType<F>>, ShapeDtypeStruct>
  /** The donated positions among the arguments as the jitted function numbers them. */
  readonly donateArgnums: ReadonlyArray<number>
}

/**
 * The optimized program of one signature, as `jit(f).lower(...args)` gives it
 * (JAX's `Lowered`): the program, its text, the argument and output types, a
 * cost estimate, and `compile()` for the function compiled ahead of time.
 *
 * @since 0.1.0
 */
export interface Lowered<F extends AnyFunction = AnyFunction> extends Stage<F> {
  /** The program after simplification (before fusion). */
  readonly program: Program
  /** The program with its fusion groups, printed like a jaxpr (JAX's `as_text()`). */
  readonly text: string
  /** `text`, with each equation's name stack when `debugInfo` (JAX's `as_text(debug_info=True)`). */
  readonly asText: (options?: AsTextOptions) => string
  /** Operation and memory-traffic estimates (JAX's `cost_analysis()`; see {@link CostAnalysis}). */
  readonly costAnalysis: () => CostAnalysis
  /**
   * The function compiled for this signature on the backend it was lowered on
   * (JAX's `Lowered.compile()`): a call never traces or looks up a cache, and
   * takes the traced arguments only (without the static ones).
   */
  readonly compile: () => Effect.Effect<Compiled<F>>
}

/**
 * A jitted function traced for one signature (JAX's `Traced`, from
 * `jit(f).trace(...args)`): the program as traced (before simplification and
 * fusion), the argument and output types, and `lower()` for the next stage,
 * which compiles for the active backend.
 *
 * @since 0.1.0
 */
export interface Traced<F extends AnyFunction = AnyFunction> extends Stage<F> {
  /** The program as traced (JAX's `jaxpr`). */
  readonly program: Program
  /** The program printed like a jaxpr. */
  readonly text: string
  /** `text`, with each equation's name stack when `debugInfo`. */
  readonly asText: (options?: AsTextOptions) => string
  /** Simplifies, fuses and compiles the program for the active backend (JAX's `Traced.lower()`). */
  readonly lower: () => Effect.Effect<Lowered<F>, DiffError, Backend>
}

/**
 * The memory a call of a compiled function uses, in bytes (JAX's
 * `memory_analysis()`, XLA's compiled memory statistics): its arguments, its
 * results, the results written into donated arguments' memory (planned), its
 * intermediates (the buffers the executable keeps between calls, plus the
 * most that a call allocates at once), and the constants it holds.
 *
 * @since 0.1.0
 */
export interface MemoryAnalysis {
  readonly argumentSizeInBytes: number
  readonly outputSizeInBytes: number
  readonly aliasSizeInBytes: number
  readonly tempSizeInBytes: number
  readonly constantSizeInBytes: number
}

/**
 * A function compiled ahead of time for one signature (JAX's `Compiled`): call
 * it with the traced arguments only (static ones are part of it), of exactly
 * the types it was lowered for, on the backend it was lowered on; anything
 * else, or a call under a transformation, is a `CompiledCallError`.
 *
 * @since 0.1.0
 */
export interface Compiled<F extends AnyFunction = AnyFunction> extends Stage<F> {
  (...args: ReadonlyArray<unknown>): Effect.Effect<GradOf<Unwrap<ReturnType<F>>>, DiffError, Backend>
  /** The program with its fusion groups (JAX's `as_text()`). */
  readonly text: string
  /** `text`, with each equation's name stack when `debugInfo` (JAX's `as_text(debug_info=True)`). */
  readonly asText: (options?: AsTextOptions) => string
  readonly costAnalysis: () => CostAnalysis
  readonly memoryAnalysis: () => MemoryAnalysis
}

/**
 * How a jitted function's cache is doing: traced signatures kept, calls that
 * reused a trace, and traces made.
 *
 * @since 0.1.0
 */
export interface JitCacheInfo {
  readonly size: number
  readonly hits: number
  readonly misses: number
}

/**
 * A jitted function: call it like `f` (it returns an Effect, like every
 * transformation); `lower` gives the optimized program; `cacheInfo` and
 * `clearCache` observe and reset the trace cache.
 *
 * @since 0.1.0
 */
export interface Jitted<F extends AnyFunction> {
  (...args: Parameters<F>): Effect.Effect<GradOf<Unwrap<ReturnType<F>>>, DiffError | ErrorOf<F>, Backend | ContextOf<F>>
  readonly lower: (
    ...args: AbstractArgs<Parameters<F>>
  ) => Effect.Effect<Lowered<F>, DiffError | ErrorOf<F>, Backend | ContextOf<F>>
  /** The traced program of one signature, before any optimization (JAX's `jit(f).trace(...)`). */
  readonly trace: (
    ...args: AbstractArgs<Parameters<F>>
  ) => Effect.Effect<Traced<F>, DiffError | ErrorOf<F>, Backend | ContextOf<F>>
  /** The output's structure with a `ShapeDtypeStruct` per tensor (JAX's `jit(f).eval_shape(...)`). */
  readonly evalShape: (
    ...args: AbstractArgs<Parameters<F>>
  ) => Effect.Effect<Traced<F>["outInfo"], DiffError | ErrorOf<F>, Backend | ContextOf<F>>
  readonly cacheInfo: () => JitCacheInfo
  readonly clearCache: () => void
}

/** One traced signature. */
interface Entry {
  readonly defs: ReadonlyArray<Tree.TreeDef>
  readonly program: Program
  readonly outDef: Tree.TreeDef
}

interface CompiledProgram {
  readonly program: Program
  readonly text: string
  /** The fused plan of `program` (cost analysis counts bytes per kernel). */
  readonly steps: ReadonlyArray<Step>
  readonly executable: Executable | undefined
  /** Whether the executable has been warmed (after its first run by a jitted call). */
  warmed: boolean
}

/**
 * How many times a small compiled program is run again after its first call
 * (`Executable.warm`): enough for V8 to optimize its generated kernels (a
 * loop of a hundred elements reaches TurboFan after a few dozen calls), so
 * the calls that follow do not run them in the interpreter.
 */
const WARM_RUNS = 64

/** The name a `jit_call` prints (JAX's `name=` of `pjit`): the function's name, or `<lambda>`. */
const functionName = (f: AnyFunction): string => (f.name.length > 0 ? f.name : "<lambda>")

// Functions passed as static arguments are keyed by identity.
const functionIds = new WeakMap<object, number>()
let nextFunctionId = 0

const describeValue = (v: unknown): string =>
  v === null ? "null" : typeof v === "object" ? ((v as object).constructor?.name ?? "Object") : typeof v

/**
 * How deep a static argument's arrays and records may nest: deeper (or cyclic) values cannot be
 * keyed by value (and a recursive walk would overflow the stack).
 */
const MAX_STATIC_DEPTH = 256

/** A cache key for a static argument, or `UnhashableStaticArgError`. */
const hashStatic = (value: unknown, argnum: number): string => {
  // the arrays and records being walked: meeting one again is a cycle
  const open = new Set<object>()
  const go = (v: unknown): string => {
    switch (typeof v) {
      case "number":
        return Object.is(v, -0) ? "n-0" : `n${v}`
      case "string":
        return JSON.stringify(v)
      case "boolean":
        return v ? "T" : "F"
      case "undefined":
        return "u"
      case "bigint":
        return `b${v}`
      case "function": {
        let id = functionIds.get(v)
        if (id === undefined) {
          id = nextFunctionId++
          functionIds.set(v, id)
        }
        return `f${id}`
      }
      case "object": {
        if (v === null) return "N"
        const proto = Object.getPrototypeOf(v)
        const plain = proto === Object.prototype || proto === null
        if (!Array.isArray(v) && !plain) throw new UnhashableStaticArgError({ argnum, got: describeValue(v) })
        if (open.has(v)) throw new UnhashableStaticArgError({ argnum, got: `${describeValue(v)} (cyclic)` })
        if (open.size >= MAX_STATIC_DEPTH) {
          throw new UnhashableStaticArgError({
            argnum,
            got: `${describeValue(v)} (nested over ${MAX_STATIC_DEPTH} deep)`
          })
        }
        open.add(v)
        // symbol keys cannot be compared by value (Object.keys would drop them: two records
        // differing there would share a trace)
        if (Object.getOwnPropertySymbols(v).length > 0) {
          throw new UnhashableStaticArgError({ argnum, got: `${describeValue(v)} (with symbol keys)` })
        }
        const entries = (keys: ReadonlyArray<string>) =>
          keys.map((k) => `${JSON.stringify(k)}:${go((v as Record<string, unknown>)[k])}`).join(",")
        // an array's named properties (`a.scale = 3`) are part of its value too
        const named = Array.isArray(v) ? Object.keys(v).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k)) : []
        const key = Array.isArray(v)
          ? `[${v.map(go).join(",")}${named.length > 0 ? `;${entries(named.sort())}` : ""}]`
          : `{${entries(Object.keys(v).sort())}}`
        open.delete(v)
        return key
      }
      default:
        throw new UnhashableStaticArgError({ argnum, got: describeValue(v) })
    }
  }
  return go(value)
}

const normalizeStatic = (spec: number | ReadonlyArray<number> | undefined, nargs: number): ReadonlySet<number> =>
  normalizeArgnums("staticArgnums", spec, nargs)

/** The donated positions: in range, and not static (JAX: they "cannot intersect"). */
const normalizeDonate = (
  spec: number | ReadonlyArray<number> | undefined,
  statics: ReadonlySet<number>,
  nargs: number
): ReadonlySet<number> => {
  const out = normalizeArgnums("donateArgnums", spec, nargs)
  const both = [...out].filter((i) => statics.has(i))
  if (both.length > 0) {
    throw new JitArgnumsError({
      detail: `staticArgnums (${[...statics].join(", ")}) and donateArgnums (${
        [...out].join(", ")
      }) cannot intersect: argument ${both[0]} is both.`
    })
  }
  return out
}

/** The region name a donated tensor's `ReleasedTensorError` shows. */
const DONATED = "jit (donateArgnums: the tensor was donated to a jitted call)"
/** The region name of a loop's previous carry whose memory its next carry took. */
const DONATED_TO_LOOP = "lax.scan (the previous carry's memory holds the next carry)"

/** The key of a call's signature: static values, then each traced argument's structure and leaf types. */
const signatureKey = (
  args: ReadonlyArray<unknown>,
  statics: ReadonlySet<number>,
  flat: ReadonlyArray<FlatArg>
): string => {
  let key = ""
  for (let i = 0; i < args.length; i++) if (statics.has(i)) key += `s${i}=${hashStatic(args[i], i)};`
  for (const a of flat) {
    key += String(a.def) + "|"
    for (const l of a.leaves) {
      const v = l.aval
      key += `${v.dtype}${v.weakType ? "~" : ""}[${v.shape.join(",")}]`
    }
    key += ";"
  }
  return key
}

/** Compiles `program` for `backend`: inlining of nested calls, simplification, fusion, code generation. */
const compileFor = (program: Program, backend: BackendShape): CompiledProgram => {
  const { program: simple, uniform } = simplifyProgram(inlineCalls(program), backend)
  const fuse = backend.compileFused !== undefined
  const steps = planFusion(simple, fuse, {
    dots: backend.fusedDot === true,
    masks: backend.fusedMasks === true,
    uniform,
    ...(backend.trigReduction === undefined ? {} : { trigReduction: backend.trigReduction })
  })
  return {
    program: simple,
    text: printPlan(simple, steps),
    steps,
    executable: compileExecutable(simple, steps, uniform, backend),
    warmed: false
  }
}

// A compiled program's text, with name stacks when asked (printed then: rarely wanted).
const asTextOf = (c: CompiledProgram, operation: string) => (options?: AsTextOptions): string => {
  checkOptions(operation, options, { debugInfo: boolean })
  return options?.debugInfo === true ? printPlan(c.program, c.steps, true) : c.text
}

// Compiled programs, per program and backend (weakly: a closed layer's backend is not kept alive).
let compiledPrograms = new WeakMap<Program, WeakMap<BackendShape, CompiledProgram>>()

/** `program` compiled for `backend`, once. */
const compiledFor = (program: Program, backend: BackendShape): CompiledProgram => {
  let byBackend = compiledPrograms.get(program)
  if (byBackend === undefined) {
    byBackend = new WeakMap()
    compiledPrograms.set(program, byBackend)
  }
  let c = byBackend.get(backend)
  if (c === undefined) {
    c = compileFor(program, backend)
    // the compiled program's constants (folded or uploaded while compiling) are cached with it
    Memory.keep(c.program.consts)
    byBackend.set(backend, c)
  }
  return c
}

/**
 * How the program runner ran programs held by higher-order primitives (a
 * `jit_call` of a derived program, a control-flow branch or body): compiled,
 * or equation by equation. Tests check with it that a transformed jitted
 * function runs compiled.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const programRunnerStats = { compiled: 0, interpreted: 0 }

// Programs run once are interpreted: an eager `lax.cond` stages new branch programs on every call,
// and compiling each would cost more than running it. A program run again (the derived programs
// of a jitted function, the branches of a cond inside a compiled program) is compiled then, and so
// is one whose caller asks for it (`compile`: library code staging once per signature).
let runsOf = new WeakMap<Program, number>()

// Programs held by higher-order primitives run compiled at the bottom of the stack.
installProgramRunner((program, inputs, donated, options) => {
  const backend = activeBackend()
  const known = backend === undefined ? undefined : compiledPrograms.get(program)?.get(backend)
  if (backend !== undefined && (known !== undefined || options?.compile === true || (runsOf.get(program) ?? 0) > 0)) {
    programRunnerStats.compiled++
    const executable = (known ?? compiledFor(program, backend)).executable!
    if (donated === undefined || !donated.some((d) => d)) return executable.run(inputs)
    const outs = executable.run(inputs, donated)
    // a donated input whose buffer an output took is the output's now: the input is released
    const owned = new Set(outs.map((o) => (o instanceof ConcreteTensor ? o.buffer : undefined)))
    inputs.forEach((t, i) => {
      if (donated[i] === true && t instanceof ConcreteTensor && !t.released && owned.has(t.buffer)) {
        t.donate(DONATED_TO_LOOP, true)
      }
    })
    return outs
  }
  runsOf.set(program, (runsOf.get(program) ?? 0) + 1)
  programRunnerStats.interpreted++
  return evalProgram(program, program.consts, inputs)
})

/**
 * Runs `program` on concrete `inputs` compiled for the active backend (compiled
 * on its first run and kept with the program, as the program runner keeps
 * programs it runs again), or equation by equation where no backend is active.
 * For library code that stages a computation once per signature and runs it
 * eagerly, as JAX's own `jax.random` samplers are jitted functions.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const runCompiled = (program: Program, inputs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> =>
  runProgram(program, inputs, { compile: true })

/**
 * Compiles `f` (JAX's `jax.jit`): the returned function traces `f` once per
 * signature into a program, optimizes and fuses it, and runs the compiled
 * kernels on every later call with the same signature. It composes with every
 * transformation in both orders (`jit(valueAndGrad(f))`, `grad(jit(f))`,
 * `vmap(jit(f))`, `hessian(jit(f))`, nested `jit`).
 *
 * Inside `f`, arguments are traced: reading their values (`toJs`, JS `if` on
 * them) is a `ConcretizationError`; mark such arguments static. Side effects
 * in `f` happen when it is traced, not on every call.
 *
 * @example
 * import { jit, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 *
 * const f = jit((x: Tensor) => np.sum(np.multiply(x, x)))
 * console.log(toJsSync(runSync(f(np.array([1, 2, 3]))))) // 14
 * console.log(toJsSync(runSync(f(np.array([4, 5, 6]))))) // 77
 * console.log(f.cacheInfo()) // { size: 1, hits: 1, misses: 1 }
 *
 * // ahead of time (JAX's jit(f).lower(x).compile()): 3 multiplies and 2 adds
 * const lowered = runSync(f.lower(np.array([1, 2, 3])))
 * console.log(lowered.costAnalysis().flops) // 5
 * const compiled = runSync(lowered.compile())
 * console.log(toJsSync(runSync(compiled(np.array([2, 2, 1]))))) // 9
 *
 * @since 0.1.0
 */
export const jit = <F extends AnyFunction>(f: F, options: JitOptions = {}): Jitted<F> => {
  checkCallable("jit", f)
  checkOptions("jit", options, { staticArgnums: anyValue, donateArgnums: anyValue, cacheSize: positiveInteger })
  const cache = new Map<string, Entry>()
  const limit = options.cacheSize ?? 64
  let hits = 0
  let misses = 0

  const trace = (
    args: ReadonlyArray<unknown>,
    statics: ReadonlySet<number>,
    positions: ReadonlyArray<number>,
    flat: ReadonlyArray<FlatArg>
  ): Entry => {
    // the staging handler keeps calls of custom-rule functions as equations (JAX keeps
    // `custom_jvp_call` / `custom_vjp_call` in jaxprs), so `grad(jit(f))` still uses the rules
    const handler = new StagingHandler("jit")
    const inputs = allLeaves(flat).map((l) => handler.newInput(l.aval))
    const rebuilt = unflattenArgs(flat, inputs)
    const callArgs = args.map((a, i) => (statics.has(i) ? a : rebuilt[positions.indexOf(i)]))
    try {
      const capture = makeOutCapture()
      const outs = withDynamicHandler(handler, () => {
        const out = resolve("jit", f(...callArgs))
        return flattenOutput("jit", out, false, capture)
      })
      return {
        defs: flat.map((a) => a.def),
        program: handler.finish(outs),
        outDef: capture.def!
      }
    } finally {
      handler.active = false
    }
  }

  interface Found {
    readonly entry: Entry
    readonly leaves: Array<Tensor>
    readonly cached: boolean
    /** Per leaf: whether its argument is donated (`undefined`: none is). */
    readonly donated: ReadonlyArray<boolean> | undefined
  }

  // The static and donated positions, for the last number of arguments seen (they depend only on it).
  let argnumsFor = -1
  let statics: ReadonlySet<number> = new Set()
  let donate: ReadonlySet<number> = new Set()
  const normalizeFor = (nargs: number): void => {
    if (nargs === argnumsFor) return
    const s = normalizeStatic(options.staticArgnums, nargs)
    donate = normalizeDonate(options.donateArgnums, s, nargs)
    statics = s
    argnumsFor = nargs
  }

  /**
   * The last call's signature when every argument was a tensor (a leaf) and none
   * static: a call with tensors of the same types has the same key, so it reuses
   * the entry without flattening or building the key. The entry is then the most
   * recently used one already (the LRU order does not change). Reset when the
   * entry leaves the cache. It keeps types, never the call's tensors: a jitted
   * function must not keep its arguments alive (JAX's
   * `test_jit_reference_dropping`).
   */
  let last:
    | {
      readonly avals: ReadonlyArray<AbstractValue>
      readonly entry: Entry
      readonly donated: ReadonlyArray<boolean> | undefined
      readonly key: string
      readonly env: string
    }
    | undefined

  const sameAval = (a: AbstractValue, b: AbstractValue): boolean => {
    if (a === b) return true
    if (a.dtype !== b.dtype || a.weakType !== b.weakType || a.shape.length !== b.shape.length) return false
    for (let d = 0; d < a.shape.length; d++) if (a.shape[d] !== b.shape[d]) return false
    return true
  }

  const lastHit = (args: ReadonlyArray<unknown>): Found | undefined => {
    const avals = last!.avals
    if (args.length !== avals.length) return undefined
    for (let i = 0; i < args.length; i++) {
      const a = args[i]
      if (!isTensor(a) || !sameAval(a.aval, avals[i]!)) return undefined
    }
    if (cache.get(last!.key) !== last!.entry) return undefined
    return { entry: last!.entry, leaves: args as Array<Tensor>, cached: true, donated: last!.donated }
  }

  // The last call without static arguments, as structures and leaf types: a call of the same ones
  // (a training step's pytree of parameters) finds its entry without formatting a signature key.
  let lastTree:
    | {
      readonly defs: ReadonlyArray<Tree.TreeDef>
      readonly avals: ReadonlyArray<AbstractValue>
      readonly entry: Entry
      readonly key: string
      readonly env: string
    }
    | undefined

  const sameTree = (flat: ReadonlyArray<FlatArg>, leaves: ReadonlyArray<Tensor>): boolean => {
    const { avals, defs } = lastTree!
    if (flat.length !== defs.length || leaves.length !== avals.length) return false
    for (let i = 0; i < leaves.length; i++) if (!sameAval(leaves[i]!.aval, avals[i]!)) return false
    for (let i = 0; i < flat.length; i++) if (!Tree.treedefEquals(defs[i]!, flat[i]!.def)) return false
    return cache.get(lastTree!.key) === lastTree!.entry
  }

  // `abstract`: for `lower`, which only stages (ShapeDtypeStructs may stand for tensors)
  const entryFor = (args: ReadonlyArray<unknown>, abstract = false): Found => {
    // the named axes bound now (under vmap or pmap): a trace may read their sizes into its program
    const env = axisEnvKey()
    if (last !== undefined && last.env === env) {
      const hit = lastHit(args)
      if (hit !== undefined) {
        hits++
        return hit
      }
    }
    normalizeFor(args.length)
    const positions: Array<number> = []
    for (let i = 0; i < args.length; i++) if (!statics.has(i)) positions.push(i)
    const flat = (abstract ? flattenArgsAbstract : flattenArgs)("jit", positions.map((i) => args[i]), positions)
    const leaves = allLeaves(flat)
    const donated = donate.size === 0
      ? undefined
      : flat.flatMap((a, k) => a.leaves.map(() => donate.has(positions[k]!)))
    if (lastTree !== undefined && statics.size === 0 && lastTree.env === env && sameTree(flat, leaves)) {
      hits++
      return { entry: lastTree.entry, leaves, cached: true, donated }
    }
    const key = env + signatureKey(args, statics, flat)
    const known = cache.get(key)
    const remember = (found: Found): Found => {
      // only calls of tensors alone take the fast path
      last = statics.size === 0 && args.every(isTensor) ?
        { avals: leaves.map((l) => l.aval), entry: found.entry, donated: found.donated, key, env } :
        undefined
      lastTree = statics.size === 0 ?
        { defs: flat.map((a) => a.def), avals: leaves.map((l) => l.aval), entry: found.entry, key, env } :
        undefined
      return found
    }
    if (known !== undefined && known.defs.every((d, i) => Tree.treedefEquals(d, flat[i]!.def))) {
      hits++
      cache.delete(key)
      cache.set(key, known)
      return remember({ entry: known, leaves, cached: true, donated })
    }
    misses++
    const entry = trace(args, statics, positions, flat)
    // a program closing over an outer transformation's tracers is only valid during this call
    if (entry.program.consts.some((c) => c instanceof Tracer)) return { entry, leaves, cached: false, donated }
    // cached constants outlive the region of the call that traced them
    Memory.keep(entry.program.consts)
    cache.set(key, entry)
    if (cache.size > limit) cache.delete(cache.keys().next().value!)
    return remember({ entry, leaves, cached: true, donated })
  }

  const compiled = (entry: Entry, backend: BackendShape): CompiledProgram => compiledFor(entry.program, backend)

  // debugNans / debugInfs: an invalid result reruns the function op by op (JAX's de-optimized
  // rerun), whose eager checks name the operation; else the jitted function is named
  const checkResults = (args: ReadonlyArray<unknown>, outs: ReadonlyArray<Tensor>): void => {
    const checks = activeChecks()
    const value = checks === undefined ? undefined : invalidValue(outs, checks)
    if (value === undefined) return
    resolve(functionName(f), f(...args))
    throw new FloatingPointError({
      primitive: `jit(${functionName(f)})`,
      value,
      detail:
        "Because debugNans and/or debugInfs is set, the de-optimized function (the function as if jit were removed) was called in an attempt to get a more precise error message. However, the de-optimized function did not produce invalid values during its execution: the compiled program's fusion or rounding may produce it, or the inputs or outputs hold NaN or infinite literals"
    })
  }

  // A run of `entry` compiled as `c` on `leaves` (no transformation in progress), as steps.
  function* runEntry(
    args: ReadonlyArray<unknown>,
    entry: Entry,
    leaves: ReadonlyArray<Tensor>,
    donated: ReadonlyArray<boolean> | undefined,
    c: CompiledProgram
  ): Steps<unknown> {
    if (donated === undefined) {
      const outs = yield* c.executable!.steps(leaves)
      if (!c.warmed) {
        // the first call compiled it: the engine's optimizing tiers are reached now (see WARM_RUNS)
        c.warmed = true
        c.executable!.warm(leaves, WARM_RUNS)
      }
      checkResults(args, outs)
      return Tree.unflatten(entry.outDef, outs)
    }
    let outs: Array<Tensor> = []
    try {
      outs = yield* c.executable!.steps(leaves, donated)
      checkResults(args, outs)
      return Tree.unflatten(entry.outDef, outs)
    } finally {
      // donated tensors are consumed, whether the call finished or not (their memory may hold outputs);
      // a buffer an output took over stays allocated
      const owned = new Set(outs.map((o) => (o instanceof ConcreteTensor ? o.buffer : undefined)))
      leaves.forEach((l, i) => {
        if (donated[i] === true && l instanceof ConcreteTensor && !l.released) l.donate(DONATED, owned.has(l.buffer))
      })
    }
  }

  // A call as steps: a compiled run yields between its kernels (interruptible as the outermost Effect).
  function* call(args: ReadonlyArray<unknown>): Steps<unknown> {
    // under disableJit: the function itself, op by op (JAX's disable_jit)
    if (jitDisabledIn(runningContext())) return resolve(functionName(f), f(...args))
    const { cached, donated, entry, leaves } = entryFor(args)
    const backend = activeBackend()
    // (a cached entry's program closes over no tracer)
    const staged = currentDynamicHandler() !== undefined || leaves.some((l) => l instanceof Tracer) ||
      (!cached && entry.program.consts.some((c) => c instanceof Tracer))
    if (staged) {
      // a transformation or a staging is in progress: one jit_call primitive, whose rules transform the program
      const { hoisted, program } = hoistConsts(entry.program)
      const outs = bind("jit_call", [...hoisted, ...leaves], { name: functionName(f), program })
      return Tree.unflatten(entry.outDef, outs)
    }
    if (backend === undefined) {
      return Tree.unflatten(entry.outDef, evalProgram(entry.program, entry.program.consts, leaves))
    }
    return yield* runEntry(args, entry, leaves, donated, compiled(entry, backend))
  }

  // `trace`, `lower` and `compile` (JAX's ahead-of-time stages): one signature, fixed
  interface Staged {
    readonly entry: Entry
    readonly donated: ReadonlyArray<boolean> | undefined
    /** The call's positions without the static ones. */
    readonly dynamic: ReadonlyArray<number>
    /** The full argument list of a compiled call given its traced arguments (the static ones as lowered). */
    readonly withStatics: (given: ReadonlyArray<unknown>) => Array<unknown>
    readonly info: Stage<F>
  }

  const stage = (args: ReadonlyArray<unknown>): Staged => {
    const { donated, entry } = entryFor(args, true)
    // (the fast path of entryFor does not normalize: the positions of this call's count)
    normalizeFor(args.length)
    const outInfo = Tree.unflatten(
      entry.outDef,
      entry.program.outAvals.map((a) => new ShapeDtypeStruct(a.shape, a.dtype, { weakType: a.weakType }))
    ) as Traced<F>["outInfo"]
    const dynamic = args.map((_, i) => i).filter((i) => !statics.has(i))
    return {
      entry,
      donated,
      dynamic,
      withStatics: (given) => {
        const full = [...args]
        dynamic.forEach((p, k) => (full[p] = given[k]))
        return full
      },
      info: { inAvals: entry.program.inAvals, outInfo, donateArgnums: [...donate].sort((a, b) => a - b) }
    }
  }

  const traced = (staged: Staged): Traced<F> => ({
    program: staged.entry.program,
    text: staged.entry.program.toString(),
    asText: (options) => {
      checkOptions("Traced.asText", options, { debugInfo: boolean })
      return staged.entry.program.toString({ nameStack: options?.debugInfo === true })
    },
    ...staged.info,
    lower: () => transformation<Lowered<F>>(() => lower(staged))
  })

  const lower = ({ donated, dynamic, entry, info, withStatics }: Staged): Lowered<F> => {
    const backend = activeBackend()!
    const c = compiled(entry, backend)
    const { inAvals } = info
    const costAnalysis = (): CostAnalysis => costOf(c.program, c.steps)
    const shared = { ...info, costAnalysis }
    const compile = (): Compiled<F> => {
      const callCompiled = (...given: ReadonlyArray<unknown>) =>
        stepwise<GradOf<Unwrap<ReturnType<F>>>, never, never>(
          () => compiledCall(given) as Steps<GradOf<Unwrap<ReturnType<F>>>>
        )
      function* compiledCall(given: ReadonlyArray<unknown>): Steps<unknown> {
        if (given.length !== dynamic.length) {
          throw new CompiledCallError({
            detail: `Compiled function called with ${given.length} argument${
              given.length === 1 ? "" : "s"
            } but lowered for ${dynamic.length} traced argument${
              dynamic.length === 1 ? "" : "s"
            } (static arguments are part of the compiled function: pass only the traced ones).`
          })
        }
        const flat = flattenArgs("jit", given, dynamic)
        const mismatched = flat.flatMap((a, k) =>
          Tree.treedefEquals(a.def, entry.defs[k]!) ? [] : [
            `    * at argument ${dynamic[k]}, seen ${String(entry.defs[k])} but now given ${String(a.def)}`
          ]
        )
        if (mismatched.length > 0) {
          throw new CompiledCallError({
            detail:
              `Function compiled with input pytree does not match the input pytree it was called with. There are ${mismatched.length} mismatches, including:\n${
                mismatched.join("\n")
              }`
          })
        }
        const leaves = allLeaves(flat)
        if (currentDynamicHandler() !== undefined || leaves.some((l) => l instanceof Tracer)) {
          throw new CompiledCallError({
            detail:
              "Cannot apply transformations to a function lowered and compiled for a particular signature. Detected a traced argument (a transformation or jit is staging this call): call the jitted function itself there."
          })
        }
        const types = leaves.flatMap((l, i) => {
          const want = inAvals[i]!
          const got = l.aval
          const same = want.dtype === got.dtype && want.shape.length === got.shape.length &&
            want.shape.every((d, k) => d === got.shape[k])
          return same ? [] : [`Argument leaf ${i} compiled with ${typeStr(want)} and called with ${typeStr(got)}`]
        })
        if (types.length > 0) {
          throw new CompiledCallError({
            detail:
              `Argument types differ from the types for which this computation was compiled. The mismatches are:\n${
                types.join("\n")
              }`
          })
        }
        if (activeBackend() !== backend) {
          throw new CompiledCallError({
            detail:
              "The function was compiled for another backend than the one this call runs on: lower and compile it again under this backend (a compiled function runs on the backend it was lowered on)."
          })
        }
        // (a debugNans rerun calls f with the static arguments too)
        return yield* runEntry(withStatics(given), entry, leaves, donated, c)
      }
      return Object.assign(callCompiled, {
        ...shared,
        text: c.text,
        asText: asTextOf(c, "Compiled.asText"),
        memoryAnalysis: (): MemoryAnalysis => {
          const m = c.executable!.memory(donated)
          return {
            argumentSizeInBytes: m.argumentBytes,
            outputSizeInBytes: m.outputBytes,
            aliasSizeInBytes: m.aliasBytes,
            tempSizeInBytes: m.tempBytes,
            constantSizeInBytes: m.constantBytes
          }
        }
      }) as unknown as Compiled<F>
    }
    return {
      program: c.program,
      text: c.text,
      asText: asTextOf(c, "Lowered.asText"),
      ...shared,
      compile: () => Effect.sync(compile)
    }
  }

  const clearCache = (): void => {
    cache.clear()
    last = undefined
    lastTree = undefined
    hits = 0
    misses = 0
  }

  const jitted = ((...args: Parameters<F>) =>
    stepwise<GradOf<Unwrap<ReturnType<F>>>, ErrorOf<F>, ContextOf<F>>(
      () => call(args) as Steps<GradOf<Unwrap<ReturnType<F>>>>
    )) as Jitted<F>
  Object.assign(jitted, {
    trace: (...args: AbstractArgs<Parameters<F>>) =>
      transformation<Traced<F>, ErrorOf<F>, ContextOf<F>>(() => traced(stage(args))),
    lower: (...args: AbstractArgs<Parameters<F>>) =>
      transformation<Lowered<F>, ErrorOf<F>, ContextOf<F>>(() => lower(stage(args))),
    evalShape: (...args: AbstractArgs<Parameters<F>>) =>
      transformation<Traced<F>["outInfo"], ErrorOf<F>, ContextOf<F>>(() => stage(args).info.outInfo),
    cacheInfo: (): JitCacheInfo => ({ size: cache.size, hits, misses }),
    clearCache
  })
  const ref = new WeakRef(clearCache)
  liveCaches.add(ref)
  droppedCaches.register(clearCache, ref)
  return jitted
}

// Every jitted function's `clearCache`, held weakly (a dropped jitted function is not kept alive);
// a collected one's entry is removed, so creating jitted functions in a loop does not grow the set.
const liveCaches = new Set<WeakRef<() => void>>()
const droppedCaches = new FinalizationRegistry<WeakRef<() => void>>((ref) => liveCaches.delete(ref))

/**
 * Clears every compilation and staging cache (JAX's `jax.clear_caches()`):
 * each jitted function's traces (as its `clearCache` does), the compiled
 * programs, and the programs that transformations of staged calls derived.
 * The next call of each jitted function traces and compiles again. Tensors
 * the caches held as constants are not released: they may be the caller's.
 *
 * @example
 * import { clearCaches, jit, np, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = jit((x: Tensor) => np.sin(x))
 * runSync(f(np.array(1)))
 * clearCaches()
 * console.log(f.cacheInfo()) // { size: 0, hits: 0, misses: 0 }
 *
 * @category Compilation
 * @since 0.1.0
 */
export const clearCaches = (): void => {
  for (const ref of liveCaches) {
    const clear = ref.deref()
    if (clear === undefined) liveCaches.delete(ref)
    else clear()
  }
  compiledPrograms = new WeakMap()
  runsOf = new WeakMap()
}
