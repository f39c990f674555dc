/**
 * lax.convGeneralDilatedLocal (JAX's conv_general_dilated_local): against a
 * direct loop over output positions (each with its own kernel) in float64, for
 * strides, explicit and SAME padding, lhs and rhs dilation, the default NCHW
 * layout and NHWC/HWIO; against an ordinary convolution when every position's
 * kernel is the same; gradients in both operands against central differences;
 * vmap; typed errors.
 */
import { Close, thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, grad, lax, np, runSync, ShapeError, type Tensor, toJsSync, vmap } from "diffect"

// A deterministic stream of values in [-1, 1).
const stream = (seed: number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  }
}
const values = (n: number, seed: number) => {
  const next = stream(seed)
  return Array.from({ length: n }, next)
}
const f64 = (v: ReadonlyArray<number>, shape: ReadonlyArray<number>) =>
  np.reshape(np.array(v, { dtype: "float64" }), shape)
const flat = (t: Tensor) => toJsSync(np.ravel(t)) as Array<number>

interface Case {
  readonly n: number
  readonly c: number
  readonly o: number
  readonly h: number
  readonly w: number
  readonly k: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly pads: readonly [readonly [number, number], readonly [number, number]]
  readonly lhsDil: readonly [number, number]
  readonly rhsDil: readonly [number, number]
}

const outSize = (size: number, k: number, s: number, [lo, hi]: readonly [number, number], dl: number, dr: number) =>
  Math.floor(((size - 1) * dl + 1 + lo + hi - (k - 1) * dr - 1) / s) + 1

// out[n, o, y, x] = sum over c, ky, kx of input(n, c, y s + ky dr, x s + kx dr) * rhs[o, (c, ky, kx), y, x],
// with the input read through its padding and lhs dilation (zero between and outside samples).
const reference = (lhs: ReadonlyArray<number>, rhs: ReadonlyArray<number>, p: Case) => {
  const oh = outSize(p.h, p.k[0], p.strides[0], p.pads[0], p.lhsDil[0], p.rhsDil[0])
  const ow = outSize(p.w, p.k[1], p.strides[1], p.pads[1], p.lhsDil[1], p.rhsDil[1])
  const taps = p.k[0] * p.k[1]
  const input = (n: number, c: number, py: number, px: number) => {
    const qy = py - p.pads[0][0]
    const qx = px - p.pads[1][0]
    if (qy < 0 || qx < 0 || qy % p.lhsDil[0] !== 0 || qx % p.lhsDil[1] !== 0) return 0
    const y = qy / p.lhsDil[0]
    const x = qx / p.lhsDil[1]
    return y < p.h && x < p.w ? lhs[((n * p.c + c) * p.h + y) * p.w + x]! : 0
  }
  const out: Array<number> = []
  for (let n = 0; n < p.n; n++) {
    for (let o = 0; o < p.o; o++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          let acc = 0
          for (let c = 0; c < p.c; c++) {
            for (let ky = 0; ky < p.k[0]; ky++) {
              for (let kx = 0; kx < p.k[1]; kx++) {
                const i = c * taps + ky * p.k[1] + kx
                const wv = rhs[((o * p.c * taps + i) * oh + y) * ow + x]!
                acc += wv * input(n, c, y * p.strides[0] + ky * p.rhsDil[0], x * p.strides[1] + kx * p.rhsDil[1])
              }
            }
          }
          out.push(acc)
        }
      }
    }
  }
  return { out, oh, ow }
}

const cases: ReadonlyArray<Case> = [
  { n: 1, c: 1, o: 1, h: 3, w: 3, k: [2, 2], strides: [1, 1], pads: [[0, 0], [0, 0]], lhsDil: [1, 1], rhsDil: [1, 1] },
  { n: 2, c: 2, o: 3, h: 5, w: 4, k: [3, 2], strides: [2, 1], pads: [[1, 2], [0, 1]], lhsDil: [1, 1], rhsDil: [1, 1] },
  { n: 1, c: 2, o: 2, h: 4, w: 5, k: [2, 2], strides: [1, 2], pads: [[0, 1], [1, 0]], lhsDil: [2, 1], rhsDil: [1, 2] }
]

const shapes = (p: Case) => {
  const { oh, ow } = reference(new Array(p.n * p.c * p.h * p.w).fill(0), new Array(1e4).fill(0), p)
  return { lhs: [p.n, p.c, p.h, p.w], rhs: [p.o, p.c * p.k[0] * p.k[1], oh, ow] }
}

const local = (p: Case, lhs: Tensor, rhs: Tensor) =>
  lax.convGeneralDilatedLocal(lhs, rhs, p.strides, p.pads, p.k, { lhsDilation: p.lhsDil, rhsDilation: p.rhsDil })

describe("lax.convGeneralDilatedLocal", () => {
  it("equals the direct loop (NCHW/OIHW/NCHW), with strides, padding and both dilations", () => {
    cases.forEach((p, i) => {
      const s = shapes(p)
      const lv = values(s.lhs.reduce((a, b) => a * b), 10 + i)
      const rv = values(s.rhs.reduce((a, b) => a * b), 20 + i)
      const got = local(p, f64(lv, s.lhs), f64(rv, s.rhs))
      const want = reference(lv, rv, p)
      assert.deepStrictEqual(got.shape, [p.n, p.o, want.oh, want.ow])
      Close.assertClose(flat(got), want.out, 1e-14, `case ${i}`)
    })
  })

  it("takes NHWC/HWIO/NHWC: the same numbers with operands and result transposed", () => {
    const p = cases[1]!
    const s = shapes(p)
    const lv = values(s.lhs.reduce((a, b) => a * b), 31)
    const rv = values(s.rhs.reduce((a, b) => a * b), 32)
    const lhs = np.transpose(f64(lv, s.lhs), { axes: [0, 2, 3, 1] })
    const rhs = np.transpose(f64(rv, s.rhs), { axes: [2, 3, 1, 0] })
    const got = lax.convGeneralDilatedLocal(lhs, rhs, p.strides, p.pads, p.k, {
      dimensionNumbers: ["NHWC", "HWIO", "NHWC"]
    })
    const want = reference(lv, rv, p)
    assert.deepStrictEqual(got.shape, [p.n, want.oh, want.ow, p.o])
    Close.assertClose(flat(np.transpose(got, { axes: [0, 3, 1, 2] })), want.out, 1e-14)
  })

  it("with the same kernel at every position, is the ordinary convolution (SAME padding, float32)", () => {
    const x = np.reshape(np.array(values(2 * 6 * 5, 41)), [1, 2, 6, 5])
    const k = np.reshape(np.array(values(3 * 2 * 3 * 3, 42)), [3, 2, 3, 3])
    const shared = lax.convGeneralDilated(x, k, [1, 1], "SAME")
    // the local kernel: I = (c, ky, kx), repeated at each of the 6 x 5 positions
    const unshared = np.broadcastTo(np.reshape(k, [3, 18, 1, 1]), [3, 18, 6, 5])
    const local1 = lax.convGeneralDilatedLocal(x, unshared, [1, 1], "SAME", [3, 3])
    assert.strictEqual(local1.dtype, "float32")
    Close.assertClose(flat(local1), flat(shared), 1e-5)
  })

  it("has the gradients of central differences in lhs and rhs (float64)", () => {
    const p = cases[1]!
    const s = shapes(p)
    const lv = values(s.lhs.reduce((a, b) => a * b), 51)
    const rv = values(s.rhs.reduce((a, b) => a * b), 52)
    const cot = values(reference(lv, rv, p).out.length, 53)
    // a scalar loss: <cot, out>, with out from the reference loop
    const loss = (l: ReadonlyArray<number>, r: ReadonlyArray<number>) =>
      reference(l, r, p).out.reduce((acc, v, i) => acc + v * cot[i]!, 0)
    const cotT = f64(cot, [p.n, p.o, ...shapes(p).rhs.slice(2)])
    const [gl, gr] = runSync(
      grad((l: Tensor, r: Tensor) => np.sum(np.multiply(local(p, l, r), cotT)), { argnums: [0, 1] })(
        f64(lv, s.lhs),
        f64(rv, s.rhs)
      )
    )
    const h = 1e-6
    const fd = (base: ReadonlyArray<number>, i: number, which: 0 | 1) => {
      const up = base.slice()
      const down = base.slice()
      up[i] = up[i]! + h
      down[i] = down[i]! - h
      return which === 0 ? (loss(up, rv) - loss(down, rv)) / (2 * h) : (loss(lv, up) - loss(lv, down)) / (2 * h)
    }
    const gla = flat(gl)
    const gra = flat(gr)
    assert.deepStrictEqual([gl.shape, gr.shape], [s.lhs, s.rhs])
    for (let i = 0; i < lv.length; i += 3) Close.assertClose(gla[i]!, fd(lv, i, 0), 1e-8, `lhs ${i}`)
    for (let i = 0; i < rv.length; i += 7) Close.assertClose(gra[i]!, fd(rv, i, 1), 1e-8, `rhs ${i}`)
  })

  it("batches under vmap over lhs", () => {
    const p = cases[0]!
    const s = shapes(p)
    const rv = values(s.rhs.reduce((a, b) => a * b), 61)
    const lvs = [values(9, 62), values(9, 63)]
    const batched = runSync(
      vmap((l: Tensor) => local(p, l, f64(rv, s.rhs)))(f64([...lvs[0]!, ...lvs[1]!], [2, ...s.lhs]))
    )
    assert.deepStrictEqual(batched.shape, [2, 1, 1, 2, 2])
    Close.assertClose(flat(batched), [...reference(lvs[0]!, rv, p).out, ...reference(lvs[1]!, rv, p).out], 1e-14)
  })

  it("rejects non-tensors, a rank mismatch and a kernel of the wrong shape", () => {
    const x = np.zeros([1, 1, 4])
    assert.instanceOf(thrown(() => lax.convGeneralDilatedLocal(3 as never, x, [1], "VALID", [2])), ArgumentError)
    assert.instanceOf(thrown(() => lax.convGeneralDilatedLocal(x, np.zeros([1, 2]), [1], "VALID", [2])), ArgumentError)
    // 3 output positions, not 2
    assert.instanceOf(thrown(() => lax.convGeneralDilatedLocal(x, np.zeros([1, 2, 2]), [1], "VALID", [2])), ShapeError)
    assert.instanceOf(
      thrown(() => lax.convGeneralDilatedLocal(x, np.zeros([1, 2, 3]), [1], "VALID", [2], { bogus: 1 } as never)),
      ArgumentError
    )
  })
})
