/**
 * Cases of JAX's tests/custom_linear_solve_test.py and custom_root_test.py that
 * LinearSolve.test.ts and Root.test.ts do not pin down: solvers that run a
 * transformation themselves (an explicit Jacobian, a jitted loop: their Effects
 * were refused as "not a valid diffect type"), complex systems, checkpoint of a
 * solve, batching with an auxiliary output, and JAX issue 29342. Each case names
 * its JAX test; expected values are linalg.solve's (the same system solved by LU).
 */
import {
  checkpoint,
  customLinearSolve,
  customRoot,
  grad,
  jacobian,
  jacrev,
  jit,
  jvp,
  stopGradient,
  vjp,
  vmap
} from "@diffect/ad"
import { lax, linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, run, toJs } from "./gradHelpers.js"

const a = np.array([[1.5, 0.3, -0.2], [0.1, 2.0, 0.4], [-0.3, 0.2, 1.1]], { dtype: "float64" })
const b = np.array([0.5, -1.0, 2.0], { dtype: "float64" })

// JAX's explicit_jacobian_solve: the matrix of matvec by autodiff, then an LU solve
const explicitJacobianSolve = (matvec: (x: Tensor) => Tensor, rhs: Tensor) =>
  Effect.map(jacobian(matvec)(rhs), (j) => stopGradient(linalg.solve(j, rhs)))

describe("customLinearSolve with solvers that run transformations", () => {
  it("test_custom_linear_solve_zeros: explicit_jacobian_solve as solve and transposeSolve, against linalg.solve", () => {
    const solve = (m: Tensor, rhs: Tensor) =>
      customLinearSolve((v: Tensor) => np.matmul(m, v), rhs, explicitJacobianSolve, {
        transposeSolve: explicitJacobianSolve
      })
    expect.close(toJs(solve(a, b)), toJs(linalg.solve(a, b)), 1e-14)
    const viaSolve = run(grad((m: Tensor) => np.sum(solve(m, b)))(a))
    expect.close(toJs(viaSolve), toJs(run(grad((m: Tensor) => np.sum(linalg.solve(m, b)))(a))), 1e-13)
    const inB = run(grad((rhs: Tensor) => np.sum(solve(a, rhs)))(b))
    expect.close(toJs(inB), toJs(run(grad((rhs: Tensor) => np.sum(linalg.solve(a, rhs)))(b))), 1e-13)
  })

  it("test_custom_linear_solve_new_remat: checkpoint of a symmetric solve, with no policy and with everything saved", () => {
    const s = np.add(a, np.transpose(a))
    const solveS = (_mv: (x: Tensor) => Tensor, rhs: Tensor) => stopGradient(linalg.solve(s, rhs))
    const want = run(grad((m: Tensor, rhs: Tensor) => np.sum(linalg.solve(m, rhs)), { argnums: [0, 1] })(s, b))
    for (const policy of [undefined, () => true]) {
      const solve = checkpoint(
        (m: Tensor, rhs: Tensor) => customLinearSolve((v: Tensor) => np.matmul(m, v), rhs, solveS, { symmetric: true }),
        policy === undefined ? {} : { policy }
      )
      const got = run(grad((m: Tensor, rhs: Tensor) => np.sum(solve(m, rhs)), { argnums: [0, 1] })(s, b))
      expect.close(toJs(got), toJs(want), 1e-13)
    }
  })

  it("test_custom_linear_solve_complex: the gradient of |x|^2 equals linalg.solve's", () => {
    const m = np.array([[{ re: 0.5, im: 0.2 }, { re: -0.3, im: 0.1 }], [{ re: 0.1, im: -0.4 }, { re: 0.7, im: 0.3 }]], {
      dtype: "complex128"
    })
    const rhs = np.array([{ re: 0.2, im: 0.1 }, { re: -0.5, im: 0.3 }], { dtype: "complex128" })
    const solve = (mm: Tensor) =>
      customLinearSolve((v: Tensor) => np.matmul(mm, v), rhs, (_mv: unknown, x: Tensor) => linalg.solve(mm, x), {
        transposeSolve: (_vm: unknown, x: Tensor) => linalg.solve(np.transpose(mm), x)
      })
    const norm2 = (x: Tensor) => np.real(np.sum(np.multiply(x, np.conj(x))))
    const got = run(grad((mm: Tensor) => norm2(solve(mm)))(m))
    const want = run(grad((mm: Tensor) => norm2(linalg.solve(mm, rhs)))(m))
    expect.close(toJs(got), toJs(want), 1e-13)
  })

  it("test_custom_linear_solve_batching_with_aux: vmap of a pytree solve whose aux mixes tensors, booleans and numbers", () => {
    const s = np.add(a, np.transpose(a))
    const solve = (mv: (y: readonly [Tensor, Tensor]) => readonly [Tensor, Tensor], rhs: readonly [Tensor, Tensor]) =>
      [mv(rhs), [np.array(1), true, 0]] as const
    const f = (x: Tensor) =>
      customLinearSolve(
        (y: readonly [Tensor, Tensor]) => [np.dot(s, y[0]), np.dot(s, y[1])] as const,
        [x, x] as const,
        solve,
        {
          symmetric: true,
          hasAux: true
        }
      )
    const [[x0, x1], aux] = run(vmap(f)(np.ones([3, 3], { dtype: "float64" })))
    // this "solve" is the matvec itself: each row of the result is s @ ones = the row sums of s
    const rowSums = [2.9, 5, 2.3]
    expect.close(toJs(x0), [rowSums, rowSums, rowSums], 1e-14)
    expect.close(toJs(x1), [rowSums, rowSums, rowSums], 1e-14)
    assert.deepStrictEqual(toJs(aux), [[1, 1, 1], [true, true, true], [0, 0, 0]])
  })

  it("test_symbolic_zero_cotangents (jax issue 29342): vjp of a jvp of vmap of linalg.solve, and its jacrev", () => {
    // p(z) = solve(z e * I, [1, 0, 0])[0] = 1 / z; h(y) = jvp(vmap(p), x, y)[1] = -y / x^2; f(x) = vjp(h)(x) = -x / x^2
    const g = (x: Tensor) => (y: Tensor) =>
      Effect.map(
        jvp(
          vmap((z: Tensor) => np.take(linalg.solve(np.multiply(np.sum(z), np.eye(3)), np.array([1, 0, 0])), 0)),
          [x],
          [y]
        ),
        (r) => r[1]
      )
    const f = (x: Tensor) =>
      Effect.flatMap(vjp(g(x), [np.onesLike(x)]), ([, pullback]) => Effect.map(pullback(x), (c) => c[0]!))
    expect.close(toJs(run(f(np.array([200])))), [-1 / 200], 1e-7)
    // d/dx (-1 / x) = 1 / x^2
    expect.close(toJs(run(jacrev(f)(np.array([200])))), [[1 / 40000]], 1e-9)
  })
})

describe("customRoot with a solver that returns an Effect", () => {
  it("a jitted Newton loop as solve: sqrt(4) = 2 and d/da = 1 / (2 sqrt a) = 0.25", () => {
    const sqrt = (v: Tensor) =>
      customRoot(
        (x: Tensor) => np.subtract(np.square(x), v),
        v,
        (f, x0) =>
          jit((x: Tensor) =>
            lax.foriLoop(0, 30, (_k, y: Tensor) => np.subtract(y, np.divide(f(y), np.multiply(2, y))), x)
          )(x0),
        (_g, y) => np.divide(y, np.multiply(2, np.sqrt(v)))
      )
    const four = np.array(4, { dtype: "float64" })
    expect.close(toJs(sqrt(four)), 2, 1e-15)
    expect.close(toJs(run(grad(sqrt)(four))), 0.25, 1e-15)
  })
})
