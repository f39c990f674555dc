/**
 * Elementwise kernels: the core's lowering table (core/src/Lowering.ts)
 * gives each primitive's output lanes as kernel IR, compiled here to WGSL. One
 * pipeline per primitive, operand dtypes, output dtype and static params.
 */
import type { DType, ElementwisePrimitive, Kernel, Params } from "@diffect/core"
import { lowerElementwise } from "@diffect/core/Lowering"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { emitExprs, Helpers } from "../wgsl.js"

const paramKey = (primitive: ElementwisePrimitive, params: unknown): string =>
  primitive === "integer_pow" ? String((params as Params<"integer_pow">).y) : ""

const source = (
  runtime: Runtime,
  primitive: ElementwisePrimitive,
  inDTypes: ReadonlyArray<DType.DType>,
  outDType: DType.DType,
  params: unknown
): string => {
  const lanes = lowerElementwise(primitive, inDTypes, outDType, params as never)
  const helpers = new Helpers(runtime.transcendentals)
  const load = (input: Kernel.Input): string => {
    const dtype = inDTypes[input.index]!
    if (dtype === "bool") return `(in${input.index}[i] != 0u)`
    if (dtype === "complex64") return `in${input.index}[2u * i + ${input.lane}u]`
    return `in${input.index}[i]`
  }
  const { body, results } = emitExprs(lanes, load, helpers, "  ")
  const outLanes = wordsPerElement(outDType)
  const stores = results.map((r, lane) => {
    const index = outLanes === 2 ? `2u * i + ${lane}u` : "i"
    return `  out[${index}] = ${outDType === "bool" ? `select(0u, 1u, ${r})` : r};`
  })
  return shader({
    inputs: inDTypes.map(storageType),
    output: storageType(outDType),
    workgroupSize: runtime.workgroupSize,
    helpers,
    body: `  let i = tid;
  if (i >= p(2u)) { return; }
${body}
${stores.join("\n")}`
  })
}

/** Runs an elementwise primitive over `size` elements into a new buffer. */
export const elementwise = (
  runtime: Runtime,
  primitive: ElementwisePrimitive,
  inputs: ReadonlyArray<GPUBuffer>,
  inDTypes: ReadonlyArray<DType.DType>,
  outDType: DType.DType,
  params: unknown,
  size: number
): Storage => {
  const out = runtime.allocate(size * wordsPerElement(outDType) * 4)
  if (out.gpu === undefined) return out
  const key = `ew:${primitive}:${inDTypes.join(",")}:${outDType}:${paramKey(primitive, params)}`
  const kernel = runtime.kernel(key, inputs.length, () => source(runtime, primitive, inDTypes, outDType, params))
  runtime.dispatch(kernel, inputs, out.gpu, [0, 0, size], Math.ceil(size / runtime.workgroupSize))
  return out
}
