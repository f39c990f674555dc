/**
 * `lax.reduceWindow` (the `reduce_window_sum` / `_max` / `_min` primitives and
 * the generic fold) and the pooling gradients (`select_and_gather_add`,
 * `select_and_scatter_add`): hand-derived values, a float64 oracle that
 * evaluates each window by XLA's definition over random geometries, JVPs
 * against finite differences, transposes against JVPs (first and second
 * order), and vmap against a loop.
 */
import { aval, bind1, ConcreteTensor, DType, lax, np, toJsSync } from "@diffect/core"
import type { Tensor, WindowParams } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { vmapFlat } from "../src/Vmap.js"

// Flat values, whatever the tensor's storage (host, device or a view).
const values = (t: Tensor): Array<number> => {
  const v = toJsSync(np.ravel(t))
  return Array.isArray(v) ? (v as Array<number>) : [v as number]
}

const sizeOf = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)
const f64 = (data: ReadonlyArray<number>, shape: ReadonlyArray<number>): Tensor => {
  const host = DType.allocHost("float64", sizeOf(shape))
  data.forEach((v, i) => (host[i] = v))
  return new ConcreteTensor(aval(shape, "float64"), host, undefined)
}
const close = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, tol: number) =>
  a.length === b.length && a.every((x, i) => x === b[i] || Math.abs(x - b[i]!) <= tol * (1 + Math.abs(b[i]!)))

type Kind = "sum" | "max" | "min" | "prod"

/** Each window folded by its definition: taps on padding or dilation holes are the identity. */
const oracle = (x: ReadonlyArray<number>, shape: ReadonlyArray<number>, p: WindowParams, kind: Kind) => {
  const nd = shape.length
  const out = shape.map((d, k) => {
    const padded = (d === 0 ? 0 : 1 + p.baseDilation[k]! * (d - 1)) + p.padding[k]![0] + p.padding[k]![1]
    const win = 1 + p.windowDilation[k]! * (p.windowDimensions[k]! - 1)
    return padded < win ? 0 : Math.floor((padded - win) / p.windowStrides[k]!) + 1
  })
  const init = kind === "sum" ? 0 : kind === "prod" ? 1 : kind === "max" ? -Infinity : Infinity
  const f = (a: number, b: number) =>
    kind === "sum" ? a + b : kind === "prod" ? a * b : kind === "max" ? Math.max(a, b) : Math.min(a, b)
  const strides = shape.map((_, k) => sizeOf(shape.slice(k + 1)))
  const data: Array<number> = []
  const coords = (sizes: ReadonlyArray<number>, i: number) => {
    const c = new Array<number>(sizes.length)
    for (let d = sizes.length - 1; d >= 0; d--) {
      c[d] = i % sizes[d]!
      i = Math.floor(i / sizes[d]!)
    }
    return c
  }
  for (let w = 0; w < sizeOf(out); w++) {
    const o = coords(out, w)
    let acc = init
    for (let t = 0; t < sizeOf(p.windowDimensions); t++) {
      const k = coords(p.windowDimensions, t)
      let off = 0
      let real = true
      for (let d = 0; d < nd; d++) {
        const q = o[d]! * p.windowStrides[d]! + k[d]! * p.windowDilation[d]! - p.padding[d]![0]
        if (q < 0 || q % p.baseDilation[d]! !== 0 || q / p.baseDilation[d]! >= shape[d]!) real = false
        else off += (q / p.baseDilation[d]!) * strides[d]!
      }
      acc = f(acc, real ? x[off]! : init)
    }
    data.push(acc)
  }
  return { data, shape: out }
}

const windowArb = fc.integer({ min: 1, max: 3 }).chain((nd) => {
  const per = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: nd, maxLength: nd })
  return fc.record({
    shape: per(1, 5),
    windowDimensions: per(1, 3),
    windowStrides: per(1, 3),
    baseDilation: per(1, 2),
    windowDilation: per(1, 2),
    padding: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -1, max: 2 })), {
      minLength: nd,
      maxLength: nd
    }),
    seed: fc.integer({ min: 1, max: 1_000_000 })
  })
}).map((r) => {
  const padding = r.padding.map(([lo, hi], k) => {
    const dilated = 1 + r.baseDilation[k]! * (r.shape[k]! - 1)
    return dilated + lo + hi >= 0 ? [lo, hi] as const : [lo, 0] as const
  })
  let s = r.seed
  // distinct values (no ties), so max and min are differentiable everywhere
  const x = Array.from({ length: sizeOf(r.shape) }, (_, i) => {
    s = (s * 16807) % 2147483647
    return (s / 2147483647) * 2 - 1 + i * 1e-3
  })
  const params: WindowParams = {
    windowDimensions: r.windowDimensions,
    windowStrides: r.windowStrides,
    padding,
    baseDilation: r.baseDilation,
    windowDilation: r.windowDilation
  }
  return { params, shape: r.shape, x }
})

const reduce = (kind: Kind, p: WindowParams) => (x: Tensor): Tensor => {
  const [init, f] = kind === "sum"
    ? [0, lax.add]
    : kind === "prod"
    ? [1, lax.mul]
    : kind === "max"
    ? [-Infinity, lax.max]
    : [Infinity, lax.min]
  return lax.reduceWindow(x, init, f, p.windowDimensions, p.windowStrides, p.padding, {
    baseDilation: p.baseDilation,
    windowDilation: p.windowDilation
  })
}

describe("lax.reduceWindow values", () => {
  it("max pooling, SAME sums, dilations (hand-derived)", () => {
    const x = np.array([[1, 5, 2, 0], [3, 4, 8, 7]])
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(x, -2147483648, lax.max, [2, 2], [2, 2], "VALID")), [[5, 8]])
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(x, 2147483647, lax.min, [1, 2], [1, 1], "VALID")), [
      [1, 2, 0],
      [3, 4, 7]
    ])
    const r = np.array([1, 2, 3, 4], { dtype: "float32" })
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(r, 0, lax.add, [3], [1], "SAME")), [3, 6, 9, 7])
    // window dilation 2: taps i and i + 2
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(r, 0, lax.add, [2], [1], "VALID", { windowDilation: [2] })), [
      4,
      6
    ])
    // base dilation 2: [1, _, 2, _, 3, _, 4], windows of 2: each sees one element
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(r, 0, lax.add, [2], [1], "VALID", { baseDilation: [2] })), [
      1,
      2,
      2,
      3,
      3,
      4
    ])
    // padding takes the identity: -inf never wins a max
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(np.negative(r), -Infinity, lax.max, [2], [2], [[1, 1]])), [
      -1,
      -2,
      -4
    ])
    // the generic fold: products with init 1, and a sum with init 10 (not the identity: 10 + window)
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(r, 1, lax.mul, [2], [1], "VALID")), [2, 6, 12])
    assert.deepStrictEqual(toJsSync(lax.reduceWindow(r, 10, lax.add, [2], [2], "VALID")), [13, 17])
  })

  it("equals the per-window oracle on random geometries (sum, max, min, generic prod)", () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom<Kind>("sum", "max", "min", "prod"), ({ params, shape, x }, kind) => {
        const want = oracle(x, shape, params, kind)
        const got = reduce(kind, params)(f64(x, shape))
        assert.deepStrictEqual(got.shape, want.shape)
        assert.isTrue(close(values(got), want.data, 1e-12), `${values(got)} vs ${want.data}`)
      }),
      { numRuns: 200 }
    )
  })

  it("bad input: typed errors", () => {
    const x = np.ones([3, 3])
    assert.throws(() => lax.reduceWindow(x, 0, lax.add, [2], [1], "VALID"), /2 positive integers/)
    assert.throws(
      () => lax.reduceWindow(x, 0, lax.add, [2, 0], [1, 1], "VALID"),
      /must be integers that are all greater than 0, got \[2, 0\]/
    )
    assert.throws(() => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 1], "FULL" as never), /"SAME"/)
    assert.throws(() => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 1], [[-9, 0], [0, 0]]), /larger than/)
  })
})

const H = 1e-6

describe("reduce_window derivatives and batching (float64)", () => {
  it("JVP against finite differences; the transpose (select_and_scatter_add for max/min) against the JVP", () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom<Kind>("sum", "max", "min", "prod"), ({ params, shape, x }, kind) => {
        const f = reduce(kind, params)
        const t = x.map((_, i) => Math.sin(3 * i + 1))
        const [[y], [ty]] = jvpFlat((a) => [f(a[0]!)], [f64(x, shape)], [f64(t, shape)])
        const plus = values(f(f64(x.map((v, i) => v + H * t[i]!), shape)))
        const minus = values(f(f64(x.map((v, i) => v - H * t[i]!), shape)))
        // an all-padding window of max/min is +-inf, constant: its tangent is 0 (JAX's)
        const fd = plus.map((p, i) => (Number.isFinite(p) ? (p - minus[i]!) / (2 * H) : 0))
        assert.isTrue(close(values(ty!), fd, 1e-6), `jvp ${values(ty!)} vs fd ${fd}`)
        const ct = values(y!).map((_, i) => Math.cos(5 * i + 0.3))
        const [, back] = vjpFlat((a) => [f(a[0]!)], [f64(x, shape)])
        const [g] = back([f64(ct, y!.shape)])
        const lhs = ct.reduce((s, c, i) => s + c * values(ty!)[i]!, 0)
        const rhs = values(g!).reduce((s, v, i) => s + v * t[i]!, 0)
        assert.isTrue(Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`)
      }),
      { numRuns: 150 }
    )
  })

  it("second order: select_and_scatter_add and select_and_gather_add transpose each other", () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom<"ge" | "le">("ge", "le"), ({ params, shape, x }, selectPrim) => {
        const p = { ...params, selectPrim }
        const xt = f64(x, shape)
        const windows = bind1("select_and_gather_add", [xt, xt], p).shape
        const s = Array.from({ length: sizeOf(windows) }, (_, i) => Math.sin(i + 0.7))
        const u = x.map((_, i) => Math.cos(2 * i))
        // scatter(s) paired with u equals s paired with the transpose of scatter at u
        const h = (a: ReadonlyArray<Tensor>) => [bind1("select_and_scatter_add", [a[0]!, xt], p)]
        const [[hs]] = jvpFlat(h, [f64(s, windows)], [f64(s, windows)])
        const [, back] = vjpFlat(h, [f64(s, windows)])
        const [gu] = back([f64(u, shape)])
        const lhs = values(hs!).reduce((acc, v, i) => acc + v * u[i]!, 0)
        const rhs = values(gu!).reduce((acc, v, i) => acc + v * s[i]!, 0)
        assert.isTrue(Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`)
        // and the transpose of the transpose is scatter again
        const k = (a: ReadonlyArray<Tensor>) => [bind1("select_and_gather_add", [a[0]!, xt], p)]
        const [, back2] = vjpFlat(k, [f64(u, shape)])
        const [gs] = back2([f64(s, windows)])
        assert.isTrue(close(values(gs!), values(hs!), 1e-12))
      }),
      { numRuns: 60 }
    )
  })

  it("max pooling's gradient routes each window's cotangent to its first maximum (hand-derived)", () => {
    const x = f64([1, 3, 3, 2, 0, 5], [6])
    const [, back] = vjpFlat((a) => [lax.reduceWindow(a[0]!, -Infinity, lax.max, [3], [1], "VALID")], [x])
    // windows [1,3,3] [3,3,2] [3,2,0] [2,0,5]: maxima at 1, 1, 2, 5
    assert.deepStrictEqual(values(back([f64([1, 10, 100, 1000], [4])])[0]!), [0, 11, 100, 0, 0, 1000])
  })

  it("vmap of each window primitive equals a loop", () => {
    fc.assert(
      fc.property(
        windowArb,
        fc.constantFrom<Kind>("sum", "max", "min"),
        fc.integer({ min: 1, max: 3 }),
        (c, kind, n) => {
          const { params, shape } = c
          const xs = Array.from({ length: n }, (_, b) => c.x.map((v, i) => v + b * Math.sin(i)))
          const stacked = f64(xs.flat(), [n, ...shape])
          const f = reduce(kind, params)
          const [out] = vmapFlat((a) => [f(a[0]!)], [stacked], [0], [0])
          const want = xs.map((x) => values(f(f64(x, shape)))).flat()
          assert.isTrue(close(values(out!), want, 1e-12))
          // the gradient under vmap: select_and_gather_add / select_and_scatter_add batched
          const g = (x: Tensor) => {
            const [, back] = vjpFlat((a) => [f(a[0]!)], [x])
            const y = f(x)
            return back([f64(Array.from({ length: sizeOf(y.shape) }, (_, i) => Math.cos(i)), y.shape)])[0]!
          }
          const [gout] = vmapFlat((a) => [g(a[0]!)], [stacked], [0], [0])
          const gwant = xs.map((x) => values(g(f64(x, shape)))).flat()
          assert.isTrue(close(values(gout!), gwant, 1e-12))
        }
      ),
      { numRuns: 60 }
    )
  })
})
