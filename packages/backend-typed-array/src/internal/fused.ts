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
 * float32 nodes are rounded after every operation (the code generator's
 * `"strict"` mode, IEEE float32 arithmetic) and float32 transcendentals are
 * decomposed (this backend's `transcendentals`), as in eager kernels: a fused
 * group computes the same bits as its primitives one at a time, whichever of
 * the two code generators runs it.
 *
 * Groups of one lane width (simd.ts says which) also compile to WebAssembly
 * SIMD, which runs them from `simdMin` elements on (8 for heavy kernels, 256
 * for a few operations); smaller domains run the JS
 * loop, whose call costs less. Both give the same bits.
 */
import { DType, Kernel } from "@diffect/core"
import type { FusedInput, FusedKernelSpec } from "@diffect/core"
import { codegenHelpers, decomposeNarrow, emitExprs, HELPERS_PRELUDE, literal, transcendentals } from "./codegen.js"
import { jsStages } from "./jsStages.js"
import { reduce } from "./reduce.js"
import { compileSimd, type SimdInput, type SimdLoop, simdMin } from "./simd.js"
import type { Pool } from "./threads.js"

/** A compiled group: input arrays in, output arrays (newly allocated) out. */
export type FusedLoop = (
  ins: ReadonlyArray<DType.HostArray>,
  outs?: ReadonlyArray<DType.HostArray | undefined>
) => Array<DType.HostArray>

/** A mask in merged dimensions: the box of positions that read the buffer. */
interface Box {
  readonly start: Array<number>
  readonly count: Array<number>
}

/**
 * Merges neighbouring dimensions whose strides chain for every input. A
 * dimension where some input's mask is partial is never merged (its bounds
 * are checked at its own loop level); each mask comes back in merged
 * dimensions (or undefined when every position reads the buffer).
 */
export const mergeDims = (
  shape: ReadonlyArray<number>,
  inputs: ReadonlyArray<Pick<FusedInput, "strides" | "mask">>
): { shape: Array<number>; strides: Array<Array<number>>; masks: Array<Box | undefined> } => {
  const partial = shape.map((n, d) =>
    inputs.some((x) => x.mask !== undefined && !(x.mask.start[d] === 0 && x.mask.count[d] === n))
  )
  const dims: Array<number> = []
  const cut: Array<boolean> = []
  const st: Array<Array<number>> = inputs.map(() => [])
  const boxes: Array<Box> = inputs.map(() => ({ start: [], count: [] }))
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!
    if (n === 1) continue
    const last = dims.length - 1
    if (
      last >= 0 && !partial[d] && !cut[last] && inputs.every((x, k) => st[k]![last] === x.strides[d]! * n)
    ) {
      dims[last] = dims[last]! * n
      inputs.forEach((x, k) => {
        st[k]![last] = x.strides[d]!
        boxes[k]!.count[last] = dims[last]!
      })
      continue
    }
    dims.push(n)
    cut.push(partial[d]!)
    inputs.forEach((x, k) => {
      st[k]!.push(x.strides[d]!)
      boxes[k]!.start.push(x.mask === undefined ? 0 : x.mask.start[d]!)
      boxes[k]!.count.push(x.mask === undefined ? n : x.mask.count[d]!)
    })
  }
  const masks = boxes.map((b, k) =>
    inputs[k]!.mask !== undefined && b.start.some((v, d) => v !== 0 || b.count[d] !== dims[d]) ? b : undefined
  )
  return { shape: dims, strides: st, masks }
}

/** Generates the source of a group's function (its outputs already decomposed). */
export const fusedSource = (spec: FusedKernelSpec): string => {
  const lanesIn = spec.inputs.map((x) => DType.lanes(x.dtype))
  const { masks, shape, strides } = mergeDims(spec.shape, spec.inputs)
  const rank = shape.length
  // how each input is indexed: a scalar (hoisted), the flat element index, or a running offset
  // (a masked input too, read only inside its box)
  const kind = strides.map((s, k) => {
    if (masks[k] !== undefined) return "strided"
    if (s.every((v) => v === 0)) return "scalar"
    const contiguous = s.every((v, d) => v === shape.slice(d + 1).reduce((a, b) => a * b, 1))
    return contiguous ? "flat" : "strided"
  })
  const offsets = spec.inputs.map((x) => x.offset ?? 0)
  const hoisted = new Set<string>()
  // the innermost mask flag of each masked input (set by the loop nest)
  const flagOf = new Map<number, string>()
  const read = (index: number, lane: 0 | 1): string => {
    const two = lanesIn[index] === 2
    const at = (pos: string) => two ? (lane === 0 ? `2 * ${pos}` : `2 * ${pos} + 1`) : pos
    const off = offsets[index]!
    switch (kind[index]) {
      case "scalar": {
        const name = `s${index}_${lane}`
        hoisted.add(`const ${name} = in${index}[${(two ? 2 : 1) * off + lane}];`)
        return name
      }
      case "flat":
        return `in${index}[${at(off === 0 ? "i" : `(i + ${off})`)}]`
      default: {
        const value = `in${index}[${at(`p${index}`)}]`
        const fill = spec.inputs[index]!.mask?.fill
        if (masks[index] === undefined || fill === undefined) return value
        const other = typeof fill === "number"
          ? literal(fill, Kernel.scalarType(spec.inputs[index]!.dtype)!)
          : read(fill.input, 0)
        return `(${flagOf.get(index)} ? ${value} : ${other})`
      }
    }
  }
  // the flags: dimension d of masked input k checks its bounds when its box is partial there
  const flagLines = (k: number, d: number): Array<string> => {
    const box = masks[k]
    if (box === undefined) return []
    const lo = box.start[d]!
    const hi = lo + box.count[d]!
    const parent = flagOf.get(k)
    if (lo === 0 && hi === shape[d]) return []
    const name = `m${k}_${d}`
    flagOf.set(k, name)
    return [`const ${name} = ${parent === undefined ? "" : `${parent} && `}i${d} >= ${lo} && i${d} < ${hi};`]
  }
  const flagsAt = shape.map((_, d) => spec.inputs.flatMap((_, k) => flagLines(k, d)))
  const outExprs = spec.outputs.flatMap((o) => o.lanes)
  const { inputs, lines, results } = emitExprs(outExprs, read, {
    rounding: "strict",
    rounded: spec.rounded,
    ...(spec.wide === undefined ? {} : { wide: spec.wide })
  })
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
    const set = stridedInputs.map((k) => {
      const parent = d === 0 ? (offsets[k] === 0 ? "" : `${offsets[k]} + `) : `q${k}_${d - 1} + `
      return d === rank - 1
        ? `const p${k} = ${parent}i${d} * ${strides[k]![d]!};`
        : `const q${k}_${d} = ${parent}i${d} * ${strides[k]![d]!};`
    })
    loop = `for (let i${d} = 0; i${d} < ${shape[d]!}; i${d}++) {\n${[...set, ...flagsAt[d]!, loop].join("\n")}\n}`
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
${[...hoisted].join("\n")}
let i = 0;
${size(spec.shape) === 0 ? "" : loop}
return [${spec.outputs.map((_, k) => `out${k}`).join(", ")}];
};`
}

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** The spec with its float32 transcendentals decomposed as this backend computes them. */
const decomposeSpec = (spec: FusedKernelSpec): FusedKernelSpec => {
  const all = spec.outputs.flatMap((o) => o.lanes)
  const { exprs, rounded, wide } = decomposeNarrow(all, transcendentals, spec.wide, spec.rounded)
  let at = 0
  const outputs = spec.outputs.map((o) => ({ ...o, lanes: o.lanes.map(() => exprs[at++]!) }))
  return wide === undefined ? { ...spec, outputs, rounded } : { ...spec, outputs, rounded, wide }
}

const floatOf = (dtype: DType.DType): "f32" | "f64" | undefined =>
  dtype === "float32" ? "f32" : dtype === "float64" ? "f64" : undefined

/** The SIMD lanes of a dtype: float32's four (int32 and uint32 share them) or float64's two. */
const lanesOf = (dtype: DType.DType): "f32" | "f64" | undefined =>
  dtype === "int32" || dtype === "uint32" ? "f32" : floatOf(dtype)

/**
 * The group's SIMD kernel, when every output and input is of one lane width (float32, int32 and
 * uint32; or float64), or bool for inputs, and every op has a SIMD form.
 */
const simdOf = (spec: FusedKernelSpec): SimdLoop | undefined => {
  const float = lanesOf(spec.outputs[0]?.dtype ?? "bool")
  if (float === undefined || (spec.wide !== undefined && spec.wide.size > 0)) return undefined
  // bool inputs (masks computed elsewhere, such as a gather's in-bounds test) are read as lane masks
  if (!spec.outputs.every((x) => lanesOf(x.dtype) === float)) return undefined
  if (!spec.inputs.every((x) => lanesOf(x.dtype) === float || x.dtype === "bool")) return undefined
  const { masks, shape, strides } = mergeDims(spec.shape, spec.inputs)
  const inputs = strides.map((s, k): SimdInput => {
    const offset = spec.inputs[k]!.offset ?? 0
    const box = masks[k]
    const fill = spec.inputs[k]!.mask?.fill
    if (box !== undefined && fill !== undefined) return { kind: "strided", strides: s, offset, mask: { ...box, fill } }
    if (s.every((v) => v === 0)) return { kind: "scalar", offset }
    const contiguous = s.every((v, d) => v === shape.slice(d + 1).reduce((a, b) => a * b, 1))
    return contiguous ? { kind: "flat", offset } : { kind: "strided", strides: s, offset }
  })
  const outs: Array<Kernel.Expr> = spec.outputs.map((o) => o.lanes[0]!)
  const reduced = spec.outputs.filter((o) => o.reduce !== undefined)
  if (reduced.length === 0) return compileSimd(float, shape, inputs, outs)
  // one set of axes for every reduction root (else the JS loop and reduce.ts run them)
  const axes = reduced[0]!.reduce!.axes
  if (!reduced.every((o) => o.reduce!.axes.join() === axes.join())) return undefined
  const k = size(axes.map((a) => spec.shape[a]!))
  const kinds = spec.outputs.map((o) => o.reduce?.kind)
  const leading = axes.length > 0 && axes.every((a, i) => a === i) && axes.length < spec.shape.length
  return compileSimd(
    float,
    shape,
    inputs,
    outs,
    leading ? { kinds, k, columns: size(spec.shape) / k } : { kinds, k }
  )
}

/** Whether some input's rows are not contiguous (its last merged stride is neither 0 nor 1). */
const gathersElementwise = (spec: FusedKernelSpec): boolean => {
  const { shape, strides } = mergeDims(spec.shape, spec.inputs)
  const last = shape.length - 1
  return last >= 0 && strides.some((s) => s[last] !== 0 && s[last] !== 1 && s.some((v) => v !== 0))
}

/** The size of each output: the domain's, or its reduction's rows. */
const outputSizes = (spec: FusedKernelSpec): Array<number> =>
  spec.outputs.map((o) =>
    o.reduce === undefined
      ? size(spec.shape)
      : size(spec.shape.filter((_, d) => !o.reduce!.axes.includes(d)))
  )

/**
 * The JS loop of a group with reduction roots: the loop stores their operands
 * whole, then reduce.ts reduces them, exactly as the unfused program would.
 */
const withReductions = (spec: FusedKernelSpec, js: FusedLoop): FusedLoop => {
  if (spec.outputs.every((o) => o.reduce === undefined)) return js
  return (ins, outs) => {
    const given = spec.outputs.map((o, k) => (o.reduce === undefined ? outs?.[k] : undefined))
    const full = js(ins, given)
    return spec.outputs.map((o, k) =>
      o.reduce === undefined
        ? full[k]!
        : reduce(o.reduce.kind, full[k]!, spec.shape, o.dtype, o.reduce.axes, o.dtype)
    )
  }
}

/** One generated function of a group (or of one of its stages). */
const jsFunction = (spec: FusedKernelSpec): { readonly loop: FusedLoop; readonly source: string } => {
  const source = fusedSource(spec)
  // oxlint-disable-next-line no-new-func -- generating the loop is the point: one specialised function per group
  return { loop: new Function("H", "A", source)(codegenHelpers, DType.allocHost) as FusedLoop, source }
}

/**
 * The most computing nodes in one generated function. V8 optimizes functions of at most 60 KB
 * of bytecode (jsStages.ts); a chain of float32 `erfInv` crossed that between 4,505 and 4,770
 * nodes (71 and 75 KB of source), so this keeps each function at about a quarter of it. Smaller
 * stages did not make the first call faster (its time is the optimizing compiler's, about the
 * same in total) and 200 made later calls slower (7.8 against 4.8 ms: the temporaries' traffic).
 */
let jsStageNodes = 1200

/** Sets the most nodes per generated function (for tests of small stages); returns the old one. */
export const setJsStageNodes = (nodes: number): number => {
  const old = jsStageNodes
  jsStageNodes = nodes
  return old
}

/**
 * The JS loop of a decomposed group: one function, or several stages (jsStages.ts) whose
 * temporaries come from the host pool and go back to it after the call.
 */
const jsLoop = (decomposed: FusedKernelSpec): { readonly loop: FusedLoop; readonly source: string } => {
  const stages = jsStages(decomposed, jsStageNodes)
  if (stages.length === 1) return jsFunction(decomposed)
  const compiled = stages.map((stage) => jsFunction(stage.spec))
  const n = size(decomposed.shape)
  const own = decomposed.inputs.length
  const last = stages.length - 1
  const loop: FusedLoop = (ins, outs) => {
    const temps: Array<DType.HostArray | undefined> = []
    // a stage reads the group's inputs, then the temporaries it reads
    const insOf = (s: number) => [...ins.slice(0, own), ...stages[s]!.reads.map((t) => temps[t]!)]
    try {
      for (let s = 0; s < last; s++) {
        const made = stages[s]!.writes.map(() => DType.allocHostUnfilled("float64", n))
        stages[s]!.writes.forEach((t, j) => (temps[t] = made[j]!))
        compiled[s]!.loop(insOf(s), made)
      }
      return compiled[last]!.loop(insOf(last), outs)
    } finally {
      for (const t of temps) if (t !== undefined) DType.recycleHost(t)
    }
  }
  const source = compiled.map((c, s) => `// stage ${s + 1} of ${stages.length}\n${c.source}`).join("\n")
  return { loop, source }
}

/** The JS loop of a group, whatever its size (for tests: what the SIMD kernel must equal). */
export const compileFusedJs = (spec: FusedKernelSpec): FusedLoop => compileFusedJsSource(spec).loop

/** The JS loop of a group and its source, whatever its size (for tests of the JS code generator). */
export const compileFusedJsSource = (spec: FusedKernelSpec): { readonly loop: FusedLoop; readonly source: string } => {
  const { loop, source } = jsLoop(decomposeSpec(spec))
  return { loop: withReductions(spec, loop), source }
}

/**
 * Compiles a fusion group into a function (not cached: the caller keeps it);
 * its SIMD kernel splits large domains across `pool`'s threads (simd.ts).
 */
export const compileFusedLoop = (
  spec: FusedKernelSpec,
  pool?: Pool
): { readonly loop: FusedLoop; readonly source: string } => {
  const decomposed = decomposeSpec(spec)
  const n = size(spec.shape)
  const min = simdMin(decomposed.outputs.flatMap((o) => o.lanes))
  // a light kernel whose chunks would be gathered element by element (a transposed read) runs
  // faster as the JS loop reading in place (measured: 18 vs 26 us for B4's transposed pad-add)
  const light = min > 8 && gathersElementwise(spec)
  const simd = n >= min && !light ? simdOf(decomposed) : undefined
  if (simd === undefined) {
    const { loop: js, source } = jsLoop(decomposed)
    return { loop: withReductions(spec, js), source }
  }
  const sizes = outputSizes(spec)
  const loop: FusedLoop = (ins, outs) => {
    // the SIMD loop writes every element of every output (chunks cover the domain; a reduction's
    // rows are stored whole), so fresh outputs need not be cleared
    const arrays = spec.outputs.map((o, k) => outs?.[k] ?? DType.allocHostUnfilled(o.dtype, sizes[k]!))
    simd(ins, arrays, n, pool)
    return arrays
  }
  // the JS source only when asked for (a chain of thousands of nodes: hundreds of ms to generate)
  return {
    loop,
    get source() {
      return `// WebAssembly SIMD (${lanesOf(spec.outputs[0]!.dtype)}); the equivalent JS:\n${fusedSource(decomposed)}`
    }
  }
}
