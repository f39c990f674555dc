/**
 * Compiles a fusion group (core's `FusedKernelSpec`: elementwise expressions
 * over inputs read through strides) into one JS function with `new Function`.
 *
 * The domain's dimensions are first merged where every input allows it (the
 * strides of two neighbouring dimensions chain), so the common cases, inputs
 * that are contiguous or scalars, become one flat loop. Otherwise the loop
 * nest has one level per remaining dimension and each strided input keeps a
 * running offset, so no division or modulo runs per element.
 *
 * f32 values computed by one primitive and read by another are rounded with
 * `Math.fround` (the marks in `rounded`), exactly where the unfused program
 * would have stored them into a Float32Array: a fused group computes the same
 * bits as its primitives one at a time.
 */
import { DType } from "@diffect/core"
import type { FusedKernelSpec } from "@diffect/core"
import { codegenHelpers, emitExprs, HELPERS_PRELUDE } from "./codegen.js"

/** A compiled group: input arrays in, output arrays (newly allocated) out. */
export type FusedLoop = (
  ins: ReadonlyArray<DType.HostArray>,
  outs?: ReadonlyArray<DType.HostArray | undefined>
) => Array<DType.HostArray>

/** Merges neighbouring dimensions whose strides chain for every input. */
const mergeDims = (
  shape: ReadonlyArray<number>,
  strides: ReadonlyArray<ReadonlyArray<number>>
): { shape: Array<number>; strides: Array<Array<number>> } => {
  const dims: Array<number> = []
  const st: Array<Array<number>> = strides.map(() => [])
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!
    if (n === 1) continue
    const last = dims.length - 1
    if (last >= 0 && strides.every((s, k) => st[k]![last] === s[d]! * n)) {
      dims[last] = dims[last]! * n
      strides.forEach((s, k) => (st[k]![last] = s[d]!))
      continue
    }
    dims.push(n)
    strides.forEach((s, k) => st[k]!.push(s[d]!))
  }
  return { shape: dims, strides: st }
}

/** Generates the source of a group's function. */
export const fusedSource = (spec: FusedKernelSpec): string => {
  const rounded = spec.rounded
  const lanesIn = spec.inputs.map((x) => DType.lanes(x.dtype))
  const { shape, strides } = mergeDims(spec.shape, spec.inputs.map((x) => x.strides))
  const rank = shape.length
  // how each input is indexed: a scalar (hoisted), the flat element index, or a running offset
  const kind = strides.map((s) => {
    if (s.every((v) => v === 0)) return "scalar"
    const contiguous = s.every((v, d) => v === shape.slice(d + 1).reduce((a, b) => a * b, 1))
    return contiguous ? "flat" : "strided"
  })
  const hoisted: Array<string> = []
  const read = (index: number, lane: 0 | 1): string => {
    const two = lanesIn[index] === 2
    const at = (pos: string) => two ? (lane === 0 ? `2 * ${pos}` : `2 * ${pos} + 1`) : pos
    switch (kind[index]) {
      case "scalar": {
        const name = `s${index}_${lane}`
        hoisted.push(`const ${name} = in${index}[${lane}];`)
        return name
      }
      case "flat":
        return `in${index}[${at("i")}]`
      default:
        return `in${index}[${at(`p${index}`)}]`
    }
  }
  const outExprs = spec.outputs.flatMap((o) => o.lanes)
  const { inputs, lines, results } = emitExprs(outExprs, read, { rounded })
  let r = 0
  for (let o = 0; o < spec.outputs.length; o++) {
    const lanes = spec.outputs[o]!.lanes.length
    if (lanes === 1) lines.push(`out${o}[i] = ${results[r++]!};`)
    else if (lanes === 2) lines.push(`out${o}[2 * i] = ${results[r++]!};`, `out${o}[2 * i + 1] = ${results[r++]!};`)
  }
  const body = [...inputs, ...lines, "i++;"].join("\n")
  const stridedInputs = strides.map((_, k) => k).filter((k) => kind[k] === "strided")
  // the loop nest: dimension d sets p{k} from its parent's p{k}_{d-1}
  let loop = body
  for (let d = rank - 1; d >= 0; d--) {
    const set = stridedInputs.map((k) =>
      d === rank - 1
        ? `const p${k} = ${d === 0 ? "" : `q${k}_${d - 1} + `}i${d} * ${strides[k]![d]!};`
        : `const q${k}_${d} = ${d === 0 ? "" : `q${k}_${d - 1} + `}i${d} * ${strides[k]![d]!};`
    )
    loop = `for (let i${d} = 0; i${d} < ${shape[d]!}; i${d}++) {\n${[...set, loop].join("\n")}\n}`
  }
  if (rank === 0) loop = body
  // outputs given by the caller (an arena) are overwritten; the others are allocated
  const allocs = spec.outputs.map((o, k) =>
    `const out${k} = (outs !== undefined && outs[${k}]) || alloc(${JSON.stringify(o.dtype)}, ${size(spec.shape)});`
  )
  return `"use strict";
${HELPERS_PRELUDE}
const alloc = A;
return function fused(ins, outs) {
${spec.inputs.map((_, k) => `const in${k} = ins[${k}];`).join("\n")}
${allocs.join("\n")}
${hoisted.join("\n")}
let i = 0;
${size(spec.shape) === 0 ? "" : loop}
return [${spec.outputs.map((_, k) => `out${k}`).join(", ")}];
};`
}

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** Compiles a fusion group into a JS function (not cached: the caller keeps it). */
export const compileFusedLoop = (spec: FusedKernelSpec): { readonly loop: FusedLoop; readonly source: string } => {
  const source = fusedSource(spec)
  // oxlint-disable-next-line no-new-func -- generating the loop is the point: one specialised function per group
  const loop = new Function("H", "A", source)(codegenHelpers, DType.allocHost) as FusedLoop
  return { loop, source }
}
