/**
 * `conv_general_dilated` as im2col + the `dot_general` GEMM: per group, the
 * input windows are unrolled into a `[in features * kernel taps, batch * output
 * positions]` patch matrix (zeros where a tap lands in padding or between
 * dilated input elements), the kernel into `[out features, in features * taps]`,
 * and one batched product (kernel times patches) gives every output, by out
 * feature and then position. The padding, dilations and
 * strides are resolved once into a table of input offsets per (output position,
 * tap), so the unrolling is a gather.
 */
import { BackendError, Convolution, DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { convDirect, type DirectPlan, directPlan, rowStarts, tapCoordinates } from "./convDirect.js"
import { dotGeneral, WASM_MIN_WORK } from "./dot.js"
import type { Pool } from "./threads.js"
import { gemmF32Panels, gemmF32Rows, type PanelRhs } from "./wasmGemm.js"

type HostArray = DType.HostArray

/**
 * For every (kernel tap, output position) pair, tap-major, the lhs spatial offset it reads, or -1
 * (padding, or a hole of the lhs dilation): per spatial dimension and tap coordinate, the offset
 * each output coordinate reads; then, tap by tap, the rows of output positions as the sum of their
 * outer coordinates' offsets and the last dimension's row. (Built per (position, tap) with an
 * index decomposition each, as before, a one-channel convolution with a 257-tap filter spent a
 * second on its tables alone.)
 */
const tapTable = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  spatialStrides: ReadonlyArray<number>
): Int32Array => {
  const outProd = Shape.sizeOf(g.outSpatial)
  const kProd = Shape.sizeOf(g.kernelSpatial)
  const ns = g.inSpatial.length
  const table = new Int32Array(kProd * outProd)
  if (ns === 0 || outProd === 0) return table
  const last = ns - 1
  // per dimension, the input coordinate of (output coordinate, tap) (`tapCoordinates`), but for a
  // last dimension without lhs dilation (as large as the whole table for one long dimension)
  const perDim = g.outSpatial.map((_, d) =>
    d === last && params.lhsDilation[d] === 1 ? undefined : tapCoordinates(g, params, d)
  )
  // The last dimension without lhs dilation reads an affine run: output coordinates [lo, hi) read
  // input (o * stride + first), the others padding (its per-tap tables would be as large as the whole).
  const outLast = g.outSpatial[last]!
  const inLast = g.inSpatial[last]!
  const stride = params.windowStrides[last]!
  const spatial = spatialStrides[last]!
  const outerRows = outProd / outLast
  const coords = perDim[last]
  const kLast = g.kernelSpatial[last]!
  const kc = new Array<number>(ns).fill(0)
  const oc = new Array<number>(last).fill(0)
  for (let sk = 0, at = 0; sk < kProd; sk++) {
    let r = sk
    for (let d = last; d >= 0; d--) {
      kc[d] = r % g.kernelSpatial[d]!
      r = Math.floor(r / g.kernelSpatial[d]!)
    }
    const first = kc[last]! * params.rhsDilation[last]! - params.padding[last]![0]
    const lo = Math.min(outLast, Math.max(0, Math.ceil(-first / stride)))
    const hi = Math.max(lo, Math.min(outLast, Math.ceil((inLast - first) / stride)))
    oc.fill(0)
    for (let ro = 0; ro < outerRows; ro++, at += outLast) {
      let base = 0
      for (let d = 0; d < last && base >= 0; d++) {
        const x = perDim[d]![oc[d]! * g.kernelSpatial[d]! + kc[d]!]!
        base = x < 0 ? -1 : base + x * spatialStrides[d]!
      }
      if (base < 0) table.fill(-1, at, at + outLast)
      else if (coords !== undefined) {
        for (let o = 0; o < outLast; o++) {
          const x = coords[o * kLast + kc[last]!]!
          table[at + o] = x < 0 ? -1 : base + x * spatial
        }
      } else {
        table.fill(-1, at, at + lo)
        for (let o = lo, off = base + (lo * stride + first) * spatial; o < hi; o++, off += stride * spatial) {
          table[at + o] = off
        }
        table.fill(-1, at + hi, at + outLast)
      }
      for (let d = last - 1; d >= 0; d--) {
        if (++oc[d]! < g.outSpatial[d]!) break
        oc[d] = 0
      }
    }
  }
  return table
}

// `tapTable` position-major: `table[so * kProd + sk]`.
const offsetTable = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  spatialStrides: ReadonlyArray<number>
): Int32Array =>
  positionMajor(tapTable(g, params, spatialStrides), Shape.sizeOf(g.outSpatial), Shape.sizeOf(g.kernelSpatial))

const positionMajor = (byTap: Int32Array, outProd: number, kProd: number): Int32Array => {
  const table = new Int32Array(outProd * kProd)
  for (let sk = 0; sk < kProd; sk++) {
    for (let so = 0, at = sk; so < outProd; so++, at += kProd) table[at] = byTap[sk * outProd + so]!
  }
  return table
}

// The offsets of a spatial odometer over `sizes` with `strides`, in row-major order: each row's
// start (`rowStarts`, an odometer over the outer dimensions) and a run along the last (a division
// per element and dimension took 3 ms for 65,536 positions).
const offsets = (sizes: ReadonlyArray<number>, strides: ReadonlyArray<number>): Int32Array => {
  const n = Shape.sizeOf(sizes)
  const out = new Int32Array(n)
  if (n === 0 || sizes.length === 0) return out
  const inner = sizes[sizes.length - 1]!
  const step = strides[sizes.length - 1]!
  const rows = rowStarts(sizes, strides)
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0, at = r * inner; j < inner; j++) out[at + j] = rows[r]! + j * step
  }
  return out
}

/**
 * The patches of a stride-1 (along the last spatial dimension) convolution as panels of eight
 * output positions (`PanelRhs` in wasmGemm.ts), when every panel's taps read eight consecutive
 * inputs but for lanes in padding: the product then packs its rhs straight from the input. Needs
 * whole panels per image (`outProd` a multiple of 8); else `undefined`.
 */
const patchPanels = (
  lhs: Float32Array,
  byTap: Int32Array,
  outProd: number,
  kProd: number,
  inFeatures: number,
  batch: number,
  lb: number,
  lf: number
): PanelRhs | undefined => {
  if (outProd % 8 !== 0) return undefined
  const perImage = outProd / 8
  const cols = inFeatures * kProd
  const desc = new Int32Array(perImage * cols * 2)
  for (let sk = 0; sk < kProd; sk++) {
    for (let jj = 0; jj < perImage; jj++) {
      const at = sk * outProd + jj * 8
      let mask = 0
      let base = 0
      let first = true
      for (let t = 0; t < 8; t++) {
        const off = byTap[at + t]!
        if (off < 0) continue
        if (first) {
          base = off - t
          first = false
        } else if (off !== base + t) return undefined
        mask |= 1 << t
      }
      for (let ii = 0; ii < inFeatures; ii++) {
        const d = (jj * cols + ii * kProd + sk) * 2
        desc[d] = ii * lf + base
        desc[d + 1] = mask
      }
    }
  }
  const panels = new Int32Array(batch * perImage * 2)
  for (let nb = 0; nb < batch; nb++) {
    for (let jj = 0; jj < perImage; jj++) {
      panels[(nb * perImage + jj) * 2] = nb * lb
      panels[(nb * perImage + jj) * 2 + 1] = jj
    }
  }
  return { x: lhs, panels, desc }
}

/**
 * The patches as panels of eight images at one output position (`PanelRhs`), columns ordered
 * position then image, when the images are contiguous in the input (`lb` 1: a channels-last
 * input's features, as the kernel gradient's convolution sees them) and come in eights: each
 * (panel, step of k) reads eight consecutive inputs, all real or all padding. Else `undefined`.
 */
const imagePanels = (
  lhs: Float32Array,
  byTap: Int32Array,
  outProd: number,
  kProd: number,
  inFeatures: number,
  batch: number,
  lb: number,
  lf: number
): PanelRhs | undefined => {
  if (lb !== 1 || batch % 8 !== 0) return undefined
  const cols = inFeatures * kProd
  // descriptor row per position: the first image's input offset of each (feature, tap)
  const desc = new Int32Array(outProd * cols * 2)
  for (let so = 0; so < outProd; so++) {
    for (let ii = 0; ii < inFeatures; ii++) {
      for (let sk = 0; sk < kProd; sk++) {
        const off = byTap[sk * outProd + so]!
        const d = (so * cols + ii * kProd + sk) * 2
        desc[d] = off < 0 ? 0 : ii * lf + off
        desc[d + 1] = off < 0 ? 0 : 255
      }
    }
  }
  const blocks = batch / 8
  const panels = new Int32Array(outProd * blocks * 2)
  for (let so = 0; so < outProd; so++) {
    for (let b = 0; b < blocks; b++) {
      panels[(so * blocks + b) * 2] = b * 8
      panels[(so * blocks + b) * 2 + 1] = so
    }
  }
  return { x: lhs, panels, desc }
}

/** The product's `[features, batch * positions]` rows into the output's layout. */
const scatterOut = (
  product: HostArray,
  out: HostArray,
  features: number,
  rows: number,
  outProd: number,
  batch: number,
  ob: number,
  of: number,
  oOff: Int32Array
): void => {
  // positions contiguous in the output (the channels-first layouts): whole runs
  let contiguous = true
  for (let so = 0; so < outProd && contiguous; so++) contiguous = oOff[so] === so
  for (let oo = 0; oo < features; oo++) {
    for (let nb = 0; nb < batch; nb++) {
      const src = oo * rows + nb * outProd
      const dst = nb * ob + oo * of
      if (contiguous) out.set(product.subarray(src, src + outProd), dst)
      else for (let so = 0; so < outProd; so++) out[dst + oOff[so]!] = product[src + so]!
    }
  }
}

/**
 * The patch rows of a product computed as patches times kernel (`gemmF32Rows`): per row (image,
 * output position) and run, the element offset of the run in `x` or -1 (zeros); `tapMajor` when k
 * runs tap then feature.
 */
interface PatchRuns {
  readonly x: Float32Array
  readonly rowOff: Int32Array
  readonly segs: number
  readonly segLen: number
  readonly tapMajor: boolean
}

/**
 * Features contiguous in the input: one run of all features per (row, tap), k tap then feature.
 * Features not in fours (an RGB image's 3) are read from a copy holding them in fours, the
 * added ones zero (their kernel rows are zero too), when every other dimension steps over whole
 * pixels; else `undefined`.
 */
const featureRuns = (
  lhs: Float32Array,
  features: number,
  table: Int32Array,
  rows: number,
  outProd: number,
  kProd: number,
  batch: number,
  lb: number,
  shape: ReadonlyArray<number>,
  featureDim: number
): PatchRuns | undefined => {
  const f4 = Math.ceil(features / 4) * 4
  let x = lhs
  if (f4 !== features) {
    const strides = Shape.stridesOf(shape)
    for (let d = 0; d < shape.length; d++) {
      if (d !== featureDim && shape[d]! > 1 && strides[d]! % features !== 0) return undefined
    }
    const pixels = lhs.length / features
    x = DType.allocHost("float32", pixels * f4) as Float32Array
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < features; c++) x[p * f4 + c] = lhs[p * features + c]!
    }
  }
  const rowOff = new Int32Array(rows * kProd)
  for (let nb = 0; nb < batch; nb++) {
    for (let so = 0, at = nb * outProd * kProd; so < outProd; so++) {
      for (let sk = 0; sk < kProd; sk++, at++) {
        const off = table[so * kProd + sk]!
        rowOff[at] = off < 0 ? -1 : ((nb * lb + off) / features) * f4
      }
    }
  }
  return { x, rowOff, segs: kProd, segLen: f4, tapMajor: true }
}

/**
 * The last spatial dimension contiguous in the input (stride 1), undilated, unstrided in its
 * taps, with a window a multiple of 4 and padding at least 0: one run of that window's taps per
 * (row, feature, other taps), k feature then tap, read from a copy of the input whose rows carry
 * their padding as zeros (so a run never stops at an edge). Else `undefined`.
 */
const tapRuns = (
  lhs: Float32Array,
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  spatialStrides: ReadonlyArray<number>,
  lb: number,
  lf: number,
  shape: ReadonlyArray<number>,
  lhsSpec: ReadonlyArray<number>
): PatchRuns | undefined => {
  const ns = g.inSpatial.length
  const last = ns - 1
  const kl = g.kernelSpatial[last]!
  const w = g.inSpatial[last]!
  const [padLow, padHigh] = params.padding[last]!
  if (
    ns === 0 || spatialStrides[last] !== 1 || kl % 4 !== 0 || params.rhsDilation[last] !== 1 ||
    params.lhsDilation[last] !== 1 || padLow < 0 || padHigh < 0
  ) return undefined
  // every other dimension steps over whole rows (or has one element)
  const strides = Shape.stridesOf(shape)
  for (let d = 0; d < shape.length; d++) {
    if (d !== lhsSpec[2 + last] && shape[d]! > 1 && strides[d]! % w !== 0) return undefined
  }
  const outLast = g.outSpatial[last]!
  const ws = params.windowStrides[last]!
  const wp = Math.max(padLow + w, (outLast - 1) * ws + kl)
  const nRows = lhs.length / w
  const x = DType.allocHost("float32", nRows * wp) as Float32Array
  for (let r = 0; r < nRows; r++) x.set(lhs.subarray(r * w, (r + 1) * w), r * wp + padLow)
  // per other spatial dimension: the input coordinate of (output coordinate, tap), or -1
  const perDim = g.outSpatial.slice(0, last).map((_, d) => tapCoordinates(g, params, d))
  const outProd = Shape.sizeOf(g.outSpatial)
  const kOuter = Shape.sizeOf(g.kernelSpatial.slice(0, last))
  const segs = g.i * kOuter
  const rowOff = new Int32Array(g.outBatch * outProd * segs)
  const oc = new Array<number>(ns).fill(0)
  const kc = new Array<number>(last).fill(0)
  for (let so = 0; so < outProd; so++) {
    let rest = so
    for (let d = last; d >= 0; d--) {
      oc[d] = rest % g.outSpatial[d]!
      rest = Math.floor(rest / g.outSpatial[d]!)
    }
    for (let sko = 0; sko < kOuter; sko++) {
      let r = sko
      let off = 0
      for (let d = last - 1; d >= 0 && off >= 0; d--) {
        kc[d] = r % g.kernelSpatial[d]!
        r = Math.floor(r / g.kernelSpatial[d]!)
        const x = perDim[d]![oc[d]! * g.kernelSpatial[d]! + kc[d]!]!
        off = x < 0 ? -1 : off + x * spatialStrides[d]!
      }
      for (let nb = 0; nb < g.outBatch; nb++) {
        for (let ii = 0; ii < g.i; ii++) {
          const at = (nb * outProd + so) * segs + ii * kOuter + sko
          // the run starts at the padded row's element o * ws (input element o * ws - padLow)
          rowOff[at] = off < 0 ? -1 : ((nb * lb + ii * lf + off) / w) * wp + oc[last]! * ws
        }
      }
    }
  }
  return { x, rowOff, segs, segLen: kl, tapMajor: false }
}

/**
 * The other layouts (channels first, where the panels do not apply: strided convolutions, output
 * sizes not in eights): the input copied with its features last (`[batch, spatial..., features]`,
 * one pass), then `featureRuns` over the copy.
 */
const transposedRuns = (
  lhs: Float32Array,
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  spatialStrides: ReadonlyArray<number>,
  lb: number,
  lf: number,
  rows: number,
  outProd: number,
  kProd: number
): PatchRuns | undefined => {
  const c = g.i
  const pixels = Shape.sizeOf(g.inSpatial)
  const batch = g.outBatch
  const spOff = offsets(g.inSpatial, spatialStrides)
  const x = DType.allocHostUnfilled("float32", batch * pixels * c) as Float32Array
  for (let nb = 0; nb < batch; nb++) {
    for (let ii = 0; ii < c; ii++) {
      const src = nb * lb + ii * lf
      const dst = nb * pixels * c + ii
      for (let sp = 0; sp < pixels; sp++) x[dst + sp * c] = lhs[src + spOff[sp]!]!
    }
  }
  const strides = g.inSpatial.map((_, d) => Shape.sizeOf(g.inSpatial.slice(d + 1)) * c)
  const table = offsetTable(g, params, strides)
  const runs = featureRuns(x, c, table, rows, outProd, kProd, batch, pixels * c, [batch, pixels, c], 2)
  if (runs?.x !== x) DType.recycleHost(x)
  return runs
}

let directMode: "auto" | "always" | "never" = "auto"

/** Forces the direct convolution on or off (`"auto"`: by its cost); for tests and benchmarks. */
export const setConvDirect = (mode: "auto" | "always" | "never"): void => {
  directMode = mode
}

/**
 * Whether the direct convolution (convDirect.ts) beats the GEMM paths here. Measured over the value
 * and both gradients of 17 layers (1-3 spatial dimensions, both layouts, strides, one to 256
 * features; one thread, docs/architecture.md): the GEMM's setup grows with (output positions) x
 * (taps) and pays off over `reuse` = out features x in features x images, so the direct path wins
 * where that is small; it computes whole segments of 32 outputs, so a row of 3 (a kernel gradient's
 * 3 x 3 output) does ten times the work; and it wins with long filters or few output features
 * (the GEMM's 6-row tile), given enough taps per output to cover its per-segment cost.
 */
const prefersDirect = (g: Convolution.ConvGeometry, plan: DirectPlan): boolean => {
  if (directMode !== "auto") return directMode === "always"
  const kProd = Shape.sizeOf(g.kernelSpatial)
  const outLast = g.outSpatial[g.outSpatial.length - 1]!
  const waste = (plan.segsPerRow * plan.segLength) / outLast
  const og = plan.layout.features
  const reuse = og * g.i * g.outBatch
  // a GEMM table past 2^26 entries (256 MB) is not worth building whatever the work
  if (kProd * Shape.sizeOf(g.outSpatial) >= 2 ** 26) return true
  return waste <= 4 && (reuse <= 64 || (waste <= 2 && plan.layout.taps >= 32 && (og < 6 || kProd >= 25)))
}

/**
 * Which path a float `conv_general_dilated` of these operands takes: `"direct"` (convDirect.ts,
 * where its memory fits) or `"gemm"` (the im2col product). For tests of the choice.
 */
export const convPath = (
  la: AbstractValue,
  ra: AbstractValue,
  params: Params<"conv_general_dilated">
): "direct" | "gemm" => {
  const g = Convolution.convGeometry(la, ra, params)
  const plan = directPlan(g, params, la.dtype === "float32")
  return plan !== undefined && prefersDirect(g, plan) ? "direct" : "gemm"
}

/**
 * `conv_general_dilated(lhs, rhs)` on host arrays (real dtypes: one lane); the
 * patches-times-weights product runs on the GEMM, across `pool`'s threads when large.
 */
export const convGeneralDilated = (
  lhs: HostArray,
  rhs: HostArray,
  la: AbstractValue,
  ra: AbstractValue,
  params: Params<"conv_general_dilated">,
  oa: AbstractValue,
  pool?: Pool
): HostArray => {
  const dtype = oa.dtype
  const out = DType.allocHost(dtype, Shape.sizeOf(oa.shape))
  if (out.length === 0) return out
  const g = Convolution.convGeometry(la, ra, params)
  const { batchGroupCount: bgc, dimensionNumbers: dn, featureGroupCount: fgc } = params
  const groups = fgc * bgc
  const og = g.o / groups
  const lStr = Shape.stridesOf(la.shape)
  const rStr = Shape.stridesOf(ra.shape)
  const oStr = Shape.stridesOf(oa.shape)
  const [lb, lf] = [lStr[dn.lhsSpec[0]!]!, lStr[dn.lhsSpec[1]!]!]
  const [ro, ri] = [rStr[dn.rhsSpec[0]!]!, rStr[dn.rhsSpec[1]!]!]
  const [ob, of] = [oStr[dn.outSpec[0]!]!, oStr[dn.outSpec[1]!]!]
  const lhsSpatialStrides = dn.lhsSpec.slice(2).map((d) => lStr[d]!)
  const kOff = offsets(g.kernelSpatial, dn.rhsSpec.slice(2).map((d) => rStr[d]!))
  const outSpatialStrides = dn.outSpec.slice(2).map((d) => oStr[d]!)
  if (
    (lhs instanceof Float32Array && rhs instanceof Float32Array && out instanceof Float32Array) ||
    (lhs instanceof Float64Array && rhs instanceof Float64Array && out instanceof Float64Array)
  ) {
    const plan = directPlan(g, params, dtype === "float32")
    if (plan !== undefined && prefersDirect(g, plan)) {
      const operands = { lhs, rhs, out, lb, lf, lhsSpatialStrides, ro, ri, kOff, ob, of, outSpatialStrides }
      if (convDirect(g, params, plan, operands, pool)) return out
    }
  }
  const outProd = Shape.sizeOf(g.outSpatial)
  const kProd = kOff.length
  const rows = g.outBatch * outProd
  const cols = g.i * kProd
  // the GEMM paths' tables and patch matrix hold every (output position, tap) pair
  if (rows * cols > Shape.maxElements) {
    throw new BackendError({
      backend: "typed-array",
      detail:
        `conv_general_dilated: the CPU's patch matrix of ${rows} output positions by ${cols} taps exceeds the ${Shape.maxElements} elements an array may hold, and the direct kernel could not take this convolution (float32 and float64 only, within its memory)`
    })
  }
  const oOff = offsets(g.outSpatial, outSpatialStrides)
  // the input offset of each (tap, output position), and position-major for the feature runs; made
  // when a path reads them (the runs of taps build their own, a tap's length shorter)
  let tapMajor: Int32Array | undefined
  const byTapOf = (): Int32Array => (tapMajor ??= tapTable(g, params, lhsSpatialStrides))
  // weights[grp][oo][ii * kProd + sk], the kernel as a matrix: made when a path needs it (the runs
  // path gathers its transposed kernel from rhs directly, one pass over what is the whole output
  // gradient in a kernel-gradient convolution)
  let weights: HostArray | undefined
  const weightsOf = (): HostArray => {
    if (weights !== undefined) return weights
    const w = DType.allocHost(dtype, groups * og * cols)
    for (let grp = 0; grp < groups; grp++) {
      for (let oo = 0; oo < og; oo++) {
        for (let ii = 0; ii < g.i; ii++) {
          const src = (grp * og + oo) * ro + ii * ri
          const dst = (grp * og + oo) * cols + ii * kProd
          for (let sk = 0; sk < kProd; sk++) w[dst + sk] = rhs[src + kOff[sk]!]!
        }
      }
    }
    return weights = w
  }
  // the float32 product on the wasm GEMM, packed straight from the input (one group)
  const packed = groups === 1 && dtype === "float32" && params.precision !== "highest" &&
    lhs instanceof Float32Array && og * cols * rows >= WASM_MIN_WORK
  // panels of eight positions of an image, or of eight images at one position where the images
  // are contiguous (the kernel gradient's convolution of a channels-last input, whose "images"
  // are the input's features); the product's columns run position-major in the second case
  const byPosition = packed
    ? patchPanels(lhs as Float32Array, byTapOf(), outProd, kProd, g.i, g.outBatch, lb, lf)
    : undefined
  const byImage = packed && byPosition === undefined
    ? imagePanels(lhs as Float32Array, byTapOf(), outProd, kProd, g.i, g.outBatch, lb, lf)
    : undefined
  const panelRhs = byPosition ?? byImage
  if (panelRhs !== undefined) {
    const product = DType.allocHostUnfilled(dtype, og * rows) as Float32Array
    if (gemmF32Panels(weightsOf() as Float32Array, 0, cols, 1, panelRhs, product, 0, og, cols, rows, pool)) {
      if (byPosition !== undefined) scatterOut(product, out, og, rows, outProd, g.outBatch, ob, of, oOff)
      else {
        for (let oo = 0; oo < og; oo++) {
          for (let so = 0; so < outProd; so++) {
            const src = oo * rows + so * g.outBatch
            const dst = oOff[so]! + oo * of
            for (let nb = 0; nb < g.outBatch; nb++) out[dst + nb * ob] = product[src + nb]!
          }
        }
      }
      DType.recycleHost(weights!)
      DType.recycleHost(product)
      return out
    }
  }
  // the product as patches times kernel, each patch row gathered from the input in runs: of
  // features per tap where the features are contiguous (channels last), or of taps along the
  // last spatial dimension where that is contiguous (the kernel gradient's convolution, whose
  // window is the output's size)
  const runs = !packed
    ? undefined
    : lf === 1
    ? featureRuns(
      lhs as Float32Array,
      g.i,
      positionMajor(byTapOf(), outProd, kProd),
      rows,
      outProd,
      kProd,
      g.outBatch,
      lb,
      la.shape,
      dn.lhsSpec[1]!
    )
    : tapRuns(lhs as Float32Array, g, params, lhsSpatialStrides, lb, lf, la.shape, dn.lhsSpec) ??
      transposedRuns(
        lhs as Float32Array,
        g,
        params,
        lhsSpatialStrides,
        lb,
        lf,
        rows,
        outProd,
        kProd
      )
  if (runs !== undefined) {
    // the kernel as [k, out features], k in the runs' order (rows of added features zero)
    const k = runs.segs * runs.segLen
    const kernel =
      (k === cols ? DType.allocHostUnfilled(dtype, k * og) : DType.allocHost(dtype, k * og)) as Float32Array
    // (weights[oo][ii * kProd + sk], transposed; one group), read from rhs
    for (let ii = 0; ii < g.i; ii++) {
      for (let sk = 0; sk < kProd; sk++) {
        const dst = (runs.tapMajor ? sk * runs.segLen + ii : ii * kProd + sk) * og
        const src = ii * ri + kOff[sk]!
        for (let oo = 0; oo < og; oo++) kernel[dst + oo] = rhs[src + oo * ro]!
      }
    }
    // an output whose positions are rows of out features (NHWC) is the product itself
    let direct = of === 1 && ob === outProd * og
    for (let so = 0; so < outProd && direct; so++) direct = oOff[so] === so * og
    const product = direct ? out as Float32Array : DType.allocHostUnfilled(dtype, rows * og) as Float32Array
    const done = gemmF32Rows(runs.x, runs.rowOff, runs.segs, runs.segLen, kernel, product, rows, og, pool)
    if (done && !direct) {
      for (let nb = 0; nb < g.outBatch; nb++) {
        for (let so = 0; so < outProd; so++) {
          const src = (nb * outProd + so) * og
          const dst = nb * ob + oOff[so]!
          for (let oo = 0; oo < og; oo++) out[dst + oo * of] = product[src + oo]!
        }
      }
    }
    DType.recycleHost(kernel)
    if (!direct) DType.recycleHost(product)
    if (runs.x !== lhs) DType.recycleHost(runs.x)
    if (done) {
      if (weights !== undefined) DType.recycleHost(weights)
      return out
    }
  }
  // patches[grp][ii * kProd + sk][nb * outProd + so] (zeros where the tap is padding): the product's
  // rhs, k-major, so that both the gather and the product's result run along output positions
  const patches = DType.allocHost(dtype, groups * cols * rows)
  const byTap = byTapOf()
  for (let grp = 0; grp < groups; grp++) {
    for (let ii = 0; ii < g.i; ii++) {
      for (let sk = 0; sk < kProd; sk++) {
        const row = (grp * cols + ii * kProd + sk) * rows
        const taps = sk * outProd
        for (let nb = 0; nb < g.outBatch; nb++) {
          const base = (bgc > 1 ? grp * g.outBatch + nb : nb) * lb + (fgc > 1 ? grp * g.i + ii : ii) * lf
          const dst = row + nb * outProd
          for (let so = 0; so < outProd; so++) {
            const off = byTap[taps + so]!
            if (off >= 0) patches[dst + so] = lhs[base + off]!
          }
        }
      }
    }
  }
  // [groups, og, cols] x [groups, cols, rows] -> [groups, og, rows]: each output sums its k terms in
  // the same order as the transposed product would
  const w = weightsOf()
  const product = dotGeneral(
    w,
    [groups, og, cols],
    patches,
    [groups, cols, rows],
    dtype,
    [[2], [1]],
    [[0], [0]],
    dtype,
    params.precision,
    pool
  )
  scatterOut(product, out, groups * og, rows, outProd, g.outBatch, ob, of, oOff)
  // the patch matrix (often several times the input), the weights and the product are ours alone:
  // the next convolution reuses their storage instead of touching fresh pages
  DType.recycleHost(patches)
  DType.recycleHost(w)
  if (product !== patches && product !== w) DType.recycleHost(product)
  return out
}
