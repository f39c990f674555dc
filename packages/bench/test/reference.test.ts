/**
 * The float64 references are the oracle every library is checked against, so
 * they are checked here against the math: central finite differences in
 * float64 (gradients, Hessians) and direct sums (matmul), on small sizes.
 */
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import type { MlpData } from "../src/Cases.js"
import { median, relativeError } from "../src/Harness.js"
import { normal, uniform } from "../src/internal/random.js"
import {
  chainReference,
  matmulReference,
  mlpReference,
  rosenbrockHessian,
  rosenbrockHvp,
  singularValuesReference,
  spdSolveReference,
  tanhSumReference
} from "../src/internal/reference.js"

/** Central difference of `f` along coordinate `i` of `x`. */
const partial = (f: (x: Float64Array) => number, x: ArrayLike<number>, i: number, h = 1e-5): number => {
  const xp = Float64Array.from(x)
  const xm = Float64Array.from(x)
  xp[i] += h
  xm[i] -= h
  return (f(xp) - f(xm)) / (2 * h)
}

/**
 * Collects comparisons: each gap is scaled by its tolerance (relative above 1, absolute
 * below), and the test asserts once that the worst is below 1, naming where it was.
 */
const comparisons = () => {
  let worst = 0
  let where = "nothing compared"
  return {
    add: (actual: number, expected: number, tol: number, what: string) => {
      const gap = Close.gap(actual, expected, { rtol: tol, atol: 0, minScale: 1, equalNan: false })
      if (!(gap <= worst)) {
        worst = Number.isNaN(gap) ? Infinity : gap
        where = `${what}: ${actual} vs ${expected}`
      }
    },
    /** The worst scaled gap, and where it was: assert it is below 1. */
    worst: (): [number, string] => [worst, where]
  }
}

describe("float64 references", () => {
  it("chain gradients match finite differences (x + 0.01 sin x, and sin x)", () => {
    const c = comparisons()
    const x = uniform(5, 4, -2, 2)
    for (const kind of ["residual", "sin"] as const) {
      const value = (v: Float64Array) => chainReference({ x: Float32Array.from(v), steps: 30 }, kind)[0][0]
      const [, grad] = chainReference({ x, steps: 30 }, kind)
      // Float32Array.from rounds the perturbed point: use a step large enough for float32.
      for (let i = 0; i < x.length; i++) c.add(grad[i], partial(value, x, i, 1e-2), 1e-3, `${kind} d/dx${i}`)
    }
    const [worst, where] = c.worst()
    assert.isBelow(worst, 1, where)
  })

  it("the sin chain's value is sin applied 200 times", () => {
    const x = Float32Array.of(1)
    let v = 1
    for (let t = 0; t < 200; t++) v = Math.sin(v)
    assert.strictEqual(chainReference({ x, steps: 200 }, "sin")[0][0], v)
  })

  it("tanh(x)*x: value and gradient", () => {
    const c = comparisons()
    const x = Float32Array.of(-1.5, 0, 0.25, 2)
    const [value, grad] = tanhSumReference(x)
    c.add(value[0], [...x].reduce((s, v) => s + Math.tanh(v) * v, 0), 1e-15, "value")
    const f = (v: Float64Array) => v.reduce((s, t) => s + Math.tanh(t) * t, 0)
    for (let i = 0; i < x.length; i++) c.add(grad[i], partial(f, x, i), 1e-8, `d/dx${i}`)
    const [worst, where] = c.worst()
    assert.isBelow(worst, 1, where)
  })

  it("the Rosenbrock Hessian matches second differences, and H v matches H times v", () => {
    const c = comparisons()
    const n = 6
    const x = uniform(9, n, -1.5, 1.5)
    const v = uniform(10, n, -1, 1)
    const f = (y: Float64Array) => {
      let s = 0
      for (let i = 0; i + 1 < n; i++) s += 100 * (y[i + 1] - y[i] * y[i]) ** 2 + (1 - y[i]) ** 2
      return s
    }
    const h = rosenbrockHessian({ x, v })
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const fi = (y: Float64Array) => partial(f, y, i, 1e-4)
        c.add(h[i * n + j], partial(fi, x, j, 1e-4), 1e-4, `H[${i},${j}]`)
      }
    }
    const hv = rosenbrockHvp({ x, v })
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < n; j++) s += h[i * n + j] * v[j]
      c.add(hv[i], s, 1e-12, `Hv[${i}]`)
    }
    const [worst, where] = c.worst()
    assert.isBelow(worst, 1, where)
  })

  it("the MLP's hand-written backward pass matches finite differences", () => {
    const c = comparisons()
    const sizes = [5, 4, 3, 3] as const
    const batch = 2
    const y = new Float32Array(batch * sizes[3])
    y[1] = 1
    y[sizes[3] + 2] = 1
    const data: MlpData = {
      batch,
      sizes,
      x: uniform(1, batch * sizes[0], 0, 1),
      y,
      w1: normal(2, sizes[0] * sizes[1], 0.7),
      b1: normal(3, sizes[1], 0.3),
      w2: normal(4, sizes[1] * sizes[2], 0.7),
      b2: normal(5, sizes[2], 0.3),
      w3: normal(6, sizes[2] * sizes[3], 0.7),
      b3: normal(7, sizes[3], 0.3)
    }
    const outputs = mlpReference(data)
    const names = ["w1", "b1", "w2", "b2", "w3", "b3"] as const
    names.forEach((name, k) => {
      const p = data[name]
      const loss = (q: Float64Array) => mlpReference({ ...data, [name]: Float32Array.from(q) })[0][0]
      for (let i = 0; i < p.length; i++) {
        // The loss is evaluated on float32-rounded parameters: a step of 1e-3 keeps rounding small.
        c.add(outputs[k + 1][i], partial(loss, p, i, 1e-3), 2e-3, `d loss / d ${name}[${i}]`)
      }
    })
    const [worst, where] = c.worst()
    assert.isBelow(worst, 1, where)
  })

  it("matmul is the sum of products", () => {
    const c = comparisons()
    const n = 3
    const a = uniform(1, n * n, -1, 1)
    const b = uniform(2, n * n, -1, 1)
    const product = matmulReference({ n, a, b })
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j]
        c.add(product[i * n + j], s, 1e-15, `C[${i},${j}]`)
      }
    }
    const [worst, where] = c.worst()
    assert.isBelow(worst, 1, where)
  })
})

describe("harness", () => {
  it("median of odd and even lists", () => {
    assert.strictEqual(median([3, 1, 2]), 2)
    assert.strictEqual(median([4, 1, 3, 2]), 2.5)
  })

  it("relativeError is normwise, zero on equal arrays, and never hides NaN", () => {
    assert.strictEqual(relativeError([1, 2], [1, 2]), 0)
    assert.closeTo(relativeError([1, 2.1], [1, 2]), 0.05, 1e-12)
    assert.strictEqual(relativeError([Number.NaN, 2], [1, 2]), Infinity)
    assert.strictEqual(relativeError([1], [1, 2]), Infinity)
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1 }).filter((xs) =>
          // Subnormal-only arrays would round away the scaling: keep a normal-sized entry.
          xs.some((x) => Math.abs(x) > 1e-3)
        ),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        (xs, d) => {
          // Scaling every entry by (1 + d) is a normwise relative error of |d|.
          const e = relativeError(xs.map((x) => x * (1 + d)), xs)
          return Math.abs(e - Math.abs(d)) <= 1e-9
        }
      )
    )
  })

  it("the PRNG is deterministic and uniform draws stay in range", () => {
    assert.deepStrictEqual(uniform(3, 5, 0, 1), uniform(3, 5, 0, 1))
    assert.notDeepEqual(uniform(3, 5, 0, 1), uniform(4, 5, 0, 1))
    for (const u of uniform(1, 1000, -2, 3)) assert.isTrue(u >= -2 && u < 3)
    const z = normal(1, 20000, 2)
    const mean = z.reduce((s, v) => s + v, 0) / z.length
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length)
    assert.closeTo(mean, 0, 0.05)
    assert.closeTo(sd, 2, 0.05)
  })
})

describe("the linalg references (B7, B8)", () => {
  const n = 12
  const a = normal(5, n * n)
  const spd = new Float32Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let t = i === j ? 1 : 0
      for (let q = 0; q < n; q++) t += (a[i * n + q]! * a[j * n + q]!) / n
      spd[i * n + j] = t
    }
  }
  const k = 3
  const b = normal(6, n * k)

  it("B7: L L^T = A, L lower triangular, and A x = b", () => {
    const [l, x] = spdSolveReference({ n, k, a: spd, b })
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j > i) assert.strictEqual(l![i * n + j], 0)
        let t = 0
        for (let q = 0; q < n; q++) t += l![i * n + q]! * l![j * n + q]!
        assert.approximately(t, spd[i * n + j]!, 1e-12)
      }
      for (let c = 0; c < k; c++) {
        let t = 0
        for (let q = 0; q < n; q++) t += spd[i * n + q]! * x![q * k + c]!
        assert.approximately(t, b[i * k + c]!, 1e-12)
      }
    }
  })

  it("B8: descending, sum of squares = ||A||_F^2, product = |det A| (here via the SPD matrix's LL^T)", () => {
    const s = singularValuesReference({ n, k: 0, a, b: new Float32Array(0) })
    for (let i = 1; i < n; i++) assert.isAtMost(s[i]!, s[i - 1]!)
    let fro = 0
    for (const v of a) fro += v * v
    assert.approximately(s.reduce((t, v) => t + v * v, 0), fro, 1e-10 * fro)
    // the singular values of an SPD matrix are its eigenvalues: their product is det = prod(diag L)^2
    const sSpd = singularValuesReference({ n, k: 0, a: spd, b: new Float32Array(0) })
    const [l] = spdSolveReference({ n, k: 0, a: spd, b: new Float32Array(0) })
    let logDet = 0
    for (let i = 0; i < n; i++) logDet += 2 * Math.log(l![i * n + i]!)
    assert.approximately(sSpd.reduce((t, v) => t + Math.log(v), 0), logDet, 1e-10)
  })
})
