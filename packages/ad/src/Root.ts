/**
 * `customRoot` (JAX's `lax.custom_root`): a root finder whose derivatives
 * come from the implicit function theorem at the root, not from
 * differentiating the solver's iterations.
 *
 * @since 0.1.0
 */
import { customJvpCall, lax, Tree } from "@diffect/core"
import type { AbstractValue, Tensor } from "@diffect/core"
import { evalProgram, hoistConsts } from "@diffect/core/Program"
import type { Program } from "@diffect/core/Program"
import { makeProgramFlat } from "@diffect/core/Staging"
import { argumentError, boolean, checkArg, checkOptions, func } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { leafToTensor } from "./internal/args.js"
import { jvpFlat } from "./internal/jvp.js"
import { leavesLike } from "./internal/leavesLike.js"
import { resolve } from "./internal/shell.js"

/** Options of {@link customRoot}. @since 0.1.0 */
export interface CustomRootOptions {
  /** `solve` returns `[root, aux]`; `aux` (solver diagnostics) is returned, not differentiated. */
  readonly hasAux?: boolean | undefined
}

const leavesLikeX = (name: string, out: unknown, xDef: Tree.TreeDef, avals: ReadonlyArray<AbstractValue>) =>
  leavesLike("customRoot", name, "initialGuess", out, xDef, avals)

/**
 * Finds a root of `f` with `solve(f, initialGuess)`, with derivatives with
 * respect to the values `f` closes over given by the implicit function theorem
 * at the root (JAX's `lax.custom_root`): the root's tangent is
 * `-tangentSolve(g, f_dot)`, where `g` is `f` linearized in x at the root and
 * `f_dot` the tangent of `f` from its closed-over values. `tangentSolve(g, y)`
 * solves `g(x) = y`: for a scalar, `(g, y) => y / g(1)`. `solve` is never
 * differentiated (it may be a `lax.whileLoop`); for reverse mode,
 * `tangentSolve` must be linear in `y` (`linalg.solve`, `customLinearSolve`).
 *
 * @example
 * import { customRoot, grad, lax, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // sqrt(a) as the root of x^2 - a, by 30 Newton steps
 * const newton = (f: (x: Tensor) => Tensor, x0: Tensor) =>
 *   lax.foriLoop(0, 30, (_k, x: Tensor) => np.subtract(x, np.divide(f(x), np.multiply(2, x))), x0)
 * const sqrt = (a: Tensor) =>
 *   customRoot((x: Tensor) => np.subtract(np.square(x), a), np.array(1), newton, (g, y: Tensor) => np.divide(y, g(np.array(1))))
 * console.log(toJsSync(sqrt(np.array(2)))) // 1.4142135
 * // d sqrt(a) / da = 1 / (2 sqrt(a))
 * console.log(toJsSync(runSync(grad(sqrt)(np.array(4))))) // 0.25
 *
 * @category Transformations
 * @since 0.1.0
 */
export function customRoot<X>(
  f: (x: X) => X,
  initialGuess: X,
  solve: (f: (x: X) => X, initialGuess: X) => X | Effect.Effect<X, any, any>,
  tangentSolve: (g: (x: X) => X, y: X) => X | Effect.Effect<X, any, any>,
  options?: CustomRootOptions & { readonly hasAux?: false | undefined }
): X
export function customRoot<X, Aux>(
  f: (x: X) => X,
  initialGuess: X,
  solve: (f: (x: X) => X, initialGuess: X) => readonly [X, Aux] | Effect.Effect<readonly [X, Aux], any, any>,
  tangentSolve: (g: (x: X) => X, y: X) => X | Effect.Effect<X, any, any>,
  options: CustomRootOptions & { readonly hasAux: true }
): readonly [X, Aux]
export function customRoot<X>(
  f: (x: X) => X,
  initialGuess: X,
  solve: (f: (x: X) => X, initialGuess: X) => unknown,
  tangentSolve: (g: (x: X) => X, y: X) => unknown,
  options?: CustomRootOptions
): unknown {
  checkArg("customRoot", "f", f, func)
  checkArg("customRoot", "solve", solve, func)
  checkArg("customRoot", "tangentSolve", tangentSolve, func)
  checkOptions("customRoot", options, { hasAux: boolean })
  const hasAux = options?.hasAux ?? false
  const [guessLeaves, xDef] = Tree.flatten(initialGuess)
  const guess = guessLeaves.map((l, k) => leafToTensor("customRoot", l, initialGuess, k, "initialGuess"))
  const avals = guess.map((t) => t.aval)
  const n = guess.length
  const fProgram = makeProgramFlat(
    (xs) => leavesLikeX("f", resolve("customRoot", f(Tree.unflatten(xDef, xs))), xDef, avals),
    avals
  )
  let auxDef: Tree.TreeDef | undefined
  const solveProgram = makeProgramFlat((xs) => {
    // an Effect (a jitted call, a nested transformation in the solver) is run as it is staged
    const out = resolve("customRoot", solve(f, Tree.unflatten(xDef, xs)))
    if (hasAux && !(Array.isArray(out) && out.length === 2)) {
      throw argumentError("customRoot", "solve()'s result", "a pair [root, aux] (hasAux)", out)
    }
    const [root, aux] = hasAux ? (out as [unknown, unknown]) : [out, undefined]
    const roots = leavesLikeX("solve", root, xDef, avals)
    if (!hasAux) return roots
    const [auxLeaves, d] = Tree.flatten(aux)
    auxDef = d
    return [...roots, ...auxLeaves.map((l, k) => leafToTensor("customRoot", l, aux, k, "aux"))]
  }, avals)
  // tangentSolve(f linearized in x at x, b) (JAX's linearize_and_solve), staged on (x, b)
  const linearizeAndSolve = makeProgramFlat((ins) => {
    const x = ins.slice(0, n)
    const g = (t: X): X => {
      const [tangents] = Tree.flatten(t)
      const ts = tangents.map((l, k) => leafToTensor("customRoot", l, t, k, "the linearized f's argument"))
      const [, out] = jvpFlat((xs) => evalProgram(fProgram, fProgram.consts, xs), x, ts)
      return Tree.unflatten<X>(xDef, out)
    }
    const dx = resolve("customRoot", tangentSolve(g, Tree.unflatten<X>(xDef, ins.slice(n))))
    return leavesLikeX("tangentSolve", dx, xDef, avals)
  }, [...avals, ...avals])
  const [fp, sp, lp] = [fProgram, solveProgram, linearizeAndSolve].map(hoistConsts) as [Hoisted, Hoisted, Hoisted]
  const [nf, ns, nl] = [fp.hoisted.length, sp.hoisted.length, lp.hoisted.length]
  const run = (p: Program, xs: ReadonlyArray<Tensor>) => evalProgram(p, p.consts, xs)
  const root = (ops: ReadonlyArray<Tensor>) => run(sp.program, [...ops.slice(nf, nf + ns), ...ops.slice(nf + ns + nl)])
  // the root as a function with its own JVP rule, which calls it again (JAX's `_custom_root`), so
  // that a derivative of the rule's own computation goes through the rule too, never the solver
  const rootCall = (ops: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> =>
    customJvpCall({
      name: "customRoot",
      f: root,
      // F(m, u*(m)) = 0 gives du* = -(d_u F)^-1 d_m F [dm]: the closed-over values' tangents through
      // f at the root, then the tangent solve; the initial guess and the solver's values get none
      jvp: (primals, tangents) => {
        const sol = rootCall(primals)
        const x = sol.slice(0, n)
        const [, rhs] = jvpFlat((ms) => run(fp.program, [...ms, ...x]), primals.slice(0, nf), tangents.slice(0, nf))
        const dx = run(lp.program, [...primals.slice(nf + ns, nf + ns + nl), ...x, ...rhs]).map((t) => lax.neg(t))
        return [sol, [...dx, ...sol.slice(n).map(() => null)]]
      }
    }, ops)
  const outs = rootCall([...fp.hoisted, ...sp.hoisted, ...lp.hoisted, ...guess])
  const x = Tree.unflatten(xDef, outs.slice(0, n))
  return hasAux ? [x, Tree.unflatten(auxDef!, outs.slice(n))] as const : x
}

type Hoisted = ReturnType<typeof hoistConsts>
