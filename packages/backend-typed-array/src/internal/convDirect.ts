/**
 * `conv_general_dilated` computed directly (wasmConv.ts): per image and group,
 * the input's rows copied once into phase rows, one weight per (output
 * feature, tap) and one read address per (row segment, tap); no table of
 * (output position, tap) offsets. For the convolutions whose im2col setup
 * outweighs their product: few output features, long filters.
 */
import type { Convolution, Params } from "@diffect/core"
import { Shape } from "@diffect/core"
import type { Pool } from "./threads.js"
import { type CorrAddresses, type CorrLayout, runCorr } from "./wasmConv.js"
import { relaxedSimdInUse } from "./wasmGemm.js"

type Real = Float32Array | Float64Array

/** Outputs per row segment at most (a unit of work: a segment's outputs stay in registers, eight vectors at a time). */
const SEGMENT = 512

/** The layout of a direct convolution, `undefined` where it does not apply. */
export interface DirectPlan {
  readonly layout: CorrLayout
  /** Elements per phase row (the last spatial dimension's outputs in segments, plus the longest shift). */
  readonly rowLength: number
  readonly segLength: number
  readonly segsPerRow: number
  readonly rowsIn: number
  readonly rowsOut: number
  readonly kOuter: number
}

/**
 * Rows at least this long are copied with `set` over `subarray`s; shorter ones element by element
 * (a `subarray` is an allocation: 4,096 of them per call cost a 16 x 3 x 3 x 3 convolution of
 * eight 32 x 32 images as much as its arithmetic).
 */
const LONG_ROW = 256

/** Bytes of operand copies per run (images are batched up to this). */
const IMAGE_BUDGET = 8 * 1024 * 1024

const ceilTo = (n: number, m: number): number => Math.ceil(n / m) * m

/**
 * The plan of `conv_general_dilated` on `g` as a direct correlation: float32 lanes for float32
 * outputs below `"highest"` precision, float64 lanes otherwise.
 */
export const directPlan = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  float32: boolean
): DirectPlan | undefined => {
  const ns = g.inSpatial.length
  if (ns === 0) return undefined
  const last = ns - 1
  const float = float32 && params.precision !== "highest" ? "f32" : "f64"
  const eb = float === "f32" ? 4 : 8
  const s = params.windowStrides[last]!
  const rd = params.rhsDilation[last]!
  const outLast = g.outSpatial[last]!
  const kl = g.kernelSpatial[last]!
  const segLength = Math.min(ceilTo(outLast, 32), SEGMENT)
  const segsPerRow = Math.ceil(outLast / segLength)
  const maxShift = Math.floor(((kl - 1) * rd) / s)
  const rowLength = ceilTo(segsPerRow * segLength + maxShift, 4)
  const rowsIn = Shape.sizeOf(g.inSpatial.slice(0, last))
  const rowsOut = Shape.sizeOf(g.outSpatial.slice(0, last))
  const kOuter = Shape.sizeOf(g.kernelSpatial.slice(0, last))
  const phaseRows = g.i * rowsIn * s
  const groups = params.featureGroupCount * params.batchGroupCount
  return {
    layout: {
      float,
      images: 1,
      imageBytes: ceilTo((phaseRows + 1) * rowLength * eb, 16),
      taps: g.i * kOuter * kl,
      features: g.o / groups,
      segs: rowsOut * segsPerRow,
      segBytes: segLength * eb
    },
    rowLength,
    segLength,
    segsPerRow,
    rowsIn,
    rowsOut,
    kOuter
  }
}

/**
 * Along spatial dimension `d`: the input coordinate that (output coordinate o, tap k) reads, at
 * `o * kSize + k`, or -1 (padding, or a hole of the lhs dilation).
 */
export const tapCoordinates = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  d: number
): Int32Array => {
  const outSize = g.outSpatial[d]!
  const kSize = g.kernelSpatial[d]!
  const table = new Int32Array(outSize * kSize)
  const dil = params.lhsDilation[d]!
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < kSize; k++) {
      const q = o * params.windowStrides[d]! + k * params.rhsDilation[d]! - params.padding[d]![0]
      const x = q / dil
      table[o * kSize + k] = q < 0 || q % dil !== 0 || x >= g.inSpatial[d]! ? -1 : x
    }
  }
  return table
}

/**
 * The byte address each (row segment, tap) reads for the segment's first output, taps in the
 * GEMM's k order (input feature, outer taps, last tap): a phase row, or the zero row after them.
 */
const readAddresses = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  plan: DirectPlan
): Int32Array => {
  const { kOuter, rowLength, rowsIn, segLength, segsPerRow } = plan
  const { taps } = plan.layout
  const eb = plan.layout.float === "f32" ? 4 : 8
  const last = g.inSpatial.length - 1
  const s = params.windowStrides[last]!
  const rd = params.rhsDilation[last]!
  const kl = g.kernelSpatial[last]!
  const zeroRow = g.i * rowsIn * s * rowLength
  const perDim = g.outSpatial.slice(0, last).map((_, d) => tapCoordinates(g, params, d))
  const inRowStrides = Shape.stridesOf(g.inSpatial.slice(0, last))
  // per (output row, outer tap): the input row read, or -1
  const inRow = new Int32Array(plan.rowsOut * kOuter)
  const oc = new Array<number>(last).fill(0)
  for (let ro = 0; ro < plan.rowsOut; ro++) {
    for (let ko = 0; ko < kOuter; ko++) {
      let r = ko
      let row = 0
      for (let d = last - 1; d >= 0 && row >= 0; d--) {
        const kc = r % g.kernelSpatial[d]!
        r = Math.floor(r / g.kernelSpatial[d]!)
        const x = perDim[d]![oc[d]! * g.kernelSpatial[d]! + kc]!
        row = x < 0 ? -1 : row + x * inRowStrides[d]!
      }
      inRow[ro * kOuter + ko] = row
    }
    for (let d = last - 1; d >= 0; d--) {
      if (++oc[d]! < g.outSpatial[d]!) break
      oc[d] = 0
    }
  }
  // per last tap: its phase row and shift, in elements (the zero row has one phase)
  const tapAt = new Int32Array(kl)
  const zeroAt = new Int32Array(kl)
  for (let t = 0; t < kl; t++) {
    const shift = Math.floor((t * rd) / s)
    tapAt[t] = ((t * rd) % s) * rowLength + shift
    zeroAt[t] = shift
  }
  const addresses = new Int32Array(plan.layout.segs * taps)
  for (let ro = 0, at = 0; ro < plan.rowsOut; ro++) {
    for (let sg = 0; sg < segsPerRow; sg++) {
      for (let ii = 0; ii < g.i; ii++) {
        for (let ko = 0; ko < kOuter; ko++) {
          const row = inRow[ro * kOuter + ko]!
          const first = (row < 0 ? zeroRow : (ii * rowsIn + row) * s * rowLength) + sg * segLength
          const within = row < 0 ? zeroAt : tapAt
          for (let t = 0; t < kl; t++, at++) addresses[at] = (first + within[t]!) * eb
        }
      }
    }
  }
  return addresses
}

/**
 * Writes one image's input features (from `src0`, `lf` apart) as phase rows at `view[at0]` (zeros
 * where padding or lhs dilation falls, and the zero row after them).
 */
const writePhaseRows = (
  view: Real,
  at0: number,
  lhs: Real,
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  plan: DirectPlan,
  src0: number,
  lf: number,
  spatialStrides: ReadonlyArray<number>
): void => {
  const { rowLength, rowsIn } = plan
  const last = g.inSpatial.length - 1
  const s = params.windowStrides[last]!
  const dil = params.lhsDilation[last]!
  const padLow = params.padding[last]![0]
  const inLast = g.inSpatial[last]!
  const step = spatialStrides[last]!
  view.fill(0, at0, at0 + (g.i * rowsIn * s + 1) * rowLength)
  const rowOffsets = rowStarts(g.inSpatial, spatialStrides)
  // the input coordinates that land in the phase rows: padded position j = padLow + c * dil in [0, s * rowLength)
  const cLo = Math.max(0, Math.ceil(-padLow / dil))
  const cHi = Math.min(inLast, Math.ceil((s * rowLength - padLow) / dil))
  for (let ii = 0; ii < g.i; ii++) {
    for (let r = 0; r < rowsIn; r++) {
      const src = src0 + ii * lf + rowOffsets[r]!
      const dst = at0 + (ii * rowsIn + r) * s * rowLength
      if (s === 1 && dil === 1 && step === 1 && cHi - cLo >= LONG_ROW) {
        view.set(lhs.subarray(src + cLo, src + cHi), dst + padLow + cLo)
        continue
      }
      for (let c = cLo; c < cHi; c++) {
        const j = padLow + c * dil
        const phase = j % s
        view[dst + phase * rowLength + (j - phase) / s] = lhs[src + c * step]!
      }
    }
  }
}

/**
 * The offset of each row (all spatial dimensions but the last, row-major) of a tensor with these
 * spatial sizes and strides: an odometer over the outer dimensions.
 */
export const rowStarts = (sizes: ReadonlyArray<number>, strides: ReadonlyArray<number>): Int32Array => {
  const last = sizes.length - 1
  const rows = new Int32Array(Shape.sizeOf(sizes.slice(0, last)))
  const index = new Array<number>(last).fill(0)
  for (let r = 0, at = 0; r < rows.length; r++) {
    rows[r] = at
    for (let d = last - 1; d >= 0; d--) {
      at += strides[d]!
      if (++index[d]! < sizes[d]!) break
      at -= sizes[d]! * strides[d]!
      index[d] = 0
    }
  }
  return rows
}

/** Where `convDirect` reads its operands and writes its output (strides in elements). */
export interface DirectOperands {
  readonly lhs: Real
  readonly rhs: Real
  readonly out: Real
  readonly lb: number
  readonly lf: number
  readonly lhsSpatialStrides: ReadonlyArray<number>
  readonly ro: number
  readonly ri: number
  /** The kernel's spatial offsets, row-major over its spatial dimensions. */
  readonly kOff: Int32Array
  readonly ob: number
  readonly of: number
  readonly outSpatialStrides: ReadonlyArray<number>
}

/**
 * `conv_general_dilated` by `plan` into `operands.out`; `false` (nothing written) where the
 * kernel is unavailable or too large.
 */
export const convDirect = (
  g: Convolution.ConvGeometry,
  params: Params<"conv_general_dilated">,
  plan: DirectPlan,
  operands: DirectOperands,
  pool: Pool | undefined
): boolean => {
  const { kOff, lb, lf, lhs, ob, of, out, outSpatialStrides, rhs } = operands
  const { layout, kOuter, rowsOut, segLength, segsPerRow } = plan
  const { taps } = layout
  const og = layout.features
  const bgc = params.batchGroupCount
  const fgc = params.featureGroupCount
  const groups = bgc * fgc
  const last = g.inSpatial.length - 1
  const kl = g.kernelSpatial[last]!
  const outLast = g.outSpatial[last]!
  const lastStride = outSpatialStrides[last]!
  const rowStart = rowStarts(g.outSpatial, outSpatialStrides)
  const addresses = readAddresses(g, params, plan)
  const f32 = layout.float === "f32"
  const View = f32 ? Float32Array : Float64Array
  const fma = f32 && relaxedSimdInUse()
  const eb = f32 ? 4 : 8
  const imageElements = layout.imageBytes / eb
  // images per run: as many as fit a few MB of operand (one at least)
  const chunk = Math.max(1, Math.min(g.outBatch, Math.floor(IMAGE_BUDGET / layout.imageBytes)))
  for (let grp = 0; grp < groups; grp++) {
    const weights = new View(og * taps)
    for (let oo = 0; oo < og; oo++) {
      for (let ii = 0; ii < g.i; ii++) {
        const src = (grp * og + oo) * operands.ro + ii * operands.ri
        for (let sk = 0, at = oo * taps + ii * kOuter * kl; sk < kOuter * kl; sk++, at++) {
          weights[at] = rhs[src + kOff[sk]!]!
        }
      }
    }
    const fi0 = fgc > 1 ? grp * g.i : 0
    for (let nb0 = 0; nb0 < g.outBatch; nb0 += chunk) {
      const images = Math.min(chunk, g.outBatch - nb0)
      const fill = (buffer: ArrayBuffer, at: CorrAddresses): void => {
        const operand = new View(buffer, 0, images * imageElements)
        for (let m = 0; m < images; m++) {
          const bi = bgc > 1 ? grp * g.outBatch + nb0 + m : nb0 + m
          writePhaseRows(
            operand,
            m * imageElements,
            lhs,
            g,
            params,
            plan,
            bi * lb + fi0 * lf,
            lf,
            operands.lhsSpatialStrides
          )
        }
        new View(buffer, at.w, og * taps).set(weights)
        new Int32Array(buffer, at.off, addresses.length).set(addresses)
      }
      const read = (buffer: ArrayBuffer, at: CorrAddresses): void => {
        const res = new View(buffer, at.out, images * og * layout.segs * segLength)
        for (let m = 0; m < images; m++) {
          for (let oo = 0; oo < og; oo++) {
            const dst0 = (nb0 + m) * ob + (grp * og + oo) * of
            for (let ro = 0; ro < rowsOut; ro++) {
              const from = ((m * og + oo) * layout.segs + ro * segsPerRow) * segLength
              const dst = dst0 + rowStart[ro]!
              if (lastStride === 1 && outLast >= LONG_ROW) out.set(res.subarray(from, from + outLast), dst)
              else for (let o = 0; o < outLast; o++) out[dst + o * lastStride] = res[from + o]!
            }
          }
        }
      }
      if (!runCorr({ ...layout, images }, fma, pool, fill, read)) return false
    }
  }
  return true
}
