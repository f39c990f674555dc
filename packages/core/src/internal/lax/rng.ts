/**
 * JAX's low-level generators `lax.rng_bit_generator` and `lax.rng_uniform`,
 * whose values JAX documents as implementation-defined (XLA's own generators,
 * per platform). diffect's are documented counter-mode generators over
 * Random123's Philox-4x32-10 (the default, as XLA's CPU and GPU default) and
 * Threefry-2x32-20: the key `uint32[4]` is a 64-bit hash key (words 0 and 1)
 * and a 64-bit block counter (word 2 low, word 3 high); block j hashes counter
 * c + j, and the returned key carries counter c + blocks used, so drawing
 * again with it continues the same stream.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isFloating, isInteger } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { formatShape } from "../../Shape.js"
import type { Shape } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkDTypeName, checkOptions, checkShape, dtype as dtypeCheck } from "../../Validate.js"
import type { Check } from "../../Validate.js"
import { philox4x32, threefry2x32 } from "../counterHash.js"
import { bitcastConvertType, nextafter } from "./bits.js"

/**
 * The algorithm of `rngBitGenerator` (JAX's `lax.RandomAlgorithm`:
 * `RNG_DEFAULT`, `RNG_THREE_FRY`, `RNG_PHILOX`); `"default"` is Philox.
 *
 * @since 0.1.0
 */
export type RandomAlgorithm = "default" | "threeFry" | "philox"

const algorithmCheck: Check = {
  expected: "\"default\", \"threeFry\" or \"philox\"",
  test: (u) => u === "default" || u === "threeFry" || u === "philox"
}

const word = (key: Tensor, i: number): Tensor => lax.reshape(lax.slice(key, [i], [i + 1], null), [])

// (lo, hi) of the 64-bit sum of (lo, hi) and a uint32 tensor (wrapping at 2^64)
const add64 = (lo: Tensor, hi: Tensor, j: Tensor): readonly [Tensor, Tensor] => {
  const sum = lax.add(lo, j)
  return [sum, lax.add(hi, lax.convertElementType(lax.lt(sum, lo), "uint32"))]
}

// n uint32 words of the stream of `key`, and the key advanced past them
const streamWords = (key: Tensor, n: number, algorithm: RandomAlgorithm): readonly [Tensor, Tensor] => {
  const perBlock = algorithm === "threeFry" ? 2 : 4
  const blocks = Math.ceil(n / perBlock)
  const [k0, k1, c0, c1] = [0, 1, 2, 3].map((i) => word(key, i)) as [Tensor, Tensor, Tensor, Tensor]
  const spread = (t: Tensor) => lax.broadcastInDim(t, [blocks], [])
  const [lo, hi] = add64(spread(c0), spread(c1), lax.iota("uint32", [blocks]))
  const [ka, kb] = [spread(k0), spread(k1)]
  const zero = lax.full([blocks], 0, "uint32")
  const words = algorithm === "threeFry"
    ? threefry2x32(ka, kb, lo, hi)
    : philox4x32(ka, kb, [lo, hi, zero, zero])
  // block-major: block j gives words perBlock*j ... perBlock*j + perBlock - 1
  const flat = lax.reshape(lax.concatenate(words.map((w) => lax.reshape(w, [blocks, 1])), 1), [blocks * perBlock])
  const bits = lax.slice(flat, [0], [n], null)
  const count = lax.full([], blocks % 2 ** 32, "uint32")
  let [nlo, nhi] = add64(c0, c1, count)
  if (blocks >= 2 ** 32) nhi = lax.add(nhi, lax.full([], Math.floor(blocks / 2 ** 32), "uint32"))
  return [lax.concatenate([k0, k1, nlo, nhi].map((w) => lax.reshape(w, [1])), 0), bits]
}

const checkKey = (op: string, u: unknown): Tensor => {
  if (!(u instanceof Tensor && Tensor.isGenuine(u))) throw argumentError(op, "key", "a uint32[4] Tensor", u)
  if (u.dtype !== "uint32" || u.ndim !== 1 || u.shape[0] !== 4) {
    throw new DTypeError({
      operation: op,
      detail: `the key must be uint32[4] (JAX's u32[4] form of the u64[2] state), got ${u.dtype}${formatShape(u.shape)}`
    })
  }
  return u
}

/**
 * Uniform random bits (JAX's `lax.rng_bit_generator`): returns `[newKey,
 * bits]` for a `uint32[4]` key. diffect has the `"uint32"` dtype of JAX's
 * allowed unsigned ones (uint8/16/64 do not exist in diffect). The values are
 * diffect's documented counter-mode stream (see the module header): JAX
 * documents them as implementation-defined, and XLA's differ by platform.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const key = np.array([0, 0, 0, 0], { dtype: "uint32" })
 * const [next, bits] = lax.rngBitGenerator(key, [4])
 * // Philox-4x32-10 of counter 0 under key 0 (Random123's first known answer)
 * console.log(toJsSync(bits)) // [1713891541, 3781805453, 3159862348, 2600524760]
 * console.log(toJsSync(next)) // [0, 0, 1, 0]
 *
 * @since 0.1.0
 */
export const rngBitGenerator = (
  key: Tensor,
  shape: Shape,
  options?: { readonly dtype?: DType | undefined; readonly algorithm?: RandomAlgorithm | undefined }
): readonly [Tensor, Tensor] => {
  const op = "rng_bit_generator"
  const k = checkKey(op, key)
  const s = checkShape(op, shape)
  checkOptions(op, options, { dtype: dtypeCheck, algorithm: algorithmCheck })
  const d = options?.dtype === undefined ? "uint32" : checkDTypeName(op, options.dtype)
  if (d !== "uint32") {
    throw new DTypeError({
      operation: op,
      detail: `unsupported dtype ${d}: JAX allows uint8, uint16, uint32 and uint64, of which diffect has uint32`
    })
  }
  const n = s.reduce((p, q) => p * q, 1)
  const [next, bits] = streamWords(k, n, options?.algorithm ?? "default")
  return [next, lax.reshape(bits, s)]
}

// the stateful generator's position: a fixed hash key, a counter advanced by every draw
let uniformCounter = 0

const scalarOperand = (op: string, name: string, u: unknown, like?: Tensor): Tensor => {
  if (typeof u === "number") return lax.scalar(u, like?.dtype ?? "float32", like === undefined || like.weakType)
  if (!(u instanceof Tensor && Tensor.isGenuine(u))) throw argumentError(op, name, "a scalar Tensor or a number", u)
  return u
}

/**
 * Uniform random numbers in `[a, b)` of the given shape (JAX's
 * `lax.rng_uniform`: stateful, "experimental and its use is discouraged").
 * `a` and `b` are scalars of one dtype (float32, float64, int32 or uint32).
 * As JAX's, each call draws new values: a module-level counter advances
 * through the Philox stream of a fixed key (a staged function draws once, when
 * it is traced, and its program then repeats those values, where XLA's
 * would draw at each run). Floats are a + (b - a) u with u of 24 (float32) or 53
 * (float64) random bits, kept below b; integers are a + bits mod (b - a). The
 * result is undefined when b <= a, as JAX says.
 *
 * @example
 * import { lax, toJsSync } from "diffect"
 * const u = lax.rngUniform(0, 1, [1000])
 * const v = toJsSync(u) as Array<number>
 * console.log(v.every((x) => x >= 0 && x < 1)) // true
 *
 * @since 0.1.0
 */
export const rngUniform = (a: Tensor | number, b: Tensor | number, shape: Shape): Tensor => {
  const op = "rng_uniform"
  const lo = typeof a === "number" && typeof b !== "number" ?
    scalarOperand(op, "a", a, scalarOperand(op, "b", b)) :
    scalarOperand(op, "a", a)
  const hi = scalarOperand(op, "b", b, typeof b === "number" ? lo : undefined)
  const s = checkShape(op, shape)
  if (lo.dtype !== hi.dtype) {
    throw new DTypeError({
      operation: op,
      detail: `Arguments to rng_uniform must have identical dtypes, got ${lo.dtype} and ${hi.dtype}`
    })
  }
  if (lo.ndim !== 0 || hi.ndim !== 0) {
    throw new ShapeError({
      operation: op,
      detail: `Arguments to rng_uniform must be scalars; got shapes ${formatShape(lo.shape)} and ${
        formatShape(hi.shape)
      }`
    })
  }
  const d = lo.dtype
  if (!isFloating(d) && !isInteger(d)) {
    throw new DTypeError({ operation: op, detail: `takes float32, float64, int32 or uint32, got ${d}` })
  }
  const n = s.reduce((p, q) => p * q, 1)
  const perValue = d === "float64" ? 2 : 1
  const counter = uniformCounter
  const key = lax.concatenate([
    lax.full([2], 0x2545F491, "uint32"),
    lax.full([1], counter % 2 ** 32, "uint32"),
    lax.full([1], Math.floor(counter / 2 ** 32), "uint32")
  ], 0)
  const [, bits] = streamWords(key, n * perValue, "philox")
  uniformCounter = counter + Math.ceil((n * perValue) / 4)
  const weak = lo.weakType && hi.weakType
  const fill = (t: Tensor) => lax.broadcastInDim(t, s, [])
  if (isInteger(d)) {
    const asU = (t: Tensor) => d === "uint32" ? t : bitcastConvertType(t, "uint32")
    const range = lax.sub(fill(asU(hi)), fill(asU(lo)))
    const zero = lax.eq(range, lax.full(s, 0, "uint32"))
    const offset = lax.rem(lax.reshape(bits, s), lax.select(zero, lax.full(s, 1, "uint32"), range))
    const u = lax.add(fill(asU(lo)), lax.select(zero, lax.full(s, 0, "uint32"), offset))
    return lax.convertElementType(d === "uint32" ? u : bitcastConvertType(u, "int32"), d, weak)
  }
  let u: Tensor
  if (d === "float32") {
    u = lax.mul(lax.convertElementType(lax.shiftRightLogical(bits, lax.full([n], 8, "uint32")), "float32"), 2 ** -24)
  } else {
    const pairs = lax.reshape(bits, [n, 2])
    const top = lax.reshape(lax.slice(pairs, [0, 0], [n, 1], null), [n])
    const low = lax.reshape(lax.slice(pairs, [0, 1], [n, 2], null), [n])
    const high21 = lax.convertElementType(lax.shiftRightLogical(top, lax.full([n], 11, "uint32")), "float64")
    u = lax.add(lax.mul(high21, 2 ** -21), lax.mul(lax.convertElementType(low, "float64"), 2 ** -53))
  }
  const [fa, fb] = [fill(lo), fill(hi)]
  const x = lax.add(fa, lax.mul(lax.sub(fb, fa), lax.reshape(u, s)))
  // rounding can reach b: keep the largest value below it
  return lax.convertElementType(lax.min(x, nextafter(fb, fa)), d, weak)
}
