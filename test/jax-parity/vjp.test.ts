// JAX parity: jax.vjp. Each case names the test in jax/tests/api_test.py whose
// behaviour it pins down.
import { CotangentMismatchError, vjp, vmap } from "@diffect/ad"
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, provideCpu, run, value } from "./parity.js"

describe("jax.vjp parity", () => {
  it("the pullback of x * y at (3, 4) with cotangent 1 is (4, 3)", () => {
    const [y, pullback] = run(vjp((x: Tensor, y: Tensor) => np.multiply(x, y), [np.array(3), np.array(4)]))
    expect.close(value(Effect.succeed(y)), 12)
    expect.close(value(pullback(np.array(1))), [4, 3])
  })

  it("docstring of jax.vjp: (sin x, cos y) at (0.5, 1.0) pulled back from (-0.7, 0.3)", () => {
    const [primals, pullback] = run(
      vjp((x: Tensor | number, y: Tensor | number) => [np.sin(x), np.cos(y)] as const, [0.5, 1.0])
    )
    expect.close(toJsSync(primals), [Math.sin(0.5), Math.cos(1)], 1e-6)
    // JS-number cotangents take the outputs' dtypes
    expect.close(value(pullback([-0.7, 0.3])), [-0.61430776, -0.2524413], 1e-6)
  })

  it("test_fwd_and_bwd: matmul's cotangents, x = W = ct = ones(4, 4)", () => {
    const ones = np.ones([4, 4])
    const [, pullback] = run(vjp((x: Tensor, w: Tensor) => np.matmul(x, w), [ones, ones]))
    const four = Array.from({ length: 4 }, () => [4, 4, 4, 4])
    expect.close(value(pullback(ones)), [four, four])
  })

  it("test_vjp_of_int_index: an int primal gets a float0 cotangent", () => {
    const [y, pullback] = run(
      vjp((x: Tensor, i: Tensor) => np.take(x, i), [np.multiply(np.ones([2]), 2), np.array(1, { dtype: "int32" })])
    )
    expect.close(value(Effect.succeed(y)), 2)
    const [gx, gi] = run(pullback(np.array(1)))
    expect.close(value(Effect.succeed(gx)), [0, 1])
    assert.strictEqual(gi.dtype, "float0")
  })

  it("test_vjp_of_int_fulllike: full_like with a traced fill value (an int fill gets a float0 cotangent)", () => {
    const [out, pullback] = run(
      vjp((x: Tensor, v: Tensor) => np.fullLike(x, v), [np.zeros([2, 2]), np.array(1, { dtype: "int32" })])
    )
    expect.close(value(Effect.succeed(out)), [[1, 1], [1, 1]])
    const [gx, gv] = run(pullback(out))
    expect.close(value(Effect.succeed(gx)), [[0, 0], [0, 0]])
    assert.strictEqual(gv.dtype, "float0")
    // a float fill value is differentiable: its cotangent is the sum of the output's
    const [, pb] = run(vjp((x: Tensor, v: Tensor) => np.fullLike(x, v), [np.zeros([2, 2]), np.array(1)]))
    expect.close(value(Effect.map(pb(np.ones([2, 2])), ([, g]) => g)), 4)
  })

  it("test_vjp_of_int_shapes: reshape of an int input, float0 cotangent in and out", () => {
    const [, pullback] = run(vjp((x: Tensor) => np.reshape(x, [2, 2]), [np.ones([4, 1], { dtype: "int32" })]))
    const [g] = run(pullback(np.zeros([2, 2], { dtype: "float0" })))
    assert.strictEqual(g.dtype, "float0")
    assert.deepStrictEqual([...g.shape], [4, 1])
  })

  it("test_vjp_mismatched_arguments and test_vjp_bad_cotangent_shape", () => {
    const [, pullback] = run(vjp((x: Tensor, y: Tensor) => np.multiply(x, y), [np.array(3), np.array(4)]))
    expect.error(
      failure(pullback([np.array(7), np.array(100)] as never)),
      CotangentMismatchError,
      /unexpected tree structure/
    )
    expect.error(
      failure(pullback(np.array(42, { dtype: "float64" }))),
      CotangentMismatchError,
      /unexpected type \(e\.g\. shape\/dtype\)/
    )
    const [, pb2] = run(vjp((x: Tensor, y: Tensor) => np.matmul(x, y), [np.ones([2, 5]), np.ones([5, 3])]))
    expect.error(
      failure(pb2(np.ones([2, 4]))),
      CotangentMismatchError,
      "unexpected type (e.g. shape/dtype) for argument to the VJP function: got float32(2, 4), but expected float32(2, 3)."
    )
  })

  it("has_aux: (out, vjp_fn, aux)", () => {
    const [y, pullback, aux] = run(
      vjp((x: Tensor) => [np.sin(x), { sq: np.square(x) }], [np.array(0)], { hasAux: true })
    )
    expect.close(value(Effect.succeed([y, aux])), [0, { sq: 0 }])
    expect.close(value(pullback(np.array(2))), [2])
  })

  it("reduce_axes: the cotangent of an unbatched primal is summed over the named axis", () => {
    const f = (w: Tensor, x: Tensor) =>
      Effect.flatMap(
        vjp((w: Tensor) => np.sum(np.multiply(w, x)), [w], { reduceAxes: ["batch"] }),
        ([, pullback]) => Effect.map(pullback(np.array(1)), ([g]) => g)
      )
    expect.close(
      value(
        vmap(f, { inAxes: [null, 0], axisName: "batch", outAxes: null })(np.array([1, 1]), np.array([[1, 2], [3, 4]]))
      ),
      [4, 6]
    )
  })

  it.effect("inside Effect.gen", () =>
    Effect.gen(function*() {
      const [, pullback] = yield* vjp((x: Tensor) => np.exp(x), [np.array(0, { dtype: "float64" })])
      const [g] = yield* pullback(np.array(3, { dtype: "float64" }))
      expect.close(value(Effect.succeed(g)), 3, 1e-15)
    }).pipe(provideCpu))
})
