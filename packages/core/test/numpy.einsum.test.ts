import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { contractionPath } from "../src/internal/einsum.js"
import { expect, failure, js } from "./npSetup.js"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const filled = (shape: ReadonlyArray<number>, seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return np.reshape(f64(Array.from({ length: n }, (_, k) => (((k + seed) * 37) % 11) - 5)), shape)
}

describe("einsum: ellipses, many operands, contraction order", () => {
  it("ellipses broadcast batch dimensions (NumPy's rules)", () => {
    const a = filled([2, 3, 4], 1)
    const b = filled([4, 5], 2)
    expect.close(js(np.einsum("...ij,jk->...ik", a, b)), js(np.matmul(a, b)), 1e-12)
    // size-1 ellipsis dimensions broadcast
    const c = filled([1, 3, 4], 3)
    const d = filled([2, 4, 5], 4)
    expect.close(js(np.einsum("...ij,...jk->...ik", c, d)), js(np.matmul(c, d)), 1e-12)
    // implicit output: the ellipsis first, then the labels seen once
    expect.close(js(np.einsum("...ij,jk", a, b)), js(np.matmul(a, b)), 1e-12)
    expect.tensor(np.einsum("...->", np.ones([2, 3])), "float32", 6)
    expect.tensor(np.einsum("i...->...", np.ones([2, 3])), "float32", [2, 2, 2])
    assert.include(failure(() => np.einsum("...i,...i", np.ones([2, 3]), np.ones([4, 3])), "ShapeError"), "broadcast")
  })
  it("three and more operands equal chained two-operand contractions", () => {
    const a = filled([2, 3], 1)
    const b = filled([3, 4], 2)
    const c = filled([4, 2], 3)
    const d = filled([2, 5], 4)
    const chained = np.einsum("il,lm->im", np.einsum("ij,jl->il", np.einsum("ij,jk->ik", a, b), c), d)
    expect.close(js(np.einsum("ij,jk,kl,lm->im", a, b, c, d)), js(chained), 1e-12)
    expect.close(js(np.einsumWith("ij,jk,kl,lm->im", [a, b, c, d], { optimize: "greedy" })), js(chained), 1e-12)
    // a trace of a product of three: tr(ABC)
    const m = filled([3, 3], 5)
    const tr = np.trace(np.matmul(np.matmul(m, m), m))
    expect.close(js(np.einsum("ij,jk,ki->", m, m, m)), js(tr), 1e-12)
    // an outer product of three vectors and a label summed in one operand only
    expect.close(js(np.einsum("i,j,k->ijk", f64([1, 2]), f64([3]), f64([4, 5]))), [[[12, 15]], [[24, 30]]], 0)
    expect.close(js(np.einsum("ij,k,jm->im", a, f64([1, 2]), b)), js(np.multiply(np.matmul(a, b), 3)), 1e-12)
  })
  it("the optimal order of a matrix chain is the cheap one (opt_einsum's example)", () => {
    const sizes = new Map([["i", 10], ["j", 100], ["k", 5], ["l", 50]])
    const { cost, path } = contractionPath(["ij", "jk", "kl"], "il", sizes, "optimal")
    // (AB)C: 10*100*5 + 10*5*50 = 7500 multiply-adds; A(BC) would be 75000
    assert.strictEqual(cost, 7500)
    assert.deepStrictEqual(path[0], { i: 0, j: 1 })
    const greedy = contractionPath(["ij", "jk", "kl"], "il", sizes, "greedy")
    assert.strictEqual(greedy.cost, 7500)
    // optimal is never worse than greedy (random chains of five)
    const labels = ["ab", "bc", "cd", "de", "ef"]
    const s2 = new Map([["a", 3], ["b", 40], ["c", 2], ["d", 60], ["e", 7], ["f", 9]])
    const best = contractionPath(labels, "af", s2, "optimal").cost
    assert.isAtMost(best, contractionPath(labels, "af", s2, "greedy").cost)
    // (AB), then (CD), then (CD)E, then the rest: 3*40*2 + 2*60*7 + 2*7*9 + 3*2*9; left to right costs 2049
    assert.strictEqual(best, 240 + 840 + 126 + 54)
  })
  it("refuses what NumPy refuses", () => {
    assert.include(
      failure(() => np.einsumWith("ij", [np.ones([2, 2])], { optimize: "fast" as never }), "ArgumentError"),
      "optimize"
    )
    assert.include(failure(() => np.einsum("i...j...", np.ones([2, 2, 2])), "ShapeError"), "ellipsis")
  })
})
