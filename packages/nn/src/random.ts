/**
 * `random`: JAX's `jax.random`, bit for bit. Keys are `uint32[2]` tensors
 * (JAX's raw `PRNGKey` representation; batches of keys are `uint32[..., 2]`),
 * hashed with Threefry-2x32 exactly as JAX does, so `random.normal(random.key(0),
 * [3])` gives JAX's numbers. Keys are ordinary tensors: pytree leaves, mapped by
 * `vmap` (`vmap(k => random.split(k))`), staged by every transformation. Every
 * sampler consumes its key; split it to draw again (the library itself never
 * reuses a key: samplers that need several draws split first, as JAX does).
 *
 * Two streams: JAX's current default `jax_threefry_partitionable = True`
 * (diffect's default too) and the legacy stream of older JAX versions, whose
 * values JAX's tests pin; choose with {@link withPartitionable}.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * const keys = random.split(random.key(0)) // a fresh key per use: split, never reuse
 * console.log(toJsSync(random.uniform(keys.at(0), [3]))) // [0.8423141, 0.1823786, 0.2271781]
 * console.log(toJsSync(random.normal(keys.at(1), [2]))) // [-2.442456, -2.035681]
 *
 * @since 0.1.0
 */
import { customJvp } from "@diffect/ad"
import { DType, DTypeError, lax, np, Shape, ShapeError, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import {
  argumentError,
  boolean,
  checkArg,
  checkAxis,
  checkDTypeName,
  checkKeys,
  checkTensor,
  describeValue,
  func
} from "@diffect/core/Validate"
import { gammaImpl } from "./internal/gamma.js"
import { install as installKdeSampler } from "./internal/kdeSampler.js"
import * as keys from "./internal/keys.js"
import { checkKey, shapeOf, splitN } from "./internal/keys.js"
import type { ShapeLike } from "./internal/keys.js"
import { shuffle, topKIndices } from "./internal/orderings.js"
import { poissonSample } from "./internal/poisson.js"
import { inexact } from "./internal/reduce.js"
import {
  asFloat,
  checkMethod,
  erfInvImpl,
  FINFO,
  floatDType,
  inexactDType,
  normalImpl,
  outShape,
  safeIntToFloat,
  uniformImpl
} from "./internal/sampling.js"
import * as threefry from "./internal/threefry.js"

type TensorLike = np.TensorLike
export type { FloatDType, InexactDType } from "./internal/sampling.js"
import type { FloatDType, InexactDType } from "./internal/sampling.js"

// ---------------------------------------------------------------------------
// the stream

/**
 * Whether the partitionable Threefry stream is in use (JAX's
 * `jax_threefry_partitionable`, `true` by default in JAX and in diffect).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.isPartitionable()) // true
 *
 * @since 0.1.0
 */
export const isPartitionable = (): boolean => keys.partitionable()

/**
 * Runs `f` with JAX's `jax_threefry_partitionable` flag set to `flag` and restores
 * it afterwards. `false` gives the legacy stream of JAX before 0.5 (the values
 * of JAX's `testRngRandomBits`, `testPRNGValues` and `RandomValuesCase` tests).
 * Like JAX's flag it is read when a function runs (or is traced).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * // JAX's testRngRandomBits, in the legacy stream
 * console.log(random.withPartitionable(false, () => toJsSync(random.bits(random.key(1701), [3])))) // [56197195, 4200222568, 961309823]
 *
 * @since 0.1.0
 */
export const withPartitionable = <A>(flag: boolean, f: () => A): A => {
  checkArg("withPartitionable", "flag", flag, boolean)
  checkArg("withPartitionable", "f", f, func)
  const saved = keys.setPartitionable(flag)
  try {
    return f()
  } finally {
    keys.setPartitionable(saved)
  }
}

// ---------------------------------------------------------------------------
// keys

/** The `impl` option of {@link key}, {@link PRNGKey} and {@link wrapKeyData}. @since 0.1.0 */
export interface ImplOptions {
  /** JAX's PRNG implementation name: only `"threefry2x32"` (JAX's default) exists in diffect. */
  readonly impl?: "threefry2x32" | undefined
}

// JAX's resolve_prng_impl: diffect has threefry2x32 only, so the other names are refused, not ignored
const checkImpl = (operation: string, options: ImplOptions | undefined): void => {
  checkKeys(operation, options, ["impl"])
  const impl: unknown = options?.impl
  if (impl !== undefined && impl !== "threefry2x32") {
    throw argumentError(operation, "impl", "\"threefry2x32\" (the PRNG implementation diffect has) or undefined", impl)
  }
}

/**
 * A PRNG key from an integer seed (JAX's `jax.random.key` / `PRNGKey`): the
 * `uint32[2]` pair `[seed >> 32, seed & 0xFFFFFFFF]`. Seeds in the int32 and
 * uint32 ranges give `[0, seed mod 2^32]` (JAX without x64); larger safe
 * integers up to 2^53 give their high word too (JAX with x64).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.key(42))) // [0, 42]
 * console.log(random.key(42).dtype) // uint32
 *
 * @since 0.1.0
 */
export const key = (seed: number | Tensor, options?: ImplOptions): Tensor => {
  checkImpl("key", options)
  if (typeof seed !== "number") {
    checkTensor("key", "seed", seed)
    if (seed.ndim !== 0 || !(seed.dtype === "int32" || seed.dtype === "uint32")) {
      throw new DTypeError({
        operation: "key",
        detail: `accepts a scalar integer seed, got ${DType.shortName(seed.dtype)}[${seed.shape.join(",")}]`
      })
    }
    const low = lax.reshape(lax.convertElementType(seed, "uint32"), [1])
    return lax.concatenate([lax.full([1], 0, "uint32"), low], 0)
  }
  if (!Number.isSafeInteger(seed)) {
    throw new DTypeError({ operation: "key", detail: `accepts an integer seed, got ${seed}` })
  }
  const hi = seed >= -(2 ** 31) && seed < 2 ** 32 ? 0 : Math.floor(seed / 2 ** 32) >>> 0
  return np.array([hi, seed >>> 0], { dtype: "uint32" })
}

/**
 * Alias of {@link key}: diffect's keys are always JAX's raw `uint32[2]` keys.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.PRNGKey(7))) // [0, 7]
 *
 * @since 0.1.0
 */
export const PRNGKey = key

/**
 * The raw `uint32` data of keys (the keys themselves: diffect keys are raw).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.keyData(random.key(1)))) // [0, 1]
 *
 * @since 0.1.0
 */
export const keyData = (keys: Tensor): Tensor => checkKey("keyData", keys, false)

/**
 * Keys from raw `uint32[..., 2]` data (checked).
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.wrapKeyData(np.array([0, 7], { dtype: "uint32" })))) // [0, 7]
 *
 * @since 0.1.0
 */
export const wrapKeyData = (data: Tensor, options?: ImplOptions): Tensor => {
  checkImpl("wrapKeyData", options)
  return checkKey("wrapKeyData", data, false)
}

/**
 * The PRNG implementation of keys (JAX's `key_impl`): always `"threefry2x32"`,
 * diffect's one implementation (the keys are checked).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.keyImpl(random.key(0))) // threefry2x32
 *
 * @since 0.1.0
 */
export const keyImpl = (keys: Tensor): "threefry2x32" => {
  checkKey("keyImpl", keys, false)
  return "threefry2x32"
}

/**
 * The dtype of the keys of a PRNG implementation (JAX's `key_dtype`). JAX
 * answers a typed-key dtype (`key<fry>`); diffect's keys are JAX's raw keys, so
 * the answer is their element dtype, `"uint32"` (a key is `uint32[..., 2]`).
 * `impl` is JAX's implementation name: only `"threefry2x32"` (JAX's default,
 * and `undefined`) exists in diffect.
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.keyDtype()) // uint32
 * console.log(random.key(0).dtype === random.keyDtype()) // true
 *
 * @since 0.1.0
 */
export const keyDtype = (impl?: string): DType.DType => {
  if (impl === undefined || impl === "threefry2x32") return "uint32"
  // JAX's other implementations (rbg, unsafe_rbg, philox4x32, threefry4x32) are not in diffect
  throw argumentError("keyDtype", "impl", "\"threefry2x32\" (the PRNG implementation diffect has) or undefined", impl)
}

/**
 * A key to use again (JAX's `clone`): outside JAX's key-reuse checking, which
 * diffect does not have, the identity on keys (and key arrays), checked.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * const key = random.key(0)
 * const again = random.clone(key)
 * console.log(toJsSync(random.uniform(key)) === toJsSync(random.uniform(again))) // true
 *
 * @since 0.1.0
 */
export const clone = (key: Tensor): Tensor => checkKey("clone", key, false)

/**
 * `num` new keys (or a `[...num]`-shaped array of keys) from one key, as JAX's
 * `split`; the result has shape `[...num, 2]`.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * const keys = random.split(random.key(0))
 * console.log(keys.dtype, keys.shape) // uint32 [2, 2]
 * console.log(toJsSync(keys)) // [[1797259609, 2579123966], [928981903, 3453687069]]
 *
 * @since 0.1.0
 */
export const split = (key: Tensor, num: ShapeLike = 2): Tensor =>
  threefry.split(checkKey("split", key), shapeOf("split", num), keys.partitionable())

/**
 * A new key from a key and an integer (JAX's `fold_in`): `threefry_2x32(key,
 * [0, data])`.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * const key = random.key(0)
 * // in the partitionable stream, foldIn(key, i) is split(key, n)[i]
 * console.log(toJsSync(random.foldIn(key, 1))) // [928981903, 3453687069]
 * console.log(toJsSync(random.split(key, 3).at(1))) // [928981903, 3453687069]
 *
 * @since 0.1.0
 */
export const foldIn = (key: Tensor, data: number | Tensor): Tensor => {
  checkKey("foldIn", key)
  if (typeof data !== "number") checkTensor("foldIn", "data", data)
  let d: Tensor
  if (typeof data === "number") {
    if (!Number.isInteger(data)) {
      throw new DTypeError({ operation: "foldIn", detail: `data must be an integer, got ${data}` })
    }
    // JAX converts data with jnp.asarray(data, dtype="uint32"): a Python int outside uint32 is an
    // OverflowError there (it would wrap here: 2^32 + 1 would fold in as 1)
    if (data < 0 || data > 0xffffffff) {
      throw new DTypeError({
        operation: "foldIn",
        detail: `data ${data} is out of bounds for uint32: a JS number must be an integer in [0, 4294967295] ` +
          `(a tensor of int32 data is converted to uint32, as in JAX)`
      })
    }
    d = lax.scalar(data, "uint32")
  } else {
    if (data.ndim !== 0 || !DType.isInteger(data.dtype)) {
      throw new DTypeError({
        operation: "foldIn",
        detail: `accepts a scalar integer, got ${DType.shortName(data.dtype)}[${data.shape.join(",")}]`
      })
    }
    d = data.dtype === "uint32" ? data : lax.convertElementType(data, "uint32")
  }
  return threefry.foldIn(key, d)
}

/**
 * Uniform random `uint32` bits of the given shape (JAX's `random.bits` with its
 * default dtype, 32 bits). `dtype` must be an unsigned integer dtype, as in
 * JAX; diffect has one, `uint32`.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.bits(random.key(0), [3]))) // [4070199207, 4202968722, 1427181096]
 *
 * @since 0.1.0
 */
export const bits = (
  key: Tensor,
  shape: ShapeLike = [],
  options?: { readonly dtype?: "uint32" | undefined }
): Tensor => {
  checkKeys("bits", options, ["dtype"])
  const dtype = options?.dtype
  if (dtype !== undefined && dtype !== "uint32") {
    // JAX: "dtype argument to `bits` must be an unsigned int dtype, got float32"
    if (!["uint8", "uint16", "uint64"].includes(dtype)) {
      const d = checkDTypeName("bits", dtype)
      throw new DTypeError({ operation: "bits", detail: `dtype argument must be an unsigned int dtype, got ${d}` })
    }
    checkDTypeName("bits", dtype)
  }
  return threefry.bits32(checkKey("bits", key), shapeOf("bits", shape), keys.partitionable())
}

// ---------------------------------------------------------------------------
// uniform and normal

/** Options of the samplers that take a dtype. @since 0.1.0 */
export interface DTypeOptions {
  /** float32 (default) or float64. */
  readonly dtype?: FloatDType | undefined
}

/**
 * Uniform samples in `[minval, maxval)` (default `[0, 1)`), JAX's `uniform`:
 * the mantissa of 32 (float32) or 64 (float64) random bits, scaled.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.uniform(random.key(0), [3], { minval: -1, maxval: 1 }))) // [0.895334, 0.9571598, -0.335417]
 *
 * @since 0.1.0
 */
export const uniform = (
  key: Tensor,
  shape: ShapeLike = [],
  options?: DTypeOptions & { readonly minval?: TensorLike | undefined; readonly maxval?: TensorLike | undefined }
): Tensor => {
  checkKeys("uniform", options, ["dtype", "minval", "maxval"])
  return uniformImpl(
    checkKey("uniform", key),
    shapeOf("uniform", shape),
    floatDType("uniform", options?.dtype),
    options?.minval ?? 0,
    options?.maxval ?? 1
  )
}

/**
 * The inverse error function, elementwise. float32 uses XLA's polynomial (Giles'
 * single-precision approximation, as JAX's `erf_inv`); float64 refines it with
 * two Newton steps on `erf`. `erfInv(+-1) = +-inf`.
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.erfInv(np.array([0, 0.5, -0.9])))) // [0, 0.4769363, -1.163087]
 *
 * @since 0.1.0
 */
export const erfInv = (x: TensorLike): Tensor => erfInvDiff(inexact(x))

// JAX's erf_inv_p JVP rule, sqrt(pi)/2 exp(y^2): differentiating the polynomial itself would
// meet its selects (sqrt(w) at w = 0, t * inf at the ends), whose transposes make 0 * inf = NaN.
const erfInvDiff = customJvp(erfInvImpl).defJvp(([x], [t]) => {
  const y = erfInvDiff(x)
  return [y, lax.mul(t, lax.mul(lax.full(y.shape, Math.sqrt(Math.PI) / 2, y.dtype), lax.exp(lax.mul(y, y))))]
})

/** Options of the samplers that also draw complex values ({@link normal}, {@link orthogonal}). @since 0.1.0 */
export interface InexactDTypeOptions {
  /** float32 (default), float64, complex64 or complex128. */
  readonly dtype?: InexactDType | undefined
}

/**
 * Standard normal samples (JAX's `normal`: `sqrt(2) * erf_inv(u)` for `u`
 * uniform in `(-1, 1)`). A complex dtype draws the real and imaginary parts
 * from the two keys of a split, each divided by `sqrt(2)` (so `E|z|^2 = 1`), as
 * JAX does.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.normal(random.key(0), [2, 2]))) // [[1.622642, 2.025265], [-0.4335944, -0.07861735]]
 * console.log(random.normal(random.key(0), [2], { dtype: "complex64" }).dtype) // complex64
 *
 * @since 0.1.0
 */
export const normal = (key: Tensor, shape: ShapeLike = [], options?: InexactDTypeOptions): Tensor => {
  checkKeys("normal", options, ["dtype"])
  return normalImpl(checkKey("normal", key), shapeOf("normal", shape), inexactDType("normal", options?.dtype))
}

/**
 * Normal samples truncated to `(lower, upper)` (JAX's `truncated_normal`: the
 * inverse CDF of a uniform between `erf(lower/sqrt 2)` and `erf(upper/sqrt 2)`,
 * clipped to the open interval). `lower` and `upper` may be arrays; `shape`
 * defaults to their broadcast shape and otherwise must be one they broadcast to.
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.truncatedNormal(random.key(0), -2, 2, [3]))) // [1.455959, 1.714748, -0.4126753]
 * console.log(random.truncatedNormal(random.key(0), np.array([-1, 0]), 1).shape) // [2]
 *
 * @since 0.1.0
 */
export const truncatedNormal = (
  key: Tensor,
  lower: TensorLike,
  upper: TensorLike,
  shape?: ShapeLike,
  options?: DTypeOptions
): Tensor => {
  checkKeys("truncatedNormal", options, ["dtype"])
  checkKey("truncatedNormal", key)
  const dtype = floatDType("truncatedNormal", options?.dtype)
  const lo = asFloat(lower, dtype)
  const hi = asFloat(upper, dtype)
  const s = outShape("truncatedNormal", shape, [lo, hi])
  const sqrt2 = np.array(Math.SQRT2, { dtype })
  const a = lax.erf(np.divide(lo, sqrt2))
  const b = lax.erf(np.divide(hi, sqrt2))
  const u = uniformImpl(key, s, dtype, a, b)
  const out = np.multiply(sqrt2, erfInv(u))
  return np.clip(out, {
    min: np.nextafter(lax.stopGradient(lo), np.array(Infinity, { dtype })),
    max: np.nextafter(lax.stopGradient(hi), np.array(-Infinity, { dtype }))
  })
}

// ---------------------------------------------------------------------------
// integers and choices

/** Options of {@link randint}. @since 0.1.0 */
export interface IntDTypeOptions {
  /** int32 (default) or uint32. */
  readonly dtype?: "int32" | "uint32" | undefined
}

/**
 * Integers uniform in `[minval, maxval)` (JAX's `randint`: two 32-bit draws
 * combined modulo the span, so the bias is about `span^2 / 2^64`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * // JAX's testPRNGValues, in the legacy stream
 * console.log(random.withPartitionable(false, () => toJsSync(random.randint(random.key(0), [3, 3], 0, 8)))) // [[2, 1, 3], [6, 1, 5], [6, 3, 4]]
 *
 * @since 0.1.0
 */
export const randint = (
  key: Tensor,
  shape: ShapeLike,
  minval: TensorLike,
  maxval: TensorLike,
  options?: IntDTypeOptions
): Tensor => {
  checkKeys("randint", options, ["dtype"])
  checkKey("randint", key)
  const s = shapeOf("randint", shape)
  const dtype: unknown = options?.dtype ?? "int32"
  if (dtype !== "int32" && dtype !== "uint32") {
    // JAX: "randint only accepts integer dtypes"; diffect's integers are int32 and uint32
    throw new DTypeError({
      operation: "randint",
      detail: `randint only accepts integer dtypes (int32 or uint32), got ${
        typeof dtype === "string" ? dtype : describeValue(dtype)
      }`
    })
  }
  const [tmin, tmax] = dtype === "int32" ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1]
  // JAX's _randint: bounds of a non-integer dtype are cast with astype(int), then converted to
  // `dtype` by _convert_and_clip_integer (clipped to the range both dtypes share, not wrapped);
  // `maxval` above dtype's maximum widens the span by one
  const toInt = (v: TensorLike, name: string): readonly [Tensor, Tensor | boolean] => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) {
        throw new DTypeError({ operation: "randint", detail: `${name} must be finite, got ${v}` })
      }
      const i = Math.trunc(v)
      return [lax.scalar(Math.min(Math.max(i, tmin), tmax), dtype), i > tmax]
    }
    let t = np.asarray(v)
    if (!DType.isInteger(t.dtype)) t = lax.convertElementType(t, "int32")
    if (t.dtype === dtype) return [t, false]
    // int32 <-> uint32: the shared range is [0, 2^31 - 1]
    const clipped = lax.clamp(lax.full([], 0, t.dtype), t, lax.full([], 2 ** 31 - 1, t.dtype))
    const outOfRange = dtype === "int32" ? lax.gt(t, lax.full(t.shape, 2 ** 31 - 1, t.dtype)) : false
    return [lax.convertElementType(clipped, dtype), outOfRange]
  }
  const [lo] = toInt(minval, "minval")
  const [hi, hiOutOfRange] = toInt(maxval, "maxval")
  if (lo.ndim > s.length || hi.ndim > s.length) {
    throw new ShapeError({
      operation: "randint",
      detail: `minval and maxval must broadcast to the shape [${s.join(", ")}]`
    })
  }
  const loB = np.broadcastTo(lo, s)
  const hiB = np.broadcastTo(hi, s)
  const [k1, k2] = splitN(key, 2)
  const higher = threefry.bits32(k1, s, keys.partitionable())
  const lower = threefry.bits32(k2, s, keys.partitionable())
  const u = (v: number) => lax.full(s, v, "uint32")
  let span = lax.convertElementType(lax.sub(hiB, loB), "uint32")
  span = lax.select(lax.le(hiB, loB), u(1), span)
  if (hiOutOfRange !== false) {
    const widen = hiOutOfRange === true
      ? lax.gt(hiB, loB)
      : lax.and(np.broadcastTo(hiOutOfRange, s), lax.gt(hiB, loB))
    span = lax.select(widen, lax.add(span, u(1)), span)
  }
  let multiplier = lax.rem(u(2 ** 16), span)
  multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
  let offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
  offset = lax.rem(offset, span)
  return lax.add(loB, lax.convertElementType(offset, dtype))
}

/** Options of {@link bernoulli}. @since 0.1.0 */
export interface BernoulliOptions {
  /** The output shape (default `p`'s); `p` must broadcast to it. */
  readonly shape?: ShapeLike | undefined
  /**
   * "low" (the default): `uniform < p`, wrong for `p` below about 1e-7 in
   * float32; "high": two uniforms, good down to about 1e-14, twice the cost.
   */
  readonly mode?: "low" | "high" | undefined
}

/**
 * Booleans that are true with probability `p` (JAX's `bernoulli`: `uniform < p`,
 * or with `mode: "high"` `u2 * 2^-nmant < p - u1` for two uniforms).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.bernoulli(random.key(0), 0.3, { shape: [5] }))) // [false, false, false, false, false]
 *
 * @since 0.1.0
 */
export const bernoulli = (key: Tensor, p: TensorLike = 0.5, options?: BernoulliOptions): Tensor => {
  checkKeys("bernoulli", options, ["shape", "mode"])
  const mode = options?.mode ?? "low"
  if (mode !== "low" && mode !== "high") {
    throw argumentError("bernoulli", "mode", "\"high\" or \"low\"", mode)
  }
  checkKey("bernoulli", key)
  const pt = np.asarray(p)
  if (!DType.isFloating(pt.dtype)) {
    throw new DTypeError({
      operation: "bernoulli",
      detail: `probability \`p\` must have a floating dtype, got ${pt.dtype}.`
    })
  }
  const shape = outShape("bernoulli", options?.shape, [pt])
  const dtype = pt.dtype as FloatDType
  if (mode === "high") {
    const u = uniformImpl(key, [2, ...shape], dtype, 0, 1)
    const u1 = lax.reshape(np.index(u, 0), shape)
    const u2 = np.multiply(
      lax.reshape(np.index(u, 1), shape),
      np.array(dtype === "float32" ? 2 ** -23 : 2 ** -52, { dtype })
    )
    return np.less(u2, np.subtract(pt, u1))
  }
  return np.less(uniformImpl(key, shape, dtype, 0, 1), pt)
}

/**
 * Random signs, -1 or 1 with equal probability (JAX's `rademacher`), int32 by
 * default.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.rademacher(random.key(0), [4]))) // [-1, -1, 1, 1]
 *
 * @since 0.1.0
 */
export const rademacher = (
  key: Tensor,
  shape: ShapeLike = [],
  options?: { readonly dtype?: "int32" | FloatDType | undefined }
): Tensor => {
  checkKeys("rademacher", options, ["dtype"])
  const b = np.astype(bernoulli(key, 0.5, { shape }), options?.dtype ?? "int32")
  return np.astype(np.subtract(np.multiply(2, b), 1), options?.dtype ?? "int32")
}

const sampler = (operation: string, key: Tensor, shape: ShapeLike, options: DTypeOptions | undefined) => {
  checkKeys(operation, options, ["dtype"])
  return [checkKey(operation, key), shapeOf(operation, shape), floatDType(operation, options?.dtype)] as const
}

/**
 * Exponential samples, density `exp(-x)` (JAX's `exponential`: `-log1p(-u)`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.exponential(random.key(0), [3]))) // [2.950128, 3.843425, 0.4039035]
 *
 * @since 0.1.0
 */
export const exponential = (key: Tensor, shape: ShapeLike = [], options?: DTypeOptions): Tensor => {
  const [k, s, dtype] = sampler("exponential", key, shape, options)
  return lax.neg(lax.log1p(lax.neg(uniformImpl(k, s, dtype, 0, 1))))
}

/** JAX's gumbel modes: how many random bits each sample uses. @since 0.1.0 */
export type GumbelMode = "low" | "high" | "highest"

const gumbelMode = (operation: string, mode: unknown): GumbelMode => {
  if (mode === undefined) return "low" // JAX's default (use_high_dynamic_range_gumbel off)
  if (mode === "low" || mode === "high" || mode === "highest") return mode
  throw argumentError(operation, "mode", "\"low\", \"high\" or \"highest\" (the gumbel sampler's mode)", mode)
}

const gumbelImpl = (key: Tensor, s: ReadonlyArray<number>, dtype: FloatDType, mode: GumbelMode): Tensor => {
  const first = (t: Tensor, i: number) => lax.reshape(np.index(t, i), s)
  if (dtype === "float32" && mode === "highest") {
    const bits = threefry.bits32(key, [2, ...s], keys.partitionable())
    const [b0, b1] = [first(bits, 0), first(bits, 1)]
    const c = (v: number) => lax.full(s, v, "uint32")
    // 1 - bits in u64 fixed point: the complement plus one, the carry into the high word
    const n0 = lax.not(b0)
    const n1 = lax.not(b1)
    const neg0 = lax.add(n0, lax.convertElementType(lax.eq(n1, c(0xffffffff)), "uint32"))
    const neg1 = lax.add(n1, c(1))
    const flip = lax.lt(b0, c(2 ** 31))
    const x = safeIntToFloat(lax.select(flip, b0, neg0), lax.select(flip, b1, neg1))
    // log1p for (0, 0.5), log for [0.5, 1)
    return lax.select(
      flip,
      lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x))))),
      lax.neg(lax.log(lax.neg(lax.log(x))))
    )
  }
  if (mode === "high" || mode === "highest") {
    const u = uniformImpl(key, [2, ...s], dtype, 0, 1)
    const [high, low] = [first(u, 0), first(u, 1)]
    const nmant = dtype === "float32" ? 23 : 52
    const smallest = Math.max(2 ** -(2 * nmant + 1), FINFO[dtype].tiny)
    const c = (v: number) => lax.full(s, v, dtype)
    const x = lax.select(
      lax.ge(high, c(0.5)),
      high,
      lax.add(lax.add(high, lax.mul(c(2 ** -nmant), low)), c(smallest))
    )
    return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
  }
  return lax.neg(lax.log(lax.neg(lax.log(uniformImpl(key, s, dtype, FINFO[dtype].tiny, 1)))))
}

/**
 * Standard Gumbel samples (JAX's `gumbel`). `mode` "low" (the default):
 * `-log(-log(u))`, `u` in `[tiny, 1)`; "high": two uniforms make a fraction of
 * twice the mantissa bits, so events of probability down to about 1e-14
 * (float32) are sampled; "highest" (float32): 64 random bits turned into a
 * float without losing leading zeros (float64 "highest" is "high").
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.gumbel(random.key(0), [3]))) // [2.923373, 3.832618, -0.09689324]
 *
 * @since 0.1.0
 */
export const gumbel = (
  key: Tensor,
  shape: ShapeLike = [],
  options?: DTypeOptions & { readonly mode?: GumbelMode | undefined }
): Tensor => {
  checkKeys("gumbel", options, ["dtype", "mode"])
  const k = checkKey("gumbel", key)
  const s = shapeOf("gumbel", shape)
  const dtype = floatDType("gumbel", options?.dtype)
  return gumbelImpl(k, s, dtype, gumbelMode("gumbel", options?.mode))
}

/**
 * Laplace samples, density `exp(-|x|) / 2` (JAX's `laplace`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.laplace(random.key(0), [3]))) // [-2.256982, -3.150279, 0.4085955]
 *
 * @since 0.1.0
 */
export const laplace = (key: Tensor, shape: ShapeLike = [], options?: DTypeOptions): Tensor => {
  const [k, s, dtype] = sampler("laplace", key, shape, options)
  const u = uniformImpl(k, s, dtype, -1 + FINFO[dtype].epsneg, 1)
  return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))
}

/**
 * Standard logistic samples (JAX's `logistic`: `log(u) - log1p(-u)`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.logistic(random.key(0), [3]))) // [2.896376, 3.821772, -0.6978392]
 *
 * @since 0.1.0
 */
export const logistic = (key: Tensor, shape: ShapeLike = [], options?: DTypeOptions): Tensor => {
  const [k, s, dtype] = sampler("logistic", key, shape, options)
  const x = uniformImpl(k, s, dtype, FINFO[dtype].tiny, 1)
  return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))
}

/**
 * Standard Cauchy samples (JAX's `cauchy`: `tan(pi (u - 1/2))`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.cauchy(random.key(0), [3]))) // [6.027494, 14.8379, -0.5817223]
 *
 * @since 0.1.0
 */
export const cauchy = (key: Tensor, shape: ShapeLike = [], options?: DTypeOptions): Tensor => {
  const [k, s, dtype] = sampler("cauchy", key, shape, options)
  const u = uniformImpl(k, s, dtype, FINFO[dtype].eps, 1)
  return lax.tan(lax.mul(lax.full(s, Math.PI, dtype), lax.sub(u, lax.full(s, 0.5, dtype))))
}

/**
 * Weibull samples (JAX's `weibull_min`): `scale * (-log1p(-u))^(1/concentration)`.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.weibullMin(random.key(0), 1, 1.5, [3]))) // [2.056967, 2.453648, 0.5464097]
 *
 * @since 0.1.0
 */
export const weibullMin = (
  key: Tensor,
  scale: TensorLike,
  concentration: TensorLike,
  shape: ShapeLike = [],
  options?: DTypeOptions
): Tensor => {
  const [k, s, dtype] = sampler("weibullMin", key, shape, options)
  const u = uniformImpl(k, s, dtype, 0, 1)
  return np.multiply(
    np.power(lax.neg(lax.log1p(lax.neg(u))), np.divide(1, asFloat(concentration, dtype))),
    asFloat(scale, dtype)
  )
}

// ---------------------------------------------------------------------------
// gamma and friends (Marsaglia-Tsang with JAX's key use)

/** Options of the gamma-family samplers. @since 0.1.0 */
export interface ShapeDTypeOptions extends DTypeOptions {
  /** The output shape (default the parameters' broadcast shape). */
  readonly shape?: ShapeLike | undefined
}

/**
 * Gamma samples with shape parameter `a` (JAX's `gamma`: Marsaglia and Tsang's
 * rejection method, one key per element, `a < 1` boosted), differentiable
 * with respect to `a` by JAX's implicit reparameterization. `method` is JAX's:
 * `"exact"` (the default); its loop-free `"approximate"` sampler is refused.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * // JAX's RandomValuesCase for gamma (a = 0.8), legacy stream, seed adler32("gammathreefry2x32")
 * console.log(random.withPartitionable(false, () => toJsSync(random.gamma(random.key(1038747260), 0.8, { shape: [5] })))) // [0.824221, 1.724476, 0.502882, 5.386132, 0.685543]
 *
 * @since 0.1.0
 */
export const gamma = (key: Tensor, a: TensorLike, options?: ShapeDTypeOptions & MethodOptions): Tensor => {
  checkKeys("gamma", options, ["shape", "dtype", "method"])
  checkMethod("gamma", options?.method)
  return gammaImpl("gamma", key, a, options?.shape, floatDType("gamma", options?.dtype), false)
}

/**
 * The logarithm of gamma samples, computed in log space so small `a` does not
 * underflow (JAX's `loggamma`).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.loggamma(random.key(0), 0.01, { shape: [3] }))) // [-11.47893, -9.828522, -137.9457]
 *
 * @since 0.1.0
 */
export const loggamma = (key: Tensor, a: TensorLike, options?: ShapeDTypeOptions & MethodOptions): Tensor => {
  checkKeys("loggamma", options, ["shape", "dtype", "method"])
  checkMethod("loggamma", options?.method)
  return gammaImpl("loggamma", key, a, options?.shape, floatDType("loggamma", options?.dtype), true)
}

/**
 * Beta(a, b) samples (JAX's `beta`: two log-gamma draws, normalized stably).
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.beta(random.key(0), 0.8, 0.9, { shape: [3] }))) // [0.5641241, 0.9613691, 0.9034658]
 *
 * @since 0.1.0
 */
export const beta = (
  key: Tensor,
  a: TensorLike,
  b: TensorLike,
  options?: ShapeDTypeOptions & MethodOptions
): Tensor => {
  checkKeys("beta", options, ["shape", "dtype", "method"])
  checkMethod("beta", options?.method)
  checkKey("beta", key)
  const dtype = floatDType("beta", options?.dtype)
  const at = asFloat(a, dtype)
  const bt = asFloat(b, dtype)
  const s = options?.shape === undefined ? Shape.broadcastShapes(at.shape, bt.shape) : shapeOf("beta", options.shape)
  const [keyA, keyB] = splitN(key, 2)
  const la = gammaImpl("beta", keyA!, np.broadcastTo(at, s), s, dtype, true)
  const lb = gammaImpl("beta", keyB!, np.broadcastTo(bt, s), s, dtype, true)
  const m = lax.max(la, lb)
  const ea = np.exp(np.subtract(la, m))
  const eb = np.exp(np.subtract(lb, m))
  return np.divide(ea, np.add(ea, eb))
}

/**
 * Dirichlet samples with concentration `alpha` (last axis; JAX's `dirichlet`:
 * softmax of log-gamma draws). Output shape `[...shape, alpha.shape[-1]]`.
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.dirichlet(random.key(0), np.array([0.5, 0.6, 0.7]), { shape: [2] }))) // [[0.4094768, 0.5325058, 0.05801728], [0.1264837, 0.8727855, 0.0007306924]]
 *
 * @since 0.1.0
 */
export const dirichlet = (key: Tensor, alpha: TensorLike, options?: ShapeDTypeOptions): Tensor => {
  checkKeys("dirichlet", options, ["shape", "dtype"])
  checkKey("dirichlet", key)
  const dtype = floatDType("dirichlet", options?.dtype)
  const at = asFloat(alpha, dtype)
  if (at.ndim < 1) {
    throw new ShapeError({
      operation: "dirichlet",
      detail: `requires alpha.ndim >= 1, got alpha.ndim == ${at.ndim}`
    })
  }
  const s = options?.shape === undefined ? at.shape.slice(0, -1) : shapeOf("dirichlet", options.shape)
  const full = [...s, at.shape[at.ndim - 1]!]
  // softmax over the last axis, as jax.nn.softmax computes it
  const logs = gammaImpl("dirichlet", key, np.broadcastTo(at, full), full, dtype, true)
  const e = np.exp(np.subtract(logs, np.max(logs, { axis: -1, keepdims: true })))
  return np.divide(e, np.sum(e, { axis: -1, keepdims: true }))
}

/**
 * Points uniform in the `d`-dimensional unit `p`-ball (JAX's `ball`: generalized
 * normal draws scaled by an exponential), shape `[...shape, d]`.
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * const points = random.ball(random.key(0), 3, { shape: [4] })
 * console.log(points.shape) // [4, 3]
 * const radii = np.sqrt(np.sum(np.square(points), { axis: -1 }))
 * console.log(toJsSync(np.all(np.less(radii, 1)))) // true
 *
 * @since 0.1.0
 */
export const ball = (
  key: Tensor,
  d: number,
  options?: DTypeOptions & { readonly p?: number | undefined; readonly shape?: ShapeLike | undefined }
): Tensor => {
  checkKeys("ball", options, ["dtype", "p", "shape"])
  checkKey("ball", key)
  const dtype = floatDType("ball", options?.dtype)
  const p = options?.p ?? 2
  if (!Number.isInteger(d) || d < 1) {
    throw new ShapeError({ operation: "ball", detail: `d must be a positive integer, got ${describeValue(d)}` })
  }
  const s = shapeOf("ball", options?.shape ?? [])
  const [k1, k2] = splitN(key, 2)
  // generalized_normal(k1, p, [...shape, d]): a gamma magnitude with a random sign
  const [g1, g2] = splitN(k1!, 2)
  const full = [...s, d]
  const g = gammaImpl("ball", g1!, 1 / p, full, dtype, false)
  const r = rademacher(g2!, full, { dtype })
  const gn = np.multiply(r, np.power(g, 1 / p))
  const e = exponential(k2!, s, { dtype })
  const norm = np.power(np.add(np.sum(np.power(np.abs(gn), p), { axis: -1 }), e), 1 / p)
  return np.divide(gn, np.expandDims(norm, -1))
}

// ---------------------------------------------------------------------------
// orderings: permutations, choices, categorical

/**
 * A random permutation of `arange(x)` (for a number), or of a tensor's entries
 * along `axis` (JAX's `permutation`; `independent` shuffles each slice on its
 * own). JAX sorts by random 32-bit keys; diffect ranks them by comparisons, so
 * memory grows as `n^2` along the axis.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.permutation(random.key(0), 5))) // [0, 1, 4, 3, 2]
 *
 * @since 0.1.0
 */
export const permutation = (
  key: Tensor,
  x: number | Tensor,
  options?: { readonly axis?: number | undefined; readonly independent?: boolean | undefined }
): Tensor => {
  checkKeys("permutation", options, ["axis", "independent"])
  checkKey("permutation", key)
  if (typeof x !== "number") checkTensor("permutation", "x", x)
  if (typeof x === "number") {
    if (!Number.isInteger(x) || x < 0) {
      throw new ShapeError({
        operation: "permutation",
        detail: `x must be an integer or at least 1-dimensional, got ${x}`
      })
    }
    return shuffle(key, lax.iota("int32", [x], 0), 0)
  }
  if (x.ndim === 0) {
    // JAX: a 0-d integer array is a count, read concretely (a traced one cannot be a length)
    if (!DType.isInteger(x.dtype)) {
      throw new DTypeError({
        operation: "permutation",
        detail: `x must be an integer or at least 1-dimensional, got a 0-d ${x.dtype} array`
      })
    }
    return permutation(key, toJsSync(x) as number)
  }
  const axis = checkAxis("permutation", options?.axis ?? 0, x.ndim)
  if (options?.independent === true || x.ndim === 1) return shuffle(key, x, axis)
  const ind = shuffle(key, lax.iota("int32", [x.shape[axis]!], 0), 0)
  return np.take(x, ind, { axis })
}

/**
 * Samples from `a` (an array along `axis`, or `arange(a)` for a number), with or
 * without replacement, uniformly or with probabilities `p` (JAX's `choice`).
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.choice(random.key(0), 5, { shape: [3], replace: false }))) // [0, 1, 4]
 * console.log(toJsSync(random.choice(random.key(1), np.array([10, 20, 30]), { shape: [2], p: np.array([0.1, 0.1, 0.8]) }))) // [30, 30]
 *
 * @since 0.1.0
 */
export const choice = (
  key: Tensor,
  a: number | Tensor,
  options?: {
    readonly shape?: ShapeLike | undefined
    readonly replace?: boolean | undefined
    readonly p?: TensorLike | undefined
    readonly axis?: number | undefined
    /** The gumbel sampler's mode for weighted draws without replacement (see {@link gumbel}). */
    readonly mode?: GumbelMode | undefined
  }
): Tensor => {
  checkKeys("choice", options, ["shape", "replace", "p", "axis", "mode"])
  const mode = gumbelMode("choice", options?.mode)
  checkKey("choice", key)
  if (typeof a !== "number") checkTensor("choice", "a", a)
  const s = shapeOf("choice", options?.shape ?? [])
  // JAX: a 0-d array is a count like a number, read concretely as Python's int(a) (arange(a) is
  // sampled; a traced one cannot be a length)
  if (typeof a !== "number" && a.ndim === 0) {
    if (DType.isComplex(a.dtype)) {
      throw new DTypeError({ operation: "choice", detail: `a 0-d a must be real, got ${a.dtype}` })
    }
    return choice(key, Math.trunc(Number(toJsSync(a))), options)
  }
  const arr = typeof a === "number" ? null : a
  const axis = arr === null ? 0 : checkAxis("choice", options?.axis ?? 0, arr.ndim)
  const nInputs = arr === null ? (a as number) : arr.shape[axis]!
  if (arr === null && (!Number.isInteger(nInputs) || nInputs < 0)) {
    throw new ShapeError({ operation: "choice", detail: `a must be a non-negative integer or an array, got ${a}` })
  }
  const nDraws = Shape.sizeOf(s)
  const outShape = arr === null ? s : [...arr.shape.slice(0, axis), ...s, ...arr.shape.slice(axis + 1)]
  if (nDraws === 0) return np.zeros(outShape, { dtype: arr === null ? "int32" : arr.dtype })
  if (nInputs <= 0) {
    throw new ShapeError({ operation: "choice", detail: "a must be greater than 0 unless no samples are taken" })
  }
  const replace = options?.replace ?? true
  if (!replace && nDraws > nInputs) {
    throw new ShapeError({
      operation: "choice",
      detail: `Cannot take a larger sample (size ${nDraws}) than population (size ${nInputs}) when 'replace=False'`
    })
  }
  let ind: Tensor
  if (options?.p === undefined) {
    if (replace) ind = randint(key, s, 0, nInputs)
    else {
      const perm = permutation(key, arr === null ? nInputs : arr, { axis })
      const sliced = arr === null
        ? lax.slice(perm, [0], [nDraws], null)
        : lax.slice(perm, perm.shape.map(() => 0), perm.shape.map((d, i) => (i === axis ? nDraws : d)), null)
      return np.reshape(sliced, outShape)
    }
  } else {
    const p = inexact(options.p)
    if (p.ndim !== 1 || p.shape[0] !== nInputs) {
      throw new ShapeError({
        operation: "choice",
        detail:
          `p must be None or a 1D vector with the same size as a.shape[axis]. p has shape [${p.shape}] and a.shape[axis] is ${nInputs}.`
      })
    }
    const dtype = p.dtype as FloatDType
    if (replace) {
      const cuml = np.cumsum(p)
      const total = lax.slice(cuml, [nInputs - 1], [nInputs], null)
      const r = np.multiply(lax.reshape(total, []), np.subtract(1, uniformImpl(key, s, dtype, 0, 1)))
      // searchsorted(cuml, r), side "left": how many cumulative sums are below r
      ind = np.sum(np.astype(np.less(cuml, np.expandDims(r, -1)), "int32"), { axis: -1 })
    } else {
      const g = np.add(gumbelImpl(key, [nInputs], dtype, mode), np.log(p))
      ind = np.reshape(topKIndices(g, nDraws), s)
    }
  }
  const result = arr === null ? ind : np.take(arr, ind, { axis })
  return np.reshape(result, outShape)
}

/**
 * Samples from categorical distributions given by `logits` along `axis` (JAX's
 * `categorical`, the Gumbel-max trick; without replacement the Gumbel top-k).
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * console.log(toJsSync(random.categorical(random.key(0), np.log(np.array([0.2, 0.8])), { shape: [4] }))) // [1, 1, 1, 1]
 *
 * @since 0.1.0
 */
export const categorical = (
  key: Tensor,
  logits: TensorLike,
  options?: {
    readonly axis?: number | undefined
    readonly shape?: ShapeLike | undefined
    readonly replace?: boolean | undefined
    /** The gumbel sampler's mode (see {@link gumbel}). */
    readonly mode?: GumbelMode | undefined
  }
): Tensor => {
  checkKeys("categorical", options, ["axis", "shape", "replace", "mode"])
  const mode = gumbelMode("categorical", options?.mode)
  checkKey("categorical", key)
  const l = inexact(logits)
  // (the Gumbel noise is real: complex logits are a typed error, as JAX's gumbel dtype check)
  if (l.dtype !== "float32" && l.dtype !== "float64") {
    throw new DTypeError({ operation: "categorical", detail: `logits must be real, got dtype ${l.dtype}` })
  }
  const dtype: FloatDType = l.dtype
  const axis = checkAxis("categorical", options?.axis ?? -1, l.ndim)
  const batch = l.shape.filter((_, i) => i !== axis)
  const s = options?.shape === undefined ? batch : shapeOf("categorical", options.shape)
  const replace = options?.replace ?? true
  // JAX's _check_shape: the batch shape broadcasts to `shape`; without replacement (top-k over the
  // logits' own batch) `shape` must end with the batch shape itself
  const offset = s.length - batch.length
  const broadcasts = offset >= 0 && batch.every((d, i) => d === 1 || d === s[offset + i])
  if (!broadcasts || (!replace && s.slice(s.length - batch.length).join() !== batch.join())) {
    throw new ShapeError({
      operation: "categorical",
      detail: replace
        ? `categorical parameter shapes must be broadcast-compatible with shape argument, got batch shape [${batch}] for shape [${s}]`
        : `without replacement, shape must end with the logits' batch shape [${batch}], got [${s}]`
    })
  }
  const prefix = s.slice(0, s.length - batch.length)
  if (replace) {
    const logitsShape = s.slice(s.length - batch.length)
    logitsShape.splice(axis, 0, l.shape[axis]!)
    const g = gumbelImpl(key, [...prefix, ...logitsShape], dtype, mode)
    const shifted = np.add(g, np.reshape(l, [...prefix.map(() => 1), ...l.shape]))
    return np.argmax(shifted, { axis: prefix.length + axis })
  }
  const k = Shape.sizeOf(prefix)
  if (k > l.shape[axis]!) {
    throw new ShapeError({
      operation: "categorical",
      detail: `Number of samples without replacement (${k}) cannot exceed number of categories (${l.shape[axis]}).`
    })
  }
  const perturbed = np.moveaxis(np.add(l, gumbelImpl(key, l.shape, dtype, mode)), axis, -1)
  const top = topKIndices(perturbed, k) // [...batch, k]
  return np.reshape(np.moveaxis(top, -1, 0), s)
}

// ---------------------------------------------------------------------------
// linear-algebra based samplers

// F with cov = F F^T, JAX's three methods.
const covarianceFactor = (cov: Tensor, method: "cholesky" | "eigh" | "svd"): Tensor => {
  if (method === "cholesky") return np.linalg.cholesky(cov)
  const [vectors, values] = method === "eigh"
    ? ((([w, v]) => [v, w])(np.linalg.eigh(cov)))
    : ((([u, s]) => [u, s])(np.linalg.svd(cov)))
  return np.multiply(vectors, np.expandDims(np.sqrt(values), -2))
}

/**
 * Samples from a multivariate normal with `mean` `[..., n]` and covariance `cov`
 * `[..., n, n]` (JAX's `multivariate_normal`): `mean + F z` with the factor `F`
 * of `cov = F F^T` from `method` `"cholesky"` (the default), `"eigh"` (`V
 * sqrt(w)`) or `"svd"` (`U sqrt(s)`).
 *
 * @example
 * import { np, random } from "diffect"
 * const x = random.multivariateNormal(random.key(0), np.zeros([2]), np.eye(2), { shape: [3] })
 * console.log(x.dtype, x.shape) // float32 [3, 2]
 *
 * @since 0.1.0
 */
export const multivariateNormal = (
  key: Tensor,
  mean: TensorLike,
  cov: TensorLike,
  options?: ShapeDTypeOptions & { readonly method?: "cholesky" | "eigh" | "svd" | undefined }
): Tensor => {
  checkKeys("multivariateNormal", options, ["shape", "dtype", "method"])
  checkKey("multivariateNormal", key)
  const dtype = floatDType("multivariateNormal", options?.dtype)
  const m = asFloat(mean, dtype)
  const c = asFloat(cov, dtype)
  if (m.ndim < 1) {
    throw new ShapeError({
      operation: "multivariateNormal",
      detail: `multivariate_normal requires mean.ndim >= 1, got mean.ndim == ${m.ndim}`
    })
  }
  if (c.ndim < 2) {
    throw new ShapeError({
      operation: "multivariateNormal",
      detail: `multivariate_normal requires cov.ndim >= 2, got cov.ndim == ${c.ndim}`
    })
  }
  const n = m.shape[m.ndim - 1]!
  if (c.shape[c.ndim - 1] !== n || c.shape[c.ndim - 2] !== n) {
    throw new ShapeError({
      operation: "multivariateNormal",
      detail: `multivariate_normal requires cov.shape == (..., n, n) for n=${n}, but got cov.shape == [${c.shape}].`
    })
  }
  const method = options?.method ?? "cholesky"
  if (method !== "cholesky" && method !== "eigh" && method !== "svd") {
    throw new ShapeError({
      operation: "multivariateNormal",
      detail: `method must be one of "svd", "eigh" or "cholesky", got ${String(options?.method)}`
    })
  }
  const s = options?.shape === undefined
    ? Shape.broadcastShapes(m.shape.slice(0, -1), c.shape.slice(0, -2))
    : shapeOf("multivariateNormal", options.shape)
  const factor = covarianceFactor(c, method)
  const z = normalImpl(key, [...s, n], dtype)
  return np.add(m, np.squeeze(np.matmul(factor, np.expandDims(z, -1)), { axis: -1 }))
}

/**
 * Random orthogonal (Haar-distributed) `n x m` matrices (JAX's `orthogonal`:
 * `Q` of the Householder QR factorization of a normal matrix, signs fixed by
 * `R`'s diagonal), shape `[...shape, n, m]` (`m` defaults to `n`). A complex
 * dtype gives unitary matrices (the phases of `R`'s diagonal fixed).
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * const q = random.orthogonal(random.key(0), 3, { dtype: "float64" })
 * console.log(toJsSync(np.round(np.matmul(np.transpose(q), q), { decimals: 12 }))) // [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const orthogonal = (
  key: Tensor,
  n: number,
  options?: InexactDTypeOptions & { readonly shape?: ShapeLike | undefined; readonly m?: number | undefined }
): Tensor => {
  checkKeys("orthogonal", options, ["dtype", "shape", "m"])
  checkKey("orthogonal", key)
  const dtype = inexactDType("orthogonal", options?.dtype)
  const m = options?.m ?? n
  const s = shapeOf("orthogonal", options?.shape ?? [])
  shapeOf("orthogonal", [n, m])
  const k = Math.min(n, m)
  const z = normalImpl(key, [...s, Math.max(n, m), k], dtype)
  // Householder QR, then the columns' signs from R's diagonal (Haar measure), as JAX.
  const [q, r] = np.linalg.qr(z)
  const d = np.sum(np.multiply(r, np.eye(k, { dtype })), { axis: -1 })
  // (a complex sign is d / |d|, a unitary Q's phases)
  const x = np.multiply(q, np.expandDims(np.sign(d), -2))
  return n < m ? np.swapaxes(x, -1, -2) : x
}

// ---------------------------------------------------------------------------
// poisson

/**
 * Poisson samples with rate `lam` (JAX's `poisson`: Knuth's multiplication method
 * for `lam < 10`, the transformed rejection method with squeeze of Hörmann
 * otherwise), int32 or (`dtype`) uint32.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * // JAX's RandomValuesCase for poisson (lam = 5), legacy stream, seed adler32("poissonthreefry2x32")
 * console.log(random.withPartitionable(false, () => toJsSync(random.poisson(random.key(1349191556), 5, { shape: [5] })))) // [7, 3, 6, 11, 6]
 *
 * @since 0.1.0
 */
export const poisson = (
  key: Tensor,
  lam: TensorLike,
  options?: { readonly shape?: ShapeLike | undefined } & IntDTypeOptions & MethodOptions
): Tensor => {
  checkKeys("poisson", options, ["shape", "dtype", "method"])
  checkMethod("poisson", options?.method)
  checkKey("poisson", key)
  const dtype: unknown = options?.dtype ?? "int32"
  if (dtype !== "int32" && dtype !== "uint32") {
    throw new DTypeError({
      operation: "poisson",
      detail: `dtype argument to \`poisson\` must be an integer dtype (int32 or uint32), got ${
        typeof dtype === "string" ? dtype : describeValue(dtype)
      }`
    })
  }
  const l0 = asFloat(lam, "float32")
  const s = options?.shape === undefined ? l0.shape : shapeOf("poisson", options.shape)
  const counts = poissonSample(key, np.broadcastTo(l0, s), s)
  // (counts are non-negative: int32 and uint32 hold the same values)
  return dtype === "int32" ? counts : lax.convertElementType(counts, dtype)
}

/** JAX's `method` option of the gamma-family samplers and poisson. @since 0.1.0 */
export type { MethodOptions } from "./internal/distributions.js"
import type { MethodOptions } from "./internal/distributions.js"

// the derived distributions (chisquare, f, t, binomial, multinomial, ...): internal/distributions.ts
export * from "./internal/distributions.js"

// `stats.gaussianKde(...).resample` draws with this module's `choice` and `multivariateNormal`
installKdeSampler({ split, choice, multivariateNormal })
