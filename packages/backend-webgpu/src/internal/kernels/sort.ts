/**
 * `sort` and `top_k` on the GPU by ranking: one thread per element counts the
 * elements of its line that order before it (keys compared lexicographically,
 * ties by position, so the sort is stable), then each operand is scattered to
 * its rank. O(n) work per element (O(n^2) per line of n): simple and exact,
 * fast for the short and medium lines sorting is used on here; a merge or
 * bitonic network would pay off on lines of many thousands.
 * Floats order as JAX's sort: -0 equals 0, NaN after everything; complex
 * numbers by real part, then imaginary part.
 */
import type { AbstractValue, DType, Params } from "@diffect/core"
import { Shape, UnsupportedDTypeError } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { Helpers } from "../wgsl.js"

// WGSL: how key `k` compares element `a` with element `b` (-1, 0, 1).
const compareKey = (k: number, dtype: DType.DType): string => {
  const buf = `in${k}`
  if (dtype === "complex64") {
    return `fn cmp${k}(a: u32, b: u32) -> i32 {
  let c = cmp_f32(${buf}[2u * a], ${buf}[2u * b]);
  if (c != 0i) { return c; }
  return cmp_f32(${buf}[2u * a + 1u], ${buf}[2u * b + 1u]);
}`
  }
  if (dtype === "float32") return `fn cmp${k}(a: u32, b: u32) -> i32 { return cmp_f32(${buf}[a], ${buf}[b]); }`
  if (dtype === "float64" || dtype === "complex128" || dtype === "float0") {
    throw new UnsupportedDTypeError({ backend: "webgpu", dtype })
  }
  return `fn cmp${k}(a: u32, b: u32) -> i32 {
  let x = ${buf}[a];
  let y = ${buf}[b];
  return select(select(0i, 1i, x > y), -1i, x < y);
}`
}

const cmpF32 = `fn cmp_f32(x: f32, y: f32) -> i32 {
  let xn = isnan_f32(x);
  let yn = isnan_f32(y);
  if (xn && yn) { return 0i; }
  if (xn) { return 1i; }
  if (yn) { return -1i; }
  return select(select(0i, 1i, x > y), -1i, x < y);
}`

// ranks[e] = how many elements of e's line come before it: ascending (sort) or descending (top_k).
const rankKernel = (runtime: Runtime, keys: ReadonlyArray<DType.DType>, descending: boolean) =>
  runtime.kernel(`sort-rank:${keys.join(",")}:${descending}`, keys.length, () => {
    const helpers = new Helpers()
    helpers.use("isnan")
    const compare = keys.map((_, k) => `if (c == 0i) { c = cmp${k}(e, tid); }`).join("\n    ")
    return shader({
      inputs: keys.map(storageType),
      output: "u32",
      workgroupSize: runtime.workgroupSize,
      helpers,
      decls: [cmpF32, ...keys.map((d, k) => compareKey(k, d))].join("\n"),
      body: `  if (tid >= p(2u)) { return; }
  let n = p(3u);
  let inner = p(4u);
  let s = (tid / inner) % n;
  let base = tid - s * inner;
  var rank = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    let e = base + j * inner;
    var c = 0i;
    ${compare}
    if (${descending ? "c > 0i" : "c < 0i"} || (c == 0i && j < s)) { rank = rank + 1u; }
  }
  out[tid] = rank;`
    })
  })

const ranks = (
  runtime: Runtime,
  keys: ReadonlyArray<Storage>,
  keyTypes: ReadonlyArray<DType.DType>,
  size: number,
  n: number,
  inner: number,
  descending: boolean
): Storage => {
  const out = runtime.allocate(size * 4)
  if (out.gpu === undefined) return out
  runtime.dispatch(
    rankKernel(runtime, keyTypes, descending),
    keys.map((k) => runtime.bind(k)),
    out.gpu,
    [0, 0, size, n, inner],
    Math.ceil(size / runtime.workgroupSize)
  )
  return out
}

const lanesMove = (lanes: number, dst: string, src: string): string =>
  Array.from({ length: lanes }, (_, l) => `out[(${dst}) * ${lanes}u + ${l}u] = in0[(${src}) * ${lanes}u + ${l}u];`)
    .join(" ")

/** `sort`: every operand along `dimension`, ordered by the first `numKeys`. */
export const sort = (
  runtime: Runtime,
  xs: ReadonlyArray<Storage>,
  xas: ReadonlyArray<AbstractValue>,
  params: Params<"sort">
): Array<Storage> => {
  const shape = xas[0]!.shape
  const size = Shape.sizeOf(shape)
  const n = shape[params.dimension]!
  const inner = Shape.sizeOf(shape.slice(params.dimension + 1))
  const keyTypes = xas.slice(0, params.numKeys).map((a) => a.dtype)
  const rank = ranks(runtime, xs.slice(0, params.numKeys), keyTypes, size, n, inner, false)
  const outs = xs.map((x, k) => {
    const lanes = wordsPerElement(xas[k]!.dtype)
    const out = runtime.allocate(size * lanes * 4)
    if (out.gpu === undefined) return out
    const kernel = runtime.kernel(`sort-place:${lanes}`, 2, () =>
      shader({
        inputs: ["u32", "u32"],
        output: "u32",
        workgroupSize: runtime.workgroupSize,
        body: `  if (tid >= p(2u)) { return; }
  let n = p(3u);
  let inner = p(4u);
  let s = (tid / inner) % n;
  let dst = tid - s * inner + in1[tid] * inner;
  ${lanesMove(lanes, "dst", "tid")}`
      }))
    runtime.dispatch(
      kernel,
      [runtime.bind(x), runtime.bind(rank)],
      out.gpu,
      [0, 0, size, n, inner],
      Math.ceil(size / runtime.workgroupSize)
    )
    return out
  })
  runtime.retire(rank)
  return outs
}

/** `top_k`: the k largest along the last axis (largest first, ties to the lower index) and their indices. */
export const topK = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"top_k">
): Array<Storage> => {
  const size = Shape.sizeOf(xa.shape)
  const n = xa.shape[xa.shape.length - 1]!
  const k = params.k
  const rows = n === 0 ? 0 : size / n
  const lanes = wordsPerElement(xa.dtype)
  const values = runtime.allocate(rows * k * lanes * 4)
  const indices = runtime.allocate(rows * k * 4)
  if (values.gpu === undefined || indices.gpu === undefined) return [values, indices]
  const rank = ranks(runtime, [x], [xa.dtype], size, n, 1, true)
  const place = (what: "values" | "indices") =>
    runtime.kernel(`top-k-${what}:${lanes}`, 2, () =>
      shader({
        inputs: ["u32", "u32"],
        output: what === "values" ? "u32" : "i32",
        workgroupSize: runtime.workgroupSize,
        body: `  if (tid >= p(2u)) { return; }
  let n = p(3u);
  let k = p(4u);
  let rank = in1[tid];
  if (rank >= k) { return; }
  let dst = (tid / n) * k + rank;
  ${what === "values" ? lanesMove(lanes, "dst", "tid") : "out[dst] = i32(tid % n);"}`
      }))
  const groups = Math.ceil(size / runtime.workgroupSize)
  runtime.dispatch(place("values"), [runtime.bind(x), runtime.bind(rank)], values.gpu, [0, 0, size, n, k], groups)
  runtime.dispatch(place("indices"), [runtime.bind(x), runtime.bind(rank)], indices.gpu, [0, 0, size, n, k], groups)
  runtime.retire(rank)
  return [values, indices]
}
