/**
 * `gather` (NumPy's `take` along an axis, indices clamped), its transpose
 * `scatter_add`, and `iota`. `scatter_add` is written gather-style: each output
 * element loops over the indices and sums the updates aimed at it, so no float
 * atomics are needed and the result is deterministic.
 */
import type { AbstractValue, DType, Params, ScatterCombine } from "@diffect/core"
import { Shape } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { Helpers } from "../wgsl.js"
import { stridedCopy } from "./copy.js"

const bytesOf = (a: AbstractValue): number => Shape.sizeOf(a.shape) * wordsPerElement(a.dtype) * 4

// Operand viewed as [pre, axis, post]; indices flattened to [count].
const axisView = (shape: Shape.Shape, axis: number) => ({
  axisSize: shape[axis]!,
  post: Shape.sizeOf(shape.slice(axis + 1))
})

const lanesMove = (lanes: number, dst: string, src: string): string =>
  lanes === 1
    ? `  out[${dst}] = in0[${src}];`
    : Array.from(
      { length: lanes },
      (_, l) => `  out[(${dst}) * ${lanes}u + ${l}u] = in0[(${src}) * ${lanes}u + ${l}u];`
    )
      .join("\n")

/** `gather(x, indices)` along `axis`. */
export const gather = (
  runtime: Runtime,
  x: Storage,
  indices: Storage,
  xa: AbstractValue,
  ia: AbstractValue,
  params: Params<"gather">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const lanes = wordsPerElement(oa.dtype)
  const { axisSize, post } = axisView(xa.shape, params.axis)
  const count = Shape.sizeOf(ia.shape)
  const size = Shape.sizeOf(oa.shape)
  const kernel = runtime.kernel(`gather:${lanes}`, 2, () =>
    shader({
      inputs: ["u32", "i32"],
      output: "u32",
      workgroupSize: runtime.workgroupSize,
      body: `  if (tid >= p(2u)) { return; }
  let count = p(3u);
  let axisSize = p(4u);
  let post = p(5u);
  let q = tid % post;
  let j = (tid / post) % count;
  let pre = tid / (post * count);
  let k = u32(clamp(in1[j], 0i, i32(axisSize) - 1i));
${lanesMove(lanes, "tid", "(pre * axisSize + k) * post + q")}`
    }))
  runtime.dispatch(
    kernel,
    [runtime.bind(x), runtime.bind(indices)],
    out.gpu,
    [0, 0, size, count, axisSize, post],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}

const plus = (dtype: DType.DType, a: string, b: string): string => dtype === "bool" ? `(${a} | ${b})` : `(${a} + ${b})`

// Above this much work (output elements x indices) and this many indices, the
// gather-style loop gives way to one thread per update with atomic adds.
const ATOMIC_MIN_WORK = 1 << 22
const ATOMIC_MIN_INDICES = 64

// Atomic add of a lane value (raw bits in `v`) into `out[k]`: float adds by a
// compare-exchange loop (WGSL has no float atomics), integers wrap, bools or.
const atomicAdd = (dtype: DType.DType, k: string, v: string): string => {
  if (dtype === "int32" || dtype === "uint32") return `    atomicAdd(&out[${k}], ${v});`
  if (dtype === "bool") return `    atomicOr(&out[${k}], ${v});`
  return `    {
      var old = atomicLoad(&out[${k}]);
      loop {
        let r = atomicCompareExchangeWeak(&out[${k}], old, bitcast<u32>(bitcast<f32>(old) + bitcast<f32>(${v})));
        if (r.exchanged) { break; }
        old = r.old_value;
      }
    }`
}

/**
 * `scatter_add` for many indices: copy the operand, then one thread per update
 * element adds it at its (clamped) index atomically. The order of float
 * additions then varies from run to run (as on GPUs in JAX).
 */
const scatterAddAtomic = (
  runtime: Runtime,
  operand: Storage,
  indices: Storage,
  updates: Storage,
  out: GPUBuffer,
  dtype: DType.DType,
  count: number,
  axisSize: number,
  post: number,
  size: number
): void => {
  const lanes = wordsPerElement(dtype)
  stridedCopy(runtime, runtime.bind(operand), out, lanes, {
    shape: [size],
    srcOffset: 0,
    srcStrides: [1],
    dstOffset: 0,
    dstStrides: [1]
  })
  const kernel = runtime.kernel(`scatter_add_atomic:${dtype}`, 2, () =>
    shader({
      inputs: ["i32", "u32"],
      output: "atomic<u32>",
      workgroupSize: runtime.workgroupSize,
      body: `  if (tid >= p(2u)) { return; }
  let count = p(3u);
  let axisSize = p(4u);
  let post = p(5u);
  let q = tid % post;
  let j = (tid / post) % count;
  let pre = tid / (post * count);
  let a = u32(clamp(in0[j], 0i, i32(axisSize) - 1i));
  let dst = (pre * axisSize + a) * post + q;
${
        Array.from({ length: lanes }, (_, l) =>
          atomicAdd(dtype, `dst * ${lanes}u + ${l}u`, `in1[tid * ${lanes}u + ${l}u]`))
          .join("\n")
      }`
    }))
  const n = (size / axisSize) * count
  runtime.dispatch(
    kernel,
    [runtime.bind(indices), runtime.bind(updates)],
    out,
    [0, 0, n, count, axisSize, post],
    Math.ceil(n / runtime.workgroupSize)
  )
}

/** `scatter_add(operand, indices, updates)` along `axis`. */
export const scatterAdd = (
  runtime: Runtime,
  operand: Storage,
  indices: Storage,
  updates: Storage,
  xa: AbstractValue,
  ia: AbstractValue,
  params: Params<"scatter_add">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const dtype = oa.dtype
  const lanes = wordsPerElement(dtype)
  const t = storageType(dtype)
  const { axisSize, post } = axisView(xa.shape, params.axis)
  const count = Shape.sizeOf(ia.shape)
  const size = Shape.sizeOf(oa.shape)
  if (count > ATOMIC_MIN_INDICES && count * size > ATOMIC_MIN_WORK) {
    scatterAddAtomic(runtime, operand, indices, updates, out.gpu, dtype, count, axisSize, post, size)
    return out
  }
  const laneLoop = Array.from(
    { length: lanes },
    (_, l) => `    acc${l} = ${plus(dtype, `acc${l}`, `in2[((pre * count + j) * post + q) * ${lanes}u + ${l}u]`)};`
  ).join("\n")
  const kernel = runtime.kernel(`scatter_add:${dtype}`, 3, () =>
    shader({
      inputs: [t, "i32", t],
      output: t,
      workgroupSize: runtime.workgroupSize,
      body: `  if (tid >= p(2u)) { return; }
  let count = p(3u);
  let axisSize = p(4u);
  let post = p(5u);
  let q = tid % post;
  let a = i32((tid / post) % axisSize);
  let pre = tid / (post * axisSize);
${Array.from({ length: lanes }, (_, l) => `  var acc${l} = in0[tid * ${lanes}u + ${l}u];`).join("\n")}
  for (var j = 0u; j < count; j = j + 1u) {
    if (clamp(in1[j], 0i, i32(axisSize) - 1i) != a) { continue; }
${laneLoop}
  }
${Array.from({ length: lanes }, (_, l) => `  out[tid * ${lanes}u + ${l}u] = acc${l};`).join("\n")}`
    }))
  runtime.dispatch(
    kernel,
    [runtime.bind(operand), runtime.bind(indices), runtime.bind(updates)],
    out.gpu,
    [0, 0, size, count, axisSize, post],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}

// `scatter`'s combiner as a WGSL function of the element type `t` (float min/max
// propagate NaN by returning the NaN operand: a NaN constant is not allowed).
const combineDecl = (combine: ScatterCombine, t: string): string => {
  const body = combine === "set"
    ? "return b;"
    : combine === "mul"
    ? "return a * b;"
    : t !== "f32"
    ? `return ${combine}(a, b);`
    : `if (nan_s(a)) { return a; }
  if (nan_s(b)) { return b; }
  return select(b, a, a ${combine === "min" ? "<" : ">"} b);`
  return `fn nan_s(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn comb(a: ${t}, b: ${t}) -> ${t} {
  ${body}
}`
}

/**
 * `scatter(operand, indices, updates)` along `axis`, gather-style: each output
 * element folds, in index order, the updates aimed at it (deterministic, so
 * `"set"` keeps the last update as on the CPU).
 */
export const scatter = (
  runtime: Runtime,
  operand: Storage,
  indices: Storage,
  updates: Storage,
  xa: AbstractValue,
  ia: AbstractValue,
  params: Params<"scatter">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const dtype = oa.dtype
  const lanes = wordsPerElement(dtype)
  const t = storageType(dtype)
  const { axisSize, post } = axisView(xa.shape, params.axis)
  const count = Shape.sizeOf(ia.shape)
  const size = Shape.sizeOf(oa.shape)
  // complex products pair the lanes (re, im); every other combiner is per lane
  const complexMul = params.combine === "mul" && dtype === "complex64"
  // complex min/max compare whole elements lexicographically (as lax.max/min)
  const complexExtremal = (params.combine === "min" || params.combine === "max") && dtype === "complex64"
  const helpers = new Helpers()
  if (complexExtremal) helpers.use(params.combine === "max" ? "cmax" : "cmin")
  const kernel = runtime.kernel(`scatter:${params.combine}:${dtype}`, 3, () =>
    shader({
      inputs: [t, "i32", t],
      output: t,
      workgroupSize: runtime.workgroupSize,
      decls: combineDecl(params.combine, t),
      helpers,
      body: `  if (tid >= p(2u)) { return; }
  let count = p(3u);
  let axisSize = p(4u);
  let post = p(5u);
  let q = tid % post;
  let a = i32((tid / post) % axisSize);
  let pre = tid / (post * axisSize);
${Array.from({ length: lanes }, (_, l) => `  var acc${l} = in0[tid * ${lanes}u + ${l}u];`).join("\n")}
  for (var j = 0u; j < count; j = j + 1u) {
    if (clamp(in1[j], 0i, i32(axisSize) - 1i) != a) { continue; }
${
        complexExtremal
          ? `    let u = ((pre * count + j) * post + q) * 2u;
    let best = c${params.combine}_c64(vec2<f32>(acc0, acc1), vec2<f32>(in2[u], in2[u + 1u]));
    acc0 = best.x;
    acc1 = best.y;`
          : complexMul
          ? `    let u = ((pre * count + j) * post + q) * 2u;
    let re = acc0 * in2[u] - acc1 * in2[u + 1u];
    acc1 = acc0 * in2[u + 1u] + acc1 * in2[u];
    acc0 = re;`
          : Array.from(
            { length: lanes },
            (_, l) => `    acc${l} = comb(acc${l}, in2[((pre * count + j) * post + q) * ${lanes}u + ${l}u]);`
          ).join("\n")
      }
  }
${Array.from({ length: lanes }, (_, l) => `  out[tid * ${lanes}u + ${l}u] = acc${l};`).join("\n")}`
    }))
  runtime.dispatch(
    kernel,
    [runtime.bind(operand), runtime.bind(indices), runtime.bind(updates)],
    out.gpu,
    [0, 0, size, count, axisSize, post],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}

/** `iota`: the index along `dimension`, in `dtype`. */
export const iota = (runtime: Runtime, params: Params<"iota">, oa: AbstractValue): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const dtype = params.dtype
  const size = Shape.sizeOf(oa.shape)
  const value = dtype === "int32"
    ? "  out[tid] = i32(v);"
    : dtype === "uint32"
    ? "  out[tid] = v;"
    : dtype === "bool"
    ? "  out[tid] = select(0u, 1u, v != 0u);"
    : dtype === "complex64"
    ? "  out[2u * tid] = f32(v);\n  out[2u * tid + 1u] = 0.0;"
    : "  out[tid] = f32(v);"
  const kernel = runtime.kernel(`iota:${dtype}`, 0, () =>
    shader({
      inputs: [],
      output: storageType(dtype),
      workgroupSize: runtime.workgroupSize,
      body: `  if (tid >= p(2u)) { return; }
  let v = (tid / p(3u)) % p(4u);
${value}`
    }))
  const stride = Shape.stridesOf(oa.shape)[params.dimension] ?? 1
  runtime.dispatch(
    kernel,
    [],
    out.gpu,
    [0, 0, size, stride, oa.shape[params.dimension] ?? 1],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}
