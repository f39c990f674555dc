/**
 * The counter-based hashes of Random123 (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3"), which XLA's RngBitGenerator names as its
 * algorithms: Threefry-2x32 (20 rounds) and Philox-4x32 (10 rounds), written
 * over uint32 lax primitives (`add` and `mul` wrap, `mulhi` is exact), so they
 * run eagerly, stage and batch like any other code.
 *
 * @since 0.1.0
 */
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { mulhi } from "./lax/more.js"

const u32 = (like: Tensor, value: number): Tensor => lax.full(like.shape, value >>> 0, "uint32")

const rotateLeft = (x: Tensor, r: number): Tensor =>
  lax.or(lax.shiftLeft(x, u32(x, r)), lax.shiftRightLogical(x, u32(x, 32 - r)))

const THREEFRY_ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]] as const

/**
 * Threefry-2x32-20 of the word pairs `(x0, x1)` under the key `(k0, k1)` (all
 * uint32 of one shape): 20 rounds, a key injection every 4.
 *
 * @since 0.1.0
 */
export const threefry2x32 = (k0: Tensor, k1: Tensor, x0: Tensor, x1: Tensor): readonly [Tensor, Tensor] => {
  const ks = [k0, k1, lax.xor(lax.xor(k0, k1), u32(k0, 0x1BD11BDA))]
  let a = lax.add(x0, ks[0]!)
  let b = lax.add(x1, ks[1]!)
  for (let i = 0; i < 5; i++) {
    for (const r of THREEFRY_ROTATIONS[i % 2]!) {
      a = lax.add(a, b)
      b = lax.xor(a, rotateLeft(b, r))
    }
    a = lax.add(a, ks[(i + 1) % 3]!)
    b = lax.add(lax.add(b, ks[(i + 2) % 3]!), u32(b, i + 1))
  }
  return [a, b]
}

/**
 * Philox-4x32-10 of the counter words `(x0, x1, x2, x3)` under the key `(k0,
 * k1)` (all uint32 of one shape): Random123's multipliers 0xD2511F53 and
 * 0xCD9E8D57, its Weyl key bumps 0x9E3779B9 and 0xBB67AE85.
 *
 * @since 0.1.0
 */
export const philox4x32 = (
  k0: Tensor,
  k1: Tensor,
  x: readonly [Tensor, Tensor, Tensor, Tensor]
): readonly [Tensor, Tensor, Tensor, Tensor] => {
  let [x0, x1, x2, x3] = x
  const m0 = u32(x0, 0xD2511F53)
  const m1 = u32(x0, 0xCD9E8D57)
  let [a, b] = [k0, k1]
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      a = lax.add(a, u32(a, 0x9E3779B9))
      b = lax.add(b, u32(b, 0xBB67AE85))
    }
    const [lo0, hi0, lo1, hi1] = [lax.mul(m0, x0), mulhi(m0, x0), lax.mul(m1, x2), mulhi(m1, x2)]
    ;[x0, x1, x2, x3] = [lax.xor(lax.xor(hi1, x1), a), lo1, lax.xor(lax.xor(hi0, x3), b), lo0]
  }
  return [x0, x1, x2, x3]
}
