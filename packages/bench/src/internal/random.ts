/**
 * A small seeded generator, so that every library sees the same inputs on every
 * run without any library's own RNG.
 *
 * @since 0.1.0
 */

/** Mulberry32: 32-bit state, good enough for test data, and fast. @since 0.1.0 */
export const rng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` floats uniform in `[lo, hi)`. @since 0.1.0 */
export const uniform = (seed: number, n: number, lo: number, hi: number): Float32Array => {
  const next = rng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next()
  return out
}

/** `n` floats from a normal distribution of standard deviation `std` (Box-Muller). @since 0.1.0 */
export const normal = (seed: number, n: number, std = 1): Float32Array => {
  const next = rng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next())) * std
    const theta = 2 * Math.PI * next()
    out[i] = r * Math.cos(theta)
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta)
  }
  return out
}
