/**
 * lax.scan / map / foriLoop (static bounds), the higher-order primitive `scan`:
 * every construct against the unrolled JS loop (values, jvp, vjp, vmap, second
 * order; fast-check over random bodies in float64, plus finite differences),
 * JAX's documented examples (cumulative sum, an RK4 integrator differentiated
 * in its parameters, a tanh RNN), pytrees with null, reverse, jit, and JAX's
 * errors with their messages.
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, linearizeFlat, vjpFlat } from "../src/index.js"
import { jit } from "../src/Jit.js"
import { makeProgram } from "../src/Staging.js"
import { vmap } from "../src/Vmap.js"
import { dotValues, grad, tensor, values } from "./finiteDifferencesUtil.js"
import { run } from "./vmapSupport.js"

const { assertClose } = Close

const f64 = (vs: ReadonlyArray<number>, shape?: ReadonlyArray<number>) => tensor(vs, shape)
const num = (t: Tensor): Array<number> => values(t)
const sum = (x: Tensor) => lax.reduceSum(x, x.shape.map((_, i) => i))

// A random elementwise body: carry (h, s) and x of shape [3], parameter w of shape [3].
type Op = "tanh" | "sin" | "mulw" | "addx" | "square" | "mix" | "swap"
const ops: ReadonlyArray<Op> = ["tanh", "sin", "mulw", "addx", "square", "mix", "swap"]
const step = (prog: ReadonlyArray<Op>, w: Tensor) => ([h, s]: readonly [Tensor, Tensor], x: Tensor) => {
  let a = h
  let b = s
  for (const op of prog) {
    if (op === "tanh") a = lax.tanh(a)
    else if (op === "sin") b = lax.sin(lax.add(a, b))
    else if (op === "mulw") a = lax.mul(a, w)
    else if (op === "addx") a = lax.add(a, x)
    else if (op === "square") b = lax.mul(lax.mul(b, b), lax.full(b.shape, 0.5, "float64"))
    else if (op === "mix") a = lax.add(a, lax.mul(b, x))
    else [a, b] = [b, a]
  }
  return [[a, b] as const, lax.mul(a, b)] as const
}
// The same loop unrolled in JS, reverse or not.
const unrolled = (prog: ReadonlyArray<Op>, w: Tensor, h0: Tensor, xs: Tensor, reverse: boolean) => {
  const n = xs.shape[0]!
  let c: readonly [Tensor, Tensor] = [h0, lax.mul(h0, lax.full(h0.shape, 0.5, "float64"))]
  const ys: Array<Tensor> = new Array(n)
  for (let i = 0; i < n; i++) {
    const t = reverse ? n - 1 - i : i
    const x = lax.reshape(lax.slice(xs, [t, 0], [t + 1, 3]), [3])
    const [c2, y] = step(prog, w)(c, x)
    c = c2
    ys[t] = lax.expandDims(y, [0])
  }
  return [c[0], c[1], lax.concatenate(ys, 0)] as const
}
const scanned = (prog: ReadonlyArray<Op>, w: Tensor, h0: Tensor, xs: Tensor, reverse: boolean) => {
  const [[a, b], ys] = lax.scan(step(prog, w), [h0, lax.mul(h0, lax.full(h0.shape, 0.5, "float64"))] as const, xs, {
    reverse
  })
  return [a, b, ys] as const
}
// One scalar of everything: weights fixed so that every output matters.
const loss = (out: readonly [Tensor, Tensor, Tensor]) =>
  lax.add(lax.add(sum(out[0]), lax.mul(sum(out[1]), lax.full([], 0.7, "float64"))), sum(lax.sin(out[2])))

const caseArb = fc.record({
  prog: fc.array(fc.constantFrom(...ops), { minLength: 1, maxLength: 6 }),
  n: fc.integer({ min: 1, max: 4 }),
  reverse: fc.boolean(),
  seed: fc.integer({ min: 1, max: 10000 })
})
const data = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 0.37 + 1.3 * i) * 0.9)

describe("lax.scan against the unrolled loop (fast-check, float64)", () => {
  it("values, jvp, vjp and vmap agree; jvp matches finite differences", () => {
    fc.assert(
      fc.property(caseArb, ({ n, prog, reverse, seed }) => {
        const w = f64(data(3, seed))
        const h0 = f64(data(3, seed + 1))
        const xs = f64(data(3 * n, seed + 2), [n, 3])
        const F =
          (g: typeof scanned) => (ins: ReadonlyArray<Tensor>) => [loss(g(prog, ins[0]!, ins[1]!, ins[2]!, reverse))]
        const args = [w, h0, xs]
        assertClose(num(F(scanned)(args)[0]!), num(F(unrolled)(args)[0]!), 1e-12)
        const ts = [f64(data(3, seed + 3)), f64(data(3, seed + 4)), f64(data(3 * n, seed + 5), [n, 3])]
        const [, [d1]] = jvpFlat(F(scanned), args, ts)
        const [, [d2]] = jvpFlat(F(unrolled), args, ts)
        assertClose(num(d1!), num(d2!), 1e-10)
        // central differences with Richardson's step (h and h/2): an O(h^4) error, since squares of
        // squares carry large higher derivatives (a central difference alone missed 1e-5 on some)
        const h = 2e-6
        const shift = (e: number) => args.map((a, i) => lax.add(a, lax.mul(ts[i]!, lax.full(a.shape, e, "float64"))))
        const central = (e: number) =>
          (num(F(unrolled)(shift(e))[0]!)[0]! - num(F(unrolled)(shift(-e))[0]!)[0]!) / (2 * e)
        const fd = [(4 * central(h / 2) - central(h)) / 3]
        assertClose(num(d1!), fd, 1e-5)
        const [, back1] = vjpFlat(F(scanned), args)
        const [, back2] = vjpFlat(F(unrolled), args)
        const one = [lax.full([], 1, "float64")]
        const g1 = back1(one)
        const g2 = back2(one)
        g1.forEach((g, i) => assertClose(num(g!), num(g2[i]!), 1e-10))
        // <grad, t> = jvp
        assertClose([g1.reduce((acc, g, i) => acc + dotValues(g!, ts[i]!), 0)], num(d1!), 1e-9)
      }),
      {
        numRuns: 40,
        seed: 20261206,
        examples: [[{ prog: ["addx", "swap", "square", "mix", "mix"], n: 4, reverse: false, seed: 5 }]]
      }
    )
  })

  it("unroll (JAX's): any factor gives the values of unroll 1, bit for bit, eagerly, under jit, jvp and vjp", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 2, max: 5 }), fc.boolean(), ({ n, prog, reverse, seed }, k, full) => {
        const w = f64(data(3, seed))
        const h0 = f64(data(3, seed + 1))
        const xs = f64(data(3 * n, seed + 2), [n, 3])
        const withUnroll = (unroll: number | boolean) => (ins: ReadonlyArray<Tensor>) => {
          const [[a, b], ys] = lax.scan(
            step(prog, ins[0]!),
            [ins[1]!, lax.mul(ins[1]!, lax.full([3], 0.5, "float64"))] as const,
            ins[2]!,
            { reverse, unroll }
          )
          return [a, b, ys]
        }
        const args = [w, h0, xs]
        const base = withUnroll(1)(args).map(num)
        const factor = full ? true : k
        assert.deepStrictEqual(withUnroll(factor)(args).map(num), base)
        const jitted = run(jit((w: Tensor, h: Tensor, x: Tensor) => withUnroll(factor)([w, h, x]))(w, h0, xs))
        assert.deepStrictEqual((jitted as ReadonlyArray<Tensor>).map(num), base)
        const ts = [f64(data(3, seed + 3)), f64(data(3, seed + 4)), f64(data(3 * n, seed + 5), [n, 3])]
        const scalar = (u: number | boolean) => (ins: ReadonlyArray<Tensor>) => [loss(withUnroll(u)(ins) as never)]
        assert.deepStrictEqual(num(jvpFlat(scalar(factor), args, ts)[1][0]!), num(jvpFlat(scalar(1), args, ts)[1][0]!))
        const one = [lax.full([], 1, "float64")]
        assert.deepStrictEqual(
          vjpFlat(scalar(factor), args)[1](one).map((g) => num(g!)),
          vjpFlat(scalar(1), args)[1](one).map((g) => num(g!))
        )
      }),
      { numRuns: 30 }
    )
  })

  it("vmap over the parameters and the xs agrees with a loop over the batch", () => {
    fc.assert(
      fc.property(caseArb, ({ n, prog, reverse, seed }) => {
        const ws = f64(data(6, seed), [2, 3])
        const h0 = f64(data(3, seed + 1))
        const xs = f64(data(2 * 3 * n, seed + 2), [n, 2, 3]) // batch at axis 1
        const f = (w: Tensor, x: Tensor) => loss(scanned(prog, w, h0, x, reverse))
        const out = run(vmap(f, { inAxes: [0, 1] })(ws, xs))
        const loop = [0, 1].map((b) =>
          num(
            loss(
              unrolled(
                prog,
                lax.reshape(lax.slice(ws, [b, 0], [b + 1, 3]), [3]),
                h0,
                lax.reshape(lax.slice(xs, [0, b, 0], [n, b + 1, 3]), [n, 3]),
                reverse
              )
            )
          )[0]!
        )
        assertClose(num(out), loop, 1e-12)
      }),
      { numRuns: 25 }
    )
  })

  it("second order: the Hessian-vector product of the scan equals the unrolled loop's", () => {
    fc.assert(
      fc.property(caseArb, ({ n, prog, reverse, seed }) => {
        const h0 = f64(data(3, seed + 1))
        const xs = f64(data(3 * n, seed + 2), [n, 3])
        const g = (impl: typeof scanned) => (w: Tensor) => grad((v: Tensor) => loss(impl(prog, v, h0, xs, reverse)))(w)
        const w = f64(data(3, seed))
        const v = f64(data(3, seed + 9))
        const [, [hv1]] = jvpFlat(([a]) => [g(scanned)(a!)], [w], [v])
        const [, [hv2]] = jvpFlat(([a]) => [g(unrolled)(a!)], [w], [v])
        assertClose(num(hv1!), num(hv2!), 1e-9)
        // reverse over reverse
        const gg1 = grad((a: Tensor) => lax.reduceSum(lax.mul(g(scanned)(a), v), [0]))(w)
        const gg2 = grad((a: Tensor) => lax.reduceSum(lax.mul(g(unrolled)(a), v), [0]))(w)
        assertClose(num(gg1), num(gg2), 1e-9)
      }),
      { numRuns: 15 }
    )
  })
})

describe("lax.scan: JAX's documented examples", () => {
  it("cumulative sum", () => {
    const [total, partial] = lax.scan(
      (c: Tensor, x: Tensor) => {
        const s = lax.add(c, x)
        return [s, s] as const
      },
      f64([0], []),
      f64([1, 2, 3, 4])
    )
    assert.deepStrictEqual(num(total), [10])
    assert.deepStrictEqual(num(partial), [1, 3, 6, 10])
    // reverse: a suffix sum, ys in the xs' order
    const [, suffix] = lax.scan(
      (c: Tensor, x: Tensor) => {
        const s = lax.add(c, x)
        return [s, s] as const
      },
      f64([0], []),
      f64([1, 2, 3, 4]),
      { reverse: true }
    )
    assert.deepStrictEqual(num(suffix), [10, 9, 7, 4])
  })

  it("an RK4 integrator of dy/dt = -k y, differentiated in k, matches the closed form", () => {
    // y(T) = y0 exp(-k T); dy(T)/dk = -T y0 exp(-k T). RK4 with 100 steps is exact to ~1e-10.
    const rk4 = (k: Tensor) => {
      const dt = 0.01
      const rhs = (y: Tensor) => lax.neg(lax.mul(k, y))
      const c = (v: number) => f64([v], [])
      const [yT] = lax.scan(
        (y: Tensor, _x: null) => {
          const k1 = rhs(y)
          const k2 = rhs(lax.add(y, lax.mul(c(dt / 2), k1)))
          const k3 = rhs(lax.add(y, lax.mul(c(dt / 2), k2)))
          const k4 = rhs(lax.add(y, lax.mul(c(dt), k3)))
          const incr = lax.add(lax.add(k1, lax.mul(c(2), k2)), lax.add(lax.mul(c(2), k3), k4))
          return [lax.add(y, lax.mul(c(dt / 6), incr)), null] as const
        },
        c(2),
        null,
        { length: 100 }
      )
      return yT
    }
    const k = 0.8
    assertClose(num(rk4(f64([k], []))), [2 * Math.exp(-k)], 1e-10)
    assertClose(num(grad(rk4)(f64([k], []))), [-2 * Math.exp(-k)], 1e-9)
  })

  it("a tanh RNN: loss and gradients equal the unrolled network's", () => {
    const H = 4
    const B = 2
    const T = 5
    const Wh = f64(data(H * H, 1), [H, H])
    const Wx = f64(data(3 * H, 2), [3, H])
    const xs = f64(data(T * B * 3, 3), [T, B, 3])
    const h0 = lax.full([B, H], 0, "float64")
    const cell = (w: Tensor, h: Tensor, x: Tensor) =>
      lax.tanh(lax.add(lax.dotGeneral(h, w, [[1], [0]]), lax.dotGeneral(x, Wx, [[1], [0]])))
    const rnnScan = (w: Tensor) => {
      const [h, hs] = lax.scan(
        (h: Tensor, x: Tensor) => {
          const h2 = cell(w, h, x)
          return [h2, h2] as const
        },
        h0,
        xs
      )
      return lax.add(sum(lax.mul(h, h)), sum(hs))
    }
    const rnnLoop = (w: Tensor) => {
      let h = h0
      let acc = lax.full([], 0, "float64")
      for (let t = 0; t < T; t++) {
        h = cell(w, h, lax.reshape(lax.slice(xs, [t, 0, 0], [t + 1, B, 3]), [B, 3]))
        acc = lax.add(acc, sum(h))
      }
      return lax.add(sum(lax.mul(h, h)), acc)
    }
    assertClose(num(rnnScan(Wh)), num(rnnLoop(Wh)), 1e-12)
    assertClose(num(grad(rnnScan)(Wh)), num(grad(rnnLoop)(Wh)), 1e-12)
    assertClose(num(run(jit(grad(rnnScan))(Wh)) as Tensor), num(grad(rnnLoop)(Wh)), 1e-12)
  })
})

describe("lax.scan: pytrees, map, foriLoop, jit, staging", () => {
  it("records and null leaves; length without xs", () => {
    const [c, ys] = lax.scan(
      (c: { a: Tensor; b: Tensor }, x: { u: Tensor; v: null }) =>
        [{ a: lax.add(c.a, x.u), b: c.b }, { y: lax.mul(x.u, c.b), z: null }] as const,
      { a: f64([0], []), b: f64([2], []) },
      { u: f64([1, 2, 3]), v: null }
    )
    assert.deepStrictEqual(num(c.a), [6])
    assert.deepStrictEqual(num(ys.y), [2, 4, 6])
    assert.strictEqual(ys.z, null)
    const [k] = lax.scan((c: Tensor, _: null) => [lax.mul(c, f64([2], [])), null] as const, f64([1], []), null, {
      length: 5
    })
    assert.deepStrictEqual(num(k), [32])
  })

  it("map and foriLoop (static bounds, reverse-differentiable)", () => {
    assert.deepStrictEqual(num(lax.map((r: Tensor) => sum(r), f64([1, 2, 3, 4], [2, 2]))), [3, 7])
    // JAX's batch_size changes how many slices run at once, never the values
    const rows = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2])
    assert.deepStrictEqual(num(lax.map((r: Tensor) => sum(r), rows, { batchSize: 2 })), [3, 7, 11, 15, 19])
    // 0 maps every slice at once in JAX (_batch_and_remainder): the same values
    assert.deepStrictEqual(num(lax.map((r: Tensor) => sum(r), rows, { batchSize: 0 })), [3, 7, 11, 15, 19])
    for (const bad of [-1, 1.5]) {
      assert.throws(
        () => lax.map((r: Tensor) => sum(r), rows, { batchSize: bad }),
        /batchSize must be a non-negative integer/
      )
    }
    assert.throws(() => lax.map((r: Tensor) => sum(r), rows, { batch: 2 } as never), /batch/)
    const power = (x: Tensor) => lax.foriLoop(0, 3, (_i: Tensor, acc: Tensor) => lax.mul(acc, x), f64([1], []))
    assert.deepStrictEqual(num(power(f64([2], []))), [8])
    assertClose(num(grad(power)(f64([2], []))), [12], 1e-12) // d x^3 = 3 x^2
    const withI = lax.foriLoop(
      2,
      5,
      (i: Tensor, acc: Tensor) => lax.add(acc, lax.convertElementType(i, "float64")),
      f64([0], [])
    )
    assert.deepStrictEqual(num(withI), [9])
  })

  it("a y that is the body's own x slice is the xs (no stacking); the xs operand stays usable", () => {
    const xs = f64([1, 2, 3, 4, 5, 6], [3, 2])
    const body = (c: Tensor, x: Tensor) => [lax.add(c, x), x] as const
    const [c, ys] = lax.scan(body, f64([0, 0]), xs, { reverse: true })
    assert.deepStrictEqual(num(c), [9, 12])
    assert.deepStrictEqual(num(ys), [1, 2, 3, 4, 5, 6])
    const [, jys] = run(jit((x: Tensor) => lax.scan(body, f64([0, 0]), x))(xs)) as [Tensor, Tensor]
    assert.deepStrictEqual(num(jys), [1, 2, 3, 4, 5, 6])
    // through linearize, where the x slices are residuals: d/dx_t prod_s x_s = prod_{s != t} x_s
    const loss = (x: Tensor) =>
      sum(lax.scan((cc: Tensor, xx: Tensor) => [lax.mul(cc, xx), null] as const, f64([1, 1]), x)[0])
    assert.deepStrictEqual(num(grad(loss)(xs)), [15, 24, 5, 12, 3, 8])
    assert.deepStrictEqual(num(xs), [1, 2, 3, 4, 5, 6])
  })

  it("staging keeps one scan equation with the body nested; jit runs it", () => {
    const f = (xs: Tensor) =>
      lax.scan((c: Tensor, x: Tensor) => [lax.add(c, x), lax.sin(x)] as const, f64([0], []), xs)[0]
    const program = run(makeProgram(f)(f64([1, 2, 3])))
    const text = program.toString()
    assert.include(text, "scan[")
    assert.strictEqual((text.match(/ sin /g) ?? []).length, 1)
    assert.deepStrictEqual(num(run(jit(f)(f64([1, 2, 3]))) as Tensor), [6])
    // linearize stages only the tangent scan (primal work is done now)
    const [, , lin] = linearizeFlat(([x]) => [f(x!)], [f64([1, 2, 3])])
    assert.notInclude(lin.toString(), " sin ")
  })
})

describe("lax.scan nested in programs under reverse mode", () => {
  const xs = f64([1, 2])
  const inner = (w: Tensor, h: Tensor) =>
    lax.scan((g: Tensor, _x: null) => [lax.tanh(lax.mul(w, g)), null] as const, h, null, { length: 2 })[0]
  const nested = (w: Tensor) =>
    lax.scan((h: Tensor, x: Tensor) => [lax.add(inner(w, h), x), null] as const, f64([0.5], []), xs)[0]
  const unrolledNested = (w: Tensor) => {
    let h = f64([0.5], [])
    for (const x of [1, 2]) {
      let g = h
      for (let k = 0; k < 2; k++) g = lax.tanh(lax.mul(w, g))
      h = lax.add(g, f64([x], []))
    }
    return h
  }
  it("a scan inside a scan's body: grad and the second derivative match the unrolled loops", () => {
    const w = f64([0.7], [])
    assertClose(num(grad(nested)(w)), num(grad(unrolledNested)(w)), 1e-12)
    assertClose(num(grad(grad(nested))(w)), num(grad(grad(unrolledNested))(w)), 1e-11)
  })
  it("grad of a jitted function holding a scan keeps the primal known (one split of the call and the scan)", () => {
    const w = f64([0.7], [])
    assertClose(num(run(jit(grad(nested))(w)) as Tensor), num(grad(unrolledNested)(w)), 1e-12)
    const [, back] = vjpFlat(([v]) => [run(jit(nested)(v!)) as Tensor], [w])
    assertClose(num(back([f64([1], [])])[0]!), num(grad(unrolledNested)(w)), 1e-12)
  })
})

describe("lax.scan: JAX's errors", () => {
  const tagged = (f: () => unknown): { _tag: string; message: string } => {
    try {
      f()
    } catch (e) {
      return e as { _tag: string; message: string }
    }
    return assert.fail("no error")
  }
  it("carry type mismatches, leading sizes, length", () => {
    const e = tagged(() =>
      lax.scan((c: Tensor, x: Tensor) => [lax.broadcastInDim(c, [3], []), x] as const, f64([0], []), f64([1, 2, 3]))
    )
    assert.strictEqual(e._tag, "ShapeError")
    assert.include(e.message, "scan body function carry input and carry output must have equal types")
    assert.include(
      e.message,
      "The input carry c has type float64[] but the corresponding output carry component has type float64[3], so the shapes do not match."
    )
    const d = tagged(() =>
      lax.scan((c: Tensor, x: Tensor) => [lax.convertElementType(c, "float32"), x] as const, f64([0], []), f64([1]))
    )
    assert.include(d.message, "so the dtypes do not match")
    const s = tagged(() =>
      lax.scan((c: Tensor, x: unknown) => [c, x] as const, f64([0], []), [f64([1, 2]), f64([1, 2, 3])])
    )
    assert.include(s.message, "got values with different leading axis sizes: 2, 3")
    assert.include(
      tagged(() => lax.scan((c: Tensor, x: Tensor) => [c, x] as const, f64([0], []), f64([1, 2]), { length: 3 }))
        .message,
      "disagrees with leading axis sizes [2]."
    )
    assert.include(
      tagged(() => lax.scan((c: Tensor, x: null) => [c, x] as const, f64([0], []), null)).message,
      "`length` not provided"
    )
    const t = tagged(() => lax.scan(((c: Tensor, x: Tensor) => [[c], x] as const) as never, f64([0], []), f64([1])))
    assert.strictEqual(t._tag, "TreeStructureError")
    assert.include(t.message, "must have the same pytree structure")
  })

  // JAX's testScanBodyCarryTypeMismatchErrors: each differing component, named by the body's carry parameter
  it("carry type mismatches name the body's carry parameter and every differing component (JAX's message)", () => {
    const i32 = (v: number) => tensor([v], [], "int32")
    const f32 = (x: Tensor) => lax.convertElementType(x, "float32")
    const head = "scan body function carry input and carry output must have equal types, but they differ:\n\n"
    const tail = "\nRevise the function so that all output types match the corresponding input types."
    assert.strictEqual(
      tagged(() => lax.scan((x: Tensor, _: null) => [f32(x), null] as const, i32(0), null, { length: 1 })).message,
      `${head}The input carry x has type int32[] but the corresponding output carry component has type ` +
        `float32[], so the dtypes do not match.\n${tail}`
    )
    assert.strictEqual(
      tagged(() =>
        lax.scan(
          (x: readonly [Tensor, Tensor], _: null) => [[x[0], f32(x[1])] as const, null] as const,
          [
            i32(0),
            i32(0)
          ] as const,
          null,
          { length: 1 }
        )
      ).message,
      `${head}The input carry component x[1] has type int32[] but the corresponding output carry component ` +
        `has type float32[], so the dtypes do not match.\n${tail}`
    )
    assert.strictEqual(
      tagged(() =>
        lax.scan(
          (x: readonly [Tensor, Tensor, Tensor], _: null) =>
            [[f32(x[0]), lax.reshape(f32(x[1]), [1, 1]), x[2]] as never, null] as const,
          [i32(0), i32(0), i32(0)] as const,
          null,
          { length: 1 }
        )
      ).message,
      `${head}  * the input carry component x[0] has type int32[] but the corresponding output carry ` +
        `component has type float32[], so the dtypes do not match;\n  * the input carry component x[1] has type ` +
        `int32[] but the corresponding output carry component has type float32[1,1], so the dtypes do not match, ` +
        `and the shapes do not match.\n${tail}`
    )
    // a destructured carry parameter has no name: JAX's message without a signature
    assert.include(
      tagged(() =>
        lax.scan(
          ([a, b]: readonly [Tensor, Tensor], _: null) => [[f32(a), b] as never, null] as const,
          [
            i32(0),
            i32(0)
          ] as const,
          null,
          { length: 1 }
        )
      ).message,
      "The input carry at path [0] has type int32[] but"
    )
  })

  // JAX's testScanBodyOutputError
  it("a body output that is not a pair (JAX's message)", () => {
    const e = tagged(() => lax.scan(((c: Tensor, _x: Tensor) => c) as never, f64([0], []), f64([1, 2])))
    assert.strictEqual(e._tag, "ControlFlowError")
    assert.strictEqual(e.message, "scan body output must be a pair, got float64[].")
  })

  // JAX's test_scan_init_weak_type: a weakly typed init takes the body's carry type
  it("a weakly typed init (a JS number) is promoted to the carry output's type", () => {
    const [c, ys] = lax.scan(
      (c: Tensor, x: Tensor) => [np.add(c, x), x] as const,
      0 as never as Tensor,
      f64([1, 1, 1, 1, 1])
    )
    assert.strictEqual(c.dtype, "float64")
    assert.isFalse(c.weakType)
    assert.deepStrictEqual([num(c), num(ys)], [[5], [1, 1, 1, 1, 1]])
    // int xs: the weak float32 init stays float32 (float32 + int32 is float32)
    const [ci] = lax.scan(
      (c: Tensor, x: Tensor) => [lax.add(c, lax.convertElementType(x, "float32")), null] as const,
      0 as never as Tensor,
      tensor([1, 2, 3], [3], "int32")
    )
    assert.deepStrictEqual([ci.dtype, num(ci)], ["float32", [6]])
  })

  // JAX's _scan_abstract_eval and _while_loop_abstract_eval: the results have the body's output types
  it("the final carry has the body's weak type: a weak init ends strong after a strong body, a JS-number body ends weak", () => {
    const f32 = (v: number | ReadonlyArray<number>) => np.array(v as never, { dtype: "float32" })
    const weak = (t: Tensor) => [t.dtype, t.weakType]
    const [c1] = lax.scan((c: Tensor, x: Tensor) => [np.add(c, x), null] as const, 0 as never as Tensor, f32([1, 2]))
    assert.deepStrictEqual(weak(c1), ["float32", false])
    assert.deepStrictEqual(weak(lax.foriLoop(0, 3, (_i, v: Tensor) => np.add(v, f32(1)), 0 as never as Tensor)), [
      "float32",
      false
    ])
    const [c2] = lax.scan((_c: Tensor, _x: Tensor) => [1.5 as never as Tensor, null] as const, f32(0), f32([1, 2]))
    assert.deepStrictEqual([...weak(c2), num(c2)], ["float32", true, [1.5]])
    const w = lax.whileLoop((v: Tensor) => np.less(v, 3), (_v: Tensor) => 5 as never as Tensor, f32(0))
    assert.deepStrictEqual([...weak(w), num(w)], ["float32", true, [5]])
  })
})

describe("lax.foriLoop (JAX's fori_loop)", () => {
  const inc = (_i: Tensor, c: Tensor) => lax.add(c, lax.full([], 1, "float32"))
  const i32 = (v: number) => tensor([v], [], "int32")
  const ten = () => tensor([10], [], "float32")
  // JAX's test_fori_loop_supports_unrolling and test_fori_loop_returns_init_with_nonpositive_length
  it("unroll with static bounds; a non-positive trip count returns init, eagerly and under jit", () => {
    for (const unroll of [undefined, 1, 3, true, false]) {
      assert.deepStrictEqual(num(lax.foriLoop(0, 10, inc, ten(), { unroll })), [20])
      for (const upper of [0, -2]) {
        assert.deepStrictEqual(num(lax.foriLoop(0, upper, inc, ten(), { unroll })), [10])
        assert.deepStrictEqual(
          num(run(jit((c: Tensor) => lax.foriLoop(0, upper, inc, c, { unroll }))(ten())) as Tensor),
          [10]
        )
      }
    }
    assert.throws(() => lax.foriLoop(0, 3, inc, ten(), { unroll: -1 }), /unroll/)
    assert.throws(() => lax.foriLoop(0, 3, inc, ten(), { unrol: 2 } as never), /unrol/)
  })
  // JAX's test_fori_loop_with_dynamic_indices_cannot_unroll
  it("unroll with a traced bound is JAX's error", () => {
    const f = jit((upper: Tensor) => lax.foriLoop(0, upper, inc, ten(), { unroll: 3 }))
    assert.throws(() => run(f(i32(10))), /Can only use `unroll` in `fori_loop` if the loop bounds are statically known/)
    assert.deepStrictEqual(
      num(run(jit((upper: Tensor) => lax.foriLoop(0, upper, inc, ten(), { unroll: 1 }))(i32(10))) as Tensor),
      [20]
    )
  })
  // JAX's testForiLoopErrors / testForiLoopScalarLimits
  it("the bounds share one dtype; a JS number takes an int32 bound's", () => {
    const u32 = tensor([0], [], "uint32")
    assert.throws(
      () => lax.foriLoop(u32, i32(10), (_i: Tensor, c: Tensor) => c, ten()),
      /lower and upper arguments to fori_loop must have equal types, got uint32 and int32/
    )
    assert.throws(
      () => lax.foriLoop(0, tensor([3], [], "uint32"), (_i: Tensor, c: Tensor) => c, ten()),
      /must have equal types, got int32 and uint32/
    )
    assert.deepStrictEqual(num(lax.foriLoop(i32(0), 10, inc, ten())), [20])
    assert.deepStrictEqual(num(lax.foriLoop(0, i32(10), inc, ten())), [20])
    assert.deepStrictEqual(num(lax.foriLoop(u32, tensor([3], [], "uint32"), inc, ten())), [13])
  })
  // JAX: concrete bounds (core.is_concrete) make a scan, so tensor bounds known now are reverse-differentiable
  it("concrete tensor bounds are a scan: reverse-differentiable, as JAX's", () => {
    const power = (x: Tensor) => lax.foriLoop(0, i32(3), (_i: Tensor, c: Tensor) => lax.mul(c, x), x)
    assertClose(num(grad(power)(f64([2], []))), [32], 1e-12) // d x^4 = 4 x^3
    const text = run(makeProgram(power)(f64([2], []))).toString()
    assert.include(text, "scan[")
    assert.notInclude(text, "while[")
  })
  // JAX: the static fori_loop counter is a Python int, weakly typed, so it takes the carry's integer type
  it("the static counter is a weakly typed int32", () => {
    const s = lax.foriLoop(0, 4, (i: Tensor, c: Tensor) => np.add(c, i), tensor([0], [], "uint32"))
    assert.deepStrictEqual([s.dtype, num(s)], ["uint32", [6]])
    let seen: Tensor | undefined
    lax.foriLoop(0, 2, (i: Tensor, c: Tensor) => {
      seen = i
      return c
    }, ten())
    assert.deepStrictEqual([seen!.dtype, seen!.weakType], ["int32", true])
  })
})
