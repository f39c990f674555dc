/**
 * Fused elementwise kernels in WebAssembly SIMD (f32x4 / f64x2), generated at
 * runtime by the emitter in `wasm.ts`: one module per kernel, all sharing one
 * scratch memory.
 *
 * A kernel streams its domain in chunks of `CHUNK` elements: the driver copies
 * each input's chunk into its slot of the scratch memory (`TypedArray.set` of a
 * contiguous run, a strided gather for broadcasts and other views, nothing for a
 * scalar, which the kernel splats into a register once), calls the module's
 * `run(bytes)`, and copies each output slot back. The slots stay in the L1/L2
 * cache, so the copies cost about a memcpy, and buffers stay ordinary typed
 * arrays (no allocator inside the wasm memory, whose growth would detach views).
 *
 * The kernel computes in the precision of its float type with IEEE rounding at
 * every operation: on float32 this is `Math.fround` after every step of the JS
 * code generator's `"strict"` mode, bit for bit (add, sub, mul, div and sqrt are
 * correctly rounded in both; floor, min, max, select and comparisons are exact;
 * `ldexp` rounds once, as `Math.fround` of the exact float64 product does). So a
 * small array computed by JS and a large one computed here agree exactly, and
 * a fused group equals its primitives run one at a time.
 *
 * What is compiled: groups whose every value is of one lane width (float32, with
 * int32 and uint32 in the same four lanes; or float64) or a mask (a comparison's,
 * or a bool input's, read as `x != 0`), with arithmetic, min/max, abs/neg/sqrt,
 * floor/ceil/round, sign, comparisons, select, isnan, casts between them, on
 * integers bitwise ops and shifts by a count the same in every lane, and on
 * float32 `ldexp` and `exponent` (the steps of Approximation.ts's
 * decompositions, so exp, log, tanh, ... run here once decomposed). Integer
 * lanes give the JS generator's `| 0` / `>>> 0` bits. Anything else (complex,
 * float64 transcendentals, rem, pow, integer division, mixed lane widths) is not
 * compiled: `compileSimd` returns `undefined` and the caller runs the JS loop.
 */
import type { DType } from "@diffect/core"
import { Kernel } from "@diffect/core"
import { countUses } from "./codegen.js"
import { keptScratch } from "./keptScratch.js"
import { leafSum, PAIRWISE_LEAF } from "./reduce.js"
import { type Pool, sharedMemoryAvailable, type SharedModule } from "./threads.js"
import { addTo, f64, type Func, i32, moduleBytes, op, simdOp, v128, whileBelow } from "./wasm.js"

type Expr = Kernel.Expr

/** The float type of a SIMD kernel. */
export type SimdFloat = "f32" | "f64"

/** How a kernel input is read: one value splatted, a contiguous run, or a strided view. */
export type SimdInput =
  | { readonly kind: "scalar"; readonly offset?: number }
  | { readonly kind: "flat"; readonly offset?: number }
  | {
    readonly kind: "strided"
    readonly strides: ReadonlyArray<number>
    readonly offset?: number
    /** Padding: positions outside the box (merged dimensions) read `fill` (a number or a scalar input). */
    readonly mask?: {
      readonly start: ReadonlyArray<number>
      readonly count: ReadonlyArray<number>
      readonly fill: number | { readonly input: number }
    }
  }

/**
 * A compiled kernel: reads `ins`, writes `outs[o][0..n)`; with a `pool` of more
 * than one thread and a domain above the kernel's threshold (`threadMin`), split
 * across its threads (the same bits).
 */
export type SimdLoop = (
  ins: ReadonlyArray<DType.HostArray>,
  outs: ReadonlyArray<DType.HostArray>,
  n: number,
  pool?: Pool
) => void

/** Elements per chunk (per slot of the scratch memory). */
export const CHUNK = 2048

/**
 * The fewest elements for which a kernel of these expressions runs in SIMD
 * rather than JS (both give the same bits): the SIMD call costs about 0.2 us,
 * a JS loop of a few operations about 0.5 ns per element, while a decomposed
 * transcendental (dozens of nodes, `Math.fround` at each) costs the JS loop
 * 50-100 ns per element (measured on the project's machine). So light kernels
 * run JS under 256 elements and one or two transcendentals under 8 (an eager
 * `tanh` of 4 elements: 0.36-0.53 us in JS, 0.67-0.95 us in SIMD). A kernel of
 * more than `HUGE_NODES` runs SIMD from one element: its JS loop was slower at
 * every size, and a long chain's JS function is too large for V8 to optimize
 * (128 chained sines of 4 elements: 994 us in JS against 5.6 us; the jitted
 * 200-step value and gradient of a scalar, 2.1 ms against 0.04 ms).
 */
export const simdMin = (outs: ReadonlyArray<Expr>): number => {
  const nodes = countUses(outs).size
  return nodes > HUGE_NODES ? 1 : nodes > 24 ? 8 : 256
}

/** Nodes past which a kernel runs SIMD at any size (two decomposed sines are 223 nodes, one 112). */
const HUGE_NODES = 200

class Unsupported extends Error {}

const isInt = (t: Kernel.ScalarType): boolean => t === "i32" || t === "u32"

/**
 * Kernels of more nodes than `HEAVY_NODES` (and at most `PAIRED_MAX_NODES`, which bounds the code
 * the copies add) compute two vectors per loop iteration (`emitBody`). Three or four ways were
 * measured too: tanh gains a little more, sin loses (its registers spill).
 */
const HEAVY_NODES = 24
const PAIRED_MAX_NODES = 600

/** Whether a kernel of `outs` computes two vectors per iteration (exported for tests). */
export const pairedKernel = (outs: ReadonlyArray<Expr>): boolean => pairs(countUses(outs).size)

const pairs = (nodes: number): boolean => nodes > HEAVY_NODES && nodes <= PAIRED_MAX_NODES

/** How many locals the kernel of `outs` declares (for tests: dead values' locals are reused). */
export const kernelLocals = (float: SimdFloat, inputs: ReadonlyArray<SimdInput>, outs: ReadonlyArray<Expr>): number =>
  emitBody(float, inputs, outs, CHUNK * (float === "f32" ? 4 : 8)).locals.length

const f32Bytes = (values: ReadonlyArray<number>): Array<number> => [...new Uint8Array(new Float32Array(values).buffer)]
const f64Bytes = (values: ReadonlyArray<number>): Array<number> => [...new Uint8Array(new Float64Array(values).buffer)]
const i32Bytes = (values: ReadonlyArray<number>): Array<number> => [...new Uint8Array(new Int32Array(values).buffer)]

/**
 * `emitBody`, or, when a node it cut cannot be emitted on its own (`Unsupported`), the body without
 * cuts, as before they existed: a deep kernel then runs as it did, never falls back to JS for them.
 */
const emitBodyOrUncut = (
  float: SimdFloat,
  inputs: ReadonlyArray<SimdInput>,
  outs: ReadonlyArray<Expr>,
  slotBytes: number
): ReturnType<typeof emitBody> => {
  try {
    return emitBody(float, inputs, outs, slotBytes)
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e
    return emitBody(float, inputs, outs, slotBytes, false)
  }
}

/** Levels an expression is emitted inline before a node is computed into a local first. */
const MAX_INLINE_DEPTH = 64

/**
 * The body of `run(bytes)`: every output expression per 16-byte vector, for
 * byte offsets `i` in `[0, bytes)` of each slot (`slotBytes` apart; scalars
 * after the slots, 16 bytes each).
 */
const emitBody = (
  float: SimdFloat,
  inputs: ReadonlyArray<SimdInput>,
  outs: ReadonlyArray<Expr>,
  slotBytes: number,
  cutDeep = true
): {
  readonly body: Array<number>
  readonly locals: Array<number>
  readonly imports: ReadonlyArray<NativeMath>
  /** The expressions' nodes (their DAG's). */
  readonly nodes: number
} => {
  const F = simdOp[float]
  const isF32 = float === "f32"
  // every mask selected on is a comparison's (lanes all ones or all zeros): a lane select
  const relaxed = relaxedKernels()
  const laneSelect = relaxed ? simdOp.i32x4RelaxedLaneselect : simdOp.v128Bitselect
  // pow2's exponents are integral and in [-126, 127], or NaN in lanes whose result is replaced
  const truncate = relaxed ? simdOp.i32x4RelaxedTruncF32x4S : simdOp.i32x4TruncSatF32x4S
  // (a fused chain repeats its decompositions' constants thousands of times; -0 is a key of its own)
  const constants = new Map<number | string, ReadonlyArray<number>>()
  const splatConst = (v: number): ReadonlyArray<number> => {
    const key = Object.is(v, -0) ? "-0" : v
    let bytes = constants.get(key)
    if (bytes === undefined) {
      bytes = simdOp.v128Const(isF32 ? f32Bytes(Array(4).fill(v)) : f64Bytes(Array(2).fill(v)))
      constants.set(key, bytes)
    }
    return bytes
  }
  const maskConst = (on: boolean): Array<number> => simdOp.v128Const(Array(16).fill(on ? 0xff : 0))
  const i32Splat = (v: number): Array<number> => simdOp.v128Const(i32Bytes(Array(4).fill(v)))
  // int32 and uint32 values share float32's four lanes (their bits as they are in memory)
  const laneType = (t: Kernel.ScalarType): boolean => t === float || t === "bool" || (isF32 && isInt(t))
  // local 0: the byte count (parameter); 1: the byte offset i; then v128 locals
  const locals: Array<number> = [i32]
  const newLocal = (): number => {
    locals.push(v128)
    return locals.length
  }
  const uses = countUses(outs)
  // Locals are reused once their values are dead: a fused chain of thousands of nodes kept one
  // local per named value (6,800 for B2's chain), and V8's compile time grows with locals times
  // branches (each merge of an `if` visits every local). A named value's local is free after its
  // last read; a local a helper holds (`local`, its temporaries) stays until the node it computes
  // is emitted. Input locals are never reused: their loads run at the top of the iteration.
  const free: Array<number> = []
  const isFree = new Set<number>()
  const reads = new Map<number, number>()
  const holders = new Map<number, number>()
  const frames: Array<Array<number>> = []
  const release = (l: number): void => {
    if ((reads.get(l) ?? 0) === 0 && (holders.get(l) ?? 0) === 0 && !isFree.has(l)) {
      isFree.add(l)
      free.push(l)
    }
  }
  const take = (): number => {
    const l = free.pop()
    if (l === undefined) return newLocal()
    isFree.delete(l)
    return l
  }
  /** A local the node being emitted holds until it is done (a temporary, or a value it reads twice). */
  const hold = (l: number): number => {
    holders.set(l, (holders.get(l) ?? 0) + 1)
    frames[frames.length - 1]!.push(l)
    return l
  }
  const readNamed = (l: number): void => {
    reads.set(l, reads.get(l)! - 1)
  }
  const pre: Array<number> = []
  // per copy of the expressions (see `copy` below): the input loads, their locals, the named values
  // and the byte shift of the vector it computes
  let top: Array<number> = []
  let inputLocal = new Map<number, number>()
  let named = new Map<Expr, number>()
  let shift = 0
  const scalarLocal = new Map<number, number>()
  const slotOf = (k: number): number => k * slotBytes
  const scalarAt = (k: number): number => (inputs.length + outs.length) * slotBytes + 16 * k

  // A bool input's slot holds 0 and 1 in the float type (the driver's copy converts them); the
  // kernel reads it as a lane mask, `x != 0`.
  const readInput = (k: number, isBool: boolean): number => {
    const input = inputs[k]!
    const cache = input.kind === "scalar" ? scalarLocal : inputLocal
    let l = cache.get(k)
    if (l !== undefined) return l
    l = newLocal()
    cache.set(k, l)
    const mask = isBool ? [...splatConst(0), ...F.ne] : []
    if (input.kind === "scalar") {
      pre.push(
        ...op.i32Const(0),
        ...(isF32 ? op.v128Load32Splat : op.v128Load64Splat)(scalarAt(k)),
        ...mask,
        ...op.set(l)
      )
    } else {
      top.push(...op.get(1), ...op.v128Load(slotOf(k) + shift), ...mask, ...op.set(l))
    }
    return l
  }
  const inputType = (e: Expr & { readonly kind: "input" }): boolean => {
    if (e.lane !== 0 || !laneType(e.type)) throw new Unsupported()
    return e.type === "bool"
  }

  /** A local holding `e` (emitted now if it has none). */
  const local = (e: Expr, out: Array<number>): number => {
    if (e.kind === "input") return readInput(e.index, inputType(e))
    const known = named.get(e)
    if (known !== undefined) {
      readNamed(known)
      return hold(known)
    }
    emit(e, out)
    const again = named.get(e)
    if (again !== undefined) {
      // emit left a copy on the stack (local.tee)
      out.push(0x1a)
      return hold(again)
    }
    const l = hold(take())
    out.push(...op.set(l))
    return l
  }

  const check = (e: Expr): void => {
    if (!laneType(e.type)) throw new Unsupported()
  }

  /**
   * `2^s` for an integral float vector `s` in [-126, 127] (f32 only): its bit pattern. A NaN lane
   * gives some pattern (0 or the engine's), which `ldexp` replaces.
   */
  const pow2 = (s: number, out: Array<number>): void => {
    out.push(
      ...op.get(s),
      ...truncate,
      ...i32Splat(127),
      ...simdOp.i32x4Add,
      ...op.i32Const(23),
      ...simdOp.i32x4Shl
    )
  }

  /**
   * `x * 2^n` rounded once (musl's scalbnf without branches): up to two steps of
   * 2^127 or 2^-102 bring n into [-126, 127]; after a 2^-102 step the final factor
   * is below 2^-24, so a subnormal intermediate only ever rounds a result that
   * underflows to zero anyway.
   */
  const ldexp = (x: Expr, n: Expr, out: Array<number>): void => {
    const n0 = local(n, out)
    const x0 = local(x, out)
    // fast path, when every lane's n is in [-126, 127] (NaN is not): one multiplication by 2^n
    out.push(
      ...op.get(n0),
      ...splatConst(-126),
      ...F.ge,
      ...op.get(n0),
      ...splatConst(127),
      ...F.le,
      ...simdOp.v128And,
      ...simdOp.i32x4AllTrue,
      ...simdOp.ifV128,
      ...op.get(x0)
    )
    pow2(n0, out)
    out.push(...F.mul, ...simdOp.else)
    const y = hold(take())
    const m = hold(take())
    const s = hold(take())
    out.push(...op.get(x0), ...op.set(y), ...op.get(n0), ...op.set(m))
    for (let step = 0; step < 2; step++) {
      // s = n > 127 ? 127 : n < -126 ? -102 : 0
      out.push(
        ...splatConst(127),
        ...splatConst(-102),
        ...splatConst(0),
        ...op.get(m),
        ...splatConst(-126),
        ...F.lt,
        ...laneSelect,
        ...op.get(m),
        ...splatConst(127),
        ...F.gt,
        ...laneSelect,
        ...op.set(s)
      )
      out.push(...op.get(y))
      pow2(s, out)
      out.push(...F.mul, ...op.set(y), ...op.get(m), ...op.get(s), ...F.sub, ...op.set(m))
    }
    out.push(...splatConst(-126), ...op.get(m), ...splatConst(127), ...F.min, ...F.max, ...op.set(s))
    out.push(...op.get(y))
    pow2(s, out)
    out.push(...F.mul)
    // a NaN exponent gives NaN (as the JS helper's x * 2^NaN)
    out.push(...op.get(n0), ...op.get(n0), ...op.get(n0), ...F.eq, ...laneSelect, ...op.end)
  }

  /** The exponent e of x, 2^e <= |x| < 2^(e+1), as a float; 0 for zeros, infinities and NaN (f32). */
  const exponent = (x: Expr, out: Array<number>): void => {
    const a = hold(take())
    const sub = hold(take())
    out.push(...op.get(local(x, out)), ...F.abs, ...op.tee(a), ...splatConst(2 ** -126), ...F.lt, ...op.set(sub))
    out.push(
      // bitselect(0, e, zeros | infinities | NaN)
      ...splatConst(0),
      // biased exponent of |x| (scaled by 2^24 when subnormal)
      ...op.get(a),
      ...splatConst(2 ** 24),
      ...F.mul,
      ...op.get(a),
      ...op.get(sub),
      ...laneSelect,
      ...op.i32Const(23),
      ...simdOp.i32x4ShrU,
      ...i32Splat(127),
      ...simdOp.i32x4Sub,
      ...simdOp.f32x4ConvertI32x4S,
      ...splatConst(24),
      ...splatConst(0),
      ...op.get(sub),
      ...laneSelect,
      ...F.sub,
      // zeros, infinities and NaN give 0
      ...op.get(a),
      ...splatConst(0),
      ...F.eq,
      ...op.get(a),
      ...splatConst(Infinity),
      ...F.eq,
      ...simdOp.v128Or,
      ...op.get(a),
      ...op.get(a),
      ...F.ne,
      ...simdOp.v128Or,
      ...laneSelect
    )
  }

  /** Imported `Math` functions, in import order (their function indices). */
  const imports: Array<NativeMath> = []
  /**
   * `select(cond, a, native(x))` where `native` is a float32 op computed by
   * `Math` (the hybrid sin and cos): a vector whose lanes all take `a` costs
   * nothing more; otherwise each lane of `native(x)` is `Math.<op>` of the lane
   * widened to f64, rounded back (`f32.demote_f64`: `Math.fround`'s rounding).
   * Everything read in either branch is computed before it.
   */
  const nativeFallback = (cond: Expr, a: Expr, native: Kernel.Unary, out: Array<number>): void => {
    const c = local(cond, out)
    const t = local(a, out)
    const x = local(native.x, out)
    let fn = imports.indexOf(native.op as NativeMath)
    if (fn < 0) fn = imports.push(native.op as NativeMath) - 1
    out.push(...op.get(c), ...simdOp.i32x4AllTrue, ...simdOp.ifV128, ...op.get(t), ...simdOp.else)
    out.push(...op.get(t), ...op.get(x))
    for (let lane = 0; lane < 4; lane++) {
      out.push(
        ...op.get(x),
        ...simdOp.f32x4ExtractLane(lane),
        ...simdOp.f64PromoteF32,
        ...simdOp.call(fn),
        ...simdOp.f32DemoteF64,
        ...simdOp.f32x4ReplaceLane(lane)
      )
    }
    out.push(...op.get(c), ...laneSelect, ...op.end)
  }

  // Integer lanes compute what the JS code generator's `| 0` and `>>> 0` arithmetic does, bit for
  // bit (codegen.ts): wrapping add, sub and mul, two's-complement bits for both types, signed or
  // unsigned comparisons, min and max, and saturating float conversions (`f2i`, `f2u`).
  const I = simdOp.i32x4

  /** `from` -> `to` where one of them is an integer type (the other 32-bit or bool). */
  const intCast = (from: Kernel.ScalarType, to: Kernel.ScalarType, x: Expr, out: Array<number>): void => {
    emit(x, out)
    if (isInt(from) && isInt(to)) return
    if (from === "bool") out.push(...i32Splat(1), ...simdOp.v128And)
    else if (to === "bool") out.push(...i32Splat(0), ...I.ne)
    else if (to === "f32") out.push(...(from === "u32" ? I.toF32U : I.toF32S))
    else if (from === "f32") out.push(...(to === "u32" ? I.truncSatF32x4U : I.truncSatF32x4S))
    else throw new Unsupported()
  }

  const intUnary = (e: Kernel.Unary, out: Array<number>): void => {
    const unsigned = e.type === "u32"
    switch (e.op) {
      case "neg":
        emit(e.x, out)
        out.push(...I.neg)
        return
      case "not":
        emit(e.x, out)
        out.push(...simdOp.v128Not)
        return
      case "abs":
        emit(e.x, out)
        if (!unsigned) out.push(...I.abs)
        return
      case "floor":
      case "ceil":
      case "round":
      case "barrier":
        emit(e.x, out)
        return
      case "sign": {
        // u32: x != 0; i32: (x < 0) - (x > 0) as masks (-1 where true)
        const x = local(e.x, out)
        if (unsigned) {
          out.push(...op.get(x), ...i32Splat(0), ...I.ne, ...i32Splat(1), ...simdOp.v128And)
          return
        }
        out.push(...op.get(x), ...i32Splat(0), ...I.ltS, ...op.get(x), ...i32Splat(0), ...I.gtS, ...I.sub)
        return
      }
      default:
        throw new Unsupported()
    }
  }

  // Whether `e` is the same in every lane: built from constants and scalar inputs only.
  const uniformNodes = new Map<Expr, boolean>()
  const uniform = (e: Expr): boolean => {
    let u = uniformNodes.get(e)
    if (u === undefined) {
      switch (e.kind) {
        case "const":
          u = true
          break
        case "input":
          u = inputs[e.index]?.kind === "scalar"
          break
        case "unary":
        case "cast":
          u = uniform(e.x)
          break
        case "binary":
          u = uniform(e.x) && uniform(e.y)
          break
        case "select":
          u = uniform(e.cond) && uniform(e.onTrue) && uniform(e.onFalse)
      }
      uniformNodes.set(e, u)
    }
    return u
  }

  const intComparisons = {
    eq: [I.eq, I.eq],
    ne: [I.ne, I.ne],
    lt: [I.ltS, I.ltU],
    le: [I.leS, I.leU],
    gt: [I.gtS, I.gtU],
    ge: [I.geS, I.geU]
  } as const

  /**
   * A shift by `y`, which must be the same in every lane (built from constants and scalar inputs:
   * a counter-based generator's rotations, `32 - r`); counts of 32 and more (unsigned) shift everything out
   * (`shra`: by 31), where wasm would take them mod 32.
   */
  const intShift = (e: Kernel.Binary, out: Array<number>): void => {
    const y = e.y
    if (!uniform(y)) throw new Unsupported()
    const shift = e.op === "shl" ? I.shl : e.op === "shrl" ? I.shrU : I.shrS
    if (y.kind === "const") {
      const count = y.value >>> 0
      if (count >= 32 && e.op !== "shra") {
        out.push(...i32Splat(0))
        return
      }
      emit(e.x, out)
      out.push(...op.i32Const(Math.min(count, 31)), ...shift)
      return
    }
    const count = local(y, out)
    const small = hold(take())
    // whether the count is under 32 (unsigned), as a lane mask; the count itself as an i32
    out.push(...op.get(count), ...i32Splat(32), ...I.ltU, ...op.set(small))
    emit(e.x, out)
    out.push(...op.get(count), ...I.extractLane(0))
    if (e.op === "shra") {
      // by min(count, 31) (unsigned)
      out.push(...op.i32Const(31), ...op.get(count), ...I.extractLane(0), ...op.i32Const(31), ...simdOp.i32LtU)
      out.push(...op.select, ...shift)
      return
    }
    out.push(...shift, ...i32Splat(0), ...op.get(small), ...laneSelect)
  }

  /** The instruction of a non-shift binary op on integer lanes (`Unsupported`: division, remainder, power). */
  const intInstruction = (op: Kernel.BinaryOp, unsigned: boolean): ReadonlyArray<number> => {
    const cmp = intComparisons[op as keyof typeof intComparisons]
    if (cmp !== undefined) return cmp[unsigned ? 1 : 0]
    switch (op) {
      case "add":
      case "sub":
      case "mul":
        return I[op]
      case "and":
        return simdOp.v128And
      case "or":
        return simdOp.v128Or
      case "xor":
        return simdOp.v128Xor
      case "min":
        return unsigned ? I.minU : I.minS
      case "max":
        return unsigned ? I.maxU : I.maxS
      default:
        throw new Unsupported()
    }
  }

  const intBinary = (e: Kernel.Binary, out: Array<number>): void => {
    if (e.op === "shl" || e.op === "shrl" || e.op === "shra") {
      intShift(e, out)
      return
    }
    const instruction = intInstruction(e.op, e.x.type === "u32")
    emit(e.x, out)
    emit(e.y, out)
    out.push(...instruction)
  }

  /** Emits node `e`, then lets go of the locals it held while it was emitted. */
  const emitHeld = (e: Expr, out: Array<number>): void => {
    frames.push([])
    emitNode(e, out)
    for (const l of frames.pop()!) {
      holders.set(l, holders.get(l)! - 1)
      release(l)
    }
  }

  const emit = (e: Expr, out: Array<number>): void => {
    const known = named.get(e)
    if (known !== undefined) {
      out.push(...op.get(known))
      readNamed(known)
      release(known)
      return
    }
    if (e.kind === "input" || e.kind === "const") {
      // (never named: an input has its local, a constant is one instruction)
      emitNode(e, out)
      return
    }
    emitHeld(e, out)
    if ((uses.get(e) ?? 0) > 1) {
      const l = take()
      out.push(...op.tee(l))
      named.set(e, l)
      reads.set(l, uses.get(e)! - 1)
    }
  }

  const emitNode = (e: Expr, out: Array<number>): void => {
    check(e)
    switch (e.kind) {
      case "input": {
        out.push(...op.get(readInput(e.index, inputType(e))))
        return
      }
      case "const":
        out.push(
          ...(e.type === "bool" ? maskConst(e.value !== 0) : isInt(e.type) ? i32Splat(e.value) : splatConst(e.value))
        )
        return
      case "unary":
        unary(e, out)
        break
      case "binary":
        binary(e, out)
        break
      case "select":
        check(e.cond)
        if (isF32 && isNativeMath(e.onFalse) && (uses.get(e.onFalse) ?? 0) === 1) {
          nativeFallback(e.cond, e.onTrue, e.onFalse, out)
          break
        }
        emit(e.onTrue, out)
        emit(e.onFalse, out)
        emit(e.cond, out)
        out.push(...laneSelect)
        break
      case "cast": {
        const from = e.x.type
        if (from === e.type) {
          emit(e.x, out)
        } else if (isInt(from) || isInt(e.type)) {
          intCast(from, e.type, e.x, out)
        } else if (from === "bool" && e.type === float) {
          emit(e.x, out)
          out.push(...splatConst(1), ...simdOp.v128And)
        } else if (from === float && e.type === "bool") {
          emit(e.x, out)
          out.push(...splatConst(0), ...F.ne)
        } else {
          throw new Unsupported()
        }
        break
      }
    }
  }

  const unary = (e: Kernel.Unary, out: Array<number>): void => {
    check(e.x)
    if (isInt(e.x.type)) {
      intUnary(e, out)
      return
    }
    if (e.x.type === "bool") {
      if (e.op !== "not") throw new Unsupported()
      emit(e.x, out)
      out.push(...simdOp.v128Not)
      return
    }
    switch (e.op) {
      case "neg":
      case "abs":
      case "sqrt":
      case "floor":
      case "ceil":
        emit(e.x, out)
        out.push(...F[e.op])
        return
      case "round":
        emit(e.x, out)
        out.push(...F.nearest)
        return
      case "barrier":
        // (V8 does not reassociate floats: the value as it is)
        emit(e.x, out)
        return
      case "isnan": {
        const x = local(e.x, out)
        out.push(...op.get(x), ...op.get(x), ...F.ne)
        return
      }
      case "sign": {
        // 1 where x > 0, -1 where x < 0, else x itself (+-0 and NaN)
        const x = local(e.x, out)
        out.push(
          ...splatConst(1),
          ...splatConst(-1),
          ...op.get(x),
          ...op.get(x),
          ...splatConst(0),
          ...F.lt,
          ...laneSelect,
          ...op.get(x),
          ...splatConst(0),
          ...F.gt,
          ...laneSelect
        )
        return
      }
      case "exponent":
        if (!isF32) throw new Unsupported()
        exponent(e.x, out)
        return
      default:
        throw new Unsupported()
    }
  }

  const binary = (e: Kernel.Binary, out: Array<number>): void => {
    check(e.x)
    check(e.y)
    if (isInt(e.x.type)) {
      intBinary(e, out)
      return
    }
    if (e.x.type === "bool") {
      emit(e.x, out)
      emit(e.y, out)
      switch (e.op) {
        case "and":
          out.push(...simdOp.v128And)
          return
        case "or":
          out.push(...simdOp.v128Or)
          return
        case "xor":
        case "ne":
          out.push(...simdOp.v128Xor)
          return
        case "eq":
          out.push(...simdOp.v128Xor, ...simdOp.v128Not)
          return
        default:
          throw new Unsupported()
      }
    }
    if ((e.op === "max" || e.op === "min") && (e.x.kind === "const" || e.y.kind === "const")) {
      const [c, other] = e.y.kind === "const" ? [e.y, e.x] : [e.x, e.y]
      const value = (c as Kernel.Expr & { readonly kind: "const" }).value
      // Against a constant, pmax/pmin (one instruction each, where f32x4.max's NaN and signed-zero
      // rules cost several on x86) give max/min's bits: pmax(x, c) = x < c ? c : x keeps a NaN x,
      // and only a zero c can tie with a zero x of the other sign: max(x, -0) and min(x, +0)
      // keep x's, which is right; max(x, +0) adds +0 to turn a kept -0 into +0 (and changes
      // nothing else); min(x, -0) takes the general instruction.
      const plusZero = Object.is(value, 0)
      if (!Number.isNaN(value) && !(e.op === "min" && Object.is(value, -0))) {
        emit(other, out)
        emit(c, out)
        out.push(...(e.op === "max" ? F.pmax : F.pmin))
        if (e.op === "max" && plusZero) out.push(...splatConst(0), ...F.add)
        return
      }
    }
    switch (e.op) {
      case "add":
      case "sub":
      case "mul":
      case "div":
      case "min":
      case "max":
      case "eq":
      case "ne":
      case "lt":
      case "le":
      case "gt":
      case "ge":
        emit(e.x, out)
        emit(e.y, out)
        out.push(...F[e.op])
        return
      case "ldexp":
        if (!isF32) throw new Unsupported()
        ldexp(e.x, e.y, out)
        return
      default:
        throw new Unsupported()
    }
  }

  // `emit` recurses once per level of an expression: a node deeper than MAX_INLINE_DEPTH levels
  // below its nearest cut is computed into a local first, its cuts before it (a chain of 2,048 adds
  // in one group overflowed the JS stack). Found iteratively, in an order where children come first.
  const cuts: Array<Expr> = []
  if (cutDeep) {
    const depth = new Map<Expr, number>()
    const stack: Array<readonly [Expr, boolean]> = outs.map((e) => [e, false] as const)
    while (stack.length > 0) {
      const [e, visited] = stack.pop()!
      if (depth.has(e)) continue
      const children = Kernel.children(e)
      if (!visited) {
        stack.push([e, true])
        for (const c of children) if (!depth.has(c)) stack.push([c, false])
        continue
      }
      let d = 1
      for (const c of children) d = Math.max(d, depth.get(c)! + 1)
      // (a native fallback's call is emitted only by its select: its parent is cut instead)
      if (d > MAX_INLINE_DEPTH && e.kind !== "input" && e.kind !== "const" && !isNativeMath(e)) {
        cuts.push(e)
        d = 1
      }
      depth.set(e, d)
    }
  }
  /** Computes a cut node into a local that its readers read (every use still to come). */
  const emitCut = (e: Expr, out: Array<number>): void => {
    emitHeld(e, out)
    const l = take()
    out.push(...op.set(l))
    named.set(e, l)
    reads.set(l, uses.get(e) ?? 1)
  }

  /** The expressions over the vector `at` bytes past offset i: its loads, then its computation. */
  const copy = (at: number): readonly [loads: Array<number>, work: Array<number>] => {
    top = []
    inputLocal = new Map()
    named = new Map()
    shift = at
    const work: Array<number> = []
    for (const e of cuts) emitCut(e, work)
    outs.forEach((e, o) => {
      work.push(...op.get(1))
      emit(e, work)
      work.push(...op.v128Store(slotOf(inputs.length + o) + at))
    })
    return [top, work]
  }
  const step = (bytes: number): Array<number> => [...op.get(1), ...op.i32Const(bytes), ...op.i32Add]
  // A heavy kernel (a decomposed transcendental: one long dependency chain per vector) computes two
  // vectors per iteration, both loaded first: the second chain fills the pipelines while the first
  // waits on its latencies (128 x 256 float32 values: tanh 69 -> 59 us, log 83 -> 72, sin 91 -> 73,
  // exp 37 -> 36). A vector left over runs alone. A light kernel is bound by memory: one vector per
  // iteration. Every copy computes the same operations, so the bits do not change.
  const ways = pairs(uses.size) ? 2 : 1
  const next = (bytes: number): Array<number> => [...step(bytes), ...op.set(1)]
  const parts = Array.from({ length: ways }, (_, w) => copy(16 * w))
  // (concat, not spreads: a fused chain's body can be megabytes)
  const wide = ways === 1 ? [] : ([] as Array<number>).concat(
    op.block,
    op.loop,
    step(16 * ways),
    op.get(0),
    op.i32GtU,
    op.brIf(1),
    ...parts.map(([loads]) => loads),
    ...parts.map(([, work]) => work),
    next(16 * ways),
    simdOp.br(0),
    op.end,
    op.end
  )
  // the vector left over runs the first copy's code again (the same offsets and locals)
  const [loads, work] = parts[0]!
  const body = ways === 1
    ? pre.concat(op.loop, loads, work, next(16), op.get(1), op.get(0), simdOp.i32LtU, op.brIf(0), op.end)
    : pre.concat(
      wide,
      op.block,
      op.loop,
      op.get(1),
      op.get(0),
      simdOp.i32GeU,
      op.brIf(1),
      loads,
      work,
      next(16),
      simdOp.br(0),
      op.end,
      op.end
    )
  return { body, locals, imports, nodes: uses.size }
}

/** The float32 ops a kernel may compute with `Math` in a select's fallback branch. */
const nativeMath = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log"] as const
type NativeMath = (typeof nativeMath)[number]

const isNativeMath = (e: Expr): e is Kernel.Unary & { readonly op: NativeMath } =>
  e.kind === "unary" && e.type === "f32" && (nativeMath as ReadonlyArray<string>).includes(e.op)

// One scratch memory for every kernel (JS runs one kernel at a time); grown, never shrunk.
let memory: WebAssembly.Memory | undefined
let f32View = new Float32Array(0)
let f64View = new Float64Array(0)
let i32View = new Int32Array(0)
let u32View = new Uint32Array(0)

const scratch = (bytes: number): WebAssembly.Memory => {
  memory ??= new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) })
  const have = memory.buffer.byteLength
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536))
  if (f32View.buffer !== memory.buffer) {
    f32View = new Float32Array(memory.buffer)
    f64View = new Float64Array(memory.buffer)
    i32View = new Int32Array(memory.buffer)
    u32View = new Uint32Array(memory.buffer)
  }
  return memory
}

let relaxedAllowed = true
let relaxedValid: boolean | undefined

/**
 * Whether kernels use relaxed SIMD (where the engine validates it and it is allowed) for two
 * instructions whose relaxed form gives the same bits on every input the kernels give them:
 * - `i32x4.relaxed_laneselect` for selects: the kernels select only on comparisons' masks (lanes
 *   all ones or all zeros), where it is the bitwise select; on x86 one blend instead of
 *   `v128.bitselect`'s three instructions, which makes the select-heavy decompositions (exp,
 *   tanh, ...) about 10% faster;
 * - `i32x4.relaxed_trunc_f32x4_s` for `ldexp`'s powers of two, whose exponents are integers in
 *   [-126, 127] (a NaN lane's result is replaced): one instruction where the saturating
 *   truncation takes five.
 */
export const relaxedKernels = (): boolean => {
  if (!relaxedAllowed) return false
  if (relaxedValid === undefined) {
    try {
      relaxedValid = simdAvailable() && WebAssembly.validate(
        moduleBytes([{
          name: "f",
          params: [],
          locals: [v128],
          body: [
            ...op.get(0),
            ...op.get(0),
            ...op.get(0),
            ...simdOp.i32x4RelaxedLaneselect,
            ...simdOp.i32x4RelaxedTruncF32x4S,
            0x1a
          ]
        }])
      )
    } catch {
      relaxedValid = false
    }
  }
  return relaxedValid
}

/**
 * Allows (`true`, the default) or forbids relaxed SIMD in kernels compiled from now on; returns
 * whether it is now in use. For tests (both forms give the same bits) and benchmarks.
 */
export const setRelaxedKernels = (on: boolean): boolean => {
  relaxedAllowed = on
  return relaxedKernels()
}

let available: boolean | undefined
/** Whether this engine runs WebAssembly SIMD (a one-instruction probe module). */
export const simdAvailable = (): boolean => {
  if (available === undefined) {
    try {
      available = typeof WebAssembly === "object" &&
        WebAssembly.validate(
          moduleBytes([{
            name: "f",
            params: [],
            locals: [v128],
            body: [...op.get(0), ...op.get(0), ...simdOp.f32.add, 0x1a]
          }])
        )
    } catch {
      available = false
    }
  }
  return available
}

/** A view of a kernel's memory: its float type's, or an integer input's or output's own. */
type LaneView = Float32Array | Float64Array | Int32Array | Uint32Array

/**
 * The view through which `array` is copied into or out of the memory: an int32 or uint32 array's
 * own type (its bits as they are), else the kernel's float view (bools become 0 and 1).
 */
const laneView = (array: DType.HostArray, view: LaneView, i32: Int32Array, u32: Uint32Array): LaneView =>
  array instanceof Int32Array ? i32 : array instanceof Uint32Array ? u32 : view

/**
 * Runs shorter than this are copied element by element: a `subarray` and a `set` (or a `fill`)
 * cost more than the loop for them (a 128 x 10 row broadcast: 128 calls per chunk).
 */
const SHORT_RUN = 16

/**
 * Copies elements `[start, start + len)` of a strided view (merged `shape`,
 * `strides`, element `base` at index 0) of `src` into `dst` from `at`: runs along the last dimension are
 * `set` (stride 1), `fill` (stride 0) or copied one by one; with a `mask`, positions outside its
 * box are `fill`.
 */
const copyRun = (
  src: DType.HostArray,
  off: number,
  step: number,
  dst: LaneView,
  at: number,
  run: number
): void => {
  if (run < SHORT_RUN) {
    for (let j = 0; j < run; j++) dst[at + j] = src[off + j * step]!
  } else if (step === 1) dst.set(src.subarray(off, off + run), at)
  else if (step === 0) dst.fill(src[off]!, at, at + run)
  else for (let j = 0; j < run; j++) dst[at + j] = src[off + j * step]!
}

/**
 * `gather` of a two-dimensional view without a mask (most broadcasts: a row or a column repeated),
 * row by row without the general index carry (a jitted `exp(x - m[:, None]).sum(1)` on 128 x 10:
 * 8.7 -> 6.2 us per call at best, 11.7 -> 7.6 in the median).
 */
const gatherRows = (
  src: DType.HostArray,
  inner: number,
  rowStride: number,
  step: number,
  base: number,
  start: number,
  len: number,
  dst: LaneView,
  at: number
): void => {
  const row = Math.floor(start / inner)
  let col = start - row * inner
  let rowOff = base + row * rowStride
  const end = at + len
  while (at < end) {
    const run = Math.min(inner - col, end - at)
    const off = rowOff + col * step
    if (step === 0 && run < SHORT_RUN) {
      const v = src[off]!
      for (let j = 0; j < run; j++) dst[at + j] = v
    } else copyRun(src, off, step, dst, at, run)
    at += run
    col = 0
    rowOff += rowStride
  }
}

const gather = (
  src: DType.HostArray,
  shape: ReadonlyArray<number>,
  strides: ReadonlyArray<number>,
  base: number,
  start: number,
  len: number,
  dst: LaneView,
  at: number,
  mask?: { readonly start: ReadonlyArray<number>; readonly count: ReadonlyArray<number> },
  fill = 0
): void => {
  const rank = shape.length
  if (rank === 2 && mask === undefined) {
    return gatherRows(src, shape[1]!, strides[0]!, strides[1]!, base, start, len, dst, at)
  }
  const idx = new Array<number>(rank)
  let rest = start
  let off = base
  for (let d = rank - 1; d >= 0; d--) {
    idx[d] = rest % shape[d]!
    rest = Math.floor(rest / shape[d]!)
    off += idx[d]! * strides[d]!
  }
  const last = rank - 1
  const inner = shape[last]!
  const step = strides[last]!
  let done = 0
  while (done < len) {
    const run = Math.min(inner - idx[last]!, len - done)
    if (mask === undefined) copyRun(src, off, step, dst, at + done, run)
    else {
      // padding: a row outside the box is all fill; inside, fill before and after the box's columns
      let inside = true
      for (let d = 0; d < last; d++) {
        if (idx[d]! < mask.start[d]! || idx[d]! >= mask.start[d]! + mask.count[d]!) inside = false
      }
      const c0 = idx[last]!
      const lo = inside ? Math.min(Math.max(mask.start[last]!, c0), c0 + run) : c0 + run
      const hi = inside ? Math.max(Math.min(mask.start[last]! + mask.count[last]!, c0 + run), lo) : c0 + run
      const to = at + done - c0
      if (lo > c0) dst.fill(fill, to + c0, to + lo)
      if (hi > lo) copyRun(src, off + (lo - c0) * step, step, dst, to + lo, hi - lo)
      if (c0 + run > hi) dst.fill(fill, to + hi, to + c0 + run)
    }
    done += run
    off += (run - 1) * step
    idx[last] = idx[last]! + run - 1
    // carry: the next element
    for (let d = last; d >= 0; d--) {
      if (idx[d]! + 1 < shape[d]!) {
        idx[d] = idx[d]! + 1
        off += strides[d]!
        break
      }
      off -= idx[d]! * strides[d]!
      idx[d] = 0
    }
  }
}

/**
 * Reduction roots of a kernel: `kinds[o]` reduces output `o` over rows of `k`
 * consecutive elements of the domain (`undefined`: stored whole).
 */
export interface SimdReductions {
  readonly kinds: ReadonlyArray<"sum" | "max" | "min" | undefined>
  readonly k: number
  /**
   * Reductions over leading axes instead (`k` is then the number of rows): each
   * of the `columns` trailing elements accumulates its rows in order, in float64,
   * as reduce.ts's `reduceColumns` does.
   */
  readonly columns?: number
}

/** The leaf lengths of `pairwiseSum` over `n` values, in order. */
const leafLengths = (n: number, out: Array<number> = []): Array<number> => {
  if (n <= PAIRWISE_LEAF) {
    out.push(n)
  } else {
    leafLengths(n >> 1, out)
    leafLengths(n - (n >> 1), out)
  }
  return out
}

/**
 * `leaves(data, lens, count, out)`: for each of `count` leaves (lengths: i32 at
 * `lens`), the sum of its values from `data` on, stored as f64 at `out`, computed
 * as `leafSum` in reduce.ts does: four float64 accumulators over the values in
 * order (lanes 0, 1 and 2, 3 as two f64x2), the rest added to the first, then
 * `(a0 + a1) + (a2 + a3)`. Float32 values widen exactly, so the bits are the same.
 */
const leafSumsFunc = (float: SimdFloat): Func => {
  const bytes = float === "f32" ? 4 : 8
  const [data, lens, count, out, n, end, a01, a23, v, s, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const zero = simdOp.v128Const(Array(16).fill(0))
  const mainStep = float === "f32"
    ? [
      ...op.get(data),
      ...op.v128Load(0),
      ...op.set(v),
      ...op.get(a01),
      ...op.get(v),
      ...simdOp.f64x2PromoteLowF32x4,
      ...simdOp.f64.add,
      ...op.set(a01),
      ...op.get(a23),
      ...op.get(v),
      ...op.get(v),
      ...simdOp.highF32Pair,
      ...simdOp.f64x2PromoteLowF32x4,
      ...simdOp.f64.add,
      ...op.set(a23)
    ]
    : [
      ...op.get(a01),
      ...op.get(data),
      ...op.v128Load(0),
      ...simdOp.f64.add,
      ...op.set(a01),
      ...op.get(a23),
      ...op.get(data),
      ...op.v128Load(16),
      ...simdOp.f64.add,
      ...op.set(a23)
    ]
  const load1 = float === "f32" ? [...simdOp.f32Load, ...simdOp.f64PromoteF32] : simdOp.f64Load
  // for each leaf k < count: its sum to out, then the next length and output slot
  const body = whileBelow(k, count, [
    ...op.get(lens),
    ...simdOp.i32Load,
    ...op.set(n),
    // the 4-value blocks: data + (n & ~3) * bytes
    ...op.get(data),
    ...op.get(n),
    ...op.i32Const(-4),
    ...simdOp.i32And,
    ...op.i32Const(bytes === 4 ? 2 : 3),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...op.set(end),
    ...zero,
    ...op.set(a01),
    ...zero,
    ...op.set(a23),
    ...whileBelow(data, end, [...mainStep, ...addTo(data, op.i32Const(4 * bytes))]),
    // the rest joins a0
    ...op.get(a01),
    ...simdOp.f64x2ExtractLane(0),
    ...op.set(s),
    ...op.get(data),
    ...op.get(n),
    ...op.i32Const(3),
    ...simdOp.i32And,
    ...op.i32Const(bytes === 4 ? 2 : 3),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...op.set(end),
    ...whileBelow(data, end, [
      ...op.get(s),
      ...op.get(data),
      ...load1,
      ...simdOp.f64Add,
      ...op.set(s),
      ...addTo(data, op.i32Const(bytes))
    ]),
    // out = (a0 + a1) + (a2 + a3)
    ...op.get(out),
    ...op.get(s),
    ...op.get(a01),
    ...simdOp.f64x2ExtractLane(1),
    ...simdOp.f64Add,
    ...op.get(a23),
    ...simdOp.f64x2ExtractLane(0),
    ...op.get(a23),
    ...simdOp.f64x2ExtractLane(1),
    ...simdOp.f64Add,
    ...simdOp.f64Add,
    ...simdOp.f64Store,
    ...addTo(out, op.i32Const(8)),
    ...addTo(lens, op.i32Const(4)),
    ...addTo(k, op.i32Const(1))
  ])
  return { name: `leaves_${float}`, params: [i32, i32, i32, i32], locals: [i32, i32, v128, v128, v128, f64, i32], body }
}

type ColumnKind = "sum" | "max" | "min"

/**
 * `columns(data, acc, rows, columns)`: `acc[j] = acc[j] op data[r][j]` for each
 * of `rows` rows in order, `acc` float64 at `acc` and `data` of `float` (a row
 * of `columns` values, a multiple of the lanes). Float32 values widen exactly
 * and every column sees its rows in the same order, so the bits are
 * `accumulateColumns`'s (`f64x2.min`/`max` propagate NaN and order the zeros as
 * `Math.min`/`max` do).
 *
 * Columns go in blocks of four vectors of data (sixteen float32 or eight float64 columns) whose
 * accumulators stay in registers down all the rows, then one vector at a time: a row's update
 * loads and stores no accumulator (a jitted float32 column sum, medians of alternating processes:
 * 128 x 256 15.5 -> 13.7 us, 4096 x 256 561 -> 500 us; the same bits).
 */
const columnsFunc = (float: SimdFloat, kind: ColumnKind): Func => {
  const [data, acc, rows, columns, col, p, r, rowBytes, blockEnd] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const v0 = 9
  const combine = simdOp.f64[kind === "sum" ? "add" : kind]
  const f32 = float === "f32"
  // f64x2 accumulators per data vector (also accumulator bytes per data byte)
  const per = f32 ? 2 : 1
  const accLocal = (i: number) => v0 + 1 + i
  // the accumulators of `vectors` data vectors at column byte `col`: load, update down the rows, store
  const block = (vectors: number): Array<number> => {
    const n = vectors * per
    const accAt = [...op.get(acc), ...op.get(col), ...op.i32Const(per), ...op.i32Mul, ...op.i32Add]
    const update = (h: number): Array<number> => {
      const load = [...op.get(p), ...op.v128Load(16 * h)]
      if (!f32) return [...op.get(accLocal(h)), ...load, ...combine, ...op.set(accLocal(h))]
      return [
        ...load,
        ...op.set(v0),
        ...op.get(accLocal(2 * h)),
        ...op.get(v0),
        ...simdOp.f64x2PromoteLowF32x4,
        ...combine,
        ...op.set(accLocal(2 * h)),
        ...op.get(accLocal(2 * h + 1)),
        ...op.get(v0),
        ...op.get(v0),
        ...simdOp.highF32Pair,
        ...simdOp.f64x2PromoteLowF32x4,
        ...combine,
        ...op.set(accLocal(2 * h + 1))
      ]
    }
    return [
      ...Array.from({ length: n }, (_, i) => [...accAt, ...op.v128Load(16 * i), ...op.set(accLocal(i))]).flat(),
      ...op.get(data),
      ...op.get(col),
      ...op.i32Add,
      ...op.set(p),
      ...op.get(rows),
      ...op.set(r),
      ...op.block,
      ...op.loop,
      ...op.get(r),
      ...op.i32Eqz,
      ...op.brIf(1),
      ...Array.from({ length: vectors }, (_, h) => update(h)).flat(),
      ...addTo(p, op.get(rowBytes)),
      ...addTo(r, op.i32Const(-1)),
      ...simdOp.br(0),
      ...op.end,
      ...op.end,
      ...Array.from({ length: n }, (_, i) => [...accAt, ...op.get(accLocal(i)), ...op.v128Store(16 * i)]).flat(),
      ...addTo(col, op.i32Const(16 * vectors))
    ]
  }
  const body = [
    ...op.get(columns),
    ...op.i32Const(f32 ? 4 : 8),
    ...op.i32Mul,
    ...op.set(rowBytes),
    // whole blocks of four vectors: while col + 64 <= rowBytes
    ...op.get(rowBytes),
    ...op.i32Const(64),
    ...op.i32Sub,
    ...op.set(blockEnd),
    ...op.block,
    ...op.loop,
    ...op.get(col),
    ...op.get(blockEnd),
    ...simdOp.i32GtS,
    ...op.brIf(1),
    ...block(4),
    ...simdOp.br(0),
    ...op.end,
    ...op.end,
    ...whileBelow(col, rowBytes, block(1))
  ]
  return {
    name: `columns_${kind}_${float}`,
    params: [i32, i32, i32, i32],
    locals: [...Array<number>(5).fill(i32), ...Array<number>(1 + 4 * per).fill(v128)],
    body
  }
}

type LeafSums = (data: number, lens: number, count: number, out: number) => void
type Columns = (data: number, acc: number, rows: number, columns: number) => void
interface Reducers {
  readonly f32: LeafSums
  readonly f64: LeafSums
  readonly columns: { readonly [F in SimdFloat]: { readonly [K in ColumnKind]: Columns } }
}
let leafModule: Reducers | null | undefined

const columnKinds: ReadonlyArray<ColumnKind> = ["sum", "max", "min"]

/** The pairwise-sum leaf and column functions (compiled once), or null where they do not compile. */
const leafSums = (): Reducers | null => {
  if (leafModule === undefined) {
    try {
      const floats: ReadonlyArray<SimdFloat> = ["f32", "f64"]
      const module = new WebAssembly.Module(
        moduleBytes([
          leafSumsFunc("f32"),
          leafSumsFunc("f64"),
          ...floats.flatMap((float) => columnKinds.map((kind) => columnsFunc(float, kind)))
        ])
      )
      const exports = new WebAssembly.Instance(module, { env: { memory: scratch(65536) } }).exports as Record<
        string,
        LeafSums & Columns
      >
      const columnsOf = (float: SimdFloat) => ({
        sum: exports[`columns_sum_${float}`]!,
        max: exports[`columns_max_${float}`]!,
        min: exports[`columns_min_${float}`]!
      })
      leafModule = {
        f32: exports["leaves_f32"]!,
        f64: exports["leaves_f64"]!,
        columns: { f32: columnsOf("f32"), f64: columnsOf("f64") }
      }
    } catch {
      leafModule = null
    }
  }
  return leafModule
}

const leafMax = (x: ArrayLike<number>, start: number, n: number): number => {
  let acc = -Infinity
  for (let i = start; i < start + n; i++) acc = Math.max(acc, x[i]!)
  return acc
}

const leafMin = (x: ArrayLike<number>, start: number, n: number): number => {
  let acc = Infinity
  for (let i = start; i < start + n; i++) acc = Math.min(acc, x[i]!)
  return acc
}

/** `combine(kind, partial, k, out)`: each row's leaf results, combined by the pairwise tree of `k` values. */
const combineLeaves = (
  kind: "sum" | "max" | "min",
  values: Float64Array,
  k: number,
  rows: number,
  out: DType.HostArray
): void => {
  let next = 0
  const combine = (m: number): number => {
    if (m <= PAIRWISE_LEAF) return values[next++]!
    const a = combine(m >> 1)
    const b = combine(m - (m >> 1))
    return kind === "sum" ? a + b : kind === "max" ? Math.max(a, b) : Math.min(a, b)
  }
  for (let r = 0; r < rows; r++) out[r] = combine(k)
}

/** Adds `len` values of `view` from `at` (domain elements from `start` on) into their columns' accumulators, in order. */
const accumulateColumns = (
  kind: "sum" | "max" | "min",
  acc: Float64Array,
  view: Float32Array | Float64Array,
  at: number,
  start: number,
  len: number
): void => {
  const columns = acc.length
  let j = start % columns
  if (kind === "sum") {
    for (let t = 0; t < len; t++) {
      acc[j]! += view[at + t]!
      if (++j === columns) j = 0
    }
  } else {
    const f = kind === "max" ? Math.max : Math.min
    for (let t = 0; t < len; t++) {
      acc[j] = f(acc[j]!, view[at + t]!)
      if (++j === columns) j = 0
    }
  }
}

/**
 * Threaded kernels' memory, shared with the pool's workers (JS runs one kernel
 * at a time, so every kernel lays its call out from address 0); grown, never
 * shrunk, at most `THREAD_MAX_PAGES` (1 GiB: a larger call runs on one thread).
 */
const THREAD_MAX_PAGES = 16384
let sharedMem: WebAssembly.Memory | null | undefined
let sharedF32 = new Float32Array(0)
let sharedF64 = new Float64Array(0)
let sharedI32 = new Int32Array(0)
let sharedU32 = new Uint32Array(0)

/** The shared memory with at least `bytes` (views refreshed), or `null` where there is none or it cannot grow. */
const sharedScratch = (bytes: number): WebAssembly.Memory | null => {
  if (sharedMem === undefined) {
    try {
      sharedMem = sharedMemoryAvailable()
        ? new WebAssembly.Memory({ initial: 1, maximum: THREAD_MAX_PAGES, shared: true })
        : null
    } catch {
      sharedMem = null
    }
  }
  if (sharedMem === null) return null
  if (bytes > sharedF32.byteLength) {
    const have = sharedMem.buffer.byteLength
    if (bytes > have) {
      try {
        sharedMem.grow(Math.ceil((bytes - have) / 65536))
      } catch {
        return null
      }
    }
    const buffer = sharedMem.buffer
    sharedF32 = new Float32Array(buffer)
    sharedF64 = new Float64Array(buffer)
    sharedI32 = new Int32Array(buffer)
    sharedU32 = new Uint32Array(buffer)
  }
  return sharedMem
}

/**
 * When a kernel splits across threads: the split saves a share of its
 * arithmetic (about `nodes` expression nodes per element), while the calling
 * thread copies each operand into the shared memory and each result out (a
 * stream, costing about `NODES_PER_STREAM` nodes' time per element) and
 * wakes the workers (a fixed cost). So a kernel splits when `n * (nodes -
 * NODES_PER_STREAM * streams)` reaches `threadMinWork` (measured on the
 * project's 2-core machine, architecture.md): heavy kernels (decomposed
 * transcendentals) from tens of thousands of elements, light ones (a few
 * arithmetic nodes per operand, memory-bound) never.
 */
const NODES_PER_STREAM = 12
let threadMinWork = 2 ** 21

/**
 * Sets the work threshold of threaded kernels (`-Infinity`: every kernel
 * splits, for tests of small domains); returns the old one.
 */
export const setThreadMinWork = (work: number): number => {
  const old = threadMinWork
  threadMinWork = work
  return old
}

/** Vectors (16 bytes) per chunk of a threaded elementwise job, and leaves per chunk of a leaf-sum job. */
const VECTOR_GRAIN = 2048
const LEAF_GRAIN = 32

/**
 * `leafJob(lo, hi, data, lens, starts, out)`: the leaf sums of leaves
 * `[lo, hi)` (`leaves` at function `leaves`), leaf `j` starting at element
 * `starts[j]` of `data`, its sum stored at `out + 8 j`.
 */
const leafJobFunc = (bytes: number, leaves: number): Func => ({
  name: "leafJob",
  params: [i32, i32, i32, i32, i32, i32],
  locals: [],
  body: [
    ...op.get(2),
    ...op.get(4),
    ...op.get(0),
    ...op.i32Const(2),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...simdOp.i32Load,
    ...op.i32Const(bytes === 4 ? 2 : 3),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...op.get(3),
    ...op.get(0),
    ...op.i32Const(2),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...op.get(1),
    ...op.get(0),
    ...op.i32Sub,
    ...op.get(5),
    ...op.get(0),
    ...op.i32Const(3),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...op.call(leaves)
  ]
})

/**
 * `rowJob(lo, hi, lens, starts, sums, stride)`: the kernel over the elements
 * of leaves `[lo, hi)` (`starts[lo]` to `starts[hi]`, 16-byte aligned), then
 * each summed output's leaf sums (output `j`'s at `sums + j * stride + 8 leaf`).
 */
const rowJobFunc = (shift: number, slots: ReadonlyArray<number>, range: number, leaves: number): Func => {
  const [lo, hi, lens, starts, sums, stride, start, end] = [0, 1, 2, 3, 4, 5, 6, 7]
  const entry = (j: number) => [
    ...op.get(starts),
    ...op.get(j),
    ...op.i32Const(2),
    ...simdOp.i32Shl,
    ...op.i32Add,
    ...simdOp.i32Load,
    ...op.i32Const(shift),
    ...simdOp.i32Shl
  ]
  const body = [...entry(lo), ...op.set(start), ...entry(hi), ...op.set(end)]
  body.push(...op.get(end), ...op.get(start), ...op.call(range))
  slots.forEach((slot, j) => {
    body.push(
      ...op.i32Const(slot),
      ...op.get(start),
      ...op.i32Add,
      ...op.get(lens),
      ...op.get(lo),
      ...op.i32Const(2),
      ...simdOp.i32Shl,
      ...op.i32Add,
      ...op.get(hi),
      ...op.get(lo),
      ...op.i32Sub,
      ...op.get(sums),
      ...op.get(stride),
      ...op.i32Const(j),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.get(lo),
      ...op.i32Const(3),
      ...simdOp.i32Shl,
      ...op.i32Add,
      ...op.call(leaves)
    )
  })
  return { name: "rowJob", params: [i32, i32, i32, i32, i32, i32], locals: [i32, i32], body }
}

/** A kernel's threaded module for one slot size: its shared module and exports (`range`, `job`, `leaves`, `leafJob`). */
interface Threaded {
  readonly shared: SharedModule
  readonly fns: ReadonlyArray<(...args: Array<number>) => void>
}

/**
 * The threaded module of a kernel whose slots are `slotBytes` long (a whole
 * call's domain; the operands side by side in the shared memory): `range(end,
 * start)` is the kernel's loop over byte offsets `[start, end)`, `job(lo, hi)`
 * the same over vectors `[lo, hi)` (a pool job); `rowJob` computes whole
 * leaves of the reduction roots and sums them (`sums`: the outputs reduced by
 * a sum) while they are in the cache.
 */
const compileThreaded = (
  float: SimdFloat,
  inputs: ReadonlyArray<SimdInput>,
  outs: ReadonlyArray<Expr>,
  slotBytes: number,
  sums: ReadonlyArray<number>
): Threaded | null => {
  const memory = sharedScratch(1)
  if (memory === null) return null
  try {
    const emitted = emitBodyOrUncut(float, inputs, outs, slotBytes)
    const base = emitted.imports.length
    const funcs: Array<Func> = [
      // the loop's locals 0 (end) and 1 (the byte offset) are the parameters
      { name: "range", params: [i32, i32], locals: emitted.locals.slice(1), body: emitted.body },
      {
        name: "job",
        params: [i32, i32],
        locals: [],
        body: [
          ...op.get(1),
          ...op.i32Const(4),
          ...simdOp.i32Shl,
          ...op.get(0),
          ...op.i32Const(4),
          ...simdOp.i32Shl,
          ...op.call(base)
        ]
      },
      { ...leafSumsFunc(float), name: "leaves" },
      leafJobFunc(float === "f32" ? 4 : 8, base + 2),
      rowJobFunc(float === "f32" ? 2 : 3, sums.map((o) => (inputs.length + o) * slotBytes), base, base + 2)
    ]
    const module = new WebAssembly.Module(
      moduleBytes(funcs, 1, { maxPages: THREAD_MAX_PAGES }, emitted.imports.map((name) => ({ name })))
    )
    const env: Record<string, WebAssembly.ImportValue> = { memory }
    for (const name of emitted.imports) env[name] = Math[name]
    const exports = new WebAssembly.Instance(module, { env }).exports
    const names = funcs.map((f) => f.name)
    return {
      shared: { module, memory, names, imports: emitted.imports },
      fns: names.map((n) => exports[n] as (...args: Array<number>) => void)
    }
  } catch {
    return null
  }
}

/**
 * Compiles output expressions `outs` (one lane each, all of type `float`, or int32 and uint32
 * with float32's lanes) over
 * `inputs` read through the merged domain `shape`, or `undefined` when an
 * operation has no SIMD form here (the caller then runs JS).
 *
 * With `reductions`, the reduced outputs are computed into their slots and
 * reduced there as `reduce.ts` reduces a stored array: chunks are made of
 * whole leaves of its pairwise summation tree (rows of `k` values), each leaf
 * summed by the same `leafSum`, and the leaves combined by the same tree, so
 * the result has the unfused reduction's bits (max and min in any order).
 */
export const compileSimd = (
  float: SimdFloat,
  shape: ReadonlyArray<number>,
  inputs: ReadonlyArray<SimdInput>,
  outs: ReadonlyArray<Expr>,
  reductions?: SimdReductions
): SimdLoop | undefined => {
  // (integer outputs in float32's lanes; never reduced here)
  const lanes = (e: Expr, o: number) =>
    e.type === float || (float === "f32" && isInt(e.type) && reductions?.kinds[o] === undefined)
  if (!simdAvailable() || !outs.every(lanes)) return undefined
  const bytes = float === "f32" ? 4 : 8
  const slotBytes = CHUNK * bytes
  let emitted: ReturnType<typeof emitBody>
  try {
    emitted = emitBodyOrUncut(float, inputs, outs, slotBytes)
  } catch (e) {
    if (e instanceof Unsupported) return undefined
    throw e
  }
  const kernelBytes = (inputs.length + outs.length) * slotBytes + 16 * inputs.length
  // after the slots: a reduction's leaf lengths (i32) and leaf sums (f64) of one chunk
  const lensAt = Math.ceil(kernelBytes / 16) * 16
  const sumsAt = lensAt + 4 * CHUNK
  // Column reductions whose rows fill whole chunks of whole vectors accumulate in wasm (columnsFunc),
  // their float64 accumulators where the row reductions keep their leaf sums.
  const columnAccAt = reductions?.columns !== undefined && reductions.columns <= CHUNK &&
      reductions.columns % (16 / bytes) === 0
    ? sumsAt
    : undefined
  const accBytes = columnAccAt === undefined ? 0 : 8 * reductions!.columns! * reductions!.kinds.length
  const total = reductions === undefined ? kernelBytes : sumsAt + Math.max(8 * CHUNK, accBytes)
  const mem = scratch(total)
  let run: (bytes: number) => void
  try {
    const module = new WebAssembly.Module(
      moduleBytes(
        [{ name: "run", params: [i32], locals: emitted.locals, body: emitted.body }],
        Math.ceil(total / 65536),
        undefined,
        emitted.imports.map((name) => ({ name }))
      )
    )
    const env: Record<string, WebAssembly.ImportValue> = { memory: mem }
    for (const name of emitted.imports) env[name] = Math[name]
    run = (new WebAssembly.Instance(module, { env }).exports as { run: (bytes: number) => void }).run
  } catch {
    // e.g. a browser's main thread refusing to compile a large module synchronously
    return undefined
  }
  const slotElems = CHUNK
  const outBase = inputs.length * slotElems
  const scalarBase = (inputs.length + outs.length) * slotElems
  const kinds = reductions?.kinds ?? []
  // Inputs that repeat one row (strides 0 but along the last dimension: a bias broadcast down
  // the rows): with chunks of whole rows, their slot holds the same values in every chunk, so
  // they are gathered once per call. (Not with reduction roots, whose chunks are whole leaves.)
  const rank = shape.length
  const rowLen = shape[rank - 1] ?? 1
  const repeats = inputs.map((input) =>
    reductions === undefined && rank >= 2 && rowLen <= CHUNK && input.kind === "strided" &&
    input.mask === undefined && input.strides.every((st, d) => d === rank - 1 || st === 0)
  )
  const chunkLen = repeats.some((r) => r) ? Math.floor(CHUNK / rowLen) * rowLen : CHUNK
  /** Runs the kernel on `[start, start + len)` and stores the whole outputs' chunks. */
  const chunk = (
    view: Float32Array | Float64Array,
    ins: ReadonlyArray<DType.HostArray>,
    outArrays: ReadonlyArray<DType.HostArray>,
    start: number,
    len: number
  ): void => {
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!
      if (start > 0 && repeats[k]) continue
      const off = input.offset ?? 0
      const dst = laneView(ins[k]!, view, i32View, u32View)
      if (input.kind === "flat") dst.set(ins[k]!.subarray(off + start, off + start + len), k * slotElems)
      else if (input.kind === "strided") {
        gather(ins[k]!, shape, input.strides, off, start, len, dst, k * slotElems, input.mask, fills[k])
      }
    }
    run(Math.ceil((len * bytes) / 16) * 16)
    for (let o = 0; o < outArrays.length; o++) {
      if (kinds[o] !== undefined) continue
      const at = outBase + o * slotElems
      outArrays[o]!.set(laneView(outArrays[o]!, view, i32View, u32View).subarray(at, at + len), start)
    }
  }
  // each padded input's fill value for this call
  const fills = inputs.map(() => 0)
  const threadedBySlot = new Map<number, Threaded | null>()
  const sumOutputs = kinds.flatMap((kind, o) => (kind === "sum" && reductions?.columns === undefined ? [o] : []))
  const streams = inputs.filter((x) => x.kind !== "scalar").length +
    outs.filter((_, o) => kinds[o] === undefined).length
  const netNodes = emitted.nodes - NODES_PER_STREAM * streams
  const loop: SimdLoop = (ins, outArrays, n, pool) => {
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!
      if (input.kind !== "strided" || input.mask === undefined) continue
      const fill = input.mask.fill
      fills[k] = typeof fill === "number" ? fill : ins[fill.input]![inputs[fill.input]!.offset ?? 0]!
    }
    if (
      pool !== undefined && pool.threads > 1 && n * netNodes >= threadMinWork && !pool.closed() &&
      n * bytes < 2 ** 30 &&
      threadedCall(ins, outArrays, n, pool)
    ) return
    scratch(total)
    const view = float === "f32" ? f32View : f64View
    const scalarStride = 16 / bytes
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!
      if (input.kind === "scalar") {
        laneView(ins[k]!, view, i32View, u32View)[scalarBase + k * scalarStride] = ins[k]![input.offset ?? 0]!
      }
    }
    if (reductions === undefined) {
      for (let start = 0; start < n; start += chunkLen) {
        chunk(view, ins, outArrays, start, Math.min(chunkLen, n - start))
      }
      return
    }
    const columns = reductions.columns
    if (columns !== undefined) {
      const initial = (kind: ColumnKind) => (kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity)
      const wasmColumns = columnAccAt === undefined ? undefined : leafSums()?.columns[float]
      if (wasmColumns !== undefined) {
        // whole rows per chunk; each reduced output's accumulators in the memory after the slots
        const rowsPerChunk = Math.floor(CHUNK / columns)
        for (let o = 0; o < kinds.length; o++) {
          const kind = kinds[o]
          if (kind !== undefined) {
            f64View.fill(initial(kind), columnAccAt! / 8 + o * columns, columnAccAt! / 8 + (o + 1) * columns)
          }
        }
        for (let start = 0; start < n; start += rowsPerChunk * columns) {
          const len = Math.min(rowsPerChunk * columns, n - start)
          chunk(view, ins, outArrays, start, len)
          for (let o = 0; o < kinds.length; o++) {
            const kind = kinds[o]
            if (kind === undefined) continue
            wasmColumns[kind]((outBase + o * slotElems) * bytes, columnAccAt! + 8 * o * columns, len / columns, columns)
          }
        }
        for (let o = 0; o < kinds.length; o++) {
          if (kinds[o] === undefined) continue
          outArrays[o]!.set(f64View.subarray(columnAccAt! / 8 + o * columns, columnAccAt! / 8 + (o + 1) * columns))
        }
        return
      }
      const accs = kinds.map((kind, o) => (kind === undefined ? undefined : kept[o]!(columns).fill(initial(kind))))
      for (let start = 0; start < n; start += CHUNK) {
        const len = Math.min(CHUNK, n - start)
        chunk(view, ins, outArrays, start, len)
        for (let o = 0; o < kinds.length; o++) {
          const kind = kinds[o]
          if (kind !== undefined) accumulateColumns(kind, accs[o]!, view, outBase + o * slotElems, start, len)
        }
      }
      for (let o = 0; o < kinds.length; o++) if (accs[o] !== undefined) outArrays[o]!.set(accs[o]!)
      return
    }
    // chunks of whole leaves; each leaf's partial result per reduced output, then each row's tree
    const k = reductions.k
    const rowLeaves = leafLengths(k)
    const perRow = rowLeaves.length
    const leaves = (n / k) * perRow
    // a row of one leaf is its own result: written straight into the output (the same rounding)
    const partial = kinds.map((kind, o) =>
      kind === undefined ? undefined : perRow === 1 ? outArrays[o]! : kept[o]!(leaves)
    )
    let start = 0
    let len = 0
    let first = 0
    const wasmLeaves = leafSums()?.[float]
    const flush = (end: number): void => {
      chunk(view, ins, outArrays, start, len)
      const count = end - first
      if (wasmLeaves !== undefined) {
        for (let leaf = first; leaf < end; leaf++) i32View[lensAt / 4 + leaf - first] = rowLeaves[leaf % perRow]!
      }
      for (let o = 0; o < kinds.length; o++) {
        const kind = kinds[o]
        if (kind === undefined) continue
        if (kind === "sum" && wasmLeaves !== undefined) {
          wasmLeaves((outBase + o * slotElems) * bytes, lensAt, count, sumsAt)
          partial[o]!.set(f64View.subarray(sumsAt / 8, sumsAt / 8 + count), first)
          continue
        }
        let at = outBase + o * slotElems
        for (let leaf = first; leaf < end; leaf++) {
          const m = rowLeaves[leaf % perRow]!
          partial[o]![leaf] = kind === "sum" ? leafSum(view, at, m, 1) : kind === "max"
            ? leafMax(view, at, m)
            : leafMin(view, at, m)
          at += m
        }
      }
    }
    for (let leaf = 0; leaf < leaves; leaf++) {
      const m = rowLeaves[leaf % perRow]!
      if (len + m > CHUNK) {
        flush(leaf)
        start += len
        len = 0
        first = leaf
      }
      len += m
    }
    flush(leaves)
    if (perRow === 1) return
    for (let o = 0; o < kinds.length; o++) {
      const kind = kinds[o]
      if (kind !== undefined) combineLeaves(kind, partial[o] as Float64Array, k, n / k, outArrays[o]!)
    }
  }
  // each reduced output's column accumulators or leaf results, kept between calls (keptScratch.ts)
  const kept = kinds.map(() => keptScratch((size) => new Float64Array(size)))
  /** The call across the pool's threads; `false` when the shared memory cannot hold it (then one thread runs it). */
  const threadedCall = (
    ins: ReadonlyArray<DType.HostArray>,
    outArrays: ReadonlyArray<DType.HostArray>,
    n: number,
    pool: Pool
  ): boolean => {
    // slots of whole 64 KiB pages: one module per call size (a jit kernel has one)
    const slot = Math.ceil((n * bytes) / 65536) * 65536
    let t = threadedBySlot.get(slot)
    if (t === undefined) {
      t = compileThreaded(float, inputs, outs, slot, sumOutputs)
      if (threadedBySlot.size >= 4) threadedBySlot.delete(threadedBySlot.keys().next().value!)
      threadedBySlot.set(slot, t)
    }
    if (t === null) return false
    const slots = inputs.length + outs.length
    const scalarsAt = slots * slot
    const auxAt = Math.ceil((scalarsAt + 16 * inputs.length) / 16) * 16
    const k = reductions?.k ?? 1
    const rowLeaves = reductions === undefined || reductions.columns !== undefined ? [] : leafLengths(k)
    const leaves = rowLeaves.length * (n / k)
    const lensAt = auxAt
    const startsAt = lensAt + 4 * leaves
    const sumsAt = Math.ceil((startsAt + 4 * (leaves + 1)) / 16) * 16
    if (sharedScratch(sumsAt + 8 * leaves * Math.max(1, sumOutputs.length)) === null) return false
    const view = float === "f32" ? sharedF32 : sharedF64
    const per = slot / bytes
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!
      const off = input.offset ?? 0
      const dst = laneView(ins[k]!, view, sharedI32, sharedU32)
      if (input.kind === "scalar") dst[scalarsAt / bytes + (k * 16) / bytes] = ins[k]![off]!
      else if (input.kind === "flat") dst.set(ins[k]!.subarray(off, off + n), k * per)
      else gather(ins[k]!, shape, input.strides, off, 0, n, dst, k * per, input.mask, fills[k])
    }
    // the leaves' lengths and first elements (rows of whole leaves)
    const perRow = rowLeaves.length
    let at = 0
    for (let leaf = 0; leaf < leaves; leaf++) {
      const m = rowLeaves[leaf % perRow]!
      sharedI32[lensAt / 4 + leaf] = m
      sharedI32[startsAt / 4 + leaf] = at
      at += m
    }
    sharedI32[startsAt / 4 + leaves] = at
    // leaves of whole vectors: each job computes its leaves' elements and sums them at once
    const together = leaves > 0 && sumOutputs.length > 0 && rowLeaves.every((m) => (m * bytes) % 16 === 0)
    if (together) pool.run(t.shared, t.fns, 4, leaves, LEAF_GRAIN, [lensAt, startsAt, sumsAt, 8 * leaves])
    else pool.run(t.shared, t.fns, 1, Math.ceil((n * bytes) / 16), VECTOR_GRAIN, [])
    const outBase = inputs.length * per
    for (let o = 0; o < outs.length; o++) {
      if (kinds[o] === undefined) {
        const src = laneView(outArrays[o]!, view, sharedI32, sharedU32)
        outArrays[o]!.set(src.subarray(outBase + o * per, outBase + o * per + n))
      }
    }
    if (reductions === undefined) return true
    const columns = reductions.columns
    if (columns !== undefined) {
      // each column accumulates its rows in order (one thread)
      for (let o = 0; o < kinds.length; o++) {
        const kind = kinds[o]
        if (kind === undefined) continue
        const acc = new Float64Array(columns).fill(kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity)
        accumulateColumns(kind, acc, view, outBase + o * per, 0, n)
        outArrays[o]!.set(acc)
      }
      return true
    }
    // each reduced output's leaves (sums across threads), then its rows' trees
    for (let o = 0; o < kinds.length; o++) {
      const kind = kinds[o]
      if (kind === undefined) continue
      const data = outBase + o * per
      let partial: Float64Array
      if (kind === "sum") {
        const j = sumOutputs.indexOf(o)
        if (!together) pool.run(t.shared, t.fns, 3, leaves, LEAF_GRAIN, [data * bytes, lensAt, startsAt, sumsAt])
        const from = sumsAt / 8 + (together ? j * leaves : 0)
        partial = sharedF64.slice(from, from + leaves)
      } else {
        partial = new Float64Array(leaves)
        let from = data
        for (let leaf = 0; leaf < leaves; leaf++) {
          const m = rowLeaves[leaf % perRow]!
          partial[leaf] = kind === "max" ? leafMax(view, from, m) : leafMin(view, from, m)
          from += m
        }
      }
      combineLeaves(kind, partial, k, n / k, outArrays[o]!)
    }
    return true
  }
  return loop
}
