/**
 * nn.scaledDotGeneral and nn.getScaledDotGeneralConfig (JAX's
 * nn.scaled_dot_general, jax/_src/cudnn/scaled_matmul_stablehlo.py): the
 * quantized product against a float64 reference that rounds to tables of every
 * float8_e4m3fn and float4_e2m1fn value (nearest, ties to the even code), for
 * MXFP8 and NVFP4 with a global scale; the product without configs; the custom
 * VJP (exact when quantization is exact, and the cotangent quantized by the
 * third config); typed errors.
 */
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, grad, lax, nn, np, runSync, ShapeError, type Tensor, toJsSync } from "diffect"
import { assertClose, flat } from "./helpers.js"

// every non-negative finite value of each format, in code order
const e4m3: Array<number> = [0]
for (let k = 1; k < 8; k++) e4m3.push(k * 2 ** -9)
for (let e = -6; e <= 8; e++) for (let m = 0; m < 8; m++) if (!(e === 8 && m === 7)) e4m3.push((1 + m / 8) * 2 ** e)
const e2m1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6]

const nearest = (table: ReadonlyArray<number>, v: number): number => {
  const a = Math.min(Math.abs(v), table[table.length - 1]!)
  let best = 0
  for (let i = 1; i < table.length; i++) {
    const d = Math.abs(table[i]! - a) - Math.abs(table[best]! - a)
    if (d < 0 || (d === 0 && i % 2 === 0)) best = i
  }
  return Math.sign(v) * table[best]!
}

// One row quantized in blocks: [values on the grid, the scale of each element].
const quantRow = (row: ReadonlyArray<number>, mode: "mxfp8" | "nvfp4", gs = 1): [Array<number>, Array<number>] => {
  const block = mode === "mxfp8" ? 32 : 16
  const q: Array<number> = []
  const s: Array<number> = []
  for (let start = 0; start < row.length; start += block) {
    const xs = row.slice(start, start + block).map((x) => (mode === "nvfp4" ? Math.fround(x / gs) : x))
    const amax = Math.max(...xs.map(Math.abs))
    const scale = mode === "mxfp8"
      ? 2 ** Math.ceil(Math.log2(Math.fround(amax / 448)))
      : nearest(e4m3, Math.min(Math.fround(amax / 6), 448))
    for (const x of xs) {
      q.push(mode === "mxfp8" ? nearest(e4m3, x / scale) : nearest(e2m1, x / scale))
      s.push(scale)
    }
  }
  return [q, s]
}

// out[m][n] = gs^2 sum_k q(a[m])_k sa_k q(b[n])_k sb_k, rows along the contracting dimension
const reference = (
  a: ReadonlyArray<ReadonlyArray<number>>,
  b: ReadonlyArray<ReadonlyArray<number>>,
  mode: "mxfp8" | "nvfp4",
  gs = 1
) =>
  a.map((ra) => {
    const [qa, sa] = quantRow(ra, mode, gs)
    return b.map((rb) => {
      const [qb, sb] = quantRow(rb, mode, gs)
      return qa.reduce((acc, v, k) => acc + v * sa[k]! * qb[k]! * sb[k]!, 0) * (mode === "nvfp4" ? gs * gs : 1)
    })
  })

const rows = (m: number, k: number, seed: number) =>
  Array.from(
    { length: m },
    (_, i) => Array.from({ length: k }, (_, j) => Math.fround(3 * Math.sin(seed + i * 7.3 + j * 1.7)))
  )
const f32 = (v: ReadonlyArray<ReadonlyArray<number>>) => np.array(v as Array<Array<number>>, { dtype: "float32" })
const three = (mode: "mxfp8" | "nvfp4", gs?: Tensor) =>
  [0, 1, 2].map(() => nn.getScaledDotGeneralConfig(mode, gs)) as unknown as readonly [
    nn.BlockScaleConfig,
    nn.BlockScaleConfig,
    nn.BlockScaleConfig
  ]

describe("nn.getScaledDotGeneralConfig", () => {
  it("gives JAX's two configs", () => {
    const mx = nn.getScaledDotGeneralConfig("mxfp8")
    assert.deepStrictEqual([mx.mode, mx.blockSize, mx.dataType, mx.scaleType, mx.globalScale, mx.inferOnly], [
      "mxfp8",
      32,
      "float8_e4m3fn",
      "float8_e8m0fnu",
      undefined,
      false
    ])
    const nv = nn.getScaledDotGeneralConfig("nvfp4")
    assert.deepStrictEqual([nv.blockSize, nv.dataType, nv.scaleType], [16, "float4_e2m1fn", "float8_e4m3fn"])
    assert.deepStrictEqual(toJsSync(nv.globalScale!), [1])
    assert.instanceOf(thrown(() => nn.getScaledDotGeneralConfig("fp8" as never)), ArgumentError)
  })
})

describe("nn.scaledDotGeneral", () => {
  it("without configs is lax.dotGeneral", () => {
    const a = np.reshape(np.arange(6, { dtype: "float32" }), [2, 3])
    const b = np.reshape(np.arange(12, { dtype: "float32" }), [3, 4])
    assert.deepStrictEqual(toJsSync(nn.scaledDotGeneral(a, b, [[[1], [0]], [[], []]])), toJsSync(np.matmul(a, b)))
  })

  it("MXFP8: equals the float64 reference on the e4m3 grid with power-of-two scales (batched)", () => {
    const a = [rows(3, 64, 1), rows(3, 64, 2)]
    const b = [rows(5, 64, 3), rows(5, 64, 4)]
    const out = nn.scaledDotGeneral(np.stack([f32(a[0]!), f32(a[1]!)]), np.stack([f32(b[0]!), f32(b[1]!)]), [
      [[2], [2]],
      [[0], [0]]
    ], {
      configs: three("mxfp8")
    })
    assert.deepStrictEqual(out.shape, [2, 3, 5])
    const want = [0, 1].flatMap((i) => reference(a[i]!, b[i]!, "mxfp8").flat())
    assertClose(out, want, 1e-5)
    // and quantization changed the product (it is not the float32 one)
    const exact = flat(
      lax.dotGeneral(np.stack([f32(a[0]!), f32(a[1]!)]), np.stack([f32(b[0]!), f32(b[1]!)]), [[2], [2]], [[0], [0]])
    )
    assert.isAbove(Math.max(...flat(out).map((v, i) => Math.abs(v - exact[i]!))), 1e-3)
  })

  it("NVFP4: e2m1 values, e4m3 scales and the global scale; without a batch dimension", () => {
    const gs = np.array([0.5], { dtype: "float32" })
    const a = rows(4, 32, 5)
    const b = rows(3, 32, 6)
    // lhs [4, 32] . rhs [32, 3]: contracting dims 1 and 0
    const out = nn.scaledDotGeneral(f32(a), np.transpose(f32(b)), [[[1], [0]], [[], []]], {
      configs: three("nvfp4", gs)
    })
    assert.deepStrictEqual(out.shape, [4, 3])
    assertClose(out, reference(a, b, "nvfp4", 0.5).flat(), 1e-5)
  })

  it("has JAX's VJP: exact when quantization is (integers up to 7 in every block), and a quantized cotangent", () => {
    const n = 32
    const int = (
      i: number,
      j: number,
      seed: number
    ) => (i === j ? 7 : Math.round(6 * Math.sin(seed + i * 3.1 + j * 1.3)))
    const L = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => int(i, j, 1)))
    const R = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => int(i, j, 2)))
    const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => int(i, j, 3)))
    const dn = [[[2], [2]], [[0], [0]]] as const
    const cfg = three("mxfp8")
    const f = (l: Tensor, r: Tensor, g: Tensor) =>
      np.sum(np.multiply(nn.scaledDotGeneral(l, r, dn as never, { configs: cfg }), g))
    const [gl, gr] = runSync(
      grad((l: Tensor, r: Tensor) => f(l, r, np.expandDims(f32(G), 0)), { argnums: [0, 1] })(
        np.expandDims(f32(L), 0),
        np.expandDims(f32(R), 0)
      )
    )
    // out[m, n] = sum_k L[m, k] R[n, k]: dL = G R, dR = G^T L
    const dL = L.map((_, m) => L[0]!.map((_, k) => G[m]!.reduce((acc, g, j) => acc + g * R[j]![k]!, 0)))
    const dR = R.map((_, j) => R[0]!.map((_, k) => G.reduce((acc, row, m) => acc + row[j]! * L[m]![k]!, 0)))
    assert.deepStrictEqual(flat(gl), dL.flat())
    assert.deepStrictEqual(flat(gr), dR.flat())
    // a cotangent of 0.3 everywhere is quantized to 0.3125 (block amax 0.3: scale 2^-10, 307.2 -> 320)
    const g03 = runSync(
      grad((l: Tensor) => f(l, np.expandDims(f32(R), 0), np.full([1, n, n], 0.3)))(np.expandDims(f32(L), 0))
    )
    const colSums = R[0]!.map((_, k) => R.reduce((acc, row) => acc + row[k]!, 0))
    assert.deepStrictEqual(flat(g03), L.flatMap(() => colSums.map((c) => 0.3125 * c)))
  })

  it("rejects a contracting size that is not a multiple of the block, a non-float32 result, bad dimension numbers", () => {
    const cfg = three("mxfp8")
    assert.instanceOf(
      thrown(() => nn.scaledDotGeneral(np.ones([2, 48]), np.ones([3, 48]), [[[1], [1]], [[], []]], { configs: cfg })),
      ShapeError
    )
    assert.instanceOf(
      thrown(() =>
        nn.scaledDotGeneral(np.ones([2, 32]), np.ones([3, 32]), [[[1], [1]], [[], []]], {
          configs: cfg,
          preferredElementType: "float64"
        })
      ),
      ArgumentError
    )
    assert.instanceOf(
      thrown(() => nn.scaledDotGeneral(np.ones([2, 32]), np.ones([3, 32]), [[1], [1]] as never)),
      ArgumentError
    )
  })
})
