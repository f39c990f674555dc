/**
 * np ops under transformations: every op is built from primitives, so grad, jvp
 * and vmap see through it. Expected values are derived by hand.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, jvp, np, runSync, toJs, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { Effect } from "effect"
import { expect, failure } from "./npSetup.js"

const g = (f: (x: Tensor) => Tensor, x: Tensor): Tensor => runSync(grad(f)(x)) as Tensor

describe("np under grad", () => {
  it("square, sum, mean", () => {
    expect.tensor(g((x) => np.sum(np.square(x)), np.array([1, 2, 3])), "float32", [2, 4, 6])
    expect.tensor(g((x) => np.mean(x), np.array([1, 2, 3, 4])), "float32", [0.25, 0.25, 0.25, 0.25])
  })
  it("broadcasting sums the cotangent over broadcast axes", () => {
    expect.tensor(g((x) => np.sum(np.add(x, np.ones([3, 2]))), np.array([5, 6])), "float32", [3, 3])
    expect.tensor(g((x) => np.sum(np.multiply(x, 2)), np.array([[1], [2]])), "float32", [[2], [2]])
  })
  it("logsumexp's gradient is the softmax", () => {
    // softmax([0, ln 3]) = [1/4, 3/4]
    expect.tensor(
      g((x) => np.logsumexp(x), np.array([0, Math.log(3)], { dtype: "float64" })),
      "float64",
      [0.25, 0.75],
      {
        tol: 1e-15
      }
    )
    // stable far from zero
    expect.tensor(g((x) => np.logsumexp(x), np.array([1000, 1000])), "float32", [0.5, 0.5])
  })
  it("var: d/dx of mean((x - m)^2) is 2(x - m)/n", () => {
    expect.tensor(g((x) => np.var(x), np.array([1, 2, 3, 6], { dtype: "float64" })), "float64", [-1, -0.5, 0, 1.5], {
      tol: 1e-15
    })
  })
  it("matmul, einsum and dot", () => {
    const w = np.array([[1, 2], [3, 4]])
    // d/dx sum(x @ w) = row sums of w, per row of x
    expect.tensor(g((x) => np.sum(np.matmul(x, w)), np.array([[1, 1]])), "float32", [[3, 7]])
    expect.tensor(g((x) => np.sum(np.einsum("ij,jk->ik", w, x)), np.ones([2, 1])), "float32", [[4], [6]])
    expect.tensor(g((x) => np.dot(x, x), np.array([1, 2, 3])), "float32", [2, 4, 6])
    // the gradient of the trace is the identity
    expect.tensor(g((x) => np.einsum("ii", x), np.ones([3, 3])), "float32", [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
  })
  it("indexing: at and take scatter the cotangent back", () => {
    expect.tensor(g((x) => x.at(-1), np.array([1, 2, 3])), "float32", [0, 0, 1])
    expect.tensor(g((x) => np.sum(np.take(x, [0, 0, 2])), np.array([1, 2, 3])), "float32", [2, 0, 1])
  })
  it("where, maximum, clip pass the gradient to the chosen branch", () => {
    expect.tensor(g((x) => np.sum(np.where(np.greater(x, 0), x, np.multiply(x, 3))), np.array([-1, 2])), "float32", [
      3,
      1
    ])
    expect.tensor(g((x) => np.sum(np.clip(x, { min: 0, max: 1 })), np.array([-1, 0.5, 2])), "float32", [0, 1, 0])
  })
  it("chainable methods trace like the functions", () => {
    expect.tensor(g((x) => x.mul(x).sum().sqrt(), np.array([3, 4])), "float32", [0.6, 0.8], { tol: 1e-6 })
    expect.tensor(g((x) => x.reshape([2, 2]).T.at(0).sum(), np.array([1, 2, 3, 4])), "float32", [1, 0, 1, 0])
  })
})

describe("reading traced values", () => {
  it("under grad, toJs reads a traced value as its primal, so JS can branch on it (JAX's test_grad_item)", () => {
    // f(x) = x^2 for x > 0, -x otherwise: f'(3) = 6, f'(-2) = -1.
    const f = (x: Tensor) => ((toJsSync(np.greater(x, 0)) as boolean) ? np.square(x) : np.negative(x))
    expect.close(toJsSync(g(f, np.array(3))), 6)
    expect.close(toJsSync(g(f, np.array(-2))), -1)
    let read: unknown
    g((x) => {
      read = Effect.runSync(toJs(np.multiply(x, 2)))
      return np.sum(x)
    }, np.array([1, 2]))
    assert.deepStrictEqual(read, [2, 4])
  })
  it("toJsSync and toJs refuse a batched tracer with ConcretizationError", () => {
    let message = ""
    let tag: unknown
    runSync(
      vmap((x: Tensor) => {
        message = failure(() => toJsSync(x), "ConcretizationError")
        tag = Effect.runSync(Effect.flip(toJs(x)))._tag
        return np.sum(x)
      })(np.array([[1, 2], [3, 4]]))
    )
    assert.include(message, "while vmap traces it")
    assert.strictEqual(tag, "ConcretizationError")
  })
})

describe("np under jvp and vmap", () => {
  it("jvp of sin at 0 is the tangent", () => {
    const [y, t] = runSync(jvp((x: Tensor) => np.sin(x), [np.array([0, Math.PI / 2])], [np.array([2, 2])]))
    expect.close(toJsSync(y), [0, 1])
    expect.close(toJsSync(t), [2, 0], 1e-6)
  })
  it("vmap of a per-example dot is a row-wise dot", () => {
    const xs = np.array([[1, 2], [3, 4], [5, 6]])
    const w = np.array([1, -1])
    const out = runSync(vmap((x: Tensor) => np.dot(x, w))(xs)) as Tensor
    expect.tensor(out, "float32", [-1, -1, -1])
  })
  it("vmap of matmul with broadcasting and of normalization", () => {
    const xs = np.array([[1, 2], [3, 4]])
    const out = runSync(vmap((x: Tensor) => np.divide(x, np.sum(x)))(xs)) as Tensor
    expect.tensor(out, "float32", [[1 / 3, 2 / 3], [3 / 7, 4 / 7]])
    const m = runSync(vmap((x: Tensor) => np.matmul(np.eye(2), x))(xs)) as Tensor
    expect.tensor(m, "float32", [[1, 2], [3, 4]])
  })
})
