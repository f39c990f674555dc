// JAX parity: jax.jvp. Each case names the test in jax/tests/api_test.py (or the
// docstring) whose behaviour it pins down.
import { jvp, TangentMismatchError } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, value } from "./parity.js"

describe("jax.jvp parity", () => {
  it("docstring: jvp(sin, (0.1,), (0.2,)) = (0.09983342, 0.19900084)", () => {
    expect.close(value(jvp(np.sin, [np.array(0.1)], [np.array(0.2)])), [0.09983342, 0.19900084], 1e-7)
  })

  it("pytrees of primals and tangents, and of outputs", () => {
    const f = (p: { a: Tensor; b: Tensor }) => ({ s: np.add(p.a, p.b), prod: np.multiply(p.a, p.b) })
    const out = value(jvp(f, [{ a: np.array(2), b: np.array(3) }], [{ a: np.array(1), b: np.array(0) }]))
    expect.close(out, [{ prod: 6, s: 5 }, { prod: 3, s: 1 }])
  })

  it("test_jvp_and_aux_basic", () => {
    const [y, t, aux] = run(
      jvp((x: Tensor) => [np.power(x, 3), [np.power(x, 2)]], [np.array(3)], [np.array(4)], { hasAux: true })
    )
    expect.close(value(Effect.succeed([y, t, aux])), [27, 3 * 9 * 4, [9]])
  })

  it("test_jvp_mismatched_arguments: structure, dtype, shape", () => {
    const mul = (x: Tensor, y: Tensor) => np.multiply(x, y)
    expect.error(
      failure(jvp(mul, [np.array(2)] as never, [] as never)),
      TangentMismatchError,
      /must have the same tree structure/
    )
    expect.error(
      failure(jvp(np.negative, [np.array(2)], [np.array(4, { dtype: "float64" })])),
      TangentMismatchError,
      /^primal and tangent arguments to jvp do not match; dtypes must be equal/
    )
    for (
      const [p, t] of [
        [np.array([1, 2, 3]), np.array([1, 2, 3, 4])],
        [np.array(10), np.array([1, 2, 3])],
        [np.array([1, 2, 3]), np.array(20)]
      ] as const
    ) {
      expect.error(
        failure(jvp((x: Tensor) => np.add(x, 1), [p], [t])),
        TangentMismatchError,
        /^jvp called with different primal and tangent shapes/
      )
    }
  })

  it("test_jvp_non_tuple_arguments", () => {
    const e = failure(jvp((x: Tensor, y: Tensor) => np.add(x, y), np.array(0) as never, [np.array(1)] as never))
    expect.error(
      e,
      TangentMismatchError,
      /^primal and tangent arguments to jvp must be arrays of arguments; found Tensor\(f32\[\]\) and array\./
    )
  })

  it("test_jvp_of_int_identity and test_jvp_of_int_add: float0 tangents flow through", () => {
    const [, t] = run(jvp((x: Tensor) => x, [np.array(1, { dtype: "int32" })], [np.zeros([], { dtype: "float0" })]))
    assert.strictEqual(t.dtype, "float0")
    const [y, t2] = run(
      jvp((x: Tensor) => np.add(x, np.array(1, { dtype: "int32" })), [np.array(2, { dtype: "int32" })], [
        np.zeros([], { dtype: "float0" })
      ])
    )
    expect.close(value(Effect.succeed(y)), 3)
    assert.strictEqual(t2.dtype, "float0")
  })

  it("test_jvp_of_convert_element_type: a float to int conversion has a float0 tangent", () => {
    const [y, t] = run(
      jvp((x: Tensor) => np.add(np.astype(x, "int32"), np.array(1, { dtype: "int32" })), [np.array(2)], [np.array(1)])
    )
    assert.strictEqual(y.dtype, "int32")
    expect.close(value(Effect.succeed(y)), 3)
    assert.strictEqual(t.dtype, "float0")
  })
})
