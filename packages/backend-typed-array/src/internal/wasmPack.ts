/**
 * Operand packing for the float32 GEMM (wasmGemm.ts) in WebAssembly SIMD: the
 * operand is first copied as is into the kernel's memory (one memcpy), then
 * these functions rearrange it into the micro-kernel's layouts, in chunks the
 * thread pool can split (each chunk writes its own part of the packed buffer).
 *
 * - `packB32(j0, j1, raw, bp, k, ldb)`: panels `[j0, j1)` of a row-major rhs
 *   (`raw[p * ldb + q]`, bytes from `raw`): `bp[j][p][0..8] = B[p, 8j..8j+8]`,
 *   two vector loads and stores per row. Columns past n (a last partial panel)
 *   read whatever follows and are zeroed by the caller.
 * - `packA32(g0, g1, raw, ap, k4, lda, k)`: row groups `[g0, g1)` of a row-major
 *   lhs (`raw[i * lda + p]`): `ap[g][p][0..4] = A[4g..4g+4, p]`, a 4 x 4
 *   transpose (eight shuffles) per four steps of k, for the first `k4` (a
 *   multiple of 4) of the `k` columns; the caller packs the rest.
 * - `packBT32(j0, j1, raw, bp, k4, ldb, k)`: panels `[j0, j1)` of a column-major
 *   rhs, i.e. its row-major transpose (`raw[q * ldb + p] = B[p, q]`, as `w` in
 *   `x @ w.T`): `bp[j][p][0..8] = B[p, 8j..8j+8]`, two 4 x 4 transposes per
 *   four steps of k, for the first `k4` (a multiple of 4); the caller packs the
 *   rest and zeroes columns past n (whose rows are read from the slack after the
 *   copy).
 */
import { addTo, type Func, i32, op, simdOp, uleb, v128 } from "./wasm.js"

const { get, set, tee } = op

/** `packB32(j0, j1, raw, bp, k, ldb)`; see the module docs. */
export const packBFunc = (): Func => {
  const [j0, j1, raw, bp, k, ldb] = [0, 1, 2, 3, 4, 5]
  const [src, dst, end, rowBytes] = [6, 7, 8, 9]
  const body = [
    // rowBytes = ldb * 4; dst = bp + j0 * k * 32
    ...get(ldb),
    ...op.i32Const(4),
    ...op.i32Mul,
    ...set(rowBytes),
    ...get(bp),
    ...get(j0),
    ...get(k),
    ...op.i32Mul,
    ...op.i32Const(32),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(dst),
    ...op.loop, // panels
    // src = raw + j0 * 32; end = dst + k * 32
    ...get(raw),
    ...get(j0),
    ...op.i32Const(32),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(src),
    ...get(dst),
    ...get(k),
    ...op.i32Const(32),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(end),
    ...op.loop, // rows
    ...get(dst),
    ...get(src),
    ...op.v128Load(0),
    ...op.v128Store(0),
    ...get(dst),
    ...get(src),
    ...op.v128Load(16),
    ...op.v128Store(16),
    ...addTo(src, get(rowBytes)),
    ...get(dst),
    ...op.i32Const(32),
    ...op.i32Add,
    ...tee(dst),
    ...get(end),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...get(j0),
    ...op.i32Const(1),
    ...op.i32Add,
    ...tee(j0),
    ...get(j1),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end
  ]
  return { name: "packB32", params: Array<number>(6).fill(i32), locals: Array<number>(4).fill(i32), body }
}

/**
 * `packA32(g0, g1, raw, ap, k4, lda, k)`, `packA632` with `rows` 6, or
 * `packBT32` with `rows` 8 (see the module docs): each unit (a row group, a
 * panel) transposes `rows / 4` blocks of 4 rows by 4 steps of k, block `h`
 * stored at bytes `16 h` of each packed k step (`rows * 4` bytes); with 6 rows,
 * the last two rows are interleaved by two shuffles and stored 8 bytes per step
 * (`v128.store64_lane`) at bytes 16.
 */
export const packAFunc = (rows: 4 | 6 | 8 = 4): Func => {
  const [g0, g1, raw, ap, k4, lda, k] = [0, 1, 2, 3, 4, 5, 6]
  const stepBytes = rows * 4
  const [r0, dst, end, rowBytes] = [7, 8, 9, 10]
  const [v0, v1, v2, v3, t0, t1, t2, t3] = [11, 12, 13, 14, 15, 16, 17, 18]
  const rowLoad = (r: number, into: number) => [
    ...get(r0),
    ...get(rowBytes),
    ...op.i32Const(r),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.v128Load(0),
    ...set(into)
  ]
  const shuffle = (x: number, y: number, lanes: readonly [number, number, number, number], into: number) => [
    ...get(x),
    ...get(y),
    ...op.f32x4Shuffle(lanes),
    ...set(into)
  ]
  const store = (x: number, y: number, lanes: readonly [number, number, number, number], offset: number) => [
    ...get(dst),
    ...get(x),
    ...get(y),
    ...op.f32x4Shuffle(lanes),
    ...op.v128Store(offset)
  ]
  const body = [
    ...get(lda),
    ...op.i32Const(4),
    ...op.i32Mul,
    ...set(rowBytes),
    ...op.loop, // row groups
    // r0 = raw + g0 * 4 * rowBytes; dst = ap + g0 * k * 16; end = dst + k4 * 16
    ...get(raw),
    ...get(g0),
    ...get(rowBytes),
    ...op.i32Mul,
    ...op.i32Const(rows),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(r0),
    ...get(ap),
    ...get(g0),
    ...get(k),
    ...op.i32Mul,
    ...op.i32Const(stepBytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...tee(dst),
    ...get(k4),
    ...op.i32Const(stepBytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(end),
    ...get(k4),
    ...op.i32Eqz,
    ...op.i32Eqz,
    ...op.ifVoid,
    ...op.loop, // four steps of k
    ...Array.from({ length: Math.floor(rows / 4) }, (_, h) => [
      ...rowLoad(4 * h, v0),
      ...rowLoad(4 * h + 1, v1),
      ...rowLoad(4 * h + 2, v2),
      ...rowLoad(4 * h + 3, v3),
      ...shuffle(v0, v1, [0, 4, 1, 5], t0), // a0 b0 a1 b1
      ...shuffle(v0, v1, [2, 6, 3, 7], t1), // a2 b2 a3 b3
      ...shuffle(v2, v3, [0, 4, 1, 5], t2), // c0 d0 c1 d1
      ...shuffle(v2, v3, [2, 6, 3, 7], t3), // c2 d2 c3 d3
      ...store(t0, t2, [0, 1, 4, 5], 16 * h), // a0 b0 c0 d0
      ...store(t0, t2, [2, 3, 6, 7], 16 * h + stepBytes),
      ...store(t1, t3, [0, 1, 4, 5], 16 * h + 2 * stepBytes),
      ...store(t1, t3, [2, 3, 6, 7], 16 * h + 3 * stepBytes)
    ]).flat(),
    ...(rows % 4 === 0 ? [] : [
      ...rowLoad(rows - 2, v0),
      ...rowLoad(rows - 1, v1),
      ...shuffle(v0, v1, [0, 4, 1, 5], t0), // a0 b0 a1 b1
      ...shuffle(v0, v1, [2, 6, 3, 7], t1), // a2 b2 a3 b3
      ...[0, 1, 2, 3].flatMap((j) => [
        ...get(dst),
        ...get(j < 2 ? t0 : t1),
        ...op.v128Store64Lane(rows * 4 - 8 + j * stepBytes, j % 2)
      ])
    ]),
    ...addTo(r0, op.i32Const(16)),
    ...get(dst),
    ...op.i32Const(4 * stepBytes),
    ...op.i32Add,
    ...tee(dst),
    ...get(end),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...op.end,
    ...get(g0),
    ...op.i32Const(1),
    ...op.i32Add,
    ...tee(g0),
    ...get(g1),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end
  ]
  return {
    name: rows === 4 ? "packA32" : rows === 6 ? "packA632" : "packBT32",
    params: Array<number>(7).fill(i32),
    locals: [...Array<number>(4).fill(i32), ...Array<number>(8).fill(v128)],
    body
  }
}

/** `i32.load` at a constant byte offset from the address on the stack. */
const i32LoadAt = (offset: number): Array<number> => [0x28, 2, ...uleb(offset)]

/**
 * `packPanels32(j0, j1, x, bp, k, panels, desc, masks)`, all addresses in bytes:
 * panels `[j0, j1)` of a rhs whose every panel row is eight consecutive elements
 * of an operand `x` with some lanes masked to zero (a convolution's patches with
 * stride 1 along the last spatial dimension: a row of eight output positions
 * reads eight neighbouring inputs, lanes in padding zeroed). Panel `j` reads
 * `panels[2j]` (its image's byte offset in `x`) and `panels[2j + 1]` (its
 * descriptor row's byte offset in `desc`); step `p` of k reads the row's pair at
 * `desc + 8p`: a byte offset from the image (the first lane's element, whether
 * masked or not) and a mask's byte offset in `masks` (two vectors of lane masks).
 * `bp[j][p][0..8] = x[...8 lanes] & mask`. Masked lanes may read up to seven
 * elements before or after `x`: the caller leaves that slack.
 */
export const packPanelsFunc = (): Func => {
  const [j0, j1, x, bp, k, panels, desc, masks] = [0, 1, 2, 3, 4, 5, 6, 7]
  const [dst, end, src, d, m, s] = [8, 9, 10, 11, 12, 13]
  const lanes = (offset: number) => [
    ...get(dst),
    ...get(s),
    ...op.v128Load(offset),
    ...get(m),
    ...op.v128Load(offset),
    ...simdOp.v128And,
    ...op.v128Store(offset)
  ]
  const body = [
    // dst = bp + j0 * k * 32
    ...get(bp),
    ...get(j0),
    ...get(k),
    ...op.i32Mul,
    ...op.i32Const(32),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(dst),
    ...op.loop, // panels
    // src = x + panels[2 j0]; d = desc + panels[2 j0 + 1]; end = dst + k * 32
    ...get(panels),
    ...get(j0),
    ...op.i32Const(8),
    ...op.i32Mul,
    ...op.i32Add,
    ...tee(d),
    ...i32LoadAt(0),
    ...get(x),
    ...op.i32Add,
    ...set(src),
    ...get(d),
    ...i32LoadAt(4),
    ...get(desc),
    ...op.i32Add,
    ...set(d),
    ...get(dst),
    ...get(k),
    ...op.i32Const(32),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(end),
    ...op.loop, // steps of k
    ...get(src),
    ...get(d),
    ...i32LoadAt(0),
    ...op.i32Add,
    ...set(s),
    ...get(masks),
    ...get(d),
    ...i32LoadAt(4),
    ...op.i32Add,
    ...set(m),
    ...lanes(0),
    ...lanes(16),
    ...addTo(d, op.i32Const(8)),
    ...get(dst),
    ...op.i32Const(32),
    ...op.i32Add,
    ...tee(dst),
    ...get(end),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...get(j0),
    ...op.i32Const(1),
    ...op.i32Add,
    ...tee(j0),
    ...get(j1),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end
  ]
  return { name: "packPanels32", params: Array<number>(8).fill(i32), locals: Array<number>(6).fill(i32), body }
}

/**
 * `packRows632(g0, g1, ptrs, ap, segs, segLen)`, addresses in bytes: the lhs of
 * 6-row groups `[g0, g1)` packed as `packA632` packs a row-major lhs
 * (`ap[g][p][0..6] = A[6g..6g+6, p]`), where each row's k steps come in `segs`
 * segments of `segLen` (a multiple of 4) consecutive elements anywhere in
 * memory: group `g`, segment `s`, row `r` starts at the address
 * `ptrs[(g * segs + s) * 6 + r]` (a channels-last convolution's patches: per
 * output position and kernel tap, the input's features at that tap, or a row of
 * zeros for padding). `packRows32` does the same for 4-row groups.
 */
export const packRowsFunc = (rows: 4 | 6): Func => {
  const [g0, g1, ptrs, ap, segs, segLen] = [0, 1, 2, 3, 4, 5]
  const stepBytes = rows * 4
  const [q, qEnd, dst, end, off] = [6, 7, 8, 9, 10]
  const p = Array.from({ length: rows }, (_, r) => 11 + r)
  const [v0, v1, v2, v3, t0, t1, t2, t3] = Array.from({ length: 8 }, (_, i) => 11 + rows + i)
  const rowLoad = (
    r: number,
    into: number
  ) => [...get(p[r]!), ...get(off), ...op.i32Add, ...op.v128Load(0), ...set(into)]
  const shuffle = (x: number, y: number, lanes: readonly [number, number, number, number], into: number) => [
    ...get(x),
    ...get(y),
    ...op.f32x4Shuffle(lanes),
    ...set(into)
  ]
  const store = (x: number, y: number, lanes: readonly [number, number, number, number], offset: number) => [
    ...get(dst),
    ...get(x),
    ...get(y),
    ...op.f32x4Shuffle(lanes),
    ...op.v128Store(offset)
  ]
  const body = [
    // q = ptrs + g0 * segs * rows * 4; dst = ap + g0 * segs * segLen * rows * 4
    ...get(ptrs),
    ...get(g0),
    ...get(segs),
    ...op.i32Mul,
    ...op.i32Const(rows * 4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(q),
    ...get(ap),
    ...get(g0),
    ...get(segs),
    ...op.i32Mul,
    ...get(segLen),
    ...op.i32Mul,
    ...op.i32Const(stepBytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(dst),
    ...op.loop, // row groups
    ...get(q),
    ...get(segs),
    ...op.i32Const(rows * 4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(qEnd),
    ...op.loop, // segments
    ...p.flatMap((pr, r) => [...get(q), ...i32LoadAt(4 * r), ...set(pr)]),
    ...addTo(q, op.i32Const(rows * 4)),
    ...get(dst),
    ...get(segLen),
    ...op.i32Const(stepBytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(end),
    ...op.i32Const(0),
    ...set(off),
    ...op.loop, // four steps of k
    ...Array.from({ length: Math.floor(rows / 4) }, (_, h) => [
      ...rowLoad(4 * h, v0),
      ...rowLoad(4 * h + 1, v1),
      ...rowLoad(4 * h + 2, v2),
      ...rowLoad(4 * h + 3, v3),
      ...shuffle(v0, v1, [0, 4, 1, 5], t0),
      ...shuffle(v0, v1, [2, 6, 3, 7], t1),
      ...shuffle(v2, v3, [0, 4, 1, 5], t2),
      ...shuffle(v2, v3, [2, 6, 3, 7], t3),
      ...store(t0, t2, [0, 1, 4, 5], 16 * h),
      ...store(t0, t2, [2, 3, 6, 7], 16 * h + stepBytes),
      ...store(t1, t3, [0, 1, 4, 5], 16 * h + 2 * stepBytes),
      ...store(t1, t3, [2, 3, 6, 7], 16 * h + 3 * stepBytes)
    ]).flat(),
    ...(rows % 4 === 0 ? [] : [
      ...rowLoad(rows - 2, v0),
      ...rowLoad(rows - 1, v1),
      ...shuffle(v0, v1, [0, 4, 1, 5], t0),
      ...shuffle(v0, v1, [2, 6, 3, 7], t1),
      ...[0, 1, 2, 3].flatMap((j) => [
        ...get(dst),
        ...get(j < 2 ? t0 : t1),
        ...op.v128Store64Lane(rows * 4 - 8 + j * stepBytes, j % 2)
      ])
    ]),
    ...addTo(off, op.i32Const(16)),
    ...get(dst),
    ...op.i32Const(4 * stepBytes),
    ...op.i32Add,
    ...tee(dst),
    ...get(end),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...get(q),
    ...get(qEnd),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...get(g0),
    ...op.i32Const(1),
    ...op.i32Add,
    ...tee(g0),
    ...get(g1),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end
  ]
  return {
    name: rows === 4 ? "packRows32" : "packRows632",
    params: Array<number>(6).fill(i32),
    locals: [...Array<number>(5 + rows).fill(i32), ...Array<number>(8).fill(v128)],
    body
  }
}
