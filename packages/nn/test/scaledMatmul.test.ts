/**
 * nn.scaledMatmul (JAX's nn.scaled_matmul, reference lowering of
 * jax/_src/cudnn/scaled_matmul_stablehlo.py): JAX's docstring example, a direct
 * float64 loop with different block sizes for the two operands, the result
 * dtype, central-difference gradients in operands and scales, vmap, and JAX's
 * shape errors.
 */
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, nn, np, ShapeError, type Tensor, toJsSync } from "diffect"
import { assertClose, assertVmapMatchesLoop, f64, finiteGradient, flat, gradient } from "./helpers.js"

const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 3.7 + i * 1.3))

// out[b, m, n] = sum_k a[b, m, k] sa[b, m, k / blockA] * c[b, n, k] sb[b, n, k / blockB]
const reference = (
  [bs, m, n, k]: readonly [number, number, number, number],
  [ka, kb]: readonly [number, number],
  a: ReadonlyArray<number>,
  c: ReadonlyArray<number>,
  sa: ReadonlyArray<number>,
  sb: ReadonlyArray<number>
) => {
  const out: Array<number> = []
  for (let b = 0; b < bs; b++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0
        for (let p = 0; p < k; p++) {
          const x = a[(b * m + i) * k + p]! * sa[(b * m + i) * ka + Math.floor(p / (k / ka))]!
          const y = c[(b * n + j) * k + p]! * sb[(b * n + j) * kb + Math.floor(p / (k / kb))]!
          acc += x * y
        }
        out.push(acc)
      }
    }
  }
  return out
}

describe("nn.scaledMatmul", () => {
  it("JAX's example: (1, 2, 3) . (4, 5, 6) with both scales 0.5 is 8, in float32", () => {
    const a = np.reshape(np.array([1, 2, 3]), [1, 1, 3])
    const b = np.reshape(np.array([4, 5, 6]), [1, 1, 3])
    const s = np.reshape(np.array([0.5]), [1, 1, 1])
    const out = nn.scaledMatmul(a, b, s, s)
    assert.strictEqual(out.dtype, "float32")
    assert.deepStrictEqual(toJsSync(out), [[[8]]])
  })

  it("equals the direct loop (K = 8 in blocks of 2; JAX requires equal scale counts)", () => {
    const dims = [2, 3, 2, 8] as const
    const blocks = [4, 4] as const
    const a = values(2 * 3 * 8, 1)
    const c = values(2 * 2 * 8, 2)
    const sa = values(2 * 3 * 4, 3)
    const sb = values(2 * 2 * 4, 4)
    const out = nn.scaledMatmul(
      np.reshape(f64(a), [2, 3, 8]),
      np.reshape(f64(c), [2, 2, 8]),
      np.reshape(f64(sa), [2, 3, 4]),
      np.reshape(f64(sb), [2, 2, 4]),
      { preferredElementType: "float64" }
    )
    assert.deepStrictEqual(out.shape, [2, 3, 2])
    assertClose(out, reference(dims, blocks, a, c, sa, sb), 1e-14)
  })

  it("has the gradients of central differences in an operand and in the scales", () => {
    const a = values(1 * 2 * 4, 5)
    const c = values(1 * 3 * 4, 6)
    const sa = values(1 * 2 * 2, 7)
    const sb = values(1 * 3 * 2, 8)
    const cot = f64(values(6, 9))
    const lossA = (x: Tensor) =>
      np.sum(np.multiply(
        nn.scaledMatmul(
          x,
          np.reshape(f64(c), [1, 3, 4]),
          np.reshape(f64(sa), [1, 2, 2]),
          np.reshape(f64(sb), [1, 3, 2]),
          {
            preferredElementType: "float64"
          }
        ),
        np.reshape(cot, [1, 2, 3])
      ))
    assertClose(gradient(lossA, a, [1, 2, 4]), finiteGradient(lossA, a, [1, 2, 4]), 1e-8)
    const lossS = (s: Tensor) =>
      np.sum(np.multiply(
        nn.scaledMatmul(
          np.reshape(f64(a), [1, 2, 4]),
          np.reshape(f64(c), [1, 3, 4]),
          np.reshape(f64(sa), [1, 2, 2]),
          s,
          {
            preferredElementType: "float64"
          }
        ),
        np.reshape(cot, [1, 2, 3])
      ))
    assertClose(gradient(lossS, sb, [1, 3, 2]), finiteGradient(lossS, sb, [1, 3, 2]), 1e-8)
  })

  it("batches under vmap over the lhs", () => {
    const rhs = np.reshape(f64(values(2 * 4, 10)), [1, 2, 4])
    const ones = np.ones([1, 3, 2], { dtype: "float64" })
    const rs = np.reshape(f64(values(2 * 2, 11)), [1, 2, 2])
    assertVmapMatchesLoop(
      (x: Tensor) => nn.scaledMatmul(x, rhs, ones, rs, { preferredElementType: "float64" }),
      np.reshape(f64(values(2 * 3 * 4, 12)), [2, 1, 3, 4])
    )
    assert.deepStrictEqual(
      flat(nn.scaledMatmul(np.ones([1, 1, 2]), np.ones([1, 1, 2]), np.ones([1, 1, 1]), np.ones([1, 1, 1]))),
      [2]
    )
  })

  it("rejects JAX's shape mismatches with ShapeError and a non-float result dtype", () => {
    const a = np.ones([1, 2, 4])
    const b = np.ones([1, 3, 4])
    const s = (r: number, k: number) => np.ones([1, r, k])
    assert.instanceOf(thrown(() => nn.scaledMatmul(np.ones([2, 4]), b, s(2, 2), s(3, 2))), ShapeError)
    assert.strictEqual(
      (thrown(() => nn.scaledMatmul(np.ones([2, 4]), b, s(2, 2), s(3, 2))) as Error).message,
      "scaledMatmul: all inputs must be 3-dimensional arrays"
    )
    assert.instanceOf(thrown(() => nn.scaledMatmul(a, np.ones([1, 3, 5]), s(2, 1), s(3, 1))), ShapeError)
    assert.instanceOf(thrown(() => nn.scaledMatmul(a, b, s(2, 2), s(3, 1))), ShapeError)
    assert.instanceOf(thrown(() => nn.scaledMatmul(a, b, s(3, 2), s(3, 2))), ShapeError)
    assert.instanceOf(thrown(() => nn.scaledMatmul(a, b, s(2, 3), s(3, 3))), ShapeError)
    assert.instanceOf(
      thrown(() => nn.scaledMatmul(a, b, s(2, 2), s(3, 2), { preferredElementType: "int32" })),
      ArgumentError
    )
  })
})
