/**
 * `customLinearSolve` (JAX's `lax.custom_linear_solve`): a matrix-free linear
 * solve whose derivatives come from implicit differentiation at the solution
 * rather than from differentiating the solver (which may be an iterative
 * `lax.whileLoop`, with no reverse-mode derivative of its own).
 *
 * @since 0.1.0
 */
import { bind, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { AbstractValue } from "@diffect/core"
import { evalProgram, hoistConsts } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { makeProgramFlat } from "@diffect/core/Staging"
import { argumentError, boolean, checkArg, checkOptions, func } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { leafToTensor } from "./internal/args.js"
import { leavesLike } from "./internal/leavesLike.js"
import { resolve } from "./internal/shell.js"
import { transposeProgram } from "./internal/transpose.js"

/** Options of {@link customLinearSolve}. @since 0.1.0 */
export interface CustomLinearSolveOptions<B> {
  /**
   * Solves the transposed system: `transposeSolve(vecmat, b)`, where `vecmat`
   * is the transpose of `matvec` (computed by autodiff). Needed for reverse
   * mode unless `symmetric`.
   */
  readonly transposeSolve?: ((vecmat: (x: B) => B, b: B) => unknown) | undefined
  /** `matvec` is symmetric (`vecmat` is `matvec`, and `solve` solves the transposed system too). */
  readonly symmetric?: boolean | undefined
  /** `solve` and `transposeSolve` return `[x, aux]`; `aux` (solver diagnostics) is returned, not differentiated. */
  readonly hasAux?: boolean | undefined
}

/** A staged function of b's space, and the tree of its auxiliary outputs. */
interface StagedSolve {
  readonly program: Program
  readonly auxDef: Tree.TreeDef | undefined
}

// Stages `fn` on b's leaves; its output (or, with aux, its first element) must have b's tree and
// shapes, as JAX's `_check_tree` and `_check_shapes` require.
const stageOnB = (
  name: string,
  fn: (x: any) => unknown,
  bDef: Tree.TreeDef,
  avals: ReadonlyArray<AbstractValue>,
  hasAux: boolean
): StagedSolve => {
  let auxDef: Tree.TreeDef | undefined
  const program = makeProgramFlat((ins) => {
    // an Effect (a jacobian or a jitted call inside the solver) is run as it is staged
    const out = resolve("customLinearSolve", fn(Tree.unflatten(bDef, ins)))
    if (hasAux && !(Array.isArray(out) && out.length === 2)) {
      throw argumentError("customLinearSolve", `${name}()'s result`, "a pair [x, aux] (hasAux)", out)
    }
    const [y, aux] = hasAux ? (out as [unknown, unknown]) : [out, undefined]
    const leaves = leavesLike("customLinearSolve", name, "b", y, bDef, avals)
    if (!hasAux) return leaves
    const [auxLeaves, d] = Tree.flatten(aux)
    auxDef = d
    return [...leaves, ...auxLeaves.map((l, k) => leafToTensor("customLinearSolve", l, aux, k, "aux"))]
  }, avals)
  return { program, auxDef }
}

/**
 * Solves `matvec(x) = b` with `solve(matvec, b)`, with derivatives defined by
 * implicit differentiation at the solution (JAX's `lax.custom_linear_solve`):
 * the JVP solves the same system for `b_dot - matvec_dot(x)` (`matvec` may
 * close over values being differentiated), reverse mode solves the transposed
 * system with `transposeSolve` (or `solve` itself when `symmetric`). `solve`
 * itself is never differentiated, so it may be an iterative `lax.whileLoop`.
 * `b`, x and `matvec`'s results share one pytree structure and shapes.
 *
 * @example
 * import { customLinearSolve, grad, linalg, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const a = np.array([[4, 1], [1, 3]])
 * const solve = (_matvec: (x: Tensor) => Tensor, b: Tensor) => linalg.solve(a, b)
 * const x = (b: Tensor) => customLinearSolve((v: Tensor) => np.matmul(a, v), b, solve, { symmetric: true })
 * console.log(toJsSync(x(np.array([1, 2])))) // [0.09090909, 0.6363636]
 * // d sum(x) / db = a^-T 1
 * console.log(toJsSync(runSync(grad((b: Tensor) => np.sum(x(b)))(np.array([1, 2]))))) // [0.18181819, 0.27272728]
 *
 * @category Transformations
 * @since 0.1.0
 */
export function customLinearSolve<B>(
  matvec: (x: B) => B,
  b: B,
  solve: (matvec: (x: B) => B, b: B) => B | Effect.Effect<B, any, any>,
  options?: CustomLinearSolveOptions<B> & { readonly hasAux?: false | undefined }
): B
export function customLinearSolve<B, Aux>(
  matvec: (x: B) => B,
  b: B,
  solve: (matvec: (x: B) => B, b: B) => readonly [B, Aux] | Effect.Effect<readonly [B, Aux], any, any>,
  options: CustomLinearSolveOptions<B> & { readonly hasAux: true }
): readonly [B, Aux]
export function customLinearSolve<B>(
  matvec: (x: B) => B,
  b: B,
  solve: (matvec: (x: B) => B, b: B) => unknown,
  options?: CustomLinearSolveOptions<B>
): unknown {
  checkArg("customLinearSolve", "matvec", matvec, func)
  checkArg("customLinearSolve", "solve", solve, func)
  checkOptions("customLinearSolve", options, { transposeSolve: func, symmetric: boolean, hasAux: boolean })
  const hasAux = options?.hasAux ?? false
  const symmetric = options?.symmetric ?? false
  const transposeSolve = options?.transposeSolve ?? (symmetric ? solve : undefined)
  const [bLeaves, bDef] = Tree.flatten(b)
  const bs = bLeaves.map((l, k) => leafToTensor("customLinearSolve", l, b, k, "b"))
  const avals = bs.map((t) => t.aval)
  // matvec takes no auxiliary output; solve is staged with matvec closed in (JAX's partial(solve, matvec))
  const matvecStaged = stageOnB("matvec", matvec, bDef, avals, false).program
  const solveStaged = stageOnB("solve", (v) => solve(matvec, v as B), bDef, avals, hasAux)
  let vecmat: Program | null = null
  let tSolve: Program | null = null
  if (transposeSolve !== undefined) {
    vecmat = symmetric ? matvecStaged : transposeProgram(matvecStaged, avals.map(() => true))
    const vm = vecmat
    const vecmatFn = (y: B): B => {
      const [ys] = Tree.flatten(y)
      const leaves = ys.map((l, k) => leafToTensor("customLinearSolve", l, y, k, "vecmat's argument"))
      return Tree.unflatten<B>(bDef, evalProgram(vm, vm.consts, leaves))
    }
    tSolve = stageOnB(
      "transposeSolve",
      (v) => transposeSolve(symmetric ? matvec : vecmatFn, v as B),
      bDef,
      avals,
      hasAux
    )
      .program
  }
  // each program's traced constants become leading operands (JAX's const_lengths)
  const hoisted = [matvecStaged, vecmat, solveStaged.program, tSolve].map((p) =>
    p === null ? { program: null, hoisted: [] as ReadonlyArray<Tensor> } : hoistConsts(p)
  )
  const [m, v, s, t] = hoisted as [typeof hoisted[0], typeof hoisted[0], typeof hoisted[0], typeof hoisted[0]]
  const outs = bind("linear_solve", [...m.hoisted, ...v.hoisted, ...s.hoisted, ...t.hoisted, ...bs], {
    matvec: m.program!,
    vecmat: v.program,
    solve: s.program!,
    transposeSolve: t.program,
    constCounts: [m.hoisted.length, v.hoisted.length, s.hoisted.length, t.hoisted.length]
  })
  const x = Tree.unflatten<B>(bDef, outs.slice(0, bs.length))
  if (!hasAux) return x
  return [x, Tree.unflatten(solveStaged.auxDef!, outs.slice(bs.length))] as const
}
