/**
 * Fusion groups headed by a product (core's `FusedKernelSpec.dot`: a
 * `dot_general` and its elementwise epilogue, such as bias add and
 * activation). One shader computes the product's tiles as `dot.ts` does and
 * applies the epilogue to each element while it is still in registers, so the
 * product is never stored: one dispatch and one pass over memory fewer than
 * the product and the epilogue apart.
 *
 * That one shader covers float32 products whose epilogue is elementwise (no
 * reduction root), of real values, within the device's storage bindings. Other
 * groups (a reduction root such as a bias gradient, complex values, many
 * inputs) run as two dispatches in one command buffer: the product into
 * scratch, then the epilogue's fused shader reading it.
 */
import type { DType, FusedKernelSpec, Kernel } from "@diffect/core"
import { aval } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { storageType } from "../shader.js"
import { emitExprs, Helpers } from "../wgsl.js"
import { BLOCK, dotGeneral, productSizes, view } from "./dot.js"
import type { CompiledGroup } from "./fused.js"
import { compileFused, mergeDims, offsetOf } from "./fused.js"
import { decomposedOutputs, MAX_NODES, operations } from "./staged.js"

const size = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

const real = new Set<DType.DType>(["float32", "int32", "uint32", "bool"])

/** Compiles a group headed by a product (`spec.dot` set). */
export const compileFusedDot = (runtime: Runtime, spec: FusedKernelSpec): CompiledGroup => {
  const dot = spec.dot!
  const { dot: _, ...plain } = spec
  const sizes = productSizes(dot.lhsShape, dot.rhsShape, dot.params)
  const lhsAval = aval(dot.lhsShape, dot.dtype)
  const rhsAval = aval(dot.rhsShape, dot.dtype)
  const productAval = aval(sizes.shape, dot.dtype)

  // Two dispatches: the product into scratch, then the epilogue's own fused shader.
  const epilogue = compileFused(runtime, { ...plain, inputs: spec.inputs.slice(0, dot.lhs) })
  const twoPass = (inputs: ReadonlyArray<Storage>, given: ReadonlyArray<Storage | undefined>): Array<Storage> => {
    const product = dotGeneral(
      runtime,
      inputs[dot.lhs]!,
      inputs[dot.rhs]!,
      lhsAval,
      rhsAval,
      dot.params,
      productAval
    )
    const reads = inputs.slice(0, dot.lhs)
    reads[dot.input] = product
    const outs = epilogue.run(reads, given)
    runtime.retire(product)
    return outs
  }
  const header = `// input ${dot.input} = dot_general(input ${dot.lhs}, input ${dot.rhs}) ${JSON.stringify(dot.params)}`

  const outputs = decomposedOutputs(spec, runtime.transcendentals)
  const others = spec.inputs.map((_, k) => k).filter((k) => k !== dot.input && k < dot.lhs)
  const input = spec.inputs[dot.input]!
  const oneShader = dot.dtype === "float32" &&
    outputs.every((o) => o.reduce === undefined && o.lanes.length === 1 && real.has(o.dtype)) &&
    others.every((k) => real.has(spec.inputs[k]!.dtype)) &&
    (input.offset ?? 0) === 0 &&
    offsetOf(...contiguity(spec.shape, input.strides)) === "e" &&
    size(spec.shape) === size(sizes.shape) &&
    operations(outputs) <= MAX_NODES &&
    others.length + 2 + outputs.length <= runtime.limits.maxStorageBuffersPerShaderStage
  if (!oneShader) return { source: `${header}, then:\n${epilogue.source}`, run: twoPass }

  const { shape: mshape, strides: mstrides } = mergeDims(spec.shape, others.map((k) => spec.inputs[k]!.strides))
  const helpers = new Helpers(runtime.transcendentals)
  const load = (x: Kernel.Input): string => {
    if (x.index === dot.input) return "dv"
    const dtype = spec.inputs[x.index]!.dtype
    return dtype === "bool" ? `(x${x.index}[ix${x.index}] != 0u)` : `x${x.index}[ix${x.index}]`
  }
  const { body, results } = emitExprs(outputs.map((o) => o.lanes[0]!), load, helpers, "  ")
  const indexLets = others.map((k, i) =>
    `  let ix${k} = ${offsetOf(mshape, mstrides[i]!, spec.inputs[k]!.offset ?? 0)};`
  )
  const stores = outputs.map((o, j) =>
    `  out${j}[e] = ${o.dtype === "bool" ? `select(0u, 1u, ${results[j]!})` : results[j]!};`
  )
  const nIn = others.length + 2
  const side = runtime.workgroupSize >= 256 ? 16 : 8
  const tile = side * BLOCK
  const b = BLOCK
  const source = `${
    others.map((k, i) =>
      `@group(0) @binding(${i}) var<storage, read> x${k}: array<${storageType(spec.inputs[k]!.dtype)}>;`
    ).join("\n")
  }
@group(0) @binding(${others.length}) var<storage, read> lhs: array<f32>;
@group(0) @binding(${others.length + 1}) var<storage, read> rhs: array<f32>;
${
    outputs.map((o, j) =>
      `@group(0) @binding(${nIn + j}) var<storage, read_write> out${j}: array<${storageType(o.dtype)}>;`
    ).join("\n")
  }
struct Params { w: array<vec4<u32>, 16> }
@group(0) @binding(${nIn + outputs.length}) var<uniform> params: Params;
fn p(k: u32) -> u32 { return params.w[k / 4u][k % 4u]; }
${helpers.source()}
// ${header.slice(3)}: its element e, dv, through the epilogue
fn epilogue(e: u32, dv: f32) {
${indexLets.join("\n")}
${body}
${stores.join("\n")}
}
@compute @workgroup_size(${side * side})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wgid: vec3<u32>) {
  let wid = wgid.x + wgid.y * p(0u);
  let batches = p(2u);
  let M = p(3u);
  let N = p(4u);
  let K = p(5u);
  let tilesM = (M + ${tile - 1}u) / ${tile}u;
  let tilesN = (N + ${tile - 1}u) / ${tile}u;
  if (wid >= batches * tilesM * tilesN) { return; }
  let bat = wid / (tilesM * tilesN);
  let r = wid % (tilesM * tilesN);
  let row0 = (r / tilesN) * ${tile}u + (lid / ${side}u) * ${b}u;
  let col0 = (r % tilesN) * ${tile}u + (lid % ${side}u) * ${b}u;
  if (row0 >= M || col0 >= N) { return; }
${range(b).map((i) => `  let lhs${i} = bat * p(6u) + min(row0 + ${i}u, M - 1u) * p(7u);`).join("\n")}
${range(b).map((j) => `  let rhs${j} = bat * p(9u) + min(col0 + ${j}u, N - 1u) * p(11u);`).join("\n")}
${range(b * b).map((k) => `  var acc${k}: f32 = 0.0;`).join("\n")}
  for (var k = 0u; k < K; k = k + 1u) {
${
    range(b).map((i) => `    let a${i} = lhs[lhs${i} + k * p(8u)];\n    let c${i} = rhs[rhs${i} + k * p(10u)];`).join(
      "\n"
    )
  }
${range(b * b).map((k) => `    acc${k} = acc${k} + a${Math.floor(k / b)} * c${k % b};`).join("\n")}
  }
${
    range(b * b).map((k) => {
      const i = Math.floor(k / b)
      const j = k % b
      return `  if (row0 + ${i}u < M && col0 + ${j}u < N) { epilogue((bat * M + row0 + ${i}u) * N + col0 + ${j}u, acc${k}); }`
    }).join("\n")
  }
}
`
  const n = size(spec.shape)
  const outBytes = outputs.map((o) => n * wordsPerElement(o.dtype) * 4)
  const run = (inputs: ReadonlyArray<Storage>, given: ReadonlyArray<Storage | undefined>): Array<Storage> => {
    const lhsStorage = inputs[dot.lhs]!
    const rhsStorage = inputs[dot.rhs]!
    const read = [...others.map((k) => inputs[k]!), lhsStorage, rhsStorage]
    // a lost device, or a donated output that is also read here (WebGPU cannot bind a buffer
    // for reading and writing at once): the two dispatches handle both
    if (
      read.some((s) => s.gpu === undefined) ||
      given.some((g) => g?.gpu !== undefined && read.some((s) => s.gpu === g.gpu))
    ) {
      return twoPass(inputs, given)
    }
    const results = outputs.map((_, j) => given[j] ?? runtime.allocate(outBytes[j]!))
    if (n === 0) return results
    const l = view(runtime, lhsStorage, lhsAval, sizes.lhsGroups)
    const r = view(runtime, rhsStorage, rhsAval, sizes.rhsGroups)
    const kernel = runtime.kernel(source, nIn, () => source, outputs.length)
    runtime.dispatch(
      kernel,
      [...others.map((k) => runtime.bind(inputs[k]!)), l.buffer, r.buffer],
      results.map((s) => runtime.bind(s)),
      [0, 0, sizes.batches, sizes.M, sizes.N, sizes.K, ...l.strides, ...r.strides],
      sizes.batches * Math.ceil(sizes.M / tile) * Math.ceil(sizes.N / tile),
      side * side
    )
    if (l.scratch !== undefined) runtime.retire(l.scratch)
    if (r.scratch !== undefined) runtime.retire(r.scratch)
    return results
  }
  return { source, run }
}

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

// `offsetOf`'s arguments for an input read over the domain (merged as the kernel merges them).
const contiguity = (shape: ReadonlyArray<number>, strides: ReadonlyArray<number>) => {
  const merged = mergeDims(shape, [strides])
  return [merged.shape, merged.strides[0]!, 0] as const
}
