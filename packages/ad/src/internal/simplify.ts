/**
 * The compiler's simplification passes over a `Program`, each linear in the
 * program's size: one forward sweep does common-subexpression elimination,
 * constant folding and algebraic simplification (with a substitution map, so
 * a rewrite is seen by every later equation), then one backward sweep removes
 * dead code.
 *
 * An index map (`slice`, `transpose`, `rev`) of an array constant is folded
 * into a new constant (up to `INDEX_FOLD_LIMIT` elements): a fused kernel
 * then reads it contiguously instead of gathering a strided view on every
 * call (`jacfwd`'s basis, an identity matrix, is read as two slices).
 *
 * Rewrites are exact: they never change a result's bits. So `x * 1`, `x / 1`,
 * `x - 0`, `x + (-0)`, `max(x, -inf)` and `min(x, inf)` become `x` for floats,
 * but `x + 0` only for integers (`-0 + 0` is `+0`); a rewrite also needs the
 * result's type (shape, dtype, weak type) to be `x`'s.
 */
import { ConcreteTensor, HostCallback, hostCallbackPrimitives, withDynamicHandler } from "@diffect/core"
import type { BackendShape, Params, Primitive, Tensor } from "@diffect/core"
import { bind } from "@diffect/core"
import type { Equation, PrimitiveEquation } from "../Program.js"
import { equationHasEffect, Program, pruneEquationOutputs } from "../Program.js"
import type { Var } from "../Program.js"

/**
 * Equations on scalar constants (or broadcasts of one) are evaluated at compile
 * time when their output has at most this many elements. Arrays the function
 * closes over are not folded: that would move their work into compilation.
 */
const FOLD_LIMIT = 64

/**
 * An index map (a pure copy, no arithmetic) of an array constant is folded
 * when its output has at most this many elements (256 KiB of float32): the
 * copy is made once at compile time instead of a strided gather per call.
 */
const INDEX_FOLD_LIMIT = 1 << 16

const indexMaps: ReadonlySet<string> = new Set(["slice", "transpose", "rev"])

const sameAval = (a: Var, b: Var): boolean =>
  a.aval.dtype === b.aval.dtype && a.aval.weakType === b.aval.weakType &&
  a.aval.shape.length === b.aval.shape.length && a.aval.shape.every((n, i) => n === b.aval.shape[i])

const sizeOf = (v: Var): number => v.aval.shape.reduce((a, b) => a * b, 1)

/** The host data of a concrete tensor, if it can be had synchronously. */
const hostOf = (t: Tensor, backend: BackendShape | undefined): ArrayLike<number> | undefined => {
  if (!(t instanceof ConcreteTensor)) return undefined
  if (t.host !== undefined) return t.host
  const buffer = t.buffer
  if (buffer === undefined || buffer.backend.readSync === undefined) return undefined
  if (backend !== undefined && buffer.backend !== backend) return undefined
  return buffer.backend.readSync(buffer, t.aval)
}

/**
 * The value of every element of `v` when `v` is a constant real tensor whose
 * elements all equal one number (a captured scalar, or a broadcast of one).
 */
export type UniformValues = ReadonlyMap<Var, number>

const isReal = (v: Var): boolean =>
  v.aval.dtype === "float32" || v.aval.dtype === "float64" || v.aval.dtype === "int32" || v.aval.dtype === "bool"

// JSON writes -0 as 0: a key keeps it apart (a pad or fill of -0 is not one of +0).
const signedZero = (value: unknown): unknown => (Object.is(value, -0) ? "\u0000-0" : value)

/** JSON text of a plain value for keys, -0 kept apart from 0. */
export const keyText = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => signedZero(v))

/** Canonical text of params, for CSE keys (arrays, numbers, strings, booleans, null). */
// Programs and host callbacks held by parameters (higher-order primitives) are keyed by identity.
const objectIds = new WeakMap<Program | HostCallback, number>()
let nextObjectId = 0
const paramsKey = (params: object): string =>
  JSON.stringify(params, (_key, value: unknown) => {
    if (!(value instanceof Program || value instanceof HostCallback)) return signedZero(value)
    let id = objectIds.get(value)
    if (id === undefined) {
      id = nextObjectId++
      objectIds.set(value, id)
    }
    return `object#${id}`
  })

/**
 * What the simplifier found: the program and the uniform constants (which
 * fusion inlines into kernels as literals).
 */
export interface Simplified {
  readonly program: Program
  readonly uniform: UniformValues
}

/**
 * Simplifies `program`. With a `backend`, equations on scalar constants (whose
 * output is small) are evaluated now, on it.
 */
export const simplifyProgram = (program: Program, backend?: BackendShape): Simplified => {
  const subst = new Map<Var, Var>()
  const look = (v: Var): Var => subst.get(v) ?? v
  const uniform = new Map<Var, number>()
  const constOf = new Map<Var, Tensor>()
  const constVars = [...program.constVars]
  const consts = [...program.consts]
  program.constVars.forEach((v, i) => {
    constOf.set(v, program.consts[i]!)
    if (isReal(v) && sizeOf(v) === 1) {
      const host = hostOf(program.consts[i]!, backend)
      if (host !== undefined && host.length >= 1) uniform.set(v, host[0]!)
    }
  })
  const ids = new Map<Var, number>()
  const idOf = (v: Var): number => {
    let id = ids.get(v)
    if (id === undefined) {
      id = ids.size
      ids.set(v, id)
    }
    return id
  }
  const seen = new Map<string, PrimitiveEquation>()
  const out: Array<Equation> = []

  const rewrite = (eqn: PrimitiveEquation): Var | undefined => {
    const [x, y] = eqn.inputs
    const o = eqn.outputs[0]!
    const u = (v: Var | undefined) => (v === undefined ? undefined : uniform.get(v))
    const int = o.aval.dtype === "int32"
    const pick = (v: Var | undefined) => (v !== undefined && sameAval(v, o) ? v : undefined)
    switch (eqn.primitive) {
      case "mul":
        if (u(y) === 1) return pick(x)
        if (u(x) === 1) return pick(y)
        return undefined
      case "div":
        return u(y) === 1 ? pick(x) : undefined
      case "add": {
        const zero = (v: Var | undefined) => {
          const c = u(v)
          return c === 0 && (int || Object.is(c, -0))
        }
        if (zero(y)) return pick(x)
        if (zero(x)) return pick(y)
        return undefined
      }
      case "sub": {
        const c = u(y)
        return c === 0 && (int || Object.is(c, 0)) ? pick(x) : undefined
      }
      // -inf is max's identity and +inf min's (NaN and signed zeros pass through unchanged):
      // softmax's and logsumexp's `max(reduce_max(x), -inf)` is the reduction itself
      case "max":
        if (u(y) === -Infinity) return pick(x)
        if (u(x) === -Infinity) return pick(y)
        return undefined
      case "min":
        if (u(y) === Infinity) return pick(x)
        if (u(x) === Infinity) return pick(y)
        return undefined
      case "convert_element_type":
      case "stop_gradient":
        return pick(x)
      case "reshape":
      case "broadcast_in_dim":
        return pick(x)
      case "transpose":
        return (eqn.params as Params<"transpose">).permutation.every((p, i) => p === i) ? pick(x) : undefined
      case "slice": {
        // the whole operand
        const { limitIndices, startIndices, strides } = eqn.params as Params<"slice">
        const whole = startIndices.every((b) => b === 0) && limitIndices.every((l, d) => l === x!.aval.shape[d]) &&
          (strides === null || strides === undefined || strides.every((t) => t === 1))
        return whole ? pick(x) : undefined
      }
      case "rev":
        return (eqn.params as Params<"rev">).dimensions.length === 0 ? pick(x) : undefined
      case "pad":
        return (eqn.params as Params<"pad">).config.every((c) => c.every((n) => n === 0)) ? pick(x) : undefined
      default:
        return undefined
    }
  }

  for (const eqn0 of program.equations) {
    if (eqn0._tag !== "PrimitiveEquation") {
      out.push({ ...eqn0, inputs: eqn0.inputs.map(look) })
      continue
    }
    const eqn: PrimitiveEquation = { ...eqn0, inputs: eqn0.inputs.map(look) }
    // an effect runs where it is, every time: never merged with an equal one or run now
    if (equationHasEffect(eqn)) {
      out.push(eqn)
      continue
    }
    if (eqn.outputs.length === 1) {
      const same = rewrite(eqn)
      if (same !== undefined) {
        subst.set(eqn.outputs[0]!, same)
        continue
      }
    }
    // CSE: the same primitive and params on the same variables
    let key = eqn.primitive + paramsKey(eqn.params)
    for (const v of eqn.inputs) key += "," + idOf(v)
    const prior = seen.get(key)
    if (prior !== undefined) {
      eqn.outputs.forEach((v, i) => subst.set(v, prior.outputs[i]!))
      continue
    }
    seen.set(key, eqn)
    // uniform values through broadcasts
    if (eqn.primitive === "broadcast_in_dim" || eqn.primitive === "reshape") {
      const c = uniform.get(eqn.inputs[0]!)
      if (c !== undefined) uniform.set(eqn.outputs[0]!, c)
    }
    // constant folding: arithmetic on scalar (or uniform) constants, index maps of array constants
    if (
      backend !== undefined && eqn.inputs.length > 0 && !hostCallbackPrimitives.has(eqn.primitive) &&
      (eqn.inputs.every((v) => constOf.has(v) && (sizeOf(v) <= 1 || uniform.has(v))) &&
          eqn.outputs.every((v) => sizeOf(v) <= FOLD_LIMIT) ||
        indexMaps.has(eqn.primitive) && constOf.has(eqn.inputs[0]!) &&
          sizeOf(eqn.outputs[0]!) <= INDEX_FOLD_LIMIT)
    ) {
      const args = eqn.inputs.map((v) => constOf.get(v)!)
      if (args.every((t) => t instanceof ConcreteTensor)) {
        const results = withDynamicHandler(undefined, () => bind(eqn.primitive as Primitive, args, eqn.params))
        eqn.outputs.forEach((v, i) => {
          const t = results[i]!
          constOf.set(v, t)
          constVars.push(v)
          consts.push(t)
          if (isReal(v) && !uniform.has(v)) {
            const host = hostOf(t, backend)
            if (host !== undefined && host.length > 0 && Array.prototype.every.call(host, (h) => h === host[0])) {
              uniform.set(v, host[0]!)
            }
          }
        })
        continue
      }
    }
    out.push(eqn)
  }

  const outputs = program.outputs.map(look)
  foldTransposesIntoDots(out, outputs)

  // dead-code elimination (every equation but an effect is pure); a cond or while with unused
  // outputs loses them (JAX's dce rules for cond_p and while_p)
  const live = new Set<Var>(outputs)
  const kept: Array<Equation> = []
  for (let k = out.length - 1; k >= 0; k--) {
    if (!out[k]!.outputs.some((v) => live.has(v)) && !equationHasEffect(out[k]!)) continue
    const eqn = pruneEquationOutputs(out[k]!, live)
    kept.push(eqn)
    for (const v of eqn.inputs) live.add(v)
  }
  kept.reverse()
  const liveConstVars: Array<Var> = []
  const liveConsts: Array<Tensor> = []
  constVars.forEach((v, i) => {
    if (live.has(v)) {
      liveConstVars.push(v)
      liveConsts.push(consts[i]!)
    }
  })
  return { program: new Program(liveConstVars, liveConsts, program.inputs, kept, outputs), uniform }
}

type DotParams = Params<"dot_general">

const isPrimitive = (eqn: Equation | undefined, primitive: Primitive): eqn is PrimitiveEquation =>
  eqn !== undefined && eqn._tag === "PrimitiveEquation" && eqn.primitive === primitive

/**
 * `dot_general(transpose(x), y)` reads `x` through the dot's dimension numbers
 * instead (when the permutation keeps the order of the operand's free
 * dimensions, which fixes the output's layout), and `transpose(dot_general(a,
 * b))` that swaps the lhs and rhs free dimensions is `dot_general(b, a)`, when
 * the transpose is the product's only reader. Both rewrites are exact: every
 * output element sums the same products (`a*b = b*a`) in the same contraction
 * order, and the GEMM reads transposed operands through strides, so the
 * transpose kernels disappear (three in an MLP's backward pass, where JAX's
 * transpose rule of `dot_general` emits a product and a transpose). Rewrites
 * `eqns` in place; the replaced equations become dead code.
 */
const foldTransposesIntoDots = (eqns: Array<Equation>, outputs: ReadonlyArray<Var>): void => {
  const uses = new Map<Var, number>()
  const use = (v: Var) => uses.set(v, (uses.get(v) ?? 0) + 1)
  for (const eqn of eqns) for (const v of eqn.inputs) use(v)
  for (const v of outputs) use(v)
  const producer = new Map<Var, Equation>()
  for (let k = 0; k < eqns.length; k++) {
    const eqn = eqns[k]!
    if (eqn._tag === "PrimitiveEquation" && eqn.primitive === "dot_general") {
      eqns[k] = foldOperandTransposes(eqn, producer)
    }
    if (eqn._tag === "PrimitiveEquation" && eqn.primitive === "transpose") {
      const dot = producer.get(eqn.inputs[0]!)
      if (isPrimitive(dot, "dot_general") && uses.get(eqn.inputs[0]!) === 1) {
        const swapped = swappedDot(dot, (eqn.params as Params<"transpose">).permutation)
        if (swapped !== undefined) eqns[k] = { ...swapped, outputs: eqn.outputs }
      }
    }
    for (const v of eqns[k]!.outputs) producer.set(v, eqns[k]!)
  }
}

const foldOperandTransposes = (eqn: PrimitiveEquation, producer: ReadonlyMap<Var, Equation>): PrimitiveEquation => {
  const params = eqn.params as DotParams
  const inputs = [...eqn.inputs]
  const contracting = [[...params.contracting[0]], [...params.contracting[1]]]
  const batch = [[...params.batch[0]], [...params.batch[1]]]
  let changed = false
  for (const side of [0, 1]) {
    const t = producer.get(inputs[side]!)
    if (!isPrimitive(t, "transpose")) continue
    const perm = (t.params as Params<"transpose">).permutation
    const bound = new Set([...contracting[side]!, ...batch[side]!])
    const free = perm.filter((_, d) => !bound.has(d))
    if (!free.every((p, i) => i === 0 || free[i - 1]! < p)) continue
    inputs[side] = t.inputs[0]!
    contracting[side] = contracting[side]!.map((d) => perm[d]!)
    batch[side] = batch[side]!.map((d) => perm[d]!)
    changed = true
  }
  if (!changed) return eqn
  const next: DotParams = {
    ...params,
    contracting: [contracting[0]!, contracting[1]!],
    batch: [batch[0]!, batch[1]!]
  }
  return { ...eqn, inputs, params: next }
}

const swappedDot = (dot: PrimitiveEquation, perm: ReadonlyArray<number>): PrimitiveEquation | undefined => {
  const params = dot.params as DotParams
  const [lhs, rhs] = dot.inputs
  if (lhs!.aval.dtype !== rhs!.aval.dtype) return undefined
  const nb = params.batch[0].length
  const nl = lhs!.aval.shape.length - nb - params.contracting[0].length
  const nr = rhs!.aval.shape.length - nb - params.contracting[1].length
  // batch dims stay first; then the rhs free dims, then the lhs free dims
  const want = [
    ...Array.from({ length: nb }, (_, i) => i),
    ...Array.from({ length: nr }, (_, i) => nb + nl + i),
    ...Array.from({ length: nl }, (_, i) => nb + i)
  ]
  if (perm.length !== want.length || !perm.every((p, i) => p === want[i])) return undefined
  const next: DotParams = {
    ...params,
    contracting: [params.contracting[1], params.contracting[0]],
    batch: [params.batch[1], params.batch[0]]
  }
  return { ...dot, inputs: [rhs!, lhs!], params: next }
}
