/**
 * `customLinearSolve` (JAX's `lax.custom_linear_solve`; tests/custom_linear_solve_test.py):
 * the solve's value, and derivatives by implicit differentiation checked against the
 * same functions written with `linalg.solve` (differentiated through), against float64
 * central differences, and by hand; an iterative solver (a `lax.whileLoop` conjugate
 * gradient, which has no reverse-mode derivative of its own); vmap, jit, hessian,
 * pytrees, auxiliary outputs and typed errors.
 */
import { lax, linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { grad, valueAndGrad } from "../src/Grad.js"
import { hessian, jacfwd } from "../src/Jacobian.js"
import { jit } from "../src/Jit.js"
import { jvp } from "../src/Jvp.js"
import { customLinearSolve } from "../src/LinearSolve.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertCloseAll, failure, run, thrown, values } from "./vmapSupport.js"

const matvecOf = (a: Tensor) => (v: Tensor) => np.matmul(a, v)
const direct = (a: Tensor) => (_matvec: (x: Tensor) => Tensor, b: Tensor) => linalg.solve(a, b)
const directT = (a: Tensor) => (_vecmat: (x: Tensor) => Tensor, b: Tensor) => linalg.solve(np.transpose(a), b)

/** Conjugate gradients for `steps` iterations of a `lax.whileLoop` (exact in n steps for n x n SPD). */
const cg = (steps: number) => (matvec: (x: Tensor) => Tensor, b: Tensor): Tensor => {
  const init = [np.array(0), np.zerosLike(b), b, b, np.sum(np.square(b))] as const
  type State = typeof init
  const [, x] = lax.whileLoop(
    ([k]: State) => np.less(k, steps),
    ([k, x, r, p, rr]: State) => {
      const ap = matvec(p)
      // a zero direction (b = 0, or converged) takes no step instead of 0 / 0
      const pap = np.sum(np.multiply(p, ap))
      const alpha = np.where(np.greater(pap, 0), np.divide(rr, np.where(np.greater(pap, 0), pap, 1)), 0)
      const x1 = np.add(x, np.multiply(alpha, p))
      const r1 = np.subtract(r, np.multiply(alpha, ap))
      const rr1 = np.sum(np.square(r1))
      // once converged (rr1 = 0) the direction stops changing
      const beta = np.where(np.greater(rr, 0), np.divide(rr1, np.where(np.greater(rr, 0), rr, 1)), 0)
      return [np.add(k, 1), x1, r1, np.add(r1, np.multiply(beta, p)), rr1] as const
    },
    init
  )
  return x
}

// A symmetric positive definite matrix from n * n numbers: m m^T + n I.
const spd = (xs: ReadonlyArray<number>, n: number): Tensor => {
  const m = np.reshape(np.array([...xs], { dtype: "float64" }), [n, n])
  return np.add(np.matmul(m, np.transpose(m)), np.multiply(np.eye(n, { dtype: "float64" }), n))
}

describe("customLinearSolve: values", () => {
  it("is solve(matvec, b), and an iterative solver gives the same x", () => {
    const a = arr([[4, 1], [1, 3]])
    const b = arr([1, 2])
    // x = a^-1 b = [1, 7] / 11
    assertCloseAll(customLinearSolve(matvecOf(a), b, direct(a), { symmetric: true }), arr([1 / 11, 7 / 11]), 1e-14)
    assertCloseAll(customLinearSolve(matvecOf(a), b, cg(2), { symmetric: true }), arr([1 / 11, 7 / 11]), 1e-12)
  })

  it("hasAux: the solver's auxiliary output comes back as is", () => {
    const a = arr([[2, 0], [0, 4]])
    const withCount = (_m: (x: Tensor) => Tensor, b: Tensor) =>
      [linalg.solve(a, b), { iterations: np.array(7) }] as const
    const [x, aux] = customLinearSolve(matvecOf(a), arr([2, 2]), withCount, { hasAux: true, symmetric: true })
    assert.deepStrictEqual(values(x), [1, 0.5])
    assert.deepStrictEqual(values(aux.iterations), 7)
    // its gradient ignores the auxiliary output
    const g = run(
      grad((b: Tensor) => np.sum(customLinearSolve(matvecOf(a), b, withCount, { hasAux: true, symmetric: true })[0]))(
        arr([2, 2])
      )
    )
    assert.deepStrictEqual(values(g), [0.5, 0.25])
  })

  it("b may be a pytree: x has b's structure", () => {
    // the block system [[2, 1], [1, 2]] acting on (u, v) elementwise
    const matvec = ({ u, v }: { u: Tensor; v: Tensor }) => ({
      u: np.add(np.multiply(u, 2), v),
      v: np.add(u, np.multiply(v, 2))
    })
    const solve = (_m: unknown, { u, v }: { u: Tensor; v: Tensor }) => ({
      u: np.divide(np.subtract(np.multiply(u, 2), v), 3),
      v: np.divide(np.subtract(np.multiply(v, 2), u), 3)
    })
    const x = customLinearSolve(matvec, { u: arr([3, 0]), v: arr([3, 3]) }, solve, { symmetric: true })
    assert.deepStrictEqual(values(x.u), [1, -1])
    assert.deepStrictEqual(values(x.v), [1, 2])
  })
})

describe("customLinearSolve: derivatives", () => {
  // sum(w * x(A, b)) with x = A^-1 b, written with the custom solve and with linalg.solve
  const w = arr([0.3, -1.2, 0.7])
  // cg assumes a symmetric matrix (symmetric: true); direct solves any, with its transpose
  const viaCustom = (solver: "direct" | "cg") => (a: Tensor, b: Tensor) =>
    np.sum(np.multiply(
      w,
      solver === "cg"
        ? customLinearSolve(matvecOf(a), b, cg(3), { symmetric: true })
        : customLinearSolve(matvecOf(a), b, direct(a), { transposeSolve: directT(a) })
    ))
  const viaSolve = (a: Tensor, b: Tensor) => np.sum(np.multiply(w, linalg.solve(a, b)))

  it("the gradient in A (through matvec's closure) and in b equals linalg.solve's, for an iterative solver too (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (ms, bs) => {
          const a = spd(ms, 3)
          const b = arr(bs)
          const want = run(grad(viaSolve, { argnums: [0, 1] })(a, b))
          for (const solver of ["direct", "cg"] as const) {
            const got = run(grad(viaCustom(solver), { argnums: [0, 1] })(a, b))
            assertCloseAll(got[0], want[0], 1e-9)
            assertCloseAll(got[1], want[1], 1e-9)
          }
        }
      ),
      { numRuns: 10 }
    )
  })

  it("the gradient matches central differences (float64), by hand: d/db = A^-T w, d/dA = -A^-T w x^T", () => {
    const a = arr([[3, 1, 0], [1, 4, 1], [0, 1, 5]])
    const b = arr([1, -1, 2])
    const [ga, gb] = run(grad(viaCustom("cg"), { argnums: [0, 1] })(a, b))
    // every entry of A perturbed alone (A no longer symmetric): the direct solver's function
    const [gd] = run(grad(viaCustom("direct"), { argnums: [0, 1] })(a, b))
    assertCloseAll(gd, ga, 1e-10)
    const lambda = linalg.solve(np.transpose(a), w)
    const x = linalg.solve(a, b)
    assertCloseAll(gb, lambda, 1e-10)
    assertCloseAll(ga, np.negative(np.outer(lambda, x)), 1e-10)
    const h = 1e-6
    const f = (aa: Tensor) => values(viaCustom("direct")(aa, b)) as number
    const flatA = (values(a) as Array<Array<number>>).flat()
    flatA.forEach((_, k) => {
      const at = (d: number) => np.reshape(arr(flatA.map((v, q) => (q === k ? v + d : v))), [3, 3])
      const fd = (f(at(h)) - f(at(-h))) / (2 * h)
      assert.closeTo((values(ga) as Array<Array<number>>).flat()[k]!, fd, 1e-7)
    })
  })

  it("a nonsymmetric system needs transposeSolve, which reverse mode uses; forward mode needs only solve", () => {
    const a = arr([[4, 2, 0], [1, 3, 1], [0, 2, 5]])
    const b = arr([1, 2, 3])
    const f = (m: Tensor) =>
      np.sum(np.multiply(w, customLinearSolve(matvecOf(m), b, direct(m), { transposeSolve: directT(m) })))
    const g = (m: Tensor) => np.sum(np.multiply(w, linalg.solve(m, b)))
    assertCloseAll(run(grad(f)(a)), run(grad(g)(a)), 1e-12)
    const t = arr([[1, 0, 2], [0, -1, 0], [3, 0, 1]])
    const noTranspose = (m: Tensor) => np.sum(np.multiply(w, customLinearSolve(matvecOf(m), b, direct(m))))
    assertCloseAll(run(jvp(noTranspose, [a], [t]))[1], run(jvp(g, [a], [t]))[1], 1e-12)
    const error = failure(grad(noTranspose)(a)) as { _tag: string; message: string }
    assert.strictEqual(error._tag, "DerivativeNotImplementedError")
    assert.include(error.message, "transposeSolve required for backwards mode automatic differentiation")
  })

  it("second derivatives: hessian and jacfwd of grad equal linalg.solve's", () => {
    const a = arr([[3, 1], [1, 2]])
    const f = (b: Tensor) => np.sum(np.sin(customLinearSolve(matvecOf(a), b, cg(2), { symmetric: true })))
    const g = (b: Tensor) => np.sum(np.sin(linalg.solve(a, b)))
    assertCloseAll(run(hessian(f)(arr([1, -2]))), run(hessian(g)(arr([1, -2]))), 1e-10)
    // (not `symmetric`: the second derivative moves A in directions that are not symmetric)
    const inA = (m: Tensor) =>
      np.sum(np.sin(customLinearSolve(matvecOf(m), arr([1, -2]), direct(m), { transposeSolve: directT(m) })))
    const inAref = (m: Tensor) => np.sum(np.sin(linalg.solve(m, arr([1, -2]))))
    assertCloseAll(run(jacfwd(grad(inA))(a)), run(jacfwd(grad(inAref))(a)), 1e-10)
  })
})

describe("customLinearSolve: vmap and jit", () => {
  const as = arr([[[4, 1], [1, 3]], [[2, 0], [0, 5]], [[3, 1], [1, 3]]])
  const bs = arr([[1, 2], [3, -1], [0, 1]])
  const solveOne = (a: Tensor, b: Tensor) => customLinearSolve(matvecOf(a), b, cg(2), { symmetric: true })

  it("batched matrices, batched right-hand sides, or both; a shared b is broadcast by the fixpoint", () => {
    const want = (values(bs) as Array<Array<number>>).map((_, k) =>
      values(linalg.solve(np.take(as, k, { axis: 0 }), np.take(bs, k, { axis: 0 })))
    )
    assertCloseAll(run(vmap(solveOne)(as, bs)), arr(want as Array<Array<number>>), 1e-12)
    const shared = arr([1, 1])
    const wantA = [0, 1, 2].map((k) => values(linalg.solve(np.take(as, k, { axis: 0 }), shared)))
    assertCloseAll(run(vmap((a: Tensor) => solveOne(a, shared))(as)), arr(wantA as Array<Array<number>>), 1e-12)
    const a0 = np.take(as, 0, { axis: 0 })
    // b batched along its second axis
    assertCloseAll(
      run(vmap((b: Tensor) => solveOne(a0, b), { inAxes: 1 })(np.transpose(bs))),
      linalg.solve(a0, np.transpose(bs)).T,
      1e-12
    )
  })

  it("vmap of grad, and grad under jit, equal linalg.solve's", () => {
    const loss = (a: Tensor, b: Tensor) => np.sum(np.square(solveOne(a, b)))
    const ref = (a: Tensor, b: Tensor) => np.sum(np.square(linalg.solve(a, b)))
    assertCloseAll(run(vmap(grad(loss))(as, bs)), run(vmap(grad(ref))(as, bs)), 1e-10)
    const [v, g] = run(
      jit(valueAndGrad(loss, { argnums: [0, 1] }))(np.take(as, 0, { axis: 0 }), np.take(bs, 0, { axis: 0 }))
    )
    const [v2, g2] = run(
      valueAndGrad(ref, { argnums: [0, 1] })(np.take(as, 0, { axis: 0 }), np.take(bs, 0, { axis: 0 }))
    )
    assertCloseAll(v, v2, 1e-12)
    assertCloseAll(g[0], g2[0], 1e-10)
    assertCloseAll(g[1], g2[1], 1e-10)
  })
})

describe("customLinearSolve: typed errors", () => {
  const a = arr([[2, 0], [0, 2]])
  const b = arr([1, 1])
  it("matvec and solve results that do not match b, bad arguments and options", () => {
    const tree = thrown(() => customLinearSolve((v: Tensor) => [v] as unknown as Tensor, b, direct(a)))
    assert.strictEqual(tree._tag, "TreeStructureError")
    assert.include(tree.message, "matvec() output pytree structure must match b")
    const shape = thrown(() => customLinearSolve(matvecOf(a), b, () => arr([1, 2, 3])))
    assert.strictEqual(shape._tag, "ShapeError")
    assert.include(shape.message, "solve() output shapes must match b, got [[3]] and [[2]]")
    const notFn = thrown(() => customLinearSolve(matvecOf(a), b, 3 as never))
    assert.strictEqual(notFn._tag, "ArgumentError")
    const option = thrown(() => customLinearSolve(matvecOf(a), b, direct(a), { symetric: true } as never))
    assert.include(option.message, "unknown key")
    const aux = thrown(() => customLinearSolve(matvecOf(a), b, direct(a) as never, { hasAux: true }))
    assert.include(aux.message, "a pair [x, aux] (hasAux)")
    // a failure inside a transformation arrives as the Effect's typed failure
    const inGrad = failure(grad((x: Tensor) => np.sum(customLinearSolve(matvecOf(a), x, () => arr([1]))))(b)) as {
      _tag: string
    }
    assert.strictEqual(inGrad._tag, "ShapeError")
    void Effect.void
  })
})
