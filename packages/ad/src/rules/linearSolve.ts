/**
 * The rules of `linear_solve` (JAX's `custom_linear_solve`,
 * jax/_src/lax/control_flow/solves.py): derivatives by implicit
 * differentiation at the solution, never through the solver. The JVP solves
 * the same system for `b_dot - A_dot x`; the transpose solves the transposed
 * system (`vecmat`, `transposeSolve`) for the cotangent; batching batches the
 * four programs consistently (a fixpoint over which parts of x and b vary).
 *
 * @since 0.1.0
 */
import { bind, isTensor, lax } from "@diffect/core"
import type { Params, Tensor } from "@diffect/core"
import { evalProgram } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { DerivativeNotImplementedError, NonLinearTransposeError } from "../Errors.js"
import { moveAxis } from "../internal/batchingAxes.js"
import type { JvpRule } from "./jvp.js"
import type { PartialEvalRule } from "./partialEval.js"
import type { TransposeRule } from "./transpose.js"
import type { BatchRule } from "./vmap.js"

/** The operands split as JAX's `_split_linear_solve_args`: each program's constants, then b. */
const split = <A>(xs: ReadonlyArray<A>, { constCounts: [m, v, s, t] }: Params<"linear_solve">) => ({
  matvec: xs.slice(0, m),
  vecmat: xs.slice(m, m + v),
  solve: xs.slice(m + v, m + v + s),
  transposeSolve: xs.slice(m + v + s, m + v + s + t),
  b: xs.slice(m + v + s + t)
})

/** `∂A x`: the tangent of `matvec(consts, x)` from its constants' tangents alone (JAX's `_tangent_linear_map`). */
const tangentOfMatvec = (
  matvec: Program,
  consts: ReadonlyArray<Tensor>,
  constTangents: ReadonlyArray<Tensor | null>,
  x: ReadonlyArray<Tensor>,
  jvpOf: Parameters<JvpRule<"linear_solve">>[3]
): ReadonlyArray<Tensor | null> => {
  const nonzero = [...constTangents.map((t) => t !== null), ...x.map(() => false)]
  const { outNonzero, program } = jvpOf(matvec, nonzero)
  const live = constTangents.filter((t): t is Tensor => t !== null)
  const outs = evalProgram(program, program.consts, [...consts, ...x, ...live])
  let k = matvec.outputs.length
  return outNonzero.map((nz) => (nz ? outs[k++]! : null))
}

/** JAX's `_custom_linear_solve_jvp`: `x_dot = solve(b_dot - A_dot x)`; auxiliary outputs get no tangent. */
export const linearSolveJvp: JvpRule<"linear_solve"> = (primals, tangents, params, jvpOf) => {
  const outs = bind("linear_solve", primals, params)
  const ops = split(primals, params)
  const dots = split(tangents, params)
  const nb = ops.b.length
  const x = outs.slice(0, nb)
  const auxTangents = outs.slice(nb).map(() => null)
  const matvecMoves = dots.matvec.some((t) => t !== null)
  if (!matvecMoves && dots.b.every((t) => t === null)) return [outs, [...x.map(() => null), ...auxTangents]]
  const ax = matvecMoves
    ? tangentOfMatvec(params.matvec, ops.matvec, dots.matvec, x, jvpOf)
    : x.map(() => null)
  const rhs = x.map((xi, i) => {
    const bDot = dots.b[i] ?? null
    const a = ax[i] ?? null
    if (a === null) return bDot ?? lax.zerosLike(xi)
    return bDot === null ? lax.neg(a) : lax.sub(bDot, a)
  })
  const consts = primals.slice(0, primals.length - nb)
  const xDot = bind("linear_solve", [...consts, ...rhs], params).slice(0, nb)
  return [outs, [...xDot, ...auxTangents]]
}

/** The transposed system: matvec and vecmat swapped, solve and transposeSolve swapped (JAX's `jaxprs.transpose()`). */
const transposed = (params: Params<"linear_solve">, transposeSolve: Program, vecmat: Program): Params<
  "linear_solve"
> => {
  const [m, v, s, t] = params.constCounts
  return {
    matvec: vecmat,
    vecmat: params.matvec,
    solve: transposeSolve,
    transposeSolve: params.solve,
    constCounts: [v, m, t, s]
  }
}

/**
 * JAX's `_linear_solve_transpose_rule`: linear in b only; b's cotangent solves
 * the transposed system for x's cotangent (auxiliary outputs' cotangents must
 * be zero).
 */
export const linearSolveTranspose: TransposeRule<"linear_solve"> = (cts, operands, params) => {
  const { transposeSolve, vecmat } = params
  if (transposeSolve === null || vecmat === null) {
    throw new DerivativeNotImplementedError({
      primitive: "customLinearSolve",
      detail: "transposeSolve required for backwards mode automatic differentiation of customLinearSolve"
    })
  }
  const ops = split(operands, params)
  const consts = [...ops.vecmat, ...ops.matvec, ...ops.transposeSolve, ...ops.solve]
  // (a linear operand is not a tensor: rules cannot import its class without a cycle)
  if (!consts.every(isTensor)) {
    throw new NonLinearTransposeError({
      primitive: "linear_solve",
      detail: "the constants of customLinearSolve's linear map are not linear"
    })
  }
  const nb = ops.b.length
  const xCts = cts.slice(0, nb).map((ct, i) => {
    if (ct !== null) return ct
    const a = params.solve.outAvals[i]!
    return lax.full(a.shape, 0, a.dtype, a.weakType)
  })
  const system = transposed(params, transposeSolve, vecmat)
  const bCts = bind("linear_solve", [...(consts as ReadonlyArray<Tensor>), ...xCts], system).slice(0, nb)
  return [...operands.slice(0, operands.length - nb).map(() => null), ...bCts]
}

/** Any unknown operand stages the whole solve (its derivative programs come with it). */
export const linearSolvePartialEval: PartialEvalRule<"linear_solve"> = (operands, unknown, params, stage) =>
  unknown.some((u) => u) ? stage("linear_solve", operands, params) : bind("linear_solve", operands, params)

const orWith = (a: ReadonlyArray<boolean>, b: ReadonlyArray<boolean>): Array<boolean> => a.map((x, i) => x || b[i]!)
const sameMask = (a: ReadonlyArray<boolean>, b: ReadonlyArray<boolean>): boolean => a.every((x, i) => x === b[i])

/**
 * JAX's `_linear_solve_batching_rule`: which parts of x and of b vary is a
 * fixpoint over the four programs (solve and vecmat give x, matvec and
 * transposeSolve give b), so that each program's outputs vary exactly where the
 * others' inputs do; b is then broadcast where it must vary.
 */
export const linearSolveBatch: BatchRule<"linear_solve"> = (operands, dims, params, axis, batchOf) => {
  const batched = dims.map((d) => d !== null)
  const bat = split(batched, params)
  const nb = bat.b.length
  const numAux = params.solve.outputs.length - params.matvec.outputs.length
  let bBat: ReadonlyArray<boolean> = bat.b
  let xBat: ReadonlyArray<boolean> = params.solve.outputs.map(() => false)
  // the masks only grow, so this ends within 1 + (the number of x's and b's parts) rounds
  for (;;) {
    const solve = batchOf(params.solve, [...bat.solve, ...bBat], axis, xBat)
    const vecmat = params.vecmat === null ? null : batchOf(params.vecmat, [...bat.vecmat, ...bBat], axis, bBat)
    const xOut = vecmat === null
      ? solve.outBatched
      : orWith([...vecmat.outBatched, ...Array<boolean>(numAux).fill(true)], solve.outBatched)
    const xNoAux = xOut.slice(0, nb)
    const matvec = batchOf(params.matvec, [...bat.matvec, ...xNoAux], axis, bBat)
    const tSolve = params.transposeSolve === null
      ? null
      : batchOf(params.transposeSolve, [...bat.transposeSolve, ...xNoAux], axis, xOut)
    const bOut = orWith(orWith(matvec.outBatched, tSolve === null ? bat.b : tSolve.outBatched.slice(0, nb)), bat.b)
    if (sameMask(xOut, xBat) && sameMask(bOut, bBat)) {
      const programs: Params<"linear_solve"> = {
        matvec: matvec.program,
        vecmat: vecmat?.program ?? null,
        solve: solve.program,
        transposeSolve: tSolve?.program ?? null,
        constCounts: params.constCounts
      }
      return solveBatched(operands, dims, programs, bBat, axis.size, solve.outBatched)
    }
    xBat = xOut
    bBat = bOut
  }
}

// The batched solve: batched operands' batch dimension first, b broadcast where it must vary.
const solveBatched = (
  operands: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<number | null>,
  programs: Params<"linear_solve">,
  bBat: ReadonlyArray<boolean>,
  size: number,
  outBatched: ReadonlyArray<boolean>
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<number | null>] => {
  const nb = bBat.length
  const b = operands.slice(operands.length - nb)
  const bDims = dims.slice(operands.length - nb)
  const front = (x: Tensor, d: number | null): Tensor => (d === null || d === 0 ? x : moveAxis(x, d, 0))
  const consts = operands.slice(0, operands.length - nb).map((x, i) => front(x, dims[i]!))
  const newB = b.map((x, i) =>
    bBat[i] && bDims[i] === null
      ? lax.broadcastInDim(x, [size, ...x.shape], x.shape.map((_, k) => k + 1))
      : front(x, bDims[i]!)
  )
  const outs = bind("linear_solve", [...consts, ...newB], programs)
  return [outs, outBatched.map((v) => (v ? 0 : null))]
}
