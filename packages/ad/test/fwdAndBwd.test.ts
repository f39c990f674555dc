import type { Tensor } from "@diffect/core"
import { ArgumentError, lax, Memory, np, Tree } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { ArgnumsError, fwdAndBwd, grad, jit, linearize, linearTranspose, vjp, vmap } from "../src/index.js"
import { expect, failure, run, tensor, toJs } from "./gradHelpers.js"

const matmul = (x: Tensor, w: Tensor) => lax.dotGeneral(x, w, [[1], [0]], [[], []])

describe("vjp's and linearize's functions are pytrees (JAX's Partial)", () => {
  it("the VJP function's leaves are its residuals, and jit takes it as an argument", () => {
    const x = tensor([[1, 2], [3, 4]])
    const w = tensor([[0.5, -1], [2, 0.25]])
    const [y, pullback] = run(vjp((a: Tensor, b: Tensor) => lax.sin(matmul(a, b)), [x, w]))
    // the residuals: x, w and cos(x @ w)
    assert.strictEqual(Tree.leaves(pullback).length, 3)
    assert.match(
      String(Tree.structure(pullback)),
      /^TreeDef\(CustomNode\(Partial\[pullback#\d+\], \[\[\*, \*, \*\]\]\)\)$/
    )
    const ct = tensor([[1, 0], [0, 2]])
    const direct = toJs(run(pullback(ct)))
    const call = jit((pb: typeof pullback, c: Tensor) => pb(c))
    assert.deepStrictEqual(toJs(run(call(pullback, ct))), direct)
    // hand-derived: dx = (ct * cos(xw)) @ w^T, dw = x^T @ (ct * cos(xw))
    const xw = [[1 * 0.5 + 2 * 2, 1 * -1 + 2 * 0.25], [3 * 0.5 + 4 * 2, 3 * -1 + 4 * 0.25]]
    const g = [[Math.cos(xw[0]![0]!), 0], [0, 2 * Math.cos(xw[1]![1]!)]]
    const [dx, dw] = direct as [Array<Array<number>>, Array<Array<number>>]
    assert.closeTo(dx[0]![0]!, g[0]![0]! * 0.5, 1e-6)
    assert.closeTo(dx[1]![1]!, g[1]![1]! * 0.25, 1e-6)
    assert.closeTo(dw[0]![1]!, 3 * g[1]![1]!, 1e-6)
    assert.closeTo(dw[1]![0]!, 2 * g[0]![0]!, 1e-6)
    void y
  })

  it("a jitted function returns a VJP function, and another jitted function calls it (JAX's test_vjp_fun_jit)", () => {
    const f = (x: Tensor) => lax.mul(tensor(2), x)
    const linearizeVjp = jit((x: Tensor) => vjp(f, [x]))
    const [, pullback] = run(linearizeVjp(tensor(1)))
    const apply = jit((pb: typeof pullback, c: Tensor) => pb(c))
    assert.deepStrictEqual(toJs(run(apply(pullback, tensor(3)))), [6])
  })

  it("a VJP function from a jitted forward pass is one structure: the jitted call of it compiles once", () => {
    const f = (x: Tensor) => lax.reduceSum(lax.mul(lax.exp(x), x), [0])
    const forward = jit((x: Tensor) => vjp(f, [x]))
    const backward = jit((pb: (c: Tensor) => unknown, c: Tensor) => pb(c))
    for (let i = 0; i < 4; i++) {
      const x = tensor([i, i + 1, -i])
      const [, pb] = run(forward(x))
      const [gx] = toJs(run(backward(pb, tensor(1)))) as [Array<number>] // d/dx x e^x = (1 + x) e^x
      ;[i, i + 1, -i].forEach((v, k) => assert.closeTo(gx[k]!, (1 + v) * Math.exp(v), 1e-4 * Math.exp(Math.abs(v))))
    }
    assert.strictEqual(forward.cacheInfo().misses, 1)
    assert.strictEqual(backward.cacheInfo().misses, 1)
    // each eager vjp makes a new VJP function, so a jitted call of it compiles again (as in JAX)
    for (let i = 0; i < 2; i++) run(backward(run(vjp(f, [tensor([1, 2, 3])]))[1], tensor(1)))
    assert.strictEqual(backward.cacheInfo().misses, 3)
  })

  it("linearize's JVP function crosses jit the same way", () => {
    const [y, df] = run(linearize((x: Tensor) => lax.mul(lax.sin(x), x), [tensor([0.5, 1])]))
    assert.strictEqual(Tree.leaves(df).length, Tree.leaves(df).filter((l) => l !== undefined).length)
    const apply = jit((d: typeof df, t: Tensor) => d(t))
    const t = tensor([1, 2])
    assert.deepStrictEqual(toJs(run(apply(df, t))), toJs(run(df(t))))
    // d(x sin x) = sin x + x cos x
    const got = toJs(run(df(t))) as Array<number>
    ;[0.5, 1].forEach((v, k) => assert.closeTo(got[k]!, (k + 1) * (Math.sin(v) + v * Math.cos(v)), 1e-6))
    void y
  })

  it("linearTranspose's function is one too (JAX's linear_transpose returns a Partial)", () => {
    const w = tensor([[1, 2], [3, 4]])
    const f = (x: Tensor) => matmul(w, x)
    const t = run(linearTranspose(f, tensor([0, 0])))
    // the constant w is its leaf
    assert.strictEqual(Tree.leaves(t).length, 1)
    const apply = jit((g: typeof t, c: Tensor) => g(c))
    // the transpose of x -> w x is c -> w^T c
    assert.deepStrictEqual(toJs(run(apply(t, tensor([1, 1])))), [[4, 6]])
    assert.deepStrictEqual(toJs(run(t(tensor([1, 1])))), [[4, 6]])
  })

  it("a region keeps a returned VJP function's residuals", () => {
    const [, pullback] = run(Memory.scoped(vjp((x: Tensor) => lax.exp(x), [tensor([1, 2])])))
    assert.deepStrictEqual(
      (toJs(run(pullback(tensor([1, 1])))) as [Array<number>])[0].map((v) => Math.round(v * 1e5) / 1e5),
      [Math.E, Math.E ** 2].map((v) => Math.round(Math.fround(v) * 1e5) / 1e5)
    )
  })
})

describe("fwdAndBwd (JAX's fwd_and_bwd)", () => {
  it("equals vjp, and the backward pass compiles once (JAX's test_fwd_and_bwd)", () => {
    const x = tensor([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]])
    const w = tensor([[1, 2, 3, 4], [0, 1, 0, -1], [2, 0, 1, 0], [1, 1, 1, 1]])
    const ct = tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    const [expectedY, pullback] = run(vjp(matmul, [x, w]))
    const expected = toJs(run(pullback(ct)))
    const [fwd, bwd] = fwdAndBwd(matmul, { argnums: [0, 1] })
    for (let i = 0; i < 3; i++) {
      const [y, residuals] = run(fwd(x, w))
      assert.deepStrictEqual(toJs(y), toJs(expectedY))
      assert.deepStrictEqual(toJs(run(bwd(residuals, ct))), expected)
    }
    assert.strictEqual(fwd.cacheInfo().misses, 1)
    assert.strictEqual(bwd.cacheInfo().misses, 1)
    assert.strictEqual(bwd.cacheInfo().hits, 2)
  })

  it("one argnum gives one cotangent; the other arguments are not differentiated", () => {
    const f = (a: Tensor, b: Tensor) => lax.reduceSum(lax.mul(lax.mul(a, a), b), [0])
    const [fwd, bwd] = fwdAndBwd(f, { argnums: 1 })
    const [y, residuals] = run(fwd(tensor([1, 2, 3]), tensor([4, 5, 6])))
    assert.strictEqual(toJs(y), 4 + 20 + 54)
    // d/db sum(a^2 b) = a^2, scaled by the cotangent 2
    assert.deepStrictEqual(toJs(run(bwd(residuals, tensor(2)))), [2, 8, 18])
    // the same through the gradient
    assert.deepStrictEqual(
      toJs(run(grad(f, { argnums: 1 })(tensor([1, 2, 3]), tensor([4, 5, 6])))),
      [1, 4, 9]
    )
  })

  it("hasAux returns the auxiliary output third; jitted: false gives plain functions", () => {
    const f = (x: Tensor) => [lax.sin(x), { twice: lax.mul(tensor(2), x) }] as const
    for (const jitted of [true, false]) {
      const [fwd, bwd] = fwdAndBwd(f, { argnums: 0, hasAux: true, jitted })
      const [y, residuals, aux] = run(fwd(tensor(0.5)))
      assert.closeTo(toJs(y) as number, Math.sin(0.5), 1e-7)
      assert.deepStrictEqual(toJs(aux), { twice: 1 })
      assert.closeTo(toJs(run(bwd(residuals, tensor(3)))) as number, 3 * Math.cos(0.5), 1e-6)
      assert.strictEqual("cacheInfo" in bwd, jitted)
    }
  })

  it("composes: grad of the backward pass is the second derivative, vmap maps both passes", () => {
    const f = (x: Tensor) => lax.mul(lax.sin(x), x)
    const [fwd, bwd] = fwdAndBwd(f, { argnums: 0 })
    const dfdx = (x: Tensor) => {
      const [, residuals] = run(fwd(x))
      return run(bwd(residuals, tensor(1)))
    }
    // (x sin x)'' = 2 cos x - x sin x
    assert.closeTo(toJs(run(grad(dfdx)(tensor(0.7)))) as number, 2 * Math.cos(0.7) - 0.7 * Math.sin(0.7), 1e-6)
    const batched = toJs(run(vmap(dfdx)(tensor([0.1, 0.7])))) as Array<number>
    ;[0.1, 0.7].forEach((v, k) => assert.closeTo(batched[k]!, Math.sin(v) + v * Math.cos(v), 1e-6))
  })

  it("bad input: no argnums, argnums out of range, residuals that are not a VJP function", () => {
    const f = (x: Tensor) => lax.sin(x)
    assert.throws(() => fwdAndBwd(f, {} as never), ArgumentError)
    const [fwd, bwd] = fwdAndBwd(f, { argnums: 2 })
    expect.error(
      failure(fwd(tensor(1))),
      ArgnumsError,
      "differentiating with respect to argnums=2 requires at least 3 positional arguments to be passed by the caller, but got only 1 positional arguments."
    )
    const e = failure(bwd(np.array(1) as never, tensor(1)))
    assert.instanceOf(e, ArgumentError)
    assert.include((e as Error).message, "residuals")
  })
})
