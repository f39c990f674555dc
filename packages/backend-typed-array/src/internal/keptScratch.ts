/**
 * Scratch kept between calls: a kernel's temporary array taken from one kept array instead of
 * allocated. In Node 22 a typed array over 64 bytes costs 2.5-4 us to allocate (its backing
 * store), more than a small product or reduction. JS runs one kernel at a time, so one kept
 * array per kernel is never in use twice.
 *
 * @internal
 */

/**
 * A function giving `size` elements of scratch: a view of the kept array (grown as needed),
 * or a fresh array past `max` elements (so one large call does not keep its memory).
 */
export const keptScratch = <A extends Float32Array | Float64Array>(
  make: (size: number) => A,
  max = 1 << 16
): (size: number) => A => {
  let kept = make(0)
  return (size) => {
    if (size <= kept.length) return kept.subarray(0, size) as A
    if (size > max) return make(size)
    kept = make(size)
    return kept
  }
}
