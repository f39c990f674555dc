/**
 * Float32 (and float64) matrix product in WebAssembly SIMD, generated at runtime by the
 * emitter in `wasm.ts` (under 2 KiB of code, compiled once on first use).
 *
 * `gemmF32` packs the operands into one `WebAssembly.Memory` (grown as needed,
 * never shrunk; shared between threads where `SharedArrayBuffer` exists): the
 * lhs into groups of `mr` rows, k-major (`ap[g][p][r]`), the rhs into panels of
 * `nr` columns, k-major (`bp[j][p][q]`), both zero-padded (a row-major rhs of whole
 * panels under a few rows is read in place instead: `rhsInPlace`). An exported driver
 * `gemm*(g0, g1, ...)` then computes the rows of groups `[g0, g1)` of a padded
 * C: for each `KC`-deep slice of K and `NC`-wide slice of N (cache blocking: the
 * packed rhs block stays in L2 while the row groups stream by) it calls `block`,
 * a register-blocked micro-kernel over every (row group, column panel): an
 * `mr x nr` tile of C lives in `mr * nv` vector locals (zeroed for the first K
 * slice, loaded for the others), and each step of k loads `nv` vectors of the
 * rhs panel, splats one lhs value per row and multiply-adds. The padded result
 * is copied out (rounded) into the caller's array.
 *
 * Row groups are independent and each one sums its K slices in the same order,
 * so the thread pool (`threads.ts`) splits a product by row groups and gets the
 * same bits for any number of threads.
 *
 * Tiles, chosen by `dot_general`'s precision:
 * - `f32` ("default" and "high"): 4 x 8 in f32x4 (XNNPACK's and XLA's choice on
 *   CPUs), multiply then add. With relaxed SIMD (feature-probed: the module is
 *   validated with it first) the `f32fma` tile replaces it: 6 x 8 with
 *   `f32x4.relaxed_madd`, one fused instruction where the CPU has FMA (one
 *   rounding instead of two per step), twelve accumulators to cover the FMA's
 *   latency (ordered by `fence`s, see `blockFunc`). Each output element sums its
 *   k terms in the same order whatever the tile's shape.
 * - `f64` ("highest", and every float64 product): the operands are widened to
 *   float64 while packing and accumulate 4 x 4 in f64x2, so results are those
 *   of the JS kernel (float64 sums, rounded once for float32 outputs).
 *
 * Measured errors against float64 are in docs/numerics.md ("Matrix products").
 */
import { keptScratch } from "./keptScratch.js"
import {
  claimScratch,
  makeResidentOperands,
  residentCopy,
  residentLayout,
  type ResidentOperands
} from "./residentOperands.js"
import { availableCores, makePool, type Pool, sharedMemoryAvailable, type SharedModule } from "./threads.js"
import { addTo, type Func, i32, instantiateOwn, moduleBytes, op, v128 } from "./wasm.js"
import { packAFunc, packBFunc, packPanelsFunc, packRowsFunc } from "./wasmPack.js"

/**
 * A register tile: `mr` rows by `nv` vectors of `lanes` elements of `bytes` bytes
 * (float32: 4 x f32, float64: 2 x f64), and its SIMD instructions.
 */
export interface Tile {
  readonly name: string
  readonly bytes: number
  readonly lanes: number
  readonly mr: number
  readonly nv: number
  readonly splat: (offset: number) => Array<number>
  readonly add: ReadonlyArray<number>
  readonly mul: ReadonlyArray<number>
  /** A fused multiply-add `(a, b, c) => a * b + c` (relaxed SIMD), replacing mul then add. */
  readonly madd?: ReadonlyArray<number>
  /**
   * A never-taken exit from the k loop after each row's multiply-adds, so that V8 keeps each row's
   * splat next to its multiply-adds (see `blockFunc`); what lets a 6 x 8 tile fit in registers.
   */
  readonly fence?: boolean
}

const f32Tile: Tile = {
  name: "32",
  bytes: 4,
  lanes: 4,
  mr: 4,
  nv: 2,
  splat: op.v128Load32Splat,
  add: op.f32x4Add,
  mul: op.f32x4Mul
}

const TILES = {
  f32: f32Tile,
  f32fma: { ...f32Tile, name: "32fma", mr: 6, madd: op.f32x4RelaxedMadd, fence: true },
  f64: {
    name: "64",
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
const MAX_PAGES = MAX_BYTES / 65536

/**
 * `block(ap, bp, c, groups, panels, kc, aStride, bStride, ldc, first, aStepK, bStepK)`,
 * all addresses and strides in bytes: for each of `groups` row groups
 * (`ap += aStride`, `c += mr * ldc`) and each of `panels` column panels
 * (`bp += bStride`, `c += nr * bytes`), `C[tile] (= 0 when first) += A[group, 0..kc] @ B[0..kc, panel]`,
 * where step p of k reads the group's `mr` lhs values at `ap + p * aStepK + r * bytes`
 * and the panel's `nr` rhs values at `bp + p * bStepK` (packed operands, or
 * operands used in place: a column-major lhs, a row-major rhs).
 */
export const blockFunc = (t: Tile): Func => {
  const { mr, nv } = t
  const nrBytes = nv * 16
  const [ap, bp, c, groups, panels, kc, aStride, bStride, ldc, first, aStepK, bStepK] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11
  ]
  // `left`: the k steps to go (fenced tiles), or the end of the lhs's k steps (`pa`'s last value)
  const [jp, pa, pb, tile, left, colB, cr] = [12, 13, 14, 15, 16, 17, 18]
  const end = left
  // The fenced tile's loop is leaner (see below); the others keep the loop they were measured with
  // (the same changes made the 4 x 8 multiply-then-add and float64 tiles 1-8% slower).
  const lean = t.fence === true
  const v0 = 19
  const acc = (r: number, h: number) => v0 + r * nv + h
  const bv = (h: number) => v0 + mr * nv + h
  const av = v0 + mr * nv + nv
  const { get, set, tee } = op
  // load (or store) the C tile at `base`, row by row through `cr`
  const tileRows = (base: ReadonlyArray<number>, perRow: (r: number) => ReadonlyArray<number>) => [
    ...base,
    ...set(cr),
    ...Array.from({ length: mr }, (_, r) => [...perRow(r), ...(r + 1 < mr ? addTo(cr, get(ldc)) : [])]).flat()
  ]
  const loadTile = [
    ...get(first),
    ...op.ifVoid,
    ...Array.from({ length: mr * nv }, (_, i) => [...op.v128Zero, ...set(v0 + i)]).flat(),
    ...op.else_,
    ...tileRows(
      get(tile),
      (r) => Array.from({ length: nv }, (_, h) => [...get(cr), ...op.v128Load(16 * h), ...set(acc(r, h))]).flat()
    ),
    ...op.end
  ]
  // The store's rows start at `tile + left` (left = 0 after the k loop): were they `tile`'s, V8 would
  // share the six row addresses with the load's and keep them in registers through the k loop,
  // leaving too few for the loop's own values (37 x86 instructions a step instead of 34: the same
  // speed on a quiet core, 2-6% slower while another tenant shares it; docs/architecture.md).
  const storeTile = tileRows(
    lean ? [...get(tile), ...get(left), ...op.i32Add] : get(tile),
    (r) => Array.from({ length: nv }, (_, h) => [...get(cr), ...get(acc(r, h)), ...op.v128Store(16 * h)]).flat()
  )
  // One step of k: load the rhs vectors, splat each lhs value, multiply-add, advance both pointers.
  // V8 (TurboFan) issues a block's loads first, in order, and sinks the pure multiply-adds to the
  // end of the block: a 6 x 8 tile then holds six splats, two rhs vectors and twelve accumulators
  // at once and spills (26 against 53 GFLOP/s). A branch out of the loop after each row (on
  // `left == 0`, never true inside the loop) makes the row's multiply-adds happen before the next
  // row's load, as the exit path needs their values: 12 accumulators + 2 rhs vectors + 1 splat = 15
  // registers. The loop counts `left` (the steps to go) down rather than comparing `pa` with an end:
  // one register, tested by the fences too.
  const fence = [...get(left), ...op.i32Eqz, ...op.brIf(1)]
  const step = [
    ...Array.from({ length: nv }, (_, h) => [...get(pb), ...op.v128Load(16 * h), ...set(bv(h))]).flat(),
    ...Array.from({ length: mr }, (_, r) => [
      ...get(pa),
      ...t.splat(t.bytes * r),
      ...set(av),
      ...Array.from({ length: nv }, (_, h) =>
        t.madd === undefined
          ? [...get(acc(r, h)), ...get(av), ...get(bv(h)), ...t.mul, ...t.add, ...set(acc(r, h))]
          : [...get(av), ...get(bv(h)), ...get(acc(r, h)), ...t.madd, ...set(acc(r, h))]).flat(),
      ...(lean && r + 1 < mr ? fence : [])
    ]).flat(),
    ...addTo(pb, get(bStepK)),
    ...(lean
      ? [...addTo(pa, get(aStepK)), ...get(left), ...op.i32Const(1), ...op.i32Sub, ...tee(left)]
      : [...get(pa), ...get(aStepK), ...op.i32Add, ...tee(pa), ...get(end), ...op.i32Ne]),
    ...op.brIf(0)
  ]
  // V8 computes a splat's `memory + offset` base with a separate add (x64 `leaq`) for each offset,
  // in the k loop (four `leaq`s of its 34 instructions a step), unless the same base was computed
  // before: then the loop reuses it from a register. So the function starts by loading each row's
  // splat once (into a local the k loop overwrites): 30 instructions a step, nothing per tile.
  const splatBases = !lean ? [] : Array.from({ length: mr - 1 }, (_, r) => [
    ...get(ap),
    ...t.splat(t.bytes * (r + 1)),
    ...set(av)
  ]).flat()
  // V8 zero-extends a 32-bit address before each access unless it knows the value already is (the
  // result of 32-bit arithmetic, or a phi of such values). The parameters are not known to be, so
  // the k loop's pointers (phis that start from them) paid a `movl` per access base, two a step;
  // adding a zero V8 cannot fold (`first >> 1`: every caller passes 0 or 1) makes every pointer a
  // sum: 28 instructions a step, 7% faster while another tenant shares the core (docs/architecture.md).
  const zext = (p: number) => [...get(p), ...get(first), ...op.i32Const(1), ...op.i32ShrU, ...op.i32Add, ...set(p)]
  const body = [
    ...(lean ? [...zext(ap), ...zext(bp), ...zext(c)] : []),
    ...splatBases,
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
    ...set(pa),
    ...(lean
      ? [...get(kc), ...set(left)]
      : [...get(pa), ...get(kc), ...get(aStepK), ...op.i32Mul, ...op.i32Add, ...set(end)]),
    ...get(colB),
    ...set(pb),
    ...op.block, // k (kc >= 1 steps), in a block the fences exit
    ...op.loop,
    ...step,
    ...op.end,
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
    name: `block${t.name}`,
    params: Array<number>(12).fill(i32),
    locals: [...Array<number>(7).fill(i32), ...Array<number>(mr * nv + nv + 1).fill(v128)],
    body
  }
}

/**
 * `gemm(g0, g1, ap, bp, c, k, panels, ldc, aStride, aStepK, bStride, bStepK)`
 * (addresses and the last four in bytes, the rest in elements): the rows of
 * groups `[g0, g1)` of the padded C, K slice by K slice and N slice by N slice,
 * through `block` (function `blockIndex`; strides as there).
 */
const driverFunc = (t: Tile, blockIndex: number): Func => {
  const { mr, bytes } = t
  const nr = t.nv * t.lanes
  const ppb = Math.max(1, Math.floor(NC / nr))
  const [g0, g1, ap, bp, c, k, panels, ldc, aStride, aStepK, bStride, bStepK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
  const [pc, kc, jc, np, rem] = [12, 13, 14, 15, 16]
  const { get, set } = op
  // local = min(limit, total - from)
  const clamp = (local: number, limit: number, total: number, from: number) => [
    ...get(total),
    ...get(from),
    ...op.i32Sub,
    ...set(rem),
    ...op.i32Const(limit),
    ...get(rem),
    ...get(rem),
    ...op.i32Const(limit),
    ...op.i32GtU,
    ...op.select,
    ...set(local)
  ]
  const times = (x: number, y: number) => [...get(x), ...get(y), ...op.i32Mul]
  const body = [
    ...op.loop, // K slices
    ...clamp(kc, KC, k, pc),
    ...op.i32Const(0),
    ...set(jc),
    ...op.loop, // N slices
    ...clamp(np, ppb, panels, jc),
    // ap + g0 * aStride + pc * aStepK
    ...get(ap),
    ...times(g0, aStride),
    ...op.i32Add,
    ...times(pc, aStepK),
    ...op.i32Add,
    // bp + jc * bStride + pc * bStepK
    ...get(bp),
    ...times(jc, bStride),
    ...op.i32Add,
    ...times(pc, bStepK),
    ...op.i32Add,
    // c + (g0 * mr * ldc + jc * nr) * bytes
    ...get(c),
    ...times(g0, ldc),
    ...op.i32Const(mr),
    ...op.i32Mul,
    ...get(jc),
    ...op.i32Const(nr),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.i32Const(bytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...get(g1),
    ...get(g0),
    ...op.i32Sub,
    ...get(np),
    ...get(kc),
    ...get(aStride),
    ...get(bStride),
    ...get(ldc),
    ...op.i32Const(bytes),
    ...op.i32Mul,
    ...get(pc),
    ...op.i32Eqz,
    ...get(aStepK),
    ...get(bStepK),
    ...op.call(blockIndex),
    ...get(jc),
    ...op.i32Const(ppb),
    ...op.i32Add,
    ...op.tee(jc),
    ...get(panels),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end,
    ...get(pc),
    ...op.i32Const(KC),
    ...op.i32Add,
    ...op.tee(pc),
    ...get(k),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end
  ]
  return { name: `gemm${t.name}`, params: Array<number>(12).fill(i32), locals: Array<number>(5).fill(i32), body }
}

/**
 * The module's functions for these tiles: every block, then every driver (in the same order), then
 * the packing functions, the lhs's for the float32 tile's row count only (6 with the fused tile,
 * else 4: the other is never called, and the module stays under 4 KiB).
 */
const funcsFor = (tiles: ReadonlyArray<Tile>, rows: 4 | 6): Array<Func> => [
  ...tiles.map(blockFunc),
  ...tiles.map((t, i) => driverFunc(t, i)),
  packBFunc(),
  packAFunc(rows),
  packAFunc(8),
  packPanelsFunc(),
  packRowsFunc(rows)
]

/**
 * The generated module's bytes (exported for tests): with the relaxed-SIMD tile
 * when `fma`, importing a shared memory when `shared`.
 */
export const gemmModuleBytes = (options: { fma?: boolean; shared?: boolean } = {}): Uint8Array<ArrayBuffer> =>
  moduleBytes(
    // with relaxed SIMD the fused tile replaces the float32 one (and the module stays under 4 KiB)
    options.fma === true ? funcsFor([TILES.f32fma, TILES.f64], 6) : funcsFor([TILES.f32, TILES.f64], 4),
    1,
    options.shared === true ? { maxPages: MAX_PAGES } : undefined
  )

/** An export: a driver `(g0, g1, ...)` or a packing function `(lo, hi, ...)`. */
type Driver = (...args: Array<number>) => void

export interface Kernel extends SharedModule {
  /** The exports in `names` order (drivers, then the packing functions), for direct calls and the pool. */
  readonly drivers: ReadonlyArray<Driver>
  /** Indices in `names`: the driver of each tile, and the packing functions. */
  readonly index:
    & { readonly [K in keyof typeof TILES]?: number }
    & {
      readonly packB: number
      readonly packA: number
      readonly packBT: number
      readonly packRows: number
      readonly packPanels: number
    }
}

let enabled = true
let fmaEnabled = true
let kernel: Kernel | null | undefined

const instantiate = (fma: boolean, shared: boolean): Kernel | null => {
  const own = instantiateOwn(gemmModuleBytes({ fma, shared }), shared, MAX_PAGES)
  if (own === null) return null
  const { exports, memory, module } = own
  const names = [
    ...(fma ? ["gemm32fma", "gemm64"] : ["gemm32", "gemm64"]),
    "packB32",
    fma ? "packA632" : "packA32",
    "packBT32",
    "packPanels32",
    fma ? "packRows632" : "packRows32"
  ]
  const at = (n: string) => names.indexOf(n)
  return {
    module,
    memory,
    names,
    drivers: names.map((n) => exports[n] as Driver),
    index: {
      ...(fma ? { f32fma: at("gemm32fma") } : { f32: at("gemm32") }),
      f64: at("gemm64"),
      packB: at("packB32"),
      packA: at(fma ? "packA632" : "packA32"),
      packBT: at("packBT32"),
      packRows: at(fma ? "packRows632" : "packRows32"),
      packPanels: at("packPanels32")
    }
  }
}

/**
 * The compiled kernel, or `null` where WebAssembly or its SIMD extension is
 * missing (`WebAssembly.validate` rejects the module) or disabled. Tries, in
 * order: relaxed SIMD with shared memory, then without relaxed SIMD, then
 * unshared memory (no threads).
 */
const getKernel = (): Kernel | null => {
  if (!enabled) return null
  if (kernel !== undefined) return kernel
  kernel = null
  if (typeof WebAssembly !== "object") return kernel
  const shared = sharedMemoryAvailable()
  const attempts: ReadonlyArray<readonly [boolean, boolean]> = [
    ...(fmaEnabled ? [[true, shared] as const] : []),
    [false, shared],
    ...(shared ? [[false, false] as const] : [])
  ]
  for (const [fma, sh] of attempts) {
    try {
      kernel = instantiate(fma, sh)
    } catch {
      kernel = null
    }
    if (kernel !== null) break
  }
  return kernel
}

let solo: Kernel | null | undefined

/**
 * The kernel for products that run on the calling thread alone: the same
 * module over an unshared memory when the threaded kernel's is shared (V8
 * copies into and out of a `SharedArrayBuffer` about half as fast, and a
 * one-thread product copies its operands in and its result out), else the
 * kernel itself.
 */
const getSolo = (): Kernel | null => {
  const k = getKernel()
  if (k === null || !(k.memory.buffer instanceof SharedArrayBuffer)) return k
  if (solo === undefined) {
    try {
      solo = instantiate(k.index.f32fma !== undefined, false)
    } catch {
      solo = null
    }
  }
  return solo ?? k
}

/**
 * The fused tile's 4-row variant (driver and block) and the 4-row lhs packing, a module of its
 * own over a kernel's memory (the main module stays under 4 KiB). A product whose m leaves one to
 * four rows past a multiple of 6 runs them in 4-row groups instead of a padded 6-row group (and
 * m = 6q + 2 as 6(q - 1) + 8): 128 rows are 20 groups of 6 and 2 of 4, not 22 of 6 (132 rows).
 * Each output element sums its k terms in the same order whatever its tile's rows: the same bits.
 */
interface Tail {
  readonly gemm: Driver
  readonly packA: Driver
}

const tailTile: Tile = { ...TILES.f32fma, name: "32fma4", mr: 4 }

/** The tail module's bytes (exported for tests), importing a shared memory when `shared`. */
export const tailModuleBytes = (options: { shared?: boolean } = {}): Uint8Array<ArrayBuffer> =>
  moduleBytes(
    [blockFunc(tailTile), driverFunc(tailTile, 0), packAFunc(4)],
    1,
    options.shared === true ? { maxPages: MAX_PAGES } : undefined
  )

const tails = new WeakMap<Kernel, Tail | null>()
let tailEnabled = true

/** The tail module over `kern`'s memory (compiled once per memory), or `null` where it does not compile. */
const tailOf = (kern: Kernel): Tail | null => {
  if (!tailEnabled) return null
  let tail = tails.get(kern)
  if (tail === undefined) {
    try {
      const shared = kern.memory.buffer instanceof SharedArrayBuffer
      const module = new WebAssembly.Module(tailModuleBytes({ shared }))
      const exports = new WebAssembly.Instance(module, { env: { memory: kern.memory } }).exports
      tail = { gemm: exports["gemm32fma4"] as Driver, packA: exports["packA32"] as Driver }
    } catch {
      tail = null
    }
    tails.set(kern, tail)
  }
  return tail
}

/**
 * Allows (`true`, the default) or forbids the 4-row tail groups of the fused tile; returns whether
 * they are allowed. For tests (the same bits either way) and benchmarks.
 */
export const setGemmTail = (on: boolean): boolean => {
  tailEnabled = on
  return on
}

/**
 * The row groups of an m-row product: `[six, four]`, 6-row groups then 4-row ones (none without
 * the tail module), covering at least m rows.
 */
export const rowGroups = (m: number, tail: boolean): readonly [number, number] => {
  const q = Math.floor(m / 6)
  const r = m % 6
  if (!tail || r === 0 || r === 5) return [Math.ceil(m / 6), 0]
  return r === 2 && q >= 1 ? [q - 1, 2] : [q, 1]
}

/**
 * Turns the wasm kernel off (`false`: every float32 product takes the JS path)
 * or back on; returns whether it is now usable. For tests and benchmarks.
 */
export const setWasmGemm = (on: boolean): boolean => {
  enabled = on
  return getKernel() !== null
}

/**
 * Allows (`true`, the default) or forbids the relaxed-SIMD fused multiply-add
 * tile; the kernel is rebuilt. Returns whether it is now in use. For tests and
 * benchmarks.
 */
export const setRelaxedSimd = (on: boolean): boolean => {
  fmaEnabled = on
  kernel = undefined
  solo = undefined
  return getKernel()?.index.f32fma !== undefined
}

/** The compiled kernel (its module, shared memory and drivers), or `null`; for tests. */
export const wasmGemmKernel = (): Kernel | null => getKernel()

/** Whether the wasm kernel is compiled and enabled. */
export const wasmGemmAvailable = (): boolean => getKernel() !== null

/** Whether `"default"` products use relaxed SIMD's fused multiply-add. */
export const relaxedSimdInUse = (): boolean => getKernel()?.index.f32fma !== undefined

/** Whether the kernel's memory is shared (so that a pool's workers can run it). */
export const wasmGemmShared = (): boolean => getKernel()?.memory.buffer instanceof SharedArrayBuffer

/** How sums accumulate: in float32 (XNNPACK's choice) or float64 (operands widened when packed). */
export type Accumulate = "f32" | "f64"

/** Products with fewer multiply-adds (m * k * n) than this run on one thread. */
const THREAD_MIN_WORK = 2 ** 18

/**
 * A product splits across threads by row groups, so every thread streams the whole packed rhs:
 * with few rows and an rhs past a core's L2 share, the second thread mostly waits on the rhs
 * coming over from the core that packed it. Measured on the project's 2-core machine (one thread
 * -> two): 128 x 784 x 256 1,075 -> 1,129 us and 64 x 4096 x 4096 82 -> 88 ms (slower), against
 * 128 x 256 x 256 (a 256 KB rhs) 343 -> 289 us and 256 x 784 x 256 2,117 -> 1,503 us. So
 * products with fewer rows than this and a larger rhs than `THREAD_MAX_RHS_BYTES` run on one thread.
 * (Convolutions' products, whose rhs is packed in parallel from the input, split as before.)
 */
const THREAD_MIN_ROWS = 256
const THREAD_MAX_RHS_BYTES = 512 * 1024

/**
 * A product with few lhs rows and a large row-major rhs computes its transpose instead, `C^T =
 * B^T A^T`: the large operand becomes a column-major lhs, read in place, and only the small one
 * is packed (where `C = A B` packs the whole rhs for a few rows), then C^T is transposed into the
 * output. Each element sums the same terms in the same order: the same bits. Measured on the
 * project's 2-core machine, direct against transposed (forced), one thread; two:
 *
 * | product             | direct            | transposed        |
 * | ------------------- | ----------------- | ----------------- |
 * | 1 x 1024 x 1024     | 1.09 ms; 1.10 ms  | 0.54 ms; 0.54 ms  |
 * | 8 x 4096 x 4096     | 35.0 ms; 34.7 ms  | 12.2 ms; 11.8 ms  |
 * | 32 x 1024 x 1024    | 2.22 ms; 2.20 ms  | 1.89 ms; 1.59 ms  |
 * | 64 x 4096 x 4096    | 74.1 ms; 74.0 ms  | 63.3 ms; 37.4 ms  |
 * | 128 x 1024 x 1024   | 7.11 ms; 7.22 ms  | 8.20 ms; 4.95 ms  |
 * | 128 x 784 x 256     | 1.12 ms; 1.10 ms  | 1.10 ms; 1.20 ms  |
 * | 256 x 1024 x 1024   | 11.9 ms; 7.24 ms  | 15.4 ms; 8.65 ms  |
 *
 * With a pool, the products that `splits` keeps on one thread (fewer than `THREAD_MIN_ROWS` rows, an
 * rhs over `THREAD_MAX_RHS_BYTES`) go through the transpose too, which splits by its n rows:
 * 128 x 784 x 256 (B1's first layer) 1,008 -> 829-848 us, 128 x 512 x 512 1,305 -> 950 us on two
 * threads (128 x 256 x 256, which splits as it is: 283 against 293-317 us).
 *
 * A product 9-12 columns wide computes 16 (two 8-wide panels); its transpose has 9-12 rows, in
 * 6- and 4-row groups without padding (12 at most): B1's `h2 @ W3` (128 x 256 x 10) 44 -> 28 us,
 * 512 x 256 x 10 142 -> 107 us, 64 x 784 x 10 70 -> 40 us; but 1000 x 64 x 10 83 -> 100 us (125
 * packed panels of the transposed lhs and a longer transpose). A column-major lhs too (a weight
 * gradient: B1's `dW3 = h2^T @ dlogits`, 256 x 128 x 10, 35.5 -> 27.7 us as jit's step), whose
 * transposed product reads both operands in place (a column-major lhs, a row-major rhs).
 *
 * So: at most 64 rows and an rhs of at least 2 MB; or, with a pool, fewer than 256 rows and an rhs
 * over 512 KB (the transposed products with fewer than 16 rows run on one thread,
 * `SWAP_MIN_SPLIT_ROWS`); or 9-12 columns and 32-512 rows.
 */
const SWAP_MIN_RHS_BYTES = 2 * 1024 * 1024
const SWAP_MAX_ROWS = 64
/**
 * A transposed product splits across a pool from 16 columns (the original's rows) and 2^24
 * multiply-adds: below, two threads were slower than one (1 x 1024 x 1024: 0.56 -> 0.87 ms;
 * 7 x 600 x 1000: 0.26 -> 0.46 ms; 8 x 4096 x 4096: 12.4 -> 13.1 ms).
 */
const SWAP_MIN_SPLIT_ROWS = 16
const SWAP_MIN_SPLIT_WORK = 2 ** 24
let swapEnabled = true

/**
 * Allows (`true`, the default) or forbids computing a wide product through its transpose; returns
 * whether it is allowed. For tests (the same bits either way) and benchmarks.
 */
export const setGemmSwap = (on: boolean): boolean => {
  swapEnabled = on
  return on
}

/** Whether an `m x k x n` product splits across `pool`'s threads. */
const splits = (pool: Pool | undefined, m: number, k: number, n: number): pool is Pool =>
  pool !== undefined && pool.threads > 1 && m * k * n >= THREAD_MIN_WORK &&
  (m >= THREAD_MIN_ROWS || 4 * k * n <= THREAD_MAX_RHS_BYTES)

/**
 * Whether an `m x k x n` product with a row-major rhs and a lhs not used in place goes through its
 * transpose (see `SWAP_MIN_RHS_BYTES`).
 */
const transposes = (pool: Pool | undefined, m: number, k: number, n: number): boolean =>
  (m <= SWAP_MAX_ROWS && 4 * k * n >= SWAP_MIN_RHS_BYTES) ||
  (pool !== undefined && pool.threads > 1 && m < THREAD_MIN_ROWS && 4 * k * n > THREAD_MAX_RHS_BYTES) ||
  narrowSwap(m, n)

/** 9-12 columns and 32-512 rows (see `SWAP_MIN_RHS_BYTES`). */
const narrowSwap = (m: number, n: number): boolean => n > 8 && n <= 12 && m >= 32 && m <= 512

/** Set while a transposed product runs: it never swaps again. */
let swapping = false

/** Row groups per chunk of a threaded product: from the shape only (never the thread count), about 16 chunks. */
const grainOf = (groups: number): number => Math.max(1, Math.ceil(groups / 16))

let defaultPool: Pool | undefined

/** A process-lifetime pool of all cores (unreferenced workers), for callers that pass none. */
export const sharedDefaultPool = (): Pool => (defaultPool ??= makePool(availableCores()))

type Call = (fn: number, units: number, grain: number, rest: ReadonlyArray<number>) => void

/** Runs export `fn` over `units` in chunks of `grain`: across `pool`'s threads when given, else here. */
const caller = (kern: Kernel, pool: Pool | undefined): Call => (fn, units, grain, rest) => {
  if (pool !== undefined) pool.run(kern, kern.drivers, fn, units, grain, rest)
  else kern.drivers[fn]!(0, units, ...rest)
}

/** Grows the kernel's memory to at least `bytes`; `false` when it cannot. */
const growTo = (kern: Kernel, bytes: number): boolean => {
  const have = kern.memory.buffer.byteLength
  if (bytes <= have) return true
  if (bytes > MAX_BYTES) return false
  try {
    kern.memory.grow(Math.ceil((bytes - have) / 65536))
    return true
  } catch {
    return false
  }
}

let residents = new WeakMap<Kernel, ResidentOperands>()

/** Forgets every kernel memory's resident copies (their bytes are reused by the next copies); for tests. */
export const dropResidentOperands = (): void => {
  residents = new WeakMap()
}

/** The kernel memory's resident operand copies (residentOperands.ts). */
const residentOf = (kern: Kernel): ResidentOperands => {
  let r = residents.get(kern)
  if (r === undefined) residents.set(kern, r = makeResidentOperands())
  return r
}

/** Scratch of `bytes` from address 0 for one product: resident copies in its way are dropped; `false` when the memory cannot grow. */
const reserve = (kern: Kernel, bytes: number): boolean => {
  claimScratch(residentOf(kern), bytes)
  return growTo(kern, bytes)
}

/**
 * The address (bytes) of `len` elements of `src` from `off` in the kernel's memory, with `slack`
 * readable elements after them: a resident copy of a frozen operand, else copied now to `scratch`
 * (an address inside the product's reserved scratch).
 */
const operandAt = (
  kern: Kernel,
  src: Float32Array | Float64Array,
  off: number,
  len: number,
  slack: number,
  scratch: number
): number => {
  const at = residentCopy(residentOf(kern), kern.memory, (bytes) => growTo(kern, bytes), src, off, len, slack)
  if (at !== undefined) return at
  new Float32Array(kern.memory.buffer, scratch, len).set(src.subarray(off, off + len))
  return scratch
}

/** The float32 (`"default"` precision) tile of this kernel and its driver: the fused one where relaxed SIMD is in. */
const f32Tile32 = (kern: Kernel): { readonly t: Tile; readonly fn: number } => {
  const name = kern.index.f32fma !== undefined ? "f32fma" : "f32"
  return { t: TILES[name], fn: kern.index[name]! }
}

/** The kernel's wasm lhs packing (its tile's row count) over `units` row groups, through `call`. */
const lhsPacker = (kern: Kernel, call: Call) => (units: number, args: ReadonlyArray<number>): void =>
  call(kern.index.packA, units, grainOf(units), args)

/**
 * Packs the lhs at `apBase` (elements): by the wasm 4 x 4 transposes from its row-major float32
 * copy at `rawAt` (bytes; `aRaw`), or here (`ap[g][p][r] = A[g * mr + r, p]`, zero rows past m).
 */
const packLhs = (
  packA: (groups: number, args: ReadonlyArray<number>) => void,
  buf: ArrayBuffer,
  View: Float32ArrayConstructor | Float64ArrayConstructor,
  t: Tile,
  a: Float32Array | Float64Array,
  aOff: number,
  am: number,
  ak: number,
  m: number,
  k: number,
  apBase: number,
  rawAt: number,
  aRaw: boolean
): void => {
  const { bytes, mr } = t
  const groups = Math.ceil(m / mr)
  const ap = new View(buf, apBase * bytes, groups * mr * k + mr)
  if (aRaw) {
    // ap[g][p][r] = A[g * mr + r, p]: the wasm 4 x 4 transposes for the first k4 columns, JS for the rest
    const k4 = k - (k % 4)
    packA(groups, [rawAt, apBase * bytes, k4, am, k])
    for (let g = 0; g < groups; g++) {
      for (let r = 0; r < mr; r++) {
        const i = g * mr + r
        for (let p = k4; p < k; p++) ap[(g * k + p) * mr + r] = i < m ? a[aOff + i * am + p]! : 0
      }
    }
  } else {
    // pack the lhs: ap[g][p][r] = A[g * mr + r, p], zero rows past m
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
  }
}

/** The transposed product's result before `transposeOut` (kept: see keptScratch.ts). */
const transposedScratch = keptScratch((size) => new Float32Array(size))

/** `out[cOff + i * n + j] = ct[j * m + i]`: a transposed product's result into the product's. */
const transposeOut = (ct: Float32Array, out: Float32Array | Float64Array, cOff: number, m: number, n: number): void => {
  for (let i = 0; i < m; i++) {
    const row = cOff + i * n
    for (let j = 0, at = i; j < n; j++, at += m) out[row + j] = ct[at]!
  }
}

/**
 * Packs rows `p0..k` of a strided rhs (`bp[j][p][q] = b[bOff + p * bk + (j * nr + q) * bn]`, zero
 * columns past n): a whole rhs without a wasm packing, or the last rows of a column-major one that
 * the wasm 4 x 4 transposes leave. A function of its own: inline in `gemmF32`, the loop ran
 * unoptimized (16 us for the last 2 x 256 values of B1's 10 x 256 `W3^T`, 3.8 us as a function).
 */
const packRhsRows = (
  bp: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  bOff: number,
  bk: number,
  bn: number,
  p0: number,
  k: number,
  n: number,
  panels: number,
  nr: number
): void => {
  for (let j = 0; j < panels; j++) {
    const base = j * nr * k
    const width = Math.min(nr, n - j * nr)
    for (let p = p0; p < k; p++) {
      const row = base + p * nr
      const src = bOff + p * bk + j * nr * bn
      for (let q = 0; q < width; q++) bp[row + q] = b[src + q * bn]!
      for (let q = width; q < nr; q++) bp[row + q] = 0
    }
  }
}

/** Zeroes the columns past `n` of the last packed panel (`bp[panels - 1][p][width..nr]`). */
const zeroPanelTail = (bp: Float32Array | Float64Array, k: number, n: number, panels: number, nr: number): void => {
  const width = n - (panels - 1) * nr
  if (width >= nr) return
  const base = (panels - 1) * nr * k
  for (let p = 0; p < k; p++) bp.fill(0, base + p * nr + width, base + (p + 1) * nr)
}

/**
 * Packs a row-major float32 rhs (`k` rows of `n`, `bk` apart) whose copy is at `rawAt` (bytes, with
 * `nr` elements of slack after it) at `bpBase` (elements) by the wasm `packB32`; the last
 * panel's columns past `n` zeroed.
 */
const packRhsRaw = (
  kern: Kernel,
  call: Call,
  buf: ArrayBuffer,
  rawAt: number,
  k: number,
  n: number,
  bk: number,
  nr: number,
  bpBase: number
): void => {
  const panels = Math.ceil(n / nr)
  call(kern.index.packB, panels, Math.max(1, Math.ceil(panels / 16)), [rawAt, bpBase * 4, k, bk])
  zeroPanelTail(new Float32Array(buf, bpBase * 4, panels * nr * k), k, n, panels, nr)
}

/**
 * Copies the padded C (`ldc` columns) out into `out` from `cOff`, its rows `ldOut` apart (float64
 * sums round to float32 here), or subtracts it from what `out` holds there.
 */
const copyOut = (
  cView: Float32Array | Float64Array,
  ldc: number,
  out: Float32Array | Float64Array,
  cOff: number,
  m: number,
  n: number,
  ldOut: number = n,
  subtract: boolean = false
): void => {
  if (subtract) {
    for (let i = 0; i < m; i++) {
      const from = i * ldc
      const to = cOff + i * ldOut
      for (let j = 0; j < n; j++) out[to + j] = out[to + j]! - cView[from + j]!
    }
  } else if (ldc === n && ldOut === n) {
    out.set(cView.subarray(0, m * n), cOff)
  } else if (n >= 32) {
    for (let i = 0; i < m; i++) out.set(cView.subarray(i * ldc, i * ldc + n), cOff + i * ldOut)
  } else {
    // narrow rows (a 10-class layer): a plain loop, not a subarray and a set per row
    for (let i = 0; i < m; i++) {
      const from = i * ldc
      const to = cOff + i * ldOut
      for (let j = 0; j < n; j++) out[to + j] = cView[from + j]!
    }
  }
}

/** Where a product goes: rows `ldOut` apart (default n), and subtracted from `out` instead of written. */
export interface GemmInto {
  readonly ldOut?: number | undefined
  readonly subtract?: boolean | undefined
}

/**
 * Asks a product to leave its result in the kernel's memory where its rows are contiguous (`n` a
 * multiple of the tile's width) and of the output's type: `view` is then set to a view of it (valid until the next
 * product, which overwrites it) and `out` is not written. Else `view` stays unset and `out` holds
 * the result as usual.
 */
export interface GemmKept {
  view?: Float32Array | Float64Array | undefined
}

let keepAllowed = true

/** Whether fused products leave their results in the kernel's memory for their epilogues (`GemmKept`). */
export const keptProducts = (): boolean => keepAllowed

/** Allows (`true`, the default) or forbids `GemmKept` views for fused products; returns the setting. For tests and benchmarks. */
export const setKeptProducts = (on: boolean): boolean => {
  keepAllowed = on
  return on
}

let rhsInPlaceAllowed = true

/**
 * Whether a row-major float32 rhs of `n` columns under a packed lhs of `m` rows is read in place
 * (copied as is, its rows `n` elements apart) rather than packed into panels. Packing costs two
 * passes over the rhs, repaid by the row groups that reuse it; with few of them (m <= 256) reading
 * in place is faster while rows are at most 2 KiB apart (one thread, B1's shapes: 128 x 784 x 256
 * 1027 -> 994 us, 128 x 256 x 256 325 -> 316 us, 32 x 784 x 256 292 -> 256 us). Wider rows, a
 * power of two apart, fall into a few of the L1 cache's sets: 128 x 1024 x 1024 took 6.3 -> 7.4 ms.
 * The kernel reads the same values in the same order either way: the same bits.
 */
const rhsInPlace = (m: number, n: number, nr: number): boolean =>
  rhsInPlaceAllowed && n % nr === 0 && n <= 512 && m <= 256

/**
 * Allows (`true`, the default) or forbids reading a row-major rhs in place (`rhsInPlace`); returns
 * whether it is allowed. For tests (the same bits either way) and benchmarks.
 */
export const setGemmRhsInPlace = (on: boolean): boolean => {
  rhsInPlaceAllowed = on
  return on
}

/**
 * `out[cOff + i * n + j] = sum_p a[aOff + i * am + p * ak] * b[bOff + p * bk + j * bn]`
 * for `i < m, j < n, p < k`, accumulating as `accumulate` says, split by row
 * groups across `pool` when the product is large enough; returns `false`
 * (writing nothing) when the wasm kernel is unavailable or the operands are too
 * large for its memory (over `MAX_BYTES`, or growing fails). Requires m, k, n >= 1.
 * `into` puts the rows `ldOut` apart, and subtracts the product from `out` instead
 * (the blocked LU's and Cholesky's trailing updates).
 */
export const gemmF32 = (
  a: Float32Array | Float64Array,
  aOff: number,
  am: number,
  ak: number,
  b: Float32Array | Float64Array,
  bOff: number,
  bk: number,
  bn: number,
  out: Float32Array | Float64Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
  accumulate: Accumulate = "f64",
  pool?: Pool,
  into?: GemmInto,
  kept?: GemmKept
): boolean => {
  if (
    accumulate === "f32" && into === undefined && bn === 1 && bk >= n && swapEnabled && !swapping &&
    (am === 1 && ak >= m ? narrowSwap(m, n) : transposes(pool, m, k, n))
  ) {
    const ct = transposedScratch(n * m)
    // a transposed product with a handful of columns streams its lhs: memory-bound, one thread
    const split = m >= SWAP_MIN_SPLIT_ROWS && m * k * n >= SWAP_MIN_SPLIT_WORK ? pool : undefined
    swapping = true
    try {
      if (!gemmF32(b, bOff, bn, bk, a, aOff, ak, am, ct, 0, n, k, m, accumulate, split)) return false
    } finally {
      swapping = false
    }
    transposeOut(ct, out, cOff, m, n)
    return true
  }
  const threaded = splits(pool, m, k, n)
  const kern = threaded ? getKernel() : getSolo()
  if (kern === null) return false
  const tileName = accumulate === "f64" ? "f64" : kern.index.f32fma !== undefined ? "f32fma" : "f32"
  const t: Tile = TILES[tileName]
  const fn = kern.index[tileName]!
  const { mr, bytes } = t
  const nr = t.nv * t.lanes
  const tail = tileName === "f32fma" ? tailOf(kern) : null
  const [groups, tailGroups] = tail === null ? [Math.ceil(m / mr), 0] : rowGroups(m, true)
  // C's rows (padded), the first `headRows` in groups of mr, the rest in 4-row tail groups
  const headRows = groups * mr
  const rows = headRows + tailGroups * 4
  const panels = Math.ceil(n / nr)
  const ldc = panels * nr
  // A column-major float32 lhs (a transposed operand: rows adjacent, as in x.T @ dy) is used in
  // place: copied as is (a memcpy), the kernel reading group rows at +bytes and k steps at
  // +ak * bytes; rows past m read the next column's values into C's padding rows, discarded.
  const f32 = accumulate === "f32"
  const aInPlace = f32 && am === 1 && ak >= m
  // row-major float32 operands are copied as is (memcpy) and packed by the wasm packing functions
  const aRaw = f32 && !aInPlace && ak === 1 && am >= k && k >= 4
  const bRaw = f32 && bn === 1 && bk >= n
  // ... or, a row-major rhs of whole panels under a packed lhs of few rows, used in place (`rhsInPlace`)
  const bInPlace = bRaw && !aInPlace && rhsInPlace(m, n, nr)
  // a column-major float32 rhs (x @ w.T) is copied as is and packed by 4 x 4 transposes
  const bRawT = f32 && !bRaw && bk === 1 && bn >= k && k >= 4
  const aLen = aInPlace ? (k - 1) * ak + m : rows * k
  // element offsets into the memory: lhs (packed or copied, plus mr elements of slack), packed rhs,
  // padded C, then the raw copies (with slack for the reads past their ends)
  const apBase = 0
  const bpBase = apBase + aLen + mr
  const cBase = bpBase + (bInPlace ? 0 : panels * nr * k)
  const rawABase = cBase + rows * ldc
  const rawALen = aRaw ? (m - 1) * am + k : 0
  const rawBBase = rawABase + (aRaw ? rawALen + mr * am : 0)
  // the transposed copy's slack: the last panel reads up to nr - 1 rows past n
  const rawBLen = bRaw ? (k - 1) * bk + n : bRawT ? (n - 1) * bn + k : 0
  const rawBSlack = bRaw && !bInPlace ? nr : bRawT ? nr * bn : 0
  const total = (rawBBase + rawBLen + rawBSlack) * bytes
  if (total > MAX_BYTES) return false
  if (!reserve(kern, total)) return false
  // operands copied as they are (memcpy), or found resident (frozen storage copied by an earlier product)
  const aAt = aInPlace
    ? operandAt(kern, a, aOff, aLen, mr, apBase * bytes)
    : aRaw
    ? operandAt(kern, a, aOff, rawALen, mr * am, rawABase * bytes)
    : 0
  const bAt = bRaw || bRawT ? operandAt(kern, b, bOff, rawBLen, rawBSlack, rawBBase * bytes) : 0
  const buf = kern.memory.buffer
  const View = accumulate === "f64" ? Float64Array : Float32Array
  // rows past m of an in-place lhs read past its end: zeros there when it was copied into scratch
  if (aInPlace && aAt === apBase * bytes) new View(buf, aAt + aLen * bytes, mr).fill(0)
  const call = caller(kern, threaded ? pool : undefined)
  const packA = lhsPacker(kern, call)
  // the packed lhs at `ap` (elements): the head's rows in groups of mr, then the rest in groups of 4
  const packLhsAt = (ap: number): void => {
    const mem = kern.memory.buffer
    if (tailGroups === 0) {
      packLhs(packA, mem, View, t, a, aOff, am, ak, m, k, ap, aAt, aRaw)
      return
    }
    if (groups > 0) packLhs(packA, mem, View, t, a, aOff, am, ak, headRows, k, ap, aAt, aRaw)
    const packTail = (units: number, args: ReadonlyArray<number>) => tail!.packA(0, units, ...args)
    const tailAt = aAt + headRows * am * bytes
    packLhs(
      packTail,
      mem,
      View,
      tailTile,
      a,
      aOff + headRows * am,
      am,
      ak,
      m - headRows,
      k,
      ap + headRows * k,
      tailAt,
      aRaw
    )
  }
  // pack the rhs at `bp0` (elements): bp[j][p][t] = B[p, j * nr + t], zero columns past n
  const packRhsAt = (bp0: number): void => {
    const mem = kern.memory.buffer
    const bp = new View(mem, bp0 * bytes, panels * nr * k)
    if (bRaw) {
      packRhsRaw(kern, call, mem, bAt, k, n, bk, nr, bp0)
    } else if (bRawT) {
      const k4 = k - (k % 4)
      call(kern.index.packBT, panels, Math.max(1, Math.ceil(panels / 16)), [bAt, bp0 * bytes, k4, bn, k])
      packRhsRows(bp, b, bOff, 1, bn, k4, k, n, panels, nr)
      zeroPanelTail(bp, k, n, panels, nr)
    } else {
      packRhsRows(bp, b, bOff, bk, bn, 0, k, n, panels, nr)
    }
  }
  // packed forms of frozen operands are resident too (made once, by the same packing)
  const grow = (size: number) => growTo(kern, size)
  let aPacked = apBase
  if (aRaw) {
    const at = residentLayout(
      residentOf(kern),
      grow,
      a,
      aOff,
      rawALen,
      `A ${tileName} ${m} ${k} ${am}`,
      (rows * k + mr) * bytes,
      (at) => packLhsAt(at / bytes)
    )
    if (at === undefined) packLhsAt(apBase)
    else aPacked = at / bytes
  } else if (!aInPlace) packLhsAt(apBase)
  let bPacked = bpBase
  if (bRaw && !bInPlace || bRawT) {
    const at = residentLayout(
      residentOf(kern),
      grow,
      b,
      bOff,
      rawBLen,
      `${bRaw ? "B" : "BT"} ${k} ${n} ${bRaw ? bk : bn} ${nr}`,
      panels * nr * k * bytes,
      (at) => packRhsAt(at / bytes)
    )
    if (at === undefined) packRhsAt(bpBase)
    else bPacked = at / bytes
  } else if (!bInPlace) packRhsAt(bpBase)
  // the rhs's panels: packed (a panel's k steps adjacent), or in place (one panel step per row)
  const rhsAt = bInPlace ? bAt : bPacked * bytes
  const bStride = bInPlace ? nr * bytes : nr * k * bytes
  const bStepK = bInPlace ? bk * bytes : nr * bytes
  const args = [
    aInPlace ? aAt : aPacked * bytes,
    rhsAt,
    cBase * bytes,
    k,
    panels,
    ldc,
    // aStride, aStepK, bStride, bStepK
    aInPlace ? mr * bytes : mr * k * bytes,
    aInPlace ? ak * bytes : mr * bytes,
    bStride,
    bStepK
  ]
  if (groups > 0) call(fn, groups, grainOf(groups), args)
  if (tailGroups > 0) {
    tail!.gemm(
      0,
      tailGroups,
      aInPlace ? aAt + headRows * bytes : (aPacked + headRows * k) * bytes,
      rhsAt,
      (cBase + headRows * ldc) * bytes,
      k,
      panels,
      ldc,
      aInPlace ? 4 * bytes : 4 * k * bytes,
      aInPlace ? ak * bytes : 4 * bytes,
      bStride,
      bStepK
    )
  }
  // (a float32 result of float64 sums is rounded by the copy out: never kept)
  if (kept !== undefined && into === undefined && ldc === n && out.constructor === View) {
    kept.view = new View(kern.memory.buffer, cBase * bytes, m * n)
    return true
  }
  copyOut(new View(kern.memory.buffer, cBase * bytes, rows * ldc), ldc, out, cOff, m, n, into?.ldOut, into?.subtract)
  return true
}

/**
 * A float32 rhs given as panels of an operand `x` (a convolution's patches; see `packPanels32` in
 * wasmPack.ts), never built as a matrix: panel `j` (eight columns) is `panels[2j]`, the element
 * offset of its image in `x`, and `panels[2j + 1]`, its descriptor row `r`; step `p` of k of that
 * panel reads eight consecutive elements of `x` from the image's offset plus `desc[2(r k + p)]`,
 * with lane `t` zero unless bit `t` of `desc[2(r k + p) + 1]` is set. Lanes whose bit is clear
 * may point up to seven elements outside `x`.
 */
export interface PanelRhs {
  readonly x: Float32Array
  readonly panels: Int32Array
  readonly desc: Int32Array
}

/** The eight-lane masks of `packPanels32`, as 256 pairs of vectors: lane t of mask i is all ones when bit t of i is set. */
const laneMasks = (() => {
  const masks = new Int32Array(256 * 8)
  for (let i = 0; i < 256; i++) for (let t = 0; t < 8; t++) masks[i * 8 + t] = (i >> t) & 1 ? -1 : 0
  return masks
})()

/**
 * `out[cOff + i * n + j] = sum_p a[aOff + i * am + p * ak] * B[p, j]` accumulated in float32 (the
 * `"f32"` tiles), with B given as panels (`PanelRhs`; `n` is eight times their number): the wasm
 * packing function builds the packed rhs straight from `x`, so the product never holds B itself.
 * Returns `false` (writing nothing) where `gemmF32` would.
 */
export const gemmF32Panels = (
  a: Float32Array,
  aOff: number,
  am: number,
  ak: number,
  rhs: PanelRhs,
  out: Float32Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
  pool?: Pool
): boolean => {
  const threaded = pool !== undefined && pool.threads > 1 && m * k * n >= THREAD_MIN_WORK
  const kern = threaded ? getKernel() : getSolo()
  if (kern === null) return false
  const { fn, t } = f32Tile32(kern)
  const { mr } = t
  const nr = t.nv * t.lanes
  const panels = rhs.panels.length / 2
  if (panels * nr !== n) return false
  const groups = Math.ceil(m / mr)
  const ldc = n
  const aInPlace = am === 1 && ak >= m
  const aRaw = !aInPlace && ak === 1 && am >= k && k >= 4
  const aLen = aInPlace ? (k - 1) * ak + m : groups * mr * k
  // element offsets: packed lhs, packed rhs, C, the raw lhs, then x with eight elements of slack
  // on both sides, the panel and descriptor tables, and the lane masks (16-byte aligned)
  const bpBase = aLen + mr
  const cBase = bpBase + panels * nr * k
  const rawABase = cBase + groups * mr * ldc
  const xBase = rawABase + (aRaw ? (m - 1) * am + k + mr * am : 0) + 8
  const panelsBase = xBase + rhs.x.length + 8
  const descBase = panelsBase + rhs.panels.length
  const masksBase = Math.ceil((descBase + rhs.desc.length) / 4) * 4
  const total = (masksBase + laneMasks.length) * 4
  if (total > MAX_BYTES) return false
  if (!reserve(kern, total)) return false
  const aAt = aInPlace
    ? operandAt(kern, a, aOff, aLen, mr, 0)
    : aRaw
    ? operandAt(kern, a, aOff, (m - 1) * am + k, mr * am, rawABase * 4)
    : 0
  const buf = kern.memory.buffer
  const call = caller(kern, threaded ? pool : undefined)
  if (aInPlace && aAt === 0) new Float32Array(buf, aLen * 4, mr).fill(0)
  if (!aInPlace) packLhs(lhsPacker(kern, call), buf, Float32Array, t, a, aOff, am, ak, m, k, 0, aAt, aRaw)
  new Float32Array(buf, xBase * 4, rhs.x.length).set(rhs.x)
  // the tables in bytes: image offsets, descriptor rows (k pairs each), element offsets and masks
  scalePairs(rhs.panels, new Int32Array(buf, panelsBase * 4, rhs.panels.length), 4, k * 8)
  scalePairs(rhs.desc, new Int32Array(buf, descBase * 4, rhs.desc.length), 4, 32)
  new Int32Array(buf, masksBase * 4, laneMasks.length).set(laneMasks)
  call(kern.index.packPanels, panels, Math.max(1, Math.ceil(panels / 16)), [
    xBase * 4,
    bpBase * 4,
    k,
    panelsBase * 4,
    descBase * 4,
    masksBase * 4
  ])
  call(fn, groups, grainOf(groups), [
    aInPlace ? aAt : 0,
    bpBase * 4,
    cBase * 4,
    k,
    panels,
    ldc,
    aInPlace ? mr * 4 : mr * k * 4,
    aInPlace ? ak * 4 : mr * 4,
    nr * k * 4,
    nr * 4
  ])
  copyOut(new Float32Array(buf, cBase * 4, groups * mr * ldc), ldc, out, cOff, m, n)
  return true
}

/** `dst[2i] = src[2i] * first`, `dst[2i + 1] = src[2i + 1] * second` (tables of element offsets into bytes). */
const scalePairs = (src: Int32Array, dst: Int32Array, first: number, second: number): void => {
  for (let i = 0; i < src.length; i += 2) {
    dst[i] = src[i]! * first
    dst[i + 1] = src[i + 1]! * second
  }
}

/**
 * The row pointers of `gemmF32Rows`, by row group, run and row: the byte address of row `i`'s run
 * `s` in the copied input (`xAt + 4 * rowOff[i * segs + s]`), or of the zeros for a padding run and
 * for the rows past m.
 */
const rowPointers = (
  ptrs: Int32Array,
  rowOff: Int32Array,
  m: number,
  segs: number,
  mr: number,
  xAt: number,
  zerosAt: number
): void => {
  const groups = ptrs.length / (segs * mr)
  for (let u = 0, at = 0; u < groups; u++) {
    for (let s = 0; s < segs; s++) {
      for (let r = 0; r < mr; r++, at++) {
        const i = u * mr + r
        const off = i < m ? rowOff[i * segs + s]! : -1
        ptrs[at] = off < 0 ? zerosAt : xAt + off * 4
      }
    }
  }
}

/**
 * `out[i * n + j] = sum_p A[i, p] * b[p * n + j]` accumulated in float32 (the `"f32"` tiles), with
 * the lhs gathered from `x` and never built: row `i`'s `k = segs * segLen` steps are `segs` runs of
 * `segLen` (a multiple of 4) consecutive elements of `x`, run `s` from element
 * `rowOff[i * segs + s]`, or zeros where that is -1 (a channels-last convolution: per output
 * position and kernel tap, the input's features at the tap). A wasm function packs the row groups
 * straight from `x` (`packRows32`). `b` is row-major `[k, n]`. Returns `false` (writing nothing)
 * where `gemmF32` would.
 */
export const gemmF32Rows = (
  x: Float32Array,
  rowOff: Int32Array,
  segs: number,
  segLen: number,
  b: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  pool?: Pool
): boolean => {
  const k = segs * segLen
  if (segLen % 4 !== 0 || k === 0 || rowOff.length !== m * segs) return false
  const threaded = pool !== undefined && pool.threads > 1 && m * k * n >= THREAD_MIN_WORK
  const kern = threaded ? getKernel() : getSolo()
  if (kern === null) return false
  const { fn, t } = f32Tile32(kern)
  const { mr } = t
  const nr = t.nv * t.lanes
  const groups = Math.ceil(m / mr)
  const panels = Math.ceil(n / nr)
  const ldc = panels * nr
  // element offsets: packed lhs, packed rhs, C, the raw rhs (with a panel's slack), x, a run of
  // zeros, then the row pointers
  const bpBase = groups * mr * k
  const cBase = bpBase + panels * nr * k
  const rawBBase = cBase + groups * mr * ldc
  const xBase = rawBBase + k * n + nr
  const zerosBase = xBase + x.length
  const ptrsBase = zerosBase + segLen
  const total = (ptrsBase + groups * segs * mr) * 4
  if (total > MAX_BYTES) return false
  if (!reserve(kern, total)) return false
  const bAt = operandAt(kern, b, 0, k * n, nr, rawBBase * 4)
  const buf = kern.memory.buffer
  const call = caller(kern, threaded ? pool : undefined)
  new Float32Array(buf, xBase * 4, x.length).set(x)
  new Float32Array(buf, zerosBase * 4, segLen).fill(0)
  // the row pointers, by row group, run and row (rows past m read zeros)
  rowPointers(new Int32Array(buf, ptrsBase * 4, groups * segs * mr), rowOff, m, segs, mr, xBase * 4, zerosBase * 4)
  call(kern.index.packRows, groups, Math.max(1, Math.ceil(groups / 16)), [ptrsBase * 4, 0, segs, segLen])
  packRhsRaw(kern, call, buf, bAt, k, n, n, nr, bpBase)
  call(fn, groups, grainOf(groups), [0, bpBase * 4, cBase * 4, k, panels, ldc, mr * k * 4, mr * 4, nr * k * 4, nr * 4])
  copyOut(new Float32Array(buf, cBase * 4, groups * mr * ldc), ldc, out, 0, m, n)
  return true
}
