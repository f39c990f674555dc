/**
 * Laws of the kernels, checked with fast-check on random shapes and data.
 */
import type { DType } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { arr, expect, run } from "./helpers.js"

const size = (shape: ReadonlyArray<number>) => shape.reduce((a, b) => a * b, 1)
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
const withData = (dtype: DType.DType, shape: ReadonlyArray<number>) =>
  fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: size(shape), maxLength: size(shape) }).map((xs) =>
    arr(dtype, shape, xs)
  )
const tensorArb = (dtype: DType.DType) => shapeArb.chain((shape) => withData(dtype, shape))
const permutationArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })
const inverse = (perm: ReadonlyArray<number>) => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => {
    inv[p] = i
  })
  return inv
}

describe("shape laws", () => {
  it("transposing by a permutation and then by its inverse is the identity", () => {
    fc.assert(
      fc.property(
        tensorArb("float64").chain((x) => permutationArb(x.shape.length).map((p) => [x, p] as const)),
        ([x, p]) => {
          const shape = p.map((a) => x.shape[a]!)
          const t = run("transpose", [x], { permutation: p }, shape, "float64")
          const back = run(
            "transpose",
            [{ data: t, shape, dtype: "float64" }],
            { permutation: inverse(p) },
            x.shape,
            "float64"
          )
          expect.exact(back, Array.from(x.data))
        }
      )
    )
  })

  it("reversing twice is the identity; reshape round trips keep the data", () => {
    fc.assert(
      fc.property(tensorArb("int32"), fc.array(fc.nat(3), { maxLength: 4 }), (x, dims0) => {
        const dims = [...new Set(dims0.filter((d) => d < x.shape.length))]
        const once = run("rev", [x], { dimensions: dims }, x.shape, "int32")
        const twice = run(
          "rev",
          [{ data: once, shape: x.shape, dtype: "int32" }],
          { dimensions: dims },
          x.shape,
          "int32"
        )
        expect.exact(twice, Array.from(x.data))
        const flat = run("reshape", [x], { newSizes: [size(x.shape)] }, [size(x.shape)], "int32")
        const back = run(
          "reshape",
          [{ data: flat, shape: [size(x.shape)], dtype: "int32" }],
          { newSizes: x.shape },
          x.shape,
          "int32"
        )
        expect.exact(back, Array.from(x.data))
      })
    )
  })

  it("pad with negative low/high equals slice", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(5), fc.nat(5), (n, lo0, hi0) => {
        const lo = Math.min(lo0, n - 1)
        const hi = Math.min(hi0, n - 1 - lo)
        const x = arr("float32", [n], Array.from({ length: n }, (_, i) => i * 1.5))
        const out = [n - lo - hi]
        const padded = run("pad", [x, arr("float32", [], [0])], { config: [[-lo, -hi, 0]] }, out, "float32")
        const sliced = run("slice", [x], { startIndices: [lo], limitIndices: [n - hi], strides: null }, out, "float32")
        expect.exact(padded, Array.from(sliced))
      })
    )
  })
})

describe("reduction laws", () => {
  it("the last cumsum entry is the sum", () => {
    fc.assert(
      fc.property(tensorArb("float64"), fc.boolean(), (x, reverse) => {
        const axis = x.shape.length - 1
        const c = run("cumsum", [x], { axis, reverse }, x.shape, "float64")
        const outShape = x.shape.slice(0, -1)
        const s = run("reduce_sum", [x], { axes: [axis] }, outShape, "float64")
        const n = x.shape[axis]!
        s.forEach((v, i) => assert.strictEqual(c[i * n + (reverse ? 0 : n - 1)], v))
      })
    )
  })

  it("reducing over axes A then over B equals reducing over A and B at once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 4 }).chain((s) => withData("int32", s)),
        (x) => {
          const nd = x.shape.length
          const firstShape = x.shape.filter((_, a) => a !== 0)
          const first = run("reduce_sum", [x], { axes: [0] }, firstShape, "int32")
          const second = run(
            "reduce_sum",
            [{ data: first, shape: firstShape, dtype: "int32" }],
            { axes: [nd - 2] },
            firstShape.filter((_, a) => a !== nd - 2),
            "int32"
          )
          const both = run("reduce_sum", [x], { axes: [0, nd - 1] }, x.shape.slice(1, -1), "int32")
          expect.exact(second, Array.from(both))
        }
      )
    )
  })

  it("pairwise float32 sums stay within 1e-6 of the float64 sum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer(), (n, seed) => {
        const data = new Float32Array(n)
        let s = seed
        let ref = 0
        let absSum = 0
        for (let i = 0; i < n; i++) {
          s = (Math.imul(s, 1664525) + 1013904223) | 0
          data[i] = s / 2 ** 31
          ref += data[i]!
          absSum += Math.abs(data[i]!)
        }
        const [got] = run("reduce_sum", [{ data, shape: [n], dtype: "float32" }], { axes: [0] }, [], "float32")
        assert.isAtMost(Math.abs(got! - ref), 1e-6 * absSum + 1e-30)
      }),
      { numRuns: 20 }
    )
  })
})

describe("algebraic laws", () => {
  it("gather and scatter_add are adjoint: <gather(x, i), u> = <x, scatter_add(0, i, u)>", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: -2, max: 8 }), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        (n, idx, seed) => {
          const xs = Array.from({ length: n * 2 }, (_, i) => ((seed + i * 7) % 13) - 6)
          const us = Array.from({ length: idx.length * 2 }, (_, i) => ((seed + i * 5) % 11) - 5)
          const x = arr("float64", [n, 2], xs)
          const ind = arr("int32", [idx.length], idx)
          const g = run("gather", [x, ind], { axis: 0 }, [idx.length, 2], "float64")
          const zeros = arr("float64", [n, 2], new Array(n * 2).fill(0))
          const sc = run(
            "scatter_add",
            [zeros, ind, arr("float64", [idx.length, 2], us)],
            { axis: 0 },
            [n, 2],
            "float64"
          )
          const lhs = us.reduce((acc, u, i) => acc + u * g[i]!, 0)
          const rhs = xs.reduce((acc, v, i) => acc + v * sc[i]!, 0)
          assert.strictEqual(lhs, rhs)
        }
      )
    )
  })

  it("dot_general is bilinear: (a + b) @ c = a @ c + b @ c (integers, exact)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer(),
        (m, k, n, seed) => {
          const gen = (len: number, off: number) =>
            Array.from({ length: len }, (_, i) => ((seed + off + i * 31) % 17) - 8)
          const a = gen(m * k, 1)
          const b = gen(m * k, 2)
          const c = arr("float64", [k, n], gen(k * n, 3))
          const p = { contracting: [[1], [0]], batch: [[], []] } as const
          const sum = run("dot_general", [arr("float64", [m, k], a.map((v, i) => v + b[i]!)), c], p, [m, n], "float64")
          const ac = run("dot_general", [arr("float64", [m, k], a), c], p, [m, n], "float64")
          const bc = run("dot_general", [arr("float64", [m, k], b), c], p, [m, n], "float64")
          expect.exact(sum, Array.from(ac, (v, i) => v + bc[i]!))
        }
      )
    )
  })

  it("float32 add and mul are the correctly rounded float32 operations", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), fc.float({ noNaN: true }), (a, b) => {
        const x = arr("float32", [1], [a])
        const y = arr("float32", [1], [b])
        expect.exact(run("add", [x, y], {}, [1], "float32"), [Math.fround(x.data[0]! + y.data[0]!)])
        expect.exact(run("mul", [x, y], {}, [1], "float32"), [Math.fround(x.data[0]! * y.data[0]!)])
      })
    )
  })

  it("int32 division and remainder satisfy (x / y) * y + x % y = x", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2147483648, max: 2147483647 }),
        fc.integer({ min: -2147483648, max: 2147483647 }),
        (a, b) => {
          fc.pre(b !== 0)
          const x = arr("int32", [1], [a])
          const y = arr("int32", [1], [b])
          const [q] = run("div", [x, y], {}, [1], "int32")
          const [r] = run("rem", [x, y], {}, [1], "int32")
          assert.strictEqual((Math.imul(q!, b) + r!) | 0, a)
          assert.isTrue(r === 0 || Math.sign(r!) === Math.sign(a), "remainder has the dividend's sign")
          assert.isBelow(Math.abs(r!), Math.abs(b))
        }
      )
    )
  })

  it("round gives the nearest integer, ties to even", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          fc.integer({ min: -1000, max: 1000 }).map((i) => i + 0.5)
        ),
        (v) => {
          const [r] = run("round", [arr("float64", [1], [v])], {}, [1], "float64")
          assert.isAtMost(Math.abs(r! - v), 0.5)
          assert.strictEqual(r, Math.trunc(r!))
          if (Math.abs(r! - v) === 0.5) assert.strictEqual(Math.abs(r! % 2), 0)
        }
      )
    )
  })

  it("erf is odd and its finite-difference slope is 2/sqrt(pi) exp(-x^2) across Cody's intervals", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: -6, max: 6, noNaN: true }), fc.constantFrom(0.46875, -0.46875, 4, -4)),
        (v) => {
          const h = 1e-5
          const out = run("erf", [arr("float64", [4], [v, -v, v + h, v - h])], {}, [4], "float64")
          assert.strictEqual(out[0], -out[1]!)
          assert.isAtMost(Math.abs(out[0]!), 1)
          const slope = (out[2]! - out[3]!) / (2 * h)
          assert.approximately(slope, (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v), 1e-8)
        }
      )
    )
  })

  it("complex: (x y) / y = x, sqrt(z)^2 = z, exp(log z) = z", () => {
    const c = fc.double({ min: -100, max: 100, noNaN: true })
    fc.assert(
      fc.property(c, c, c, c, (a, b, p, q) => {
        fc.pre(Math.hypot(p, q) > 1e-3 && Math.hypot(a, b) > 1e-3)
        const x = arr("complex128", [1], [a, b])
        const y = arr("complex128", [1], [p, q])
        const xy = run("mul", [x, y], {}, [1], "complex128")
        const back = run("div", [{ data: xy, shape: [1], dtype: "complex128" }, y], {}, [1], "complex128")
        const scale = Math.hypot(a, b)
        assert.approximately(back[0]!, a, 1e-13 * scale)
        assert.approximately(back[1]!, b, 1e-13 * scale)
        const r = run("sqrt", [x], {}, [1], "complex128")
        assert.isAtLeast(r[0]!, 0)
        assert.approximately(r[0]! * r[0]! - r[1]! * r[1]!, a, 1e-12 * scale)
        assert.approximately(2 * r[0]! * r[1]!, b, 1e-12 * scale)
        const l = run("log", [x], {}, [1], "complex128")
        const e = run("exp", [{ data: l, shape: [1], dtype: "complex128" }], {}, [1], "complex128")
        assert.approximately(e[0]!, a, 1e-13 * scale)
        assert.approximately(e[1]!, b, 1e-13 * scale)
      })
    )
  })
})

describe("dot_general on any layout", () => {
  // Dimension roles: batch (shared), lhs free, rhs free, contract (shared); each operand's
  // dimensions are shuffled, and the result is compared with a loop over named indices.
  const dimsArb = fc.record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    lFree: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    rFree: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    contract: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 })
  })
  const caseArb = dimsArb.chain((d) => {
    const nl = d.batch.length + d.lFree.length + d.contract.length
    const nr = d.batch.length + d.rFree.length + d.contract.length
    return fc.tuple(
      fc.constant(d),
      permutationArb(nl),
      permutationArb(nr),
      fc.constantFrom("float32", "float64", "int32", "complex128")
    )
  })

  it("matches a loop over named indices for every placement of batch, free and contracting dims", () => {
    fc.assert(
      fc.property(caseArb, ([d, lp, rp, dtype]) => {
        // logical order: lhs = [batch, lFree, contract], rhs = [batch, contract, rFree];
        // physical dim i of an operand holds logical dim perm[i]
        const lLogical = [...d.batch, ...d.lFree, ...d.contract]
        const rLogical = [...d.batch, ...d.contract, ...d.rFree]
        const lShape = lp.map((q) => lLogical[q]!)
        const rShape = rp.map((q) => rLogical[q]!)
        const where = (perm: ReadonlyArray<number>, q: number) => perm.indexOf(q)
        const nb = d.batch.length
        const nlf = d.lFree.length
        const nc = d.contract.length
        const lb = d.batch.map((_, i) => where(lp, i))
        const rb = d.batch.map((_, i) => where(rp, i))
        const lc = d.contract.map((_, i) => where(lp, nb + nlf + i))
        const rc = d.contract.map((_, i) => where(rp, nb + i))
        const lanes = dtype === "complex128" ? 2 : 1
        const gen = (n: number, off: number) => Array.from({ length: n * lanes }, (_, i) => ((i * 7 + off) % 11) - 5)
        const L = arr(dtype, lShape, gen(size(lShape), 1))
        const R = arr(dtype, rShape, gen(size(rShape), 3))
        // lhs free dims in physical order, then rhs free dims in physical order (JAX)
        const lFreePhys = lShape.map((_, i) => i).filter((i) => !lb.includes(i) && !lc.includes(i))
        const rFreePhys = rShape.map((_, i) => i).filter((i) => !rb.includes(i) && !rc.includes(i))
        const outShape = [...d.batch, ...lFreePhys.map((i) => lShape[i]!), ...rFreePhys.map((i) => rShape[i]!)]
        const out = run("dot_general", [L, R], { contracting: [lc, rc], batch: [lb, rb] }, outShape, dtype)
        // reference: iterate over output indices and contraction indices
        const strides = (shape: ReadonlyArray<number>) => shape.map((_, i) => size(shape.slice(i + 1)))
        const ls = strides(lShape)
        const rs = strides(rShape)
        const contractSizes = d.contract
        const outSize = size(outShape)
        for (let o = 0; o < outSize; o++) {
          const idx = outShape.map((_, i) => Math.floor(o / size(outShape.slice(i + 1))) % outShape[i]!)
          let re = 0
          let im = 0
          for (let c = 0; c < size(contractSizes); c++) {
            const cIdx = contractSizes.map((_, i) =>
              Math.floor(c / size(contractSizes.slice(i + 1))) % contractSizes[i]!
            )
            const lIdx = new Array<number>(lShape.length)
            const rIdx = new Array<number>(rShape.length)
            lb.forEach((p, i) => (lIdx[p] = idx[i]!))
            rb.forEach((p, i) => (rIdx[p] = idx[i]!))
            lFreePhys.forEach((p, i) => (lIdx[p] = idx[nb + i]!))
            rFreePhys.forEach((p, i) => (rIdx[p] = idx[nb + lFreePhys.length + i]!))
            lc.forEach((p, i) => (lIdx[p] = cIdx[i]!))
            rc.forEach((p, i) => (rIdx[p] = cIdx[i]!))
            const li = lIdx.reduce((acc, v, i) => acc + v * ls[i]!, 0) * lanes
            const ri = rIdx.reduce((acc, v, i) => acc + v * rs[i]!, 0) * lanes
            if (lanes === 2) {
              re += L.data[li]! * R.data[ri]! - L.data[li + 1]! * R.data[ri + 1]!
              im += L.data[li]! * R.data[ri + 1]! + L.data[li + 1]! * R.data[ri]!
            } else {
              re += L.data[li]! * R.data[ri]!
            }
          }
          assert.strictEqual(out[o * lanes], re, `entry ${o}`)
          if (lanes === 2) assert.strictEqual(out[o * lanes + 1], im, `entry ${o} (imaginary)`)
        }
        assert.strictEqual(nc, contractSizes.length)
      }),
      { numRuns: 200 }
    )
  })
})
