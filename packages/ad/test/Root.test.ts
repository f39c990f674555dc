/**
 * `customRoot` (JAX's `lax.custom_root`; tests/custom_root_test.py): roots found by solvers
 * that are never differentiated (a `lax.whileLoop` Newton iteration, an oracle), with
 * derivatives by the implicit function theorem checked by hand (d sqrt(a) / da), against
 * `linalg.solve`'s gradients for a linear system, and against float64 central differences
 * (fast-check); second derivatives, vmap, jit, auxiliary outputs, `customLinearSolve` as the
 * tangent solve, and typed errors.
 */
import { lax, linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { customLinearSolve } from "../src/LinearSolve.js"
import { customRoot } from "../src/Root.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertCloseAll, failure, run, thrown, values } from "./vmapSupport.js"

/** Newton's method until |f(x)| is tiny, as a while loop (no reverse mode of its own); `fPrime` by hand. */
const newton = (fPrime: (x: Tensor) => Tensor) => (f: (x: Tensor) => Tensor, x0: Tensor): Tensor =>
  lax.whileLoop(
    ([k, x]: readonly [Tensor, Tensor]) => np.logicalAnd(np.less(k, 100), np.greater(np.abs(f(x)), 1e-14)),
    ([k, x]: readonly [Tensor, Tensor]) => [np.add(k, 1), np.subtract(x, np.divide(f(x), fPrime(x)))] as const,
    [np.array(0), x0] as const
  )[1]

const scalarSolve = (g: (x: Tensor) => Tensor, y: Tensor) => np.divide(y, g(np.onesLike(y)))

const sqrt = (a: Tensor) =>
  customRoot((x: Tensor) => np.subtract(np.square(x), a), np.onesLike(a), newton((x) => np.multiply(2, x)), scalarSolve)

describe("customRoot: a scalar root", () => {
  it("sqrt(a) as the root of x^2 - a: its value, d/da = 1 / (2 sqrt a) and d2/da2 = -a^(-3/2) / 4", () => {
    assertCloseAll(sqrt(arr(2)), arr(Math.SQRT2), 1e-15)
    assertCloseAll(run(grad(sqrt)(arr(4))), arr(0.25), 1e-14)
    assertCloseAll(run(grad(grad(sqrt))(arr(4))), arr(-0.25 * 4 ** -1.5), 1e-12)
  })

  it("under vmap and jit, and of a vmapped argument", () => {
    const as = arr([4, 9, 16])
    assertCloseAll(run(vmap(sqrt)(as)), arr([2, 3, 4]), 1e-14)
    assertCloseAll(run(vmap(grad(sqrt))(as)), arr([1 / 4, 1 / 6, 1 / 8]), 1e-13)
    assertCloseAll(run(jit(grad(sqrt))(arr(9))), arr(1 / 6), 1e-13)
  })

  it("a cubic's root in its coefficients matches central differences (fast-check): x^3 + p x - q", () => {
    const cubic = (p: Tensor, q: Tensor) =>
      customRoot(
        (x: Tensor) => np.subtract(np.add(np.power(x, 3), np.multiply(p, x)), q),
        np.zerosLike(q),
        newton((x) => np.add(np.multiply(3, np.square(x)), p)),
        scalarSolve
      )
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (p, q) => {
        const [gp, gq] = run(grad(cubic, { argnums: [0, 1] })(arr(p), arr(q)))
        const h = 1e-6
        const value = (pp: number, qq: number) => values(cubic(arr(pp), arr(qq))) as number
        assert.closeTo(values(gp) as number, (value(p + h, q) - value(p - h, q)) / (2 * h), 1e-7)
        assert.closeTo(values(gq) as number, (value(p, q + h) - value(p, q - h)) / (2 * h), 1e-7)
        // by hand: dx/dq = 1 / (3 x^2 + p), dx/dp = -x / (3 x^2 + p)
        const x = value(p, q)
        assert.closeTo(values(gq) as number, 1 / (3 * x * x + p), 1e-12)
        assert.closeTo(values(gp) as number, -x / (3 * x * x + p), 1e-12)
      }),
      { numRuns: 10 }
    )
  })
})

describe("customRoot: a vector root (JAX's test_custom_root_vector_with_solve_closure)", () => {
  // the Jacobian of a linear map by its columns, then a dense solve
  const vectorSolve = (g: (x: Tensor) => Tensor, y: Tensor) => {
    const n = y.shape[0]!
    const columns = Array.from({ length: n }, (_, k) => g(np.take(np.eye(n, { dtype: y.dtype }), k, { axis: 0 })))
    return linalg.solve(np.stack(columns, { axis: 1 }), y)
  }
  // the root of a x - b, found by an oracle that knows the answer
  const linearRoot = (a: Tensor, b: Tensor) => {
    const solution = linalg.solve(a, b)
    return customRoot((y: Tensor) => np.subtract(np.matmul(a, y), b), np.zerosLike(b), () => solution, vectorSolve)
  }
  const a = arr([[3, 1, 0], [1, 4, 2], [0, 2, 5]])
  const b = arr([1, -2, 0.5])
  const w = arr([0.4, 1.5, -0.3])

  it("the gradients in a and b equal linalg.solve's", () => {
    const loss = (m: Tensor, v: Tensor) => np.sum(np.multiply(w, linearRoot(m, v)))
    const ref = (m: Tensor, v: Tensor) => np.sum(np.multiply(w, linalg.solve(m, v)))
    const [ga, gb] = run(grad(loss, { argnums: [0, 1] })(a, b))
    const [ra, rb] = run(grad(ref, { argnums: [0, 1] })(a, b))
    assertCloseAll(ga, ra, 1e-12)
    assertCloseAll(gb, rb, 1e-12)
  })

  it("customLinearSolve as the tangent solve, and an auxiliary output", () => {
    const tangentSolve = (g: (x: Tensor) => Tensor, y: Tensor) =>
      customLinearSolve(g, y, (_mv, rhs: Tensor) => vectorSolve(g, rhs), { symmetric: true })
    const root = (m: Tensor, v: Tensor) => {
      const solution = linalg.solve(m, v)
      return customRoot(
        (y: Tensor) => np.subtract(np.matmul(m, y), v),
        np.zerosLike(v),
        () => [solution, { calls: np.array(1) }] as const,
        tangentSolve,
        { hasAux: true }
      )
    }
    const [x, aux] = root(a, b)
    assertCloseAll(x, linalg.solve(a, b), 1e-14)
    assert.strictEqual(values(aux.calls), 1)
    const g = run(grad((v: Tensor) => np.sum(np.multiply(w, root(a, v)[0])))(b))
    assertCloseAll(g, linalg.solve(np.transpose(a), w), 1e-12)
  })
})

describe("customRoot: typed errors", () => {
  const x0 = arr([1, 1])
  it("f, solve or tangentSolve results that do not match the initial guess; bad arguments", () => {
    const tree = thrown(() =>
      customRoot((x: Tensor) => [x] as unknown as Tensor, x0, (_f, g: Tensor) => g, scalarSolve)
    )
    assert.strictEqual(tree._tag, "TreeStructureError")
    assert.include(tree.message, "f() output pytree structure must match initialGuess")
    const shape = thrown(() => customRoot((x: Tensor) => x, x0, () => arr([1, 2, 3]), scalarSolve))
    assert.strictEqual(shape._tag, "ShapeError")
    assert.include(shape.message, "solve() output shapes must match initialGuess, got [[3]] and [[2]]")
    const tangent = thrown(() => customRoot((x: Tensor) => x, x0, (_f, g: Tensor) => g, () => arr(1)))
    assert.include(tangent.message, "tangentSolve() output shapes must match initialGuess")
    assert.strictEqual(thrown(() => customRoot((x: Tensor) => x, x0, 1 as never, scalarSolve))._tag, "ArgumentError")
    const aux = thrown(() =>
      customRoot((x: Tensor) => x, x0, (_f, g: Tensor) => g as never, scalarSolve, { hasAux: true })
    )
    assert.include(aux.message, "a pair [root, aux] (hasAux)")
    const inGrad = failure(
      grad((a: Tensor) => np.sum(customRoot((x: Tensor) => np.subtract(x, a), x0, () => arr([1]), scalarSolve)))(x0)
    ) as {
      _tag: string
    }
    assert.strictEqual(inGrad._tag, "ShapeError")
  })
})
