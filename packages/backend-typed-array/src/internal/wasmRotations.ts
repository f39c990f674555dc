/**
 * A log of plane rotations (and row negations) applied to a band of columns in WebAssembly SIMD,
 * two float64 values per instruction: for rotateRows.ts's `RotationLog`.
 *
 * Why: a rotation's JS loop runs at about 4.6 cycles per element (two loads, four
 * multiplications, two additions, two stores and the bounds checks, one element at a time);
 * eigh's QL sweeps apply 360,000 rotations of 512-element rows to the vectors of a 512 x 512
 * matrix. Here a step rotates two elements of each row with `f64x2` `mul`, `add` and `sub`: IEEE
 * float64 arithmetic as JS's, without fused multiply-adds, so the same bits.
 *
 * `rotations(ops, count, x, rowBytes, bandBytes)`, addresses in bytes: for each of the `count`
 * records at `ops` (24 bytes: row p as i32, row q as i32, c and s as f64), rows p and q of the band
 * (row r at `x + r * rowBytes`, `bandBytes` bytes long, a multiple of 16) become
 * `(c x_p + s x_q, c x_q - s x_p)`, or row p is negated when q is negative.
 */
import { addTo, type Func, i32, lazyModule, op, reserveBytes, simdOp, v128, whileBelow } from "./wasm.js"

const { get, set } = op
const f = simdOp.f64

const [ops, count, x, rowBytes, bandBytes] = [0, 1, 2, 3, 4]
const [rec, end, po, qo, t, c, s, y, z] = [5, 6, 7, 8, 9, 10, 11, 12, 13]

/** Bytes of one record. */
export const RECORD_BYTES = 24

/** `i32.lt_s`. */
const i32LtS = [0x48]

/** `x + (i32 at address on the stack) * rowBytes`. */
const rowAt = (load: ReadonlyArray<number>): Array<number> => [
  ...get(x),
  ...load,
  ...get(rowBytes),
  ...op.i32Mul,
  ...op.i32Add
]

/** The address `row + t` of the band's vector at the current step. */
const at = (row: number): Array<number> => [...get(row), ...get(t), ...op.i32Add]

/** The band's vector at row address `row` plus `t` into `into`. */
const loadAt = (row: number, into: number): Array<number> => [...at(row), ...op.v128Load(0), ...set(into)]

/** `row[t] = first * c (combine) second * s`: one lane pair of a rotation's row. */
const storeAt = (row: number, first: number, second: number, combine: ReadonlyArray<number>): Array<number> => [
  ...at(row),
  ...get(first),
  ...get(c),
  ...f.mul,
  ...get(second),
  ...get(s),
  ...f.mul,
  ...combine,
  ...op.v128Store(0)
]

const rotationsFunc = (): Func => {
  const step = addTo(t, op.i32Const(16))
  const negate = [
    ...op.i32Const(0),
    ...set(t),
    ...whileBelow(t, bandBytes, [
      ...at(po),
      ...at(po),
      ...op.v128Load(0),
      ...f.neg,
      ...op.v128Store(0),
      ...step
    ])
  ]
  const rotate = [
    ...rowAt([...get(rec), ...op.i32Const(4), ...op.i32Add, ...simdOp.i32Load]),
    ...set(qo),
    ...get(rec),
    ...op.v128Load64Splat(8),
    ...set(c),
    ...get(rec),
    ...op.v128Load64Splat(16),
    ...set(s),
    ...op.i32Const(0),
    ...set(t),
    ...whileBelow(t, bandBytes, [
      ...loadAt(po, y),
      ...loadAt(qo, z),
      // x_p = y c + z s, x_q = z c - y s
      ...storeAt(po, y, z, f.add),
      ...storeAt(qo, z, y, f.sub),
      ...step
    ])
  ]
  return {
    name: "rotations",
    params: [i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, v128, v128, v128, v128],
    body: [
      ...get(ops),
      ...set(rec),
      ...get(ops),
      ...get(count),
      ...op.i32Const(RECORD_BYTES),
      ...op.i32Mul,
      ...op.i32Add,
      ...set(end),
      ...whileBelow(rec, end, [
        ...rowAt([...get(rec), ...simdOp.i32Load]),
        ...set(po),
        ...get(rec),
        ...op.i32Const(4),
        ...op.i32Add,
        ...simdOp.i32Load,
        ...op.i32Const(0),
        ...i32LtS,
        ...op.ifVoid,
        ...negate,
        ...op.else_,
        ...rotate,
        ...op.end,
        ...get(rec),
        ...op.i32Const(RECORD_BYTES),
        ...op.i32Add,
        ...set(rec)
      ])
    ]
  }
}

const getModule = lazyModule<"rotations">(() => [rotationsFunc()])

/** The kernel's memory (at least `bytes`) and its function, or `null` where it does not compile. */
export const rotationsKernel = (
  bytes: number
): { readonly buffer: ArrayBuffer; readonly run: (...args: Array<number>) => void } | null => {
  const m = enabled ? getModule() : null
  if (m === null) return null
  return { buffer: reserveBytes(m.memory, bytes), run: m.exports.rotations }
}

let enabled = true

/** Turns the kernel off (`false`: logs apply their records in JS) or back on. For tests. */
export const setWasmRotations = (on: boolean): void => {
  enabled = on
}
