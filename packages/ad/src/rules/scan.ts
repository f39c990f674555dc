/**
 * The rules of the higher-order primitive `scan` (JAX's jax/_src/lax/control_flow/loops.py):
 *
 * - JVP: a scan of the body's JVP, the tangents carried alongside (which carry
 *   tangents are non-zero is a fixed point, as `_scan_jvp`);
 * - partial evaluation (linearize): the body split by `partialEvalProgram` into
 *   a known scan, run now, that also stacks the residuals of every iteration,
 *   and an unknown scan, staged, that reads them (`_scan_partial_eval`);
 *   residuals that are loop-invariant constants are passed once, not stacked;
 * - transpose: a reverse scan of the body's transpose, the cotangents of the
 *   linear constants accumulated in the carry (`_scan_transpose`);
 * - batching: a scan of the batched body (which carries are batched is a
 *   fixed point), the batch dimension of the xs and ys at axis 1.
 *
 * Each rebuilds the body in the scan's operand layout with `makeProgramFlat`
 * over `evalProgram`, cached by body identity and mask so that a jitted caller
 * derives it once.
 *
 * @since 0.1.0
 */
import { bind, lax } from "@diffect/core"
import type { AbstractValue, Params, Tensor } from "@diffect/core"
import { evalProgram } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { makeProgramFlat } from "@diffect/core/Staging"
import { NonLinearTransposeError } from "../Errors.js"
import { batchAtFront, moveAxis } from "../internal/batchingAxes.js"
import type { PartialEval } from "../internal/partialEval.js"
import { cachedByMask, maskKey } from "../internal/programCache.js"
import { tangentAval, zerosOf, zeroTangent } from "../internal/tangents.js"
import type { JvpRule } from "./jvp.js"
import type { SplitProgram, Stage } from "./partialEval.js"
import type { BatchRule } from "./vmap.js"

const derived = new WeakMap<Program, Map<string, unknown>>()
const derive = <A>(program: Program, key: string, make: () => A): A =>
  cachedByMask(derived as WeakMap<Program, Map<string, A>>, program, key, make)

const pick = <A>(xs: ReadonlyArray<A>, mask: ReadonlyArray<boolean>, keep = true): Array<A> =>
  xs.filter((_, i) => mask[i] === keep)
const stacked = (a: AbstractValue, length: number): AbstractValue => ({ ...a, shape: [length, ...a.shape] })
const unstacked = (a: AbstractValue): AbstractValue => ({ ...a, shape: a.shape.slice(1) })
const sameMask = (a: ReadonlyArray<boolean>, b: ReadonlyArray<boolean>) => a.every((x, i) => x === b[i])

/** Splits the scan's operands (or body inputs) into consts, carry and xs. */
const parts = <A>(xs: ReadonlyArray<A>, { numCarry, numConsts }: Params<"scan">) =>
  [xs.slice(0, numConsts), xs.slice(numConsts, numConsts + numCarry), xs.slice(numConsts + numCarry)] as const

// ---------------------------------------------------------------------------
// JVP

/** `scan`'s JVP (JAX's `_scan_jvp`). */
export const scanJvp: JvpRule<"scan"> = (primals, tangents, params, jvpOf) => {
  const { numCarry: nk, program } = params
  const nz = tangents.map((t) => t !== null)
  const [constNz, carryNz0, xsNz] = parts(nz, params)
  if (!nz.some((b) => b)) return [bind("scan", primals, params), program.outputs.map(() => null)]
  // fixed point: a carry whose output tangent is non-zero has a non-zero input tangent
  let carryNz = carryNz0
  let jvp = jvpOf(program, [...constNz, ...carryNz, ...xsNz])
  for (;;) {
    const out = jvp.outNonzero.slice(0, nk)
    if (out.every((b, i) => !b || carryNz[i])) break
    carryNz = carryNz.map((b, i) => b || out[i]!)
    jvp = jvpOf(program, [...constNz, ...carryNz, ...xsNz])
  }
  const yNz = jvp.outNonzero.slice(nk)
  const [consts, carry, xs] = parts(primals, params)
  const [tConsts, tCarry, tXs] = parts(tangents, params)
  const liveC = pick(tConsts, constNz) as Array<Tensor>
  const liveK = carry.map((c, i) => (carryNz[i] ? tCarry[i] ?? zeroTangent(c.aval) : null)).filter((t) => t !== null)
  const liveX = pick(tXs, xsNz) as Array<Tensor>
  const body = derive(program, `jvp:${maskKey([...constNz, ...carryNz, ...xsNz])}`, () => {
    const avals = [
      ...consts.map((c) => c.aval),
      ...liveC.map((t) => t.aval),
      ...carry.map((c) => c.aval),
      ...liveK.map((t) => t.aval),
      ...xs.map((x) => unstacked(x.aval)),
      ...liveX.map((t) => unstacked(t.aval))
    ]
    return makeProgramFlat((ins) => {
      let k = 0
      const take = (n: number) => ins.slice(k, k += n)
      const [c, tc, kk, tk, x, tx] = [
        take(consts.length),
        take(liveC.length),
        take(carry.length),
        take(liveK.length),
        take(xs.length),
        take(liveX.length)
      ]
      const outs = evalProgram(jvp.program, jvp.program.consts, [...c, ...kk, ...x, ...tc, ...tk, ...tx])
      const n = program.outputs.length
      let j = n
      const outT = jvp.outNonzero.map((b) => (b ? outs[j++]! : null))
      const carryT = outs.slice(0, nk).flatMap((o, i) => carryNz[i] ? [outT[i] ?? zeroTangent(o.aval)] : [])
      return [...outs.slice(0, nk), ...carryT, ...outs.slice(nk, n), ...(pick(outT.slice(nk), yNz) as Array<Tensor>)]
    }, avals)
  })
  const outs = bind("scan", [...consts, ...liveC, ...carry, ...liveK, ...xs, ...liveX], {
    ...params,
    program: body,
    numConsts: consts.length + liveC.length,
    numCarry: nk + liveK.length
  })
  const nLiveK = liveK.length
  const ny = program.outputs.length - nk
  const carryOut = outs.slice(0, nk)
  const carryT = outs.slice(nk, nk + nLiveK)
  const ys = outs.slice(nk + nLiveK, nk + nLiveK + ny)
  const yT = outs.slice(nk + nLiveK + ny)
  let a = 0
  let b = 0
  return [
    [...carryOut, ...ys],
    [...carryNz.map((nzc) => (nzc ? carryT[a++]! : null)), ...yNz.map((nzy) => (nzy ? yT[b++]! : null))]
  ]
}

// ---------------------------------------------------------------------------
// Partial evaluation

/** `scan`'s partial evaluation (JAX's `_scan_partial_eval`): the split of `splitScan`, the known scan run now. */
export const scanPartialEval = (
  operands: ReadonlyArray<Tensor>,
  unknown: ReadonlyArray<boolean>,
  params: Params<"scan">,
  stage: Stage,
  split: SplitProgram
): ReadonlyArray<Tensor> => {
  const s = splitScan(params, unknown, split)
  const [consts, carry, xs] = parts(operands, params)
  const [constU, , xsU] = parts(unknown, params)
  const knownConsts = pick(consts, constU, false)
  const knownOuts = bind(
    "scan",
    [...knownConsts, ...pick(carry, s.carryUnknown, false), ...pick(xs, xsU, false)],
    s.known
  )
  const nKnownCarry = s.known.numCarry
  const nKnownOuts = knownOuts.length - s.stacked
  const staged = stage("scan", [
    ...s.constResidual.map((i) => knownConsts[i]!),
    ...pick(consts, constU),
    ...pick(carry, s.carryUnknown),
    ...knownOuts.slice(nKnownOuts),
    ...pick(xs, xsU)
  ], s.unknown)
  const nuk = s.unknown.numCarry
  let kc = 0
  let uc = 0
  let ky = nKnownCarry
  let uy = nuk
  return [
    ...s.carryUnknown.map((u) => (u ? staged[uc++]! : knownOuts[kc++]!)),
    ...s.yUnknown.map((u) => (u ? staged[uy++]! : knownOuts[ky++]!))
  ]
}

// ---------------------------------------------------------------------------
// Transpose

/** `scan`'s transpose (JAX's `_scan_transpose`): a reverse scan of the body's transpose. */
export const scanTranspose = (
  cts: ReadonlyArray<Tensor | null>,
  operands: ReadonlyArray<Tensor | { readonly aval: AbstractValue }>,
  params: Params<"scan">,
  transposeOf: (program: Program, linear: ReadonlyArray<boolean>) => Program,
  isLinear: (x: Tensor | { readonly aval: AbstractValue }) => boolean
): ReadonlyArray<Tensor | null> => {
  const steps = scanTransposeSteps(cts, operands, params, transposeOf, isLinear, (ops, ps) => bind("scan", ops, ps))
  for (;;) {
    const r = steps.next()
    if (r.done === true) return r.value
  }
}

/**
 * `scanTranspose` as steps: the reverse scan runs through `runScan`, which
 * either returns its outputs or gives steps that yield between its iterations
 * (the backward pass evaluating it at the bottom of the stack, so that a
 * pullback run as an Effect is interruptible inside).
 */
export function* scanTransposeSteps(
  cts: ReadonlyArray<Tensor | null>,
  operands: ReadonlyArray<Tensor | { readonly aval: AbstractValue }>,
  params: Params<"scan">,
  transposeOf: (program: Program, linear: ReadonlyArray<boolean>) => Program,
  isLinear: (x: Tensor | { readonly aval: AbstractValue }) => boolean,
  runScan: (
    operands: ReadonlyArray<Tensor>,
    params: Params<"scan">
  ) => ReadonlyArray<Tensor> | Generator<unknown, ReadonlyArray<Tensor>, unknown>
): Generator<unknown, ReadonlyArray<Tensor | null>, unknown> {
  const { length, numCarry: nk, program, reverse } = params
  // A carry initialized with a constant (a zero tangent instantiated by the JVP) is
  // still a linear carry of the body; its cotangent is dropped (as JAX's `init_lin`).
  const given = operands.map(isLinear)
  const [cLin, kGiven, xLin] = parts(given, params)
  const lin = [...cLin, ...kGiven.map(() => true), ...xLin]
  if (!given.some((b) => b)) {
    throw new NonLinearTransposeError({ primitive: "scan", detail: "none of its operands is linear" })
  }
  const [consts, carry, xs] = parts(operands, params)
  const cNl = pick(consts, cLin, false) as Array<Tensor>
  const xNl = pick(xs, xLin, false) as Array<Tensor>
  const cLinAvals = pick(consts, cLin).map((c) => c.aval)
  const carryAvals = carry.map((c) => c.aval)
  const outAvals = program.outAvals
  const ctCarry = cts.slice(0, nk).map((ct, i) => ct ?? zerosOf(tangentAval(outAvals[i]!)))
  const ctYs = cts.slice(nk).map((ct, j) => ct ?? zerosOf(stacked(tangentAval(outAvals[nk + j]!), length)))
  const transposed = transposeOf(program, lin)
  const body = derive(program, `transpose:${maskKey(lin)}`, () => {
    const avals = [
      ...cNl.map((c) => c.aval),
      ...cLinAvals.map(tangentAval),
      ...carryAvals.map(tangentAval),
      ...xNl.map((x) => unstacked(x.aval)),
      ...outAvals.slice(nk).map(tangentAval)
    ]
    return makeProgramFlat((ins) => {
      let k = 0
      const take = (n: number) => ins.slice(k, k += n)
      const [c, acc, ctK, x, ctY] = [
        take(cNl.length),
        take(cLinAvals.length),
        take(nk),
        take(xNl.length),
        take(ctYs.length)
      ]
      const outs = evalProgram(transposed, transposed.consts, [...c, ...x, ...ctK, ...ctY])
      const ctC = outs.slice(0, acc.length)
      return [...acc.map((a, i) => lax.add(a, ctC[i]!)), ...outs.slice(acc.length)]
    }, avals)
  })
  const accInit = cLinAvals.map((a) => zerosOf(tangentAval(a)))
  const ran = runScan([...cNl, ...accInit, ...ctCarry, ...xNl, ...ctYs], {
    ...params,
    program: body,
    reverse: !reverse,
    numConsts: cNl.length,
    numCarry: accInit.length + nk
  })
  const outs = Array.isArray(ran) ? ran : yield* (ran as Generator<unknown, ReadonlyArray<Tensor>, unknown>)
  const ctC = outs.slice(0, accInit.length)
  const ctInit = outs.slice(accInit.length, accInit.length + nk)
  const ctX = outs.slice(accInit.length + nk)
  let a = 0
  let b = 0
  return [
    ...cLin.map((l) => (l ? ctC[a++]! : null)),
    ...ctInit.map((ct, i) => (kGiven[i] ? ct : null)),
    ...xLin.map((l) => (l ? ctX[b++]! : null))
  ]
}

// ---------------------------------------------------------------------------
// Batching

/** `scan`'s batching rule (JAX's `_scan_batching_rule`). */
export const scanBatch: BatchRule<"scan"> = (operands, dims, params, axis, batchOf) => {
  const { numCarry: nk, program } = params
  const b = dims.map((d) => d !== null)
  const [constB, carryB0, xsB] = parts(b, params)
  const ny = program.outputs.length - nk
  let carryB = carryB0
  let batched = batchOf(program, [...constB, ...carryB, ...xsB], axis, [
    ...carryB,
    ...new Array<boolean>(ny).fill(false)
  ])
  for (;;) {
    const out = batched.outBatched.slice(0, nk)
    if (sameMask(out, carryB)) break
    carryB = carryB.map((x, i) => x || out[i]!)
    batched = batchOf(program, [...constB, ...carryB, ...xsB], axis, [...carryB, ...new Array<boolean>(ny).fill(false)])
  }
  const [consts, carry, xs] = parts(operands, params)
  const [cd, kd, xd] = parts(dims, params)
  const ops = [
    ...consts.map((c, i) => (cd[i] === null ? c : moveAxis(c, cd[i]!, 0))),
    ...carry.map((c, i) => (carryB[i] ? batchAtFront(c, kd[i]!, axis.size) : c)),
    ...xs.map((x, i) => (xd[i] === null ? x : moveAxis(x, xd[i]!, 1)))
  ]
  const outs = bind("scan", ops, { ...params, program: batched.program })
  return [outs, batched.outBatched.map((ob, i) => (ob ? (i < nk ? 0 : 1) : null))]
}

/**
 * How a `scan` with some unknown operands splits: a known scan, on
 * `[known consts, known carry, known xs]`, giving `[known carry, known ys,
 * stacked residuals]`; and an unknown scan, on `[constant residuals (known
 * consts picked by constResidual), unknown consts, unknown carry, stacked
 * residuals, unknown xs]`, giving `[unknown carry, unknown ys]`. The unknown
 * carries are a fixed point (a carry the body makes unknown is unknown).
 *
 * @since 0.1.0
 */
export interface ScanSplit {
  readonly carryUnknown: ReadonlyArray<boolean>
  readonly yUnknown: ReadonlyArray<boolean>
  readonly known: Params<"scan">
  readonly unknown: Params<"scan">
  /** For each constant residual, its index among the known consts. */
  readonly constResidual: ReadonlyArray<number>
  readonly stacked: number
}

/** Splits a scan by `unknown` (one flag per operand), cached by body and mask. @since 0.1.0 */
export const splitScan = (params: Params<"scan">, unknown: ReadonlyArray<boolean>, split: SplitProgram): ScanSplit =>
  derive(
    params.program,
    `split:${params.numConsts}|${params.numCarry}|${maskKey(unknown)}`,
    () => makeScanSplit(params, unknown, split)
  )

const makeScanSplit = (params: Params<"scan">, unknown: ReadonlyArray<boolean>, splitOf: SplitProgram): ScanSplit => {
  const { numCarry: nk, numConsts: nc, program } = params
  const constU = unknown.slice(0, nc)
  const xsU = unknown.slice(nc + nk)
  const ny = program.outputs.length - nk
  const noYs = new Array<boolean>(ny).fill(false)
  let carryU = unknown.slice(nc, nc + nk)
  let split: PartialEval = splitOf(program, [...constU, ...carryU, ...xsU], [...carryU, ...noYs])
  for (;;) {
    const out = split.outUnknown.slice(0, nk)
    if (sameMask(out, carryU)) break
    carryU = carryU.map((u, i) => u || out[i]!)
    split = splitOf(program, [...constU, ...carryU, ...xsU], [...carryU, ...noYs])
  }
  const known = split.known
  const nKnownConsts = constU.filter((u) => !u).length
  const nKnownCarry = carryU.filter((u) => !u).length
  const nKnownOuts = known.outputs.length - split.residuals
  // a residual that is a known constant input of the body is passed once; the others are stacked
  const constIndex = known.outputs.slice(nKnownOuts).map((v) => {
    const i = known.inputs.indexOf(v)
    return i >= 0 && i < nKnownConsts ? i : -1
  })
  const isConst = constIndex.map((i) => i >= 0)
  const knownBody = makeProgramFlat((ins) => {
    const outs = evalProgram(known, known.consts, ins)
    return [...outs.slice(0, nKnownOuts), ...outs.slice(nKnownOuts).filter((_, r) => !isConst[r])]
  }, known.inAvals)
  const unknownProgram = split.unknown
  const resAvals = unknownProgram.inAvals.slice(0, split.residuals)
  const rest = unknownProgram.inAvals.slice(split.residuals)
  const nuc = constU.filter((u) => u).length
  const nuk = carryU.filter((u) => u).length
  const nConstRes = isConst.filter((b) => b).length
  const nStacked = split.residuals - nConstRes
  const unknownBody = makeProgramFlat((ins) => {
    const cr = ins.slice(0, nConstRes)
    const ck = ins.slice(nConstRes, nConstRes + nuc + nuk)
    const sr = ins.slice(nConstRes + nuc + nuk, nConstRes + nuc + nuk + nStacked)
    const ux = ins.slice(nConstRes + nuc + nuk + nStacked)
    let a = 0
    let b = 0
    const residuals = isConst.map((c) => (c ? cr[a++]! : sr[b++]!))
    return evalProgram(unknownProgram, unknownProgram.consts, [...residuals, ...ck, ...ux])
  }, [
    ...resAvals.filter((_, r) => isConst[r]),
    ...rest.slice(0, nuc + nuk),
    ...resAvals.filter((_, r) => !isConst[r]),
    ...rest.slice(nuc + nuk)
  ])
  return {
    carryUnknown: carryU,
    yUnknown: split.outUnknown.slice(nk),
    known: { ...params, program: knownBody, numConsts: nKnownConsts, numCarry: nKnownCarry },
    unknown: { ...params, program: unknownBody, numConsts: nConstRes + nuc, numCarry: nuk },
    constResidual: constIndex.filter((i) => i >= 0),
    stacked: nStacked
  }
}
