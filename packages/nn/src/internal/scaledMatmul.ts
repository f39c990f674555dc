/**
 * JAX's `nn.scaled_matmul`: block-scaled matrix multiplication, written as
 * JAX's reference (CPU) lowering computes it: each operand is cast to the
 * result dtype, multiplied by its scales repeated over their blocks of the
 * contracting dimension, and contracted. JAX's fast path takes float8/float4
 * operands with float8 scales on recent NVIDIA GPUs; diffect has no float8 or
 * float4 dtypes, so float32 (or float64) operands and scales stand in: the
 * arithmetic is the reference's, exactly.
 *
 * @since 0.1.0
 */
import { DType, isTensor, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { argumentError, checkOptions } from "@diffect/core/Validate"

const op = "scaledMatmul"

const tensor = (name: string, u: unknown): Tensor => {
  if (isTensor(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

const shapeError = (detail: string) => new ShapeError({ operation: op, detail })
const fmt = (s: ReadonlyArray<number>) => `(${s.join(", ")})`

/**
 * Block-scaled batched matrix product (JAX's `nn.scaled_matmul`): `lhs` is
 * `[B, M, K]`, `rhs` `[B, N, K]`, their scales `[B, M, K / blockA]` and
 * `[B, N, K / blockB]`; each scale multiplies its block of the contracting
 * dimension, and the result is `[B, M, N]` in `preferredElementType` (default
 * float32). Shapes that do not fit fail with `ShapeError`, as JAX's
 * `ValueError`s. Float operands stand in for JAX's float8/float4 ones.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const a = np.array([[[1, 2, 3]]])
 * const b = np.array([[[4, 5, 6]]])
 * const s = np.array([[[0.5]]])
 * console.log(toJsSync(nn.scaledMatmul(a, b, s, s))) // [[[8]]]
 *
 * @since 0.1.0
 */
export const scaledMatmul = (
  lhs: Tensor,
  rhs: Tensor,
  lhsScales: Tensor,
  rhsScales: Tensor,
  options?: { readonly preferredElementType?: DType.DType | undefined }
): Tensor => {
  const a = tensor("lhs", lhs)
  const b = tensor("rhs", rhs)
  const as = tensor("lhsScales", lhsScales)
  const bs = tensor("rhsScales", rhsScales)
  checkOptions(op, options, {
    preferredElementType: { expected: "a floating dtype name", test: (u) => typeof u === "string" }
  })
  const dtype = options?.preferredElementType ?? "float32"
  if (!DType.isFloating(dtype)) {
    throw argumentError(op, "preferredElementType", "a floating dtype (float32, float64)", dtype)
  }
  if (![a, b, as, bs].every((t) => t.ndim === 3)) {
    throw shapeError("all inputs must be 3-dimensional arrays")
  }
  const [batch, m, k] = a.shape as [number, number, number]
  const [bBatch, n, bk] = b.shape as [number, number, number]
  if (k !== bk || batch !== bBatch) {
    throw shapeError(
      `inputs a and b must have matching batch (B) and contract (K) dimensions, but got shapes ${fmt(a.shape)} and ${
        fmt(b.shape)
      }`
    )
  }
  if (as.shape[2] !== bs.shape[2] || as.shape[0] !== bs.shape[0]) {
    throw shapeError(
      `scales must have matching batch (B) and contract (K) dimensions, but got shapes ${fmt(as.shape)} and ${
        fmt(bs.shape)
      }`
    )
  }
  if (as.shape[1] !== m || bs.shape[1] !== n || as.shape[0] !== batch) {
    throw shapeError(
      `scales must match the non-contract dimensions of the inputs, but got shapes a: ${fmt(a.shape)}, b: ${
        fmt(b.shape)
      }, a_scales: ${fmt(as.shape)}, b_scales: ${fmt(bs.shape)}`
    )
  }
  const ks = as.shape[2]!
  if (ks === 0 ? k !== 0 : k % ks !== 0) {
    throw shapeError(`the scales' K (${ks}) must divide the inputs' K (${k}) into blocks`)
  }
  // each operand times its scales repeated over their blocks (JAX's reshape to [B, rows, K_s, block])
  const scaled = (x: Tensor, s: Tensor, rows: number): Tensor => {
    const block = ks === 0 ? 0 : k / ks
    const blocks = np.reshape(np.astype(x, dtype), [batch, rows, ks, block])
    const scales = np.reshape(np.astype(s, dtype), [batch, rows, ks, 1])
    return np.reshape(np.multiply(blocks, scales), [batch, rows, k])
  }
  return lax.dotGeneral(scaled(a, as, m), scaled(b, bs, n), [[2], [2]], [[0], [0]], {
    preferredElementType: dtype
  })
}
