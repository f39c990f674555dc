/**
 * Evaluation of the higher-order primitives on concrete operands: they have no
 * backend kernel; they run the programs their parameters hold with the
 * context's `run` (the installed program runner: compiled when `@diffect/ad`'s
 * jit is loaded).
 */
import { aval } from "../AbstractValue.js"
import { activeBackend } from "../Backend.js"
import { allocHost } from "../DType.js"
import { BackendError } from "../Errors.js"
import { callBackSteps } from "../HostCallback.js"
import type { HigherOrderPrimitive, Params, Primitive } from "../Primitive.js"
import type { Program } from "../Program.js"
import { ConcreteTensor } from "../Tensor.js"
import type { Tensor } from "../Tensor.js"

/**
 * What the bottom of the stack lends an evaluation rule: running a program,
 * applying a primitive, and reading a scalar synchronously (`undefined` when
 * the backend cannot: WebGPU reads asynchronously).
 */
export interface EvalContext {
  /** Runs a program; `donated` inputs may give their memory to its outputs (see `ProgramRunner`). */
  readonly run: (
    program: Program,
    inputs: ReadonlyArray<Tensor>,
    donated?: ReadonlyArray<boolean>
  ) => ReadonlyArray<Tensor>
  readonly apply: <P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tensor>,
    params: Params<P>
  ) => ReadonlyArray<Tensor>
  readonly readScalar: (x: Tensor) => number | undefined
  /**
   * Where `readScalar` cannot read: a value for a loop's steps to yield, whose
   * resumption value is the scalar's host data (an asynchronous device read
   * awaited by the caller of the steps). Absent: such a read is a `BackendError`.
   */
  readonly readLater?: (x: Tensor) => unknown
}

/**
 * Builds the body of a scan unrolled `k` times: from `[consts..., carry...,
 * slices of step 1..., ..., slices of step k...]` to `[carry..., ys of step
 * 1..., ..., ys of step k...]`. Installed by the scan module (which stages
 * programs; this module cannot import the staging machinery without a cycle).
 */
export type Unroller = (program: Program, k: number, numConsts: number, numCarry: number) => Program

let unroller: Unroller | undefined
const unrolledCache = new WeakMap<Program, Map<number, Program>>()

/** Installs the scan unroller (see `Unroller`). */
export const installUnroller = (u: Unroller): void => {
  unroller = u
}

// The unrolled body, built once per program and factor; without an unroller, undefined (the
// loop runs the body alone: the same values).
const unrolledBody = (program: Program, k: number, numConsts: number, numCarry: number): Program | undefined => {
  if (unroller === undefined) return undefined
  let byK = unrolledCache.get(program)
  if (byK === undefined) unrolledCache.set(program, byK = new Map())
  let u = byK.get(k)
  if (u === undefined) byK.set(k, u = unroller(program, k, numConsts, numCarry))
  return u
}

/**
 * A loop's evaluation as steps: it yields `undefined` between iterations (an
 * interruption point for a caller that runs it stepwise), or a value from
 * `readLater` to wait for.
 */
export type LoopSteps<A> = Generator<unknown, A, unknown>

/** Runs loop steps to the end synchronously (there is nothing to wait for without `readLater`). */
export const drainLoop = <A>(steps: LoopSteps<A>): A => {
  for (;;) {
    const r = steps.next()
    if (r.done === true) return r.value
  }
}

type EvalRule<P extends HigherOrderPrimitive> = (
  operands: ReadonlyArray<Tensor>,
  params: Params<P>,
  context: EvalContext
) => ReadonlyArray<Tensor>

/**
 * `cond` on a backend that cannot read the index synchronously: every branch
 * runs and the index selects among their outputs (no readback; the cost is
 * running all branches, documented in docs/guide/control-flow.md).
 */
const selectAmongBranches = (
  index: Tensor,
  ops: ReadonlyArray<Tensor>,
  branches: ReadonlyArray<Program>,
  { apply, run }: EvalContext
): ReadonlyArray<Tensor> => {
  const results = branches.map((b) => run(b, ops))
  let outs = results[results.length - 1]!
  for (let k = results.length - 2; k >= 0; k--) {
    const here = apply("eq", [index, new ConcreteTensor(aval([], "int32"), Int32Array.of(k), undefined)], {})[0]!
    outs = outs.map((o, i) => {
      const pred = o.ndim === 0
        ? here
        : apply("broadcast_in_dim", [here], { shape: o.shape, broadcastDimensions: [] })[0]!
      return apply("select", [pred, results[k]![i]!, o], {})[0]!
    })
  }
  return outs
}

/** One evaluation rule per higher-order primitive (a missing entry is a compile error). */
export const higherOrderEvalRules: { readonly [P in HigherOrderPrimitive]: EvalRule<P> } = {
  // (no readLater here: a value the backend reads only asynchronously is a BackendError)
  debug_callback: (operands, { callback }) => drainLoop(callBackSteps(callback, operands, [])),
  pure_callback: (operands, { callback, resultAvals }) => drainLoop(callBackSteps(callback, operands, resultAvals)),
  io_callback: (operands, { callback, resultAvals }) => drainLoop(callBackSteps(callback, operands, resultAvals)),
  jit_call: (operands, { program }, { run }) => run(program, operands),
  cond: (operands, { branches }, context) => {
    const ops = operands.slice(1)
    const index = context.readScalar(operands[0]!)
    if (index === undefined) return selectAmongBranches(operands[0]!, ops, branches, context)
    return context.run(branches[Math.min(Math.max(index, 0), branches.length - 1)]!, ops)
  },
  while: (operands, params, context) => drainLoop(whileSteps(operands, params, context)),
  scan: (operands, params, context) => drainLoop(scanSteps(operands, params, context)),
  remat: (operands, { program }, { run }) => run(program, operands),
  // the solve on its own constants and b (the other programs only define derivatives)
  linear_solve: (operands, { constCounts: [m, v, s, t], solve }, { run }) =>
    run(solve, [...operands.slice(m + v, m + v + s), ...operands.slice(m + v + s + t)])
}

/**
 * The loop of `while` on concrete operands, as steps (one per iteration). One
 * read of the predicate per iteration: synchronous where the backend can, else
 * waited for (`readLater`), else a `BackendError`. Each iteration's predicate,
 * and the previous carry once the next exists, are released at once (not when
 * the enclosing region closes): a long loop's memory stays that of one carry.
 */
export function* whileSteps(
  operands: ReadonlyArray<Tensor>,
  { body, bodyConsts, cond, condConsts }: Params<"while">,
  { readLater, readScalar, run }: EvalContext
): LoopSteps<ReadonlyArray<Tensor>> {
  const cc = operands.slice(0, condConsts)
  const bc = operands.slice(condConsts, condConsts + bodyConsts)
  let carry: ReadonlyArray<Tensor> = operands.slice(condConsts + bodyConsts)
  // never released here: the operands and the programs' own constants (a body may return one)
  const given = new Set<Tensor>([...operands, ...cond.consts, ...body.consts])
  const drop = (t: Tensor, keep: ReadonlySet<Tensor>): void => {
    if (t instanceof ConcreteTensor && !given.has(t) && !keep.has(t) && !t.pinned) t.releaseMemory("lax.whileLoop")
  }
  for (;;) {
    const pred = run(cond, [...cc, ...carry])[0]!
    let go = readScalar(pred)
    if (go === undefined && readLater !== undefined) go = Number(((yield readLater(pred)) as ArrayLike<unknown>)[0])
    drop(pred, new Set(carry))
    if (go === undefined) {
      throw new BackendError({
        backend: activeBackend()?.name ?? "none",
        detail:
          "lax.whileLoop reads its predicate back on every iteration, and this backend reads only asynchronously: run the loop on the CPU backend, or use lax.scan / lax.foriLoop with static bounds (no readback)"
      })
    }
    if (go === 0) return carry
    const next = run(body, [...bc, ...carry])
    const live = new Set(next)
    for (const t of carry) drop(t, live)
    carry = next
    yield
  }
}

/**
 * The loop of `scan` on concrete operands, as steps (one per iteration): each
 * step slices the xs, runs the body (compiled by the runner) and keeps the ys;
 * nothing is read back, so on WebGPU every step is enqueued without waiting.
 */
export function* scanSteps(
  operands: ReadonlyArray<Tensor>,
  params: Params<"scan">,
  { apply, run }: EvalContext
): LoopSteps<ReadonlyArray<Tensor>> {
  const bind1 = <P extends Primitive>(p: P, xs: ReadonlyArray<Tensor>, ps: Params<P>): Tensor => apply(p, xs, ps)[0]!
  const { length, numCarry, numConsts, program, reverse } = params
  const consts = operands.slice(0, numConsts)
  let carry = operands.slice(numConsts, numConsts + numCarry)
  const xs = operands.slice(numConsts + numCarry)
  const yAvals = program.outAvals.slice(numCarry)
  const nY = yAvals.length
  const steps: Array<ReadonlyArray<Tensor>> = new Array(length)
  // released as soon as the step is done with them (unless the body returned one, as a carry or
  // a y): the slices, and the previous carry; never the operands or the program's own constants
  const stacked = new Set<Tensor>()
  const given = new Set<Tensor>([...operands, ...program.consts])
  const ownCarry = (t: Tensor): boolean =>
    t instanceof ConcreteTensor && !given.has(t) && !stacked.has(t) && !t.pinned && !t.released
  const drop = (t: Tensor, keep: ReadonlySet<Tensor>): void => {
    if (t instanceof ConcreteTensor && !given.has(t) && !keep.has(t) && !t.pinned) t.releaseMemory("lax.scan")
  }
  const sliceAt = (t: number) =>
    xs.map((x) =>
      bind1("reshape", [
        bind1("slice", [x], {
          startIndices: x.shape.map((_, d) => (d === 0 ? t : 0)),
          limitIndices: x.shape.map((n, d) => (d === 0 ? t + 1 : n)),
          strides: null
        })
      ], { newSizes: x.shape.slice(1) })
    )
  // JAX's `unroll`: `k` iterations per trip of the loop, as one program (the body inlined `k`
  // times, compiled as one by jit's runner); the `length % k` left over run the body alone
  const k = Math.min(params.unroll, length)
  const unrolled = k > 1 ? unrolledBody(program, k, numConsts, numCarry) : undefined
  const trips = unrolled === undefined ? 0 : Math.floor(length / k)
  let i = 0
  while (i < length) {
    const block = i < trips * k ? k : 1
    const at = Array.from({ length: block }, (_, j) => (reverse ? length - 1 - (i + j) : i + j))
    const slices = at.flatMap(sliceAt)
    // the previous carry is dropped after this step: a compiled body may write the new one into it
    // (an accumulator updated in place), unless the caller gave it or it is also a y
    const donated = block === 1 && i > 0
      ? [...consts.map(() => false), ...carry.map((c) => ownCarry(c)), ...slices.map(() => false)]
      : undefined
    const outs = run(block === 1 ? program : unrolled!, [...consts, ...carry, ...slices], donated)
    at.forEach((t, j) => {
      steps[t] = outs.slice(numCarry + j * nY, numCarry + (j + 1) * nY)
      for (const y of steps[t]!) stacked.add(y)
    })
    const live = new Set(outs.slice(0, numCarry))
    for (const x of [...slices, ...carry]) if (!stacked.has(x)) drop(x, live)
    carry = outs.slice(0, numCarry)
    i += block
    yield
  }
  // each step's ys are copied into the stacked ys: release them (and their expand_dims views) as
  // soon as the last stacked y that reads them is built, rather than with the enclosing region
  // (under grad that is after the backward pass, doubling the residuals' peak)
  const lastRead = new Map<Tensor, number>()
  for (const s of steps) s.forEach((y, k) => lastRead.set(y, Math.max(k, lastRead.get(y) ?? k)))
  const finalCarry = new Set(carry)
  const ys = yAvals.map((a, k) => {
    // a y that is the body's own slice of an xs (a residual of linearize) is that xs, unstacked
    // (a new tensor sharing its memory, so that releasing the result leaves the operand alone)
    const j = program.inputs.indexOf(program.outputs[numCarry + k]!) - numConsts - numCarry
    if (j >= 0) {
      for (const s of steps) if (lastRead.get(s[k]!) === k) drop(s[k]!, finalCarry)
      return bind1("reshape", [xs[j]!], { newSizes: xs[j]!.shape })
    }
    if (length === 0) {
      const zero = new ConcreteTensor(aval([], a.dtype), allocHost(a.dtype, 1), undefined)
      return bind1("broadcast_in_dim", [zero], { shape: [0, ...a.shape], broadcastDimensions: [] })
    }
    // ys of rank >= 1 are concatenated along their own first axis, then split into [length, n, ...]
    // (one reshape instead of an expand_dims per step); scalars get their axis first
    const parts = a.shape.length > 0
      ? steps.map((s) => s[k]!)
      : steps.map((s) => bind1("expand_dims", [s[k]!], { dimensions: [0] }))
    if (parts.length === 1) {
      return a.shape.length > 0
        ? bind1("expand_dims", [parts[0]!], { dimensions: [0] })
        : parts[0]!
    }
    const joined = bind1("concatenate", parts, { dimension: 0 })
    const whole = a.shape.length > 0 ? bind1("reshape", [joined], { newSizes: [length, ...a.shape] }) : joined
    if (whole !== joined) drop(joined, finalCarry)
    if (a.shape.length === 0) { for (const part of parts) drop(part, finalCarry) }
    for (const s of steps) if (lastRead.get(s[k]!) === k) drop(s[k]!, finalCarry)
    return whole
  })
  return [...carry, ...ys]
}
