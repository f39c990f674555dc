/**
 * Fusion groups (core's `FusedKernelSpec`) compiled to one WGSL compute shader
 * each. The domain's shape and the inputs' strides are constants of the
 * shader (a compiled program's shapes are fixed), so reading a broadcast or
 * strided input costs a few integer divisions by constants and no parameter
 * reads; the pipeline is cached by the shader's source (its signature).
 *
 * Elementwise groups: one invocation per element computes every output.
 * Reduction roots: when every root reduces the same trailing axes, the
 * domain is `[rows, len]` and a workgroup folds a chunk of a row (each thread
 * a strided part of it, storing the group's elementwise outputs as it goes),
 * then a tree in workgroup memory: one dispatch when a row fits one chunk,
 * else a second one reducing the chunks' partials (reduce.ts). Other roots
 * (leading axes, or roots over different axes) store their operand and run
 * the reduction kernel on it.
 *
 * Values are float32 with the same IR, decompositions and helpers as the
 * eager kernels (wgsl.ts), so a fused group computes what its primitives do one
 * at a time, up to the order of a reduction's sums.
 *
 * A device allows only so many storage bindings per shader
 * (`maxStorageBuffersPerShaderStage`, 8 by WebGPU's default): a group with more
 * packs its inputs (and, if needed, its outputs) into one word array with
 * buffer copies recorded in the same command buffer.
 */
import type { DType, FusedKernelSpec, Kernel } from "@diffect/core"
import { aval } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { storageType } from "../shader.js"
import { emitExprs, f32Literal, Helpers } from "../wgsl.js"
import type { Monoid } from "./reduce.js"
import { reduce, reduceView } from "./reduce.js"
import { compileStaged, decomposedOutputs, MAX_NODES, operations } from "./staged.js"

/** A compiled group: input storages in, one storage per output out (`given` ones written into). */
export interface CompiledGroup {
  readonly source: string
  readonly run: (inputs: ReadonlyArray<Storage>, given: ReadonlyArray<Storage | undefined>) => Array<Storage>
}

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** Merges neighbouring dimensions whose strides chain for every input. */
export const mergeDims = (
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

/**
 * The WGSL expression of an input's element offset at element `e` of the
 * (merged) domain: `offset + sum_d index_d * strides[d]` (negative strides
 * along reversed dimensions).
 */
export const offsetOf = (shape: ReadonlyArray<number>, strides: ReadonlyArray<number>, offset: number): string => {
  if (strides.every((s) => s === 0)) return `${offset}u`
  const contiguous = strides.every((v, d) => v === size(shape.slice(d + 1)))
  if (contiguous) return offset === 0 ? "e" : `(e + ${offset}u)`
  const signed = strides.some((s) => s < 0)
  const terms: Array<string> = []
  for (let d = 0; d < shape.length; d++) {
    const s = strides[d]!
    if (s === 0) continue
    const inner = size(shape.slice(d + 1))
    let q = inner === 1 ? "e" : `(e / ${inner}u)`
    if (d > 0) q = `(${q} % ${shape[d]!}u)`
    terms.push(signed ? `i32(${q}) * (${s}i)` : s === 1 ? q : `${q} * ${s}u`)
  }
  if (offset !== 0) terms.push(signed ? `${offset}i` : `${offset}u`)
  const sum = terms.join(" + ")
  return signed ? `u32(${sum})` : `(${sum})`
}

const identity = (kind: Monoid, helpers: Helpers): string =>
  kind === "sum" ? "0.0" : f32Literal(kind === "max" ? -Infinity : Infinity, helpers)

const combine = (kind: Monoid, a: string, b: string, helpers: Helpers): string => {
  if (kind === "sum") return `(${a} + ${b})`
  helpers.use(kind)
  return `${kind}_f32(${a}, ${b})`
}

/** The running sums of `counts`, starting at 0 (one more entry than counts: the total). */
const offsets = (counts: ReadonlyArray<number>): Array<number> => {
  const out = [0]
  for (const c of counts) out.push(out[out.length - 1]! + c)
  return out
}

// Elements each thread folds per chunk of a row (as reduce.ts).
const PER_THREAD = 8
// The longest column one thread folds (columns mode).
const SERIAL_COLUMN = 1024

/**
 * Compiles `spec` for `runtime`: one shader, or stages of shaders when the
 * group is too large for one (staged.ts). Pipelines are cached by source.
 */
export const compileFused = (runtime: Runtime, spec: FusedKernelSpec): CompiledGroup => {
  const outputs = decomposedOutputs(spec, runtime.transcendentals)
  const decomposed = { ...spec, outputs }
  if (operations(outputs) <= MAX_NODES) return compileOne(runtime, decomposed)
  return compileStaged(runtime, decomposed, outputs, (stage) => compileOne(runtime, stage))
}

/** One shader for the group. */
const compileOne = (runtime: Runtime, spec: FusedKernelSpec): CompiledGroup => {
  const n = size(spec.shape)
  const rank = spec.shape.length
  const outs = spec.outputs
  const outSizes = outs.map((o) =>
    o.reduce === undefined ? n : size(spec.shape.filter((_, d) => !o.reduce!.axes.includes(d)))
  )
  const outBytes = outs.map((o, j) => outSizes[j]! * wordsPerElement(o.dtype) * 4)
  const reduced = outs.map((o, j) => (o.reduce === undefined ? -1 : j)).filter((j) => j >= 0)
  // rows mode: every root reduces the same trailing axes; columns mode: the same leading axes
  const axes = reduced.length > 0 ? outs[reduced[0]!]!.reduce!.axes : []
  const trailing = axes.every((a, i) => a === rank - axes.length + i)
  const leading = axes.every((a, i) => a === i)
  const sameAxes = reduced.every((j) => outs[j]!.reduce!.axes.join() === axes.join())
  const len = size(axes.map((a) => spec.shape[a]!))
  const rows = n / Math.max(len, 1)
  // a power of two near len / PER_THREAD, at least 16 (short rows leave few threads idle)
  const rowThreads = Math.min(
    runtime.workgroupSize,
    Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(len / PER_THREAD)))))
  )
  const rowsMode = reduced.length > 0 && trailing && sameAxes &&
    reduced.length * rowThreads * 4 <= runtime.limits.maxComputeWorkgroupStorageSize
  // columns mode: a thread folds one column serially, so only short columns (the error of a
  // serial float32 sum grows with its length; longer ones take the reduction kernel's tree)
  const colsMode = reduced.length > 0 && !rowsMode && leading && sameAxes && len <= SERIAL_COLUMN
  const w = rowsMode ? rowThreads : runtime.workgroupSize
  // chunks per row (rows mode)
  const chunks = rowsMode ? Math.ceil(len / (w * PER_THREAD)) : 1
  const chunkLen = Math.ceil(len / chunks)

  // what each kernel output is: a final output, a row-partial, or a whole operand to reduce later
  type Target = { readonly j: number; readonly role: "out" | "partial" | "operand"; readonly words: number }
  const targets: Array<Target> = outs.map((o, j) => {
    const lanes = wordsPerElement(o.dtype)
    if (o.reduce === undefined) return { j, role: "out", words: n * lanes }
    if (colsMode) return { j, role: "out", words: rows }
    if (!rowsMode) return { j, role: "operand", words: n * lanes }
    return chunks === 1 ? { j, role: "out", words: rows } : { j, role: "partial", words: rows * chunks }
  })

  const { shape: mshape, strides: mstrides } = mergeDims(spec.shape, spec.inputs.map((x) => x.strides))
  const inWords = spec.inputs.map((x) =>
    wordsPerElement(x.dtype) *
    (1 + (x.offset ?? 0) + spec.shape.reduce((acc, d, i) => acc + (d - 1) * Math.max(0, x.strides[i]!), 0))
  )
  const limit = runtime.limits.maxStorageBuffersPerShaderStage
  const packedIn = spec.inputs.length + outs.length > limit
  const packedOut = packedIn && 1 + outs.length > limit
  const inBase = offsets(inWords)
  const inTotal = inBase[inWords.length]!
  const outBase = offsets(targets.map((t) => t.words))
  const outTotal = outBase[targets.length]!

  const indexOf = spec.inputs.map((x, k) => offsetOf(mshape, mstrides[k]!, x.offset ?? 0))

  // The shader; `alias` maps inputs to the output whose buffer they are (a donated input
  // written in place: read through the output's binding, at the element written).
  const variant = (alias: ReadonlyMap<number, number>) => {
    const helpers = new Helpers(runtime.transcendentals)
    const word = (k: number, index: string): string =>
      packedIn ? `pin[${inBase[k]!}u + ${index}]` : alias.has(k) ? `out${alias.get(k)!}[${index}]` : `in${k}[${index}]`
    const load = (input: Kernel.Input): string => {
      const k = input.index
      const dtype: DType.DType = spec.inputs[k]!.dtype
      const at = dtype === "complex64" ? `2u * ix${k} + ${input.lane}u` : `ix${k}`
      const raw = word(k, at)
      if (dtype === "bool") return `(${raw} != 0u)`
      if (!packedIn) return raw
      const t = storageType(dtype)
      return t === "u32" ? raw : `bitcast<${t}>(${raw})`
    }
    const store = (j: number, index: string, value: string): string => {
      if (!packedOut) return `out${j}[${index}] = ${value};`
      const t = storageType(outs[j]!.dtype)
      return `pout[${outBase[j]!}u + ${index}] = ${t === "u32" ? value : `bitcast<u32>(${value})`};`
    }
    const allLanes = outs.flatMap((o) => o.lanes)
    const { body, results } = emitExprs(allLanes, load, helpers, "    ")
    const firstLane = offsets(outs.map((o) => o.lanes.length))
    const indexLets = indexOf.map((ix, k) => `    let ix${k} = ${ix};`).join("\n")
    // element stores: elementwise outputs, and in store mode the reductions' operands
    const elementStores = outs.flatMap((o, j) => {
      if (targets[j]!.role !== "out" && targets[j]!.role !== "operand") return []
      if (o.reduce !== undefined && (rowsMode || colsMode)) return []
      const r = results.slice(firstLane[j]!, firstLane[j]! + o.lanes.length)
      if (o.dtype === "bool") return [`    ${store(j, "e", `select(0u, 1u, ${r[0]!})`)}`]
      if (r.length === 2) return [`    ${store(j, "2u * e", r[0]!)}`, `    ${store(j, "2u * e + 1u", r[1]!)}`]
      return [`    ${store(j, "e", r[0]!)}`]
    })

    const bound = spec.inputs.map((_, k) => k).filter((k) => !alias.has(k))
    const bindings = packedIn
      ? ["@group(0) @binding(0) var<storage, read> pin: array<u32>;"]
      : bound.map((k, b) =>
        `@group(0) @binding(${b}) var<storage, read> in${k}: array<${storageType(spec.inputs[k]!.dtype)}>;`
      )
    const nIn = bindings.length
    const outBindings = packedOut
      ? [`@group(0) @binding(${nIn}) var<storage, read_write> pout: array<u32>;`]
      : outs.map((o, j) =>
        `@group(0) @binding(${nIn + j}) var<storage, read_write> out${j}: array<${storageType(o.dtype)}>;`
      )
    const nOut = outBindings.length

    let main: string
    let decls = ""
    let groups: number
    if (colsMode) {
      // domain [len, cols]: thread c folds column c (its elements `cols` apart: neighbouring
      // threads read neighbouring words)
      const cols = rows
      const accs = reduced.map((j) => ({ j, kind: outs[j]!.reduce!.kind, value: results[firstLane[j]!]! }))
      main = `  let c = tid;
  if (c >= ${cols}u) { return; }
${accs.map((a) => `  var acc${a.j}: f32 = ${identity(a.kind, helpers)};`).join("\n")}
  for (var r = 0u; r < ${len}u; r = r + 1u) {
    let e = r * ${cols}u + c;
${indexLets}
${body}
${elementStores.join("\n")}
${accs.map((a) => `    acc${a.j} = ${combine(a.kind, `acc${a.j}`, a.value, helpers)};`).join("\n")}
  }
${accs.map((a) => `  ${store(a.j, "c", `acc${a.j}`)}`).join("\n")}`
      groups = Math.ceil(cols / w)
    } else if (!rowsMode) {
      main = `  let e = tid;
  if (e >= ${n}u) { return; }
  {
${indexLets}
${body}
${elementStores.join("\n")}
  }`
      groups = Math.ceil(n / w)
    } else {
      const accs = reduced.map((j) => {
        const kind = outs[j]!.reduce!.kind
        return {
          j,
          kind,
          value: results[firstLane[j]!]!,
          id: identity(kind, helpers)
        }
      })
      decls = accs.map((a) => `var<workgroup> sh${a.j}: array<f32, ${w}>;`).join("\n")
      const tree = accs.map((a) => `sh${a.j}[lid] = ${combine(a.kind, `sh${a.j}[lid]`, `sh${a.j}[lid + s]`, helpers)};`)
      main = `  let g = wid;
  let valid = g < ${rows * chunks}u;
${accs.map((a) => `  var acc${a.j}: f32 = ${a.id};`).join("\n")}
  if (valid) {
    let row = g / ${chunks}u;
    let start = (g % ${chunks}u) * ${chunkLen}u;
    let end = min(${len}u, start + ${chunkLen}u);
    for (var r = start + lid; r < end; r = r + ${w}u) {
    let e = row * ${len}u + r;
${indexLets}
${body}
${elementStores.join("\n")}
${accs.map((a) => `    acc${a.j} = ${combine(a.kind, `acc${a.j}`, a.value, helpers)};`).join("\n")}
    }
  }
${accs.map((a) => `  sh${a.j}[lid] = acc${a.j};`).join("\n")}
  workgroupBarrier();
  for (var s = ${w / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${tree.join(" ")} }
    workgroupBarrier();
  }
  if (valid && lid == 0u) {
${accs.map((a) => `    ${store(a.j, "g", `sh${a.j}[0]`)}`).join("\n")}
  }`
      groups = rows * chunks
    }
    const source = `${bindings.join("\n")}
${outBindings.join("\n")}
struct Params { w: array<vec4<u32>, 16> }
@group(0) @binding(${nIn + nOut}) var<uniform> params: Params;
fn p(k: u32) -> u32 { return params.w[k / 4u][k % 4u]; }
${helpers.source()}
${decls}
@compute @workgroup_size(${w})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wgid: vec3<u32>) {
  let wid = wgid.x + wgid.y * p(0u);
  let tid = gid.x + gid.y * p(1u);
${main}
}
`
    const kernel = n === 0 ? undefined : runtime.kernel(source, nIn, () => source, nOut)
    return { source, kernel, bound, groups }
  }
  const plain = variant(new Map())
  const variants = new Map<string, ReturnType<typeof variant>>()
  const params = [0, 0]
  // which inputs may be read through an output's binding: contiguous ones, into elementwise outputs
  const inPlace = (k: number, j: number): boolean =>
    !packedIn && indexOf[k] === "e" && targets[j]!.role === "out" && outs[j]!.reduce === undefined &&
    spec.inputs[k]!.dtype === outs[j]!.dtype

  const run = (inputs: ReadonlyArray<Storage>, given: ReadonlyArray<Storage | undefined>): Array<Storage> => {
    // a given output that is also an input (a donated buffer) is written in place where that
    // is safe, else not used (WebGPU cannot bind one buffer for reading and writing at once)
    let alias: Map<number, number> | undefined
    const usable = given.map((g, j) => {
      if (g?.gpu === undefined) return g
      let ok = true
      inputs.forEach((s, k) => {
        if (s.gpu !== g.gpu) return
        if (inPlace(k, j)) (alias ??= new Map()).set(k, j)
        else ok = false
      })
      return ok ? g : undefined
    })
    if (alias !== undefined) {
      // an alias into an output that was refused is no alias
      for (const [k, j] of alias) if (usable[j] === undefined) alias.delete(k)
    }
    let chosen = plain
    if (alias !== undefined && alias.size > 0) {
      const key = [...alias].join(";")
      chosen = variants.get(key) ?? variant(alias)
      variants.set(key, chosen)
    }
    const { kernel, bound, groups } = chosen
    const results = outs.map((_, j) => usable[j] ?? runtime.allocate(outBytes[j]!))
    if (kernel === undefined) return results
    const scratch: Array<Storage> = []
    const temp = (words: number): Storage => {
      const s = runtime.allocate(words * 4)
      scratch.push(s)
      return s
    }
    let inBuffers = packedIn ? inputs.map((s) => runtime.bind(s)) : bound.map((k) => runtime.bind(inputs[k]!))
    if (packedIn) {
      const packed = temp(inTotal)
      inBuffers.forEach((b, k) => runtime.copy(b, 0, packed.gpu!, inBase[k]! * 4, inWords[k]! * 4))
      inBuffers = [packed.gpu!]
    }
    // where each target is written: the output itself, or scratch (partials, operands)
    const written = targets.map((t) => (t.role === "out" ? results[t.j]! : temp(t.words)))
    const packed = packedOut ? temp(outTotal) : undefined
    runtime.dispatch(
      kernel,
      inBuffers,
      packed !== undefined ? [packed.gpu!] : written.map((s) => runtime.bind(s)),
      params,
      groups,
      w
    )
    if (packed !== undefined) {
      targets.forEach((t, j) => runtime.copy(packed.gpu!, outBase[j]! * 4, runtime.bind(written[j]!), 0, t.words * 4))
    }
    for (const t of targets) {
      const o = outs[t.j]!
      if (t.role === "partial") {
        reduceView(
          runtime,
          o.reduce!.kind,
          o.dtype,
          runtime.bind(written[t.j]!),
          runtime.bind(results[t.j]!),
          rows,
          chunks,
          1
        )
      } else if (t.role === "operand") {
        const shape = spec.shape
        const oshape = shape.filter((_, d) => !o.reduce!.axes.includes(d))
        reduce(
          runtime,
          o.reduce!.kind,
          written[t.j]!,
          aval(shape, o.dtype),
          o.reduce!.axes,
          aval(oshape, o.dtype),
          results[t.j]!
        )
      }
    }
    for (const s of scratch) runtime.retire(s)
    return results
  }
  return { source: plain.source, run }
}
