/**
 * `dot_general` as a batched matrix product `[B, M, K] x [B, K, N] -> [B, M, N]`.
 * Each operand is read in place when its batch, free and contracting dimensions
 * each collapse to a single stride (plain, transposed and batched matmuls all
 * do); otherwise it is first copied into `[batch, free, contract]` order. The
 * kernel computes one tile of the output per workgroup, staging tiles of both
 * operands in workgroup memory.
 */
import type { AbstractValue, DType, Params } from "@diffect/core"
import { Shape } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { shader, storageType } from "../shader.js"
import { stridedCopy } from "./copy.js"

interface View {
  readonly buffer: GPUBuffer
  /** Strides of the three groups (batch, first, second), in elements. */
  readonly strides: readonly [number, number, number]
  readonly scratch: Storage | undefined
}

// One stride for a group of dims taken in order, if they nest contiguously
// (unit dims are skipped: any stride works for them).
const groupStride = (dims: ReadonlyArray<number>, shape: Shape.Shape, strides: ReadonlyArray<number>) => {
  const real = dims.filter((d) => shape[d] !== 1)
  for (let i = 0; i + 1 < real.length; i++) {
    if (strides[real[i]!] !== strides[real[i + 1]!]! * shape[real[i + 1]!]!) return undefined
  }
  return real.length === 0 ? 0 : strides[real[real.length - 1]!]!
}

const view = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  groups: readonly [ReadonlyArray<number>, ReadonlyArray<number>, ReadonlyArray<number>]
): View => {
  const strides = Shape.stridesOf(xa.shape)
  const s = groups.map((g) => groupStride(g, xa.shape, strides))
  if (s.every((v) => v !== undefined)) {
    return { buffer: runtime.bind(x), strides: s as unknown as readonly [number, number, number], scratch: undefined }
  }
  const order = [...groups[0], ...groups[1], ...groups[2]]
  const shape = order.map((d) => xa.shape[d]!)
  const scratch = runtime.allocate(Shape.sizeOf(shape) * wordsPerElement(xa.dtype) * 4)
  stridedCopy(runtime, runtime.bind(x), runtime.bind(scratch), wordsPerElement(xa.dtype), {
    shape,
    srcOffset: 0,
    srcStrides: order.map((d) => strides[d]!),
    dstOffset: 0,
    dstStrides: Shape.stridesOf(shape)
  })
  const n1 = Shape.sizeOf(groups[1].map((d) => xa.shape[d]!))
  const n2 = Shape.sizeOf(groups[2].map((d) => xa.shape[d]!))
  return { buffer: runtime.bind(scratch), strides: [n1 * n2, n2, 1], scratch }
}

const arithmetic = (dtype: DType.DType) => {
  switch (dtype) {
    case "complex64":
      return {
        acc: "vec2<f32>",
        zero: "vec2<f32>(0.0, 0.0)",
        load: (buf: string, i: string) => `vec2<f32>(${buf}[2u * (${i})], ${buf}[2u * (${i}) + 1u])`,
        fma: (acc: string, a: string, b: string) =>
          `${acc} + vec2<f32>(${a}.x * ${b}.x - ${a}.y * ${b}.y, ${a}.x * ${b}.y + ${a}.y * ${b}.x)`,
        store: (i: string, v: string) => `out[2u * (${i})] = ${v}.x; out[2u * (${i}) + 1u] = ${v}.y;`
      }
    case "bool":
      return {
        acc: "u32",
        zero: "0u",
        load: (buf: string, i: string) => `${buf}[${i}]`,
        fma: (acc: string, a: string, b: string) => `${acc} | (${a} & ${b})`,
        store: (i: string, v: string) => `out[${i}] = ${v};`
      }
    default: {
      const t = storageType(dtype)
      return {
        acc: t,
        zero: t === "i32" ? "0i" : "0.0",
        load: (buf: string, i: string) => `${buf}[${i}]`,
        fma: (acc: string, a: string, b: string) => `${acc} + ${a} * ${b}`,
        store: (i: string, v: string) => `out[${i}] = ${v};`
      }
    }
  }
}

const source = (dtype: DType.DType, tile: number): string => {
  const a = arithmetic(dtype)
  const t = tile
  return shader({
    inputs: [storageType(dtype), storageType(dtype)],
    output: storageType(dtype),
    workgroupSize: t * t,
    decls: `var<workgroup> As: array<${a.acc}, ${t * t}>;
var<workgroup> Bs: array<${a.acc}, ${t * t}>;`,
    body: `  let batches = p(2u);
  let M = p(3u);
  let N = p(4u);
  let K = p(5u);
  let tilesM = (M + ${t - 1}u) / ${t}u;
  let tilesN = (N + ${t - 1}u) / ${t}u;
  let valid = wid < batches * tilesM * tilesN;
  let b = wid / (tilesM * tilesN);
  let r = wid % (tilesM * tilesN);
  let ty = lid / ${t}u;
  let tx = lid % ${t}u;
  let row = (r / tilesN) * ${t}u + ty;
  let col = (r % tilesN) * ${t}u + tx;
  let lhsBase = b * p(6u) + row * p(7u);
  let rhsBase = b * p(9u) + col * p(11u);
  var acc: ${a.acc} = ${a.zero};
  for (var k0 = 0u; k0 < K; k0 = k0 + ${t}u) {
    var x: ${a.acc} = ${a.zero};
    if (valid && row < M && k0 + tx < K) { x = ${a.load("in0", "lhsBase + (k0 + tx) * p(8u)")}; }
    As[lid] = x;
    var y: ${a.acc} = ${a.zero};
    if (valid && col < N && k0 + ty < K) { y = ${a.load("in1", "rhsBase + (k0 + ty) * p(10u)")}; }
    Bs[lid] = y;
    workgroupBarrier();
    for (var kk = 0u; kk < ${t}u; kk = kk + 1u) {
      acc = ${a.fma("acc", `As[ty * ${t}u + kk]`, `Bs[kk * ${t}u + tx]`)};
    }
    workgroupBarrier();
  }
  if (valid && row < M && col < N) { ${a.store("(b * M + row) * N + col", "acc")} }`
  })
}

/** `dot_general(lhs, rhs)`: output dims are batch, lhs free, rhs free. */
export const dotGeneral = (
  runtime: Runtime,
  lhs: Storage,
  rhs: Storage,
  la: AbstractValue,
  ra: AbstractValue,
  params: Params<"dot_general">,
  oa: AbstractValue
): Storage => {
  const dtype = oa.dtype
  const out = runtime.allocate(Shape.sizeOf(oa.shape) * wordsPerElement(dtype) * 4)
  if (out.gpu === undefined) return out
  const [lc, rc] = params.contracting
  const [lb, rb] = params.batch
  const lf = la.shape.map((_, d) => d).filter((d) => !lc.includes(d) && !lb.includes(d))
  const rf = ra.shape.map((_, d) => d).filter((d) => !rc.includes(d) && !rb.includes(d))
  const batches = Shape.sizeOf(lb.map((d) => la.shape[d]!))
  const M = Shape.sizeOf(lf.map((d) => la.shape[d]!))
  const K = Shape.sizeOf(lc.map((d) => la.shape[d]!))
  const N = Shape.sizeOf(rf.map((d) => ra.shape[d]!))
  const l = view(runtime, lhs, la, [lb, lf, lc])
  const r = view(runtime, rhs, ra, [rb, rc, rf])
  const tile = runtime.workgroupSize >= 256 ? 16 : 8
  const kernel = runtime.kernel(`dot:${dtype}:${tile}`, 2, () => source(dtype, tile))
  const groups = batches * Math.ceil(M / tile) * Math.ceil(N / tile)
  runtime.dispatch(
    kernel,
    [l.buffer, r.buffer],
    out.gpu,
    [0, 0, batches, M, N, K, l.strides[0], l.strides[1], l.strides[2], r.strides[0], r.strides[1], r.strides[2]],
    groups,
    tile * tile
  )
  if (l.scratch !== undefined) runtime.retire(l.scratch)
  if (r.scratch !== undefined) runtime.retire(r.scratch)
  return out
}
