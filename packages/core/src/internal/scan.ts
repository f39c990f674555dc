/**
 * `lax.scan`, `lax.map` and `lax.foriLoop` with static bounds (JAX's
 * `jax.lax.scan`, `map`, `fori_loop`): the body is staged once into a Program
 * (`makeProgramFlat`) and bound as the higher-order primitive `scan`, whose
 * rules (JVP, partial evaluation, transpose, batching) live in @diffect/ad.
 * Written with `bind` only: `lax` re-exports these functions.
 */
import { aval } from "../AbstractValue.js"
import type { AbstractValue } from "../AbstractValue.js"
import { isInteger, promote } from "../DType.js"
import { ControlFlowError, ShapeError, TreeStructureError } from "../Errors.js"
import { bind, bind1 } from "../Handler.js"
import { evalProgram, hoistConsts } from "../Program.js"
import { makeProgramFlat, resolveOutput } from "../Staging.js"
import type { MaybeEffect } from "../Staging.js"
import { ConcreteTensor, Tensor, Tracer } from "../Tensor.js"
import { toJsSync } from "../ToJs.js"
import * as Tree from "../Tree.js"
import { argumentError, checkKeys, describeValue } from "../Validate.js"
import { checkInt32Bound, foriLoopTraced } from "./controlFlow.js"
import { installUnroller } from "./higherOrder.js"

// JAX's `unroll`: the body inlined `k` times into one program (evaluated by the core's scan loop).
installUnroller((program, k, numConsts, numCarry) => {
  const carryAvals = program.inputs.slice(numConsts, numConsts + numCarry).map((v) => v.aval)
  const xAvals = program.inputs.slice(numConsts + numCarry).map((v) => v.aval)
  const constAvals = program.inputs.slice(0, numConsts).map((v) => v.aval)
  const nX = xAvals.length
  const avals = [...constAvals, ...carryAvals, ...Array.from({ length: k }, () => xAvals).flat()]
  return makeProgramFlat((ins) => {
    const consts = ins.slice(0, numConsts)
    let carry = ins.slice(numConsts, numConsts + numCarry)
    const ys: Array<Tensor> = []
    for (let j = 0; j < k; j++) {
      const start = numConsts + numCarry + j * nX
      const outs = evalProgram(program, program.consts, [...consts, ...carry, ...ins.slice(start, start + nX)])
      carry = outs.slice(0, numCarry)
      ys.push(...outs.slice(numCarry))
    }
    return [...carry, ...ys]
  }, avals)
})

/** Options of `lax.scan`. @since 0.1.0 */
export interface ScanOptions {
  /** The number of steps; required when `xs` has no leaves, else it must equal their leading size. */
  readonly length?: number | undefined
  /** Scan from the end of the xs to the start (the ys keep the xs' order). */
  readonly reverse?: boolean | undefined
  /**
   * JAX's loop-unrolling factor: each trip of the loop runs this many iterations
   * as one program (the body inlined; `true` unrolls fully); fewer, larger
   * kernels per trip, and the same values.
   */
  readonly unroll?: number | boolean | undefined
}

const isSignedInt = (d: string): boolean => d === "int32"

const describeAval = (a: AbstractValue): string => `${a.dtype}[${a.shape.join(",")}]`

// A leaf as a tensor: JS numbers are weak float32 scalars (JAX's Python scalars);
// booleans are bool scalars.
const leafTensor = (op: string, what: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  if (typeof u === "number") return new ConcreteTensor(aval([], "float32", true), Float32Array.of(u), undefined)
  if (typeof u === "boolean") return new ConcreteTensor(aval([], "bool"), Uint8Array.of(u ? 1 : 0), undefined)
  throw argumentError(op, what, "a pytree of Tensors (or JS numbers)", u)
}

// The name of `f`'s first parameter when it is a plain identifier (JAX names the carry by the
// body's signature: `the input carry component c[1]`), else undefined.
const carryName = (f: Function): string | undefined => {
  let src: string
  try {
    src = Function.prototype.toString.call(f)
  } catch {
    return undefined
  }
  const m = /^\s*(?:async\s*)?(?:function\b[^(]*)?\(\s*([A-Za-z_$][\w$]*)\s*[,)=]/.exec(src) ??
    /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src)
  return m?.[1]
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

// JAX's `_check_carry_type` on types (structures are checked while staging): every differing
// component, named by the body's carry parameter and its path, and why (core.aval_mismatch_extra).
const checkCarryTypes = (
  f: Function,
  init: unknown,
  inAvals: ReadonlyArray<AbstractValue>,
  outAvals: ReadonlyArray<AbstractValue>
): void => {
  const name = carryName(f)
  const component = (p: Tree.KeyPath) =>
    name !== undefined
      ? (p.length > 0 ? `the input carry component ${name}${Tree.keystr(p)}` : `the input carry ${name}`)
      : (p.length > 0 ? `the input carry at path ${Tree.keystr(p)}` : "the input carry")
  const [paths] = Tree.flattenWithPath(init)
  const diffs = inAvals.flatMap((a, i) => {
    const b = outAvals[i]!
    const why = [
      ...(a.dtype !== b.dtype ? ["the dtypes do not match"] : []),
      ...(a.shape.length !== b.shape.length || a.shape.some((d, k) => d !== b.shape[k])
        ? ["the shapes do not match"]
        : [])
    ]
    if (why.length === 0) return []
    return [
      `${component(paths[i]![0])} has type ${describeAval(a)} but the corresponding output carry component has ` +
      `type ${describeAval(b)}, so ${why.join(", and ")}`
    ]
  })
  if (diffs.length === 0) return
  const differences = diffs.length === 1
    ? `${capitalize(diffs[0]!)}.\n`
    : diffs.slice(0, -1).map((d) => `  * ${d};\n`).join("\n") + `  * ${diffs[diffs.length - 1]}.\n`
  throw new ShapeError({
    operation: "scan",
    detail: `scan body function carry input and carry output must have equal types, but they differ:\n\n` +
      `${differences}\nRevise the function so that all output types match the corresponding input types.`
  })
}

/**
 * Loops `f` over the leading axis of `xs`, threading a carry (JAX's
 * `lax.scan`): `f(carry, x)` returns `[newCarry, y]`; the result is the final
 * carry and the ys stacked along a new leading axis. `init`, `xs` and the ys
 * are pytrees (`null` for none, as JAX's `None`); the carry must keep its tree
 * structure, shapes and dtypes (JAX's check and message). The body is staged
 * once, so the loop runs as one primitive under every transformation:
 * `grad` through it runs a reverse scan, `vmap` batches its body, `jit`
 * compiles the body once.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // cumulative sum (JAX's documented example)
 * const [total, partial] = lax.scan((c: Tensor, x: Tensor) => {
 *   const s = lax.add(c, x)
 *   return [s, s]
 * }, np.array(0), np.array([1, 2, 3, 4]))
 * console.log(toJsSync([total, partial])) // [10, [1, 3, 6, 10]]
 *
 * @since 0.1.0
 */
export const scan = <C, X, Y>(
  f: (carry: C, x: X) => MaybeEffect<readonly [C, Y]>,
  init: C,
  xs: X,
  options?: ScanOptions
): [C, Y] => {
  if (typeof f !== "function") throw argumentError("scan", "f", "a function", f)
  checkKeys("scan", options, ["length", "reverse", "unroll"])
  const length = options?.length
  const reverse = options?.reverse ?? false
  const unroll = options?.unroll ?? 1
  if (length !== undefined && (!Number.isInteger(length) || length < 0)) {
    throw argumentError("scan", "length", "a non-negative integer", length)
  }
  // the step counter is an int32, as JAX's (2^31 steps or more would wrap)
  if (length !== undefined) checkInt32Bound("scan", "length", length)
  if (typeof reverse !== "boolean") throw argumentError("scan", "reverse", "a boolean", reverse)
  if (typeof unroll !== "boolean" && (!Number.isInteger(unroll) || unroll < 0)) {
    throw argumentError("scan", "unroll", "a non-negative integer or a boolean", unroll)
  }
  const [initLeaves, initDef] = Tree.flatten(init as unknown)
  const [xsLeaves, xsDef] = Tree.flatten(xs as unknown)
  let carry = initLeaves.map((u) => leafTensor("scan", "init", u))
  const xsT = xsLeaves.map((u) => leafTensor("scan", "xs", u))
  xsT.forEach((x) => {
    if (x.ndim === 0) {
      throw new ShapeError({
        operation: "scan",
        detail: "got a value with no leading axis to scan over: a rank-0 xs leaf"
      })
    }
  })
  const sizes = xsT.map((x) => x.shape[0]!)
  if (sizes.some((s) => s !== sizes[0])) {
    throw new ShapeError({
      operation: "scan",
      detail: `got values with different leading axis sizes: ${sizes.join(", ")}`
    })
  }
  if (length !== undefined && sizes.length > 0 && sizes[0] !== length) {
    throw new ShapeError({
      operation: "scan",
      detail: `got \`length\` argument of ${length} which disagrees with leading axis sizes [${sizes.join(", ")}].`
    })
  }
  if (length === undefined && sizes.length === 0) {
    throw new ShapeError({ operation: "scan", detail: "got no values to scan over and `length` not provided" })
  }
  const n = length ?? sizes[0]!
  const xAvals = xsT.map((x) => aval(x.shape.slice(1), x.dtype, x.weakType))
  let yDef: ReturnType<typeof Tree.structure> | undefined
  const stageBody = (carryAvals: ReadonlyArray<AbstractValue>) =>
    makeProgramFlat((ins) => {
      const c = Tree.unflatten<C>(initDef, ins.slice(0, carry.length))
      const x = Tree.unflatten<X>(xsDef, ins.slice(carry.length))
      const out = resolveOutput("scan", f(c, x))
      if (!Array.isArray(out) || out.length !== 2) {
        // (a cyclic array prints as "...", not a stack overflow)
        const seen = new Set<unknown>()
        const show = (u: unknown): string => {
          if (u instanceof Tensor && Tensor.isGenuine(u)) return describeAval(u.aval)
          if (Array.isArray(u)) {
            if (seen.has(u)) return "..."
            seen.add(u)
            return `(${u.map(show).join(", ")})`
          }
          return typeof u === "number" ? "float32[]" : describeValue(u)
        }
        throw new ControlFlowError({ operation: "scan", detail: `scan body output must be a pair, got ${show(out)}.` })
      }
      const [cLeaves, cDef] = Tree.flatten(out[0] as unknown)
      const [yLeaves, yd] = Tree.flatten(out[1] as unknown)
      yDef = yd
      if (!Tree.treedefEquals(cDef, initDef)) {
        throw new TreeStructureError({
          operation: "scan",
          path: "",
          detail: `scan body function carry input and carry output must have the same pytree structure, but they ` +
            `differ:\n\nthe input tree structure is:\n${String(initDef)}\nthe output tree structure is:\n` +
            `${String(cDef)}\n\nRevise the function so that the carry output has the same pytree structure as the ` +
            `carry input.`
        })
      }
      return [...cLeaves.map((u) => leafTensor("scan", "carry", u)), ...yLeaves.map((u) => leafTensor("scan", "y", u))]
    }, [...carryAvals, ...xAvals])
  let body = stageBody(carry.map((c) => c.aval))
  // JAX's _promote_weak_typed_input: a weakly typed init whose type differs from the body's carry
  // output is converted to the type promoting the two gives (strongly typed), and the body staged again
  const sameType = (a: AbstractValue, b: AbstractValue) =>
    a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k])
  const changed = carry.map((c, i) => c.weakType && !sameType(c.aval, body.outAvals[i]!))
  if (changed.some((b) => b)) {
    carry = carry.map((c, i) => {
      if (!changed[i]) return c
      const o = body.outAvals[i]!
      const dtype = c.dtype === "float0" || o.dtype === "float0"
        ? c.dtype
        : promote(c.dtype, true, o.dtype, o.weakType)[0]
      return bind1("convert_element_type", [c], { dtype, weakType: false })
    })
    body = stageBody(carry.map((c) => c.aval))
  }
  // JAX's carry type check (shapes and dtypes; weak types may differ).
  checkCarryTypes(f, init, carry.map((c) => c.aval), body.outAvals.slice(0, carry.length))
  const { hoisted, program } = hoistConsts(body)
  const outs = bind("scan", [...hoisted, ...carry, ...xsT], {
    program,
    length: n,
    reverse,
    numConsts: hoisted.length,
    numCarry: carry.length,
    unroll: typeof unroll === "boolean" ? (unroll ? Math.max(n, 1) : 1) : Math.max(unroll, 1)
  })
  // the final carry has the body's output types, weak types included (JAX's _scan_abstract_eval:
  // a weak init whose body gives a strong value ends strong, a body giving a JS number ends weak)
  const bodyOut = body.outAvals
  const carryOut = outs.slice(0, carry.length).map((c, i) =>
    c.weakType === bodyOut[i]!.weakType
      ? c
      : bind1("convert_element_type", [c], { dtype: c.dtype, weakType: bodyOut[i]!.weakType })
  )
  return [Tree.unflatten<C>(initDef, carryOut), Tree.unflatten<Y>(yDef!, outs.slice(carry.length))]
}

/**
 * `f` applied to each slice of `xs` along its leading axis, the results
 * stacked (JAX's `lax.map`): a scan without a carry, so the body is staged once.
 * `batchSize` (JAX's `batch_size`, a non-negative integer; 0 maps all at once) is checked and accepted;
 * JAX maps that many slices at a time with `vmap`, which core cannot reach (it
 * lives in @diffect/ad), so the map still takes one slice per step: the values
 * are the same.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * console.log(toJsSync(lax.map((row: Tensor) => lax.reduceSum(row, [0]), np.array([[1, 2], [3, 4]])))) // [3, 7]
 *
 * @since 0.1.0
 */
export const map = <X, Y>(
  f: (x: X) => MaybeEffect<Y>,
  xs: X,
  options?: { readonly batchSize?: number | undefined }
): Y => {
  if (typeof f !== "function") throw argumentError("map", "f", "a function", f)
  checkKeys("map", options, ["batchSize"])
  const batchSize = options?.batchSize
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 0)) {
    throw argumentError("map", "batchSize", "a non-negative integer", batchSize)
  }
  return scan((c: null, x: X) => [c, resolveOutput("map", f(x)) as Y] as const, null, xs)[1]
}

/** Options of `lax.foriLoop`. @since 0.1.0 */
export interface ForiLoopOptions {
  /**
   * JAX's `unroll`: with static bounds, the scan's unrolling factor (a
   * non-negative integer, or `true` for a full unroll); with traced bounds
   * only `false` or 1 are accepted (JAX's `ValueError`).
   */
  readonly unroll?: number | boolean | undefined
}

// A bound's value when it is concrete (a JS number, or a tensor whose value is known, through the
// tracers that know their primal: JAX's core.is_concrete), else undefined.
const concreteBound = (u: number | Tensor): number | undefined => {
  if (typeof u === "number") return u
  let x: Tensor | undefined = u
  while (x instanceof Tracer) x = x.concreteValue()
  if (x === undefined || x.ndim !== 0 || !isInteger(x.dtype)) return undefined
  return Number(toJsSync(x))
}

/**
 * `body(i, value)` for `i` from `lower` to `upper - 1`, threading `value`
 * (JAX's `lax.fori_loop`). With concrete bounds (JS numbers, or tensors whose
 * values are known) it is a scan of `upper - lower` steps (as JAX does), so it
 * is reverse-differentiable and takes `unroll`; `i` is then a weakly typed
 * int32 scalar (JAX's Python int), so the bounds must lie in the int32 range
 * (a `DTypeError` otherwise, as JAX's `OverflowError`). With a traced bound it
 * is a `whileLoop` (forward mode only, JAX's rule). The bounds must share a
 * dtype (a JS number takes the other bound's), JAX's `TypeError` otherwise.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // 1 + 2 + 3 + 4
 * const s = lax.foriLoop(1, 5, (i: Tensor, acc: Tensor) => lax.add(acc, lax.convertElementType(i, "float32")), np.array(0))
 * console.log(toJsSync(s)) // 10
 *
 * @since 0.1.0
 */
export const foriLoop = <V>(
  lower: number | Tensor,
  upper: number | Tensor,
  body: (i: Tensor, value: V) => MaybeEffect<V>,
  init: V,
  options?: ForiLoopOptions
): V => {
  checkKeys("foriLoop", options, ["unroll"])
  const unroll = options?.unroll
  if (unroll !== undefined && typeof unroll !== "boolean" && (!Number.isInteger(unroll) || unroll < 0)) {
    throw argumentError("foriLoop", "unroll", "a non-negative integer or a boolean", unroll)
  }
  for (const [name, u] of [["lower", lower], ["upper", upper]] as const) {
    if ((typeof u === "number" && !Number.isInteger(u)) || (typeof u !== "number" && !(u instanceof Tensor))) {
      throw argumentError("foriLoop", name, "an integer or an int32 scalar tensor", u)
    }
  }
  // JAX: the bounds share one dtype; a JS number (JAX's weakly typed Python int) takes a signed
  // integer tensor's
  const dtypeOf = (u: number | Tensor) => (typeof u === "number" ? "int32" : u.dtype)
  const weak = (u: number | Tensor) => typeof u === "number" || u.weakType
  const [dl, du] = [dtypeOf(lower), dtypeOf(upper)]
  if (dl !== du && !(isSignedInt(dl) && isSignedInt(du) && weak(lower) !== weak(upper))) {
    throw new ControlFlowError({
      operation: "foriLoop",
      detail: `lower and upper arguments to fori_loop must have equal types, got ${dl} and ${du}`
    })
  }
  const lo = lower instanceof Tensor ? concreteBound(lower) : lower
  const hi = upper instanceof Tensor ? concreteBound(upper) : upper
  // a traced (tensor) bound: a whileLoop (forward-mode differentiable only, as JAX)
  if (lo === undefined || hi === undefined) {
    if (unroll !== undefined && unroll !== false && unroll !== 1) {
      throw new ControlFlowError({
        operation: "foriLoop",
        detail: "Can only use `unroll` in `fori_loop` if the loop bounds are statically known."
      })
    }
    return foriLoopTraced(lower, upper, body, init) as unknown as V
  }
  if (typeof body !== "function") throw argumentError("foriLoop", "body", "a function", body)
  checkInt32Bound("foriLoop", "lower", lo)
  checkInt32Bound("foriLoop", "upper", hi)
  // the counter is JAX's Python int: a weakly typed int32
  const start = new ConcreteTensor(aval([], "int32", true), Int32Array.of(lo), undefined)
  const one = new ConcreteTensor(aval([], "int32", true), Int32Array.of(1), undefined)
  const [[, out]] = scan(
    ([i, v]: readonly [Tensor, V], _x: null) =>
      [[bind1("add", [i, one], {}), resolveOutput("foriLoop", body(i, v)) as V] as const, null] as const,
    [start, init] as const,
    null,
    { length: Math.max(hi - lo, 0), unroll: unroll ?? false }
  )
  return out
}
