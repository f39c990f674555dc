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
import { type Func, i32, moduleBytes, op, simdOp, v128, whileBelow } from "./wasm.js"

const { get, set, tee } = op

type Kind = "max" | "min"
type Float = "f32" | "f64"

const foldFunc = (kind: Kind, float: Float): Func => {
  const [windows, k, vecBytes, rowBytes, taps, count, out] = [0, 1, 2, 3, 4, 5, 6]
  const [countPtr, countEnd, tapRow, tapEnd, cb, tp, acc, v] = [7, 8, 9, 10, 11, 12, 13, 14]
  const ops = simdOp[float]
  const fold = [
    // acc = bitselect(v, p(acc, v), v != v)
    ...get(v),
    ...get(acc),
    ...get(v),
    ...(kind === "max" ? ops.pmax : ops.pmin),
    ...get(v),
    ...get(v),
    ...ops.ne,
    ...simdOp.v128Bitselect,
    ...set(acc)
  ]
  const vectorLoop = whileBelow(cb, vecBytes, [
    // acc = the first tap's vector
    ...get(tapRow),
    ...simdOp.i32Load,
    ...get(cb),
    ...op.i32Add,
    ...op.v128Load(0),
    ...set(acc),
    ...get(tapRow),
    ...op.i32Const(4),
    ...op.i32Add,
    ...set(tp),
    ...whileBelow(tp, tapEnd, [
      ...get(tp),
      ...simdOp.i32Load,
      ...get(cb),
      ...op.i32Add,
      ...op.v128Load(0),
      ...set(v),
      ...fold,
      ...get(tp),
      ...op.i32Const(4),
      ...op.i32Add,
      ...set(tp)
    ]),
    ...get(out),
    ...get(cb),
    ...op.i32Add,
    ...get(acc),
    ...op.v128Store(0),
    ...get(cb),
    ...op.i32Const(16),
    ...op.i32Add,
    ...set(cb)
  ])
  const body = [
    ...get(count),
    ...tee(countPtr),
    ...get(windows),
    ...op.i32Const(4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(countEnd),
    ...get(taps),
    ...set(tapRow),
    ...whileBelow(countPtr, countEnd, [
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
  return {
    name: `${kind}${float}`,
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, v128, v128],
    body
  }
}

type FoldExport = (...args: Array<number>) => void

interface Module {
  readonly memory: WebAssembly.Memory
  readonly folds: Record<`${Kind}${Float}`, FoldExport>
}

let module: Module | null | undefined

const getModule = (): Module | null => {
  if (module !== undefined) return module
  try {
    const memory = new WebAssembly.Memory({ initial: 1 })
    const funcs = (["max", "min"] as const).flatMap((kind) => (["f32", "f64"] as const).map((f) => foldFunc(kind, f)))
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(funcs)), { env: { memory } })
    module = { memory, folds: instance.exports as unknown as Module["folds"] }
  } catch {
    module = null
  }
  return module
}

/** The most memory the kernel takes (operand, taps and output); larger inputs stay in JavaScript. */
const MAX_BYTES = 2 ** 28

/**
 * `out[w * channels + c]` = the max (or min) of `x[taps[w * k + t] + c]` over `t < count[w]`,
 * folded in tap order, for the channels `c` of whole vectors (the returned count; the caller folds
 * the rest). Returns 0, writing nothing, when WebAssembly SIMD is unavailable, a window has no
 * real tap, or the operands exceed the kernel's memory.
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
  const bytes = x.BYTES_PER_ELEMENT
  const lanes = 16 / bytes
  const vecChannels = channels - (channels % lanes)
  if (vecChannels === 0 || windows === 0) return 0
  for (let w = 0; w < windows; w++) if (count[w]! === 0) return 0
  const tapsAt = Math.ceil((x.length * bytes) / 16) * 16
  const countAt = tapsAt + taps.length * 4
  const outAt = Math.ceil((countAt + windows * 4) / 16) * 16
  const total = outAt + windows * channels * bytes
  if (total > MAX_BYTES) return 0
  const m = getModule()
  if (m === null) return 0
  const have = m.memory.buffer.byteLength
  if (total > have) m.memory.grow(Math.ceil((total - have) / 65536))
  const buf = m.memory.buffer
  const Ctor = bytes === 4 ? Float32Array : Float64Array
  new Ctor(buf, 0, x.length).set(x)
  // taps as byte addresses of their rows in the copy
  const tapBytes = new Int32Array(buf, tapsAt, taps.length)
  for (let i = 0; i < taps.length; i++) tapBytes[i] = taps[i]! * bytes
  new Int32Array(buf, countAt, windows).set(count.subarray(0, windows))
  m.folds[`${kind}${bytes === 4 ? "f32" : "f64"}`](
    windows,
    k,
    vecChannels * bytes,
    channels * bytes,
    tapsAt,
    countAt,
    outAt
  )
  out.set(new Ctor(buf, outAt, windows * channels))
  return vecChannels
}
