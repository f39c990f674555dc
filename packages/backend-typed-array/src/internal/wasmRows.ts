/**
 * Reductions along contiguous float32 rows in WebAssembly SIMD, for reduce.ts:
 * argmax and argmin (`argReduce`), max and min (`reduce`).
 *
 * Why not JavaScript: the JS argmax scan tests every element twice (the
 * comparison and the NaN check) and runs at about 1.2 ns per element (1.27 ms
 * for 1024 rows of 1000), and a JS max (`Math.max`, NaN propagating) about
 * 0.8 ns; here one vector step handles four elements without a branch. Two sets
 * of four lanes take a row's even and odd vectors, so that consecutive steps do
 * not wait on each other (one set ran the argmax at 0.59 ms for 1024 rows of
 * 1000, two at 0.39 ms, the 4 MB copy into the module's memory included).
 *
 * argmax: lane `j` of a set follows the elements `4c + j` of its vectors `c`. It
 * replaces its held value and index only where the new value is strictly
 * greater (`gt`; `lt` for argmin), so each lane keeps the first of its equal
 * extremes, and it ORs `v != v` into a NaN flag. The caller combines the eight
 * lanes (largest value, then smallest index, so the row's first extreme wins,
 * with `-0` and `+0` equal as in the JS scan), continues over the row's last
 * `n % 8` elements, and rescans in JS a row whose flag is set (NumPy's argmax is
 * the first NaN's index). So the result is the JS scan's, row for row.
 *
 * max and min: `pmax` (`pmin`) per lane, one instruction where `f32x4.max`,
 * whose NaN and signed-zero rules x86 lacks, costs several (0.14 ms against
 * 0.04 ms for 256 rows of 1000), and a NaN flag as for argmax. The caller gives
 * NaN for a flagged row, else folds the eight lanes and the last `n % 8`
 * elements with `Math.max` (`Math.min`), and rescans in JS a row whose extreme
 * is a zero: a lane keeps the first of `-0` and `+0` where `Math.max` gives
 * `+0`. Both folds are exact, so the results are the JS fold's.
 *
 * `argmaxf32(rows, pairBytes, rowBytes, x, out)` (`argminf32`, `maxf32`,
 * `minf32`), addresses in bytes: row `r` starts at `x + r * rowBytes`, its
 * first `pairBytes` bytes are whole pairs of vectors (at least one). The arg
 * kernels store the eight held values, their indices (int32) and the NaN flags
 * at `out + 80 * r`, the folds the eight lanes and the NaN flags at `out + 48 * r`.
 */
import { type Func, i32, lazyModule, op, reserveBytes, simdOp, v128, whileBelow } from "./wasm.js"

const { get, set } = op
const f = simdOp.f32

const [rows, pairBytes, rowBytes, x, out] = [0, 1, 2, 3, 4]
const [rowPtr, rowEnd, p, pEnd] = [5, 6, 7, 8]
// the NaN flags, the vector read now and a comparison's mask; then each function's lane locals
const [nan, v, mask] = [9, 10, 11]
const LANE_LOCALS = 12

const i32x4 = (a: number, b: number, c: number, d: number): Array<number> =>
  simdOp.v128Const([...new Uint8Array(new Int32Array([a, b, c, d]).buffer)])

/** `nan |= (local != local)`. */
const flagNaN = (
  local: number
): Array<number> => [...get(nan), ...get(local), ...get(local), ...f.ne, ...simdOp.v128Or, ...set(nan)]

/**
 * A row function `name(rows, pairBytes, rowBytes, x, out)` with `extra` v128 locals after the
 * shared ones. Two sets of lanes (`set` 0 takes a row's even vectors, 1 its odd ones, so that
 * consecutive steps do not wait on each other): per row, `start(set)` with the set's first vector
 * in `v`; `nan` = its NaN lanes; for each later pair, `step(set)` with the vector in `v` (after
 * which the NaN lanes are flagged); then `stores` (locals) at `out`, one vector each, and `out`
 * moves past them.
 */
const rowFunc = (
  name: string,
  extra: number,
  body: {
    readonly start: (set: 0 | 1) => ReadonlyArray<number>
    readonly step: (set: 0 | 1) => ReadonlyArray<number>
    readonly stores: ReadonlyArray<number>
  }
): Func => {
  const read = (offset: number) => [...get(p), ...op.v128Load(offset), ...set(v)]
  const row = [
    ...get(rowPtr),
    ...set(p),
    ...op.v128Zero,
    ...set(nan),
    ...([0, 1] as const).flatMap((s) => [...read(16 * s), ...body.start(s), ...flagNaN(v)]),
    ...get(rowPtr),
    ...op.i32Const(32),
    ...op.i32Add,
    ...set(p),
    ...get(rowPtr),
    ...get(pairBytes),
    ...op.i32Add,
    ...set(pEnd),
    ...whileBelow(p, pEnd, [
      ...([0, 1] as const).flatMap((s) => [...read(16 * s), ...body.step(s), ...flagNaN(v)]),
      ...get(p),
      ...op.i32Const(32),
      ...op.i32Add,
      ...set(p)
    ]),
    ...body.stores.flatMap((local, k) => [...get(out), ...get(local), ...op.v128Store(16 * k)]),
    ...get(out),
    ...op.i32Const(16 * body.stores.length),
    ...op.i32Add,
    ...set(out),
    ...get(rowPtr),
    ...get(rowBytes),
    ...op.i32Add,
    ...set(rowPtr)
  ]
  return {
    name,
    params: [i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, ...Array<number>(LANE_LOCALS - 9 + extra).fill(v128)],
    body: [
      ...get(x),
      ...set(rowPtr),
      ...get(x),
      ...get(rows),
      ...get(rowBytes),
      ...op.i32Mul,
      ...op.i32Add,
      ...set(rowEnd),
      ...whileBelow(rowPtr, rowEnd, row)
    ]
  }
}

/**
 * `argmax`/`argmin`: per set, the held values, their indices and the next vector's indices; a lane
 * takes `v` where it is strictly greater (smaller): a NaN is never taken, a tie keeps the earlier
 * index. Stores the held values, the indices, then the NaN flags (80 bytes a row).
 */
const argFunc = (kind: "max" | "min"): Func => {
  const best = (s: 0 | 1) => LANE_LOCALS + 3 * s
  const idx = (s: 0 | 1) => LANE_LOCALS + 3 * s + 1
  const cur = (s: 0 | 1) => LANE_LOCALS + 3 * s + 2
  const start = (s: 0 | 1) => [
    ...get(v),
    ...set(best(s)),
    ...i32x4(4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 3),
    ...set(idx(s)),
    ...i32x4(4 * s + 8, 4 * s + 9, 4 * s + 10, 4 * s + 11),
    ...set(cur(s))
  ]
  const step = (s: 0 | 1) => [
    ...get(v),
    ...get(best(s)),
    ...(kind === "max" ? f.gt : f.lt),
    ...set(mask),
    ...get(v),
    ...get(best(s)),
    ...get(mask),
    ...simdOp.v128Bitselect,
    ...set(best(s)),
    ...get(cur(s)),
    ...get(idx(s)),
    ...get(mask),
    ...simdOp.v128Bitselect,
    ...set(idx(s)),
    ...get(cur(s)),
    ...i32x4(8, 8, 8, 8),
    ...simdOp.i32x4Add,
    ...set(cur(s))
  ]
  return rowFunc(`arg${kind}f32`, 6, { start, step, stores: [best(0), best(1), idx(0), idx(1), nan] })
}

/**
 * max/min: per set, `acc = pmax(acc, v)` (`pmin`), one instruction (`f32x4.max`'s NaN and
 * signed-zero rules cost several); a NaN met is flagged instead, and the caller settles signed
 * zeros. Stores the two sets' lanes, then the NaN flags (48 bytes a row).
 */
const foldFunc = (kind: "max" | "min"): Func => {
  const acc = (s: 0 | 1) => LANE_LOCALS + s
  const start = (s: 0 | 1) => [...get(v), ...set(acc(s))]
  const step = (s: 0 | 1) => [...get(acc(s)), ...get(v), ...(kind === "max" ? f.pmax : f.pmin), ...set(acc(s))]
  return rowFunc(`${kind}f32`, 2, { start, step, stores: [acc(0), acc(1), nan] })
}

type Name = "argmaxf32" | "argminf32" | "maxf32" | "minf32"

const getModule = lazyModule<Name>(() => [argFunc("max"), argFunc("min"), foldFunc("max"), foldFunc("min")])

/** The most memory the kernel takes (rows and lane results); larger operands stay in JavaScript. */
const MAX_BYTES = 2 ** 28

/**
 * Copies `rows` rows of `n` values of `x` into the module's memory and runs `name` over them,
 * with `perRow` bytes of results per row after the rows; gives the memory and where the results
 * start, or `undefined` (nothing run) where WebAssembly SIMD is unavailable, a row has fewer than
 * eight values, or the operand exceeds the kernel's memory.
 */
const runRows = (
  name: Name,
  x: Float32Array,
  rows: number,
  n: number,
  perRow: number
): { readonly buf: ArrayBuffer; readonly outAt: number } | undefined => {
  const pairs = n >> 3
  if (pairs === 0 || rows === 0) return undefined
  const outAt = Math.ceil((rows * n * 4) / 16) * 16
  const total = outAt + rows * perRow
  if (total > MAX_BYTES) return undefined
  const m = getModule()
  if (m === null) return undefined
  const buf = reserveBytes(m.memory, total)
  new Float32Array(buf, 0, rows * n).set(x.subarray(0, rows * n))
  m.exports[name](rows, pairs * 32, n * 4, 0, outAt)
  return { buf, outAt }
}

/**
 * `out[r]` = the index of the first maximum (`isMax`) or minimum of row `r` of
 * `x` (`rows` rows of `n` values, row-major from element 0), or of its first
 * NaN; `rescan(r)` gives a row holding a NaN (the JS scan). Returns false,
 * writing nothing, where WebAssembly SIMD is unavailable, a row has fewer than
 * eight values, or the operand exceeds the kernel's memory.
 */
export const argRowsF32 = (
  isMax: boolean,
  x: Float32Array,
  rows: number,
  n: number,
  out: Int32Array,
  rescan: (row: number) => number
): boolean => {
  const pairs = n >> 3
  const run = runRows(isMax ? "argmaxf32" : "argminf32", x, rows, n, 80)
  if (run === undefined) return false
  const { buf, outAt } = run
  const values = new Float32Array(buf, outAt, rows * 20)
  const words = new Int32Array(buf, outAt, rows * 20)
  for (let r = 0; r < rows; r++) {
    const at = 20 * r
    if ((words[at + 16]! | words[at + 17]! | words[at + 18]! | words[at + 19]!) !== 0) {
      out[r] = rescan(r)
      continue
    }
    // the lanes' extremes: the largest (smallest) value, then the smallest index
    let b = values[at]!
    let i = words[at + 8]!
    for (let l = 1; l < 8; l++) {
      const c = values[at + l]!
      const j = words[at + 8 + l]!
      if ((isMax ? c > b : c < b) || (c === b && j < i)) {
        b = c
        i = j
      }
    }
    // the row's last n % 8 values, as the JS scan continues
    const base = r * n
    for (let k = 8 * pairs; k < n; k++) {
      const c = x[base + k]!
      if (isMax ? c > b : c < b) {
        b = c
        i = k
      } else if (c !== c) {
        i = k
        break
      }
    }
    out[r] = i
  }
  return true
}

/**
 * `out[r]` = the max (`kind`) or min of row `r` of `x` (`rows` rows of `n`
 * values, row-major from element 0), NaN where the row holds one, as a
 * `Math.max` (`Math.min`) fold from -Infinity (Infinity) gives; `rescan(r)`
 * gives a row whose extreme is a zero (the JS fold settles its sign). Returns
 * false, writing nothing, where `runRows` runs nothing.
 */
export const foldRowsF32 = (
  kind: "max" | "min",
  x: Float32Array,
  rows: number,
  n: number,
  out: Float32Array | Float64Array,
  rescan: (row: number) => number
): boolean => {
  const run = runRows(kind === "max" ? "maxf32" : "minf32", x, rows, n, 48)
  if (run === undefined) return false
  const lanes = new Float32Array(run.buf, run.outAt, rows * 12)
  const flags = new Int32Array(run.buf, run.outAt, rows * 12)
  const fold = kind === "max" ? Math.max : Math.min
  const done = 8 * (n >> 3)
  for (let r = 0; r < rows; r++) {
    const at = 12 * r
    if ((flags[at + 8]! | flags[at + 9]! | flags[at + 10]! | flags[at + 11]!) !== 0) {
      out[r] = Number.NaN
      continue
    }
    let acc = lanes[at]!
    for (let l = 1; l < 8; l++) acc = fold(acc, lanes[at + l]!)
    for (let k = r * n + done; k < (r + 1) * n; k++) acc = fold(acc, x[k]!)
    // pmax keeps the first of -0 and +0 in a lane, where Math.max gives +0 (Math.min -0)
    out[r] = acc === 0 ? rescan(r) : acc
  }
  return true
}
