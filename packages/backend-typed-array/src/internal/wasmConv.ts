/**
 * Direct convolution in WebAssembly SIMD: every output row is a sum of scaled
 * shifted input rows (one per kernel tap), computed without the im2col tables.
 *
 * Why: the GEMM path (conv.ts) resolves padding, strides and dilations into a
 * table of input offsets per (output position, kernel tap), so its setup grows
 * as positions x taps whatever the channel counts. With few output features the
 * product itself is a sliver (one output feature uses one row of the 6 x 8 tile)
 * and the tables dominate: one channel of 256 x 256 with a 31 x 31 filter took
 * 1.1 s (63M table entries for 63M multiply-adds), 512 x 512 with 31 x 31 28 s.
 *
 * The layout: the input's last spatial dimension is copied once into "phase
 * rows", `Q_p[m] = P[m * s + p]` for each residue `p` of the window stride `s`,
 * where `P` is the row with its lhs dilation's holes and its padding written as
 * zeros. Output `o` and tap `t` then read `Q_{(t d) mod s}[o + floor(t d / s)]`
 * (`d` the rhs dilation): for every tap a contiguous run, the same for all
 * outputs of the row. A tap whose outer coordinates land in padding reads a row
 * of zeros (so that `0 * inf` is NaN as in the GEMM's patches and XLA).
 *
 * `corr<f>(lo, hi, segs, segBytes, taps, w, off, out)`: units `u` in `[lo, hi)`
 * are (output feature `u / segs`, row segment `u % segs`); unit `u` writes
 * `segBytes` of outputs at `out + u * segBytes`, each the sum over taps `t`, in
 * order, of `w[feature * taps + t] * x[off[segment * taps + t] + lane]`, eight
 * vectors at a time held in registers across the taps (`segBytes` is a multiple
 * of 128). Units are independent, so the thread pool splits them with the same
 * bits for any thread count.
 */
import type { Pool, SharedModule } from "./threads.js"
import { sharedMemoryAvailable } from "./threads.js"
import { addTo, type Func, i32, instantiateOwn, moduleBytes, op, simdOp, v128, whileBelow } from "./wasm.js"

const { get, set } = op

type Float = "f32" | "f64"

/** Output vectors per register block. */
const BLOCK = 8
const BLOCK_BYTES = BLOCK * 16

const i32DivU = [0x6e]
const i32RemU = [0x70]

/** Shared memories declare a maximum: 256 MiB, `CONV_MAX_BYTES`. */
const MAX_PAGES = 4096

// parameters, then locals
const [lo, hi, segs, segBytes, taps, w, off, out, perImage, imageBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
const [wBase, offBase, offEnd, outPtr, o, at, wp, offPtr, base] = [10, 11, 12, 13, 14, 15, 16, 17, 18]
const wv = 19
const ACC = 20

const corrFunc = (float: Float, fma: boolean): Func => {
  const bytes = float === "f32" ? 4 : 8
  const splat = float === "f32" ? op.v128Load32Splat(0) : op.v128Load64Splat(0)
  const add = float === "f32" ? op.f32x4Add : op.f64x2Add
  const mul = float === "f32" ? op.f32x4Mul : op.f64x2Mul
  const madd = float === "f32" ? op.f32x4RelaxedMadd : op.f64x2RelaxedMadd
  const acc = (j: number) => ACC + j
  // A never-taken exit after each multiply-add (`taps` is never 0): V8 would otherwise issue all
  // the block's loads first and sink the multiply-adds after them, holding eight loaded vectors
  // beside eight accumulators and spilling (the kernel ran at 8 instead of 20 GMAC/s; wasmGemm.ts's
  // `blockFunc` has the same fence).
  const fence = [...get(taps), ...op.i32Eqz, ...op.brIf(1)]
  const step = (j: number): Array<number> => [
    ...(fma
      ? [...get(wv), ...get(base), ...op.v128Load(16 * j), ...get(acc(j)), ...madd, ...set(acc(j))]
      : [...get(acc(j)), ...get(wv), ...get(base), ...op.v128Load(16 * j), ...mul, ...add, ...set(acc(j))]),
    ...(j + 1 < BLOCK ? fence : [])
  ]
  const tapLoop = whileBelow(offPtr, offEnd, [
    ...get(wp),
    ...splat,
    ...set(wv),
    ...get(offPtr),
    ...simdOp.i32Load,
    ...get(at),
    ...op.i32Add,
    ...set(base),
    ...Array.from({ length: BLOCK }, (_, j) => step(j)).flat(),
    ...addTo(wp, op.i32Const(bytes)),
    ...addTo(offPtr, op.i32Const(4))
  ])
  const blockLoop = whileBelow(o, segBytes, [
    ...Array.from({ length: BLOCK }, (_, j) => [...op.v128Zero, ...set(acc(j))]).flat(),
    ...get(wBase),
    ...set(wp),
    ...get(offBase),
    ...set(offPtr),
    // at = image's operand shift + o
    ...get(lo),
    ...get(perImage),
    ...i32DivU,
    ...get(imageBytes),
    ...op.i32Mul,
    ...get(o),
    ...op.i32Add,
    ...set(at),
    ...tapLoop,
    ...Array.from(
      { length: BLOCK },
      (_, j) => [...get(outPtr), ...get(o), ...op.i32Add, ...get(acc(j)), ...op.v128Store(16 * j)]
    )
      .flat(),
    ...addTo(o, op.i32Const(BLOCK_BYTES))
  ])
  // unit u: image u / perImage; within it, feature r / segs and segment r % segs (r = u % perImage)
  const within = [...get(lo), ...get(perImage), ...i32RemU]
  const unitLoop = whileBelow(lo, hi, [
    ...get(w),
    ...within,
    ...get(segs),
    ...i32DivU,
    ...get(taps),
    ...op.i32Mul,
    ...op.i32Const(bytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(wBase),
    ...get(off),
    ...within,
    ...get(segs),
    ...i32RemU,
    ...get(taps),
    ...op.i32Mul,
    ...op.i32Const(4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(offBase),
    ...get(offBase),
    ...get(taps),
    ...op.i32Const(4),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(offEnd),
    ...get(out),
    ...get(lo),
    ...get(segBytes),
    ...op.i32Mul,
    ...op.i32Add,
    ...set(outPtr),
    ...op.i32Const(0),
    ...set(o),
    ...blockLoop,
    ...addTo(lo, op.i32Const(1))
  ])
  return {
    name: `corr${float}`,
    params: Array<number>(10).fill(i32),
    locals: [...Array<number>(9).fill(i32), ...Array<number>(1 + BLOCK).fill(v128)],
    body: unitLoop
  }
}

/** The module's bytes (exported for tests). */
export const convModuleBytes = (options: { fma?: boolean; shared?: boolean } = {}): Uint8Array<ArrayBuffer> =>
  moduleBytes(
    // float64 multiplies then adds, as the GEMM's float64 tile and the JS kernel do (the same bits)
    [corrFunc("f32", options.fma === true), corrFunc("f64", false)],
    1,
    options.shared === true ? { maxPages: MAX_PAGES } : undefined
  )

/** The compiled module over its memory (shared when the pool may run it). */
interface ConvKernel extends SharedModule {
  readonly fns: ReadonlyArray<(...args: Array<number>) => void>
}

const NAMES = ["corrf32", "corrf64"] as const

const instantiate = (fma: boolean, shared: boolean): ConvKernel | null => {
  const own = instantiateOwn(convModuleBytes({ fma, shared }), shared, MAX_PAGES)
  if (own === null) return null
  const { exports, memory, module } = own
  return { module, memory, names: NAMES, fns: NAMES.map((n) => exports[n] as (...args: Array<number>) => void) }
}

const kernels = new Map<string, ConvKernel | null>()

/** The kernel: relaxed SIMD's multiply-add when `fma` and the engine has it; shared memory when `shared`. */
const kernelFor = (fma: boolean, shared: boolean): ConvKernel | null => {
  const key = `${fma}${shared}`
  let k = kernels.get(key)
  if (k !== undefined) return k
  try {
    k = (fma ? instantiate(true, shared) : null) ?? instantiate(false, shared)
  } catch {
    k = null
  }
  kernels.set(key, k)
  return k
}

/** The most memory a direct convolution takes (operand copies, offsets, outputs). */
export const CONV_MAX_BYTES = 2 ** 28

/** Units per chunk of a threaded run: from the shape only (never the thread count). */
const grainOf = (units: number): number => Math.max(1, Math.ceil(units / 32))

/** What `runCorr` needs placed in the kernel's memory, by the caller's `fill`. */
export interface CorrLayout {
  readonly float: Float
  /** Images, each with its operand (phase rows and the zero row) from address `image * imageBytes`. */
  readonly images: number
  /** Bytes of one image's operand (a multiple of 16). */
  readonly imageBytes: number
  readonly taps: number
  /** Output features (weight rows). */
  readonly features: number
  /** Row segments (offset rows). */
  readonly segs: number
  /** Bytes per segment of outputs (a multiple of 128). */
  readonly segBytes: number
}

/** Where the parts start in the kernel's memory (bytes): weights, offsets, outputs, end. */
export interface CorrAddresses {
  readonly w: number
  readonly off: number
  readonly out: number
  readonly end: number
}

const align = (n: number): number => Math.ceil(n / 128) * 128

/** The addresses of a layout's parts. */
export const corrAddresses = (l: CorrLayout): CorrAddresses => {
  const bytes = l.float === "f32" ? 4 : 8
  const w = align(l.images * l.imageBytes)
  const off = align(w + l.features * l.taps * bytes)
  const out = align(off + l.segs * l.taps * 4)
  return { w, off, out, end: out + l.images * l.features * l.segs * l.segBytes }
}

/** Multiply-adds below which a correlation runs on the calling thread. */
const THREAD_MIN_WORK = 2 ** 20

/**
 * Runs the correlation of `layout` (across `pool`'s threads when it has several and the work is
 * large): `fill(buffer, addresses)` writes the operands, weights and offsets; `read(buffer,
 * addresses)` takes the outputs, unit by unit (image, feature, segment). Returns `false`, running
 * nothing, where WebAssembly SIMD is unavailable or the memory would pass `CONV_MAX_BYTES`.
 */
export const runCorr = (
  layout: CorrLayout,
  fma: boolean,
  pool: Pool | undefined,
  fill: (buffer: ArrayBuffer, at: CorrAddresses) => void,
  read: (buffer: ArrayBuffer, at: CorrAddresses) => void
): boolean => {
  const at = corrAddresses(layout)
  if (at.end > CONV_MAX_BYTES) return false
  const perImage = layout.features * layout.segs
  const units = layout.images * perImage
  const lanes = layout.float === "f32" ? 4 : 2
  const work = units * (layout.segBytes / 16) * lanes * layout.taps
  const threaded = pool !== undefined && pool.threads > 1 && work >= THREAD_MIN_WORK && units > 1 &&
    sharedMemoryAvailable()
  const k = kernelFor(fma, threaded)
  if (k === null) return false
  const have = k.memory.buffer.byteLength
  if (at.end > have) {
    try {
      k.memory.grow(Math.ceil((at.end - have) / 65536))
    } catch {
      return false
    }
  }
  fill(k.memory.buffer as ArrayBuffer, at)
  const fn = layout.float === "f32" ? 0 : 1
  const args = [layout.segs, layout.segBytes, layout.taps, at.w, at.off, at.out, perImage, layout.imageBytes]
  if (threaded) pool.run(k, k.fns, fn, units, grainOf(units), args)
  else k.fns[fn]!(0, units, ...args)
  read(k.memory.buffer as ArrayBuffer, at)
  return true
}
