// JAX parity: jax.linear_transpose. Each case names the test in
// jax/tests/api_test.py (or the docstring) whose behaviour it pins down.
import {
  CotangentMismatchError,
  linearTranspose,
  LinearTransposeDTypeError,
  NonLinearTransposeError
} from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, run, value } from "./parity.js"

describe("jax.linear_transpose parity", () => {
  it("docstring: f = 0.5 x - 0.5 y gives (0.5, -0.5)", () => {
    const t = run(
      linearTranspose(
        (x: Tensor, y: Tensor) => np.subtract(np.multiply(0.5, x), np.multiply(0.5, y)),
        np.array(0),
        np.array(0)
      )
    )
    expect.close(value(t(np.array(1))), [0.5, -0.5])
  })

  it("test_linear_transpose_abstract: 2x transposed is 2y", () => {
    const t = run(linearTranspose((x: Tensor) => np.multiply(2, x), np.zeros([3])))
    expect.close(value(t(np.array([0, 1, 2]))), [[0, 2, 4]])
  })

  it("test_linear_transpose_integer: an integer -> integer map is transposed on integers (2x at 3 gives 6)", () => {
    const t = run(
      linearTranspose((x: Tensor) => np.multiply(np.array(2, { dtype: "int32" }), x), np.array(1, { dtype: "int32" }))
    )
    const [ct] = run(t(np.array(3, { dtype: "int32" })))
    assert.strictEqual(ct.dtype, "int32")
    expect.close(value(t(np.array(3, { dtype: "int32" }))), [6])
  })

  it("test_linear_transpose_complex: (1+2j) x at 3+4j gives -5+10j", () => {
    const c = np.array({ re: 1, im: 2 })
    const t = run(linearTranspose((x: Tensor) => np.multiply(c, x), np.array({ re: 0, im: 1 })))
    expect.close(value(t(np.array({ re: 3, im: 4 }))), [{ re: -5, im: 10 }])
  })

  it("test_linear_transpose_zeros: x[0] of [1, 2] transposed at 3 is [3, 0]", () => {
    const t = run(linearTranspose((x: [Tensor, Tensor]) => x[0], [np.array(1), np.array(2)]))
    expect.close(value(t(np.array(3))), [[3, 0]])
  })

  it("test_linear_transpose_error", () => {
    expect.error(
      failure(linearTranspose((x: Tensor) => np.multiply(2, x), np.array(1, { dtype: "int32" }))),
      LinearTransposeDTypeError,
      /^linearTranspose only supports/
    )
    const pair = run(linearTranspose((x: Tensor) => [x, x], np.array(1)))
    expect.error(failure(pair(np.array(1) as never)), CotangentMismatchError, /unexpected tree structure/)
    const stacked = run(linearTranspose((x: Tensor) => np.stack([x, x]), np.array(1)))
    expect.error(failure(stacked(np.array(1))), CotangentMismatchError, /unexpected type/)
    const ident = run(linearTranspose((x: Tensor) => x, np.array(1)))
    expect.error(failure(ident(np.array({ re: 0, im: 1 }))), CotangentMismatchError, /unexpected type/)
  })

  it("a non-linear function is refused (JAX: transpose rule for 'mul'/'sin' not implemented)", () => {
    const square = run(linearTranspose((x: Tensor) => np.multiply(x, x), np.array(1)))
    expect.error(
      failure(square(np.array(1))),
      NonLinearTransposeError,
      /^Transpose rule \(for reverse-mode differentiation\) for 'mul' not implemented/
    )
    const sin = run(linearTranspose((x: Tensor) => np.sin(x), np.array(1)))
    expect.error(
      failure(sin(np.array(1))),
      NonLinearTransposeError,
      /^Transpose rule \(for reverse-mode differentiation\) for 'sin' not implemented/
    )
  })
})
