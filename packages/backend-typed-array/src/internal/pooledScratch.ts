/**
 * One kernel call's large work arrays, taken from the host pool (`DType.allocHost`) and handed
 * back when the call ends: fresh memory costs page faults on first touch, on the project's
 * machine about 11 us per 4 KiB page, more than the arithmetic of a radix sort or an FFT of a
 * million values. `reuse` frees what was taken for the next step of the same call (a sort's next
 * row). Compare `keptScratch.ts`, one small array kept between calls.
 *
 * @internal
 */
import { DType } from "@diffect/core"

type Lanes<D extends "uint32" | "float64"> = D extends "uint32" ? Uint32Array : Float64Array

export class PooledScratch<D extends "uint32" | "float64"> {
  readonly #free: Array<Lanes<D>> = []
  readonly #taken: Array<Lanes<D>> = []
  constructor(readonly dtype: D) {}
  /** `n` elements: cleared when `zeroed`, else holding whatever the storage held. */
  take(n: number, zeroed = false): Lanes<D> {
    const last = this.#free[this.#free.length - 1]
    const a = last !== undefined && last.length === n
      ? this.#free.pop()!
      : (zeroed ? DType.allocHost(this.dtype, n) : DType.allocHostUnfilled(this.dtype, n)) as Lanes<D>
    if (zeroed && a === last) a.fill(0)
    this.#taken.push(a)
    return a
  }
  /** Every array taken so far is free for the next `take`s (one step of the call is done). */
  reuse(): void {
    this.#free.push(...this.#taken)
    this.#taken.length = 0
  }
  /** The call is done: every array goes back to the host pool. */
  close(): void {
    this.reuse()
    for (const a of this.#free) DType.recycleHost(a)
    this.#free.length = 0
  }
}
