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

/** An operand as `[batch, first, second]` strides, copied to that order when its dims do not nest. */
export const view = (
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

// Each thread computes a BxB block of the output from operand values read
// straight from memory: no workgroup barriers (which CPU implementations such as
// llvmpipe execute slowly), and B*B multiply-adds per 2*B loads.
export const BLOCK = 4

const source = (dtype: DType.DType, side: number): string => {
  const a = arithmetic(dtype)
  const b = BLOCK
  const accs = Array.from({ length: b * b }, (_, k) => `  var acc${k}: ${a.acc} = ${a.zero};`).join("\n")
  const loads = Array.from({ length: b }, (_, i) =>
    `      let x${i} = ${a.load("in0", `lhs${i} + k * p(8u)`)};
      let y${i} = ${a.load("in1", `rhs${i} + k * p(10u)`)};`).join("\n")
  const fmas = Array.from(
    { length: b * b },
    (_, k) => `      acc${k} = ${a.fma(`acc${k}`, `x${Math.floor(k / b)}`, `y${k % b}`)};`
  ).join("\n")
  const rows = Array.from({ length: b }, (_, i) => `  let lhs${i} = bat * p(6u) + min(row0 + ${i}u, M - 1u) * p(7u);`)
    .join("\n")
  const cols = Array.from({ length: b }, (_, j) => `  let rhs${j} = bat * p(9u) + min(col0 + ${j}u, N - 1u) * p(11u);`)
    .join("\n")
  const stores = Array.from({ length: b * b }, (_, k) => {
    const i = Math.floor(k / b)
    const j = k % b
    return `  if (row0 + ${i}u < M && col0 + ${j}u < N) { ${
      a.store(`(bat * M + row0 + ${i}u) * N + col0 + ${j}u`, `acc${k}`)
    } }`
  }).join("\n")
  return shader({
    inputs: [storageType(dtype), storageType(dtype)],
    output: storageType(dtype),
    workgroupSize: side * side,
    body: `  let batches = p(2u);
  let M = p(3u);
  let N = p(4u);
  let K = p(5u);
  let tilesM = (M + ${side * b - 1}u) / ${side * b}u;
  let tilesN = (N + ${side * b - 1}u) / ${side * b}u;
  if (wid >= batches * tilesM * tilesN) { return; }
  let bat = wid / (tilesM * tilesN);
  let r = wid % (tilesM * tilesN);
  let row0 = (r / tilesN) * ${side * b}u + (lid / ${side}u) * ${b}u;
  let col0 = (r % tilesN) * ${side * b}u + (lid % ${side}u) * ${b}u;
  if (row0 >= M || col0 >= N) { return; }
${rows}
${cols}
${accs}
  for (var k = 0u; k < K; k = k + 1u) {
${loads}
${fmas}
  }
${stores}`
  })
}

/** The product's sizes and dimension groups: `[B, M, K] x [B, K, N]`. */
export const productSizes = (
  lhsShape: Shape.Shape,
  rhsShape: Shape.Shape,
  params: Params<"dot_general">
) => {
  const [lc, rc] = params.contracting
  const [lb, rb] = params.batch
  const lf = lhsShape.map((_, d) => d).filter((d) => !lc.includes(d) && !lb.includes(d))
  const rf = rhsShape.map((_, d) => d).filter((d) => !rc.includes(d) && !rb.includes(d))
  return {
    batches: Shape.sizeOf(lb.map((d) => lhsShape[d]!)),
    M: Shape.sizeOf(lf.map((d) => lhsShape[d]!)),
    K: Shape.sizeOf(lc.map((d) => lhsShape[d]!)),
    N: Shape.sizeOf(rf.map((d) => rhsShape[d]!)),
    lhsGroups: [lb, lf, lc] as const,
    rhsGroups: [rb, rc, rf] as const,
    /** The output's shape: batch, lhs free, rhs free. */
    shape: [...lb.map((d) => lhsShape[d]!), ...lf.map((d) => lhsShape[d]!), ...rf.map((d) => rhsShape[d]!)]
  }
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
  const { batches, K, lhsGroups, M, N, rhsGroups } = productSizes(la.shape, ra.shape, params)
  const l = view(runtime, lhs, la, lhsGroups)
  const r = view(runtime, rhs, ra, rhsGroups)
  const side = runtime.workgroupSize >= 256 ? 16 : 8
  const tile = side * BLOCK
  const kernel = runtime.kernel(`dot:${dtype}:${side}`, 2, () => source(dtype, side))
  const groups = batches * Math.ceil(M / tile) * Math.ceil(N / tile)
  runtime.dispatch(
    kernel,
    [l.buffer, r.buffer],
    out.gpu,
    [0, 0, batches, M, N, K, l.strides[0], l.strides[1], l.strides[2], r.strides[0], r.strides[1], r.strides[2]],
    groups,
    side * side
  )
  if (l.scratch !== undefined) runtime.retire(l.scratch)
  if (r.scratch !== undefined) runtime.retire(r.scratch)
  return out
}
