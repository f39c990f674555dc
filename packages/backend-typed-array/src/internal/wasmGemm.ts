/**
 * Float32 matrix product in WebAssembly SIMD, generated at runtime by the
 * emitter in `wasm.ts` (about 1 KiB of code, compiled once on first use).
 *
 * `gemmF32` packs the operands into one `WebAssembly.Memory` (grown as needed,
 * never shrunk): the lhs into groups of `mr` rows, k-major (`ap[g][p][r]`),
 * the rhs into panels of `nr` columns, k-major (`bp[j][p][q]`), both
 * zero-padded, and zeroes a padded C. An exported `block` function then runs,
 * for one `KC`-deep slice of K and one `NC`-wide slice of N (cache blocking:
 * the packed rhs block stays in L2 while every row group streams by), a
 * register-blocked micro-kernel over every (row group, column panel): an
 * `mr x nr` tile of C lives in `mr * nv` vector locals, and each step of k
 * loads `nv` vectors of the rhs panel, splats one lhs value per row and
 * multiply-adds (no fused multiply-add in core wasm SIMD). The padded result
 * is copied out (rounded) into the caller's array.
 *
 * Two tiles: `f64` (the default) widens the operands to float64 while packing
 * and accumulates 4 x 4 in f64x2, so results are those of the JS kernel (float64
 * sums rounded once); `f32` accumulates 4 x 8 in f32x4 (XNNPACK's and jax-js's
 * choice): about twice as fast, but sums of K terms carry ~sqrt(K) float32
 * roundings, which the backend's "float32 rounding of the float64 result"
 * contract does not allow.
 */
import { type Func, i32, moduleBytes, op, v128 } from "./wasm.js"

/**
 * A register tile: `mr` rows by `nv` vectors of `lanes` elements of `bytes` bytes
 * (float32: 4 x f32, float64: 2 x f64), and its SIMD instructions.
 */
interface Tile {
  readonly name: string
  readonly bytes: number
  readonly lanes: number
  readonly mr: number
  readonly nv: number
  readonly splat: (offset: number) => Array<number>
  readonly add: ReadonlyArray<number>
  readonly mul: ReadonlyArray<number>
}

const TILES = {
  f32: {
    name: "block32",
    bytes: 4,
    lanes: 4,
    mr: 4,
    nv: 2,
    splat: op.v128Load32Splat,
    add: op.f32x4Add,
    mul: op.f32x4Mul
  },
  f64: {
    name: "block64",
    bytes: 8,
    lanes: 2,
    mr: 4,
    nv: 2,
    splat: op.v128Load64Splat,
    add: op.f64x2Add,
    mul: op.f64x2Mul
  }
} as const satisfies Record<string, Tile>

/** Cache blocking: depth of a K slice and width (in columns) of an N slice. */
const KC = 256
const NC = 256
/** Larger products (packed operands and C, in bytes) stay on the JS kernel. */
const MAX_BYTES = 2 ** 30

/**
 * `block(ap, bp, c, groups, panels, kc, aStride, bStride, ldc)`, all addresses
 * and strides in bytes: for each of `groups` row groups (`ap += aStride`,
 * `c += mr * ldc`) and each of `panels` column panels (`bp += bStride`,
 * `c += nr * bytes`), `C[tile] += A[group, 0..kc] @ B[0..kc, panel]`.
 */
const blockFunc = (t: Tile): Func => {
  const { mr, nv } = t
  const nrBytes = nv * 16
  const [ap, bp, c, groups, panels, kc, aStride, bStride, ldc] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const [jp, pa, pb, tile, end, colB, cr] = [9, 10, 11, 12, 13, 14, 15]
  const acc = (r: number, h: number) => 16 + r * nv + h
  const bv = (h: number) => 16 + mr * nv + h
  const av = 16 + mr * nv + nv
  const { get, set, tee } = op
  const addTo = (local: number, delta: ReadonlyArray<number>) => [...get(local), ...delta, ...op.i32Add, ...set(local)]
  // load (or store) the C tile at `tile`, row by row through `cr`
  const tileRows = (perRow: (r: number) => ReadonlyArray<number>) => [
    ...get(tile),
    ...set(cr),
    ...Array.from({ length: mr }, (_, r) => [...perRow(r), ...(r + 1 < mr ? addTo(cr, get(ldc)) : [])]).flat()
  ]
  const loadTile = tileRows((r) =>
    Array.from({ length: nv }, (_, h) => [...get(cr), ...op.v128Load(16 * h), ...set(acc(r, h))]).flat()
  )
  const storeTile = tileRows((r) =>
    Array.from({ length: nv }, (_, h) => [...get(cr), ...get(acc(r, h)), ...op.v128Store(16 * h)]).flat()
  )
  const kStep = [
    ...Array.from({ length: nv }, (_, h) => [...get(pb), ...op.v128Load(16 * h), ...set(bv(h))]).flat(),
    ...Array.from({ length: mr }, (_, r) => [
      ...get(pa),
      ...t.splat(t.bytes * r),
      ...set(av),
      ...Array.from({ length: nv }, (_, h) => [
        ...get(acc(r, h)),
        ...get(av),
        ...get(bv(h)),
        ...t.mul,
        ...t.add,
        ...set(acc(r, h))
      ]).flat()
    ]).flat(),
    ...addTo(pb, op.i32Const(nrBytes)),
    ...get(pa),
    ...op.i32Const(mr * t.bytes),
    ...op.i32Add,
    ...tee(pa),
    ...get(end),
    ...op.i32Ne,
    ...op.brIf(0)
  ]
  const body = [
    ...op.loop, // row groups
    ...get(bp),
    ...set(colB),
    ...get(c),
    ...set(tile),
    ...get(panels),
    ...set(jp),
    ...op.loop, // column panels
    ...loadTile,
    ...get(ap),
    ...tee(pa),
    ...get(kc),
    ...op.i32Const(mr * t.bytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(end),
    ...get(colB),
    ...set(pb),
    ...op.loop, // k
    ...kStep,
    ...op.end,
    ...storeTile,
    ...addTo(colB, get(bStride)),
    ...addTo(tile, op.i32Const(nrBytes)),
    ...get(jp),
    ...op.i32Const(1),
    ...op.i32Sub,
    ...tee(jp),
    ...op.brIf(0),
    ...op.end,
    ...addTo(ap, get(aStride)),
    ...addTo(c, [...get(ldc), ...op.i32Const(mr), ...op.i32Mul]),
    ...get(groups),
    ...op.i32Const(1),
    ...op.i32Sub,
    ...tee(groups),
    ...op.brIf(0),
    ...op.end
  ]
  return {
    name: t.name,
    params: Array<number>(9).fill(i32),
    locals: [...Array<number>(7).fill(i32), ...Array<number>(mr * nv + nv + 1).fill(v128)],
    body
  }
}

/** The generated module's bytes (exported for tests). */
export const gemmModuleBytes = (): Uint8Array<ArrayBuffer> => moduleBytes([blockFunc(TILES.f32), blockFunc(TILES.f64)])

type Block = (
  ap: number,
  bp: number,
  c: number,
  groups: number,
  panels: number,
  kc: number,
  aStride: number,
  bStride: number,
  ldc: number
) => void

interface Kernel {
  readonly memory: WebAssembly.Memory
  readonly block32: Block
  readonly block64: Block
}

let enabled = true
let kernel: Kernel | null | undefined

/**
 * The compiled kernel, or `null` where WebAssembly or its SIMD extension is
 * missing (`WebAssembly.validate` rejects the module) or disabled.
 */
const getKernel = (): Kernel | null => {
  if (!enabled) return null
  if (kernel !== undefined) return kernel
  kernel = null
  try {
    const bytes = gemmModuleBytes()
    if (typeof WebAssembly === "object" && WebAssembly.validate(bytes)) {
      const memory = new WebAssembly.Memory({ initial: 1 })
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      kernel = {
        memory,
        block32: instance.exports["block32"] as Block,
        block64: instance.exports["block64"] as Block
      }
    }
  } catch {
    kernel = null
  }
  return kernel
}

/**
 * Turns the wasm kernel off (`false`: every float32 product takes the JS path)
 * or back on; returns whether it is now usable. For tests and benchmarks.
 */
export const setWasmGemm = (on: boolean): boolean => {
  enabled = on
  return getKernel() !== null
}

/** Whether the wasm kernel is compiled and enabled. */
export const wasmGemmAvailable = (): boolean => getKernel() !== null

/** How sums accumulate: in float32 (XNNPACK's choice) or float64 (operands widened when packed). */
export type Accumulate = "f32" | "f64"

/**
 * `out[cOff + i * n + j] = sum_p a[aOff + i * am + p * ak] * b[bOff + p * bk + j * bn]`
 * for `i < m, j < n, p < k`, accumulating as `accumulate` says; returns `false`
 * (writing nothing) when the wasm kernel is unavailable or the operands are too
 * large for its memory (over `MAX_BYTES`, or growing fails). Requires m, k, n >= 1.
 */
export const gemmF32 = (
  a: Float32Array,
  aOff: number,
  am: number,
  ak: number,
  b: Float32Array,
  bOff: number,
  bk: number,
  bn: number,
  out: Float32Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
  accumulate: Accumulate = "f64"
): boolean => {
  const kern = getKernel()
  if (kern === null) return false
  const t = TILES[accumulate]
  const { mr, bytes } = t
  const nr = t.nv * t.lanes
  const block = accumulate === "f32" ? kern.block32 : kern.block64
  const groups = Math.ceil(m / mr)
  const panels = Math.ceil(n / nr)
  const ldc = panels * nr
  // element offsets into the memory: packed lhs, packed rhs, padded C
  const apBase = 0
  const bpBase = apBase + groups * mr * k
  const cBase = bpBase + panels * nr * k
  const total = (cBase + groups * mr * ldc) * bytes
  if (total > MAX_BYTES) return false
  const have = kern.memory.buffer.byteLength
  if (total > have) {
    try {
      kern.memory.grow(Math.ceil((total - have) / 65536))
    } catch {
      return false
    }
  }
  const buf = kern.memory.buffer
  const View = accumulate === "f32" ? Float32Array : Float64Array
  // pack the lhs: ap[g][p][r] = A[g * mr + r, p], zero rows past m
  const ap = new View(buf, apBase * bytes, groups * mr * k)
  for (let g = 0; g < groups; g++) {
    const base = g * mr * k
    for (let r = 0; r < mr; r++) {
      const i = g * mr + r
      if (i < m) {
        let src = aOff + i * am
        for (let p = 0; p < k; p++, src += ak) ap[base + p * mr + r] = a[src]!
      } else {
        for (let p = 0; p < k; p++) ap[base + p * mr + r] = 0
      }
    }
  }
  // pack the rhs: bp[j][p][t] = B[p, j * nr + t], zero columns past n
  const bp = new View(buf, bpBase * bytes, panels * nr * k)
  for (let j = 0; j < panels; j++) {
    const base = j * nr * k
    const width = Math.min(nr, n - j * nr)
    for (let p = 0; p < k; p++) {
      const row = base + p * nr
      const src = bOff + p * bk + j * nr * bn
      for (let q = 0; q < width; q++) bp[row + q] = b[src + q * bn]!
      for (let q = width; q < nr; q++) bp[row + q] = 0
    }
  }
  const cView = new View(buf, cBase * bytes, groups * mr * ldc)
  cView.fill(0)
  const panelsPerBlock = Math.max(1, Math.floor(NC / nr))
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc)
    for (let jc = 0; jc < panels; jc += panelsPerBlock) {
      block(
        (apBase + pc * mr) * bytes,
        (bpBase + jc * nr * k + pc * nr) * bytes,
        (cBase + jc * nr) * bytes,
        groups,
        Math.min(panelsPerBlock, panels - jc),
        kc,
        mr * k * bytes,
        nr * k * bytes,
        ldc * bytes
      )
    }
  }
  // copy out (float64 sums round to float32 here)
  if (ldc === n) {
    out.set(cView.subarray(0, m * n), cOff)
  } else {
    for (let i = 0; i < m; i++) out.set(cView.subarray(i * ldc, i * ldc + n), cOff + i * n)
  }
  return true
}
