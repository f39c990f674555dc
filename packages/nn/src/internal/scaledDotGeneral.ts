/**
 * JAX's `nn.scaled_dot_general` and `nn.get_scaled_dot_general_config`: a
 * `dot_general` whose operands are quantized in blocks of the contracting
 * dimension (MXFP8: float8_e4m3fn values with power-of-two e8m0 scales;
 * NVFP4: float4_e2m1fn values with float8_e4m3fn scales and a global scale),
 * multiplied by `scaledMatmul`, with JAX's custom VJP (the cotangent quantized
 * too, by the third config; NVFP4's straight-through estimator). diffect has
 * no float8/float4 dtypes: values are rounded to those formats' grids (round
 * to nearest even, as the casts do) and kept in float32, which gives the same
 * numbers.
 *
 * @since 0.1.0
 */
import { customVjp } from "@diffect/ad"
import { isTensor, lax, np, ShapeError } from "@diffect/core"
import type { DType, Tensor } from "@diffect/core"
import { argumentError, checkOptions } from "@diffect/core/Validate"
import { scaledMatmul } from "./scaledMatmul.js"

const op = "scaled_dot_general"

/**
 * One operand's quantization (JAX's `BlockScaleConfig`): the mode, the block
 * size along the contracting dimension, the value and scale formats (names of
 * JAX's dtypes, emulated), the global scale (NVFP4) and `inferOnly`.
 *
 * @since 0.1.0
 */
export interface BlockScaleConfig {
  readonly mode: "nvfp4" | "mxfp8"
  readonly blockSize: number
  readonly dataType: "float4_e2m1fn" | "float8_e4m3fn"
  readonly scaleType: "float8_e4m3fn" | "float8_e8m0fnu"
  readonly globalScale: Tensor | undefined
  readonly inferOnly: boolean
}

/**
 * The quantization config of a mode (JAX's `nn.get_scaled_dot_general_config`):
 * `"mxfp8"` (blocks of 32, float8_e4m3fn values, e8m0 scales) or `"nvfp4"`
 * (blocks of 16, float4_e2m1fn values, float8_e4m3fn scales, a float32
 * `globalScale`, default `[1]`).
 *
 * @example
 * import { nn } from "diffect"
 * const c = nn.getScaledDotGeneralConfig("mxfp8")
 * console.log(c.blockSize, c.dataType, c.scaleType) // 32 float8_e4m3fn float8_e8m0fnu
 *
 * @since 0.1.0
 */
export const getScaledDotGeneralConfig = (mode: "nvfp4" | "mxfp8", globalScale?: Tensor): BlockScaleConfig => {
  if (mode === "nvfp4") {
    if (globalScale !== undefined && !isTensor(globalScale)) {
      throw argumentError("get_scaled_dot_general_config", "globalScale", "a Tensor", globalScale)
    }
    return {
      mode,
      blockSize: 16,
      dataType: "float4_e2m1fn",
      scaleType: "float8_e4m3fn",
      globalScale: globalScale ?? np.ones([1], { dtype: "float32" }),
      inferOnly: false
    }
  }
  if (mode === "mxfp8") {
    return {
      mode,
      blockSize: 32,
      dataType: "float8_e4m3fn",
      scaleType: "float8_e8m0fnu",
      globalScale: undefined,
      inferOnly: false
    }
  }
  throw argumentError("get_scaled_dot_general_config", "mode", `"nvfp4" or "mxfp8"`, mode)
}

// The small float formats: mantissa bits, smallest normal exponent, largest finite value.
const formats = {
  float8_e4m3fn: { mbits: 3, emin: -6, max: 448 },
  float4_e2m1fn: { mbits: 1, emin: 0, max: 6 }
} as const

// A cast to a small float format (in range): round to nearest even on its grid, whose spacing
// is 2^(max(floor(log2 |y|), emin) - mbits).
const roundTo = (y: Tensor, format: keyof typeof formats): Tensor => {
  const { emin, mbits } = formats[format]
  const [, e] = np.frexp(y)
  const exponent = lax.max(lax.sub(e, 1), emin)
  const ulp = np.ldexp(np.onesLike(y), lax.sub(exponent, mbits))
  return np.multiply(np.round(np.divide(y, ulp)), ulp)
}

// JAX's cast_to_e8m0_with_rounding_up then e8m0_to_dtype: the power of two at or above v
// (float32 bits; 0 becomes 2^-127).
const e8m0Scale = (v: Tensor, dtype: DType.DType): Tensor => {
  const bits = lax.bitcastConvertType(np.astype(v, "float32"), "int32")
  const exp = lax.shiftRightLogical(bits, 23)
  const mant = lax.and(bits, 0x7fffff)
  const roundUp = lax.and(
    lax.and(lax.gt(mant, 0), lax.ne(exp, 0xfe)),
    lax.not(lax.and(lax.eq(exp, 0), lax.le(mant, 0x400000)))
  )
  const e = lax.select(roundUp, lax.add(exp, 1), exp)
  const scale = lax.bitcastConvertType(lax.shiftLeft(e, 23), "float32")
  return np.astype(np.where(np.equal(scale, 0), 2 ** -127, scale), dtype)
}

// JAX's quantize: x [B, M, K] in blocks of the config's size along K.
const quantize = (x: Tensor, config: BlockScaleConfig): readonly [Tensor, Tensor] => {
  const [b, m, k] = x.shape as [number, number, number]
  const block = config.blockSize
  if (k < block || k % block !== 0) {
    throw new ShapeError({
      operation: op,
      detail:
        `${config.mode} quantizes the contracting dimension in blocks of ${block}: its size ${k} is not a multiple`
    })
  }
  const max = formats[config.dataType].max
  let blocks = np.reshape(x, [b, m, k / block, block])
  let scales: Tensor
  let scaled: Tensor
  if (config.mode === "mxfp8") {
    scales = e8m0Scale(np.divide(np.max(np.abs(blocks), { axis: -1, keepdims: true }), max), x.dtype)
    scaled = np.divide(blocks, scales)
  } else {
    blocks = np.divide(blocks, config.globalScale!)
    const raw = np.clip(np.divide(np.max(np.abs(blocks), { axis: -1, keepdims: true }), max), { min: 0, max: 448 })
    scales = roundTo(raw, "float8_e4m3fn")
    scaled = np.divide(blocks, scales)
  }
  const q = roundTo(np.clip(scaled, { min: -max, max }), config.dataType)
  return [np.reshape(q, [b, m, k]), np.reshape(scales, [b, m, k / block])]
}

type Dims = ReadonlyArray<number>

// JAX's shape_normalization: batch, then the other dimensions, then the contracting ones
// (each in its original order), as [B, M, K].
const normalize = (x: Tensor, contract: Dims, batch: Dims): Tensor => {
  const all = x.shape.map((_, i) => i)
  const c = all.filter((d) => contract.includes(d))
  const bt = all.filter((d) => batch.includes(d))
  const rows = all.filter((d) => !contract.includes(d) && !batch.includes(d))
  const size = (ds: Dims) => ds.reduce((p, d) => p * x.shape[d]!, 1)
  return np.reshape(np.transpose(x, { axes: [...bt, ...rows, ...c] }), [size(bt), size(rows), size(c)])
}

// JAX's compute_dot_output_shape: batch, lhs free, rhs free.
const outputShape = (ls: Dims, rs: Dims, [lc, lb]: readonly [Dims, Dims], [rc, rb]: readonly [Dims, Dims]) => [
  ...ls.filter((_, i) => lb.includes(i)),
  ...ls.filter((_, i) => !lc.includes(i) && !lb.includes(i)),
  ...rs.filter((_, i) => !rc.includes(i) && !rb.includes(i))
]

interface Dn {
  readonly contracting: readonly [Dims, Dims]
  readonly batch: readonly [Dims, Dims]
}

const forward = (lhs: Tensor, rhs: Tensor, dn: Dn, dtype: DType.DType, configs: ReadonlyArray<BlockScaleConfig>) => {
  const ldn = [dn.contracting[0], dn.batch[0]] as const
  const rdn = [dn.contracting[1], dn.batch[1]] as const
  const [lq, ls] = quantize(normalize(lhs, ...ldn), configs[0]!)
  const [rq, rs] = quantize(normalize(rhs, ...rdn), configs[1]!)
  const nvfp4 = configs[0]!.mode === "nvfp4"
  let out = scaledMatmul(lq, rq, ls, rs, { preferredElementType: nvfp4 ? "float32" : dtype })
  if (nvfp4) out = np.astype(np.multiply(out, np.multiply(configs[0]!.globalScale!, configs[1]!.globalScale!)), dtype)
  return np.reshape(out, outputShape(lhs.shape, rhs.shape, ldn, rdn))
}

const argsort = (xs: Dims): Array<number> => xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!)

// JAX's scaled_dot_general_transpose_lhs: the cotangent of x from g and y.
const transposeLhs = (
  g: Tensor,
  x: Tensor,
  y: Tensor,
  dn: Dn,
  dtype: DType.DType,
  configs: readonly [BlockScaleConfig, BlockScaleConfig],
  swapAns: boolean
): Tensor => {
  const [xc, yc] = dn.contracting
  const [xb, yb] = dn.batch
  const xKept = x.shape.map((_, i) => i).filter((i) => !xc.includes(i) && !xb.includes(i))
  const yKept = y.shape.map((_, i) => i).filter((i) => !yc.includes(i) && !yb.includes(i))
  const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i)
  const ansBatch = range(0, xb.length)
  const ansY = swapAns ? range(xb.length, yKept.length) : range(xb.length + xKept.length, yKept.length)
  const xcSortedByY = argsort(yc).map((i) => xc[i]!)
  const outAxes = argsort([...xb, ...xKept, ...xcSortedByY])
  const y3 = normalize(y, yKept, yb)
  const g3 = normalize(g, ansY, ansBatch)
  let out: Tensor
  if (configs[0].mode !== "nvfp4") {
    const [gq, gs] = quantize(g3, configs[0])
    const [yq, ys] = quantize(y3, configs[1])
    out = scaledMatmul(gq, yq, gs, ys, { preferredElementType: dtype })
  } else {
    out = np.astype(np.matmul(g3, np.transpose(y3, { axes: [0, 2, 1] })), dtype)
  }
  const expanded = np.reshape(out, outputShape(g.shape, y.shape, [ansY, ansBatch], [yKept, yb]))
  return np.transpose(expanded, { axes: outAxes })
}

/**
 * Options of {@link scaledDotGeneral}.
 *
 * @since 0.1.0
 */
export interface ScaledDotGeneralOptions {
  /** The result dtype (JAX's `preferred_element_type`, default float32). */
  readonly preferredElementType?: DType.DType | undefined
  /** Configs for lhs, rhs and the cotangent; without them, `lax.dotGeneral`. */
  readonly configs?: readonly [BlockScaleConfig, BlockScaleConfig, BlockScaleConfig] | undefined
}

/**
 * A block-scaled `dot_general` (JAX's `nn.scaled_dot_general`): the operands
 * are quantized by `configs[0]` and `configs[1]` along their contracting
 * dimensions (whose total size must be a multiple of the block size) and
 * multiplied by `scaledMatmul`; the gradient quantizes the cotangent by
 * `configs[2]` (JAX's custom VJP). Without `configs` it is `lax.dotGeneral`.
 * `dimensionNumbers` is `[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const c = nn.getScaledDotGeneralConfig("mxfp8")
 * const a = np.ones([1, 32])
 * // 0.3 is stored as 0.3125 (float8_e4m3fn after scaling): 32 * 0.3125 = 10
 * const out = nn.scaledDotGeneral(a, np.full([1, 32], 0.3), [[[1], [1]], [[], []]], { configs: [c, c, c] })
 * console.log(toJsSync(out)) // [[10]]
 *
 * @since 0.1.0
 */
export const scaledDotGeneral = (
  lhs: Tensor,
  rhs: Tensor,
  dimensionNumbers: readonly [readonly [Dims, Dims], readonly [Dims, Dims]],
  options?: ScaledDotGeneralOptions
): Tensor => {
  if (!isTensor(lhs)) throw argumentError(op, "lhs", "a Tensor", lhs)
  if (!isTensor(rhs)) throw argumentError(op, "rhs", "a Tensor", rhs)
  checkOptions(op, options, {
    preferredElementType: { expected: "a dtype name", test: (u) => typeof u === "string" },
    configs: {
      expected: "three BlockScaleConfigs (lhs, rhs, cotangent)",
      test: (u) => Array.isArray(u) && u.length === 3
    }
  })
  const dtype = options?.preferredElementType ?? "float32"
  const configs = options?.configs
  if (
    !Array.isArray(dimensionNumbers) || dimensionNumbers.length !== 2 ||
    !dimensionNumbers.every((p) => Array.isArray(p) && p.length === 2 && p.every(Array.isArray))
  ) {
    throw argumentError(
      op,
      "dimensionNumbers",
      "[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]",
      dimensionNumbers
    )
  }
  const [contracting, batch] = dimensionNumbers
  if (configs === undefined) return lax.dotGeneral(lhs, rhs, contracting, batch, { preferredElementType: dtype })
  if (dtype !== "float32") {
    throw argumentError(op, "preferredElementType", "float32 (JAX also takes bfloat16 and float16)", dtype)
  }
  // the shapes dot_general accepts (its checks and messages)
  lax.dotGeneral(np.zeros(lhs.shape), np.zeros(rhs.shape), contracting, batch)
  // JAX's _ensure_batch_dim: a trailing unit batch dimension on an operand without one
  const noBatch = batch[0].length === 0
  const l = noBatch ? np.expandDims(lhs, lhs.ndim) : lhs
  const r = noBatch ? np.expandDims(rhs, rhs.ndim) : rhs
  const dn: Dn = { contracting, batch: noBatch ? [[lhs.ndim], [rhs.ndim]] : batch }
  const swapped: Dn = { contracting: [dn.contracting[1], dn.contracting[0]], batch: [dn.batch[1], dn.batch[0]] }
  const fn = customVjp((a: Tensor, b: Tensor) => forward(a, b, dn, dtype, configs))
  fn.defVjp(
    (a: Tensor, b: Tensor) => [forward(a, b, dn, dtype, configs), [a, b] as const],
    ([a, b]: readonly [Tensor, Tensor], g: Tensor) => {
      let ga = transposeLhs(g, a, b, dn, dtype, [configs[2], configs[1]], false)
      let gb = transposeLhs(g, b, a, swapped, dtype, [configs[2], configs[0]], true)
      // NVFP4's straight-through estimator: no gradient where quantization clipped
      if (configs[2].mode === "nvfp4") {
        const limit = 6 * 448
        ga = np.where(np.lessEqual(np.abs(a), np.multiply(configs[0].globalScale!, limit)), ga, 0)
        gb = np.where(np.lessEqual(np.abs(b), np.multiply(configs[1].globalScale!, limit)), gb, 0)
      }
      return [ga, gb]
    }
  )
  const out = fn(l, r)
  return noBatch ? np.squeeze(out, { axis: 0 }) : out
}
