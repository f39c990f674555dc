/**
 * Payne and Hanek's reduction of a large float32 argument by pi/2, in the kernel IR's 32-bit
 * unsigned integer ops (core/src/Kernel.ts), for backends that decompose `sin`, `cos` and `tan`
 * (WebGPU): the Cody-Waite reduction of Approximation.ts is exact only up to |x| = 8192, and past
 * it lost every bit (`sin(8.8e7)` came out as `sin 1`).
 *
 * `|x| = m 2^(e - 23)` with `m` a 24-bit integer; only the bits of 2/pi from position `e - 24` on
 * matter modulo 4, so `m` times a 96-bit window of 2/pi starting there gives `x 2/pi mod 4`: its two
 * integer bits are the quadrant, the 62 bits below them the fraction (enough for float32's worst
 * case, whose reduced argument is about 2^-30 of pi/2). The window's three words come from a
 * 224-bit table by selects (no indexing in the IR); the products are split into 16-bit halves.
 */
import * as K from "../Kernel.js"
import type { Expr } from "../Kernel.js"

const u = (v: number): Expr => K.constant(v, "u32")
const f = (v: number): Expr => K.constant(v, "f32")

// pi/2 as float32, its 12-bit halves (their products with 12-bit values are exact), and the rest
const PIO2 = Math.fround(Math.PI / 2)
const PIO2_BH = Math.floor(PIO2 * 2 ** 11) / 2 ** 11
const PIO2_BL = PIO2 - PIO2_BH
const PIO2_REST = Math.fround(Math.PI / 2 - PIO2)

// 2/pi in 32-bit words, most significant first (bits 1..224 after the binary point), after one
// zero word for windows that start before the point
const TWO_OVER_PI_WORDS = [
  0,
  0xa2f9836e,
  0x4e441529,
  0xfc2757d1,
  0xf534ddc0,
  0xdb629599,
  0x3c439041,
  0xfe5163ab,
  0xdebbc561
]

/** Word `q + i` of the table for a `q` known to lie in [0, 4] (a chain of selects). */
const wordAt = (q: Expr, i: number): Expr => {
  let out = u(TWO_OVER_PI_WORDS[i + 4]!)
  for (let k = 3; k >= 0; k--) out = K.select(K.eq(q, u(k)), u(TWO_OVER_PI_WORDS[i + k]!), out)
  return out
}

/** The high 32 bits of `m w` (m < 2^24, w < 2^32), and the low 32 (wrapping). */
const mulWide = (m: Expr, w: Expr): readonly [hi: Expr, lo: Expr] => {
  const mask = u(0xffff)
  const mh = K.shrl(m, u(16))
  const ml = K.and(m, mask)
  const wh = K.shrl(w, u(16))
  const wl = K.and(w, mask)
  const ll = K.mul(ml, wl)
  const mid = K.add(K.mul(mh, wl), K.mul(ml, wh))
  // mh wl < 2^24 and ml wh < 2^32: their sum may wrap once
  const midCarry = K.cast(K.lt(mid, K.mul(ml, wh)), "u32")
  const lo = K.add(ll, K.shl(mid, u(16)))
  const loCarry = K.cast(K.lt(lo, ll), "u32")
  const hi = K.add(K.add(K.mul(mh, wh), K.shrl(mid, u(16))), K.add(K.shl(midCarry, u(16)), loCarry))
  return [hi, lo]
}

/**
 * For finite `x` with |x| >= 8192: the quadrant `j mod 4` (as f32, 0 to 3) and `r + rLo` (f32,
 * |r| <= pi/4, rLo below r's ulp) with `x = j pi/2 + r + rLo`. Meaningless elsewhere (a caller selects).
 */
export const reduceLargePio2 = (x: Expr): { readonly quadrant: Expr; readonly r: Expr; readonly rLo: Expr } => {
  const a = K.abs(x)
  const e = K.exponent(a)
  const m = K.cast(K.ldexp(a, K.sub(f(23), e)), "u32")
  // the window starts at bit e - 24 of 2/pi: word q of the padded table, bit o within it
  const start = K.add(e, f(7)) // (e - 24) + 32 - 1, the zero word shifting indices by 32
  const q = K.cast(K.floor(K.mul(start, f(1 / 32))), "u32")
  const o = K.sub(K.cast(start, "u32"), K.mul(q, u(32)))
  const word = (i: number) => wordAt(q, i)
  const funnel = (hi: Expr, lo: Expr) => K.or(K.shl(hi, o), K.shrl(lo, K.sub(u(32), o)))
  const [t0, t1, t2, t3] = [word(0), word(1), word(2), word(3)]
  const w2 = funnel(t0, t1)
  const w1 = funnel(t1, t2)
  const w0 = funnel(t2, t3)
  // m W = m w2 2^64 + m w1 2^32 + m w0; x 2/pi mod 4 is bits 30..95 of it (bits 94, 95 the quadrant)
  const [bHi, bLo] = mulWide(m, w1)
  const [cHi] = mulWide(m, w0)
  const word1 = K.add(bLo, cHi)
  const carry = K.cast(K.lt(word1, bLo), "u32")
  const word2 = K.add(K.add(K.mul(m, w2), bHi), carry)
  const fracHi = K.and(word2, u(0x3fffffff))
  // round to the nearest quadrant: a fraction of 1/2 or more is 1 - (its two's complement)
  const up = K.ne(K.and(word2, u(0x20000000)), u(0))
  const negLo = K.add(K.xor(word1, u(0xffffffff)), u(1))
  const negHi = K.add(K.and(K.xor(fracHi, u(0xffffffff)), u(0x3fffffff)), K.cast(K.eq(word1, u(0)), "u32"))
  const hiBits = K.select(up, K.and(negHi, u(0x3fffffff)), fracHi)
  const loBits = K.select(up, negLo, word1)
  // the fraction exactly as hi + lo floats (24 + 38 bits), times pi/2 in Dekker's exact product:
  // r + rLo carries the reduced argument to about 2^-48 relative, as the Cody-Waite path's tail does
  const p1 = K.shrl(hiBits, u(6))
  const ah = K.mul(K.cast(K.shrl(p1, u(12)), "f32"), f(2 ** -12))
  const al = K.mul(K.cast(K.and(p1, u(0xfff)), "f32"), f(2 ** -24))
  const hiF = K.add(ah, al)
  const p2 = K.or(K.shl(K.and(hiBits, u(63)), u(18)), K.shrl(loBits, u(14)))
  const loF = K.add(K.mul(K.cast(p2, "f32"), f(2 ** -48)), K.mul(K.cast(K.and(loBits, u(0x3fff)), "f32"), f(2 ** -62)))
  const ph = K.mul(hiF, f(PIO2))
  const err = K.add(
    K.add(K.add(K.sub(K.mul(ah, f(PIO2_BH)), ph), K.mul(ah, f(PIO2_BL))), K.mul(al, f(PIO2_BH))),
    K.mul(al, f(PIO2_BL))
  )
  const t = K.add(err, K.add(K.mul(hiF, f(PIO2_REST)), K.mul(loF, f(PIO2))))
  // (a barrier: `rHead - ph` is not `t` once rHead is rounded, which a reassociating GPU compiler forgets)
  const rHead = K.barrier(K.add(ph, t))
  const rTail = K.sub(t, K.sub(rHead, ph))
  const j = K.cast(K.and(K.add(K.shrl(word2, u(30)), K.cast(up, "u32")), u(3)), "f32")
  // x = sign (j pi/2 +- (rHead + rTail))
  const flip = K.ne(up, K.lt(x, f(0)))
  const negative = K.lt(x, f(0))
  return {
    quadrant: K.select(K.and(negative, K.ne(j, f(0))), K.sub(f(4), j), j),
    r: K.select(flip, K.neg(rHead), rHead),
    rLo: K.select(flip, K.neg(rTail), rTail)
  }
}
