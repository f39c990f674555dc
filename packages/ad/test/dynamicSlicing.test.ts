/**
 * lax.dynamicSlice / dynamicUpdateSlice and their in-dim forms: values against a
 * JS reference of JAX's rule (negative starts count from the end, then clamp into
 * [0, dim - size]), with static and traced starts; JVP against float64 central
 * finite differences, VJP against JVP (<ct, J t> = <J^T ct, t>), vmap over start
 * indices against a loop, second order, and JAX's error messages.
 */
import { aval, ConcreteTensor, lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Close, thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { vmap } from "../src/Vmap.js"
import { dotValues, tensor, values } from "./finiteDifferencesUtil.js"
import { run } from "./vmapSupport.js"

const i32 = (v: number): Tensor => new ConcreteTensor(aval([], "int32"), Int32Array.of(v), undefined)
const i32s = (vs: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval([vs.length], "int32"), Int32Array.from(vs), undefined)

// JAX's start rule, on the host.
const startOf = (s: number, dim: number, size: number) => Math.min(Math.max(s < 0 ? s + dim : s, 0), dim - size)
const strides = (shape: ReadonlyArray<number>) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
const positions = (shape: ReadonlyArray<number>): Array<Array<number>> => {
  const n = shape.reduce((a, b) => a * b, 1)
  const st = strides(shape)
  return Array.from({ length: n }, (_, k) => shape.map((d, i) => Math.floor(k / st[i]!) % d))
}
const refSlice = (
  xs: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  starts: ReadonlyArray<number>,
  sizes: ReadonlyArray<number>
) => {
  const st = strides(shape)
  const s0 = starts.map((s, i) => startOf(s, shape[i]!, sizes[i]!))
  return positions(sizes).map((p) => xs[p.reduce((a, q, i) => a + (q + s0[i]!) * st[i]!, 0)]!)
}
const refUpdate = (
  xs: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  us: ReadonlyArray<number>,
  ushape: ReadonlyArray<number>,
  starts: ReadonlyArray<number>
) => {
  const out = xs.slice()
  const st = strides(shape)
  const s0 = starts.map((s, i) => startOf(s, shape[i]!, ushape[i]!))
  positions(ushape).forEach((p, k) => (out[p.reduce((a, q, i) => a + (q + s0[i]!) * st[i]!, 0)] = us[k]!))
  return out
}

// A random case: shape (rank 1..3), window sizes, starts in [-dim - 2, dim + 2].
const caseArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    sizes: fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }))),
    starts: fc.tuple(...shape.map((d) => fc.integer({ min: -d - 2, max: d + 2 }))),
    seed: fc.integer({ min: 1, max: 1000 })
  })
)
const data = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) * 3)
const size = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)

describe("lax.dynamicSlice", () => {
  it("documented values: static and traced starts, clamping, negative starts", () => {
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7], [2, 4])
    assert.deepStrictEqual(values(lax.dynamicSlice(x, [1, i32(1)], [1, 2])), [5, 6])
    assert.deepStrictEqual(values(lax.dynamicSlice(x, i32s([0, 3]), [2, 2])), [2, 3, 6, 7]) // 3 clamps to 2
    assert.deepStrictEqual(values(lax.dynamicSlice(x, [i32(-1), i32(-3)], [1, 2])), [5, 6]) // -1 -> 1, -3 -> 1
    assert.deepStrictEqual(values(lax.dynamicIndexInDim(x, i32(-1), 0, false)), [4, 5, 6, 7])
    assert.deepStrictEqual(lax.dynamicIndexInDim(x, i32(0)).shape, [1, 4])
    assert.deepStrictEqual(values(lax.dynamicSliceInDim(x, i32(2), 2, 1)), [2, 3, 6, 7])
  })

  it("matches JAX's clamping rule for every start, static or traced", () => {
    fc.assert(
      fc.property(caseArb, ({ shape, sizes, starts, seed }) => {
        const xs = data(size(shape), seed)
        const x = tensor(xs, shape)
        const expected = refSlice(xs, shape, starts, sizes)
        assert.deepStrictEqual(values(lax.dynamicSlice(x, starts, sizes)), expected)
        assert.deepStrictEqual(values(lax.dynamicSlice(x, starts.map(i32), sizes)), expected)
      }),
      { numRuns: 150 }
    )
  })

  it("JVP against finite differences, VJP against JVP (the transpose is an update of zeros)", () => {
    fc.assert(
      fc.property(caseArb, ({ shape, sizes, starts, seed }) => {
        const x = tensor(data(size(shape), seed), shape)
        const f = (v: Tensor) => lax.sin(lax.dynamicSlice(v, starts.map(i32), sizes))
        const t = tensor(data(size(shape), seed + 7), shape)
        const [[y], [dy]] = jvpFlat(([v]) => [f(v!)], [x], [t])
        const h = 1e-6
        const plus = values(f(lax.add(x, lax.mul(t, lax.full(shape, h, "float64")))))
        const minus = values(f(lax.sub(x, lax.mul(t, lax.full(shape, h, "float64")))))
        Close.assertClose(values(dy!), plus.map((p, i) => (p - minus[i]!) / (2 * h)), 1e-6)
        const ct = tensor(data(size(y!.shape), seed + 3), y!.shape)
        const [, back] = vjpFlat(([v]) => [f(v!)], [x])
        const [gx] = back([ct])
        Close.assertClose(dotValues(gx!, t), dotValues(ct, dy!), 1e-9)
      }),
      { numRuns: 60 }
    )
  })

  it("vmap over start indices agrees with a loop (a batched gather)", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [6])
    const starts = [-7, -1, 0, 2, 5, 9]
    const out = run(vmap((s: Tensor) => lax.dynamicSlice(x, [s], [3]))(i32s(starts)))
    assert.deepStrictEqual(values(out), starts.flatMap((s) => refSlice([1, 2, 3, 4, 5, 6], [6], [s], [3])))
    // operand and starts both batched
    const xb = tensor([1, 2, 3, 4, 10, 20, 30, 40], [2, 4])
    const both = run(vmap((v: Tensor, s: Tensor) => lax.dynamicSlice(v, [s], [2]))(xb, i32s([3, 1])))
    assert.deepStrictEqual(values(both), [3, 4, 20, 30])
  })

  it("second order: the Hessian of sum(slice(x)^3) is diagonal 6x on the window, 0 off it", () => {
    const x = tensor([1, 2, 3, 4], [4])
    const g = (v: Tensor) => {
      const [, back] = vjpFlat(([w]) => [lax.reduceSum(lax.integerPow(lax.dynamicSlice(w!, [i32(1)], [2]), 3), [0])], [
        v
      ])
      return back([lax.full([], 1, "float64")])[0]!
    }
    const [, [hv]] = jvpFlat(([v]) => [g(v!)], [x], [tensor([1, 1, 1, 1], [4])])
    assert.deepStrictEqual(values(hv!), [0, 12, 18, 0])
  })

  it("JAX's errors", () => {
    const x = tensor([1, 2, 3, 4], [2, 2])
    assert.include(
      thrownTag(() => lax.dynamicSlice(x, [0], [1, 1]), "ShapeError"),
      "start_indices must have length equal to the number of dimensions"
    )
    assert.include(
      thrownTag(() => lax.dynamicSlice(x, [0, 0], [3, 1]), "ShapeError"),
      "slice_sizes must be less than or equal to operand shape, got slice_sizes (3, 1) for operand shape (2, 2)"
    )
    assert.include(thrownTag(() => lax.dynamicSlice(x, [0, 0], [-1, 1]), "ShapeError"), "greater than or equal to zero")
    assert.include(
      thrownTag(() => lax.dynamicSlice(x, [0, lax.full([], 1, "float32")], [1, 1]), "DTypeError"),
      "index arguments to dynamic_slice must be integers"
    )
    assert.include(
      thrownTag(() => lax.dynamicSlice(x, [0, i32s([1])], [1, 1]), "ShapeError"),
      "start_indices must be scalars"
    )
    assert.include(thrownTag(() => lax.dynamicSlice(x, [0, 0.5], [1, 1]), "DTypeError"), "must be integers")
    assert.strictEqual(thrownTag(() => lax.dynamicSlice(x, "0" as never, [1, 1]), "ArgumentError").length > 0, true)
  })
})

describe("lax.dynamicUpdateSlice", () => {
  it("documented values", () => {
    const z = tensor([0, 0, 0, 0, 0], [5])
    assert.deepStrictEqual(values(lax.dynamicUpdateSlice(z, tensor([1, 2]), [i32(1)])), [0, 1, 2, 0, 0])
    assert.deepStrictEqual(values(lax.dynamicUpdateSlice(z, tensor([1, 2]), [4])), [0, 0, 0, 1, 2])
    assert.deepStrictEqual(values(lax.dynamicUpdateSlice(z, tensor([1, 2]), [i32(-1)])), [0, 0, 0, 1, 2])
    const m = tensor([0, 0, 0, 0, 0, 0], [3, 2])
    assert.deepStrictEqual(values(lax.dynamicUpdateIndexInDim(m, tensor([7, 8]), i32(1), 0)), [0, 0, 7, 8, 0, 0])
    assert.deepStrictEqual(values(lax.dynamicUpdateSliceInDim(m, tensor([5, 6, 7], [3, 1]), i32(1), 1)), [
      0,
      5,
      0,
      6,
      0,
      7
    ])
  })

  it("matches JAX's rule for every start, static or traced", () => {
    fc.assert(
      fc.property(caseArb, ({ shape, sizes, starts, seed }) => {
        const xs = data(size(shape), seed)
        const us = data(size(sizes), seed + 11)
        const expected = refUpdate(xs, shape, us, sizes, starts)
        const x = tensor(xs, shape)
        const u = tensor(us, sizes)
        assert.deepStrictEqual(values(lax.dynamicUpdateSlice(x, u, starts)), expected)
        assert.deepStrictEqual(values(lax.dynamicUpdateSlice(x, u, starts.map(i32))), expected)
      }),
      { numRuns: 150 }
    )
  })

  it("JVP against finite differences in both operands, VJP against JVP", () => {
    fc.assert(
      fc.property(caseArb, ({ shape, sizes, starts, seed }) => {
        const x = tensor(data(size(shape), seed), shape)
        const u = tensor(data(size(sizes), seed + 5), sizes)
        const f = (a: Tensor, b: Tensor) => lax.tanh(lax.dynamicUpdateSlice(a, lax.mul(b, b), starts.map(i32)))
        const tx = tensor(data(size(shape), seed + 2), shape)
        const tu = tensor(data(size(sizes), seed + 9), sizes)
        const [[y], [dy]] = jvpFlat(([a, b]) => [f(a!, b!)], [x, u], [tx, tu])
        const h = 1e-6
        const at = (e: number) =>
          values(
            f(
              lax.add(x, lax.mul(tx, lax.full(shape, e, "float64"))),
              lax.add(u, lax.mul(tu, lax.full(sizes, e, "float64")))
            )
          )
        const plus = at(h)
        const minus = at(-h)
        Close.assertClose(values(dy!), plus.map((p, i) => (p - minus[i]!) / (2 * h)), 1e-6)
        const ct = tensor(data(size(y!.shape), seed + 3), y!.shape)
        const [, back] = vjpFlat(([a, b]) => [f(a!, b!)], [x, u])
        const [gx, gu] = back([ct])
        Close.assertClose(dotValues(gx!, tx) + dotValues(gu!, tu), dotValues(ct, dy!), 1e-9)
      }),
      { numRuns: 60 }
    )
  })

  it("vmap over start indices and updates agrees with a loop (a batched scatter)", () => {
    const x = tensor([0, 0, 0, 0], [4])
    const starts = [-1, 0, 1, 7]
    const ups = [[1, 2], [3, 4], [5, 6], [7, 8]]
    const out = run(
      vmap((u: Tensor, s: Tensor) => lax.dynamicUpdateSlice(x, u, [s]))(tensor(ups.flat(), [4, 2]), i32s(starts))
    )
    assert.deepStrictEqual(values(out), starts.flatMap((s, k) => refUpdate([0, 0, 0, 0], [4], ups[k]!, [2], [s])))
  })

  it("JAX's errors", () => {
    const x = tensor([1, 2, 3, 4], [2, 2])
    assert.include(
      thrownTag(() => lax.dynamicUpdateSlice(x, tensor([1, 2]), [0, 0]), "ShapeError"),
      "update must have the same rank as operand"
    )
    assert.include(
      thrownTag(() => lax.dynamicUpdateSlice(x, tensor([1, 2, 3], [3, 1]), [0, 0]), "ShapeError"),
      "update shape must be smaller than operand shape, got update shape (3, 1) for operand shape (2, 2)"
    )
    assert.include(
      thrownTag(() => lax.dynamicUpdateSlice(x, tensor([1], [1, 1]), [0]), "ShapeError"),
      "start_indices must have length equal to the rank of operand"
    )
    assert.include(
      thrownTag(() => lax.dynamicUpdateSlice(x, lax.full([1, 1], 1, "float32"), [0, 0]), "DTypeError"),
      "requires arguments to have the same dtypes, got float64, float32"
    )
  })
})
