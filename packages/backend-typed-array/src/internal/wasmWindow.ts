/**
 * Windowed max and min over channels (a pooling layout's last dimension, not
 * windowed) in WebAssembly SIMD, for `reduceWindow`'s channel path (window.ts).
 *
 * Why not JavaScript: a max's comparison is a data-dependent branch, and on
 * random data half of them are mispredicted (a 2 x 2 max pool of
 * 8 x 32 x 32 x 64 float32 took 2.5 ms in the JS fold, 0.7 ms for the same loop
 * summing). Here one vector step folds four (float32) or two (float64) channels
 * without a branch: `pmax(acc, v)` keeps `acc` unless `acc < v` (the first of
 * equal maxima stays, and a NaN already held stays), then a lane where `v` is NaN
 * takes `v` (`bitselect` on `v != v`): the JS fold's rule, lane by lane, so the
 * results are the same bits.
 *
 * `fold(windows, k, vecBytes, rowBytes, taps, count, out)`, all addresses in
 * bytes: window `w` has `count[w] >= 1` taps, the byte addresses of their channel
 * rows at `taps + 4 * (w * k + t)`, in tap order; for each vector of the first
 * `vecBytes` bytes of the row, the kernel loads the first tap's vector, folds the
 * others' into it and stores it at `out + w * rowBytes`. The operand is copied as
 * is into the module's memory; channels past the last whole vector are folded by
 * the caller.
 */
import { type Func, i32, lazyModule, op, type OwnMemoryModule, reserveBytes, simdOp, v128, whileBelow } from "./wasm.js"

const { get, set, tee } = op

type Kind = "max" | "min"
type Float = "f32" | "f64"

// The locals every window function shares: parameters 0-6, the loops' pointers, `held` (the
// first tap's vector, folded into) and `v` (the tap read now), then the function's own vectors.
const [windows, k, vecBytes, rowBytes, taps, count, out] = [0, 1, 2, 3, 4, 5, 6]
const [countPtr, countEnd, tapRow, tapEnd, cb, tp, held, v] = [7, 8, 9, 10, 11, 12, 13, 14]

/**
 * The loop over windows around `vectorLoop` (which runs over the vectors of one window's row):
 * per window, `tapEnd` = its taps' end and `cb` = 0 before, then the next window's count, taps
 * and output row.
 */
const windowLoop = (
  vectorLoop: ReadonlyArray<number>
): Array<number> => [
  ...get(count),
  ...tee(countPtr),
  ...get(windows),
  ...op.i32Const(4),
  ...op.i32Mul,
  ...op.i32Add,
  ...set(countEnd),
  ...get(taps),
  ...set(tapRow),
  ...whileBelow(countPtr!, countEnd!, [
    // tapEnd = tapRow + 4 * count[w]
    ...get(tapRow),
    ...get(countPtr),
    ...simdOp.i32Load,
    ...op.i32Const(4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(tapEnd),
    ...op.i32Const(0),
    ...set(cb),
    ...vectorLoop,
    ...get(countPtr),
    ...op.i32Const(4),
    ...op.i32Add,
    ...set(countPtr),
    ...get(tapRow),
    ...get(k),
    ...op.i32Const(4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(tapRow),
    ...get(out),
    ...get(rowBytes),
    ...op.i32Add,
    ...set(out)
  ])
]

/**
 * A window function `name(windows, k, vecBytes, rowBytes, taps, count, out)`: for each vector of
 * each window's row, `held` = the first tap's vector, then `init`, then for each later tap `v` = its
 * vector and `step`; the local `result` is stored at `out + w * rowBytes`. `extra` more v128 locals
 * follow `v` (15, 16, ...).
 */
const windowFunc = (
  name: string,
  extra: number,
  body: { readonly init: ReadonlyArray<number>; readonly step: ReadonlyArray<number>; readonly result: number }
): Func => {
  const tapVector = (ptr: number, into: number) => [
    ...get(ptr),
    ...simdOp.i32Load,
    ...get(cb),
    ...op.i32Add,
    ...op.v128Load(0),
    ...set(into)
  ]
  const vectorLoop = whileBelow(cb, vecBytes, [
    ...tapVector(tapRow, held),
    ...body.init,
    ...get(tapRow),
    ...op.i32Const(4),
    ...op.i32Add,
    ...set(tp),
    ...whileBelow(tp, tapEnd, [
      ...tapVector(tp, v),
      ...body.step,
      ...get(tp),
      ...op.i32Const(4),
      ...op.i32Add,
      ...set(tp)
    ]),
    ...get(out),
    ...get(cb),
    ...op.i32Add,
    ...get(body.result),
    ...op.v128Store(0),
    ...get(cb),
    ...op.i32Const(16),
    ...op.i32Add,
    ...set(cb)
  ])
  return {
    name,
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, ...Array<number>(2 + extra).fill(v128)],
    body: windowLoop(vectorLoop)
  }
}

const foldFunc = (kind: Kind, float: Float): Func => {
  const ops = simdOp[float]
  // held = bitselect(v, p(held, v), v != v)
  const step = [
    ...get(v),
    ...get(held),
    ...get(v),
    ...(kind === "max" ? ops.pmax : ops.pmin),
    ...get(v),
    ...get(v),
    ...ops.ne,
    ...simdOp.v128Bitselect,
    ...set(held)
  ]
  return windowFunc(`${kind}${float}`, 0, { init: [], step, result: held })
}

/**
 * `select(windows, k, vecBytes, rowBytes, taps, count, out)`: as `fold`, but each lane keeps the
 * tap number of its selected element (an integer of the float's width at `out + w * rowBytes`):
 * the first tap's, replaced by a later tap's unless the kept value is `>=` it ("ge") or `<=` it
 * ("le"), so a NaN kept is replaced and a NaN met is not taken (XLA's select, as
 * `selectedOffsets` in window.ts).
 */
const selectFunc = (prim: "ge" | "le", float: Float): Func => {
  const [idx, tv, mask] = [15, 16, 17]
  const ops = simdOp[float]
  const one = float === "f32"
    ? [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    : [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
  // tv += 1; mask = !(held >= v) (or <=); held = mask ? v : held; idx = mask ? tv : idx
  const step = [
    ...get(tv),
    ...simdOp.v128Const(one),
    ...(float === "f32" ? simdOp.i32x4Add : simdOp.i64x2Add),
    ...set(tv),
    ...get(held),
    ...get(v),
    ...(prim === "ge" ? ops.ge : ops.le),
    ...simdOp.v128Not,
    ...set(mask),
    ...get(v),
    ...get(held),
    ...get(mask),
    ...simdOp.v128Bitselect,
    ...set(held),
    ...get(tv),
    ...get(idx),
    ...get(mask),
    ...simdOp.v128Bitselect,
    ...set(idx)
  ]
  const init = [...op.v128Zero, ...set(idx), ...op.v128Zero, ...set(tv)]
  return windowFunc(`${prim}${float}`, 3, { init, step, result: idx })
}

type Name = `${Kind | "ge" | "le"}${Float}`

const getModule = lazyModule<Name>(() => {
  const floats = ["f32", "f64"] as const
  return [
    ...(["max", "min"] as const).flatMap((kind) => floats.map((f) => foldFunc(kind, f))),
    ...(["ge", "le"] as const).flatMap((prim) => floats.map((f) => selectFunc(prim, f)))
  ]
})

/** The most memory the kernel takes (operand, taps and output); larger inputs stay in JavaScript. */
const MAX_BYTES = 2 ** 28

/**
 * Copies the operand, the taps (as byte addresses of their rows in the copy) and the counts into
 * the module's memory and runs `name` over the windows; gives the channels done (whole vectors)
 * and where the results start, or `undefined` (nothing run) when WebAssembly SIMD is unavailable,
 * a window has no real tap, or the operands exceed the kernel's memory.
 */
const runWindows = (
  kind: Kind | "ge" | "le",
  x: Float32Array | Float64Array,
  taps: Int32Array,
  count: Int32Array,
  k: number,
  windows: number,
  channels: number
): { readonly m: OwnMemoryModule<Name>; readonly vecChannels: number; readonly outAt: number } | undefined => {
  const bytes = x.BYTES_PER_ELEMENT
  const lanes = 16 / bytes
  const vecChannels = channels - (channels % lanes)
  if (vecChannels === 0 || windows === 0) return undefined
  for (let w = 0; w < windows; w++) if (count[w]! === 0) return undefined
  const tapsAt = Math.ceil((x.length * bytes) / 16) * 16
  const countAt = tapsAt + taps.length * 4
  const outAt = Math.ceil((countAt + windows * 4) / 16) * 16
  const total = outAt + windows * channels * bytes
  if (total > MAX_BYTES) return undefined
  const m = getModule()
  if (m === null) return undefined
  const buf = reserveBytes(m.memory, total)
  if (bytes === 4) new Float32Array(buf, 0, x.length).set(x)
  else new Float64Array(buf, 0, x.length).set(x)
  const tapBytes = new Int32Array(buf, tapsAt, taps.length)
  for (let i = 0; i < taps.length; i++) tapBytes[i] = taps[i]! * bytes
  new Int32Array(buf, countAt, windows).set(count.subarray(0, windows))
  m.exports[`${kind}${bytes === 4 ? "f32" : "f64"}`](
    windows,
    k,
    vecChannels * bytes,
    channels * bytes,
    tapsAt,
    countAt,
    outAt
  )
  return { m, vecChannels, outAt }
}

/**
 * `out[w * channels + c]` = the max (or min) of `x[taps[w * k + t] + c]` over `t < count[w]`,
 * folded in tap order, for the channels `c` of whole vectors (the returned count; the caller folds
 * the rest, whose elements of `out` this overwrites). Returns 0, writing nothing, where
 * `runWindows` runs nothing.
 */
export const foldChannelsWasm = (
  kind: Kind,
  x: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  taps: Int32Array,
  count: Int32Array,
  k: number,
  windows: number,
  channels: number
): number => {
  const r = runWindows(kind, x, taps, count, k, windows, channels)
  if (r === undefined) return 0
  const n = windows * channels
  out.set(
    x.BYTES_PER_ELEMENT === 4
      ? new Float32Array(r.m.memory.buffer, r.outAt, n)
      : new Float64Array(r.m.memory.buffer, r.outAt, n)
  )
  return r.vecChannels
}

/**
 * `best[w * channels + c]` = the operand offset `taps[w * k + t] + c` of the tap `t` that `select`
 * (`prim`) keeps, for the channels of whole vectors (the returned count; the caller selects the
 * rest). Returns 0, writing nothing, where `runWindows` runs nothing.
 */
export const selectChannelsWasm = (
  prim: "ge" | "le",
  x: Float32Array | Float64Array,
  best: Int32Array,
  taps: Int32Array,
  count: Int32Array,
  k: number,
  windows: number,
  channels: number
): number => {
  const r = runWindows(prim, x, taps, count, k, windows, channels)
  if (r === undefined) return 0
  // tap numbers: one int32 per float32 lane, the low word of one int64 per float64 lane
  const step = x.BYTES_PER_ELEMENT / 4
  const picked = new Int32Array(r.m.memory.buffer, r.outAt, windows * channels * step)
  for (let w = 0; w < windows; w++) {
    const row = w * channels
    for (let c = 0; c < r.vecChannels; c++) best[row + c] = taps[w * k + picked[(row + c) * step]!]! + c
  }
  return r.vecChannels
}
