/**
 * Windowed reductions and the pooling gradients on the GPU, one thread per
 * output element, with the window geometry compiled into the shader as
 * constants (one pipeline per signature, static loop bounds).
 *
 * - `reduce_window_{sum,max,min}`: one thread per window folds its taps.
 * - `select_and_gather_add`: one thread per window finds its selected tap
 *   (the first maximum or minimum in row-major tap order, as the CPU) and reads
 *   the tangent there.
 * - `select_and_scatter_add`: one thread per operand element sums the source
 *   of every window that contains it and selects it: a gather, so overlapping
 *   windows need no atomics (O(taps^2) work per element, small for pooling windows).
 */
import type { AbstractValue, WindowParams } from "@diffect/core"
import { Shape, UnsupportedDTypeError, Window } from "@diffect/core"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { Helpers } from "../wgsl.js"

type SelectParams = WindowParams & { readonly selectPrim: "ge" | "le" }

const checkDType = (dtype: string): void => {
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "uint32") {
    throw new UnsupportedDTypeError({ backend: "webgpu", dtype: dtype as never })
  }
}

const identity = (kind: "sum" | "max" | "min", t: string): string => {
  if (kind === "sum") return t === "f32" ? "0.0" : t === "i32" ? "0i" : "0u"
  // private variables, not constants: WGSL rejects an infinite constant expression
  if (t === "f32") return `bitcast<f32>(${kind === "max" ? "NINF_BITS" : "INF_BITS"})`
  if (t === "i32") return `bitcast<i32>(${kind === "max" ? "0x80000000u" : "0x7fffffffu"})`
  return kind === "max" ? "0u" : "0xffffffffu"
}

/**
 * WGSL statements that run `inner` for every real tap of the window whose
 * output coordinates are the i32 expressions `o[d]`, with `off` (u32) the
 * operand offset of the tap; taps are visited in row-major order.
 */
const eachTap = (shape: ReadonlyArray<number>, params: WindowParams, o: ReadonlyArray<string>, inner: string) => {
  const strides = Shape.stridesOf(shape)
  const nd = shape.length
  const prev = (d: number) => (d === 0 ? "0u" : `a${d - 1}`)
  let open = ""
  for (let d = 0; d < nd; d++) {
    const dil = params.baseDilation[d]!
    open += `
  for (var k${d} = 0i; k${d} < ${params.windowDimensions[d]!}i; k${d} = k${d} + 1i) {
    let q${d} = ${o[d]!} * ${params.windowStrides[d]!}i + k${d} * ${params.windowDilation[d]!}i - (${
      params.padding[d]![0]
    }i);
    if (q${d} < 0i || q${d} % ${dil}i != 0i || q${d} / ${dil}i >= ${shape[d]!}i) { continue; }
    let a${d} = ${prev(d)} + u32(q${d} / ${dil}i) * ${strides[d]!}u;`
  }
  return `${open}
    let off = ${prev(nd)};
    ${inner}${"\n  }".repeat(nd)}`
}

// The output coordinates (i32) of window `w` (u32).
const windowCoords = (out: ReadonlyArray<number>, w: string): Array<string> => {
  const strides = Shape.stridesOf(out)
  return out.map((n, d) => `i32((${w} / ${strides[d]!}u) % ${n}u)`)
}

// fn pick(w: u32) -> i32: the offset of window w's selected tap, or -1 when it has none.
const pickFunction = (shape: ReadonlyArray<number>, params: SelectParams, out: ReadonlyArray<number>) => {
  const cmp = params.selectPrim === "ge" ? ">=" : "<="
  return `fn pick(w: u32) -> i32 {
  var best = -1i;
${windowCoords(out, "w").map((c, d) => `  let o${d} = ${c};`).join("\n")}
${
    eachTap(
      shape,
      params,
      out.map((_, d) => `o${d}`),
      `if (best < 0i) { best = i32(off); } else if (!(in1[u32(best)] ${cmp} in1[off])) { best = i32(off); }`
    )
  }
  return best;
}`
}

const dispatch = (
  runtime: Runtime,
  key: string,
  inputs: ReadonlyArray<Storage>,
  size: number,
  source: () => string
): Storage => {
  const out = runtime.allocate(size * 4)
  if (out.gpu === undefined) return out
  const kernel = runtime.kernel(key, inputs.length, source)
  runtime.dispatch(
    kernel,
    inputs.map((s) => runtime.bind(s)),
    out.gpu,
    [0, 0],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}

/** `reduce_window_{sum,max,min}(x)`. */
export const reduceWindow = (
  runtime: Runtime,
  kind: "sum" | "max" | "min",
  x: Storage,
  xa: AbstractValue,
  params: WindowParams,
  oa: AbstractValue
): Storage => {
  checkDType(xa.dtype)
  const t = storageType(xa.dtype)
  const size = Shape.sizeOf(oa.shape)
  const fold = kind === "sum"
    ? "acc = acc + v;"
    : t === "f32"
    ? `if (v ${kind === "max" ? ">" : "<"} acc || isnan_f32(v)) { acc = v; }`
    : `if (v ${kind === "max" ? ">" : "<"} acc) { acc = v; }`
  const key = `reduce-window-${kind}:${xa.dtype}:${xa.shape.join("x")}:${JSON.stringify(params)}`
  return dispatch(runtime, key, [x], size, () => {
    const helpers = new Helpers()
    helpers.use("isnan")
    helpers.use("consts")
    return shader({
      inputs: [t],
      output: t,
      workgroupSize: runtime.workgroupSize,
      helpers,
      body: `  if (tid >= ${size}u) { return; }
  var acc: ${t} = ${identity(kind, t)};
${windowCoords(oa.shape, "tid").map((c, d) => `  let o${d} = ${c};`).join("\n")}
  ${eachTap(xa.shape, params, oa.shape.map((_, d) => `o${d}`), `let v = in0[off]; ${fold}`)}
  out[tid] = acc;`
    })
  })
}

/** `select_and_gather_add(tangents, operand)`. */
export const selectAndGatherAdd = (
  runtime: Runtime,
  tangents: Storage,
  x: Storage,
  ta: AbstractValue,
  xa: AbstractValue,
  params: SelectParams,
  oa: AbstractValue
): Storage => {
  checkDType(ta.dtype)
  checkDType(xa.dtype)
  const t = storageType(ta.dtype)
  const size = Shape.sizeOf(oa.shape)
  const key = `select-gather:${ta.dtype}:${xa.dtype}:${xa.shape.join("x")}:${JSON.stringify(params)}`
  return dispatch(runtime, key, [tangents, x], size, () =>
    shader({
      inputs: [t, storageType(xa.dtype)],
      output: t,
      workgroupSize: runtime.workgroupSize,
      decls: pickFunction(xa.shape, params, oa.shape),
      body: `  if (tid >= ${size}u) { return; }
  let best = pick(tid);
  out[tid] = select(${identity("sum", t)}, in0[u32(max(best, 0i))], best >= 0i);`
    }))
}

/** `select_and_scatter_add(source, operand)`, as a gather over the windows containing each element. */
export const selectAndScatterAdd = (
  runtime: Runtime,
  source: Storage,
  x: Storage,
  sa: AbstractValue,
  xa: AbstractValue,
  params: SelectParams
): Storage => {
  checkDType(sa.dtype)
  checkDType(xa.dtype)
  const t = storageType(sa.dtype)
  const size = Shape.sizeOf(xa.shape)
  const out = Window.outputShape("select_and_scatter_add", xa.shape, params)
  const outStrides = Shape.stridesOf(out)
  const xStrides = Shape.stridesOf(xa.shape)
  const nd = xa.shape.length
  // For each dimension, every tap k that could put this element in window o: o * stride + k * wdil - lo == q.
  let open = ""
  for (let d = 0; d < nd; d++) {
    open += `
  let q${d} = i32((tid / ${xStrides[d]!}u) % ${xa.shape[d]!}u) * ${params.baseDilation[d]!}i;
  for (var k${d} = 0i; k${d} < ${params.windowDimensions[d]!}i; k${d} = k${d} + 1i) {
    let s${d} = q${d} + (${params.padding[d]![0]}i) - k${d} * ${params.windowDilation[d]!}i;
    if (s${d} < 0i || s${d} % ${params.windowStrides[d]!}i != 0i || s${d} / ${params
      .windowStrides[d]!}i >= ${out[d]!}i) { continue; }
    let w${d} = ${d === 0 ? "0u" : `w${d - 1}`} + u32(s${d} / ${params.windowStrides[d]!}i) * ${outStrides[d]!}u;`
  }
  const w = nd === 0 ? "0u" : `w${nd - 1}`
  const key = `select-scatter:${sa.dtype}:${xa.dtype}:${xa.shape.join("x")}:${JSON.stringify(params)}`
  return dispatch(runtime, key, [source, x], size, () =>
    shader({
      inputs: [t, storageType(xa.dtype)],
      output: t,
      workgroupSize: runtime.workgroupSize,
      decls: pickFunction(xa.shape, params, out),
      body: `  if (tid >= ${size}u) { return; }
  var acc: ${t} = ${identity("sum", t)};${open}
    if (${Shape.sizeOf(out)}u > 0u && pick(${w}) == i32(tid)) { acc = acc + in0[${w}]; }${"\n  }".repeat(nd)}
  out[tid] = acc;`
    }))
}
